"""The fitted model: vocabulary, topics, and the topic-to-theme map, fitted together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.config import Config
from pipeline.themes import (
    SeedMessage,
    Theme,
    assign_themes,
    calibrate_thresholds,
    label_matrix,
    match_topics,
    theme_centroids,
    theme_scores,
)
from pipeline.topics import SeededNMF
from pipeline.vectorise import Vectoriser


@dataclass
class Applied:
    """A model's reading of some messages."""

    weights: np.ndarray  # message x topic
    scores: np.ndarray  # message x theme
    assigned: np.ndarray  # message x theme, bool

    def topic_of_each(self) -> np.ndarray:
        """Each message's strongest topic, -1 where it has no weight at all."""
        best = self.weights.argmax(axis=1)
        return np.where(self.weights.max(axis=1) > 0, best, -1)


@dataclass
class ThemeModel:
    config: Config
    themes: list[Theme]
    vectoriser: Vectoriser
    topics: SeededNMF
    topic_themes: list[int | None]
    thresholds: np.ndarray
    centroids: np.ndarray
    metrics: dict[str, object] = field(default_factory=dict)

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @classmethod
    def fit(
        cls,
        corpus: Sequence[Sequence[str]],
        seeds: Sequence[SeedMessage],
        seed_tokens: Sequence[Sequence[str]],
        themes: list[Theme],
        config: Config,
    ) -> ThemeModel:
        """Fit on the corpus (the background the themes are found in) and the seeds."""
        theme_ids = [t.id for t in themes]
        vectoriser = Vectoriser(config.vectorise).fit([*corpus, *seed_tokens])
        X = vectoriser.transform([*corpus, *seed_tokens])
        X_seeds = X[len(corpus) :]
        Y = label_matrix(seeds, theme_ids)
        centroids = theme_centroids(X_seeds, Y)
        c = config.topics
        topics = SeededNMF(c.extra_topics, c.mu, c.max_iter, c.tol, c.random_state).fit(
            X, centroids
        )
        topic_themes = match_topics(topics.components_, centroids, config.themes.match_threshold)
        scores = theme_scores(topics.transform(X_seeds), topic_themes, len(themes))
        thresholds = calibrate_thresholds(scores, Y, config.themes.relative_threshold)
        model = cls(config, themes, vectoriser, topics, topic_themes, thresholds, centroids)
        model.metrics = {
            "messages": len(corpus),
            "seed_messages": len(seeds),
            "vocabulary": len(vectoriser.vocabulary_),
            "topics": len(topic_themes),
            "emergent_topics": sum(t is None for t in topic_themes),
            "nmf_iterations": topics.n_iter_,
            "theme_row_cosine": theme_row_cosine(topics.components_, centroids),
        }
        return model

    def apply(self, documents: Sequence[Sequence[str]]) -> Applied:
        X = self.vectoriser.transform(documents)
        weights = self.topics.transform(X)
        scores = theme_scores(weights, self.topic_themes, len(self.themes))
        assigned = assign_themes(scores, self.thresholds, self.config.themes.relative_threshold)
        return Applied(weights, scores, assigned)

    def top_terms(self, n: int) -> list[list[str]]:
        vocabulary = self.vectoriser.vocabulary_
        H = self.topics.components_
        return [
            [vocabulary[i] for i in np.argsort(-row, kind="stable")[:n] if row[i] > 0] for row in H
        ]

    def topic_label(self, topic: int) -> str:
        theme = self.topic_themes[topic]
        return self.theme_ids[theme] if theme is not None else "emergent"


def theme_row_cosine(components: np.ndarray, centroids: np.ndarray) -> float:
    """How close the theme rows stayed to their seed centroids (1.0 = unchanged)."""
    n = centroids.shape[0]
    H = components[:n]
    cos = np.sum(H * centroids, axis=1) / np.maximum(
        np.linalg.norm(H, axis=1) * np.linalg.norm(centroids, axis=1), 1e-12
    )
    return round(float(cos.min()), 4)
