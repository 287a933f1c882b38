"""The scheduled batch job: exactly once over overlapping weekly exports, in any order;
crash-safe under SIGKILL; one writer at a time; a damaged store is refused."""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import DEFAULT_MODEL_DIR
from pipeline.cli import app
from tests.conftest import EXAMPLE

runner = CliRunner()
START = date(2024, 1, 8)


def weekly_exports(root: Path) -> list[Path]:
    """Exports of one group made on days 7, 14 and 21: each repeats the whole history."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    paths = []
    for weeks in (1, 2, 3):
        end = START + timedelta(days=7 * weeks)
        kept, keep = [], True
        for line in lines:
            if line[:2].isdigit() and line[2] == "/":  # a header: decide by its date
                day, month, year = int(line[:2]), int(line[3:5]), 2000 + int(line[6:8])
                keep = date(year, month, day) < end
            if keep:
                kept.append(line)
        folder = root / f"week{weeks}"
        folder.mkdir(parents=True)
        path = folder / "WhatsApp Chat with UMKM Banua.txt"
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def batch(inputs, store, out, *extra):
    args = [
        "batch",
        *map(str, inputs),
        "--model",
        str(DEFAULT_MODEL_DIR),
        "--store",
        str(store),
        "-o",
        str(out),
        "--json",
        *extra,
    ]
    return runner.invoke(app, args)


def stored(store: Path) -> dict[str, object]:
    with duckdb.connect(str(store), read_only=True) as db:
        return {
            "messages": sorted(
                db.execute("SELECT id, chat, timestamp, author, text FROM messages").fetchall()
            ),
            "scores": sorted(db.execute("SELECT message_id, model, themes FROM scores").fetchall()),
            "runs": db.execute("SELECT count(*) FROM runs").fetchone()[0],
        }


def test_overlapping_weekly_exports_in_any_order_give_every_message_once(tmp_path):
    exports = weekly_exports(tmp_path / "inbox")
    reference = None
    for order in itertools.permutations(exports):
        store = tmp_path / f"{'-'.join(p.parent.name for p in order)}.duckdb"
        for path in order:  # one weekly run per export
            result = batch([path], store, tmp_path / "out")
            assert result.exit_code == 0, result.output
        content = stored(store)
        ids = [m[0] for m in content["messages"]]
        assert len(ids) == len(set(ids))
        if reference is None:
            reference = content["messages"]
            # the three-week export alone holds exactly these messages
            alone = tmp_path / "alone.duckdb"
            batch([exports[2]], alone, tmp_path / "o2")
            assert stored(alone)["messages"] == reference
        assert content["messages"] == reference


def test_rerunning_the_same_inputs_changes_nothing(tmp_path):
    exports = weekly_exports(tmp_path / "inbox")
    store = tmp_path / "s.duckdb"
    first = json.loads(batch(exports, store, tmp_path / "out").output)
    before = stored(store)
    weekly = (tmp_path / "out" / "weekly.csv").read_bytes()
    again = json.loads(batch(exports, store, tmp_path / "out").output)
    assert first["new_messages"] > 0 and again["new_messages"] == 0 and again["new_exports"] == 0
    after = stored(store)
    assert after["messages"] == before["messages"] and after["scores"] == before["scores"]
    assert (tmp_path / "out" / "weekly.csv").read_bytes() == weekly


def test_weekly_report_shows_a_trend_over_three_weeks(tmp_path):
    exports = weekly_exports(tmp_path / "inbox")
    for path in exports:
        batch([path], tmp_path / "s.duckdb", tmp_path / "out")
    rows = (tmp_path / "out" / "weekly.csv").read_text().splitlines()
    weeks = {row.split(",")[1] for row in rows[1:] if row.startswith("(all chats)")}
    # the weeks of 2024-01-08, -15 and -22, by their Mondays as the run report shows them
    assert weeks == {"2024-01-08", "2024-01-15", "2024-01-22"}
    runs = json.loads((tmp_path / "out" / "runs.json").read_text())
    assert [r["status"] for r in runs] == ["done", "done", "done"]
    # values, not JSON text inside the JSON
    assert all(r["failed"] == [] and isinstance(r["drift"], dict) for r in runs)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from pipeline.cli import app; app()", *args]


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8, 2.3, 2.8, 3.2])
def test_killed_at_any_moment_then_rerun_equals_an_uninterrupted_run(tmp_path, delay):
    inbox = tmp_path / "inbox"
    weekly_exports(inbox)
    args = [str(inbox), "--model", str(DEFAULT_MODEL_DIR), "-o"]
    reference_store, killed_store = tmp_path / "ref.duckdb", tmp_path / "killed.duckdb"
    subprocess.run(
        _cli("batch", *args, str(tmp_path / "ref"), "--store", str(reference_store)),
        check=True,
        capture_output=True,
    )
    victim = subprocess.Popen(
        _cli("batch", *args, str(tmp_path / "out"), "--store", str(killed_store)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    if victim.poll() is None:
        os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    subprocess.run(
        _cli("batch", *args, str(tmp_path / "out"), "--store", str(killed_store)),
        check=True,
        capture_output=True,
    )
    got, want = stored(killed_store), stored(reference_store)
    assert got["messages"] == want["messages"] and got["scores"] == want["scores"]
    assert (tmp_path / "out" / "weekly.csv").read_bytes() == (
        tmp_path / "ref" / "weekly.csv"
    ).read_bytes()
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".out.")
    ]  # no half-written outputs left


def test_a_second_job_on_the_same_store_stops_with_a_clear_message(tmp_path):
    store = tmp_path / "s.duckdb"
    batch([EXAMPLE], store, tmp_path / "out")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(store)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = batch([EXAMPLE], store, tmp_path / "out2", "--wait", "1")
        assert result.exit_code == 2
        assert "in use by another Guyub job" in result.output
    finally:
        holder.kill()
        holder.wait()


def test_a_damaged_store_is_refused_and_left_alone(tmp_path):
    store = tmp_path / "s.duckdb"
    store.write_bytes(b"this is not a database" * 100)
    result = batch([EXAMPLE], store, tmp_path / "out")
    assert result.exit_code == 2
    assert "not a Guyub store or damaged" in result.output
    assert store.read_bytes() == b"this is not a database" * 100


def test_failed_inputs_exit_1_and_the_rest_is_processed(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.txt").write_bytes(b"\x00\x01binary")
    (inbox / "chat.txt").write_bytes(EXAMPLE.read_bytes())
    result = batch([inbox], tmp_path / "s.duckdb", tmp_path / "out")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["new_messages"] == 329 and len(summary["failed"]) == 1
    assert "broken.txt" in summary["failed"][0]


def test_a_new_model_rescores_on_request_and_keeps_the_old_scores(tmp_path):
    store = tmp_path / "s.duckdb"
    batch([EXAMPLE], store, tmp_path / "out")
    other = tmp_path / "model2"
    fitted = runner.invoke(
        app, ["fit", str(EXAMPLE), "-o", str(other), "--set", "topics.extra_topics=4", "-q"]
    )
    assert fitted.exit_code == 0, fitted.output
    args = [
        "batch",
        str(EXAMPLE),
        "--model",
        str(other),
        "--store",
        str(store),
        "-o",
        str(tmp_path / "out"),
        "--json",
    ]
    plain = json.loads(runner.invoke(app, args).stdout)
    assert plain["scored"] == 0  # nothing new, no --rescore: nothing scored
    rescored = json.loads(runner.invoke(app, [*args, "--rescore"]).stdout)
    assert rescored["scored"] == 309
    models = {row[1] for row in stored(store)["scores"]}
    assert len(models) == 2 and len(stored(store)["scores"]) == 2 * 309


def test_a_stage_with_nothing_to_do_says_so(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    exports = weekly_exports(tmp_path / "inbox")
    args = ["batch", str(exports[0]), "--model", str(DEFAULT_MODEL_DIR)]
    args += ["--store", str(tmp_path / "s.duckdb"), "-o", str(tmp_path / "out"), "--log-json"]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)  # the same export a second time
    assert again.exit_code == 0, again.output
    events = [json.loads(line) for line in again.stderr.splitlines() if line.startswith("{")]
    states = {e["stage"]: (e["state"], e["why"]) for e in events if e["event"] == "stage_done"}
    assert states["ingest"] == ("idle", "no new exports: every one was read in an earlier run")
    assert states["score"] == ("idle", "no message to score")


def test_a_bad_zip_in_the_inbox_is_skipped_and_the_rest_committed_every_week(tmp_path):
    exports = weekly_exports(tmp_path / "inbox")
    bad = tmp_path / "inbox" / "broken.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    store, out = tmp_path / "s.duckdb", tmp_path / "out"
    first = batch([bad, exports[0]], store, out)
    assert first.exit_code == 1  # some inputs failed, the rest was processed
    summary = json.loads(first.stdout)
    assert summary["new_messages"] > 0 and len(summary["failed"]) == 1
    second = batch([bad, exports[1]], store, out)
    assert second.exit_code == 1 and json.loads(second.stdout)["new_messages"] > 0


def test_a_damaged_store_is_refused_and_never_written(tmp_path):
    exports = weekly_exports(tmp_path / "inbox")
    store, out = tmp_path / "s.duckdb", tmp_path / "out"
    assert batch(exports, store, out).exit_code == 0
    data = bytearray(store.read_bytes())
    for offset in range(300_000, len(data), 262_144):  # one byte in each later block
        data[offset] ^= 0xFF
    store.write_bytes(bytes(data))
    damaged = store.read_bytes()
    result = batch(exports[:1], store, tmp_path / "out2")
    assert result.exit_code == 2 and "damaged store" in result.output
    assert store.read_bytes() == damaged  # not written to


def test_a_store_made_by_the_previous_guyub_is_brought_up_to_date(tmp_path):
    from pipeline.batch.store import Store

    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as db:  # schema 1, as the previous Guyub made it
        db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.execute(
            "CREATE TABLE messages (id VARCHAR PRIMARY KEY, chat VARCHAR, platform VARCHAR, "
            "source VARCHAR, line INTEGER, timestamp VARCHAR, author VARCHAR, kind VARCHAR, "
            "text VARCHAR, run_id INTEGER)"
        )
        db.execute(
            "INSERT INTO messages VALUES ('a', 'c', 'whatsapp', 's', 1, '2024-01-01T10:00', "
            "'A', 'message', 'halo', 1)"
        )
    store = Store.open(old)
    try:
        assert store.db.execute("SELECT text, code FROM messages").fetchall() == [("halo", "")]
        assert store.db.execute("SELECT value FROM meta").fetchall() == [("2",)]
    finally:
        store.close()
