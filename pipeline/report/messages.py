"""messages.parquet: one row per message, with its normalised text, tokens, topic
weights and themes.

Row groups are built here, a batch at a time from the in-memory records, and encoded
on a thread: Arrow releases the GIL while it encodes and compresses, so the encoding
runs on the other core beside the building and beside whatever the caller does next
(the rest of the report). A forked process would do the same but copy the parent's
heap as it reads the records (1M messages: 0.7 GB more in all)."""

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
from pipeline.report.data import dominant_topic

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


class MessagesFile:
    """`start` builds every row group and queues it for encoding; `finish` waits for
    the encoding and closes the file. A row group per `batch` messages, and at most
    `ahead` built ones waiting, so only a few batches are ever held as Arrow columns
    (the whole table at 1M messages was 700 MB more)."""

    def __init__(self, path: Path):
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="parquet")
        self._pending: deque[Future[None]] = deque()

    @classmethod
    def start(
        cls,
        path: Path,
        messages: Sequence[Message],
        normalised: Sequence[Normalised],
        applied: Applied,
        theme_ids: Sequence[str],
        batch: int = 100_000,
        ahead: int = 4,
    ) -> MessagesFile:
        file = cls(path)
        try:
            dominant = dominant_topic(applied.weights)
            for start in range(0, max(len(messages), 1), batch):
                while len(file._pending) >= ahead:
                    file._pending.popleft().result()
                rows = slice(start, start + batch)
                table = message_table(
                    messages[rows], normalised[rows], applied, theme_ids, dominant, rows
                )
                file._pending.append(file._encoder.submit(file._writer.write_table, table))
        except BaseException:
            file.finish()
            raise
        return file

    def finish(self) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._encoder.shutdown()
            self._writer.close()


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
