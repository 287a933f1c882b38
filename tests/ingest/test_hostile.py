"""Hostile and broken inputs (#25): each is a clean `file: reason` for that input while
the good export beside it is still read."""

import json
import os
import zipfile

import pytest

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports
from tests.conftest import EXAMPLE

GOOD = 309  # messages of the shipped example, read beside every bad file


def read_beside_good(bad):
    result = read_exports([bad, EXAMPLE], IngestConfig(), PrivacyConfig())
    assert sum(m.kind == "message" for m in result.messages) == GOOD
    return result.reports[0]


def zip_with(tmp_path, name="export.zip", **kwargs):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", **kwargs) as archive:
        archive.writestr("_chat.txt", "13/01/24 08.05 - Budi: halo\n" * 50)
    return path


def test_a_zip_member_with_a_bad_crc(tmp_path):
    path = zip_with(tmp_path)
    data = bytearray(path.read_bytes())
    data[data.index(b"13/01/24") + 3] ^= 0x01  # stored: the text itself, its CRC unchanged
    path.write_bytes(bytes(data))
    report = read_beside_good(path)
    assert (
        report.error
        == f"{path}: zip entry '_chat.txt' cannot be read (Bad CRC-32 for file '_chat.txt'); the zip is damaged"
    )


def test_an_encrypted_zip(tmp_path):
    path = zip_with(tmp_path)
    data = bytearray(path.read_bytes())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the "encrypted" flag bit
        at = data.index(header)
        flag = at + (6 if header == b"PK\x03\x04" else 8)
        data[flag] |= 0x01
    path.write_bytes(bytes(data))
    assert "the zip is encrypted" in read_beside_good(path).error


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "chat.txt"
    os.mkfifo(fifo)
    assert (
        read_beside_good(fifo).error == f"{fifo}: not a regular file (a pipe or a device); refused"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"messages": ' + "[" * 100_000 + "]" * 100_000 + "}", "unreadable JSON"),
        ('{"messages": [{"id": ' + "9" * 100_000 + "}]}", "unreadable JSON"),
        ('{"messages": "notalist"}', "its messages are no list"),
    ],
)
def test_hostile_telegram_json(tmp_path, content, reason):
    path = tmp_path / "result.json"
    path.write_text(content, encoding="utf-8")
    assert reason in read_beside_good(path).error


def test_an_export_of_chats_with_no_list_and_a_lone_surrogate(tmp_path):
    empty = tmp_path / "result.json"
    empty.write_text('{"chats": {"list": null}}', encoding="utf-8")
    assert not read_beside_good(empty).error
    lone = tmp_path / "lone.json"
    message = {"id": 1, "type": "message", "date": "2024-03-13T19:45:10", "from": "A"}
    lone.write_text(json.dumps({"messages": [{**message, "text": "a\ud800b"}]}), encoding="utf-8")
    messages = read_exports([lone], IngestConfig(), PrivacyConfig()).messages
    assert messages[0].text == "a\ufffdb"
    messages[0].text.encode("utf-8")  # writable


def test_impossible_timestamps_are_named_skips(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(
        "author,text,timestamp\nA,satu,2024-03-13 19:45:10\nB,dua,yesterday\nC,tiga,2024-13-45T99:99:99\n",
        encoding="utf-8",
    )
    result = read_exports([table], IngestConfig(), PrivacyConfig())
    assert [m.text for m in result.messages] == ["satu"]
    assert result.messages[0].timestamp == "2024-03-13T19:45:10"
    report = result.reports[0]
    assert report.skips["row whose timestamp is no ISO date and time"] == 2
    assert report.accounted_lines == report.lines

    telegram = tmp_path / "result.json"
    bad = {"id": 1, "type": "message", "date": "2024-13-45T99:99:99", "from": "A", "text": "x"}
    telegram.write_text(json.dumps({"messages": [bad]}, indent=1), encoding="utf-8")
    report = read_exports([telegram], IngestConfig(), PrivacyConfig()).reports[0]
    assert report.skips["message without a date or date_unixtime"] >= 1
    assert not report.records


def test_a_csv_quote_never_closed_names_the_row_it_opens_in(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text('author,text\nA,satu\nB,"dua\nC,tiga\nD,empat\n', encoding="utf-8")
    report = read_beside_good(table)
    assert report.error == f"{table}:3: a quoted cell that starts in this row is never closed"
