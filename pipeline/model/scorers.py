"""Scorers: how a message's theme scores are computed from its rows, chosen by
`themes.scorer`. Each is an estimator: `fit(training)` learns from the seeds and the
everyday texts and keeps their out-of-fold scores in `calibration_` (seed scores,
everyday scores), which the thresholds are calibrated on; `scores(X, W, texts)` scores
new messages. `arrays()` and `restore(...)` save and load what it learned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.config import ThemesConfig
from pipeline.model.classify import SURFACE_CONFIG, ThemeClassifier, out_of_fold_probabilities
from pipeline.model.folds import deal_folds
from pipeline.model.themes import theme_centroids, theme_scores
from pipeline.model.topics import SeededNMF, solve_weights
from pipeline.model.vectorise import Vectoriser


@dataclass
class Training:
    """What a scorer learns from: the seeds' and the everyday texts' rows, texts and
    labels, and the fitted topics with their themes."""

    X_seeds: sp.csr_matrix
    seed_texts: Sequence[str]
    Y: np.ndarray  # seed x theme
    X_everyday: sp.csr_matrix
    everyday_texts: Sequence[str]
    topics: SeededNMF
    topic_themes: Sequence[int | None]


class TopicScorer:
    """A theme's score is the message's weight on the topic matched to it: the method
    the study started from."""

    has_words = False  # no vocabulary of its own to save

    def __init__(self, t: ThemesConfig):
        self.calibration_folds = t.calibration_folds

    def fit(self, training: Training) -> TopicScorer:
        self.topic_themes_, self.n_themes_ = list(training.topic_themes), training.Y.shape[1]
        everyday = theme_scores(
            training.topics.transform(training.X_everyday), self.topic_themes_, self.n_themes_
        )
        self.calibration_ = (self._out_of_fold(training), everyday)
        return self

    def _out_of_fold(self, training: Training) -> np.ndarray:
        """Each seed's theme scores from theme rows built without it. Thresholds
        calibrated on in-sample scores come out too high (a seed always sits near its
        own centroid), so new messages would get too few themes."""
        X, Y, topics = training.X_seeds, training.Y, training.topics
        fold_of = deal_folds(X.shape[0], self.calibration_folds)
        scores = np.zeros((X.shape[0], Y.shape[1]))
        for fold in np.unique(fold_of):
            held = fold_of == fold
            H = topics.components_.copy()
            centroids = theme_centroids(X[~held], Y[~held])
            for topic, theme in enumerate(self.topic_themes_):
                if theme is not None and Y[~held, theme].any():
                    H[topic] = centroids[theme]
            weights = solve_weights(X[held], H, topics.weight_sweeps)
            scores[held] = theme_scores(weights, self.topic_themes_, Y.shape[1])
        return scores

    def scores(self, X: sp.csr_matrix, W: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return theme_scores(W, self.topic_themes_, self.n_themes_)

    def arrays(self) -> dict[str, np.ndarray]:
        return {}

    def words(self) -> list[str] | None:
        return None

    @staticmethod
    def shapes(n_terms: int, n_topics: int, n_themes: int, n_words: int) -> dict:
        return {}

    @classmethod
    def restore(cls, t, arrays, words, topic_themes, n_themes) -> TopicScorer:
        self = cls(t)
        self.topic_themes_, self.n_themes_ = list(topic_themes), n_themes
        return self


class ClassifierScorer:
    """Logistic regression over topic weights, topic terms and surface words, trained on
    the seeds and the everyday texts (weak negatives: a few everyday texts do carry a
    theme, so each weighs `everyday_weight` of a seed); see `classify`."""

    has_words = True  # its surface vocabulary is saved beside the arrays

    def __init__(self, t: ThemesConfig):
        self.c = t.classifier_c
        self.everyday_weight = t.everyday_weight
        self.calibration_folds = t.calibration_folds

    def fit(self, training: Training) -> ClassifierScorer:
        n_seeds, n_everyday = training.X_seeds.shape[0], training.X_everyday.shape[0]
        X = sp.vstack([training.X_seeds, training.X_everyday], format="csr")
        W = training.topics.transform(X)
        texts = [*training.seed_texts, *training.everyday_texts]
        Y = training.Y
        labels = np.vstack([Y, np.zeros((n_everyday, Y.shape[1]), dtype=bool)])
        weights = np.concatenate([np.ones(n_seeds), np.full(n_everyday, self.everyday_weight)])
        self.classifier_ = ThemeClassifier(self.c).fit(
            X, W, texts, labels, weights, vocabulary_rows=n_seeds
        )
        Z = self.classifier_.features(X, self.classifier_.surface_rows(texts), W)
        scores = out_of_fold_probabilities(Z, labels, self.c, self.calibration_folds, weights)
        self.calibration_ = (scores[:n_seeds], scores[n_seeds:])
        return self

    def scores(self, X: sp.csr_matrix, W: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return self.classifier_.scores(X, W, texts)

    def arrays(self) -> dict[str, np.ndarray]:
        c = self.classifier_
        return {
            "surface_idf": c.surface_.idf_,
            "classifier_coef": c.coef_,
            "classifier_intercept": c.intercept_,
        }

    def words(self) -> list[str] | None:
        return self.classifier_.surface_.vocabulary_

    @staticmethod
    def shapes(n_terms: int, n_topics: int, n_themes: int, n_words: int) -> dict:
        return {
            "surface_idf": (n_words,),
            "classifier_coef": (n_themes, n_terms + n_topics + n_words),
            "classifier_intercept": (n_themes,),
        }

    @classmethod
    def restore(cls, t, arrays, words, topic_themes, n_themes) -> ClassifierScorer:
        self = cls(t)
        surface = Vectoriser.from_arrays(SURFACE_CONFIG, words, arrays["surface_idf"])
        self.classifier_ = ThemeClassifier.from_arrays(
            surface, arrays["classifier_coef"], arrays["classifier_intercept"]
        )
        return self


# themes.scorer -> the scorer it names
SCORERS: dict[str, type[TopicScorer] | type[ClassifierScorer]] = {
    "classifier": ClassifierScorer,
    "topics": TopicScorer,
}
