"""How well a fitted model agrees with labels it was not fitted on: held-out seeds,
held-out everyday texts, and stratified cross-validation over the whole seed set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.engine.cluster import Engine
from pipeline.model.confidence import confidence_check, theme_confidence
from pipeline.model.fitted import ThemeModel
from pipeline.model.folds import deal_folds
from pipeline.model.metrics import theme_agreement
from pipeline.model.study import SeedMessage, label_matrix
from pipeline.model.vectorise import TermTotals, Vectoriser
from pipeline.normalise import Normaliser

if TYPE_CHECKING:
    from pipeline.model.background import BackgroundText


def evaluate_model(model: ThemeModel, items: Sequence[SeedMessage], normaliser: Normaliser) -> dict:
    """Agreement with the items' labels, and how often the model was right at each
    level of its confidence."""
    applied = model.apply([normaliser(item.text) for item in items])
    truth = label_matrix(items, model.theme_ids)
    result = theme_agreement(truth, applied.assigned, model.theme_ids)
    at, share = model.confidence_
    if at is not None:
        # each theme given, by its confidence, and whether the labels hold it
        claimed = theme_confidence(applied.scores, at, share)[applied.assigned]
        result["confidence"] = confidence_check(claimed, truth[applied.assigned])
    return result


def everyday_claims(
    model: ThemeModel, texts: Sequence[BackgroundText], normaliser: Normaliser
) -> dict[str, object]:
    """The share of everyday texts (which carry no theme) given one, overall and by
    source: the rate at which the model claims a theme where there is none."""
    assigned = model.apply([normaliser(b.text) for b in texts]).assigned
    claimed = assigned.any(axis=1)
    source_of = np.array([b.source for b in texts])
    by_source = {
        source: round(float(claimed[source_of == source].mean()), 4)
        for source in sorted(set(source_of))
    }
    return {
        "texts": len(texts),
        "given_a_theme": round(float(claimed.mean()), 4),
        "by_source": by_source,
        "by_theme": {t: int(n) for t, n in zip(model.theme_ids, assigned.sum(axis=0), strict=True)},
    }


def evaluate_labelled(
    model: ThemeModel, items: Sequence[SeedMessage], normaliser: Normaliser
) -> dict[str, object]:
    """Agreement with labelled messages, and the share of the model's held-out everyday
    texts given a theme (`guyub evaluate FILE`)."""
    from pipeline.model.study import load_everyday

    result = evaluate_model(model, items, normaliser)
    held_out = [b for b in load_everyday(model.config.themes) if b.split == "test"]
    if held_out:
        result["everyday_test"] = everyday_claims(model, held_out, normaliser)
    return result


def held_out_metrics(
    model: ThemeModel,
    seeds: Sequence[SeedMessage],
    everyday: Sequence[BackgroundText],
    normaliser: Normaliser,
) -> dict[str, object]:
    """The model's agreement with the test splits of the seeds and the everyday texts."""
    metrics: dict[str, object] = {}
    held_out = [s for s in seeds if s.split == "test"]
    if held_out:
        metrics["seed_test"] = evaluate_model(model, held_out, normaliser)
    held_out_everyday = [b for b in everyday if b.split == "test"]
    if held_out_everyday:
        metrics["everyday_test"] = everyday_claims(model, held_out_everyday, normaliser)
    return metrics


def seed_cross_validation(
    model: ThemeModel,
    documents: Sequence[Sequence[str]],
    seeds: Sequence[SeedMessage],
    everyday: Sequence[BackgroundText],
    normaliser: Normaliser,
    folds: int = 5,
    engine: Engine | None = None,
    corpus_size: int | None = None,
    corpus_totals: Callable[[Vectoriser], TermTotals] | None = None,
) -> dict:
    """Stratified k-fold over the whole seed set: each fold is labelled by a copy of
    `model` (unfitted; its settings) fitted on the corpus `documents` (or a sample of
    it: see `ThemeModel.fit`) and the other folds; the pooled labels are scored against
    the seeds."""
    ids = [t.id for t in model.themes]
    docs = [normaliser(s.text) for s in seeds]
    everyday_docs = [normaliser(b.text) for b in everyday if b.split == "train"]
    fold_of = deal_folds(len(seeds), folds, [s.themes[0] if s.themes else "" for s in seeds])
    predicted = np.zeros((len(seeds), len(ids)), dtype=bool)
    for fold in range(folds):
        train = np.flatnonzero(fold_of != fold)
        test = np.flatnonzero(fold_of == fold)
        fitted = model.clone().fit(
            documents,
            [seeds[i] for i in train],
            [docs[i] for i in train],
            everyday_docs,
            engine,
            corpus_size,
            corpus_totals,
        )
        predicted[test] = fitted.apply([docs[i] for i in test]).assigned
    result = theme_agreement(label_matrix(seeds, ids), predicted, ids)
    return {"folds": folds, "seeds": len(seeds), **result}
