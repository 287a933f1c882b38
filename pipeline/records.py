"""The records passed between stages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MESSAGE_KINDS = ("message", "media", "deleted", "system", "interviewer")

# The column order of messages.* outputs; the contract of `guyub parse`.
MESSAGE_FIELDS = (
    "id",
    "chat",
    "platform",
    "source",
    "line",
    "timestamp",
    "author",
    "kind",
    "code",
    "text",
)


@dataclass(slots=True)
class Message:
    """One parsed message, traceable to the export line where it starts."""

    id: str
    chat: str
    platform: str
    source: str
    line: int
    timestamp: str
    author: str
    kind: str
    text: str
    edited: bool = False
    # What a placeholder or event means in any phone language (image, added, left, ...,
    # from phrases.tsv); "" for a member's words.
    code: str = ""

    def as_row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in MESSAGE_FIELDS}


@dataclass(slots=True)
class FileReport:
    """What reading one input file gave: the ingest ledger of that file."""

    source: str
    format: str = ""
    date_order: str = ""
    lines: int = 0
    records: Counter[str] = field(default_factory=Counter)
    skips: Counter[str] = field(default_factory=Counter)
    authors: int = 0
    first: str = ""
    last: str = ""
    error: str = ""
    lines_in_records: int = 0
    # Lines that look like a message header but were kept in the text of the message
    # above, with why: (line, why). They are in lines_in_records.
    kept: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = ""  # the text encoding the file was read in (utf_8, cp1252, ...)

    @property
    def accounted_lines(self) -> int:
        """Lines that ended up in a record or a counted skip."""
        return self.lines_in_records + sum(self.skips.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "date_order": self.date_order,
            "lines": self.lines,
            "lines_in_records": self.lines_in_records,
            "records": dict(sorted(self.records.items())),
            "skips": dict(sorted(self.skips.items())),
            "header_like_lines_kept_in_text": [{"line": n, "why": why} for n, why in self.kept],
            "authors": self.authors,
            "first": self.first,
            "last": self.last,
            "error": self.error,
        }
