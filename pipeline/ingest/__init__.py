"""Read chat exports into Message records, with a ledger of every input line.

`read_exports` is the edge where files are opened; the parsers work on lines. Every
line of an input ends up in one record or in a counted skip; a file that cannot be read
is reported with its line and the other files go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path, PurePosixPath

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.engine.collector import collector_paused
from pipeline.ingest.common import Document, Parsed
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
    if document.suffix == "parquet" or document.data[:4] == b"PAR1":
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


@dataclass
class Ingested:
    messages: list[Message] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    duplicates: int = 0

    @property
    def errors(self) -> list[FileReport]:
        return [report for report in self.reports if report.error]

    def tell(self, stage) -> None:
        """Mark the progress stage that read these inputs: failed when no message came
        of them, warned when some input could not be read."""
        failed, read = len(self.errors), len(self.reports)
        if not self.messages:
            stage.fail(f"no messages in {read} input(s); {failed} could not be read")
        elif failed:
            stage.warn(f"{failed} of {read} inputs could not be read")


def read_export(
    path: Path, config: IngestConfig, privacy: Privacy
) -> tuple[list[Message], FileReport]:
    document = open_document(path)
    document.max_line_chars = config.max_line_chars
    fmt = sniff_format(document) if config.format == "auto" else config.format
    document.legacy = fmt in LEGACY_ENCODING_FORMATS
    platform, parse = PARSERS[fmt]
    parsed = parse(document, date_order=config.date_order)
    # The file's name tells the chat, or else the export itself (iOS calls every export
    # _chat.txt), or else the file's name as it is.
    chat = document.chat or parsed.chat or PurePosixPath(document.name).stem
    _mark_interviewers(parsed, [*config.interviewers, *parsed.interviewers])
    privacy.learn_names(m.author for m in parsed.messages)
    recorder = Recorder(chat, platform, document.source, privacy)
    recorder.record_all(parsed.messages)
    messages = recorder.records
    report = FileReport(source=document.source, format=parsed.format, date_order=parsed.date_order)
    report.lines = parsed.lines
    report.skips.update(parsed.skips)
    report.kept = parsed.kept
    report.encoding = document.encoding
    report.lines_in_records = recorder.lines
    report.records.update(Counter(map(attrgetter("kind"), messages)))
    report.authors = len(set(map(attrgetter("author"), messages)) - {""})
    report.first = min(filter(None, map(_TIMESTAMP, messages)), default="")
    report.last = max(filter(None, map(_TIMESTAMP, messages)), default="")
    return messages, report


def _mark_interviewers(parsed: Parsed, names: Sequence[str]) -> None:
    """Turns by an interviewer (by name, or by a label such as "Interviewer") are kept
    as records of their own kind: context for quotes, never coded."""
    asking = {fold(name) for name in names} | {
        fold(p.pattern) for p in of_kind("transcript", "interviewer")
    }
    for message in parsed.messages:
        if message.kind == "message" and fold(message.author) in asking:
            message.kind = "interviewer"


def read_exports(
    paths: Sequence[Path], config: IngestConfig, privacy_config: PrivacyConfig
) -> Ingested:
    """All messages of all readable inputs; overlapping exports of a chat keep one copy
    of each message unless `keep_duplicates` is set."""
    privacy = Privacy(privacy_config)
    paths = expand_inputs(paths)
    result = Ingested()
    seen_ids: set[str] = set()
    with collector_paused():
        for path in paths:
            try:
                messages, report = read_export(path, config, privacy)
            except IngestError as err:
                result.reports.append(FileReport(source=err.source, error=str(err)))
                continue
            result.reports.append(report)
            if not config.keep_duplicates:
                # Ids are unique within an export (Recorder numbers repeats), so only
                # those of earlier exports can repeat here.
                if not seen_ids.isdisjoint(map(_ID, messages)):
                    kept = [message for message in messages if message.id not in seen_ids]
                    result.duplicates += len(messages) - len(kept)
                    messages = kept
                if path is not paths[-1]:
                    seen_ids.update(map(_ID, messages))
            result.messages.extend(messages)
    return result


_ID, _TIMESTAMP = attrgetter("id"), attrgetter("timestamp")
