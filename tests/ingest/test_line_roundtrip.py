"""Property: any messages rendered in a LINE layout, clock and language parse back
exactly, with hour 24 for the hour after midnight where LINE writes it so."""

from datetime import datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.ingest.common import Document
from pipeline.ingest.line import MESSAGE_RE, _date, parse_line

WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "ja": ["月", "火", "水", "木", "金", "土", "日"],
    "zh-TW": ["一", "二", "三", "四", "五", "六", "日"],
    "id": ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"],
}
TITLES = {
    "en": ("[LINE] Chat history with Pasar", "Saved on: 2024/01/01 10:00"),
    "ja": ("[LINE] Pasarのトーク履歴", "保存日時：2024/01/01 10:00"),
    "zh-TW": ("[LINE] 與Pasar的聊天記錄", "儲存日期：2024/01/01 10:00"),
    "id": ("[LINE] Riwayat obrolan dengan Pasar", "Disimpan pada: 2024/01/01 10:00"),
}


def phone_date(day: datetime, language: str) -> str:
    weekday = WEEKDAYS[language][day.weekday()]
    if language == "id":
        return f"{weekday}, {day:%m/%d/%Y}"
    if language == "zh-TW":
        return f"{day:%Y/%m/%d}（{weekday}）"
    return f"{day:%Y/%m/%d}({weekday})"


def pc_date(day: datetime, language: str) -> str:
    return f"{day.year}.{day.month}.{day.day} {day:%A}"


def clock_24(t: datetime, hour: int) -> str:
    return f"{hour:02d}:{t:%M}"


def clock_ja(t: datetime, hour: int) -> str:
    return f"{'午後' if hour >= 12 else '午前'}{hour % 12}:{t:%M}"


def clock_zh(t: datetime, hour: int) -> str:
    return f"{'下午' if hour >= 12 else '上午'}{hour % 12 or 12:02d}:{t:%M}"


def clock_en(t: datetime, hour: int) -> str:
    return f"{hour % 12 or 12:02d}:{t:%M} {'PM' if hour >= 12 else 'AM'}"


LANGUAGE_CLOCKS = {"en": clock_en, "ja": clock_ja, "zh-TW": clock_zh, "id": clock_en}
NAMES = st.sampled_from(["Budi", "Siti", "阿明", "Rina", "J", "ドディ"])
FRAGMENTS = st.sampled_from(["harga", "25rb", "wkwk", "😂", "おはよう", "早安", "ok", "a: b", "-"])
LINE_TEXT = st.lists(FRAGMENTS, min_size=1, max_size=5).map(" ".join)


@st.composite
def chats(draw):
    language = draw(st.sampled_from(list(WEEKDAYS)))
    pc = draw(st.booleans())
    count = draw(st.integers(min_value=1, max_value=10))
    moment = datetime(2023, 1, 1) + timedelta(minutes=draw(st.integers(0, 500_000)))
    messages = []
    for _ in range(count):
        moment += timedelta(minutes=draw(st.integers(1, 3000)))
        lines = draw(st.lists(LINE_TEXT, min_size=1, max_size=1 if pc else 3))
        messages.append((moment, draw(NAMES), "\n".join(lines)))
    hour_24 = draw(st.booleans())
    return language, pc, hour_24, messages


@settings(max_examples=150, deadline=None)
@given(chats())
def test_rendered_line_messages_parse_back_exactly(chat):
    language, pc, hour_24, messages = chat
    title, saved = TITLES[language]
    lines, day = [title, saved, ""], None
    for moment, author, text in messages:
        hour = moment.hour
        late = hour_24 and hour == 0 and day == (moment - timedelta(days=1)).date()
        if late:
            hour = 24  # LINE: the hour after midnight under the day before
        elif moment.date() != day:
            day = moment.date()
            lines.append((pc_date if pc else phone_date)(moment, language))
        clock = clock_24(moment, hour) if (pc or late) else LANGUAGE_CLOCKS[language](moment, hour)
        body = f'"{text}"' if "\n" in text else text  # the phone app quotes these
        lines.append(f"{clock} {author} {body}" if pc else f"{clock}\t{author}\t{body}")
    export = "\n".join(lines) + "\n"
    # a message's own continuation line that looks like a message or date line is
    # ambiguous for LINE too
    assume(
        not any(MESSAGE_RE.match(x) or _date(x) for _, _, t in messages for x in t.split("\n")[1:])
    )
    parsed = parse_line(Document("chat.txt", "chat", "chat.txt", export.encode()))
    assert parsed.format == ("line-pc" if pc else "line")
    assert [(m.timestamp, m.author, m.text) for m in parsed.messages] == [
        (moment.strftime("%Y-%m-%dT%H:%M"), author, text) for moment, author, text in messages
    ]
    export_lines = export.split("\n")
    assert all(MESSAGE_RE.match(export_lines[m.line - 1]) for m in parsed.messages)
    assert sum(m.n_lines for m in parsed.messages) + sum(parsed.skips.values()) == parsed.lines
    assert parsed.kept == []
