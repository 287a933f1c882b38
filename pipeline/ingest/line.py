"""LINE chat exports (.txt), as the phone app and the PC app write them, in English,
Indonesian, Japanese and Chinese (Taiwan).

Phone:                                        PC:
[LINE] Chat history with UMKM Banua           [LINE] Chat history with UMKM Banua
Saved on: 2024/03/14 10:00                    Saved on: 2024/03/14 10:00

2024/03/13(Wed)     (or: Wed, 03/13/2024)     2024.3.13 Wednesday
19:45<TAB>Budi<TAB>Halo semua                 19:45 Budi Halo semua
午後7:46<TAB>Siti<TAB>"a message              19:50 Budi joined the group.
over two lines"
19:50<TAB><TAB>Budi joined the group.

The title, "saved on" line, placeholders and events are phrases.tsv's. A time may carry
a 12-hour marker before it (午前, 午後, 上午, 下午) or after it (AM, PM), and LINE writes a
time after midnight as hour 24 of the day before ("24:53"), carried here to the next day.
The PC layout separates time, author and text by single spaces, so an author's name ends
at the first space unless the export names a longer one elsewhere (in an event such as
"Rina Wati joined the group."); the ledger's format says which layout was read.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.ingest.clock import iso_clock, next_day_of, ymd
from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError
from pipeline.ingest.phrases import EVENT_KINDS, alternation, fold, of_kind, phrasebook

HEADER_RE = re.compile(r"^\ufeff?\[LINE\]")
_MARKER = alternation([p.pattern for p in of_kind("clock", "am", "pm")])
MESSAGE_RE = re.compile(
    rf"^(?:(?P<pre>{_MARKER}) ?)?(?P<time>\d{{1,2}}:\d{{2}})(?: ?(?P<post>{_MARKER}))?"
    r"(?P<sep>[\t ])(?P<rest>.*)$"
)
_DECORATION = r"[^\d\t]{0,16}"  # weekday names and brackets, in any language
DATE_RES = (  # (regex, field order)
    (re.compile(rf"^{_DECORATION}(\d{{4}})[/.-](\d{{1,2}})[/.-](\d{{1,2}}){_DECORATION}$"), "ymd"),
    (re.compile(rf"^{_DECORATION}(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日{_DECORATION}$"), "ymd"),
    (re.compile(rf"^{_DECORATION}(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_DECORATION}$"), "mdy"),
)
KEPT_EARLIER = "has a message line's shape but an earlier time than the message above"
KEPT_EARLIER_DATE = "has a date line's shape but an earlier date than the one before"
KEPT_OTHER_LAYOUT = (
    "has the message-line shape of LINE's other layout (spaces for tabs or the reverse)"
)


def looks_like_line(lines: list[str]) -> bool:
    return bool(lines) and bool(HEADER_RE.match(lines[0]))


def parse_line(document: Document, *, date_order: str = "auto") -> Parsed:
    lines, source = document.lines, document.source
    if not looks_like_line(lines):
        raise IngestError(source, 1, "not a LINE export (no [LINE] header)")
    book = phrasebook("line")
    pc = _is_pc_layout(lines)
    names = _names_in_events(lines, book) if pc else set()
    parsed = Parsed([], "line-pc" if pc else "line", len(lines), "ymd (LINE date lines)")
    parsed.chat = _title_group(lines[0])
    day, last_stamp = "", ""
    open_quote: RawMessage | None = None
    for number, line in enumerate(lines, start=1):
        found = MESSAGE_RE.match(line)
        other_layout = found is not None and (found["sep"] == " ") != pc
        if other_layout:
            found = None
        date = _date(line)
        if open_quote is not None and (found or date):
            open_quote = None  # a quote never closed: keep the text as written
        if open_quote is not None:
            open_quote.text += "\n" + line
            open_quote.n_lines += 1
            if line.endswith('"'):
                open_quote.text = open_quote.text[1:-1]
                open_quote = None
            continue
        if number == 1 or _is_saved_line(line):
            parsed.skip("export header")
            continue
        if date and not (parsed.messages and date < day):
            day = date
            parsed.skip("date line")
            continue
        stamp = _stamp(day, found) if found and day else None
        if stamp and stamp >= last_stamp:
            message = _message(found["rest"], pc, names, book)
            message.line, message.timestamp = number, stamp
            parsed.messages.append(message)
            last_stamp = stamp
            text = message.text
            if text.startswith('"') and not (len(text) > 1 and text.endswith('"')):
                open_quote = message
            elif len(text) > 1 and text.startswith('"') and text.endswith('"'):
                message.text = text[1:-1]
            continue
        if not line.strip():
            parsed.skip("blank line")
        elif parsed.messages:
            # a continuation line of the message above (unquoted, as older exports and
            # the PC app write them)
            if stamp or date or other_layout:
                why = KEPT_EARLIER if stamp else KEPT_EARLIER_DATE if date else KEPT_OTHER_LAYOUT
                parsed.keep(number, why)
            parsed.messages[-1].text += "\n" + line
            parsed.messages[-1].n_lines += 1
        else:
            parsed.skip("text before the first message")
    return parsed


def _message(rest: str, pc: bool, names: set[str], book) -> RawMessage:
    """The author, kind and text of what follows a message line's time."""
    if pc:
        event = book.whole.match(rest, evidence=True)
        if event is not None and event.phrase.kind in EVENT_KINDS:
            return RawMessage(0, 1, "", "", "system", rest, code=event.phrase.code)
        author, text = _split_pc(rest, names)
    else:
        author, _, text = rest.partition("\t")
        if "\t" not in rest:
            author, text = "", rest  # "time<TAB>event" without an author column
    if not author:
        event = book.whole.match(text.strip(), evidence=True)
        code = event.phrase.code if event is not None else ""
        return RawMessage(0, 1, "", "", "system", text, code=code)
    found = book.whole.match(text.strip(), evidence=text.startswith(author))
    if found is None:
        return RawMessage(0, 1, "", author, "message", text)
    kind = "system" if found.phrase.kind in EVENT_KINDS else found.phrase.kind
    author = "" if kind == "system" else author
    return RawMessage(0, 1, "", author, kind, text, code=found.phrase.code)


def _split_pc(rest: str, names: set[str]) -> tuple[str, str]:
    """(author, text) of a PC line: the longest name the export names that starts it,
    or else its first word."""
    for name in sorted(names, key=len, reverse=True):
        if rest.startswith(name + " ") or rest == name:
            return name, rest[len(name) + 1 :]
    author, _, text = rest.partition(" ")
    return author, text


def _is_pc_layout(lines: list[str]) -> bool:
    """The PC app separates with spaces where the phone app writes tabs."""
    for line in lines[1:200]:
        if found := MESSAGE_RE.match(line):
            return found["sep"] == " "
    return False


def _names_in_events(lines: list[str], book) -> set[str]:
    """Members' names as events write them whole ("Rina Wati joined the group.")."""
    names = set()
    for line in lines:
        if (
            (found := MESSAGE_RE.match(line))
            and (event := book.whole.match(found["rest"], evidence=True))
            and event.actor
            and " " in event.actor
        ):
            names.add(event.actor)
    return names


def _title_group(title: str) -> str:
    for phrase in of_kind("line", "title"):
        head, _, tail = phrase.pattern.partition("{group}")
        line = title.lstrip("\ufeff").strip()
        if fold(line).startswith(fold(head)) and (not tail or line.endswith(tail)):
            return line[len(head) : len(line) - len(tail)].strip().strip('"')
    return ""


def _is_saved_line(line: str) -> bool:
    return fold(line).startswith(_saved_heads())


@cache
def _saved_heads() -> tuple[str, ...]:
    """How "saved on" lines start, folded once (every line of an export is asked)."""
    return tuple(fold(p.pattern.partition("{text}")[0]) for p in of_kind("line", "saved"))


def _date(line: str) -> str:
    for regex, order in DATE_RES:
        if found := regex.match(line.strip()):
            a, b, c = (int(x) for x in found.groups())
            if order == "ymd":
                return ymd(a, b, c) or ""
            month, day = (b, a) if a > 12 >= b else (a, b)  # some locales write the day first
            return ymd(c, month, day) or ""
    return ""


def _stamp(day: str, found: re.Match[str]) -> str | None:
    clock = iso_clock(found["time"], found["pre"] or found["post"] or "")
    if clock is None:
        return None
    reading, next_day = clock
    return f"{next_day_of(day) if next_day else day}T{reading}"
