"""What topics are fitted on: single messages or conversation segments, and the seeded
sample of them a large corpus is fitted on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import numpy as np
import pyarrow as pa

from pipeline.config import TopicsConfig
from pipeline.dataset import Part, read_column
from pipeline.engine.cluster import Engine
from pipeline.model.vectorise import TermTotals, Vectoriser
from pipeline.normalise.corpus import Corpus


def sample_rows(n: int, limit: int, seed: int) -> np.ndarray:
    """A seeded sample of at most `limit` of n rows (0: all), in row order."""
    if limit and n > limit:
        return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))
    return np.arange(n)


class Segmenter:
    """Told the messages in order, says which start a conversation segment: a run of
    consecutive messages of one chat, each within `gap_minutes` of the one before.
    Messages without a time are their own segment."""

    def __init__(self, gap_minutes: float):
        self.gap_seconds = gap_minutes * 60
        self.previous: tuple[str, datetime] | None = None

    def starts(self, chat: str, timestamp: str) -> bool:
        moment = datetime.fromisoformat(timestamp) if timestamp else None
        close = (
            moment is not None
            and self.previous is not None
            and self.previous[0] == chat
            and 0 <= (moment - self.previous[1]).total_seconds() <= self.gap_seconds
        )
        self.previous = (chat, moment) if moment else None
        return not close


def fitting_units(corpus: Corpus, topics: TopicsConfig) -> list[list[str]]:
    """What topics are fitted on: single messages, or conversation segments."""
    if topics.unit == "segment":
        return segments(corpus, topics.segment_gap_minutes)
    return corpus.tokens


def segments(corpus: Corpus, gap_minutes: float) -> list[list[str]]:
    """The corpus's conversation segments, each its messages' tokens joined."""
    segmenter = Segmenter(gap_minutes)
    joined: list[list[str]] = []
    for message, tokens in zip(corpus.messages, corpus.tokens, strict=True):
        if segmenter.starts(message.chat, message.timestamp):
            joined.append(list(tokens))
        else:
            joined[-1].extend(tokens)
    return joined


@dataclass(frozen=True)
class PartUnits:
    """Which units a part's rows belong to: unit `first` and on, a new one at each row
    where `starts` is true (None: one unit per row). The first row may continue a
    segment an earlier part began; then `starts[0]` is false."""

    first: int
    starts: np.ndarray | None

    def unit_of_rows(self, rows: int) -> np.ndarray:
        """Each row's unit, counted from this part's first unit (0)."""
        if self.starts is None:
            return np.arange(rows, dtype=np.int64)
        return np.cumsum(self.starts, dtype=np.int64) - int(self.starts[0])


def unit_layout(parts: Sequence[Part], topics: TopicsConfig) -> tuple[list[PartUnits], int]:
    """Where each part's units begin, and how many units there are in all."""
    layout: list[PartUnits] = []
    if topics.unit != "segment":
        offset = 0
        for part in parts:
            layout.append(PartUnits(offset, None))
            offset += part.rows
        return layout, offset
    segmenter = Segmenter(topics.segment_gap_minutes)
    n = 0
    for part in parts:
        chats = read_column(part.records, "chat").to_pylist()
        stamps = read_column(part.records, "timestamp").to_pylist()
        starts = np.fromiter(map(segmenter.starts, chats, stamps), dtype=bool, count=part.rows)
        first = n if starts[0] else n - 1
        layout.append(PartUnits(first, starts))
        n += int(starts.sum())
    return layout, n


def sample_units(
    parts: Sequence[Part], layout: Sequence[PartUnits], n: int, topics: TopicsConfig
) -> list[list[str]]:
    """The units of a run's parts that the topics are fitted on: the same seeded sample
    `fit` would draw from all `n` of them (laid out over the parts as `unit_layout`
    says). Only the sample's tokens are read into this process."""
    chosen = sample_rows(n, topics.fit_sample, topics.random_state)
    units: list[list[str]] = []
    last = -1
    for part, where in zip(parts, layout, strict=True):
        unit = where.first + where.unit_of_rows(part.rows)
        rows = np.flatnonzero(np.isin(unit, chosen, assume_unique=False))
        if not len(rows):
            continue
        tokens = read_column(part.normalised, "tokens").take(rows).to_pylist()
        for u, row_tokens in zip(unit[rows].tolist(), tokens, strict=True):
            if u != last:
                units.append([])
                last = u
            units[-1].extend(row_tokens)
    return units


def corpus_totals(
    parts: Sequence[Part], layout: Sequence[PartUnits], engine: Engine
) -> Callable[[Vectoriser], TermTotals]:
    """Counts of candidate terms over all the units of a run's parts: a map over the
    parts (each counts the units wholly inside it), summed here. A part's first and
    last units may run into the parts beside it (a segment across an edge, whose
    bigrams cross it too): their tokens come back, are joined and counted here."""

    def count(candidates: Vectoriser) -> TermTotals:
        jobs = [
            (part.normalised, where.first, where.starts)
            for part, where in zip(parts, layout, strict=True)
        ]
        counted = engine.map(_part_totals, candidates, jobs, items=sum(p.rows for p in parts))
        edges: dict[int, list[str]] = {}
        for _, ends in counted:
            for unit, tokens in ends:
                edges.setdefault(unit, []).extend(tokens)
        inner = (totals for totals, _ in counted)
        return sum(inner, candidates.totals(list(edges.values())))

    return count


def _part_totals(
    candidates: Vectoriser, job: tuple[str, int, np.ndarray | None]
) -> tuple[TermTotals, list[tuple[int, list[str]]]]:
    """A part's totals over the units wholly inside it, and the tokens of its first
    and last units by their numbers."""
    path, first, starts = job
    tokens = read_column(path, "tokens")
    unit = PartUnits(first, None if starts is None else np.asarray(starts)).unit_of_rows(
        len(tokens)
    )
    # a segment's messages joined, as `segments` joins them
    X = candidates.table_counts(tokens, None if starts is None else unit)
    n = X.shape[0]
    ends = sorted({0, n - 1})
    edges = [
        (first + u, list(chain.from_iterable(tokens.filter(pa.array(unit == u)).to_pylist())))
        for u in ends
    ]
    return TermTotals.of(X[1 : max(n - 1, 1)], n - len(ends)), edges
