"""TF-IDF over normalised tokens (unigrams and, by default, bigrams)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipeline.config import VectoriseConfig


def ngrams(tokens: Sequence[str], n_max: int) -> list[str]:
    """Tokens and their n-grams up to n_max, joined by a space."""
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


class Vectoriser:
    """Fits a vocabulary and IDF weights; rows come out L2-normalised."""

    def __init__(self, config: VectoriseConfig):
        self.config = config

    def _analyzer(self, tokens: Sequence[str]) -> list[str]:
        return ngrams(tokens, self.config.ngram_max)

    def _make(self, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
        c = self.config
        return TfidfVectorizer(
            analyzer=self._analyzer,
            min_df=c.min_df,
            max_df=c.max_df,
            max_features=c.max_features,
            sublinear_tf=c.sublinear_tf,
            vocabulary=vocabulary,
            dtype=np.float64,
        )

    def fit(self, documents: Sequence[Sequence[str]]) -> Vectoriser:
        vectorizer = self._make()
        try:
            vectorizer.fit(documents)
        except ValueError:
            # Too few documents for min_df/max_df (a tiny input): keep every term.
            vectorizer = self._make()
            vectorizer.set_params(min_df=1, max_df=1.0)
            vectorizer.fit(documents)
        # A sorted vocabulary makes the column order, and so every saved array,
        # independent of the order the documents came in.
        terms = sorted(vectorizer.vocabulary_)
        order = [vectorizer.vocabulary_[t] for t in terms]
        self.vocabulary_ = terms
        self.idf_ = np.asarray(vectorizer.idf_)[order]
        self._index = None
        return self

    @classmethod
    def from_arrays(
        cls, config: VectoriseConfig, vocabulary: list[str], idf: np.ndarray
    ) -> Vectoriser:
        self = cls(config)
        self.vocabulary_, self.idf_ = list(vocabulary), np.asarray(idf, dtype=np.float64)
        self._index = None
        return self

    def transform(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF rows as scikit-learn's TfidfVectorizer makes them (tested against it),
        built here because its per-term Python loop, raising KeyError for every term
        outside the vocabulary, dominated the time to read a million messages."""
        if not hasattr(self, "vocabulary_"):
            raise RuntimeError("Vectoriser is not fitted; call fit() first")
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.vocabulary_)}
            # only a pair whose first word starts a known bigram can be one
            self._bigram_starts = {t.split(" ", 1)[0] for t in self.vocabulary_ if " " in t}
        column = self._index.get
        n_max = self.config.ngram_max
        starts = self._bigram_starts
        # flat column indices and row starts: a CSR matrix with repeats, summed below
        indices: list[int] = []
        indptr = [0]
        for tokens in documents:
            if n_max == 2:
                terms = [*tokens, *(f"{a} {b}" for a, b in pairwise(tokens) if a in starts)]
            else:
                terms = ngrams(tokens, n_max)
            row = [column(term) for term in terms]
            indices.extend([i for i in row if i is not None])
            indptr.append(len(indices))
        X = sp.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(self.vocabulary_)),
        )
        X.sum_duplicates()  # counts per term, columns sorted
        if self.config.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        return normalize(X, copy=False)
