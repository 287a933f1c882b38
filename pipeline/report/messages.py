"""messages.parquet: one row per message, with its normalised text, tokens, topic
weights and themes, as a dataset folder of Parquet parts (`part-00000.parquet`, ...)
that pandas, Polars, DuckDB and R `arrow` read as one table.

Parts are built here, a batch at a time from the in-memory records, and encoded on a
thread: Arrow releases the GIL while it encodes and compresses, so one part is encoded
beside the building of the next."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.records import MESSAGE_FIELDS, Message

if TYPE_CHECKING:
    from pipeline.model.fitted import Applied
    from pipeline.normalise import Normalised

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("chat", pa.string()),
        ("platform", pa.string()),
        ("source", pa.string()),
        ("line", pa.int64()),
        ("timestamp", pa.string()),
        ("author", pa.string()),
        ("kind", pa.string()),
        ("code", pa.string()),
        ("text", pa.string()),
        ("lang", pa.string()),
        ("normalised", pa.string()),
        ("tokens", pa.list_(pa.string())),
        ("topic", pa.int64()),
        ("topic_weights", pa.list_(pa.float64())),
        ("themes", pa.list_(pa.string())),
        ("theme_scores", pa.list_(pa.float64())),
    ]
)


# Rows per part: a part is the unit a reader or a worker takes at a time.
PART_ROWS = 100_000


def part_name(index: int) -> str:
    """Parts sort by name in the order of their rows (the report's ties are broken so)."""
    return f"part-{index:05d}.parquet"


def dataset_parts(dataset: Path) -> list[Path]:
    """The Parquet files of a messages dataset, in row order; a run written before
    the dataset folder has one file."""
    dataset = Path(dataset)
    return sorted(dataset.glob("part-*.parquet")) if dataset.is_dir() else [dataset]


def write_messages(
    folder: Path,
    messages: Sequence[Message],
    normalised: Sequence[Normalised],
    applied: Applied,
    theme_ids: Sequence[str],
    ahead: int = 2,
) -> None:
    """The dataset folder, a part per PART_ROWS messages (one empty part when there are
    none, so the columns are still known). At most `ahead` built parts wait for their
    encoding: only a few are ever held as Arrow columns."""
    folder.mkdir()
    dominant = dominant_topic(applied.weights)
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(1, thread_name_prefix="parquet") as encoder:
        for index, start in enumerate(range(0, max(len(messages), 1), PART_ROWS)):
            while len(pending) >= ahead:
                pending.popleft().result()
            rows = slice(start, start + PART_ROWS)
            table = message_table(
                messages[rows], normalised[rows], applied, theme_ids, dominant, rows
            )
            pending.append(encoder.submit(_write_part, folder / part_name(index), table))
        while pending:
            pending.popleft().result()


def dominant_topic(weights: np.ndarray) -> np.ndarray:
    """Each message's strongest topic, -1 where it has no weight at all."""
    if weights.size == 0:
        return np.full(len(weights), -1)
    return np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)


def _write_part(path: Path, table: pa.Table) -> None:
    pq.write_table(table, path, compression="zstd")


def message_table(
    messages: Sequence[Message],
    normalised: Sequence[Normalised],
    applied: Applied,
    theme_ids: Sequence[str],
    dominant: np.ndarray,
    rows: slice,
) -> pa.Table:
    """The rows `rows` of messages.parquet (`messages` and `normalised` are those rows
    already), built column by column from the arrays: a million rows of Python dicts
    would cost more than the rest of the report."""
    weights, scores = applied.weights[rows], applied.scores[rows]
    n, k = weights.shape
    t = scores.shape[1]
    columns: dict[str, pa.Array] = {
        name: pa.array(list(map(attrgetter(name), messages)), type=SCHEMA.field(name).type)
        for name in MESSAGE_FIELDS
    }
    token_lists = [x.tokens for x in normalised]
    token_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(t) for t in token_lists], out=token_offsets[1:])
    row, col = np.nonzero(applied.assigned[rows])
    columns.update(
        {
            "lang": pa.array([x.lang for x in normalised], type=pa.string()),
            "normalised": pa.array([x.text for x in normalised], type=pa.string()),
            # one flat string array and offsets: faster than converting a list per row
            "tokens": _list_column(
                pa.array(list(chain.from_iterable(token_lists)), type=pa.string()), token_offsets
            ),
            "topic": pa.array(dominant[rows].astype(np.int64)),
            "topic_weights": _list_column(np.round(weights, 6).ravel(), np.arange(0, n * k + 1, k)),
            "themes": _list_column(
                pa.array(np.asarray(theme_ids, dtype=object)[col], type=pa.string()),
                np.searchsorted(row, np.arange(n + 1)),
            ),
            "theme_scores": _list_column(np.round(scores, 6).ravel(), np.arange(0, n * t + 1, t)),
        }
    )
    return pa.table(columns, schema=SCHEMA)


def _list_column(values, offsets: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)
