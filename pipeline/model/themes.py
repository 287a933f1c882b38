"""From topics to the study's themes: each theme's centroid, the topic-to-theme match,
calibrated thresholds, and each message's themes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from pipeline.model.topics import unit_rows


def theme_centroids(X: sp.csr_matrix, Y: np.ndarray) -> np.ndarray:
    """Mean of each theme's seed rows (rows already L2-normalised), as unit vectors."""
    counts = np.maximum(Y.sum(axis=0), 1)[:, None]
    sums = np.asarray((sp.csr_matrix(Y.T.astype(np.float64)) @ X).todense())
    return unit_rows(sums / counts)


def match_topics(
    components: np.ndarray, centroids: np.ndarray, threshold: float
) -> list[int | None]:
    """For each topic, the theme it is matched to (Hungarian on cosine), or None:
    an emergent topic. A match below `threshold` cosine does not count."""
    cosine = unit_rows(components) @ unit_rows(centroids).T
    rows, cols = linear_sum_assignment(-cosine)
    matched: list[int | None] = [None] * components.shape[0]
    for topic, theme in zip(rows, cols, strict=True):
        if cosine[topic, theme] >= threshold:
            matched[topic] = int(theme)
    return matched


def theme_scores(W: np.ndarray, topic_themes: Sequence[int | None], n_themes: int) -> np.ndarray:
    """A message's score for a theme: its weight on the topic matched to that theme."""
    scores = np.zeros((W.shape[0], n_themes))
    for topic, theme in enumerate(topic_themes):
        if theme is not None:
            scores[:, theme] += W[:, topic]
    return scores


def calibrate_thresholds(
    scores: np.ndarray,
    Y: np.ndarray,
    relative: float,
    everyday: np.ndarray | None = None,
    everyday_rate: float = 1.0,
    floor: float = 0.02,
) -> np.ndarray:
    """Per theme, the score a message needs to be given that theme.

    Without everyday text, each theme's cut is the one with the best F1 on the labelled
    messages' scores. With `everyday` (the scores of texts that carry no theme, each
    scored by a model that never saw it), a claim must be earned: the cuts are the ones
    that maximise F1 minus a price per everyday text given the theme, the price being
    the lowest at which at most `everyday_rate` of everyday texts get any theme. So the
    budget of false claims goes where it buys the most F1, and a theme whose cues
    everyday talk shares (suka, rasa, harga) needs more evidence than one whose cues it
    never uses."""
    n_themes = scores.shape[1]
    eligible = scores >= relative * scores.max(axis=1, keepdims=True)
    if everyday is not None and len(everyday):
        everyday_eligible = everyday >= relative * everyday.max(axis=1, keepdims=True)
    else:
        everyday, everyday_eligible = np.zeros((0, n_themes)), np.zeros((0, n_themes), bool)
    curves = []  # per theme: candidate cuts, F1 at each, everyday share at each
    for t in range(n_themes):
        truth = Y[:, t]
        if not truth.any():
            curves.append(None)
            continue
        cuts = np.unique(np.round(scores[truth, t], 4))
        # a cut above every score: the theme is never claimed, always a choice
        cuts = np.append(cuts[cuts >= floor], np.inf)
        f1 = np.array(
            [_f1(eligible[:, t] & (scores[:, t] >= cut), truth) for cut in cuts], dtype=float
        )
        claimed = np.sort(everyday[everyday_eligible[:, t], t])
        share = (len(claimed) - np.searchsorted(claimed, cuts, side="left")) / max(len(everyday), 1)
        curves.append((cuts, f1, share))

    def choose(price: float) -> np.ndarray:
        thresholds = np.full(n_themes, 0.1)
        for t, curve in enumerate(curves):
            if curve is not None:
                cuts, f1, share = curve
                thresholds[t] = cuts[np.argmax(f1 - price * share)]
        return thresholds

    # prices from free to prohibitive; the first that keeps within the budget wins
    for price in (0.0, *np.geomspace(0.01, 1e4, 140)):
        thresholds = choose(price)
        if share_given_a_theme(everyday, thresholds, relative) <= everyday_rate:
            return thresholds
    return choose(1e12)


def _f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    return 2 * np.sum(predicted & truth) / max(predicted.sum() + truth.sum(), 1)


def share_given_a_theme(scores: np.ndarray, thresholds: np.ndarray, relative: float) -> float:
    """The share of messages that these thresholds give at least one theme (0 if none)."""
    if not len(scores):
        return 0.0
    return float(assign_themes(scores, thresholds, relative).any(axis=1).mean())


def assign_themes(scores: np.ndarray, thresholds: np.ndarray, relative: float) -> np.ndarray:
    """Boolean message x theme: score above its threshold and near the message's best."""
    best = scores.max(axis=1, keepdims=True)
    return (scores >= thresholds[None, :]) & (scores >= relative * best) & (scores > 0)


class TopicMatcher:
    """Names topics after themes: `fit(components, centroids)` learns `topic_themes_`,
    each topic's theme (Hungarian matching on cosine) or None for an emergent topic."""

    def __init__(self, threshold: float = 0.2):
        self.threshold = threshold

    def fit(self, components: np.ndarray, centroids: np.ndarray) -> TopicMatcher:
        self.topic_themes_ = match_topics(components, centroids, self.threshold)
        return self
