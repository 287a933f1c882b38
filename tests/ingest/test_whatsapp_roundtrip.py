"""Property: any messages rendered in any WhatsApp layout, clock and locale parse back
exactly."""

from datetime import datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.ingest.common import Document
from pipeline.ingest.whatsapp import ANY_HEADER, parse_whatsapp

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def h12(t: datetime) -> int:
    return t.hour % 12 or 12


def android_id(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H.%M") + " - "


def android_us(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t:%y}, {h12(t)}:{t:%M}\u202f{'PM' if t.hour >= 12 else 'AM'} - "


def android_us_24_hour_with_marker(t: datetime) -> str:
    """Phones that write a 24-hour hour and a marker anyway: `0:04 AM`, `23:59 PM`."""
    return f"{t.month}/{t.day}/{t:%y}, {t.hour}:{t:%M} {'PM' if t.hour >= 12 else 'AM'} - "


def android_es(t: datetime) -> str:
    return f"{t:%m/%d/%Y}, {h12(t)}:{t:%M}\u00a0{'p. m.' if t.hour >= 12 else 'a. m.'} - "


def android_gb(t: datetime) -> str:
    return t.strftime("%d/%m/%Y, %H:%M") + " - "


def android_de(t: datetime) -> str:
    return t.strftime("%d.%m.%y, %H:%M") + " - "


def android_ar(t: datetime) -> str:
    date = f"{t.day}/{t.month}/{t.year}".translate(ARABIC_DIGITS)
    clock = f"{h12(t)}:{t:%M}".translate(ARABIC_DIGITS)
    return f"{date}، {clock} {'م' if t.hour >= 12 else 'ص'} - "


def ios_id(t: datetime) -> str:
    return t.strftime("[%d/%m/%y %H.%M.%S]") + " "


def ios_us(t: datetime) -> str:
    return (
        f"[{t.month}/{t.day}/{t:%y}, {h12(t)}:{t:%M}:{t:%S}\u202f{'PM' if t.hour >= 12 else 'AM'}] "
    )


def ios_de_marked(t: datetime) -> str:
    """Invisible marks inside the bracket, as some iPhones write them."""
    return t.strftime("[\ufeff%d.%m.%y,\u200e %H:%M:%S]") + " "


def colon(t: datetime) -> str:
    return t.strftime("%d/%m/%Y, %H:%M:%S") + ": "


RENDERERS = {  # renderer: (with seconds, day/month order, layout)
    android_id: (False, "dmy", "android"),
    android_us: (False, "mdy", "android"),
    android_us_24_hour_with_marker: (False, "mdy", "android"),
    android_es: (False, "mdy", "android"),
    android_gb: (False, "dmy", "android"),
    android_de: (False, "dmy", "android"),
    android_ar: (False, "dmy", "android"),
    ios_id: (True, "dmy", "ios"),
    ios_us: (True, "mdy", "ios"),
    ios_de_marked: (True, "dmy", "ios"),
    colon: (True, "dmy", "colon"),
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
        "محمد",
        "Ayşe",
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
        "a. m.",
        "PM",
    ]
)
LINE = st.lists(FRAGMENTS, min_size=1, max_size=6).map(" ".join)
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


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


@settings(max_examples=200, deadline=None)
@given(chats(), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_rendered_messages_parse_back_exactly(chat, ending, last_break, marked):
    """Also with Windows line endings, without a last line break, and with the LRM mark
    some exports put before a header."""
    renderer, messages = chat
    with_seconds, order, layout = RENDERERS[renderer]
    mark = "\u200e" if marked else ""
    lines, continuations, starts = [], [], []
    for moment, author, text in messages:
        first, *rest = text.split("\n")
        starts.append(len(lines) + 1)
        lines.append(f"{mark}{renderer(moment)}{author}: {first}")
        lines.extend(rest)
        continuations.extend(rest)
    # a continuation line that is itself a valid header is ambiguous for WhatsApp too
    assume(not any(ANY_HEADER.match(line) for line in continuations))
    export = ending.join(lines) + (ending if last_break else "")
    document = Document("chat.txt", "chat", "chat.txt", export.encode())
    parsed = parse_whatsapp(document)
    assert parsed.format == f"whatsapp-{layout}"
    assert parsed.date_order.startswith(order)
    got_messages = list(parsed.messages)  # read as they are iterated
    assert len(got_messages) == len(messages)
    assert [m.line for m in got_messages] == starts
    for got, (moment, author, text) in zip(got_messages, messages, strict=True):
        expected_time = moment.strftime("%Y-%m-%dT%H:%M:%S" if with_seconds else "%Y-%m-%dT%H:%M")
        assert got.timestamp == expected_time
        assert got.author == author
        assert got.text == text.strip()
        assert got.kind == "message"
    assert sum(m.n_lines for m in got_messages) == len(lines)
    assert parsed.kept == []
