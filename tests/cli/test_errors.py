"""Errors in the user's words: what was typed, what is wrong, what to do; exit 2, no
traceback, and the rest of the run still done."""

import json
import zipfile

import pytest
from typer.testing import CliRunner

from pipeline import DEFAULT_MODEL_DIR
from pipeline.cli import app
from tests.conftest import EXAMPLE

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_a_mistyped_setting_names_the_flag_and_the_nearest_key(tmp_path):
    result = invoke("parse", EXAMPLE, "-o", tmp_path / "m.jsonl", "--set", "topics.extra_topic=8")
    assert result.exit_code == 2
    assert (
        "--set topics.extra_topic=8: topics.extra_topic is not a setting; did you mean topics.extra_topics?"
        in result.output
    )
    assert "default.toml" not in result.output


@pytest.mark.parametrize(("flag", "value"), [("--format", "WhatsApp"), ("--date-order", "DMY")])
def test_choices_are_taken_in_any_letter_case(tmp_path, flag, value):
    result = invoke("parse", EXAMPLE, "-o", tmp_path / "m.jsonl", flag, value)
    assert result.exit_code == 0, result.output


def test_a_wrong_choice_lists_the_right_ones(tmp_path):
    result = invoke("parse", EXAMPLE, "-o", tmp_path / "m.jsonl", "--format", "whatsap")
    assert result.exit_code == 2
    assert "--format whatsap: choose one of auto, whatsapp, line, telegram" in result.output


def test_a_run_folder_given_as_a_model_is_named_for_what_it_is(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text(json.dumps({"ledger": []}), encoding="utf-8")
    result = invoke("apply", EXAMPLE, "--model", run_dir, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "is a run's outputs (guyub run), not a model: make one with `guyub fit" in result.output


def test_a_missing_file_has_no_line_number_and_the_others_are_read(tmp_path):
    missing = tmp_path / "nothere.txt"
    result = invoke("parse", missing, EXAMPLE, "-o", tmp_path / "m.jsonl")
    assert result.exit_code == 2
    assert f"{missing}: no such file or folder" in result.output
    assert "wrote 329 records" in result.output


def test_a_folder_is_read_like_its_exports_for_run_as_for_batch(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "week1").mkdir(parents=True)
    (inbox / "week1" / "chat.txt").write_bytes(EXAMPLE.read_bytes())
    (inbox / ".hidden.txt").write_text("not read", encoding="utf-8")
    result = invoke("parse", inbox, "-o", tmp_path / "m.jsonl")
    assert result.exit_code == 0, result.output
    assert "wrote 329 records" in result.output


def test_batch_on_a_missing_folder_makes_nothing(tmp_path):
    result = invoke(
        "batch", tmp_path / "inbox", "--model", DEFAULT_MODEL_DIR,
        "--store", tmp_path / "s.duckdb", "-o", tmp_path / "reports",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "inbox: no such file or folder" in result.output
    assert sorted(tmp_path.iterdir()) == []


def test_a_word_document_renamed_txt_is_named_for_what_it_is(tmp_path):
    doc = tmp_path / "chat.txt"
    with zipfile.ZipFile(doc, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("word/document.xml", "<w/>")
    result = invoke("parse", doc, "-o", tmp_path / "m.jsonl")
    assert result.exit_code == 2
    assert (
        "a Word document (.docx), not a chat export: export the chat from the app" in result.output
    )


def test_a_windows_1252_table_is_read_and_its_encoding_named(tmp_path):
    table = tmp_path / "survey.csv"
    table.write_bytes("author,text\nJosé,Café di pasar ramai sekali hari ini\n".encode("cp1252"))
    result = invoke("parse", table, "-o", tmp_path / "m.jsonl")
    assert result.exit_code == 0, result.output
    assert "read as cp1252" in result.output
    row = json.loads((tmp_path / "m.jsonl").read_text(encoding="utf-8"))
    assert (row["author"], row["text"]) == ("José", "Café di pasar ramai sekali hari ini")


def test_a_chat_export_that_is_not_utf8_says_how_to_save_it(tmp_path):
    bad = tmp_path / "g.txt"
    bad.write_bytes(b"01/02/24 10.00 - A: ok\n01/02/24 10.01 - A: caf\xe9\n")
    result = invoke("parse", bad, "-o", tmp_path / "m.jsonl")
    assert result.exit_code == 2
    assert f"{bad}:2: not UTF-8 text (byte 0xe9): save it as UTF-8" in result.output


def test_a_failed_stage_says_failed_not_done(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("just notes\n", encoding="utf-8")
    result = invoke("run", bad, "-o", tmp_path / "out", "--log-json")
    assert result.exit_code == 2
    events = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    ingest = next(e for e in events if e["event"] == "stage_done" and e["stage"] == "ingest")
    assert ingest["state"] == "failed" and "could not be read" in ingest["why"]
    assert not any(e.get("stage") == "fit" for e in events)  # nothing after a failed stage


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("topics.extra_topics=100000", "expected `int` <= 100 (no reader can read more"),
        ("topics.extra_topics=99999999999999999999", "expected `int` <= 100"),
        ("topics.random_state=-1", "expected `int` >= 0 (NumPy's seeds run from 0"),
        ('normalise.lexicon_dir="/nonexistent"', "normalise.lexicon_dir /nonexistent is no folder"),
    ],
)
def test_settings_out_of_range_are_refused_before_any_work(tmp_path, setting, complaint):
    result = invoke("run", EXAMPLE, "-o", tmp_path / "out", "--set", setting, "--quiet")
    assert result.exit_code == 2
    assert f"--set {setting}: {complaint}" in result.output
    assert not (tmp_path / "out").exists()


def test_a_config_file_that_is_not_utf8(tmp_path):
    config = tmp_path / "my.toml"
    config.write_bytes("[topics]\nextra_topics = 5 # café\n".encode("cp1252"))
    result = invoke("parse", EXAMPLE, "-o", tmp_path / "m.jsonl", "--config", config)
    assert result.exit_code == 2
    assert f"{config}: not UTF-8 text; save it as UTF-8" in result.output
