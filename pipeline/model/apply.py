"""Applying a fitted model to normalised texts: a run's parts (each worker reads its
parts and writes their rows of the messages dataset), or texts in memory (`batch`).
Both read each distinct text once and score it with `ThemeModel.apply_matrix`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from pipeline.config import EngineConfig
from pipeline.dataset import Part, applied_table, message_table, read_table, write_part
from pipeline.engine.cluster import IN_PROCESS, Engine
from pipeline.model.classify import SCORE_CHUNK
from pipeline.model.fitted import Applied, ThemeModel
from pipeline.model.metrics import TermCounts, quality_terms
from pipeline.normalise import Normalised

_APPLIED = ("weights", "scores", "assigned", "confidence")


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
        applied = Applied(*(np.concatenate([getattr(a, f) for _, a in parts]) for f in _APPLIED))
    else:
        X, applied = _apply_chunk(model, chosen)
    expanded = Applied(*(getattr(applied, f)[inverse] for f in _APPLIED))
    return X, np.bincount(inverse, minlength=len(first)), expanded


def _apply_chunk(model: ThemeModel, chunk: Sequence[Normalised]) -> tuple[sp.csr_matrix, Applied]:
    # by position: on a worker the Normalised tuples arrive as lists [text, tokens, lang]
    # bit for bit the same in one call or in chunks of SCORE_CHUNK rows (the model's
    # products are blocked so)
    X = model.vectoriser_.transform([n[1] for n in chunk])
    return X, model.apply_matrix(X, [n[0] for n in chunk])


def apply_parts(
    model: ThemeModel, parts: Sequence[Part], engine: Engine | None = None
) -> tuple[TermCounts, int]:
    """Each part's messages read by the model into its part of the messages dataset;
    the counts topic quality is measured from, and how many messages got a theme."""
    shared = (model, quality_terms(model))
    jobs = [(part.records, part.normalised, part.messages) for part in parts]
    engine = engine or Engine(EngineConfig(scheduler=IN_PROCESS))
    results = engine.map(_apply_part, shared, jobs, items=sum(part.rows for part in parts))
    counts = [c for c, _ in results]
    return sum(counts[1:], counts[0]), sum(n for _, n in results)


def _apply_part(
    shared: tuple[ThemeModel, list[int]], job: tuple[str, str, str]
) -> tuple[TermCounts, int]:
    model, terms = shared
    records_path, normalised_path, messages_path = job
    records, normalised = read_table(records_path), read_table(normalised_path)
    first, inverse = distinct_rows(records.column("text").to_pylist())
    chosen = normalised.take(first)
    X = model.vectoriser_.table_transform(chosen.column("tokens"))
    applied = model.apply_matrix(X, chosen.column("normalised").to_pylist())
    expanded = Applied(*(getattr(applied, f)[inverse] for f in _APPLIED))
    table = message_table(records, normalised, applied_table(expanded, model.theme_ids))
    write_part(messages_path, table)
    counts = TermCounts.of(X, terms, np.bincount(inverse, minlength=len(first)))
    return counts, int(expanded.assigned.any(axis=1).sum())


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
