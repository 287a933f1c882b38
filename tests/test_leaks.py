"""Phone numbers planted in every field of every format reach no output: not the records,
the run's folder (Parquet read as values), the batch store (every DuckDB table) or its
reports. Each planted number holds the group 9731; hashes (ids, pseudonyms, SHA-256) and
scores are set aside before the search, since they may hold those digits by chance."""

import json
import re

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

from pipeline import DEFAULT_MODEL_DIR
from pipeline.cli import app
from tests.conftest import EXAMPLE

MARK = "9731"
# Hashes, and scores such as 0.019731: digits that are no one's number.
HEX_RE = re.compile(r"[0-9a-f]{8,}|(?<![\d.])\d\.\d+")


def plant(root):
    """An inbox with each format, a number in each field a person can fill."""
    inbox = root / "inbox_0812_9731_0099"  # a folder named by a number: paths too
    inbox.mkdir()
    whatsapp = EXAMPLE.read_text(encoding="utf-8").splitlines()
    whatsapp += [
        "08/04/24 10.00 - +62 812-9731-0002: halo semua",
        "08/04/24 10.01 - Toko_0812_9731_0003: hp081297310004ya, WA+6281297310005",
        "08/04/24 10.02 - Budi: 0812/9731/0006 atau 0812\u20139731\u20130007",
        "08/04/24 10.03 - Budi: 081297310008,081297310009 dan \uff10\uff18\uff11\uff12\uff19\uff17\uff13\uff11\uff10\uff10\uff11\uff10",
        "08/04/24 10.04 - Rudi WA6281297310019: siap, No:081297310020kak",
        "08/04/24 10.05 - Budi: nomor baru 0812 9731",
        "0025 ya",  # the same message, the number broken over its two lines
    ]
    (inbox / "WhatsApp Chat with +62 812 9731 0001.txt").write_text(
        "\n".join(whatsapp) + "\n", encoding="utf-8"
    )
    message = {"id": 1, "type": "message", "date": "2024-04-08T10:05:00"}
    telegram = {
        "name": "Grup 0812 9731 0011",
        "messages": [{**message, "from": "081297310012", "text": "hub 0812-9731-0021"}],
    }
    (inbox / "result.json").write_text(json.dumps(telegram), encoding="utf-8")
    (inbox / "[LINE] Chat with Pasar.txt").write_text(
        "[LINE] Chat with Pasar\nSaved on: 2024/04/08 10:00\n\n2024/04/08(Mon)\n"
        "10:06\tRina 0812-9731-0013\tnomor saya 0812 9731 0022\n",
        encoding="utf-8",
    )
    (inbox / "survey.csv").write_text(
        "author,text\n0812 9731 0014,hub 081297310015 ya\n", encoding="utf-8"
    )
    (inbox / "wawancara.txt").write_text(
        "Peneliti: Berapa nomor ibu?\nInforman 0812 9731 0016: nomor saya 081297310017\n"
        "Peneliti: Terima kasih\nInforman 0812 9731 0016: sama-sama\n",
        encoding="utf-8",
    )
    (inbox / "table.jsonl").write_text(
        json.dumps({"author": "e 0812 9731 0023", "text": "wa 081297310024"}) + "\n",
        encoding="utf-8",
    )
    return inbox


def leaks(text: str) -> list[str]:
    cleaned = HEX_RE.sub("", text)
    return [cleaned[max(0, m.start() - 30) : m.end() + 10] for m in re.finditer(MARK, cleaned)]


def values(path):
    """What a file holds, as text: Parquet read as its values, other files as written."""
    if path.suffix == ".parquet":
        return json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_planted_numbers_reach_no_output(tmp_path):
    inbox = plant(tmp_path)
    runner = CliRunner()
    ran = runner.invoke(app, ["run", str(inbox), "-o", str(tmp_path / "out"), "--quiet"])
    assert ran.exit_code == 0, ran.output
    for suffix in ("jsonl", "csv", "parquet"):
        parsed = runner.invoke(app, ["parse", str(inbox), "-o", str(tmp_path / f"m.{suffix}")])
        assert parsed.exit_code == 0, parsed.output
    batch = ["batch", str(inbox), "--model", str(DEFAULT_MODEL_DIR)]
    batch += ["--store", str(tmp_path / "s.duckdb"), "-o", str(tmp_path / "reports"), "--json"]
    assert runner.invoke(app, batch).exit_code == 0

    found = {}
    outputs = [p for p in tmp_path.rglob("*") if p.is_file() and inbox not in p.parents]
    for path in outputs:
        if path.suffix == ".duckdb":
            continue
        if hits := leaks(values(path)):
            found[str(path.relative_to(tmp_path))] = hits
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as db:
        for (table,) in db.execute("SELECT table_name FROM information_schema.tables").fetchall():
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            if hits := leaks(json.dumps(rows, ensure_ascii=False, default=str)):
                found[f"store:{table}"] = hits
    assert found == {}
    # and the planted text did arrive, masked
    records = (tmp_path / "m.jsonl").read_text(encoding="utf-8")
    assert "hp<phone>ya" in records and "nomor saya <phone>" in records
