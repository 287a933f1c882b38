"""Applying a fitted model to a batch of normalised texts: the one path by which `run`,
`apply` and `batch` score messages."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from pipeline.engine.cluster import Engine
from pipeline.model.classify import SCORE_CHUNK
from pipeline.model.fitted import Applied, ThemeModel
from pipeline.normalise import Normalised

_APPLIED = ("weights", "scores", "assigned")


def apply_distinct(
    model: ThemeModel,
    texts: Sequence[str],
    normalised: Sequence[Normalised],
    engine: Engine | None = None,
) -> tuple[sp.csr_matrix, np.ndarray, Applied]:
    """The TF-IDF rows of the distinct `texts`, how many texts each stands for, and
    every text's themes (`normalised[i]` is `texts[i]` normalised). Each distinct text
    is read once: `apply` works row by row, so a repeat gets exactly what its first
    occurrence got. Enough distinct texts are split over the engine's workers (the model
    sent to each once), in chunks that give the same bits as one process (tested)."""
    first, inverse = distinct_rows(texts)
    chosen = [normalised[i] for i in first]
    if engine is not None and engine.parallel_for(len(chosen)):
        chunks = [chosen[i : i + SCORE_CHUNK] for i in range(0, len(chosen), SCORE_CHUNK)]
        parts = engine.map(_apply_chunk, model, chunks, items=len(chosen))
        X = sp.vstack([x for x, _ in parts], format="csr")
        applied = Applied(*(np.vstack([getattr(a, f) for _, a in parts]) for f in _APPLIED))
    else:
        X, applied = _apply_chunk(model, chosen)
    expanded = Applied(*(getattr(applied, f)[inverse] for f in _APPLIED))
    return X, np.bincount(inverse, minlength=len(first)), expanded


def _apply_chunk(model: ThemeModel, chunk: Sequence[Normalised]) -> tuple[sp.csr_matrix, Applied]:
    # by position: on a worker the Normalised tuples arrive as lists [text, tokens, lang]
    X = model.vectoriser_.transform([n[1] for n in chunk])
    return X, model.apply_matrix(X, [n[0] for n in chunk])


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
