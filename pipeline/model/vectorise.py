"""TF-IDF over normalised tokens (unigrams and, by default, bigrams)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import chain, count, pairwise

import numpy as np
import scipy.sparse as sp

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

    def fit(self, documents: Sequence[Sequence[str]]) -> Vectoriser:
        """The vocabulary and IDF weights scikit-learn's TfidfVectorizer would learn
        (tested against it), from term counts alone, without its count matrix."""
        c = self.config
        terms, df, tf = count_terms(documents, c.ngram_max, c.min_df)
        kept = _select_terms(df, tf, len(documents), c.min_df, c.max_df, c.max_features)
        if kept is None:  # too few documents for min_df/max_df (a tiny input): keep all
            terms, df, tf = count_terms(documents, c.ngram_max, 1)
            kept = _select_terms(df, tf, len(documents), 1, 1.0, c.max_features)
        if kept is None:
            raise ValueError("no terms to learn: every message is empty after normalisation")
        self.vocabulary_ = [terms[i] for i in kept]
        # smoothed IDF, as scikit-learn's default: as if one document held every term
        self.idf_ = np.log((len(documents) + 1) / (df[kept] + 1)) + 1.0
        self._index = None
        self._single_words = None
        return self

    @classmethod
    def from_arrays(
        cls, config: VectoriseConfig, vocabulary: list[str], idf: np.ndarray
    ) -> Vectoriser:
        self = cls(config)
        self.vocabulary_, self.idf_ = list(vocabulary), np.asarray(idf, dtype=np.float64)
        self._index = None
        self._single_words = None
        return self

    def transform(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF rows as scikit-learn's TfidfVectorizer makes them (tested against it),
        built here because its per-term Python loop, raising KeyError for every term
        outside the vocabulary, dominated the time to read a million messages."""
        column = self.index.get
        n_max = self.config.ngram_max
        # Bigrams are looked up as pairs of tokens: no joined string made for each pair
        # of every message, and no hash of it (144k messages: 1.2-1.6 -> 0.8-1.0 s).
        pair = self._pairs.get if n_max == 2 and self._pairs is not None else None
        # flat column indices and row starts: a CSR matrix with repeats, summed in weigh
        indices: list[int] = []
        indptr = [0]
        for tokens in documents:
            if pair is not None:
                row = [*map(column, tokens), *map(pair, pairwise(tokens))]
            else:
                row = list(map(column, ngrams(tokens, n_max)))
            indices.extend([i for i in row if i is not None])
            indptr.append(len(indices))
        return self.weigh(indices, indptr)

    @property
    def index(self) -> dict[str, int]:
        """Term -> column."""
        if not hasattr(self, "vocabulary_"):
            raise RuntimeError("Vectoriser is not fitted; call fit() first")
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.vocabulary_)}
            # A two-word term is one pair of tokens, unless a token itself holds a space
            # (a lexicon may map a word to two): then a pair's term may have more
            # spaces, and terms are joined strings as scikit-learn makes them.
            spaces = [term.count(" ") for term in self.vocabulary_]
            self._pairs = (
                {tuple(t.split(" ")): i for i, t in enumerate(self.vocabulary_) if spaces[i] == 1}
                if max(spaces, default=0) <= 1
                else None
            )
        return self._index

    def single_word_mask(self) -> np.ndarray:
        """Per column: a one-word term that is a word, not a placeholder such as _price_."""
        if self._single_words is None:
            self._single_words = np.array(
                [
                    " " not in t and not (t.startswith("_") and t.endswith("_"))
                    for t in self.vocabulary_
                ],
                dtype=bool,
            )
        return self._single_words

    def weigh(self, indices: Sequence[int], indptr: Sequence[int]) -> sp.csr_matrix:
        """TF-IDF rows from each row's columns (`indices[indptr[r]:indptr[r + 1]]`,
        repeats counted), L2-normalised."""
        X = sp.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(self.vocabulary_)),
        )
        X.sum_duplicates()  # counts per term, columns sorted
        if self.config.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        return unit_rows(X)


def count_terms(
    documents: Sequence[Sequence[str]], n_max: int, min_df: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The terms (n-grams up to n_max) in at least `min_df` documents, sorted, with
    their document and total counts. Sorted terms make the column order, and so every
    saved array, independent of the order the documents came in (and match
    scikit-learn's tie-breaking)."""
    # Tokens become integers and a bigram one integer of two: counting is then a
    # sort in numpy instead of Counter updates per document (101k messages: 1.4 ->
    # 0.4-0.7 s; 940k: 16.6 -> 6.1 s), and only terms that pass min_df become strings.
    if n_max > 2:
        return _count_terms_by_string(documents, n_max, min_df)
    index: defaultdict[str, int] = defaultdict(count().__next__)
    lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
    ids = np.fromiter(
        map(index.__getitem__, chain.from_iterable(documents)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    tokens = list(index)  # in id order
    n_tokens, n_documents = len(tokens), len(documents)
    span = n_tokens + n_tokens * n_tokens  # unigram ids, then bigram ids
    if any(" " in t for t in tokens) or n_documents * span >= 2**62:
        # a token with a space could make the same bigram string from two pairs
        return _count_terms_by_string(documents, n_max, min_df)
    doc = np.repeat(np.arange(n_documents, dtype=np.int64), lengths)
    keys, key_docs = [ids], [doc]
    if n_max == 2:
        same = doc[1:] == doc[:-1]
        keys.append(n_tokens + ids[:-1][same] * n_tokens + ids[1:][same])
        key_docs.append(doc[1:][same])
    # One sort, term first and document second: a term's occurrences are then one run
    # (its total count) and its documents the changes of value within that run.
    occurrences = np.concatenate(keys) * n_documents + np.concatenate(key_docs)
    occurrences.sort()
    term_of = occurrences // n_documents
    starts = np.flatnonzero(np.diff(term_of, prepend=-1))
    found = term_of[starts]
    tf = np.diff(starts, append=len(occurrences))
    in_new_document = np.diff(occurrences, prepend=-1) != 0
    df = np.add.reduceat(in_new_document, starts) if len(starts) else starts
    enough = df >= min_df
    found, df, tf = found[enough], df[enough], tf[enough]
    first, second = np.divmod(found - n_tokens, n_tokens)
    terms = [
        tokens[k] if k < n_tokens else f"{tokens[a]} {tokens[b]}"
        for k, a, b in zip(found.tolist(), first.tolist(), second.tolist(), strict=True)
    ]
    order = sorted(range(len(terms)), key=terms.__getitem__)
    return [terms[i] for i in order], df[order], tf[order]


def _count_terms_by_string(
    documents: Sequence[Sequence[str]], n_max: int, min_df: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    in_documents: Counter[str] = Counter()
    in_total: Counter[str] = Counter()
    for tokens in documents:
        grams = ngrams(tokens, n_max)
        in_total.update(grams)
        in_documents.update(set(grams))
    terms = sorted(t for t, n in in_documents.items() if n >= min_df)
    df = np.array([in_documents[t] for t in terms], dtype=np.int64)
    tf = np.array([in_total[t] for t in terms], dtype=np.int64)
    return terms, df, tf


def _select_terms(
    df: np.ndarray, tf: np.ndarray, n_documents: int, min_df: int, max_df: float, limit: int | None
) -> np.ndarray | None:
    """Indices of the terms kept, as scikit-learn's CountVectorizer keeps them: within
    [min_df, max_df] documents, then the `limit` most frequent overall; None if none."""
    if max_df * n_documents < min_df:
        return None
    mask = (df >= min_df) & (df <= max_df * n_documents)
    if limit is not None and mask.sum() > limit:
        # the same unstable argsort on the same array scikit-learn uses, so ties at
        # the limit fall the same way
        best = np.flatnonzero(mask)[(-tf[mask]).argsort()[:limit]]
        mask = np.zeros_like(mask)
        mask[best] = True
    kept = np.flatnonzero(mask)
    return kept if len(kept) else None


def unit_rows(X: sp.csr_matrix) -> sp.csr_matrix:
    """Each row scaled to unit length in place, empty rows left empty; the same sums in
    the same order as scikit-learn's normalize, without loading scikit-learn."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(rows, weights=X.data * X.data, minlength=X.shape[0]))
    X.data /= norms[rows]
    return X
