"""What every parser takes and gives: a Document in, RawMessages and facts out."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from pipeline.ingest.decode import SAVE_AS_UTF8, IngestError, decode_export

# Bytes read at a time from a streamed export; the characters per block of one held in
# memory.
BLOCK_BYTES = BLOCK_CHARS = 1 << 24


@dataclass
class Document:
    """One export to parse: a file (`path`), read as a reader needs it, or bytes in
    memory (`data`: the chat file inside a zip export)."""

    source: str
    chat: str
    name: str  # the file name, for sniffing by extension
    data: bytes | None = None
    path: Path | None = None

    max_line_chars: int = 1_000_000
    # Whether an older encoding may be detected (tables and transcripts, not chat apps'
    # exports, which are always UTF), and the encoding the text was read in.
    legacy: bool = False
    encoding: str = ""

    @cached_property
    def content(self) -> bytes:
        """The whole file's bytes."""
        if self.data is not None:
            return self.data
        with self._open() as handle:
            return handle.read()

    def prefix(self, n: int) -> bytes:
        """The first n bytes, without reading the rest."""
        if self.data is not None or "content" in self.__dict__:
            return self.content[:n]
        with self._open() as handle:
            return handle.read(n)

    def _open(self) -> BinaryIO:
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as err:
            raise IngestError(self.source, None, err.strerror or str(err)) from None

    @cached_property
    def text(self) -> str:
        """The decoded export with \n line endings (only \n and \r\n end a line:
        U+2028 inside a message is text, unlike for str.splitlines)."""
        text, self.encoding = decode_export(self.content, self.source, legacy=self.legacy)
        return _unix_lines(text, last=True)

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
        """The text in blocks of whole lines (the last may lack its line break), for
        readers that never hold a whole export: a file in UTF-8 is read and decoded a
        block at a time, anything else decoded whole and cut into blocks."""
        streamed = self.path is not None and "content" not in self.__dict__
        if streamed and not self.prefix(2).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            yield from self._utf8_blocks()
            return
        text, start = self.text, 0
        while start < len(text):
            end = text.find("\n", start + BLOCK_CHARS)
            end = len(text) if end < 0 else end + 1
            yield text[start:end]
            start = end

    def _utf8_blocks(self) -> Iterator[str]:
        decode = codecs.getincrementaldecoder("utf-8-sig")().decode
        self.encoding, line, pending = "utf_8", 1, b""
        with self._open() as handle:
            while chunk := handle.read(BLOCK_BYTES):
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line ends in it yet
                    if len(data) > 4 * self.max_line_chars:  # UTF-8: at most 4 bytes a character
                        self.refuse_long_line(line, len(data.decode("utf-8", errors="replace")))
                    pending = data
                    continue
                pending = data[cut:]
                yield _unix_lines(self._decoded(decode, data[:cut], line, final=False), last=False)
                line += data.count(b"\n", 0, cut)
        if pending:
            yield _unix_lines(self._decoded(decode, pending, line, final=True), last=True)

    def _decoded(self, decode, data: bytes, line: int, *, final: bool) -> str:
        try:
            return decode(data, final)
        except UnicodeDecodeError as err:
            number = line + data.count(b"\n", 0, err.start)
            raise IngestError(
                self.source,
                number,
                f"not UTF-8 text (byte 0x{data[err.start]:02x}): {SAVE_AS_UTF8}",
            ) from None

    def head(self, n: int) -> list[str]:
        """The first `n` lines, for sniffing, without reading the whole export. A file
        that is not UTF is sniffed as well as its bytes allow; reading it decides."""
        longest = self.max_line_chars * 4 + 4  # bytes: one line at the longest allowed
        start = self.prefix(longest + 1)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            start = self.content  # a line break's byte may sit inside a UTF-16 character
        elif len(start) > longest:  # a longer file: its first lines, decoded as the whole is
            start = start[: start.rfind(b"\n") + 1] or start
        try:
            text = _unix_lines(decode_export(start, self.source, legacy=self.legacy)[0], last=False)
        except IngestError as error:
            if "not UTF-8" not in error.reason:
                raise
            text = start.decode("utf-8", errors="replace")
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


def _unix_lines(text: str, *, last: bool) -> str:
    """\r\n line ends as \n; a lone \r at the very end of the file is dropped."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if last and text.endswith("\r"):
            text = text[:-1]
    return text
