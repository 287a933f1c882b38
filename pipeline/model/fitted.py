"""The fitted model: vocabulary, topics, and the topic-to-theme map, fitted together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from pipeline.config import Config, ThemesConfig, TopicsConfig
from pipeline.engine.forked import Background, worker_count
from pipeline.model.classify import ThemeClassifier, out_of_fold_probabilities
from pipeline.model.metrics import stability
from pipeline.model.themes import (
    SeedMessage,
    Theme,
    assign_themes,
    calibrate_thresholds,
    label_matrix,
    match_topics,
    share_given_a_theme,
    theme_centroids,
    theme_scores,
)
from pipeline.model.topics import SeededNMF, corpus_term_weights, row_residuals, solve_weights
from pipeline.model.vectorise import Vectoriser

if TYPE_CHECKING:
    from pipeline.normalise import Normalised


@dataclass
class Applied:
    """A model's reading of some messages."""

    weights: np.ndarray  # message x topic
    scores: np.ndarray  # message x theme
    assigned: np.ndarray  # message x theme, bool


@dataclass
class ThemeModel:
    config: Config
    themes: list[Theme]
    vectoriser: Vectoriser
    topics: SeededNMF
    topic_themes: list[int | None]
    thresholds: np.ndarray
    centroids: np.ndarray
    # topic x term: each topic as the fitted corpus expresses it; names and describes
    # topics (topics.components_ gives the weights)
    term_weights: np.ndarray
    classifier: ThemeClassifier | None = None  # None: themes.scorer = "topics"
    metrics: dict[str, object] = field(default_factory=dict)

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @classmethod
    def fit(
        cls,
        corpus: Sequence[Sequence[str]],
        seeds: Sequence[SeedMessage],
        seed_docs: Sequence[Normalised],
        themes: list[Theme],
        config: Config,
        everyday_docs: Sequence[Normalised] = (),
    ) -> ThemeModel:
        """Fit on the corpus (the messages the topics are found in, as token lists),
        the seeds (normalised), and everyday texts that carry no theme (normalised; the
        background of `pipeline.model.background`), which the themes are told apart from."""
        # One BLAS thread: the dense products here are small (K = 16 topics), and a
        # second thread only waits for the core that the stability refits keep busy
        # (200k messages: fit 7.3-7.7 s -> 5.5-6.2 s).
        with threadpool_limits(1):
            theme_ids = [t.id for t in themes]
            c = config.topics
            # Vocabulary and topics are learned from a seeded sample of a large corpus (and
            # every seed); every message still gets its weights from them in `apply`.
            rows = _sample_rows(len(corpus), 0, c.fit_sample, c.random_state)
            documents = [*(corpus[i] for i in rows), *(d.tokens for d in seed_docs)]
            vectoriser = Vectoriser(config.vectorise).fit(documents)
            X_fit = vectoriser.transform(documents)
            n_sample = len(rows)
            X_seeds = X_fit[n_sample:]
            Y = label_matrix(seeds, theme_ids)
            centroids = theme_centroids(X_seeds, Y)
            # The refits that measure stability need only the sample and the centroids: they
            # run on the other core while this one fits (sparse products use one core).
            stability_job = (
                Background(
                    topic_stability,
                    X_fit,
                    n_sample,
                    len(seed_docs),
                    centroids,
                    c,
                    fork=worker_count(config.normalise.workers) > 1,
                )
                if c.stability_runs > 1
                else None
            )
            topics = SeededNMF.from_config(c).fit(X_fit, centroids)
            topic_themes = match_topics(
                topics.components_, centroids, config.themes.match_threshold
            )
            t = config.themes
            X_everyday = vectoriser.transform([d.tokens for d in everyday_docs])
            if t.scorer == "classifier":
                classifier, scores, everyday = fit_classifier(
                    X_seeds, seed_docs, Y, X_everyday, everyday_docs, topics, t
                )
            else:
                classifier = None
                scores = out_of_fold_scores(X_seeds, Y, topics, topic_themes, t.calibration_folds)
                everyday = theme_scores(topics.transform(X_everyday), topic_themes, Y.shape[1])
            # a message with too little evidence is never given a theme: calibrate on
            # the scores as the rule leaves them
            scores = scores * enough_evidence(vectoriser, X_seeds, t)[:, None]
            everyday = everyday * enough_evidence(vectoriser, X_everyday, t)[:, None]
            thresholds = calibrate_thresholds(
                scores, Y, t.relative_threshold, everyday, t.everyday_rate
            )
            W_fit = topics.transform(X_fit)
            # described from the corpus rows alone: the community's words, not the seeds'
            described = slice(0, n_sample) if n_sample else slice(None)
            term_weights = corpus_term_weights(
                X_fit[described], W_fit[described], topics.components_
            )
            model = cls(
                config,
                themes,
                vectoriser,
                topics,
                topic_themes,
                thresholds,
                centroids,
                term_weights,
                classifier,
            )
            model.metrics = {
                "messages": len(corpus),
                "seed_messages": len(seeds),
                "everyday_texts": len(everyday_docs),
                # out of fold: the share of everyday texts the thresholds let through
                "everyday_given_a_theme_in_fitting": round(
                    share_given_a_theme(everyday, thresholds, t.relative_threshold), 4
                ),
                "vocabulary": len(vectoriser.vocabulary_),
                "topics": len(topic_themes),
                "emergent_topics": sum(t is None for t in topic_themes),
                "nmf_iterations": topics.n_iter_,
                "theme_row_cosine": theme_row_cosine(topics.components_, centroids),
                # how well the topics explain the messages they were fitted on; batch runs
                # compare new messages against it to tell when a refit is due
                "mean_residual": round(
                    float(row_residuals(X_fit, W_fit, topics.components_).mean()), 4
                ),
            }
            if stability_job is not None:
                model.metrics["stability"] = stability_job.result()
            return model

    def apply(self, documents: Sequence[Normalised]) -> Applied:
        X = self.vectoriser.transform([d.tokens for d in documents])
        return self.apply_matrix(X, [d.text for d in documents])

    def apply_matrix(self, X, texts: Sequence[str]) -> Applied:
        """Themes for messages already vectorised with this model's vectoriser; `texts`
        are their normalised texts, which the classifier reads too."""
        weights = self.topics.transform(X)
        if self.classifier is not None:
            scores = self.classifier.scores(X, weights, texts)
        else:
            scores = theme_scores(weights, self.topic_themes, len(self.themes))
        t = self.config.themes
        assigned = assign_themes(scores, self.thresholds, t.relative_threshold)
        assigned &= enough_evidence(self.vectoriser, X, t)[:, None]
        return Applied(weights, scores, assigned)

    def top_terms(self, n: int) -> list[list[str]]:
        vocabulary = self.vectoriser.vocabulary_
        return [[vocabulary[i] for i in indices] for indices in self.top_term_indices(n)]

    def top_term_indices(self, n: int) -> list[list[int]]:
        """Each topic's n heaviest terms (fewer if it has fewer), as vocabulary indices."""
        return [
            [int(i) for i in np.argsort(-row, kind="stable")[:n] if row[i] > 0]
            for row in self.term_weights
        ]

    def topic_label(self, topic: int) -> str:
        theme = self.topic_themes[topic]
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
    if limit and n_corpus > limit:
        rng = np.random.default_rng(seed)
        corpus_rows = np.sort(rng.choice(n_corpus, size=limit, replace=False))
    else:
        corpus_rows = np.arange(n_corpus)
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


def fit_classifier(
    X_seeds: sp.csr_matrix,
    seed_docs: Sequence[Normalised],
    Y: np.ndarray,
    X_everyday: sp.csr_matrix,
    everyday_docs: Sequence[Normalised],
    topics: SeededNMF,
    t: ThemesConfig,
) -> tuple[ThemeClassifier, np.ndarray, np.ndarray]:
    """The classifier, trained on the seeds and the everyday texts (weak negatives: a
    few everyday texts do carry a theme, so each weighs `everyday_weight` of a seed),
    and out-of-fold scores of the seeds and of the everyday texts for calibration."""
    n_seeds = X_seeds.shape[0]
    X = sp.vstack([X_seeds, X_everyday], format="csr")
    W = topics.transform(X)
    texts = [d.text for d in (*seed_docs, *everyday_docs)]
    labels = np.vstack([Y, np.zeros((X_everyday.shape[0], Y.shape[1]), dtype=bool)])
    weights = np.concatenate([np.ones(n_seeds), np.full(X_everyday.shape[0], t.everyday_weight)])
    classifier = ThemeClassifier.fit(
        X, W, texts, labels, t.classifier_c, weights, vocabulary_rows=n_seeds
    )
    Z = classifier.features(X, classifier.surface_rows(texts), W)
    scores = out_of_fold_probabilities(Z, labels, t.classifier_c, t.calibration_folds, weights)
    return classifier, scores[:n_seeds], scores[n_seeds:]


def out_of_fold_scores(
    X_seeds, Y: np.ndarray, topics: SeededNMF, topic_themes: Sequence[int | None], folds: int
) -> np.ndarray:
    """Each seed's theme scores from theme rows built without it. Thresholds calibrated
    on in-sample scores come out too high (a seed always sits near its own centroid), so
    new messages would get too few themes."""
    n = X_seeds.shape[0]
    fold_of = np.arange(n) % max(folds, 2)
    scores = np.zeros((n, Y.shape[1]))
    for fold in np.unique(fold_of):
        held = fold_of == fold
        H = topics.components_.copy()
        centroids = theme_centroids(X_seeds[~held], Y[~held])
        for topic, theme in enumerate(topic_themes):
            if theme is not None and Y[~held, theme].any():
                H[topic] = centroids[theme]
        weights = solve_weights(X_seeds[held], H, topics.weight_sweeps)
        scores[held] = theme_scores(weights, topic_themes, Y.shape[1])
    return scores


def theme_row_cosine(components: np.ndarray, centroids: np.ndarray) -> float:
    """How close the theme rows stayed to their seed centroids (1.0 = unchanged)."""
    n = centroids.shape[0]
    H = components[:n]
    cos = np.sum(H * centroids, axis=1) / np.maximum(
        np.linalg.norm(H, axis=1) * np.linalg.norm(centroids, axis=1), 1e-12
    )
    return round(float(cos.min()), 4)
