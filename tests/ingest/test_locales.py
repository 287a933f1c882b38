"""Exports from phones in other languages and clocks (tests/fixtures/locales, written by
the team). Each expected value is read off the fixture by hand; the comments say how."""

from pathlib import Path

import pytest

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports
from pipeline.ingest.whatsapp import KEPT_IMPOSSIBLE_DATE, KEPT_OTHER_LAYOUT
from tests.conftest import FIXTURES

LOCALES = FIXTURES / "locales"


def read(path: Path, **ingest):
    result = read_exports([path], IngestConfig(**ingest), PrivacyConfig())
    (report,) = result.reports
    assert not report.error, report.error
    # the ledger: every line in a record or a counted skip
    assert report.accounted_lines == report.lines
    return result.messages, report


def rows(messages):
    return [(m.line, m.timestamp, m.author, m.kind, m.text) for m in messages]


def test_twelve_hour_clocks_with_any_hour_and_an_empty_message():
    messages, report = read(LOCALES / "WhatsApp Chat with Pasar Minggu.txt")
    assert report.date_order.startswith("mdy")  # 29 and 30 in the second field
    assert rows(messages) == [
        (1, "2018-01-29T23:58", "Dodi", "message", "sampai besok"),  # 11:58 U+202F PM
        (2, "2018-01-29T23:59", "Dodi", "message", "oke"),  # 23:59 PM: a 24-hour hour
        (3, "2018-01-29T23:59", "Dodi", "message", ""),  # `Dodi:` and nothing after
        (4, "2018-01-30T00:04", "Rina", "message", "satu lagi ya"),  # 0:04 AM
        (5, "2018-01-30T00:10", "Rina", "message", "dua"),  # 12:10 U+00A0 AM
        (6, "2018-01-30T12:30", "Rina", "media", "<View once voice message omitted>"),
        (7, "2018-01-30T13:05", "Dodi", "message", "siang"),  # 1:05 p.m.
    ]
    assert report.kept == []


def test_spanish_android_events_placeholders_and_a_m_clock():
    messages, _report = read(LOCALES / "Chat de WhatsApp con Feria.txt")
    assert {m.chat for m in messages} == {"Feria"}
    assert [(m.timestamp, m.author, m.kind) for m in messages] == [
        ("2020-06-19T23:50", "", "system"),  # the encryption notice, 11:50 p. m.
        ("2020-06-19T23:51", "", "system"),  # Ana creó el grupo "Feria"
        ("2020-06-19T23:52", "", "system"),  # Ana añadió a Luis
        ("2020-06-20T00:08", "Ana", "message"),  # 00:08 a. m.
        ("2020-06-20T00:15", "Luis", "media"),  # <Multimedia omitido>, 12:15 a. m.
        ("2020-06-20T09:02", "Luis", "deleted"),  # Se eliminó este mensaje.
        ("2020-06-20T09:03", "Ana", "message"),
        ("2020-06-20T09:10", "", "system"),  # Luis salió del grupo
    ]
    assert messages[6].text == "precio 20 pesos" and messages[6].edited


def test_ios_events_written_by_the_group_or_the_actor_in_an_export_named_chat_txt():
    messages, report = read(LOCALES / "ios_id" / "_chat.txt")
    # The file's name says nothing; the author of the encryption notice names the group.
    assert {m.chat for m in messages} == {"Warung Acil"}
    assert [(m.line, m.author, m.kind) for m in messages] == [
        (1, "", "system"),  # "Warung Acil": the notice
        (2, "", "system"),  # "Rahmah": Rahmah membuat grup
        (3, "", "system"),  # "Warung Acil": Rahmah menambahkan Nur
        (4, "", "system"),  # "Sari": Sari bergabung menggunakan tautan undangan
        (5, "Rahmah", "message"),
        (6, "Nur", "media"),  # stiker tidak disertakan
        (7, "", "system"),  # "Rahmah": Rahmah mengubah ikon grup ini
        (8, "Sari", "message"),  # a member's words shaped like an event stay hers
        (9, "", "system"),  # "Warung Acil": Sari keluar
    ]
    assert messages[7].text == "Rahmah menambahkan gula ke daftar belanja"
    assert report.authors == 3


def test_german_ios_with_marks_inside_the_header():
    messages, report = read(LOCALES / "WhatsApp Chat mit Backstube.txt")
    assert report.date_order.startswith("dmy")
    assert rows(messages) == [
        (
            1,
            "2018-01-29T12:25:00",
            "",
            "system",
            "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb "
            "dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp.",
        ),
        (2, "2018-01-29T12:25:30", "", "system", "Leon hat die Gruppe erstellt."),
        (3, "2018-01-29T12:26:04", "Dodi", "message", "dua"),  # U+FEFF after the bracket
        (4, "2018-01-29T12:27:10", "Dodi", "media", "Bild weggelassen"),
        (5, "2018-01-29T12:28:00", "Leon", "deleted", "Diese Nachricht wurde gelöscht."),
        (6, "2018-01-30T08:00:00", "Leon", "message", "Brötchen um 8"),
    ]
    assert messages[5].edited


def test_portuguese_android():
    messages, _ = read(LOCALES / "Conversa do WhatsApp com Feirinha.txt")
    assert {m.chat for m in messages} == {"Feirinha"}
    assert [m.kind for m in messages] == [
        "system",
        "system",
        "message",
        "media",  # <Mídia oculta>
        "deleted",  # Mensagem apagada
        "system",  # Caio saiu
    ]


def test_arabic_android_with_arabic_indic_digits():
    messages, report = read(LOCALES / "WhatsApp Chat with Souq.txt")
    # 9/4, 9/4, 10/4, 10/4: no field above 12; the first one changes, as days do
    assert report.date_order.startswith("dmy (ambiguous")
    assert [(m.timestamp, m.author, m.kind) for m in messages] == [
        ("2023-04-09T22:08", "", "system"),  # ١٠:٠٨ م
        ("2023-04-09T22:09", "", "system"),
        ("2023-04-10T08:30", "Omar", "message"),  # ٨:٣٠ ص
        ("2023-04-10T08:31", "Omar", "media"),
    ]


def test_the_older_iphone_layout_with_a_colon_after_the_time():
    messages, report = read(LOCALES / "WhatsApp Chat with Old Phone.txt")
    assert report.format == "whatsapp-colon"
    assert rows(messages) == [
        (1, "2016-12-31T23:59:01", "Budi", "message", "selamat tahun baru"),
        (2, "2017-01-01T00:00:05", "Siti", "message", "sama-sama\nlanjut besok"),
        (4, "2017-01-01T00:01:00", "Budi", "media", "image omitted"),
    ]


def test_header_like_lines_kept_in_a_message_are_listed_in_the_ledger():
    messages, report = read(LOCALES / "WhatsApp Chat with Kept Lines.txt")
    assert [(m.line, m.author) for m in messages] == [(1, "Budi"), (4, "Siti")]
    assert messages[0].text == (
        "jadwal:\n31/02/24 10.00 - Siti: ini tanggal salah\n[14/01/24 09.00.00] Rina: contoh dari iPhone"
    )
    assert report.kept == [(2, KEPT_IMPOSSIBLE_DATE), (3, KEPT_OTHER_LAYOUT)]
    assert report.as_dict()["header_like_lines_kept_in_text"][0] == {
        "line": 2,
        "why": KEPT_IMPOSSIBLE_DATE,
    }


def test_an_ambiguous_date_order_is_explained_and_can_be_overridden():
    messages, report = read(LOCALES / "WhatsApp Chat with Ambiguous.txt")
    assert report.date_order.startswith("dmy (ambiguous")
    assert "--date-order mdy" in report.date_order
    assert messages[0].timestamp == "2024-02-01T10:00"
    messages, report = read(LOCALES / "WhatsApp Chat with Ambiguous.txt", date_order="mdy")
    assert report.date_order == "mdy (set by --date-order)"
    assert messages[0].timestamp == "2024-01-02T10:00"


@pytest.mark.parametrize(
    ("time", "marker", "expected"),
    [
        ("0:04", "AM", ("00:04", False)),
        ("0:04", "PM", ("12:04", False)),
        ("12:00", "a. m.", ("00:00", False)),
        ("12:00", "p.m.", ("12:00", False)),
        ("23:59", "PM", ("23:59", False)),
        ("13:01", "AM", ("13:01", False)),  # a 24-hour hour whatever the marker says
        ("24:53", "", ("00:53", True)),  # LINE's hour 24: the next day
        ("25:00", "", None),
        ("10:60", "", None),
    ],
)
def test_clock_readings(time, marker, expected):
    from pipeline.ingest.clock import iso_clock

    assert iso_clock(time, marker) == expected


def test_line_japanese_phone_with_meridiem_before_the_time_and_hour_24():
    messages, report = read(LOCALES / "[LINE] 商店街.txt")
    assert report.format == "line"
    assert rows(messages) == [
        (5, "2021-01-01T09:15", "Rina", "message", "おはようございます"),  # 午前9:15
        (6, "2021-01-01T12:30", "Dodi", "media", "[スタンプ]"),  # 午後0:30
        (7, "2021-01-01T23:59", "Rina", "message", "明日も\nよろしく"),  # 午後11:59, quoted
        (9, "2021-01-02T00:53", "Dodi", "message", "まだ起きてる"),  # 24:53 of the 1st
        (11, "2021-01-02T08:00", "", "system", "Rinaがグループに参加しました。"),
        (12, "2021-01-02T08:01", "Dodi", "deleted", "Dodiがメッセージの送信を取り消しました"),
    ]
    # title, saved on, blank, two date lines
    assert report.skips == {"export header": 2, "blank line": 1, "date line": 2}


def test_line_taiwanese_phone():
    messages, _ = read(LOCALES / "[LINE] 市場.txt")
    assert [(m.timestamp, m.author, m.kind) for m in messages] == [
        ("2021-01-01T09:15", "阿明", "message"),  # 上午09:15
        ("2021-01-01T15:30", "小華", "media"),  # 下午03:30 [貼圖]
        ("2021-01-01T15:31", "小華", "deleted"),  # 小華已收回訊息
        ("2021-01-02T00:05", "", "system"),  # 上午12:05 阿明加入群組
    ]


def test_line_pc_layout_with_spaces_and_names_learned_from_events():
    messages, report = read(LOCALES / "[LINE] UMKM Banua PC.txt")
    assert report.format == "line-pc"
    assert rows(messages) == [
        (5, "2021-01-01T09:15", "", "system", "Rina Wati joined the group."),
        (6, "2021-01-01T09:16", "Rina Wati", "message", "hello all"),
        (7, "2021-01-01T09:17", "Dodi", "media", "[Sticker]"),
        (8, "2021-01-01T09:20", "Dodi", "message", "see you at\n09:00 at the hall"),
        (11, "2021-01-03T00:10", "Dodi", "message", "late night"),  # 24:10 of the 2nd
    ]
    from pipeline.ingest.line import KEPT_EARLIER

    assert report.kept == [(9, KEPT_EARLIER)]  # a time before the message above


def test_line_pc_layout_in_japanese():
    messages, report = read(LOCALES / "[LINE] 商店街 PC.txt")
    assert report.format == "line-pc"
    assert rows(messages) == [
        (5, "2021-01-01T12:03", "Rina", "message", "こんにちは"),
        (6, "2021-01-01T12:04", "Rina", "media", "[写真]"),
    ]


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("[LINE] 商店街.txt", "商店街"),
        ("[LINE] 市場.txt", "市場"),
        ("[LINE] UMKM Banua PC.txt", "UMKM Banua"),
    ],
)
def test_line_title_names_the_chat(name, group):
    from pipeline.ingest.common import Document
    from pipeline.ingest.line import parse_line

    path = LOCALES / name
    assert parse_line(Document(str(path), "", path.name, path.read_bytes())).chat == group


def test_telegram_with_only_unix_times_is_read_in_utc_and_says_so():
    messages, report = read(LOCALES / "telegram_unixtime.json")
    assert "UTC" in report.date_order and "date_unixtime" in report.date_order
    # 1710330310 s after 1970-01-01 UTC: day 19795 (2024-03-13) and 42310 s (11:45:10)
    assert [(m.line, m.timestamp, m.author, m.text) for m in messages] == [
        (2, "2024-03-13T11:45:10", "Budi", "Halo"),
        (3, "2024-03-13T11:46:10", "Siti", "Pagi"),
    ]
    # the message with no date at all is a named skip, not a record without a time
    assert report.skips == {"message without a date or date_unixtime": 1, "JSON structure": 2}


def test_android_events_written_by_the_group():
    messages, _ = read(LOCALES / "WhatsApp Chat with Arisan.txt")
    assert [(m.author, m.kind) for m in messages] == [
        ("", "system"),  # "Arisan": the notice
        ("", "system"),  # "Arisan": Rina added Dodi
        ("Dodi", "message"),
    ]


def test_ios_twelve_hour_clocks_with_any_hour_and_an_empty_message():
    messages, report = read(LOCALES / "WhatsApp Chat - Toko.txt")
    assert report.date_order.startswith("mdy")
    assert rows(messages) == [
        (1, "2018-01-29T23:59:58", "Dodi", "message", "malam"),
        (2, "2018-01-30T00:04:10", "Rina", "message", "satu lagi ya"),  # 0:04:10 AM
        (3, "2018-01-30T13:05:00", "Dodi", "message", ""),  # 13:05:00 PM, `Dodi:`
        (4, "2018-01-30T13:06:00", "Dodi", "media", "sticker omitted"),
    ]


def test_spanish_ios_export_named_chat_txt():
    messages, _ = read(LOCALES / "ios_es" / "_chat.txt")
    assert {m.chat for m in messages} == {"Mercado"}  # the notice's author
    assert [(m.author, m.kind) for m in messages] == [
        ("", "system"),
        ("", "system"),  # "Ana": Ana creó el grupo “Mercado”
        ("Ana", "media"),  # sticker omitido
        ("Ana", "deleted"),  # Se eliminó este mensaje.
        ("Luis", "message"),
    ]


def test_german_android_with_german_quotes_and_attachments():
    messages, _ = read(LOCALES / "WhatsApp Chat mit Bäckerei.txt")
    assert {m.chat for m in messages} == {"Bäckerei"}
    assert [(m.author, m.kind) for m in messages] == [
        ("", "system"),  # the notice, no author
        ("", "system"),  # Leon hat die Gruppe „Bäckerei“ erstellt
        ("Leon", "media"),  # <Medien ausgeschlossen>
        ("Leon", "media"),  # IMG-....jpg (Datei angehängt)
        ("Mia", "message"),
    ]


def test_events_and_placeholders_carry_a_code_whatever_the_language():
    spanish, _ = read(LOCALES / "Chat de WhatsApp con Feria.txt")
    assert [(m.kind, m.code) for m in spanish if m.kind != "message"] == [
        ("system", "encrypted"),
        ("system", "created"),  # Ana creó el grupo
        ("system", "added"),  # Ana añadió a Luis
        ("media", "media"),  # <Multimedia omitido>
        ("deleted", "deleted"),
        ("system", "left"),  # Luis salió del grupo
    ]
    german, _ = read(LOCALES / "WhatsApp Chat mit Backstube.txt")
    assert [m.code for m in german] == ["encrypted", "created", "", "image", "deleted", ""]
    japanese, _ = read(LOCALES / "[LINE] 商店街.txt")
    assert [m.code for m in japanese] == ["", "sticker", "", "", "joined", "deleted"]
