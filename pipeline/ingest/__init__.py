"""Read chat exports into Message records, with a ledger of every input line.

`read_exports` is the edge where files are opened; the parsers work on lines. Every
line of an input ends up in one record or in a counted skip; a file that cannot be read
is reported with its line and the other files go on.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest.decode import IngestError, decode_export, split_lines
from pipeline.ingest.whatsapp import RawMessage, parse_whatsapp
from pipeline.privacy import Privacy
from pipeline.records import FileReport, Message

__all__ = ["IngestError", "Ingested", "chat_name", "message_id", "read_exports"]

Parser = Callable[..., tuple[list[RawMessage], dict[str, object]]]
PARSERS: dict[str, tuple[str, Parser]] = {"whatsapp": ("whatsapp", parse_whatsapp)}

_CHAT_TITLE_RE = re.compile(
    r"^(?:WhatsApp Chat with|WhatsApp Chat -|Chat WhatsApp dengan)\s*", re.I
)
_DOWNLOAD_COPY_RE = re.compile(r"\s*\(\d+\)$")  # "Group (1).txt": a second download


@dataclass
class Ingested:
    messages: list[Message] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    duplicates: int = 0

    @property
    def errors(self) -> list[FileReport]:
        return [report for report in self.reports if report.error]


def chat_name(path: Path) -> str:
    """The group's name as WhatsApp writes it into the export's file name."""
    name = _DOWNLOAD_COPY_RE.sub("", _CHAT_TITLE_RE.sub("", path.stem)).strip()
    return name or path.stem


def message_id(chat: str, timestamp: str, author: str, text: str, occurrence: int) -> str:
    """Stable across overlapping exports of one chat. `occurrence` numbers identical
    messages within one export (two "ok"s in the same minute), so that real repeats
    are kept while the same message seen in two exports still collapses."""
    key = "\x1f".join((chat, timestamp, author, text, str(occurrence)))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def read_export(
    path: Path, config: IngestConfig, privacy: Privacy
) -> tuple[list[Message], FileReport]:
    source = str(path)
    report = FileReport(source=source)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IngestError(source, 0, err.strerror or str(err)) from None
    lines = split_lines(decode_export(data, source))
    report.lines = len(lines)
    chat = chat_name(path)
    fmt = "whatsapp" if config.format == "auto" else config.format
    platform, parse = PARSERS[fmt]
    raw, facts = parse(lines, source=source, chat=chat, date_order=config.date_order)
    report.format = str(facts["format"])
    report.date_order = f"{facts['date_order']} ({facts['date_order_reason']})"
    report.skips.update(facts["skips"])  # type: ignore[arg-type]

    messages: list[Message] = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for item in raw:
        author = privacy.author(item.author)
        text = privacy.text(item.text)
        key = (item.timestamp, author, text)
        occurrence = seen[key]
        seen[key] += 1
        messages.append(
            Message(
                id=message_id(chat, item.timestamp, author, text, occurrence),
                chat=chat,
                platform=platform,
                source=source,
                line=item.line,
                timestamp=item.timestamp,
                author=author,
                kind=item.kind,
                text=text,
                edited=item.edited,
            )
        )
        report.lines_in_records += item.n_lines
        report.records[item.kind] += 1
    report.authors = len({m.author for m in messages if m.author})
    if messages:
        report.first, report.last = messages[0].timestamp, messages[-1].timestamp
    return messages, report


def read_exports(
    paths: Sequence[Path], config: IngestConfig, privacy_config: PrivacyConfig
) -> Ingested:
    """All messages of all readable inputs; overlapping exports of a chat keep one copy
    of each message unless `keep_duplicates` is set."""
    privacy = Privacy(privacy_config)
    result = Ingested()
    seen_ids: set[str] = set()
    for path in paths:
        try:
            messages, report = read_export(path, config, privacy)
        except IngestError as err:
            result.reports.append(FileReport(source=str(path), error=str(err)))
            continue
        result.reports.append(report)
        for message in messages:
            if not config.keep_duplicates:
                if message.id in seen_ids:
                    result.duplicates += 1
                    continue
                seen_ids.add(message.id)
            result.messages.append(message)
    return result
