"""The coding loop with a QDA tool, the test playing the human: export, code in the
project's XML as a tool would, import, measure agreement; and a project coded from the
researcher's own sources."""

import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import read_exports
from pipeline.qda.refi import PROJECT_NS, theme_guid
from tests.conftest import EXAMPLE
from tests.qda.test_export import SPECS, export

runner = CliRunner()
NS = {"q": PROJECT_NS}
SITI = "5a1e0000-0000-4000-8000-000000000001"


def _rewrite(project: Path, change) -> Path:
    """The project with its project.qde changed by `change(root, sources)`, saved as
    a tool saves it (same sources)."""
    with zipfile.ZipFile(project) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    ET.register_namespace("", PROJECT_NS)
    root = ET.fromstring(files["project.qde"])
    change(root, files)
    files["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    coded = project.with_name("coded.qdpx")
    with zipfile.ZipFile(coded, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return coded


def _q(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def test_a_reviewer_removes_a_coding_and_adds_one_and_agreement_is_worked_out_by_hand(
    run_dir, tmp_path
):
    messages = pq.read_table(run_dir / "messages.parquet").to_pylist()
    # the reviewer, Siti, takes "creativity" from the first message that has only it,
    # and gives "trust" to the first message with no theme
    taken = next(m for m in messages if m["themes"] == ["creativity"])
    given = next(m for m in messages if not m["themes"])

    def code_as_siti(root, files):
        ET.SubElement(root.find("q:Users", NS), _q("User"), guid=SITI, name="Siti")
        (source,) = root.iter(_q("TextSource"))
        for selection in source.findall("q:PlainTextSelection", NS):
            if selection.get("name") == taken["id"]:
                source.remove(selection)  # its one coding gone, the selection with it
                gone = selection.get("guid")
        for case in root.iter(_q("Case")):
            for ref in case.findall("q:SelectionRef", NS):
                if ref.get("targetGUID") == gone:
                    case.remove(ref)
        text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
        start = text.index(given["text"])  # where the tool's user selected it
        selection = ET.Element(
            _q("PlainTextSelection"),
            guid="5a1e0000-0000-4000-8000-000000000002",
            name="Siti's",
            startPosition=str(start),
            endPosition=str(start + len(given["text"])),
            creatingUser=SITI,
        )
        coding = ET.SubElement(
            selection, _q("Coding"), guid="5a1e0000-0000-4000-8000-000000000003", creatingUser=SITI
        )
        ET.SubElement(coding, _q("CodeRef"), targetGUID=theme_guid("trust"))
        # a selection goes after the source's description and before its other ones
        source.insert(1, selection)

    coded_project = _rewrite(export(run_dir, tmp_path / "project.qdpx"), code_as_siti)
    if SPECS.exists():  # the tool's project is still a valid one
        import xmlschema

        with zipfile.ZipFile(coded_project) as archive:
            xmlschema.XMLSchema(SPECS / "Project-mrt2019.xsd").validate(
                archive.read("project.qde").decode("utf-8")
            )
    coded = tmp_path / "coded.jsonl"
    result = runner.invoke(
        app, ["import-codes", str(coded_project), "-o", str(coded), "--coder", "Siti"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in coded.read_text().splitlines()]
    assert len(rows) == len(messages) and {r["coder"] for r in rows} == {"Siti"}
    siti = {r["id"]: r["themes"] for r in rows}
    assert siti[taken["id"]] == [] and siti[given["id"]] == ["trust"]

    result = runner.invoke(app, ["agreement", str(coded), "--run", str(run_dir), "--json"])
    assert result.exit_code == 0, result.output
    (pair,) = json.loads(result.output)["pairs"]
    assert pair["coders"] == ["guyub", "Siti"] and pair["messages"] == len(messages)

    # by hand: on "creativity" Guyub says yes to c messages, Siti to c - 1 of them
    n = len(messages)
    c = sum("creativity" in m["themes"] for m in messages)
    observed = (n - 1) / n
    chance = (c / n) * ((c - 1) / n) + (1 - c / n) * (1 - (c - 1) / n)
    kappa = (observed - chance) / (1 - chance)
    # alpha: 2n values, c + (c - 1) of them yes, one disagreement
    values, yes = 2 * n, 2 * c - 1
    alpha = 1 - (values - 1) * 1 / (yes * (values - yes))
    creativity = pair["per_theme"]["creativity"]
    assert (creativity["messages_a"], creativity["messages_b"], creativity["both"]) == (
        c,
        c - 1,
        c - 1,
    )
    assert creativity["kappa"] == pytest.approx(kappa, abs=1e-4)
    assert creativity["alpha"] == pytest.approx(alpha, abs=1e-4)
    # every other theme but trust: the same answers, kappa 1
    assert pair["per_theme"]["legality"]["kappa"] == 1.0
    # pooled over every message x theme: two disagreements among all decisions
    cells = n * len(pair["per_theme"])
    g = sum(len(m["themes"]) for m in messages)  # Guyub's yeses; Siti has as many
    observed = (cells - 2) / cells
    chance = (g / cells) ** 2 + (1 - g / cells) ** 2
    assert pair["overall"]["kappa"] == pytest.approx((observed - chance) / (1 - chance), abs=1e-4)
    low, high = pair["overall"]["kappa_95"]
    assert low <= pair["overall"]["kappa"] <= high <= 1.0
    assert pair["confusion"]["creativity"]["(none)"] == 1
    assert pair["confusion"]["(none)"]["trust"] == 1


def test_a_project_coded_from_the_researchers_own_export(tmp_path, config):
    """A source that is the researcher's own copy of a chat is read as Guyub reads an
    export: its messages get the ids a run gives them. A code named as a theme in
    Indonesian counts as it, a code nested under a theme as that theme, and a code the
    codebook lacks is listed under other_codes."""
    text = "".join(EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:12])
    own = tmp_path / "UMKM Banua.txt"
    own.write_text(text, encoding="utf-8")
    records = read_exports([own], config.ingest, config.privacy).messages
    ids = [m.id for m in records if m.kind == "message"]
    lines = text.splitlines(keepends=True)

    def span(line: int) -> tuple[int, int]:  # the characters of a line (1-based)
        start = sum(len(x) for x in lines[: line - 1])
        return start, start + len(lines[line - 1])

    budi = "b0d10000-0000-4000-8000-000000000001"
    codes = {
        "Kepercayaan": "c0de0000-0000-4000-8000-000000000001",
        "Pemasok": "c0de0000-0000-4000-8000-000000000002",
        "Harga": "c0de0000-0000-4000-8000-000000000003",
    }
    selections = [(5, "Kepercayaan"), (7, "Pemasok"), (8, "Harga"), (8, "Kepercayaan")]
    xml = [
        f'<Project xmlns="{PROJECT_NS}" name="own" origin="QualCoder 3.6">',
        f'<Users><User guid="{budi}" name="Budi"/></Users>',
        "<CodeBook><Codes>",
        f'<Code guid="{codes["Kepercayaan"]}" name="Kepercayaan" isCodable="true">',
        f'<Code guid="{codes["Pemasok"]}" name="Pemasok" isCodable="true"/></Code>',
        f'<Code guid="{codes["Harga"]}" name="Harga" isCodable="true"/>',
        "</Codes></CodeBook><Sources>",
        '<TextSource guid="50000000-0000-4000-8000-000000000001" name="UMKM Banua">',
        f"<PlainTextContent>{text.replace('&', '&amp;').replace('<', '&lt;')}</PlainTextContent>",
    ]
    for i, (line, code) in enumerate(selections):
        start, end = span(line)
        xml.append(
            f'<PlainTextSelection guid="5e100000-0000-4000-8000-00000000000{i}" '
            f'startPosition="{start + 20}" endPosition="{end - 2}">'
            f'<Coding guid="c0d10000-0000-4000-8000-00000000000{i}" creatingUser="{budi}">'
            f'<CodeRef targetGUID="{codes[code]}"/></Coding></PlainTextSelection>'
        )
    xml.append("</TextSource></Sources></Project>")
    project = tmp_path / "own.qdpx"
    with zipfile.ZipFile(project, "w") as archive:
        archive.writestr("project.qde", "".join(xml))
    coded = tmp_path / "coded.jsonl"
    result = runner.invoke(app, ["import-codes", str(project), "-o", str(coded)])
    assert result.exit_code == 0, result.output
    assert "Harga (1)" in result.output  # listed, not dropped
    rows = {json.loads(line)["id"]: json.loads(line) for line in coded.read_text().splitlines()}
    assert list(rows) == ids  # every message of the source, by a run's ids
    assert {r["coder"] for r in rows.values()} == {"Budi"}
    themes = {r["text"][:20]: (r["themes"], r["other_codes"]) for r in rows.values()}
    assert themes["Waalaikumsalam, teri"] == (["trust"], [])  # line 5
    assert themes["Salam kenal bubuhan,"] == (["trust"], [])  # line 7: nested code
    assert themes["Salam kenal semua, s"] == (["trust"], ["Harga"])  # line 8
    assert themes["Waalaikumsalam, sena"] == ([], [])  # line 6: not coded


def test_a_damaged_or_hostile_project_is_refused_in_words(tmp_path):
    coded = tmp_path / "coded.jsonl"
    not_zip = tmp_path / "notes.qdpx"
    not_zip.write_text("just notes")
    result = runner.invoke(app, ["import-codes", str(not_zip), "-o", str(coded)])
    assert result.exit_code == 2 and "not a readable zip" in result.output
    assert str(not_zip) in result.output and "Traceback" not in result.output
    hostile = tmp_path / "hostile.qdpx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", f'<Project xmlns="{PROJECT_NS}" name="x"/>')
        archive.writestr("../../etc/evil.txt", "x")
    hostile.write_bytes(buffer.getvalue())
    result = runner.invoke(app, ["import-codes", str(hostile), "-o", str(coded)])
    assert result.exit_code == 2 and "unsafe path" in result.output
    assert not coded.exists()


def test_agreement_names_a_bad_line_of_the_coded_file(run_dir, tmp_path):
    coded = tmp_path / "coded.jsonl"
    coded.write_text(
        '{"id": "a", "coder": "Siti", "themes": []}\n{"id": "b", "coder": "Siti", "themes": ["gossip"]}\n'
    )
    result = runner.invoke(app, ["agreement", str(coded), "--run", str(run_dir)])
    assert result.exit_code == 2 and f"{coded}:2" in result.output and "gossip" in result.output


def test_the_report_shows_agreement_when_a_coded_file_is_given(run_dir, tmp_path):
    import shutil

    run = tmp_path / "out"
    shutil.copytree(run_dir, run)
    coded = tmp_path / "coded.jsonl"
    messages = pq.read_table(run / "messages.parquet").to_pylist()
    coded.write_text(
        "".join(
            json.dumps({"id": m["id"], "coder": "Siti", "themes": m["themes"], "text": m["text"]})
            + "\n"
            for m in messages[:100]
        )
    )
    result = runner.invoke(app, ["report", str(run), "--coded", str(coded)])
    assert result.exit_code == 0, result.output
    page = (run / "report.html").read_text()
    assert "Agreement with human coders" in page and "guyub vs Siti" in page
    kept = json.loads((run / "agreement.json").read_text())
    assert kept["pairs"][0]["messages"] == 100 and kept["pairs"][0]["overall"]["kappa"] == 1.0
    # rebuilt without --coded, the report keeps what was measured
    assert runner.invoke(app, ["report", str(run)]).exit_code == 0
    assert "Agreement with human coders" in (run / "report.html").read_text()
