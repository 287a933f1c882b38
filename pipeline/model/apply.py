"""Applying a fitted model to a batch of normalised texts: the one path by which `run`,
`apply` and `batch` score messages."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from pipeline.config import EngineConfig
from pipeline.engine.forked import can_fork, forked_map, worker_count
from pipeline.model.classify import SCORE_CHUNK
from pipeline.model.fitted import Applied, ThemeModel
from pipeline.normalise import Normalised

_APPLIED = ("weights", "scores", "assigned")


def apply_distinct(
    model: ThemeModel,
    texts: Sequence[str],
    normalised: Sequence[Normalised],
    engine: EngineConfig | None = None,
) -> tuple[sp.csr_matrix, np.ndarray, Applied]:
    """The TF-IDF rows of the distinct `texts`, how many texts each stands for, and
    every text's themes (`normalised[i]` is `texts[i]` normalised). Each distinct text
    is read once: `apply` works row by row, so a repeat gets exactly what its first
    occurrence got. Enough distinct texts are split over the engine's workers, in chunks
    that give the same bits as one process (tested)."""
    engine = engine or EngineConfig(workers=1)
    first, inverse = distinct_rows(texts)
    chosen = [normalised[i] for i in first]
    workers = worker_count(engine.workers)
    if workers > 1 and len(chosen) >= engine.min_parallel and can_fork():
        spans = [(i, i + SCORE_CHUNK) for i in range(0, len(chosen), SCORE_CHUNK)]
        parts = forked_map(_apply_span, (model, chosen), spans, workers)
        X = sp.vstack([x for x, _ in parts], format="csr")
        applied = Applied(*(np.vstack([getattr(a, f) for _, a in parts]) for f in _APPLIED))
    else:
        X, applied = _apply_span((model, chosen), (0, len(chosen)))
    expanded = Applied(*(getattr(applied, f)[inverse] for f in _APPLIED))
    return X, np.bincount(inverse, minlength=len(first)), expanded


def _apply_span(
    state: tuple[ThemeModel, list[Normalised]], span: tuple[int, int]
) -> tuple[sp.csr_matrix, Applied]:
    model, documents = state
    chunk = documents[span[0] : span[1]]
    X = model.vectoriser_.transform([n.tokens for n in chunk])
    return X, model.apply_matrix(X, [n.text for n in chunk])


def distinct_rows(keys: Iterable[Hashable]) -> tuple[list[int], np.ndarray]:
    """The first row of each distinct key, and for every row the index of its key."""
    index: dict[Hashable, int] = {}
    first: list[int] = []
    slots: list[int] = []
    for row, key in enumerate(keys):
        slot = index.setdefault(key, len(index))
        if slot == len(first):
            first.append(row)
        slots.append(slot)
    return first, np.asarray(slots, dtype=np.int64)
