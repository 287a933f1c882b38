"""How far Guyub agrees with human coders, and they with one another (`guyub agreement`).

Each theme is a yes/no decision per message. Per theme and over all of them (every
message x theme decision pooled), for each pair of coders: Cohen's kappa
(scikit-learn) and Krippendorff's alpha (the `krippendorff` package, nominal), each
with a bootstrap 95% interval (messages resampled with a fixed seed, percentiles), and
the confusion of themes: how many messages one coder gave theme A that the other gave
theme B ("(none)": no theme)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

GUYUB = "guyub"
NONE = "(none)"


def agreement(
    labels: dict[str, dict[str, set[str]]],
    theme_ids: Sequence[str],
    rounds: int = 1000,
    seed: int = 0,
) -> dict[str, object]:
    """`labels`: coder -> message id -> themes (Guyub as the coder "guyub"). Every
    pair of coders is compared on the messages both labelled."""
    pairs = []
    for a, b in combinations(sorted(labels, key=lambda c: (c != GUYUB, c)), 2):
        shared = sorted(labels[a].keys() & labels[b].keys())
        if not shared:
            continue
        A = _matrix([labels[a][m] for m in shared], theme_ids)
        B = _matrix([labels[b][m] for m in shared], theme_ids)
        pairs.append({"coders": [a, b], **compare(A, B, theme_ids, rounds, seed)})
    return {"themes": list(theme_ids), "pairs": pairs}


def compare(
    A: np.ndarray, B: np.ndarray, theme_ids: Sequence[str], rounds: int, seed: int
) -> dict[str, object]:
    """Two coders' yes/no decisions (messages x themes) compared."""
    n = A.shape[0]
    # each bootstrap round as how many times it drew each message
    weights = np.zeros((rounds, n), dtype=np.int64)
    draws = np.random.default_rng(seed).integers(0, n, size=(rounds, n))
    np.add.at(weights, (np.arange(rounds)[:, None], draws), 1)
    per_theme = {}
    for t, theme in enumerate(theme_ids):
        per_theme[theme] = {
            "messages_a": int(A[:, t].sum()),
            "messages_b": int(B[:, t].sum()),
            "both": int((A[:, t] & B[:, t]).sum()),
            **_measures(A[:, t : t + 1], B[:, t : t + 1], weights),
        }
    return {
        "messages": n,
        "overall": _measures(A, B, weights),
        "per_theme": per_theme,
        "confusion": confusion(A, B, theme_ids),
    }


def confusion(A: np.ndarray, B: np.ndarray, theme_ids: Sequence[str]) -> dict[str, dict]:
    """Rows: the first coder's themes; columns: the second's; a message with no theme
    counts under "(none)". A message with two themes counts once for each."""
    names = [*theme_ids, NONE]
    table = {row: dict.fromkeys(names, 0) for row in names}
    for a, b in zip(A, B, strict=True):
        rows = [theme_ids[i] for i in np.flatnonzero(a)] or [NONE]
        columns = [theme_ids[i] for i in np.flatnonzero(b)] or [NONE]
        for row in rows:
            for column in columns:
                table[row][column] += 1
    return table


def _measures(A: np.ndarray, B: np.ndarray, weights: np.ndarray) -> dict[str, object]:
    """Kappa and alpha of the decisions (messages x themes, every cell one decision),
    by the libraries, with bootstrap intervals from the same statistics worked out from
    each round's 2 x 2 table (tested equal to the libraries': 1000 rounds of the
    libraries took 20 s a pair of coders)."""
    a, b = A.ravel(), B.ravel()
    cells = np.stack([(A & B).sum(1), (A & ~B).sum(1), (~A & B).sum(1), (~A & ~B).sum(1)], 1)
    rounds = weights @ cells  # each round's 2 x 2 table: both, a only, b only, neither
    return {
        "kappa": _round(_kappa(a, b)),
        "kappa_95": _interval(kappa_of_tables(rounds)),
        "alpha": _round(_alpha(a, b)),
        "alpha_95": _interval(alpha_of_tables(rounds)),
    }


def kappa_of_tables(tables: np.ndarray) -> np.ndarray:
    """Cohen's kappa of 2 x 2 tables (rows: both, a only, b only, neither); nan where
    chance agreement is total."""
    both, a_only, b_only, neither = tables.T.astype(float)
    n = both + a_only + b_only + neither
    observed = (both + neither) / n
    a_yes, b_yes = (both + a_only) / n, (both + b_only) / n
    chance = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - chance) / (1 - chance)


def alpha_of_tables(tables: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha (nominal, two coders, nothing missing) of 2 x 2 tables:
    1 - (values - 1) * disagreements / (yes values * no values); nan without variation."""
    both, a_only, b_only, neither = tables.T.astype(float)
    disagree = a_only + b_only
    yes, no = 2 * both + disagree, 2 * neither + disagree
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 - (yes + no - 1) * disagree / (yes * no)


def _kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return None  # one answer throughout: chance agreement is total, kappa undefined
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohen_kappa_score(a, b))
    return None if np.isnan(value) else value


def _alpha(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return None  # no variation to agree on
    data = np.vstack([a, b]).astype(float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _interval(values: np.ndarray) -> list[float] | None:
    kept = values[np.isfinite(values)]
    if len(kept) < len(values) / 2:  # mostly undefined: no interval worth giving
        return None
    low, high = np.percentile(kept, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _matrix(themes: Sequence[set[str]], theme_ids: Sequence[str]) -> np.ndarray:
    index = {t: i for i, t in enumerate(theme_ids)}
    M = np.zeros((len(themes), len(theme_ids)), dtype=bool)
    for row, given in enumerate(themes):
        for theme in given:
            M[row, index[theme]] = True
    return M
