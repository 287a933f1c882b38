"""A run exported as a REFI-QDA project and codebook: valid against the standard's
schemas, read the same by an independent reader (pyrefiqda), every selection exactly
its message's text, the same file every time."""

import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs" / "refi-qda"
needs_specs = pytest.mark.skipif(
    not SPECS.exists(), reason="../shared/specs/refi-qda is not beside the project"
)
runner = CliRunner()


def export(run_dir: Path, target: Path) -> Path:
    result = runner.invoke(app, ["export", str(run_dir), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def run_messages(run_dir: Path) -> list[dict]:
    return pq.read_table(run_dir / "messages.parquet").to_pylist()


@needs_specs
def test_the_project_and_codebook_validate_against_the_schemas(run_dir, tmp_path):
    import xmlschema

    project = export(run_dir, tmp_path / "project.qdpx")
    with zipfile.ZipFile(project) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(SPECS / "Project-mrt2019.xsd").validate(qde)
    codebook = export(run_dir, tmp_path / "codebook.qdc")
    xmlschema.XMLSchema(SPECS / "Codebook.xsd").validate(codebook.read_text(encoding="utf-8"))


def test_exporting_twice_gives_the_same_file(run_dir, tmp_path):
    first = export(run_dir, tmp_path / "a.qdpx").read_bytes()
    again = export(run_dir, tmp_path / "a.qdpx").read_bytes()  # replacing its own file
    assert first == again


def test_every_selection_is_its_message_and_its_codings_its_themes(run_dir, tmp_path):
    """Read by pyrefiqda, not by Guyub's reader: each selection's characters in its
    source file are the message's text (its line breaks as spaces), its codings the
    themes the run gave it, by Guyub's user; the sources are UTF-8 without a BOM in a
    lowercase sources/ folder, named internal://GUID.txt."""
    from pyrefiqda.refiproject import RefiProject

    project = export(run_dir, tmp_path / "project.qdpx")
    read = RefiProject.load(project, extract_dir=str(tmp_path / "extracted"))
    codes = {code.guid: code.name for code in read.code_book.codes.code}
    theme_of_name = dict(
        zip(
            json.loads((run_dir / "manifest.json").read_text())["themes"]["names"],
            json.loads((run_dir / "manifest.json").read_text())["themes"]["ids"],
            strict=True,
        )
    )
    (user,) = read.users.user
    assert user.name.startswith("Guyub ") and "model " in user.name
    messages = {m["id"]: m for m in run_messages(run_dir)}
    seen = {}
    for source in read.sources.text_source:
        assert source.plain_text_path == f"internal://{source.guid}.txt"
        data = (tmp_path / "extracted" / "sources" / f"{source.guid}.txt").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
        for selection in source.plain_text_selection:
            message = messages[selection.name]
            assert text[selection.start_position : selection.end_position] == " ".join(
                message["text"].splitlines()
            )
            seen[message["id"]] = sorted(
                theme_of_name[codes[c.code_ref.target_guid]] for c in selection.coding
            )
            assert {c.creating_user for c in selection.coding} == {user.guid}
    given = {i: sorted(m["themes"]) for i, m in messages.items() if m["themes"]}
    assert seen == given and len(given) > 50


def test_members_are_cases_pointing_at_their_selections(run_dir, tmp_path):
    from pyrefiqda.refiproject import RefiProject

    read = RefiProject.load(export(run_dir, tmp_path / "p.qdpx"), extract_dir=str(tmp_path / "x"))
    selections = {
        s.guid: s.name for source in read.sources.text_source for s in source.plain_text_selection
    }
    author = {m["id"]: m["author"] for m in run_messages(run_dir)}
    cases = read.cases.case
    assert {c.name for c in cases} == set(author.values())
    for case in cases:
        for ref in case.selection_ref:
            assert author[selections[ref.target_guid]] == case.name


def test_the_codebook_holds_the_themes_and_the_emergent_topics_under_one_parent(run_dir, tmp_path):
    from pipeline.qda.read import read_codebook

    codes = read_codebook(export(run_dir, tmp_path / "codebook.qdc"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    top = [c for c in codes.values() if c.parent is None]
    assert [c.name for c in top] == [*manifest["themes"]["names"], "Emergent topics (Guyub)"]
    assert "Kinship and needing each other" in top[0].description  # the definition
    emergent = [c for c in codes.values() if c.parent == top[-1].guid]
    assert len(emergent) == manifest["topics"]["themes"].count("emergent")


def test_an_output_guyub_did_not_write_is_refused(run_dir, tmp_path):
    theirs = tmp_path / "theirs.qdpx"
    theirs.write_bytes(b"a project of someone else")
    result = runner.invoke(app, ["export", str(run_dir), "-o", str(theirs)])
    assert result.exit_code == 2 and "was not written by guyub export" in result.output
    assert theirs.read_bytes() == b"a project of someone else"
    result = runner.invoke(app, ["export", str(run_dir), "-o", str(tmp_path / "p.txt")])
    assert result.exit_code == 2 and ".qdpx" in result.output
    (tmp_path / "not-a-run").mkdir()
    result = runner.invoke(
        app, ["export", str(tmp_path / "not-a-run"), "-o", str(tmp_path / "p.qdpx")]
    )
    assert result.exit_code == 2 and "not a Guyub run" in result.output
