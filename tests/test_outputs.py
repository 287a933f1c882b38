"""Outputs replace only what Guyub made: every refused target is left byte for byte."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.outputs import (
    MARKER,
    OutputError,
    check_output_folder,
    clear_leftovers,
    write_folder,
)
from tests.conftest import EXAMPLE, output_bytes

runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes]:
    return output_bytes(root, leave_out=())


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A researcher's folder: a thesis, notes, and the export beside them."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mydocs").mkdir()
    (tmp_path / "mydocs" / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")
    (tmp_path / "mydocs" / "chat.txt").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["run", "mydocs/chat.txt", "-o", "mydocs"], "holds the input mydocs/chat.txt"),
        (["run", "mydocs/chat.txt", "-o", "mydocs/chat.txt"], "is one of the inputs"),
        (["run", "mydocs/chat.txt", "-o", "."], "is the folder you are in"),
        (["run", "mydocs/chat.txt", "-o", ".."], "holds the folder you are in"),
        (["fit", "mydocs/chat.txt", "-o", "notes.txt"], "notes.txt is a file, not a folder"),
        (["fit", "mydocs/chat.txt", "-o", "mydocs/thesis.docx"], "is a file, not a folder"),
        (["parse", "mydocs/chat.txt", "-o", "mydocs/chat.txt"], ".jsonl, .csv or .parquet"),
    ],
)
def test_refused_outputs_touch_nothing(desk, args, complaint):
    before = snapshot(desk)
    result = runner.invoke(app, [*args, "--quiet"] if args[0] != "parse" else args)
    assert result.exit_code == 2
    assert complaint in result.output
    assert "Traceback" not in result.output
    assert snapshot(desk) == before
    assert not any(p.name.startswith(".") for p in desk.rglob("*"))  # no staging left


def test_a_folder_of_someone_elses_files_is_refused_naming_them(desk):
    before = snapshot(desk)
    (desk / "mine").mkdir()
    (desk / "mine" / "a.docx").write_bytes(b"a")
    result = runner.invoke(app, ["run", "mydocs/chat.txt", "-o", "mine", "--quiet"])
    assert result.exit_code == 2
    assert "mine is not a Guyub output folder (it holds a.docx)" in result.output
    assert snapshot(desk) == {**before, "mine/a.docx": b"a"}


def test_batch_refuses_a_file_as_its_report_folder_before_opening_the_store(desk):
    from pipeline import DEFAULT_MODEL_DIR

    before = snapshot(desk)
    result = runner.invoke(
        app,
        [
            "batch",
            "mydocs",
            "--model",
            str(DEFAULT_MODEL_DIR),
            "--store",
            "s.duckdb",
            "-o",
            "notes.txt",
        ],
    )
    assert result.exit_code == 2 and "notes.txt is a file" in result.output
    assert snapshot(desk) == before and not (desk / "s.duckdb").exists()


def test_the_home_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(OutputError, match="home folder"):
        check_output_folder(tmp_path, "run")


def fill_with(*names):
    def fill(folder: Path) -> None:
        for name in names:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name, encoding="utf-8")

    return fill


def test_a_guyub_folder_is_replaced_and_marked_with_what_it_holds(tmp_path):
    out = tmp_path / "out"
    write_folder(out, "run", fill_with("a.csv", "sub/b.csv"))
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker == {"kind": "run", "files": ["a.csv", "sub/b.csv"]}
    write_folder(out, "run", fill_with("c.csv"))
    assert sorted(snapshot(out)) == [MARKER, "c.csv"]


def test_a_file_added_to_a_guyub_folder_is_never_deleted(tmp_path):
    out = tmp_path / "out"
    write_folder(out, "run", fill_with("a.csv"))
    (out / "my notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(OutputError, match=r"Guyub did not write there \(my notes.txt\)"):
        write_folder(out, "run", fill_with("a.csv"))
    assert snapshot(out) == before


def test_a_folder_of_another_kind_is_refused(tmp_path):
    out = tmp_path / "m"
    write_folder(out, "model", fill_with("manifest.json"))
    with pytest.raises(OutputError, match="holds a model"):
        check_output_folder(out, "run")


def test_a_run_folder_from_before_the_marker_is_replaced_only_if_it_holds_nothing_else(tmp_path):
    legacy = tmp_path / "old"
    legacy.mkdir()
    (legacy / "manifest.json").write_text(json.dumps({"ledger": []}), encoding="utf-8")
    (legacy / "themes.csv").write_text("x", encoding="utf-8")
    (legacy / "thesis.docx").write_text("mine", encoding="utf-8")
    before = snapshot(legacy)
    with pytest.raises(OutputError, match=r"thesis\.docx"):
        write_folder(legacy, "run", fill_with("manifest.json", "themes.csv"))
    assert snapshot(legacy) == before
    (legacy / "thesis.docx").unlink()
    write_folder(legacy, "run", fill_with("manifest.json", "themes.csv"))
    assert (legacy / MARKER).exists()


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(child.stdout)


def test_work_folders_of_a_killed_run_are_cleared_and_a_running_ones_kept(tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / f".out.guyub-staging-{_dead_pid()}-abc"
    alive = tmp_path / f".out.guyub-retired-{os.getppid()}-def"
    unrelated = tmp_path / ".out.backup"
    for folder in (dead, alive, unrelated):
        folder.mkdir()
        (folder / "x").write_text("x", encoding="utf-8")
    clear_leftovers(out)
    assert not dead.exists() and alive.exists() and unrelated.exists()


def test_parse_replaces_its_own_output_but_not_another_file(desk):
    ok = runner.invoke(app, ["parse", "mydocs/chat.txt", "-o", "m.csv"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["parse", "mydocs/chat.txt", "-o", "m.csv"])
    assert again.exit_code == 0, again.output
    (desk / "grades.csv").write_text("student,grade\nA,9\n", encoding="utf-8")
    refused = runner.invoke(app, ["parse", "mydocs/chat.txt", "-o", "grades.csv"])
    assert refused.exit_code == 2 and "was not written by guyub parse" in refused.output
    assert (desk / "grades.csv").read_text(encoding="utf-8") == "student,grade\nA,9\n"


def test_a_full_disk_is_a_sentence_and_the_previous_outputs_stay(desk, monkeypatch):
    import errno

    from pipeline.report import build

    first = runner.invoke(app, ["run", "mydocs/chat.txt", "-o", "out", "--quiet"])
    assert first.exit_code == 0, first.output
    before = snapshot(desk / "out")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "out/report.html")

    monkeypatch.setattr(build, "render_report", full)
    result = runner.invoke(app, ["run", "mydocs/chat.txt", "-o", "out", "--quiet"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "the disk is full; nothing was replaced" in result.output
    assert snapshot(desk / "out") == before
    assert not [p for p in desk.iterdir() if p.name.startswith(".out.")]  # no staging left
