"""Normalise many texts, on the engine's workers when there are enough of them to pay
for it: a run's record parts (each worker reads its parts' texts and writes their
normalised forms beside them), or texts in memory.

Each distinct text (of a part) is normalised once; results keep the input order, so the
output is the same as a single-process run (tested). Workers build their normaliser
once, from its config, and keep it (its caches warm) for every part or chunk they are
given.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import lru_cache, partial
from itertools import chain
from pathlib import Path

from pipeline.config import NormaliseConfig
from pipeline.dataset import (
    Part,
    normalised_table,
    read_column,
    row_slices,
    slice_name,
    write_part,
)
from pipeline.engine.cluster import Engine, Feed
from pipeline.engine.collector import collector_paused
from pipeline.normalise import Normalised, Normaliser

CHUNK = 5_000


@lru_cache(maxsize=2)
def normaliser_for(config: NormaliseConfig) -> Normaliser:
    """The normaliser of a worker process, made once per map from the config."""
    return Normaliser(config)


class PartNormaliser:
    """Normalises a run's parts as they are written: each part's record texts into its
    normalised part. On the engine's workers (when `expected_rows` are enough to pay
    for them), each part starts as soon as it is added, while this process reads on;
    the common pieces of the first part are learned once for all workers before it.
    In this process, all of them at `finish`."""

    def __init__(self, normaliser: Normaliser, engine: Engine | None, expected_rows: int):
        self.normaliser, self.expected_rows = normaliser, expected_rows
        # the engine, when the parts go to its workers
        self.engine = engine if engine is not None and engine.parallel_for(expected_rows) else None
        self.feed = (
            self.engine.feed(_normalise_part_on_worker, normaliser.config, expected_rows)
            if self.engine is not None
            else Feed(_normalise_part, normaliser)
        )
        self.started = False

    def add(self, part: Part) -> None:
        if self.engine is not None and not self.started:
            config = self.normaliser.config
            pieces = _learn_pieces_once(part, config, self.engine, self.expected_rows)
            self.engine.on_workers(partial(_adopt_pieces, config, pieces))
        self.started = True
        for start, stop in row_slices(part.rows):
            self.feed.add((part.records, part.normalised, start, stop))

    def finish(self) -> None:
        self.feed.results()
        if self.engine is not None:
            # the workers' caches are no use to the stages after this one
            self.engine.on_workers(normaliser_for.cache_clear)


def normalise_parts(
    parts: Sequence[Part], normaliser: Normaliser, engine: Engine | None = None
) -> None:
    """Each part's record texts normalised into its normalised part."""
    normalising = PartNormaliser(normaliser, engine, sum(part.rows for part in parts))
    for part in parts:
        normalising.add(part)
    normalising.finish()


# Shares of the pieces learned apart: enough for the workers to take turns.
PIECE_SHARES = 16
# Texts of the first part whose pieces are learned before the normalising map: chat
# vocabulary is Zipfian, so a sample this size holds nearly every piece that recurs
# (and so would be learned by every worker); the rare rest is learned where met.
PIECE_SAMPLE_TEXTS = 100_000


def _learn_pieces_once(
    part: Part, config: NormaliseConfig, engine: Engine, rows: int
) -> dict[str, tuple]:
    """What the pieces of the part's first texts become, each learned by one worker.
    Without it every worker learns nearly every common piece for itself, and the words
    in them (Sastrawi's stems above all, 40% of a cold normalise): on 1M messages two
    workers did 1.5x the work of one. The pieces are taken as the texts' lowercased
    words; a piece the text steps make otherwise is learned where it is met, as are the
    pieces outside the sample. What a piece becomes depends on it alone (and the
    config), so who learned it changes nothing."""
    found = _likely_pieces(PIECE_SAMPLE_TEXTS, part.records)
    shares: list[list[str]] = [[] for _ in range(PIECE_SHARES)]
    for piece in sorted(found):
        # variants of one word ("harga", "harga,", "harga?") in one share: its word is
        # learned once too
        letters = "".join(filter(str.isalpha, piece))
        shares[zlib.crc32(letters.encode()) % PIECE_SHARES].append(piece)
    learned = engine.map(_learn_pieces, config, shares, items=rows)
    return dict(zip(chain.from_iterable(shares), chain.from_iterable(learned), strict=True))


def _likely_pieces(texts: int, records: str) -> set[str]:
    """The lowercased words of the part's first `texts` texts."""
    found: set[str] = set()
    for text in read_column(records, "text")[:texts].to_pylist():
        found.update(text.lower().split())
    return found


def _learn_pieces(config: NormaliseConfig, pieces: Sequence[str]) -> list[tuple]:
    # plain tuples: a named tuple pickles through __reduce_ex__, five times slower
    with collector_paused():
        return list(map(tuple, map(normaliser_for(config).piece, pieces)))


def _adopt_pieces(config: NormaliseConfig, pieces: dict[str, tuple]) -> None:
    normaliser_for(config).adopt_pieces(pieces)


def _normalise_part_on_worker(config: NormaliseConfig, job: tuple[str, str, int, int]) -> None:
    _normalise_part(normaliser_for(config), job)


def _normalise_part(normaliser: Normaliser, job: tuple[str, str, int, int]) -> None:
    """One slice of a part's rows normalised into its file in the part's folder."""
    records, normalised, start, stop = job
    texts = read_column(records, "text")[start:stop].to_pylist()
    folder = Path(normalised)
    folder.mkdir(exist_ok=True)
    write_part(folder / slice_name(start), normalised_table(normalise_all(texts, normaliser)))


def _normalise_chunk(
    config: NormaliseConfig, texts: Sequence[str]
) -> list[tuple[str, list[str], str]]:
    # plain tuples: a named tuple pickles through __reduce_ex__, five times slower
    with collector_paused():
        return list(map(normaliser_for(config).resolve, texts))


def normalise_all(
    texts: Sequence[str],
    normaliser: Normaliser,
    engine: Engine | None = None,
) -> list[Normalised]:
    """Each distinct text is normalised once (groups repeat "siap bu" and "aamiin"
    thousands of times) and its result shared by its repeats, in input order."""
    with collector_paused():
        # Each text's place among the distinct ones, found in the one pass that finds
        # them: then repeats take their result by index, with no second dictionary of
        # results to build and look up (0.93 -> 0.48 s over the 1M bench's texts).
        place: dict[str, int] = {}
        order = [place.setdefault(text, len(place)) for text in texts]
        normalised = _normalise_distinct(list(place), normaliser, engine)
        return [normalised[i] for i in order]


def _normalise_distinct(
    texts: Sequence[str], normaliser: Normaliser, engine: Engine | None
) -> list[Normalised]:
    if engine is None or not engine.parallel_for(len(texts)):
        return [normaliser(text) for text in texts]
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    parts = engine.map(_normalise_chunk, normaliser.config, chunks, items=len(texts))
    # the workers' caches are no use to the stages after this one: give the memory back
    engine.on_workers(normaliser_for.cache_clear)
    # tuple.__new__ mapped in C: Normalised._make is a Python call per result
    return list(map(partial(tuple.__new__, Normalised), chain.from_iterable(parts)))
