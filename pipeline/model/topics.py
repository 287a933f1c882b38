"""Seeded NMF: topics whose first rows are held near the study's theme centroids.

X ≈ W H with K = T theme rows + m free rows. Theme rows of H start at the seed
centroids S and carry a penalty mu * ||H_t - S_t||², which scikit-learn's NMF cannot
put on single rows, hence this loop of our own. It alternates HALS sweeps (exact
coordinate updates) over W and H: measured against multiplicative updates on 20k
messages, it converges in ~35 iterations instead of 160-330, twice as fast, and fits
with other random seeds agree far better (stability 0.99 vs 0.91; on a 20k sample of a
1M corpus 0.76 with multiplicative updates). Free rows soak up the community's other
talk; those become emergent themes.

Message weights W are solved with H fixed by a fixed number of HALS sweeps. Each row
is updated from itself alone and the sweep count does not depend on the batch, so a
message gets the same weights alone or among a million others.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, svds

from pipeline.config import TopicsConfig

_EPS = 1e-12


def _nonnegative_part(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """NNDSVD's choice for a singular pair (u, v), whose signs are arbitrary: the
    positive or the negative part of v, whichever goes with the larger product of the
    parts' norms (Boutsidis & Gallopoulos 2008)."""
    up, un = np.maximum(u, 0), np.maximum(-u, 0)
    vp, vn = np.maximum(v, 0), np.maximum(-v, 0)
    positive = np.linalg.norm(up) * np.linalg.norm(vp)
    return vp if positive >= np.linalg.norm(un) * np.linalg.norm(vn) else vn


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero): topics and centroids are
    compared by cosine, here and in themes."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, _EPS)


# Rows of W solved together; a multiple of it keeps chunked and whole runs bit-equal.
WEIGHT_BLOCK = 4096


def solve_weights(
    X: sp.csr_matrix, H: np.ndarray, sweeps: int = 30, block: int = WEIGHT_BLOCK
) -> np.ndarray:
    """Non-negative W minimising ||X - W H||² row by row (HALS, fixed sweeps).

    Rows are independent, so they are solved a block at a time: a block's W stays in
    the cache through all its sweeps, and the result is the same as all at once."""
    HHt = H @ H.T
    diag = np.maximum(np.diag(HHt), _EPS)
    W = np.empty((X.shape[0], H.shape[0]))
    for start in range(0, X.shape[0], block):
        XHt = np.asarray(X[start : start + block] @ H.T)
        # column-major: each update below reads and writes one contiguous column
        Wb = np.asfortranarray(np.maximum(XHt, 0.0) / diag)
        for _ in range(sweeps):
            _sweep_weights(Wb, XHt, HHt, diag)
        W[start : start + block] = Wb
    return W


def _sweep_weights(W: np.ndarray, XHt: np.ndarray, HHt: np.ndarray, diag: np.ndarray) -> None:
    """One HALS sweep over W's columns, in place: each column's exact non-negative
    least-squares update given the others."""
    for k in range(W.shape[1]):
        step = (XHt[:, k] - W @ HHt[:, k]) / diag[k]
        W[:, k] = np.maximum(W[:, k] + step, 0.0)


def _sweep_components(
    H: np.ndarray,
    WtW: np.ndarray,
    WtX: np.ndarray,
    pull: np.ndarray,
    target: np.ndarray,
    revive: bool,
) -> None:
    """One HALS sweep over H's rows, in place: each row's exact non-negative
    least-squares update given the others, pulled towards `target` with weight `pull`."""
    for k in range(H.shape[0]):
        numerator = WtX[k] - WtW[k] @ H + WtW[k, k] * H[k] + pull[k] * target[k]
        H[k] = np.maximum(numerator / max(WtW[k, k] + pull[k], _EPS), 0.0)
        if revive and not H[k].any():  # a free topic that lost every term starts again small
            H[k] = 1e-6


def corpus_term_weights(
    X: sp.csr_matrix, W: np.ndarray, H: np.ndarray, sweeps: int = 10
) -> np.ndarray:
    """Each topic's terms as the corpus itself expresses it: H refitted to the corpus
    rows X with their weights W fixed and no pull towards the seed centroids.

    A theme row of H stays at its seed centroid, so its top terms are the seeds' words,
    which may seldom meet in the community's messages (20k bench corpus: theme-topic
    NPMI -0.089 from H, 0.027 from these rows; plain NMF -0.012). These rows name and
    describe topics; H still gives the weights. HALS rows settle within 3 sweeps."""
    X = sp.csr_matrix(X, dtype=np.float64)
    described = np.array(H, dtype=np.float64)
    WtW, WtX = W.T @ W, np.asarray((X.T @ W).T)
    free, no_target = np.zeros(H.shape[0]), np.zeros_like(described)
    for _ in range(sweeps):
        _sweep_components(described, WtW, WtX, free, no_target, revive=False)
    # A topic no corpus message uses keeps its own row rather than none.
    unused = ~described.any(axis=1)
    described[unused] = H[unused]
    return described


def row_residuals(X: sp.csr_matrix, W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """||x - w H|| for each row, without forming the dense reconstruction."""
    squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    cross = np.sum(np.asarray(X @ H.T) * W, axis=1)
    model = np.sum((W @ (H @ H.T)) * W, axis=1)
    return np.sqrt(np.maximum(squared - 2 * cross + model, 0.0))


# The [topics] table's defaults are the estimator's: one place for both.
_DEFAULTS = TopicsConfig()


class SeededNMF:
    """Constructors store; `fit` learns `components_`; `transform` gives W."""

    def __init__(
        self,
        extra_topics: int = _DEFAULTS.extra_topics,
        mu: float = _DEFAULTS.mu,
        max_iter: int = _DEFAULTS.max_iter,
        tol: float = _DEFAULTS.tol,
        random_state: int = _DEFAULTS.random_state,
        # HALS reaches machine precision in ~30 sweeps on our data (measured against 200)
        weight_sweeps: int = 30,
    ):
        self.extra_topics = extra_topics
        self.mu = mu
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.weight_sweeps = weight_sweeps

    @classmethod
    def from_config(cls, config: TopicsConfig, *, random_state: int | None = None) -> SeededNMF:
        """The [topics] table's settings; another random_state for stability refits."""
        seed = config.random_state if random_state is None else random_state
        return cls(config.extra_topics, config.mu, config.max_iter, config.tol, seed)

    def _initial_free_rows(self, X: sp.csr_matrix, S: np.ndarray) -> np.ndarray:
        """Free topics start where the themes leave the corpus least explained: the
        leading singular vectors of the residual X - W0 S (W0: each message's weights on
        the themes alone), each made non-negative as NNDSVD does, the way scikit-learn's
        NMF starts. The start before, farthest-point picks of single messages from a
        seeded sample, moved with the seed: with 10 free topics on the 10k bench corpus,
        fits with five seeds agreed at 0.83 (matched top-10 Jaccard), now 0.94."""
        m = self.extra_topics
        n, v = X.shape
        background = np.asarray(X.mean(axis=0)).ravel()
        background = background / max(background.sum(), _EPS) + 1e-4
        rows = np.tile(background, (m, 1))
        rank = min(m, min(n, v) - 1)
        if rank < 1:
            return unit_rows(rows)
        W0 = solve_weights(X, S, sweeps=10) if len(S) else np.zeros((n, 0))
        residual = LinearOperator(
            (n, v),
            matvec=lambda x: X @ x - W0 @ (S @ x),
            rmatvec=lambda y: X.T @ y - S.T @ (W0.T @ y),
            dtype=np.float64,
        )
        U, singular, Vt = svds(residual, k=rank, rng=np.random.default_rng(self.random_state))
        for row, j in enumerate(np.argsort(-singular, kind="stable")):
            rows[row] += _nonnegative_part(U[:, j], Vt[j])
        return unit_rows(rows)

    def fit(self, X: sp.csr_matrix, centroids: np.ndarray) -> SeededNMF:
        X = sp.csr_matrix(X, dtype=np.float64)
        S = unit_rows(np.asarray(centroids, dtype=np.float64))
        n_themes = S.shape[0]
        H = np.vstack([S + 1e-6, self._initial_free_rows(X, S)])
        k_all = H.shape[0]
        target = np.vstack([S, np.zeros((k_all - n_themes, H.shape[1]))])
        pull = np.zeros(k_all)
        pull[:n_themes] = self.mu
        # column-major: each HALS update reads and writes one contiguous column (2x faster)
        W = np.asfortranarray(solve_weights(X, H, sweeps=5))
        n = X.shape[0]
        norm_x = float(X.multiply(X).sum())
        previous = np.inf
        self.n_iter_ = 0
        for iteration in range(1, self.max_iter + 1):
            # One HALS sweep over W's columns, warm, then over H's rows; a theme row's
            # least-squares update is pulled towards its centroid with weight mu.
            HHt = H @ H.T
            _sweep_weights(W, np.asarray(X @ H.T), HHt, np.maximum(np.diag(HHt), _EPS))
            WtW, WtX = (W.T @ W) / n, np.asarray((X.T @ W).T) / n
            _sweep_components(H, WtW, WtX, pull, target, revive=True)
            self.n_iter_ = iteration
            if iteration % 5 == 0 or iteration == self.max_iter:
                loss = self._loss(norm_x, X, W, H, n, (pull > 0)[:, None], target)
                if np.isfinite(previous) and previous - loss <= self.tol * previous:
                    break
                previous = loss
        # Free rows have no anchor for their scale: give them unit norm like the themes.
        H[n_themes:] = unit_rows(H[n_themes:])
        self.components_ = H
        self.n_themes_ = n_themes
        self.reconstruction_err_ = float(np.sqrt(max(self._residual(norm_x, X, W, H), 0.0)))
        return self

    def _residual(self, norm_x, X, W, H) -> float:
        cross = float(np.sum(np.asarray(X @ H.T) * W))
        return norm_x - 2 * cross + float(np.sum((W.T @ W) * (H @ H.T)))

    def _loss(self, norm_x, X, W, H, n, held, target) -> float:
        penalty = float(np.sum(held * (H - target) ** 2))
        return self._residual(norm_x, X, W, H) / n + self.mu * penalty

    def transform(self, X: sp.csr_matrix) -> np.ndarray:
        if not hasattr(self, "components_"):
            raise RuntimeError("SeededNMF is not fitted; call fit() first")
        return solve_weights(
            sp.csr_matrix(X, dtype=np.float64), self.components_, self.weight_sweeps
        )
