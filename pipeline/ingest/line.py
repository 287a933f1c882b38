"""LINE chat exports (.txt): a header, date lines, and `time<TAB>author<TAB>text` lines.

[LINE] Chat history with UMKM Banua        ([LINE] Riwayat obrolan dengan ...)
Saved on: 2024/03/14 10:00

2024/03/13(Wed)                            (or: Wed, 03/13/2024)
19:45	Budi	Halo semua
19:46	Siti	"a message
over two lines"
19:50		Budi joined the group.
"""

from __future__ import annotations

import re

from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError

HEADER_RE = re.compile(r"^\ufeff?\[LINE\]")
SAVED_RE = re.compile(r"^(?:Saved on|Disimpan pada|Tersimpan pada)\s*:", re.I)
DATE_YMD_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s*\(?[^\d\s)]*\)?)?\s*$")
DATE_WDMY_RE = re.compile(r"^[^\d\s,]+,\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
MESSAGE_RE = re.compile(r"^(\d{1,2}):(\d{2})(?:\s?([AaPp][Mm]))?\t([^\t]*)\t?(.*)$")
MEDIA_RE = re.compile(
    r"^\[(?:Photo|Sticker|Video|File|Voice message|Audio|Foto|Stiker|Berkas|Pesan suara|Album)\]$",
    re.I,
)
DELETED_RE = re.compile(r"unsent a message|membatalkan pengiriman pesan|message was unsent", re.I)


def looks_like_line(lines: list[str]) -> bool:
    return bool(lines) and bool(HEADER_RE.match(lines[0]))


def parse_line(document: Document, *, date_order: str = "auto") -> Parsed:
    lines, source = document.lines, document.source
    if not looks_like_line(lines):
        raise IngestError(source, 1, "not a LINE export (no [LINE] header)")
    parsed = Parsed([], "line", len(lines), "ymd (LINE date lines)")
    day = ""
    open_quote: RawMessage | None = None
    for number, line in enumerate(lines, start=1):
        if open_quote is not None and (MESSAGE_RE.match(line) or _date(line)):
            open_quote = None  # a quote never closed: keep the text as written
        if open_quote is not None:
            open_quote.text += "\n" + line
            open_quote.n_lines += 1
            if line.endswith('"'):
                open_quote.text = open_quote.text[1:-1]
                open_quote = None
            continue
        if number == 1 or SAVED_RE.match(line):
            parsed.skip("export header")
            continue
        date = _date(line)
        if date:
            day = date
            parsed.skip("date line")
            continue
        found = MESSAGE_RE.match(line)
        if found and day:
            hour, minute, ampm, author, text = found.groups()
            hour = int(hour)
            if ampm:
                hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
            stamp = f"{day}T{hour:02d}:{int(minute):02d}"
            if not text and author and "\t" not in line[found.start(4) :]:
                author, text = "", author  # "time<TAB>event" without an author column
            kind = "system" if not author else _kind(text)
            message = RawMessage(number, 1, stamp, author, kind, text)
            parsed.messages.append(message)
            if text.startswith('"') and not (len(text) > 1 and text.endswith('"')):
                open_quote = message
            elif len(text) > 1 and text.startswith('"') and text.endswith('"') and "\n" not in text:
                message.text = text[1:-1]
            continue
        if not line.strip():
            parsed.skip("blank line")
        elif parsed.messages:
            # an unquoted continuation (older exports): part of the previous message
            parsed.messages[-1].text += "\n" + line
            parsed.messages[-1].n_lines += 1
        else:
            parsed.skip("text before the first message")
    return parsed


def _date(line: str) -> str:
    found = DATE_YMD_RE.match(line)
    if found:
        year, month, day = (int(x) for x in found.groups())
    else:
        found = DATE_WDMY_RE.match(line)
        if not found:
            return ""
        month, day, year = (int(x) for x in found.groups())
        if month > 12 >= day:  # some locales write the day first here
            month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def _kind(text: str) -> str:
    if MEDIA_RE.match(text.strip()):
        return "media"
    if DELETED_RE.search(text):
        return "deleted"
    return "message"
