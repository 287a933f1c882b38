"""Property: any messages rendered in any WhatsApp layout parse back exactly."""

from datetime import datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.ingest.common import Document
from pipeline.ingest.whatsapp import LAYOUTS, parse_whatsapp


def android_id(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H.%M") + " - "


def android_us(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t:%y}, {t.hour % 12 or 12}:{t:%M}\u202f{'PM' if t.hour >= 12 else 'AM'} - "


def android_gb(t: datetime) -> str:
    return t.strftime("%d/%m/%Y, %H:%M") + " - "


def ios_id(t: datetime) -> str:
    return t.strftime("[%d/%m/%y %H.%M.%S]") + " "


def ios_us(t: datetime) -> str:
    return f"[{t.month}/{t.day}/{t:%y}, {t.hour % 12 or 12}:{t:%M}:{t:%S}\u202f{'PM' if t.hour >= 12 else 'AM'}] "


RENDERERS = {
    android_id: (False, "dmy"),
    android_us: (False, "mdy"),
    android_gb: (False, "dmy"),
    ios_id: (True, "dmy"),
    ios_us: (True, "mdy"),
}

NAMES = st.sampled_from(
    [
        "Budi",
        "Anne-Marie",
        "Siti Aminah",
        "Dr. Rahmat",
        "Acil 😊",
        "Toko:Kopi",
        "J",
        "Bu Hj. Salmah",
    ]
)
FRAGMENTS = st.sampled_from(
    [
        "harga",
        "25rb",
        "12/03/24",
        "10:00",
        "10.00",
        "a: b",
        " - ",
        "wkwk",
        "😂",
        "PIRT",
        "[info]",
        "ok",
        "-",
        ":",
    ]
)
LINE = st.lists(FRAGMENTS, min_size=1, max_size=6).map(" ".join)
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


def is_header(line: str) -> bool:
    return any(pattern.match(line) for pattern in LAYOUTS.values())


@st.composite
def chats(draw):
    renderer = draw(st.sampled_from(list(RENDERERS)))
    count = draw(st.integers(min_value=1, max_value=12))
    start = datetime(2023, 1, 1) + timedelta(minutes=draw(st.integers(0, 500_000)))
    gaps = draw(st.lists(st.integers(0, 20_000), min_size=count, max_size=count))
    times, moment = [], start
    for gap in gaps:
        moment += timedelta(minutes=gap)
        times.append(moment)
    # One date past the 12th so the day/month order is decidable from the file alone.
    times.append(
        times[-1].replace(day=20) if times[-1].day <= 20 else times[-1] + timedelta(minutes=1)
    )
    times.sort()
    messages = [(t, draw(NAMES), draw(TEXT)) for t in times]
    return renderer, messages


@settings(max_examples=150, deadline=None)
@given(chats(), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_rendered_messages_parse_back_exactly(chat, ending, last_break, marked):
    """Also with Windows line endings, without a last line break, and with the LRM mark
    some exports put before a header."""
    renderer, messages = chat
    with_seconds, order = RENDERERS[renderer]
    mark = "\u200e" if marked else ""
    lines, continuations, starts = [], [], []
    for moment, author, text in messages:
        first, *rest = text.split("\n")
        starts.append(len(lines) + 1)
        lines.append(f"{mark}{renderer(moment)}{author}: {first}")
        lines.extend(rest)
        continuations.extend(rest)
    # a continuation line that is itself a valid header is ambiguous for WhatsApp too
    assume(not any(is_header(line) for line in continuations))
    export = ending.join(lines) + (ending if last_break else "")
    document = Document("chat.txt", "chat", "chat.txt", export.encode())
    parsed = parse_whatsapp(document)
    assert parsed.date_order.startswith(order)
    assert len(parsed.messages) == len(messages)
    assert [m.line for m in parsed.messages] == starts
    for got, (moment, author, text) in zip(parsed.messages, messages, strict=True):
        expected_time = moment.strftime("%Y-%m-%dT%H:%M:%S" if with_seconds else "%Y-%m-%dT%H:%M")
        assert got.timestamp == expected_time
        assert got.author == author
        assert got.text == text.strip()
        assert got.kind == "message"
    assert sum(m.n_lines for m in parsed.messages) == len(lines)
