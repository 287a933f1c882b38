"""WhatsApp chat exports: Android, iOS and the older colon layout, any clock, any phone
language the phrase table knows.

A message starts at a header line (date, time, then `Author: text`, or an event with no
author); the lines up to the next header belong to it. The layout is sniffed once per
file, and the day/month order is decided once per file from all its headers, because a
single date such as 03/04/24 cannot tell. A later line that looks like a header but is
not taken as one (an impossible date, another layout) stays in its message's text and is
listed in the ledger with its line, so that no message is ever merged into another
without a word.

Group events are recognised by their wording (phrases.tsv), whoever the export names as
their author: nobody (Android), the group itself or the member who acted (iOS).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.ingest.clock import infer_date_order, iso_clock, iso_date, next_day_of
from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError
from pipeline.ingest.phrases import (
    EVENT_KINDS,
    PLACEHOLDER_KINDS,
    QUOTES,
    Match,
    Phrasebook,
    alternation,
    of_kind,
    phrasebook,
)
from pipeline.patterns import INVISIBLE_MARKS, INVISIBLE_RE

_SPACE = "[ \u00a0\u202f]"
_MARKS = f"[{INVISIBLE_MARKS}]*"  # anywhere in a header: iOS puts U+200E and U+FEFF in
_LRM = "\u200e"  # iOS writes it before events and placeholders, never before a member's words
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
_CLOCK = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
_CLOCK_WITH_SECONDS = r"\d{1,2}[:.]\d{2}[:.]\d{2}"


def _heads(named: bool) -> dict[str, str]:
    """Each layout's header up to the author, as a regex (with named groups or not)."""

    def group(name: str, body: str) -> str:
        return f"(?P<{name}>{body})" if named else f"(?:{body})"

    marker = alternation([p.pattern for p in of_kind("clock", "am", "pm")])
    words = alternation([p.pattern for p in of_kind("clock", "date-time")])
    gap = f"[ \u00a0\u202f{INVISIBLE_MARKS}]*"  # spaces and marks, in any order
    join = f"{_MARKS}(?:[,،]|{_SPACE}){gap}(?:(?:{words}){_SPACE}{gap})?"

    def time(clock: str) -> str:
        return (
            f"(?:{group('pre', marker)}{_SPACE}?)?{group('time', clock)}"
            f"(?:{_SPACE}?{group('post', marker)})?"
        )

    date = group("date", _DATE)
    return {
        "android": f"{_MARKS}{date}{join}{time(_CLOCK)}{_MARKS}{_SPACE}*[-–]{_SPACE}",
        "ios": rf"{_MARKS}\[{_MARKS}{date}{join}{time(_CLOCK)}{_MARKS}\]{_SPACE}",
        # WhatsApp for iPhone until about 2017: `31/12/2016, 23:59:59: Name: text`
        "colon": f"{_MARKS}{date}{join}{time(_CLOCK_WITH_SECONDS)}{_MARKS}:{_SPACE}",
    }


_HEADS = _heads(named=True)
LAYOUTS = {name: re.compile(rf"{head}(?P<rest>.*)$", re.S) for name, head in _HEADS.items()}
# Every header of a whole export in one scan: a scan in C over the text instead of a
# match per line in Python.
HEADER_LINES = {
    name: re.compile(rf"^{head}(?P<rest>[^\n]*)", re.M) for name, head in _HEADS.items()
}
# A line that looks like a header of any layout, for the ledger's check of body lines.
ANY_HEADER = re.compile("^(?:" + "|".join(_heads(named=False).values()) + ")", re.M)
SNIFF_LINES = 1000

# The ledger's reasons for the lines before the first message, and for header-like
# lines kept in a message's text.
SKIP_TEXT_BEFORE = "text before the first message header"
SKIP_BLANK_BEFORE = "blank line before the first message"
KEPT_IMPOSSIBLE_DATE = "has a header's shape but a date impossible in this file's day/month order"
KEPT_OTHER_LAYOUT = "has the header shape of another layout than this file's"


def match_header(line: str, layout: str) -> re.Match[str] | None:
    return LAYOUTS[layout].match(line)


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


@lru_cache(maxsize=1 << 14)
def clean_author(raw: str) -> str:
    """Drop bidi marks and the `~ ` WhatsApp puts before non-contacts; keep the rest as
    written (no Unicode folding: U+2011 hyphens and U+202F spaces stay)."""
    name = INVISIBLE_RE.sub("", raw).strip()
    if name.startswith("~"):
        name = name[1:].lstrip(" \u00a0\u202f")
    return name


def split_author(rest: str) -> tuple[str, str]:
    """(author, text) from what follows a header's timestamp; no author for an event.

    `Name:` with nothing after it is Name's empty message.
    """
    author, sep, text = rest.partition(": ")
    if not sep:
        if rest.endswith(":") and rest.strip(_MARKS_AND_SPACE) != ":":
            return clean_author(rest[:-1]), ""
        return "", rest
    return clean_author(author), text


@lru_cache(maxsize=1 << 14)
def _event_start(author: str) -> bool:
    """An "author" with a quote in it, or of five words and more, may be the start of an
    event whose text holds a colon (`Rina changed the subject from "Jualan: Kue" to ...`)."""
    return author.count(" ") >= 4 or any(quote in author for quote in QUOTES)


class Classifier:
    """Kinds of message bodies by the phrase table, for one export.

    Knows the group's name when it can: from the file's name, or learned from the export
    (the author of the encryption notice, the name in "created group")."""

    def __init__(self, book: Phrasebook, chat: str):
        self.book = book
        self.names = {chat} - {""}  # authors that are the group itself
        self.learned = ""

    def __call__(self, rest: str) -> tuple[str, str, str, bool, str]:
        """(author, kind, text, edited, code) of what follows a header's timestamp."""
        author, text = split_author(rest)
        if author and _event_start(author):
            whole = rest.strip(_MARKS_AND_SPACE)
            event = self.book.whole.match(whole, evidence=True)
            if event is not None and event.phrase.kind in EVENT_KINDS:
                self._learn(event, "")
                return "", "system", INVISIBLE_RE.sub("", whole), False, event.phrase.code
            if any(quote in author for quote in QUOTES):  # no member's name has one
                return "", "system", INVISIBLE_RE.sub("", whole), False, ""
        return self.classify(author, text)

    def classify(self, author: str, text: str) -> tuple[str, str, str, bool, str]:
        body = text.strip()
        edited = False
        if body.endswith(self.book.edited_ends):
            body, edited = self.book.strip_edited(body)
        bare = body.strip(_MARKS_AND_SPACE)
        if len(bare) < 400:  # placeholders and events are short
            evidence = (
                not author
                or body.startswith(_LRM)
                or author in self.names
                or (bare.startswith(author) and not bare[len(author) : len(author) + 1].isalnum())
            )
            found = self.book.whole.match(bare, evidence=evidence)
            if found is not None:
                code = found.phrase.code
                if found.phrase.kind in PLACEHOLDER_KINDS:
                    return author, found.phrase.kind, bare, edited, code
                self._learn(found, author)
                return "", "system", INVISIBLE_RE.sub("", bare), edited, code
        if not author:
            return "", "system", INVISIBLE_RE.sub("", bare), edited, ""
        return author, "message", body.lstrip(_LRM), edited, ""

    def _learn(self, event: Match, author: str) -> None:
        name = event.group or (author if event.phrase.kind == "notice" else "")
        if name and not self.learned:
            self.learned = name
            self.names.add(name)


_MARKS_AND_SPACE = " \t\n" + INVISIBLE_MARKS


def parse_whatsapp(
    document: Document, *, date_order: str = "auto", learn_authors: bool = False
) -> Parsed:
    """Messages of one export and the facts about it (layout, date order, skips).

    The export is read twice, a block of lines at a time, never whole: first to check
    it (every line readable and of a sane length) and learn what the messages need
    (every header's date, for the day/month order; the group's name, from the first
    NAME_SURVEY_HEADERS headers; with `learn_authors`, the members' names), then to read
    its messages, which the returned Parsed yields as they are iterated. A file refused
    is refused before any message."""
    layout = _layout(document)
    survey = _survey(document, layout, learn_authors)
    order, reason = _date_order(date_order, survey.dates)
    if not any(iso_date(date, order) for date in set(survey.dates)):
        _refuse_dates(document, survey.first_header_line, order)
    parsed = Parsed([], f"whatsapp-{layout}", survey.lines, f"{order} ({reason})")
    parsed.chat = survey.classify.learned
    parsed.authors = survey.authors
    classify = Classifier(phrasebook("whatsapp"), document.chat)
    classify.names, classify.learned = set(survey.classify.names), survey.classify.learned
    parsed.messages = _messages(document, layout, order, classify, parsed)
    return parsed


# Headers the first reading looks at for the group's name (a later one is learned as
# the messages are read, from then on): a large Android export whose history no longer
# holds the group's creation never names the group, and reading every header for it
# cost 40% of the parse.
NAME_SURVEY_HEADERS = 100_000


@dataclass
class _Survey:
    """What the first reading of an export learns."""

    classify: Classifier
    dates: list[str] = field(default_factory=list)  # each header's date, runs of one day once
    authors: set[str] | None = None
    lines: int = 0
    first_header_line: int = 1


def _survey(document: Document, layout: str, learn_authors: bool) -> _Survey:
    survey = _Survey(Classifier(phrasebook("whatsapp"), document.chat))
    survey.authors = set() if learn_authors else None
    classify, dates, number, headers = survey.classify, survey.dates, 1, 0
    found_any = False
    for block in document.blocks():
        _check_line_lengths(document, block, number)
        for found in HEADER_LINES[layout].finditer(block):
            if not found_any:
                survey.first_header_line = number + block.count("\n", 0, found.start())
                found_any = True
            date = found["date"]
            if not dates or dates[-1] != date:
                dates.append(date)
            # The group's name, from the first event that names it (all of a header's
            # events are on its line); the members' names, from every header.
            headers += 1
            if survey.authors is not None:
                author = classify(found["rest"])[0]
                if author:
                    survey.authors.add(author)
            elif not classify.learned and headers <= NAME_SURVEY_HEADERS:
                classify(found["rest"])
        number += block.count("\n")
        survey.lines = number - 1 + (not block.endswith("\n"))
    return survey


def _messages(
    document: Document, layout: str, order: str, classify: Classifier, parsed: Parsed
) -> Iterator[RawMessage]:
    """The export's messages, a block at a time. A message runs from its header to the
    next one; its last line break is not text. The message still open at the end of a
    block is carried, from its header, into the next."""
    carry, number, started = "", 1, False
    blocks = document.blocks()
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        text = carry + block
        starts, impossible = _message_starts(HEADER_LINES[layout].finditer(text), order)
        if not started:
            if not starts:  # still before the first message
                carry = text
                block = following
                continue
            first = starts[0][0].start()  # a line start: what precedes it ends with a break
            for line in text[:first].split("\n")[:-1]:
                parsed.skip(SKIP_TEXT_BEFORE if line.strip() else SKIP_BLANK_BEFORE)
            number += text.count("\n", 0, first)
            started = True
        ends = [found.start() for found, _ in starts[1:]]
        if following is None:
            ends.append(len(text) + (not text.endswith("\n")))
        else:
            carry = text[starts[-1][0].start() :]
        for (found, stamp), end in zip(starts, ends, strict=False):
            start, first_line_end = found.start(), found.end()
            rest = found["rest"]
            if end > first_line_end + 1:  # continuation lines
                rest += text[first_line_end : end - 1]
                span = text.count("\n", start, end - 1) + 1
                _note_kept_lines(parsed, text, first_line_end + 1, end, number + 1, impossible)
            else:
                span = 1
            author, kind, body, edited, code = classify(rest)
            yield RawMessage(number, span, stamp, author, kind, body, edited, code=code)
            number += span
        block = following


def _message_starts(
    headers: Iterable[re.Match[str]], order: str
) -> tuple[list[tuple[re.Match[str], str]], set[int]]:
    """The headers that start a message, with their timestamps, and the positions of
    those whose date or time is impossible (they are body lines)."""
    starts, impossible = [], set()
    last_date, day = None, None
    for found in headers:
        date, time, pre, post = found.group("date", "time", "pre", "post")
        if date != last_date:  # a day's headers share their date: convert it once
            last_date, day = date, iso_date(date, order)
        clock = iso_clock(time, pre or post or "") if day else None
        if clock is None:
            impossible.add(found.start())
            continue
        reading, next_day = clock
        starts.append((found, f"{next_day_of(day) if next_day else day}T{reading}"))
    return starts, impossible


def _note_kept_lines(
    parsed: Parsed, text: str, start: int, end: int, number: int, impossible: set[int]
) -> None:
    """List each header-like line among a message's continuation lines (text[start:end],
    from line `number`): it stays in the message's text, and the ledger says so."""
    at = start
    for found in ANY_HEADER.finditer(text, start, end):
        position = found.start()
        number += text.count("\n", at, position)
        at = position
        why = KEPT_IMPOSSIBLE_DATE if position in impossible else KEPT_OTHER_LAYOUT
        parsed.keep(number, why)


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


def _refuse_dates(document: Document, line: int, order: str) -> None:
    """Refuse the export: no header has a date valid in `order`."""
    raise IngestError(document.source, line, f"no valid {order} date in any header")


def _check_line_lengths(document: Document, block: str, number: int) -> None:
    """Refuse the export if a line of the block (which begins at line `number`) is
    longer than any chat's."""
    if len(block) <= document.max_line_chars:
        return
    for offset, line in enumerate(block.split("\n")):
        if len(line) > document.max_line_chars:
            document.refuse_long_line(number + offset, len(line))
