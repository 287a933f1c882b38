"""How sure Guyub is of a message's themes.

A theme's score is not a probability: the classifier weighs each theme's few seeds as
much as all other texts, and the thresholds are set by a budget of false claims. What
a score means is measured in fitting instead, on texts the classifier did not learn
from: each train seed scored by the fold that left it out, and the everyday texts
(which carry no theme). For each theme, isotonic regression (a higher score never
means less) gives the share of such texts scored alike that carry the theme: its
*claim precision* at that score, kept as a curve of `GRID` points.

A message's confidence is then, when it is given themes, the claim precision of the
least sure of them; when it is given none, one minus that of its most likely theme.
The measure is of the fitting texts' mix of themes and everyday talk: on a chat where
a theme is rarer than among the seeds, fewer of its claims at a score will be right.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

# Points of each theme's curve, evenly spaced from 0 to its highest score in fitting.
GRID = 101


def claim_precision(
    scores: np.ndarray, labels: np.ndarray, everyday: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per theme, the curve from a score to the share of fitting texts scored alike
    that carry the theme: (scores, shares), each theme x GRID. `scores`: the seeds'
    out-of-fold scores (seed x theme) with their `labels`; `everyday`: the everyday
    texts' scores."""
    # imported here: scikit-learn takes a second or two to load, and only fitting needs it
    from sklearn.isotonic import IsotonicRegression

    themes = scores.shape[1]
    at = np.zeros((themes, GRID))
    share = np.zeros((themes, GRID))
    for t in range(themes):
        x = np.concatenate([scores[:, t], everyday[:, t]])
        y = np.concatenate([labels[:, t].astype(float), np.zeros(len(everyday))])
        at[t] = np.linspace(0.0, max(float(x.max(initial=0.0)), 1e-9), GRID)
        if len(np.unique(y)) < 2:  # a theme with no seeds (or all): its only share
            share[t] = y.mean() if len(y) else 0.0
            continue
        curve = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
        share[t] = curve.predict(at[t])
    return at, share


def theme_confidence(scores: np.ndarray, at: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Message x theme: the claim precision of each score on its theme's curve."""
    return np.column_stack(
        [np.interp(scores[:, t], at[t], share[t]) for t in range(scores.shape[1])]
    ).reshape(scores.shape)


def message_confidence(
    scores: np.ndarray, assigned: np.ndarray, at: np.ndarray | None, share: np.ndarray | None
) -> np.ndarray:
    """Each message's confidence in its themes (or in having none), from 0 to 1; NaN
    for a model fitted before confidence was measured."""
    if at is None or share is None:
        return np.full(len(scores), np.nan)
    precision = theme_confidence(scores, at, share)
    weakest_given = np.where(assigned, precision, np.inf).min(axis=1, initial=np.inf)
    none_given = 1.0 - precision.max(axis=1, initial=0.0)
    return np.where(assigned.any(axis=1), weakest_given, none_given)


# Bands of confidence in which held-out claims are checked.
BANDS = (0.0, 0.5, 0.8, 1.0)


def confidence_check(confidence: np.ndarray, right: np.ndarray) -> list[dict[str, object]]:
    """Per band of confidence, how many held-out claims fell in it and the share of
    them that were right: what a reader may expect of a confidence."""
    bands = []
    for low, high in pairwise(BANDS):
        inside = (confidence >= low) & ((confidence < high) | (high == BANDS[-1]))
        n = int(inside.sum())
        bands.append(
            {
                "from": low,
                "to": high,
                "claims": n,
                "right": round(float(right[inside].mean()), 4) if n else None,
            }
        )
    return bands
