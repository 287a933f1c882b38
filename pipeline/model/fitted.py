"""The fitted model: vocabulary, topics, and the topic-to-theme map, fitted together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from pipeline.config import EngineConfig, ModelConfig, ThemesConfig, TopicsConfig
from pipeline.engine.cluster import Engine
from pipeline.model.confidence import claim_precision, message_confidence
from pipeline.model.metrics import stability, theme_agreement
from pipeline.model.scorers import SCORERS, Training
from pipeline.model.study import SeedMessage, Theme, label_matrix
from pipeline.model.themes import (
    TopicMatcher,
    assign_themes,
    calibrate_thresholds,
    share_given_a_theme,
    theme_centroids,
)
from pipeline.model.topics import SeededNMF, corpus_term_weights, row_residuals
from pipeline.model.units import sample_rows
from pipeline.model.vectorise import TermTotals, Vectoriser

if TYPE_CHECKING:
    from pipeline.normalise import Normalised


@dataclass
class Applied:
    """A model's reading of some messages."""

    weights: np.ndarray  # message x topic
    scores: np.ndarray  # message x theme
    assigned: np.ndarray  # message x theme, bool
    # message: how sure the model is of its themes, or of having none (NaN: unmeasured)
    confidence: np.ndarray | None = None


class ThemeModel:
    """Themes for messages, in the scikit-learn habit: `ThemeModel(config, themes)`
    stores its settings (the model's config tables and the codebook's themes), `fit`
    learns and returns the model, and what it learned ends in `_`: the vectoriser, the
    seeded NMF topics, the matcher's topic themes, the scorer, the thresholds, the
    themes' claim precision (`confidence_`), the theme centroids, the topics' term
    weights and the fit's metrics."""

    # a model saved before confidence was measured has none: its messages' is NaN
    confidence_: tuple[np.ndarray, np.ndarray] | tuple[None, None] = (None, None)

    def __init__(self, config: ModelConfig, themes: Sequence[Theme]):
        self.config = config
        self.themes = list(themes)

    def clone(self) -> ThemeModel:
        """An unfitted model with the same settings."""
        return ThemeModel(self.config, self.themes)

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def fit(
        self,
        corpus: Sequence[Sequence[str]],
        seeds: Sequence[SeedMessage],
        seed_docs: Sequence[Normalised],
        everyday_docs: Sequence[Normalised] = (),
        engine: Engine | None = None,
        corpus_size: int | None = None,
        corpus_totals: Callable[[Vectoriser], TermTotals] | None = None,
    ) -> ThemeModel:
        """Fit on the corpus (the messages the topics are found in, as token lists, or
        the sample of them `units.sample_units` draws: then `corpus_size` says how many,
        and `corpus_totals` counts candidate terms over all of them), the seeds (normalised), and everyday texts that carry no theme (normalised; the
        background of `pipeline.model.background`), which the themes are told apart from.
        `engine`: where the stability refits may run while this process fits (here, after
        the fit, if none is given or the corpus is small)."""
        # One BLAS thread: the dense products here are small (K = 16 topics), and a
        # second thread only waits for the core that the stability refits keep busy
        # (200k messages: fit 7.3-7.7 s -> 5.5-6.2 s).
        with threadpool_limits(1):
            c, t = self.config.topics, self.config.themes
            # Topics are learned from a seeded sample of a large corpus (and every seed),
            # and the vocabulary's candidate terms come from it; which terms are kept,
            # and their IDF, from the whole corpus. Every message is scored in `apply`.
            rows = _sample_rows(len(corpus), 0, c.fit_sample, c.random_state)
            seed_tokens = [d.tokens for d in seed_docs]
            documents = [*(corpus[i] for i in rows), *seed_tokens]
            if corpus_totals is None and len(rows) < len(corpus):  # a sample drawn here
                corpus_totals = partial(Vectoriser.totals, documents=corpus)
            # the sample proposes terms; the whole corpus (and the seeds) decides
            whole = (
                None
                if corpus_totals is None
                else lambda candidates: corpus_totals(candidates) + candidates.totals(seed_tokens)
            )
            self.vectoriser_ = Vectoriser(self.config.vectorise).fit(documents, whole)
            X_fit = self.vectoriser_.transform(documents)
            n_sample = len(rows)
            X_seeds = X_fit[n_sample:]
            Y = label_matrix(seeds, self.theme_ids)
            self.centroids_ = theme_centroids(X_seeds, Y)
            # The refits that measure stability need only the sample and the centroids: they
            # run on a worker while this process fits (sparse products use one core).
            stability = (
                (engine or Engine(EngineConfig(scheduler="sync"))).submit(
                    topic_stability,
                    X_fit,
                    n_sample,
                    len(seed_docs),
                    self.centroids_,
                    c,
                    items=n_sample,
                )
                if c.stability_runs > 1
                else None
            )
            self.topics_ = SeededNMF.from_config(c).fit(X_fit, self.centroids_)
            matcher = TopicMatcher(t.match_threshold).fit(self.topics_.components_, self.centroids_)
            self.topic_themes_ = matcher.topic_themes_
            X_everyday = self.vectoriser_.transform([d.tokens for d in everyday_docs])
            training = Training(
                X_seeds,
                [d.text for d in seed_docs],
                Y,
                X_everyday,
                [d.text for d in everyday_docs],
                self.topics_,
                self.topic_themes_,
            )
            self.scorer_ = SCORERS[t.scorer](t).fit(training)
            scores, everyday = self.scorer_.calibration_
            # a message with too little evidence is never given a theme: calibrate on
            # the scores as the rule leaves them
            scores = scores * enough_evidence(self.vectoriser_, X_seeds, t)[:, None]
            everyday = everyday * enough_evidence(self.vectoriser_, X_everyday, t)[:, None]
            self.thresholds_ = calibrate_thresholds(
                scores, Y, t.relative_threshold, everyday, t.everyday_rate
            )
            self.confidence_ = claim_precision(scores, Y, everyday)
            # the train seeds as each calibration fold scored them without having seen
            # them: a cross-validation (the thresholds were chosen on these scores)
            seed_cv = {
                "folds": t.calibration_folds,
                "seeds": len(seeds),
                **theme_agreement(
                    Y, assign_themes(scores, self.thresholds_, t.relative_threshold), self.theme_ids
                ),
            }
            W_fit = self.topics_.transform(X_fit)
            # described from the corpus rows alone: the community's words, not the seeds'
            described = slice(0, n_sample) if n_sample else slice(None)
            self.term_weights_ = corpus_term_weights(
                X_fit[described], W_fit[described], self.topics_.components_
            )
            self.metrics_ = {
                "messages": len(corpus) if corpus_size is None else corpus_size,
                "seed_messages": len(seeds),
                "everyday_texts": len(everyday_docs),
                # out of fold: the share of everyday texts the thresholds let through
                "everyday_given_a_theme_in_fitting": round(
                    share_given_a_theme(everyday, self.thresholds_, t.relative_threshold), 4
                ),
                "seed_cv": seed_cv,
                "vocabulary": len(self.vectoriser_.vocabulary_),
                "topics": len(self.topic_themes_),
                "emergent_topics": sum(k is None for k in self.topic_themes_),
                "nmf_iterations": self.topics_.n_iter_,
                "theme_row_cosine": theme_row_cosine(self.topics_.components_, self.centroids_),
                # how well the topics explain the messages they were fitted on; batch runs
                # compare new messages against it to tell when a refit is due
                "mean_residual": round(
                    float(row_residuals(X_fit, W_fit, self.topics_.components_).mean()), 4
                ),
            }
            if stability is not None:
                self.metrics_["stability"] = stability()
            return self

    def apply(self, documents: Sequence[Normalised]) -> Applied:
        X = self.vectoriser_.transform([d.tokens for d in documents])
        return self.apply_matrix(X, [d.text for d in documents])

    def apply_matrix(self, X, texts: Sequence[str]) -> Applied:
        """Themes for messages already vectorised with this model's vectoriser; `texts`
        are their normalised texts, which the classifier reads too."""
        weights = self.topics_.transform(X)
        scores = self.scorer_.scores(X, weights, texts)
        t = self.config.themes
        assigned = assign_themes(scores, self.thresholds_, t.relative_threshold)
        assigned &= enough_evidence(self.vectoriser_, X, t)[:, None]
        return Applied(
            weights, scores, assigned, message_confidence(scores, assigned, *self.confidence_)
        )

    def top_terms(self, n: int) -> list[list[str]]:
        vocabulary = self.vectoriser_.vocabulary_
        return [[vocabulary[i] for i in indices] for indices in self.top_term_indices(n)]

    def top_term_indices(self, n: int) -> list[list[int]]:
        """Each topic's n heaviest terms (fewer if it has fewer), as vocabulary indices."""
        return [
            [int(i) for i in np.argsort(-row, kind="stable")[:n] if row[i] > 0]
            for row in self.term_weights_
        ]

    def topic_label(self, topic: int) -> str:
        theme = self.topic_themes_[topic]
        return self.theme_ids[theme] if theme is not None else "emergent"


def enough_evidence(vectoriser: Vectoriser, X, t: ThemesConfig) -> np.ndarray:
    """Whether each message holds at least `min_evidence_terms` distinct words the model
    knows (placeholders such as _price_ and two-word terms not counted). A single word
    that everyday talk shares with business talk (suka, harga, izin, kelas, uang) is
    no theme by itself, however strongly the seeds tie it to one."""
    # a row's stored entries are its distinct terms (weigh sums duplicates): count the
    # single-word ones between row starts, without copying columns out of X
    seen = np.concatenate([[0], np.cumsum(vectoriser.single_word_mask()[X.indices])])
    return seen[X.indptr[1:]] - seen[X.indptr[:-1]] >= t.min_evidence_terms


def _sample_rows(n_corpus: int, n_seeds: int, limit: int, seed: int) -> np.ndarray:
    """Row indices: a seeded sample of at most `limit` corpus rows (0: all), then all
    seed rows, which follow the corpus in X."""
    corpus_rows = sample_rows(n_corpus, limit, seed)
    return np.concatenate([corpus_rows, np.arange(n_corpus, n_corpus + n_seeds)])


def topic_stability(
    X, n_corpus: int, n_seeds: int, centroids: np.ndarray, c: TopicsConfig
) -> float:
    """Matched top-10 Jaccard of fits with other random seeds, on a sample of at most
    `stability_sample` messages so that it stays cheap on large corpora."""
    X_small = X[_sample_rows(n_corpus, n_seeds, c.stability_sample, c.random_state)]
    runs = [
        SeededNMF.from_config(c, random_state=seed).fit(X_small, centroids).components_
        for seed in range(c.random_state, c.random_state + c.stability_runs)
    ]
    return stability(runs[0], runs[1:])


def theme_row_cosine(components: np.ndarray, centroids: np.ndarray) -> float:
    """How close the theme rows stayed to their seed centroids (1.0 = unchanged)."""
    n = centroids.shape[0]
    H = components[:n]
    cos = np.sum(H * centroids, axis=1) / np.maximum(
        np.linalg.norm(H, axis=1) * np.linalg.norm(centroids, axis=1), 1e-12
    )
    return round(float(cos.min()), 4)
