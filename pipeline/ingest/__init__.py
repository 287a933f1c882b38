"""Read chat exports into Message records, with a ledger of every input line.

`read_exports` is the edge where files are opened; the parsers work on lines. Every
line of an input ends up in one record or in a counted skip; a file that cannot be read
is reported with its line and the other files go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter
from pathlib import Path, PurePosixPath

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.engine.collector import collector_paused
from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError
from pipeline.ingest.line import looks_like_line, parse_line
from pipeline.ingest.phrases import fold, of_kind
from pipeline.ingest.recorder import Recorder, message_id
from pipeline.ingest.sources import chat_name, expand_inputs, open_document
from pipeline.ingest.telegram import looks_like_telegram, parse_telegram
from pipeline.ingest.transcript import (
    looks_like_transcript,
    parse_csv,
    parse_jsonl,
    parse_parquet,
    parse_transcript,
)
from pipeline.ingest.whatsapp import SNIFF_LINES, parse_whatsapp, sniff_layout
from pipeline.privacy import Privacy
from pipeline.records import FileReport, Message

__all__ = ["IngestError", "Ingested", "chat_name", "expand_inputs", "message_id", "read_exports"]

Parser = Callable[..., Parsed]
# format -> (platform, parser). `--format` picks one; "auto" sniffs.
PARSERS: dict[str, tuple[str, Parser]] = {
    "whatsapp": ("whatsapp", parse_whatsapp),
    "line": ("line", parse_line),
    "telegram": ("telegram", parse_telegram),
    "transcript": ("transcript", parse_transcript),
    "csv": ("table", parse_csv),
    "jsonl": ("table", parse_jsonl),
    "parquet": ("table", parse_parquet),
}


# Files people save from other programs, which may be in an older encoding.
LEGACY_ENCODING_FORMATS = ("transcript", "csv", "jsonl")


def sniff_format(document: Document) -> str:
    """The export's format from its name and its first lines."""
    if document.suffix == "parquet" or document.prefix(4) == b"PAR1":
        return "parquet"
    if document.suffix in ("csv", "jsonl"):
        return document.suffix
    if document.suffix == "json" or looks_like_telegram(document):
        return "telegram"
    lines = document.head(SNIFF_LINES)
    if looks_like_line(lines):
        return "line"
    if sniff_layout(lines):
        return "whatsapp"
    if looks_like_transcript(lines):
        return "transcript"
    raise IngestError(
        document.source,
        1,
        "no recognisable chat format (WhatsApp, LINE, Telegram JSON, transcript or table)",
    )


# Records handed on at a time while an export is read.
BATCH = 10_000
# Formats whose reader streams its messages: the members' names must be learned first.
STREAMING = ("whatsapp",)

Sink = Callable[[list[Message]], None]


@dataclass
class Ingested:
    """What reading the inputs gave: the ledger of each file and the counts. The
    messages themselves went to the sink they were read into (`messages`, unless
    another was given)."""

    messages: list[Message] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    duplicates: int = 0
    records: Counter[str] = field(default_factory=Counter)  # records kept, by kind

    @property
    def errors(self) -> list[FileReport]:
        return [report for report in self.reports if report.error]

    def tell(self, stage) -> None:
        """Mark the progress stage that read these inputs: failed when no message came
        of them, warned when some input could not be read."""
        failed, read = len(self.errors), len(self.reports)
        if not self.records.total():
            stage.fail(f"no messages in {read} input(s); {failed} could not be read")
        elif failed:
            stage.warn(f"{failed} of {read} inputs could not be read")


def read_export(path: Path, config: IngestConfig, privacy: Privacy, sink: Sink) -> FileReport:
    """The export's records, in order, handed to `sink` a batch at a time, and its
    ledger. An export that cannot be read raises IngestError before any record."""
    return read_document(open_document(path), config, privacy, sink)


def read_document(
    document: Document, config: IngestConfig, privacy: Privacy, sink: Sink
) -> FileReport:
    """`read_export` of a document opened already (a file, or text found elsewhere:
    the sources of a QDA project)."""
    document.max_line_chars = config.max_line_chars
    fmt = sniff_format(document) if config.format == "auto" else config.format
    document.legacy = fmt in LEGACY_ENCODING_FORMATS
    platform, parse = PARSERS[fmt]
    learn = {"learn_authors": privacy.learns_names} if fmt in STREAMING else {}
    parsed = parse(document, date_order=config.date_order, **learn)
    # The file's name tells the chat, or else the export itself (iOS calls every export
    # _chat.txt), or else the file's name as it is.
    chat = document.chat or parsed.chat or PurePosixPath(document.name).stem
    if privacy.learns_names:  # a streaming reader learned them; a list tells them
        privacy.learn_names(
            parsed.authors if parsed.authors is not None else {m.author for m in parsed.messages}
        )
    interviewing = _interviewer([*config.interviewers, *parsed.interviewers])
    recorder = Recorder(chat, platform, document.source, privacy)
    report = FileReport(source=document.source, format=parsed.format, date_order=parsed.date_order)
    authors: set[str] = set()
    messages = iter(parsed.messages)
    while raw := list(islice(messages, BATCH)):
        for message in raw:
            interviewing(message)
        batch = recorder.record_all(raw)
        report.records.update(map(_KIND, batch))
        authors.update(map(_AUTHOR, batch))
        stamps = list(filter(None, map(_TIMESTAMP, batch)))
        if stamps:
            report.first = min(report.first or stamps[0], min(stamps))
            report.last = max(report.last, max(stamps))
        sink(batch)
    report.lines = parsed.lines
    report.skips.update(parsed.skips)
    report.kept = parsed.kept
    report.encoding = document.encoding
    report.lines_in_records = recorder.lines
    report.authors = len(authors - {""})
    return report


def _interviewer(names: Sequence[str]) -> Callable[[RawMessage], None]:
    """Turns by an interviewer (by name, or by a label such as "Interviewer") are kept
    as records of their own kind: context for quotes, never coded."""
    asking = {fold(name) for name in names} | {
        fold(p.pattern) for p in of_kind("transcript", "interviewer")
    }

    def mark(message: RawMessage) -> None:
        if message.kind == "message" and fold(message.author) in asking:
            message.kind = "interviewer"

    return mark


def read_exports(
    paths: Sequence[Path],
    config: IngestConfig,
    privacy_config: PrivacyConfig,
    sink: Sink | None = None,
) -> Ingested:
    """All messages of all readable inputs, handed to `sink` a batch at a time (into
    the result's `messages` if none is given); overlapping exports of a chat keep one
    copy of each message unless `keep_duplicates` is set."""
    privacy = Privacy(privacy_config)
    paths = expand_inputs(paths)
    result = Ingested()
    keeper = _Keeper(result, sink or result.messages.extend, not config.keep_duplicates)
    with collector_paused():
        for path in paths:
            keeper.remember = keeper.drop_seen and path is not paths[-1]
            try:
                report = read_export(path, config, privacy, keeper)
            except IngestError as err:
                result.reports.append(FileReport(source=err.source, error=str(err)))
                continue
            result.reports.append(report)
            keeper.seen.update(keeper.this_export)
            keeper.this_export = []
    return result


@dataclass
class _Keeper:
    """Hands each batch of an export's records on, without the messages an earlier
    export gave already (`drop_seen`). Ids are unique within an export (Recorder
    numbers repeats), so only those of earlier exports can repeat."""

    result: Ingested
    sink: Sink
    drop_seen: bool
    remember: bool = False  # keep this export's ids: more exports follow
    seen: set[str] = field(default_factory=set)
    this_export: list[str] = field(default_factory=list)

    def __call__(self, batch: list[Message]) -> None:
        if self.drop_seen and self.seen and not self.seen.isdisjoint(map(_ID, batch)):
            kept = [message for message in batch if message.id not in self.seen]
            self.result.duplicates += len(batch) - len(kept)
            batch = kept
        if self.remember:
            self.this_export.extend(map(_ID, batch))
        self.result.records.update(map(_KIND, batch))
        self.sink(batch)


_ID, _KIND, _AUTHOR, _TIMESTAMP = (
    attrgetter("id"),
    attrgetter("kind"),
    attrgetter("author"),
    attrgetter("timestamp"),
)
