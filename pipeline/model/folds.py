"""The one way Guyub deals rows into folds, for cross-validation and for the
out-of-fold scores that calibrate thresholds."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def deal_folds(n_rows: int, folds: int, strata: Sequence[Hashable] | None = None) -> np.ndarray:
    """Each row's fold, dealt round-robin within its stratum (all one stratum if none
    are given: row i goes to fold i mod folds), so that every fold holds about the same
    share of every stratum. Deterministic: no shuffling, so a refit deals alike."""
    folds = max(folds, 2)
    if strata is None:
        return np.arange(n_rows) % folds
    assignment = np.zeros(n_rows, dtype=int)
    dealt: dict[Hashable, int] = {}
    for row, key in enumerate(strata):
        assignment[row] = dealt.get(key, 0) % folds
        dealt[key] = dealt.get(key, 0) + 1
    return assignment
