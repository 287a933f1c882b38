"""Hand-written exports, each expected value read off the fixture by hand."""

from pathlib import Path

import pytest

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import chat_name, read_exports
from pipeline.ingest.clock import infer_date_order, to_iso
from pipeline.privacy import Privacy, pseudonym
from tests.conftest import EXAMPLE, FIXTURES

ANDROID_ID = FIXTURES / "Chat WhatsApp dengan UMKM Maju.txt"
ANDROID_EN = FIXTURES / "WhatsApp Chat with Bazaar Team.txt"
IOS = FIXTURES / "Kopi Banua.txt"
IOS_ID = FIXTURES / "WhatsApp Chat - Ibu Tangguh.txt"


def read(*paths: Path, **ingest):
    return read_exports(list(paths), IngestConfig(**ingest), PrivacyConfig())


def test_indonesian_android_export():
    result = read(ANDROID_ID)
    messages = result.messages
    assert [(m.line, m.kind) for m in messages] == [
        (1, "system"),
        (2, "system"),
        (3, "message"),
        (6, "media"),
        (7, "deleted"),
        (8, "message"),
        (9, "system"),
    ]
    siti = messages[2]
    assert siti.chat == "UMKM Maju"
    assert siti.author == "Siti Aminah"  # the "~ " of a non-contact is gone
    assert siti.timestamp == "2024-01-13T08:06"
    # Both continuation lines stay, including one that starts like a date.
    assert (
        siti.text == "Assalamualaikum bubuhan\nada info pelatihan PIRT kah?\n14/01/24 jam 9 di aula"
    )
    budi = messages[5]
    assert budi.edited and budi.text == "harga gula 14rb/kg, hubungi <phone>"
    report = result.reports[0]
    assert report.format == "whatsapp-android"
    assert report.date_order.startswith("dmy")
    assert report.lines == 9 and report.lines_in_records == 9
    assert dict(report.records) == {"system": 3, "message": 2, "media": 1, "deleted": 1}


def test_phone_number_author_becomes_a_stable_pseudonym():
    messages = read(ANDROID_ID).messages
    author = messages[3].author
    assert author == pseudonym("+62 812\u20113456\u20117890", Privacy(PrivacyConfig()).salt)
    assert author.startswith("member-") and "3456" not in author


def test_us_english_android_export_is_month_first_with_12_hour_clock():
    result = read(ANDROID_EN)
    messages = result.messages
    assert result.reports[0].date_order.startswith("mdy")
    assert [m.timestamp for m in messages] == [
        "2024-03-13T19:45",
        "2024-03-13T19:46",
        "2024-03-13T19:50",
        "2024-03-14T00:05",
        "2024-03-14T00:06",
        "2024-03-14T08:00",
    ]
    assert [m.kind for m in messages] == [
        "system",
        "message",
        "message",
        "media",
        "deleted",
        "system",
    ]
    assert messages[1].author == "Maria Lopez"
    assert messages[5].author == ""  # a subject change with a colon inside is still an event


def test_ios_export_with_seconds_and_group_events():
    messages = read(IOS).messages
    assert [m.kind for m in messages] == [
        "system",
        "system",
        "message",
        "media",
        "deleted",
        "message",
    ]
    assert messages[2].timestamp == "2024-04-02T09:16:40"
    assert messages[2].text == "Jam buka: 08.00-17.00"
    assert messages[3].author == "Anne-Marie"
    assert messages[5].text == "Sip \U0001f44d"


def test_indonesian_ios_export():
    # An iPhone in Indonesian: dotted times with seconds, CRLF, the group as the author
    # of its events, U+200E before media and deletions, a U+00A0 after "~", a U+2011
    # in a name, a phone number as an author and in a text.
    result = read(IOS_ID)
    messages = result.messages
    assert [(m.line, m.kind) for m in messages] == [
        (1, "system"),
        (2, "system"),
        (3, "system"),
        (4, "message"),
        (5, "message"),
        (6, "media"),
        (7, "message"),
        (11, "deleted"),
        (12, "message"),
        (13, "media"),
        (14, "system"),
        (15, "message"),
    ]
    assert messages[0].timestamp == "2024-03-13T19:45:12"
    assert messages[2].text == "Rahmah menambahkan Nur Aini"
    assert [m.author for m in messages[3:6]] == ["Rahmah", "Nur Aini", "Nur Aini"]
    # a continuation line that starts like a date ("13/03") stays in the message
    assert (
        messages[6].text == "Daftar bawaan:\n1. Kue lapis\n2. Amplang\n13/03 jangan lupa bawa nota"
    )
    dewi = messages[8]
    assert dewi.author == "Dewi \u2011 Kue Bingka"  # the name as written, no NFKD
    assert dewi.edited and dewi.text == "Ulun datang jam 10 haja"
    stranger = messages[11]
    assert stranger.author == pseudonym(
        "+62 812\u20113456\u20117890", Privacy(PrivacyConfig()).salt
    )
    assert stranger.text.endswith("WA saya <phone>") and "3456" not in stranger.text
    assert stranger.timestamp == "2024-03-15T20:01:09"
    report = result.reports[0]
    assert report.format == "whatsapp-ios" and report.date_order.startswith("dmy")
    assert report.lines == 15 and report.lines_in_records == 15
    assert dict(report.records) == {"system": 4, "message": 5, "media": 2, "deleted": 1}
    assert report.authors == 4


def test_overlapping_exports_keep_each_message_once(tmp_path):
    lines = ANDROID_ID.read_text(encoding="utf-8-sig").splitlines()
    week1 = tmp_path / "UMKM Maju.txt"
    week2 = tmp_path / "UMKM Maju (1).txt"  # a browser's name for a second download
    week1.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    week2.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read(week1, week2)
    assert len(result.messages) == 7
    assert result.duplicates == 3
    kept_all = read(week1, week2, keep_duplicates=True)
    assert len(kept_all.messages) == 10


def test_identical_messages_in_one_export_are_both_kept(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("01/02/24 10.00 - A: ok\n01/02/24 10.00 - A: ok\n", encoding="utf-8")
    messages = read(path).messages
    assert len(messages) == 2 and messages[0].id != messages[1].id


def test_utf16_export(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("01/02/24 10.00 - A: halo\n", encoding="utf-16")
    assert read(path).messages[0].text == "halo"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"01/02/24 10.00 - A: ok\n\xff\xfe broken\n", "not UTF-8"),
        (b"just some notes\nnothing like a chat\n", "no recognisable chat format"),
    ],
)
def test_bad_input_names_the_file_and_line_and_others_still_parse(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = read(bad, IOS)
    assert len(result.messages) == 6  # the good file is still read
    error = result.reports[0].error
    assert error.startswith(f"{bad}:") and reason in error


def test_undecodable_byte_reports_its_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"01/02/24 10.00 - A: ok\n01/02/24 10.01 - A: \xff\n")
    assert read(bad).reports[0].error.startswith(f"{bad}:2:")


def test_missing_file_is_reported(tmp_path):
    result = read(tmp_path / "missing.txt")
    assert "missing.txt" in result.reports[0].error


def test_text_before_the_first_header_is_a_counted_skip(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("header junk\n\n01/02/24 10.00 - A: ok\n", encoding="utf-8")
    report = read(path).reports[0]
    assert report.lines_in_records + sum(report.skips.values()) == report.lines == 3


@pytest.mark.parametrize(
    ("dates", "order"),
    [
        (["13/01/24", "14/01/24"], "dmy"),
        (["1/13/24", "1/14/24"], "mdy"),
        (["2024-01-13", "2024-01-14"], "ymd"),
        # all fields <= 12: the day changes more often than the month
        (["01/02/24", "02/02/24", "03/02/24", "04/02/24", "01/03/24"], "dmy"),
        (["02/01/24", "02/02/24", "02/03/24", "02/04/24", "03/01/24"], "mdy"),
    ],
)
def test_date_order_inference(dates, order):
    assert infer_date_order(dates)[0] == order


@pytest.mark.parametrize(
    ("date", "time", "ampm", "order", "expected"),
    [
        ("13/03/24", "19.45", "", "dmy", "2024-03-13T19:45"),
        ("3/13/24", "7:45", "PM", "mdy", "2024-03-13T19:45"),
        ("3/13/24", "12:10", "a.m.", "mdy", "2024-03-13T00:10"),
        ("3/13/24", "12:10", "p. m.", "mdy", "2024-03-13T12:10"),
        ("2024-03-13", "07:05:09", "", "ymd", "2024-03-13T07:05:09"),
        ("31/02/24", "10.00", "", "dmy", None),
        ("29/02/23", "10.00", "", "dmy", None),
        ("29/02/24", "10.00", "", "dmy", "2024-02-29T10:00"),
    ],
)
def test_timestamps(date, time, ampm, order, expected):
    assert to_iso(date, time, ampm, order) == expected


def test_chat_name_from_export_file_names():
    assert chat_name(Path("WhatsApp Chat with Bazaar Team.txt")) == "Bazaar Team"
    assert chat_name(Path("Chat WhatsApp dengan UMKM Maju.txt")) == "UMKM Maju"
    assert chat_name(Path("kopi.txt")) == "kopi"
    assert chat_name(Path("WhatsApp Chat with Bazaar Team (2).txt")) == "Bazaar Team"


def test_a_giant_line_refuses_the_file_naming_the_line(tmp_path):
    bad = tmp_path / "huge.txt"
    bad.write_bytes(b"01/02/24 10.00 - A: ok\n01/02/24 10.01 - A: " + b"x" * 1_500_000 + b"\n")
    result = read(bad, IOS)
    assert result.reports[0].error.startswith(f"{bad}:2:")
    assert "1,500,0" in result.reports[0].error
    assert len(result.messages) == 6  # the other file is still read


def test_a_giant_first_line_is_refused_as_line_1(tmp_path):
    bad = tmp_path / "huge.txt"
    bad.write_bytes(b"y" * 1_200_000)
    assert read(bad).reports[0].error.startswith(f"{bad}:1: a line of 1,200,000 characters")


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("last_break", [True, False])
def test_line_endings_and_a_missing_last_break_give_the_same_records(tmp_path, ending, last_break):
    lines = [
        "junk before",
        "01/02/24 10.00 - A: first line",
        "second line\rwith a carriage return inside",
        "",
        "01/02/24 10.01 - B: one line",
        "01/02/24 10.02 - A: last",
        "tail line",
    ]
    path = tmp_path / "g.txt"
    path.write_bytes((ending.join(lines) + (ending if last_break else "")).encode())
    result = read(path)
    report = result.reports[0]
    assert [(m.line, m.author, m.text) for m in result.messages] == [
        (2, "A", "first line\nsecond line\rwith a carriage return inside"),
        (5, "B", "one line"),
        (6, "A", "last\ntail line"),
    ]
    assert report.lines == 7 and report.lines_in_records == 6
    assert report.skips == {"text before the first message header": 1}


def test_the_same_placeholders_and_events_from_phones_in_two_languages_are_one_record(tmp_path):
    indonesian = tmp_path / "UMKM.txt"
    indonesian.write_text(
        "13/01/24 08.05 - Budi menambahkan Siti\n"
        "13/01/24 08.06 - Siti: <Media tidak disertakan>\n"
        "13/01/24 08.07 - Budi: Pesan ini telah dihapus\n"
        "13/01/24 08.08 - Siti: halo semua\n",
        encoding="utf-8",
    )
    english = tmp_path / "UMKM (1).txt"  # the same week, exported after the phone changed language
    english.write_text(
        "13/01/24 08.05 - Budi added Siti\n"
        "13/01/24 08.06 - Siti: <Media omitted>\n"
        "13/01/24 08.07 - Budi: This message was deleted\n"
        "13/01/24 08.08 - Siti: halo semua\n"
        "13/01/24 08.09 - Budi: selamat datang\n",
        encoding="utf-8",
    )
    result = read(indonesian, english)
    assert result.duplicates == 4
    assert [(m.kind, m.text) for m in result.messages] == [
        ("system", "Budi menambahkan Siti"),  # the words as the first export had them
        ("media", "<Media tidak disertakan>"),
        ("deleted", "Pesan ini telah dihapus"),
        ("message", "halo semua"),
        ("message", "selamat datang"),
    ]


@pytest.mark.parametrize("block", [1, 40, 333])
def test_an_export_read_in_small_blocks_gives_what_one_block_gives(block, monkeypatch, tmp_path):
    """A block ends at a line break, wherever a message is: its first line, one of its
    continuation lines, or the text before the first header; Windows line ends and a
    byte-order mark are read alike."""
    exports = [EXAMPLE, *sorted((FIXTURES / "locales").glob("*.txt")), *FIXTURES.glob("*Chat*.txt")]
    exports = [p for p in exports if "LINE" not in p.name]
    windows = tmp_path / "WhatsApp Chat with Windows.txt"
    windows.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes().replace(b"\n", b"\r\n")[:-2] + b"\r")
    exports.append(windows)
    whole = [read(path) for path in exports]
    monkeypatch.setattr("pipeline.ingest.common.BLOCK_BYTES", block)
    monkeypatch.setattr("pipeline.ingest.common.BLOCK_CHARS", block)
    for path, expected in zip(exports, whole, strict=True):
        got = read(path)
        assert got.messages == expected.messages, path
        assert got.reports == expected.reports, path

    def said(result):
        return [(m.line, m.timestamp, m.author, m.kind, m.text) for m in result.messages]

    assert said(whole[-1]) == said(whole[0])  # the Windows copy reads as the example


def test_a_byte_that_is_not_utf8_late_in_a_streamed_export_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.ingest.common.BLOCK_BYTES", 64)
    lines = EXAMPLE.read_bytes().split(b"\n")
    lines[250] += b"\xff"
    bad = tmp_path / "WhatsApp Chat with Bad.txt"
    bad.write_bytes(b"\n".join(lines))
    result = read(bad)
    assert not result.messages  # refused whole, before any record
    assert result.reports[0].error.startswith(f"{bad}:251: not UTF-8 text (byte 0xff)")


def test_the_members_names_a_stream_learns_first_are_those_of_its_messages():
    from pipeline.ingest.common import Document
    from pipeline.ingest.whatsapp import parse_whatsapp

    for path in [EXAMPLE, *FIXTURES.glob("*Chat*.txt")]:
        if "LINE" in path.name:
            continue
        document = Document(str(path), "", path.name, path.read_bytes())
        parsed = parse_whatsapp(document, learn_authors=True)
        assert parsed.authors == {m.author for m in parsed.messages} - {""}, path
