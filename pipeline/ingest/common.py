"""What every parser takes and gives: a Document in, RawMessages and facts out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from pipeline.ingest.decode import IngestError, decode_export

# Characters per block of a streamed export.
BLOCK_CHARS = 1 << 24


@dataclass
class Document:
    """One export to parse: a file, or the chat file inside a zip export."""

    source: str
    chat: str
    name: str  # the file name, for sniffing by extension
    data: bytes

    max_line_chars: int = 1_000_000
    # Whether an older encoding may be detected (tables and transcripts, not chat apps'
    # exports, which are always UTF), and the encoding the text was read in.
    legacy: bool = False
    encoding: str = ""

    @cached_property
    def text(self) -> str:
        """The decoded export with \n line endings (only \n and \r\n end a line:
        U+2028 inside a message is text, unlike for str.splitlines)."""
        text, self.encoding = decode_export(self.data, self.source, legacy=self.legacy)
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if text.endswith("\r"):
                text = text[:-1]
        return text

    @cached_property
    def lines(self) -> list[str]:
        lines = self.text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if lines and max(map(len, lines)) > self.max_line_chars:
            number = next(i for i, line in enumerate(lines, 1) if len(line) > self.max_line_chars)
            self.refuse_long_line(number, len(lines[number - 1]))
        return lines

    def blocks(self) -> Iterator[str]:
        """The text in blocks of whole lines, about BLOCK_CHARS each (the last may lack
        its line break), for readers that never hold a whole export's messages."""
        text, start = self.text, 0
        while start < len(text):
            end = text.find("\n", start + BLOCK_CHARS)
            end = len(text) if end < 0 else end + 1
            yield text[start:end]
            start = end

    def head(self, n: int) -> list[str]:
        """The first `n` lines, for sniffing, without splitting the whole export. A file
        that is not UTF is sniffed as well as its bytes allow; reading it decides."""
        try:
            text = self.text
        except IngestError as error:
            if "not UTF-8" not in error.reason:
                raise
            text = self.data[: self.max_line_chars * 4].decode("utf-8", errors="replace")
        lines = text[: self.max_line_chars + 1].split("\n", n)[:n]
        if len(lines[0]) > self.max_line_chars:
            end = text.find("\n")
            self.refuse_long_line(1, end if end >= 0 else len(text))
        return lines

    def refuse_long_line(self, number: int, length: int) -> None:
        raise IngestError(
            self.source,
            number,
            f"a line of {length:,} characters; no chat export has one, so the file is refused",
        )

    @property
    def suffix(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""


@dataclass(slots=True)
class RawMessage:
    """A message as parsed, before privacy and ids. `line` is where it starts in the
    export (for tables: the row's line), `n_lines` how many lines it spans."""

    line: int
    n_lines: int
    timestamp: str
    author: str
    kind: str
    text: str
    edited: bool = False
    chat: str = ""  # set by formats that hold several chats (a full Telegram export)
    code: str = ""  # what a placeholder or event means, whatever the phone's language


@dataclass
class Parsed:
    """What a parser gives: the messages and the facts for the ledger.

    `kept` lists the lines that look like a message header but were kept in the text of
    the message above (line, why): the proof that no message was merged silently.
    `chat` is the group's name where the export itself tells it.
    """

    messages: Iterable[RawMessage]  # a list, or (a streaming reader's) read once as iterated
    format: str
    lines: int
    date_order: str = ""
    skips: dict[str, int] = field(default_factory=dict)
    kept: list[tuple[int, str]] = field(default_factory=list)
    chat: str = ""
    interviewers: list[str] = field(default_factory=list)  # named in a transcript's header
    # the members' names, when a streaming reader learned them before its messages
    authors: set[str] | None = None

    def skip(self, reason: str, count: int = 1) -> None:
        self.skips[reason] = self.skips.get(reason, 0) + count

    def keep(self, line: int, why: str) -> None:
        self.kept.append((line, why))


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """JSON may spell half of a UTF-16 pair (\\ud800); no file can hold one, so it
    becomes U+FFFD, the replacement character."""
    return _LONE_SURROGATE_RE.sub("\ufffd", text) if _LONE_SURROGATE_RE.search(text) else text


def iso_timestamp(value: object) -> str | None:
    """An ISO 8601 date and time as a table or JSON gives it (first 19 characters), or
    None when it is no real date and time ("yesterday", "2024-13-45T99:99:99")."""
    stamp = str(value)[:19].replace(" ", "T")
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return stamp
