"""LINE, Telegram, transcripts, tables and zip exports; fixtures written by hand."""

import io
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports
from tests.conftest import FIXTURES

WHATSAPP = FIXTURES / "Chat WhatsApp dengan UMKM Maju.txt"


def read(*paths, **ingest):
    return read_exports(list(paths), IngestConfig(**ingest), PrivacyConfig())


def balanced(report) -> bool:
    return report.lines_in_records + sum(report.skips.values()) == report.lines


def test_line_export():
    result = read(FIXTURES / "[LINE] Chat with UMKM Banua.txt")
    messages, report = result.messages, result.reports[0]
    assert report.format == "line"
    assert [(m.line, m.kind, m.author) for m in messages] == [
        (5, "message", "Budi"),
        (6, "message", "Siti"),
        (8, "system", ""),
        (11, "media", "Rina"),
        (12, "deleted", "Budi"),
    ]
    assert messages[0].chat == "UMKM Banua"
    assert messages[1].text == "Info pelatihan:\nbesok jam 9 di aula"
    assert messages[1].timestamp == "2024-03-13T19:46"
    assert messages[3].timestamp == "2024-03-14T08:01"
    assert balanced(report) and report.lines == 12


def test_line_export_with_indonesian_header_and_12_hour_clock():
    messages = read(FIXTURES / "line_id.txt").messages
    assert [(m.timestamp, m.kind) for m in messages] == [
        ("2024-03-13T19:05", "message"),
        ("2024-03-13T19:06", "media"),
    ]


def test_telegram_single_chat():
    result = read(FIXTURES / "result.json")
    messages, report = result.messages, result.reports[0]
    assert report.format == "telegram-json"
    assert [m.kind for m in messages] == ["system", "message", "message", "media", "message"]
    assert messages[0].text == "Budi create group"
    assert messages[1].timestamp == "2024-03-13T19:45:10"
    assert messages[2].text == "Daftar pelatihan PIRT di https://contoh.id"
    assert messages[3].author == ""  # "from": null
    assert messages[4].edited
    assert all(m.platform == "telegram" and m.chat == "UMKM Banua" for m in messages)
    # each message starts on the line of its object's brace, its "id" on the next
    lines = (FIXTURES / "result.json").read_text().splitlines()
    assert [m.line for m in messages] == [6, 21, 36, 57, 70]  # grep -n "^  {"
    assert all(lines[m.line - 1].strip() == "{" for m in messages)
    assert all(lines[m.line].strip().startswith('"id"') for m in messages)
    assert balanced(report)


def test_telegram_full_account_export_keeps_chats_apart():
    messages = read(FIXTURES / "telegram_full.json").messages
    assert [(m.chat, m.text) for m in messages] == [
        ("Grup A", "pagi"),
        ("Grup B", "siang"),
        ("Grup B", "sore"),
    ]
    # the same Telegram id in two chats is two messages
    assert len({m.id for m in messages}) == 3


def test_interview_transcript():
    result = read(FIXTURES / "interview.txt")
    messages, report = result.messages, result.reports[0]
    assert report.format == "transcript-text"
    assert [(m.line, m.author) for m in messages] == [
        (3, "Peneliti"),
        (4, "Informan 2"),
        (6, "Peneliti"),
        (7, "Informan 2"),
    ]
    assert (
        messages[1].text
        == "Banyak sekali. Saya dapat info pelatihan,\ninfo bahan baku murah, dan bisa promosi produk."
    )
    assert messages[0].timestamp == ""
    assert dict(report.skips) == {
        "text before the first speaker": 1,
        "blank line before the first speaker": 1,
    }
    assert balanced(report)


def test_csv_table_with_a_multiline_cell_and_an_empty_row():
    result = read(FIXTURES / "table.csv")
    messages, report = result.messages, result.reports[0]
    assert [(m.line, m.author, m.timestamp) for m in messages] == [
        (2, "Informan 1", "2024-03-01T10:00:00"),
        (5, "Informan 3", "2024-03-02"),
    ]
    assert messages[0].text == "Kami berbagi info harga,\nlalu saling bantu"
    assert report.skips["row with no text"] == 1
    assert balanced(report) and report.lines == 5


def test_jsonl_table_with_other_column_names():
    result = read(FIXTURES / "table.jsonl")
    assert [(m.line, m.author, m.text) for m in result.messages] == [
        (1, "A", "halo"),
        (3, "B", "pelatihan besok"),
    ]
    assert balanced(result.reports[0])


def test_parquet_table(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"author": ["A", "B"], "text": ["satu", "dua"]}), path)
    messages = read(path).messages
    assert [(m.line, m.text, m.platform) for m in messages] == [
        (1, "satu", "table"),
        (2, "dua", "table"),
    ]


def test_table_without_text_column_is_a_clear_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    assert "author and text columns" in read(path).reports[0].error


def make_zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_zip_export_reads_the_chat_and_ignores_media(tmp_path):
    path = tmp_path / "WhatsApp Chat - UMKM Maju.zip"
    make_zip(path, {"IMG-001.jpg": b"\xff\xd8" * 100, "_chat.txt": WHATSAPP.read_bytes()})
    result = read(path)
    assert len(result.messages) == 7
    assert result.messages[0].chat == "UMKM Maju"
    assert result.messages[0].source == f"{path}!_chat.txt"


@pytest.mark.parametrize("bad_name", ["../evil.txt", "/etc/passwd.txt", "a/../../b.txt"])
def test_zip_with_unsafe_paths_is_refused(tmp_path, bad_name):
    path = tmp_path / "x.zip"
    make_zip(path, {bad_name: b"01/02/24 10.00 - A: ok\n"})
    result = read(path, WHATSAPP)
    assert "unsafe path" in result.reports[0].error
    assert len(result.messages) == 7  # the other file is still read


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    make_zip(path, {"_chat.txt": b"01/02/24 10.00 - A: ok\n" + b"a" * 5_000_000})
    assert "compression ratio" in read(path).reports[0].error


def test_zip_whose_header_lies_about_size_is_capped(tmp_path, monkeypatch):
    from pipeline.ingest import sources

    monkeypatch.setattr(sources, "MAX_CHAT_BYTES", 100)
    path = tmp_path / "big.zip"
    make_zip(path, {"_chat.txt": b"01/02/24 10.00 - A: " + bytes(range(65, 91)) * 20})
    assert "refused" in read(path).reports[0].error


def test_not_a_zip_with_zip_name(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 but not really")
    assert "not a readable zip" in read(path).reports[0].error


def test_format_can_be_forced(tmp_path):
    path = tmp_path / "notes.dat"
    path.write_bytes((FIXTURES / "interview.txt").read_bytes())
    assert read(path, format="transcript").reports[0].format == "transcript-text"


def test_zip_of_zip_bytes_in_memory_only(tmp_path):
    # Reading a zip writes nothing beside it.
    path = tmp_path / "e.zip"
    make_zip(
        path, {"_chat.txt": WHATSAPP.read_bytes(), "media/a.opus": io.BytesIO(b"x").getvalue()}
    )
    read(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.zip"]


def test_a_transcript_header_names_the_interviewer_whose_turns_are_not_data(tmp_path):
    transcript = tmp_path / "wawancara.txt"
    transcript.write_text(
        "Wawancara 3\n"
        "Interviewer: Peneliti\n"
        "\n"
        "Peneliti: Apa manfaat grup?\n"
        "Informan 3: Banyak, kami saling percaya.\n"
        "Peneliti: Ada lagi?\n"
        "Informan 3: Info pelatihan juga.\n",
        encoding="utf-8",
    )
    result = read(transcript)
    report = result.reports[0]
    assert [(m.line, m.author, m.kind) for m in result.messages] == [
        (4, "Peneliti", "interviewer"),
        (5, "Informan 3", "message"),
        (6, "Peneliti", "interviewer"),
        (7, "Informan 3", "message"),
    ]
    assert report.skips["header line naming the interviewer"] == 1  # line 2
    assert balanced(report)


def test_interviewers_named_on_the_command_line_in_any_letter_case():
    result = read_exports(
        [FIXTURES / "interview.txt"], IngestConfig(interviewers=["peneliti"]), PrivacyConfig()
    )
    assert [m.kind for m in result.messages] == ["interviewer", "message", "interviewer", "message"]
