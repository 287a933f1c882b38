"""Normalise many texts on every core when there are enough of them to pay for it.

Each worker gets contiguous chunks and results come back in input order, so the output
is the same as a single-process run (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from itertools import chain

from pipeline.engine.collector import collector_paused
from pipeline.engine.forked import can_fork, forked_map, worker_count
from pipeline.normalise import Normalised, Normaliser

CHUNK = 5_000


def _normalise_chunk(
    normaliser: Normaliser, texts: Sequence[str]
) -> list[tuple[str, list[str], str]]:
    # plain tuples: a named tuple pickles through __reduce_ex__, five times slower
    return list(map(normaliser.resolve, texts))


def normalise_all(
    texts: Sequence[str],
    normaliser: Normaliser,
    *,
    workers: int = 0,
    min_parallel: int = 50_000,
    known: Mapping[str, Normalised] | None = None,
) -> list[Normalised]:
    """Each distinct text is normalised once (groups repeat "siap bu" and "aamiin"
    thousands of times) and its result shared by its repeats, in input order. Texts in
    `known` (normalised already, by a prefetch) are taken from there."""
    known = known or {}
    with collector_paused():
        # Each text's place among the distinct ones, found in the one pass that finds
        # them: then repeats take their result by index, with no second dictionary of
        # results to build and look up (0.93 -> 0.48 s over the 1M bench's texts).
        place: dict[str, int] = {}
        order = [place.setdefault(text, len(place)) for text in texts]
        todo = [text for text in place if text not in known]
        normalised = _normalise_distinct(todo, normaliser, workers, min_parallel)
        if known:
            fresh = iter(normalised)
            normalised = [known[text] if text in known else next(fresh) for text in place]
        return [normalised[i] for i in order]


def _normalise_distinct(
    texts: Sequence[str], normaliser: Normaliser, workers: int, min_parallel: int
) -> list[Normalised]:
    """`workers` 0 means one per core; below `min_parallel` texts one process is faster."""
    workers = worker_count(workers)
    if workers == 1 or len(texts) < min_parallel or not can_fork():
        return [normaliser(text) for text in texts]
    # A warm-up, in which both workers normalised the first 20k texts and handed back
    # their Sastrawi stems before the main map, paid while the per-message join was
    # Python; with the join in C it no longer does (1M bench, alternating: 11.9-18.6 s
    # with it, 12.6-17.0 s without).
    parts = forked_map(_normalise_chunk, normaliser, _chunked(texts, CHUNK), workers)
    # tuple.__new__ mapped in C: Normalised._make is a Python call per result
    return list(map(partial(tuple.__new__, Normalised), chain.from_iterable(parts)))


def _chunked(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]
