"""A run's data on disk, in Parquet parts of PART_ROWS messages each, so that no stage
holds every message: the records ingest gives (`records/`), their normalised forms
(`normalised/`) and the messages dataset the run hands to its users
(`messages.parquet/`, the records, normalised forms and themes side by side).

A part is the unit of work: a worker reads the parts of its task and writes its own,
the same files whoever does the work, so the result does not depend on how many
workers there were. Parts of one index hold the same rows in every folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import EngineConfig
from pipeline.engine.queries import duckdb_connection
from pipeline.records import MESSAGE_FIELDS, Message

if TYPE_CHECKING:
    from pipeline.model.fitted import Applied

# the records as ingest gives them: every field a string but the line number
RECORD_SCHEMA = pa.schema(
    [(name, pa.int64() if name == "line" else pa.string()) for name in MESSAGE_FIELDS]
)
NORMALISED_SCHEMA = pa.schema(
    [("lang", pa.string()), ("normalised", pa.string()), ("tokens", pa.list_(pa.string()))]
)
APPLIED_SCHEMA = pa.schema(
    [
        ("topic", pa.int64()),
        ("topic_weights", pa.list_(pa.float64())),
        ("themes", pa.list_(pa.string())),
        ("theme_scores", pa.list_(pa.float64())),
        # how sure the model is of the message's themes (or of its having none), 0-1
        ("confidence", pa.float64()),
    ]
)
# messages.parquet: one row per message
SCHEMA = pa.schema([*RECORD_SCHEMA, *NORMALISED_SCHEMA, *APPLIED_SCHEMA])

# Rows per part: a part is the unit a reader or a worker takes at a time.
PART_ROWS = 100_000
MESSAGES = "messages.parquet"


def part_name(index: int) -> str:
    """Parts sort by name in the order of their rows (the report's ties are broken so)."""
    return f"part-{index:05d}.parquet"


def dataset_parts(dataset: Path) -> list[Path]:
    """The Parquet files of a messages dataset, in row order; a run written before
    the dataset folder has one file."""
    dataset = Path(dataset)
    return sorted(dataset.glob("part-*.parquet")) if dataset.is_dir() else [dataset]


@dataclass(frozen=True)
class Part:
    """The files of one part of a run's workspace, and how many rows they hold."""

    workspace: Path
    index: int
    rows: int

    def _file(self, folder: str) -> str:
        return str(self.workspace / folder / part_name(self.index))

    @property
    def records(self) -> str:
        return self._file("records")

    @property
    def normalised(self) -> str:
        """A folder of the part's normalised rows, written in NORMALISED_SPLITS slices
        by as many tasks (read whole by `read_table`)."""
        return self._file("normalised")

    @property
    def messages(self) -> str:
        return self._file(MESSAGES)


class PartWriter:
    """Records, handed over in batches as they are read, into the workspace's record
    parts of PART_ROWS rows each; only those a model reads (kind `message`) are kept,
    the rest live on in the ledger's counts. Each part written is handed to `on_part`
    (the next stage may start on it). `close` gives the parts (one empty part when there
    were no messages, so that every later folder has its columns)."""

    def __init__(self, workspace: Path, on_part: Callable[[Part], None] | None = None):
        self.workspace, self.on_part = workspace, on_part
        for folder in ("records", "normalised", MESSAGES):
            (workspace / folder).mkdir()
        self.parts: list[Part] = []
        self.pending: list[Message] = []

    def __call__(self, batch: Sequence[Message]) -> None:
        self.pending.extend(m for m in batch if m.kind == "message")
        while len(self.pending) >= PART_ROWS:
            self._write(self.pending[:PART_ROWS])
            del self.pending[:PART_ROWS]

    def close(self) -> list[Part]:
        if self.pending or not self.parts:
            self._write(self.pending)
            self.pending = []
        return self.parts

    def _write(self, rows: Sequence[Message]) -> None:
        part = Part(self.workspace, len(self.parts), len(rows))
        write_part(part.records, record_table(rows))
        if self.on_part is not None:
            self.on_part(part)
        self.parts.append(part)


def sorted_values(folder: Path, column: str, engine: EngineConfig | None = None) -> Iterator[str]:
    """A column of every part of a folder, sorted (as Python sorts ASCII text), read a
    batch at a time: DuckDB sorts beyond memory where it must."""
    with duckdb_connection(engine) as db:
        cursor = db.execute(
            f'SELECT "{column}" FROM read_parquet(?) ORDER BY 1', [str(folder / "*.parquet")]
        )
        while rows := cursor.fetchmany(10_000):
            yield from (row[0] for row in rows)


def write_records(workspace: Path, messages: Sequence[Message]) -> list[Part]:
    """The messages as the workspace's record parts, all at once."""
    writer = PartWriter(workspace)
    writer(messages)
    return writer.close()


def write_part(path: str | Path, table: pa.Table) -> None:
    pq.write_table(table, path, compression="zstd")


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """A part's file, or a folder of its slices (`slice_name`) read as one table."""
    path = Path(path)
    if not path.is_dir():
        return pq.read_table(path, columns=columns)
    slices = sorted(path.glob("rows-*.parquet"))
    return pa.concat_tables(pq.read_table(piece, columns=columns) for piece in slices)


def read_column(path: str | Path, name: str) -> pa.ChunkedArray:
    return read_table(path, [name]).column(name)


# A part is normalised by this many tasks, each a slice of its rows: on two workers
# the 9.4 parts of a million messages end 5 parts to 4.4 apart; 18.8 slices, 9.4 each.
NORMALISED_SPLITS = 2


def row_slices(rows: int) -> list[tuple[int, int]]:
    """The part's rows as NORMALISED_SPLITS slices [start, stop) (one when empty)."""
    bounds = [rows * k // NORMALISED_SPLITS for k in range(NORMALISED_SPLITS + 1)]
    return [(a, b) for a, b in pairwise(bounds) if b > a] or [(0, 0)]


def slice_name(start: int) -> str:
    """Slices sort by name in the order of their rows."""
    return f"rows-{start:09d}.parquet"


def record_table(messages: Sequence[Message]) -> pa.Table:
    """Built column by column: a million rows of Python dicts would cost more than the
    stages that read them."""
    return pa.table(
        {f.name: pa.array(list(map(attrgetter(f.name), messages)), f.type) for f in RECORD_SCHEMA},
        schema=RECORD_SCHEMA,
    )


def normalised_table(normalised: Sequence[Sequence]) -> pa.Table:
    """From (normalised text, tokens, language) rows."""
    token_lists = [n[1] for n in normalised]
    offsets = np.zeros(len(token_lists) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in token_lists], out=offsets[1:])
    columns = {
        "lang": pa.array([n[2] for n in normalised], pa.string()),
        "normalised": pa.array([n[0] for n in normalised], pa.string()),
        # one flat string array and offsets: faster than converting a list per row
        "tokens": _list_column(
            pa.array(list(chain.from_iterable(token_lists)), pa.string()), offsets
        ),
    }
    return pa.table(columns, schema=NORMALISED_SCHEMA)


def applied_table(applied: Applied, theme_ids: Sequence[str]) -> pa.Table:
    """The model's reading of the rows: their dominant topic, weights, themes, scores."""
    weights, scores = applied.weights, applied.scores
    n, k = weights.shape
    t = scores.shape[1]
    row, col = np.nonzero(applied.assigned)
    columns = {
        "topic": pa.array(dominant_topic(weights).astype(np.int64)),
        "topic_weights": _list_column(np.round(weights, 6).ravel(), np.arange(0, n * k + 1, k)),
        "themes": _list_column(
            pa.array(np.asarray(theme_ids, dtype=object)[col], pa.string()),
            np.searchsorted(row, np.arange(n + 1)),
        ),
        "theme_scores": _list_column(np.round(scores, 6).ravel(), np.arange(0, n * t + 1, t)),
        "confidence": pa.array(
            np.full(n, np.nan) if applied.confidence is None else np.round(applied.confidence, 4),
            pa.float64(),
            from_pandas=True,  # NaN (a model that did not measure it) as null
        ),
    }
    return pa.table(columns, schema=APPLIED_SCHEMA)


def dominant_topic(weights: np.ndarray) -> np.ndarray:
    """Each message's strongest topic, -1 where it has no weight at all."""
    if weights.size == 0:
        return np.full(len(weights), -1)
    return np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)


def message_table(records: pa.Table, normalised: pa.Table, applied: pa.Table) -> pa.Table:
    """A part of messages.parquet from the same rows' three tables."""
    columns = [*records.columns, *normalised.columns, *applied.columns]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _list_column(values, offsets: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)
