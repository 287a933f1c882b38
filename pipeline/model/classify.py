"""A message's themes from a linear classifier trained on the seed set.

The matched topic's weight alone (`themes.scorer = "topics"`) is the method the study
started from. Measured on the seed set (pooled stratified 5-fold, `guyub evaluate
--seed-cv`), logistic regression over three views of a message does clearly better:
its topic weights, its topic-vocabulary TF-IDF row, and its surface words (the readable
normalised text, unstemmed and with function words, which carry cues that stemming and
stopword removal take out of the topic vocabulary). Neither view alone does as well.

The classifier is a plain matrix of coefficients: it is saved as arrays, and scoring is
a product row by row, so a message's scores do not depend on its batch (up to the last
bit that matrix products may round differently; see SCORE_CHUNK).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from pipeline.config import VectoriseConfig
from pipeline.model.folds import deal_folds
from pipeline.model.topics import WEIGHT_BLOCK
from pipeline.model.vectorise import Vectoriser

# Words as the reader sees them; placeholders such as _price_ are words too.
_SURFACE_WORD = re.compile(r"\w+")
# Seed sets are small: keep every word seen twice, however common.
SURFACE_CONFIG = VectoriseConfig(ngram_max=1, min_df=2, max_df=1.0, sublinear_tf=True)
# Rows scored at a time. Matrix products may round the last bit differently with the
# number of rows, so work split across processes uses chunks of exactly this size;
# small enough that a million messages make some 26 chunks, which two workers share
# evenly (at twice the size, 13 chunks leave one worker a chunk behind at the end).
SCORE_CHUNK = 6 * WEIGHT_BLOCK


def surface_words(text: str) -> list[str]:
    return _SURFACE_WORD.findall(text)


class ThemeClassifier:
    """Logistic regression per theme over a message's topic terms (X), surface words and
    topic weights (W). `fit` learns `surface_` (the surface vocabulary), `coef_` (theme
    x (topic terms + surface words + topics)) and `intercept_` (theme)."""

    def __init__(self, c: float = 3.0):
        self.c = c
        # whitespace piece of a text -> the surface-vocabulary columns of its words
        self._piece_columns: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_arrays(
        cls, surface: Vectoriser, coef: np.ndarray, intercept: np.ndarray
    ) -> ThemeClassifier:
        """A classifier fitted before, from its saved arrays."""
        self = cls()
        self.surface_, self.coef_, self.intercept_ = surface, coef, intercept
        return self

    @staticmethod
    def features(X: sp.csr_matrix, S: sp.csr_matrix, W: np.ndarray) -> sp.csr_matrix:
        return sp.hstack([X, S, sp.csr_matrix(W)], format="csr")

    def fit(
        self,
        X: sp.csr_matrix,
        W: np.ndarray,
        texts: Sequence[str],
        Y: np.ndarray,
        weights: np.ndarray | None = None,
        vocabulary_rows: int | None = None,
    ) -> ThemeClassifier:
        """Fitted on rows (X, W, texts) labelled Y, each weighing `weights` (1 if not
        given). The surface vocabulary is learned from the first `vocabulary_rows` texts
        alone (all if not given): the seeds' words, not the background's, whose rows
        only teach how far those words can be trusted."""
        words = [surface_words(t) for t in texts]
        self.surface_ = Vectoriser(SURFACE_CONFIG).fit(words[:vocabulary_rows])
        self._piece_columns = {}
        S = self.surface_.transform(words)
        self.coef_, self.intercept_ = fit_linear(self.features(X, S, W), Y, self.c, weights)
        return self

    def surface_rows(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The surface-word rows of `texts`, as `surface_.transform` of their
        `surface_words` gives them. A word never spans whitespace, so the columns are
        looked up once per distinct whitespace piece and cached: a regex scan and a
        look-up per word of every message were half the cost of scoring a million."""
        cached = self._piece_columns.get
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            pieces = text.split()
            columns = list(map(cached, pieces))
            if None in columns:
                columns = [
                    c if c is not None else self._columns_of(p)
                    for p, c in zip(pieces, columns, strict=True)
                ]
            indices.extend(chain.from_iterable(columns))
            indptr.append(len(indices))
        return self.surface_.weigh(indices, indptr)

    def _columns_of(self, piece: str) -> tuple[int, ...]:
        index = self.surface_.index
        columns = tuple(index[w] for w in surface_words(piece) if w in index)
        self._piece_columns[piece] = columns
        return columns

    def scores(
        self, X: sp.csr_matrix, W: np.ndarray, texts: Sequence[str], chunk: int = SCORE_CHUNK
    ) -> np.ndarray:
        """Scores in chunks of rows, each view multiplied by its own coefficients: the
        feature matrix of a million messages is never built whole."""
        n_terms, n_surface = X.shape[1], len(self.surface_.vocabulary_)
        coef_terms = self.coef_[:, :n_terms].T
        coef_surface = self.coef_[:, n_terms : n_terms + n_surface].T
        coef_topics = self.coef_[:, n_terms + n_surface :].T
        out = np.empty((X.shape[0], len(self.intercept_)))
        for start in range(0, X.shape[0], chunk):
            rows = slice(start, start + chunk)
            linear = (
                X[rows] @ coef_terms
                + self.surface_rows(texts[rows]) @ coef_surface
                + W[rows] @ coef_topics
            )
            out[rows] = _sigmoid(linear + self.intercept_)
        return out

    def scores_of(self, Z: sp.csr_matrix) -> np.ndarray:
        return _probabilities(Z, self.coef_, self.intercept_)


def fit_linear(
    Z: sp.csr_matrix, Y: np.ndarray, c: float, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per theme (a message may carry several). Rows weigh
    `weights` (1 if not given), and a theme's positives together weigh as much as all
    the other rows (scikit-learn's "balanced" classes, by weight rather than by count).
    A theme without positives (or without negatives) gets a constant score of 0 (or 1)."""
    # imported here: scikit-learn takes a second or two to load, and only fitting needs it
    from sklearn.linear_model import LogisticRegression

    weights = np.ones(len(Y)) if weights is None else np.asarray(weights, dtype=np.float64)
    coef = np.zeros((Y.shape[1], Z.shape[1]))
    intercept = np.zeros(Y.shape[1])
    # A column no row uses gets a coefficient of exactly 0 under the L2 penalty: fit
    # on the used ones only (a few thousand of the 20,000 topic terms), many times faster.
    Z = sp.csr_matrix(Z)
    used = np.unique(Z.indices)
    Z = Z[:, used]
    for t in range(Y.shape[1]):
        positive = Y[:, t]
        positives = int(positive.sum())
        if positives in (0, len(Y)):
            intercept[t] = 50.0 if positives else -50.0
            continue
        balanced = np.where(
            positive,
            weights * len(Y) / (2 * weights[positive].sum()),
            weights * len(Y) / (2 * weights[~positive].sum()),
        )
        # lbfgs is deterministic: the same seeds give the same coefficients.
        fitted = LogisticRegression(C=c, max_iter=5000)
        fitted.fit(Z, positive, sample_weight=balanced)
        coef[t, used], intercept[t] = fitted.coef_[0], fitted.intercept_[0]
    return coef, intercept


def out_of_fold_probabilities(
    Z: sp.csr_matrix, Y: np.ndarray, c: float, folds: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Each row's scores from a classifier trained without it, for calibrating the
    thresholds: in-sample scores would be overconfident."""
    fold_of = deal_folds(Z.shape[0], folds)
    weights = np.ones(len(Y)) if weights is None else np.asarray(weights, dtype=np.float64)
    scores = np.zeros(Y.shape)
    for fold in np.unique(fold_of):
        held = fold_of == fold
        coef, intercept = fit_linear(Z[~held], Y[~held], c, weights[~held])
        scores[held] = _probabilities(Z[held], coef, intercept)
    return scores


def _probabilities(Z: sp.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    return _sigmoid(np.asarray(Z @ coef.T) + intercept)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -50.0, 50.0)))
