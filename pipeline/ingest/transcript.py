"""Interview transcripts: plain text `Speaker: utterance` turns (a turn may run over
several lines), and tables (CSV, JSONL, Parquet) with `author` and `text` columns and an
optional `timestamp`."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

from pipeline.ingest.common import (
    Document,
    Parsed,
    RawMessage,
    iso_timestamp,
    without_lone_surrogates,
)
from pipeline.ingest.decode import IngestError, decode_export
from pipeline.ingest.phrases import fold, of_kind

# A speaker label: a short name (letters, spaces, dots, hyphens, digits) then a colon.
SPEAKER_RE = re.compile(r"^([^\W\d_][\w .'\-]{0,40}?)\s*:\s+(.*)$")
TIMESTAMP_COLUMNS = ("timestamp", "time", "date", "datetime", "waktu", "tanggal")
AUTHOR_COLUMNS = ("author", "speaker", "name", "sender", "from", "penutur", "nama")
TEXT_COLUMNS = ("text", "message", "utterance", "content", "pesan", "teks")


def looks_like_transcript(lines: list[str]) -> bool:
    content = [line for line in lines[:200] if line.strip()]
    turns = sum(bool(SPEAKER_RE.match(line)) for line in content)
    return bool(content) and turns >= max(2, len(content) // 4)


def parse_transcript(document: Document, *, date_order: str = "auto") -> Parsed:
    """Turns of a `Speaker: text` transcript. Before the first turn, a line such as
    `Interviewer: Peneliti` (a label from phrases.tsv and one name) names who asks: it
    is the header's, not a turn, and that speaker's turns become kind "interviewer"."""
    lines, source = document.lines, document.source
    parsed = Parsed([], "transcript-text", len(lines), "none (no dates)")
    current: RawMessage | None = None
    labels = {fold(p.pattern) for p in of_kind("transcript", "interviewer")}
    for number, line in enumerate(lines, start=1):
        found = SPEAKER_RE.match(line)
        if found and not parsed.messages and _names_the_interviewer(found, labels):
            parsed.interviewers.append(found.group(2).strip())
            parsed.skip("header line naming the interviewer")
            continue
        if found:
            current = RawMessage(number, 1, "", found.group(1).strip(), "message", found.group(2))
            parsed.messages.append(current)
        elif current is not None:
            current.text += "\n" + line
            current.n_lines += 1
        elif line.strip():
            parsed.skip("text before the first speaker")
        else:
            parsed.skip("blank line before the first speaker")
    if not parsed.messages:
        raise IngestError(source, 1, "no `Speaker: text` turn found")
    for message in parsed.messages:
        message.text = message.text.strip()
    return parsed


def _names_the_interviewer(found: re.Match[str], labels: set[str]) -> bool:
    """`Interviewer: Peneliti`: an interviewer label, then one short name."""
    name = found.group(2).strip()
    return (
        fold(found.group(1).strip()) in labels
        and 0 < len(name.split()) <= 4
        and not any(mark in name for mark in "?.,!")
    )


def _pick(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {c.lower().strip(): c for c in columns}
    return next((lowered[w] for w in wanted if w in lowered), None)


def _rows_to_parsed(
    rows: list[tuple[int, dict]],
    columns: list[str],
    fmt: str,
    units: int,
    source: str,
    lines_of: Callable[[int], int] = lambda line: 1,
) -> Parsed:
    """Records from table rows (each with its first line); `lines_of` says how many
    lines the row starting at a line spans, for the ledger's skips."""
    author_col, text_col = _pick(columns, AUTHOR_COLUMNS), _pick(columns, TEXT_COLUMNS)
    time_col = _pick(columns, TIMESTAMP_COLUMNS)
    if text_col is None or author_col is None:
        raise IngestError(source, 1, f"a table needs author and text columns; found {columns}")
    parsed = Parsed([], fmt, units, "ISO timestamps" if time_col else "none (no dates)")
    for line, row in rows:
        text = row.get(text_col)
        if text is None or not str(text).strip():
            parsed.skip("row with no text", lines_of(line))
            continue
        stamp = ""
        if time_col and row.get(time_col) not in (None, ""):
            stamp = iso_timestamp(row[time_col])
            if stamp is None:
                parsed.skip(SKIP_BAD_TIMESTAMP, lines_of(line))
                continue
        author = without_lone_surrogates(str(row.get(author_col) or ""))
        parsed.messages.append(
            RawMessage(line, 1, stamp, author, "message", without_lone_surrogates(str(text)))
        )
    return parsed


SKIP_BAD_TIMESTAMP = "row whose timestamp is no ISO date and time"


def parse_csv(document: Document, *, date_order: str = "auto") -> Parsed:
    text, _ = decode_export(document.content, document.source, legacy=document.legacy)
    # strict: a quote never closed is an error, not the rest of the file in one cell
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    spans: list[tuple[int, int, dict]] = []  # first line, last line, row
    header_end = 0
    try:
        columns = list(reader.fieldnames or [])
        header_end = reader.line_num
        for row in reader:
            # csv skips blank lines silently: they join the span of the row after them
            first = spans[-1][1] + 1 if spans else header_end + 1
            spans.append((first, reader.line_num, row))
    except csv.Error as err:
        row_start = spans[-1][1] + 1 if spans else header_end + 1
        reason = (
            "a quoted cell that starts in this row is never closed"
            if "end of data" in str(err)
            else f"bad CSV ({err})"
        )
        raise IngestError(document.source, row_start, reason) from None
    rows = [(first, row) for first, _, row in spans]
    length = {first: last - first + 1 for first, last, _ in spans}  # a quoted cell may span lines
    parsed = _rows_to_parsed(
        rows, columns, "table-csv", len(document.lines), document.source, length.__getitem__
    )
    for message in parsed.messages:
        message.n_lines = length[message.line]
    parsed.skip("header row", header_end)
    return parsed


def parse_jsonl(document: Document, *, date_order: str = "auto") -> Parsed:
    lines = document.lines
    rows, columns = [], []
    blank = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            blank += 1
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise IngestError(document.source, number, f"not a JSON object ({err.msg})") from None
        except (RecursionError, ValueError) as err:  # nested too deep, a 5,000-digit number
            raise IngestError(document.source, number, f"unreadable JSON ({err})") from None
        if not isinstance(row, dict):
            raise IngestError(document.source, number, "not a JSON object")
        rows.append((number, row))
        columns.extend(c for c in row if c not in columns)
    parsed = _rows_to_parsed(rows, columns, "table-jsonl", len(lines), document.source)
    if blank:
        parsed.skip("blank line", blank)
    return parsed


def parse_parquet(document: Document, *, date_order: str = "auto") -> Parsed:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(document.content))
    except (pa.ArrowInvalid, OSError) as err:
        raise IngestError(document.source, 1, f"not a readable Parquet file ({err})") from None
    rows = [(i + 1, row) for i, row in enumerate(table.to_pylist())]
    return _rows_to_parsed(
        rows, table.column_names, "table-parquet", table.num_rows, document.source
    )
