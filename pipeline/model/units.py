"""What topics are fitted on: single messages or conversation segments, and the seeded
sample of them a large corpus is fitted on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from pipeline.config import TopicsConfig
from pipeline.dataset import Part, read_column
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


def sample_units(parts: Sequence[Part], topics: TopicsConfig) -> tuple[list[list[str]], int]:
    """The units of a run's parts that the topics are fitted on (the same seeded sample
    `fit` would draw from all of them), and how many units there are in all. Only the
    sample's tokens are read into this process."""
    if topics.unit != "segment":
        n = sum(part.rows for part in parts)
        rows = sample_rows(n, topics.fit_sample, topics.random_state)
        return _tokens_of_rows(parts, rows), n
    segment = _segment_of_rows(parts, topics.segment_gap_minutes)
    n = int(segment[-1]) + 1 if len(segment) else 0
    chosen = sample_rows(n, topics.fit_sample, topics.random_state)
    rows = np.flatnonzero(np.isin(segment, chosen))
    units: list[list[str]] = []
    last = -1
    for unit, tokens in zip(segment[rows].tolist(), _tokens_of_rows(parts, rows), strict=True):
        if unit != last:
            units.append([])
            last = unit
        units[-1].extend(tokens)
    return units, n


def _segment_of_rows(parts: Sequence[Part], gap_minutes: float) -> np.ndarray:
    """Each row's segment number, counted over the parts in order."""
    segmenter = Segmenter(gap_minutes)
    starts: list[bool] = []
    for part in parts:
        chats = read_column(part.records, "chat").to_pylist()
        stamps = read_column(part.records, "timestamp").to_pylist()
        starts.extend(map(segmenter.starts, chats, stamps))
    return np.cumsum(starts, dtype=np.int64) - 1


def _tokens_of_rows(parts: Sequence[Part], rows: np.ndarray) -> list[list[str]]:
    """The tokens of the rows (indices over all parts, in order)."""
    tokens: list[list[str]] = []
    offset = 0
    for part in parts:
        local = rows[(rows >= offset) & (rows < offset + part.rows)] - offset
        if len(local):
            tokens.extend(read_column(part.normalised, "tokens").take(local).to_pylist())
        offset += part.rows
    return tokens
