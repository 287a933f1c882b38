"""WhatsApp chat exports: Android and iOS layouts, English and Indonesian phones.

A message starts at a header line (date, time, then `Author: text`, or a system text
with no author); the lines up to the next header belong to it. The day/month order is
decided once per file from all its headers, because a single date such as 03/04/24
cannot tell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache, partial
from itertools import groupby, pairwise

from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError
from pipeline.ingest.recorder import Recorder
from pipeline.patterns import INVISIBLE_MARKS, INVISIBLE_RE

try:  # the header scan and the common message in C, built at install where it can be
    from pipeline.ingest._whatsapp import header_dates, scan_whatsapp
except ImportError:  # pragma: no cover - parse_whatsapp and Recorder.record instead
    header_dates = scan_whatsapp = None

_SPACE = "[ \u00a0\u202f]"
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = (
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    rf"(?:{_SPACE}?(?P<ampm>[AaPp]\.?{_SPACE}?[Mm]\.?))?"
)
_HEADS = {
    "android": rf"{_DATE},?{_SPACE}{_TIME}{_SPACE}?[-–]{_SPACE}",
    "ios": rf"\[{_DATE},?{_SPACE}{_TIME}\]{_SPACE}",
}
# One header line (sniffing, the prefetch's rough read).
LAYOUTS = {name: re.compile(rf"^{head}(?P<rest>.*)$", re.S) for name, head in _HEADS.items()}
# Every header of a whole export in one scan, past the marks some lines start with: a
# scan in C over the text instead of a match per line in Python (a third of the parse).
_LINE_MARKS = "\u200e\u200f\ufeff"
HEADER_LINES = {
    name: re.compile(rf"^[{_LINE_MARKS}]*{head}(?P<rest>[^\n]*)", re.M)
    for name, head in _HEADS.items()
}
SNIFF_LINES = 1000

# Whole-text placeholders WhatsApp writes instead of a media file.
MEDIA_RE = re.compile(
    r"^(?:<Media omitted>|<Media tidak disertakan>"
    r"|(?:image|video|audio|sticker|GIF|document|Contact card) omitted"
    r"|(?:gambar|video|audio|stiker|GIF|dokumen|kartu kontak) tidak disertakan"
    r"|[^\n]{1,250} \((?:file attached|file terlampir)\)"
    r"|<(?:attached|terlampir): [^>]+>)$",
    re.IGNORECASE | re.S,
)
DELETED_RE = re.compile(
    r"^(?:This message was deleted|You deleted this message"
    r"|Pesan ini telah dihapus|Anda menghapus pesan ini)\.?$",
    re.IGNORECASE,
)
EDITED_RE = re.compile(r"\s*<(?:This message was edited|Pesan ini diedit)>$", re.IGNORECASE)

# What group events say, in English and Indonesian. Matched against author-less lines,
# and against `Author: text` lines where the "author" is really the start of an event
# (`You changed the subject from "a: b"...`) or, on iOS, the group itself.
SYSTEM_RE = re.compile(
    r"end-to-end|terenkripsi|dienkripsi"
    r"|\bcreated (?:group|this group)|\bmembuat grup"
    r"|\badded\b|\bmenambahkan\b"
    r"|\bjoined using|\bbergabung (?:menggunakan|melalui|lewat)"
    r"|\bleft$|\bkeluar$|\bremoved\b|\bmengeluarkan\b"
    r"|\bchanged (?:the subject|this group|the group|their phone|to\b)"
    r"|\bmengubah (?:subjek|deskripsi|ikon|setelan|nama grup)"
    r"|\bdeleted this group's icon|\bmenghapus ikon"
    r"|security code (?:with .* )?changed|kode keamanan"
    r"|\bmengganti nomor|\bnow an admin|\bsekarang admin|\bno longer an admin|\bbukan admin lagi"
    r"|^Messages and calls|^Pesan dan panggilan",
    re.IGNORECASE,
)

DATE_ORDERS = ("dmy", "mdy", "ymd")
# The ledger's reasons for the lines before the first message.
SKIP_TEXT_BEFORE = "text before the first message header"
SKIP_BLANK_BEFORE = "blank line before the first message"


def match_header(line: str, layout: str) -> re.Match[str] | None:
    return LAYOUTS[layout].match(line.lstrip(_LINE_MARKS))


def sniff_layout(lines: list[str], probe: int = 200) -> str | None:
    """The layout most of the first header-like lines use."""
    counts = dict.fromkeys(LAYOUTS, 0)
    for line in lines[:SNIFF_LINES]:
        for name in LAYOUTS:
            if match_header(line, name):
                counts[name] += 1
        if max(counts.values()) >= probe:
            break
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def infer_date_order(dates: Iterable[str]) -> tuple[str, str]:
    """Decide d/m/y, m/d/y or y-m-d from all dates of a file, with the reason.

    A first or second field above 12 settles it. Otherwise, in a file written over
    time the day changes more often than the month between consecutive headers.
    """
    # A run of headers on one day changes nothing: split each run's date once.
    fields = [tuple(_DATE_SPLIT_RE.split(date)) for date, _ in groupby(dates)]
    if not fields:
        return "dmy", "no dates"
    if all(len(f[0]) == 4 for f in fields):
        return "ymd", "four-digit year first"
    firsts = [int(f[0]) for f in fields]
    seconds = [int(f[1]) for f in fields]
    if max(firsts) > 12 >= max(seconds):
        return "dmy", "a first field above 12"
    if max(seconds) > 12 >= max(firsts):
        return "mdy", "a second field above 12"
    changes_first = sum(a != b for a, b in pairwise(firsts))
    changes_second = sum(a != b for a, b in pairwise(seconds))
    if changes_first > changes_second:
        return "dmy", "the first field changes more often"
    if changes_second > changes_first:
        return "mdy", "the second field changes more often"
    return "dmy", "undecided, took day first"


def to_iso(date: str, time: str, ampm: str | None, order: str) -> str | None:
    """ISO 8601 local time, seconds where the export has them; None if not a real date."""
    day = _iso_date(date, order)
    clock = _iso_clock(time, ampm or "")
    return f"{day}T{clock}" if day and clock else None


# Dates and clock readings repeat thousands of times in a long export: parse each once.
@lru_cache(maxsize=1 << 16)
def _iso_date(date: str, order: str) -> str | None:
    parts = [int(p) for p in _DATE_SPLIT_RE.split(date)]
    if order == "ymd":
        year, month, day = parts
    elif order == "mdy":
        month, day, year = parts
    else:
        day, month, year = parts
    if year < 100:
        year += 2000
    if not (1 <= month <= 12 and 1 <= day <= _days_in(month, year)):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


@lru_cache(maxsize=1 << 16)
def _iso_clock(time: str, ampm: str) -> str | None:
    clock = [int(p) for p in _CLOCK_SPLIT_RE.split(time)]
    hour, minute = clock[0], clock[1]
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.strip().lower().startswith("p") else 0)
    if not (hour < 24 and minute < 60) or (len(clock) == 3 and clock[2] >= 60):
        return None
    return f"{hour:02d}:{minute:02d}" + (f":{clock[2]:02d}" if len(clock) == 3 else "")


_DATE_SPLIT_RE = re.compile(r"[./-]")
_CLOCK_SPLIT_RE = re.compile(r"[:.]")


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@lru_cache(maxsize=1 << 14)
def clean_author(raw: str) -> str:
    """Drop bidi marks and the `~ ` WhatsApp puts before non-contacts; keep the rest as
    written (no Unicode folding: U+2011 hyphens and U+202F spaces stay)."""
    name = INVISIBLE_RE.sub("", raw).strip()
    if name.startswith("~"):
        name = name[1:].lstrip(" \u00a0\u202f")
    return name


def split_author(rest: str, chat: str) -> tuple[str, str, bool]:
    """(author, text, is_system) from what follows a header's timestamp."""
    author, sep, text = rest.partition(": ")
    if not sep:
        return "", rest, True
    name = clean_author(author)
    if '"' in author or (len(author) > 25 and SYSTEM_RE.search(author)):
        return "", rest, True
    # iOS writes group events with the group's name as the author and an LRM first.
    if text.startswith("\u200e") and name == chat and SYSTEM_RE.search(text):
        return "", text, True
    return name, text, False


def classify(text: str, is_system: bool) -> tuple[str, str, bool]:
    """(kind, text, edited) for a message body."""
    body = text.strip()
    edited = False
    if body.endswith(">") and EDITED_RE.search(body):
        body, edited = EDITED_RE.sub("", body), True
    bare = body.strip(_MARKS_AND_SPACE)
    if is_system:
        return "system", INVISIBLE_RE.sub("", bare), edited
    # Placeholders are short and end in a fixed way; test the cheap signs first.
    if len(bare) < 300 and (
        bare.endswith((">", "omitted", "disertakan", ")")) and MEDIA_RE.match(bare)
    ):
        return "media", bare, edited
    if len(bare) < 40 and DELETED_RE.match(bare):
        return "deleted", bare, edited
    # iOS media and deletions start with an LRM; ordinary text keeps its own marks.
    return "message", body.lstrip("\u200e"), edited


_MARKS_AND_SPACE = " \t\n" + INVISIBLE_MARKS


def parse_whatsapp(document: Document, *, date_order: str = "auto") -> Parsed:
    """Messages of one export and the facts about it (layout, date order, skips)."""
    text, chat = document.text, document.chat
    layout = _layout(document)
    headers = list(HEADER_LINES[layout].finditer(text))
    order, reason = _date_order(date_order, (found["date"] for found in headers))
    # A header-like line whose date is impossible in this file's order is a continuation
    # line that happens to start with something date-like.
    starts = [
        (found, stamp)
        for found in headers
        if (stamp := to_iso(*found.group("date", "time", "ampm"), order))
    ]
    if not starts:
        _refuse_dates(document, layout, order)
    messages: list[RawMessage] = []
    parsed = Parsed(messages, f"whatsapp-{layout}", _count_lines(text), f"{order} ({reason})")
    first = starts[0][0].start()  # a line start: what precedes it ends with a line break
    if first > document.max_line_chars:
        _check_line_lengths(document, 0, first, 1)
    for line in text[:first].split("\n")[:-1]:
        parsed.skip(SKIP_TEXT_BEFORE if line.strip() else SKIP_BLANK_BEFORE)
    # Each message runs from its header to the next one; its last line break is not text.
    ends = [found.start() for found, _ in starts[1:]]
    ends.append(len(text) + (not text.endswith("\n")))
    number, limit = text.count("\n", 0, first) + 1, document.max_line_chars
    for (found, stamp), end in zip(starts, ends, strict=True):
        start, first_line_end = found.start(), found.end()
        if end - start > limit:
            _check_line_lengths(document, start, end, number)
        author, body, is_system = split_author(found["rest"], chat)
        if end > first_line_end + 1:  # continuation lines
            body += text[first_line_end : end - 1]
            span = text.count("\n", start, end - 1) + 1
        else:
            span = 1
        kind, body, edited = classify(body, is_system)
        messages.append(RawMessage(number, span, stamp, author, kind, body, edited))
        number += span
    return parsed


def record_whatsapp(document: Document, recorder: Recorder, *, date_order: str = "auto") -> Parsed:
    """parse_whatsapp, each message then recorded; in one pass in C where it was built.

    The C scan reads the common message itself and hands every other to the rules of
    parse_whatsapp (`record_other`); it numbers repeats and makes ids as Recorder does.
    Both ways give the same records (tested).
    """
    if scan_whatsapp is None:
        parsed = parse_whatsapp(document, date_order=date_order)
        recorder.record_all(parsed.messages)
        return parsed
    text, chat = document.text, document.chat
    layout = _layout(document)
    order, reason = _date_order(date_order, header_dates(text, layout == "ios"))

    def record_other(rest: str, more: str) -> tuple[str, str, str, bool]:
        """(author, kind, text, edited) of a message as Recorder.record would keep it."""
        author, body, is_system = split_author(rest, chat)
        kind, body, edited = classify(body + more, is_system)
        return recorder.author(author), kind, recorder.mask(body), edited

    lines, before_text, before_blank, long_line = scan_whatsapp(
        text,
        layout == "ios",
        document.max_line_chars,
        partial(_iso_date, order=order),
        _iso_clock,
        record_other,
        recorder,
    )
    if long_line or not recorder.records:
        # parse_whatsapp refuses a file without a valid date first, wherever the long line
        _refuse_dates(document, layout, order)
        document.refuse_long_line(*long_line)
    recorder.lines += lines
    parsed = Parsed([], f"whatsapp-{layout}", _count_lines(text), f"{order} ({reason})")
    for why, count in ((SKIP_TEXT_BEFORE, before_text), (SKIP_BLANK_BEFORE, before_blank)):
        if count:
            parsed.skip(why, count)
    return parsed


def _layout(document: Document) -> str:
    layout = sniff_layout(document.head(SNIFF_LINES))
    if layout is None:
        raise IngestError(
            document.source, 1, "no WhatsApp message header found (is this a chat export?)"
        )
    return layout


def _date_order(date_order: str, dates: Iterable[str]) -> tuple[str, str]:
    if date_order == "auto":
        return infer_date_order(dates)
    return date_order, "set by --date-order"


def _refuse_dates(document: Document, layout: str, order: str) -> None:
    """Refuse the export if no header has a date valid in `order`."""
    headers = list(HEADER_LINES[layout].finditer(document.text))
    if any(to_iso(*found.group("date", "time", "ampm"), order) for found in headers):
        return
    line = document.text.count("\n", 0, headers[0].start()) + 1 if headers else 1
    raise IngestError(document.source, line, f"no valid {order} date in any header")


def _count_lines(text: str) -> int:
    return text.count("\n") + (not text.endswith("\n"))


def _check_line_lengths(document: Document, start: int, end: int, number: int) -> None:
    """Refuse the export if a line in text[start:end] (which begins at line `number`)
    is longer than any chat's."""
    for offset, line in enumerate(document.text[start:end].split("\n")):
        if len(line) > document.max_line_chars:
            document.refuse_long_line(number + offset, len(line))
