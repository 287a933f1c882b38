"""TF-IDF over normalised tokens (unigrams and, by default, bigrams)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, count, pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from pipeline.config import VectoriseConfig


def is_placeholder(word: str) -> bool:
    """A masked item's stand-in (_price_, _phone_, ...): no word of anyone's."""
    return word.startswith("_") and word.endswith("_")


def shown_terms(terms: Sequence[str]) -> list[str]:
    """The terms to show people: none that is or holds a placeholder."""
    return [t for t in terms if not any(map(is_placeholder, t.split(" ")))]


def ngrams(tokens: Sequence[str], n_max: int) -> list[str]:
    """Tokens and their n-grams up to n_max, joined by a space."""
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class TermTotals:
    """Over some documents: how many hold each of some terms (`df`), how often each
    occurs in all (`tf`), and how many documents there were. Whole numbers: the totals
    of disjoint sets of documents add up exactly, so parts are counted apart."""

    df: np.ndarray
    tf: np.ndarray
    documents: int

    @classmethod
    def of(cls, X: sp.csr_matrix, documents: int) -> TermTotals:
        """The totals of a count matrix with duplicates summed (a row's stored entries are
        its distinct terms): the rows holding each column, and the column's sum."""
        n_terms = X.shape[1]
        df = np.bincount(X.indices, minlength=n_terms).astype(np.int64)
        tf = np.bincount(X.indices, weights=X.data, minlength=n_terms).round().astype(np.int64)
        return cls(df, tf, documents)

    def __add__(self, other: TermTotals) -> TermTotals:
        return TermTotals(self.df + other.df, self.tf + other.tf, self.documents + other.documents)


class Vectoriser:
    """Fits a vocabulary and IDF weights; rows come out L2-normalised."""

    def __init__(self, config: VectoriseConfig):
        self.config = config
        self._reset()

    def fit(
        self,
        documents: Sequence[Sequence[str]],
        totals: Callable[[Vectoriser], TermTotals] | None = None,
    ) -> Vectoriser:
        """The vocabulary and IDF weights scikit-learn's TfidfVectorizer would learn
        (tested against it), from term counts alone, without its count matrix.

        `totals`: when the documents are a sample of a larger whole, the candidate terms
        are those the sample holds in at least `min_df` documents, and which of them are
        kept, and their IDF, come from their counts over the whole: `totals(candidates)`
        (a vectoriser whose vocabulary is the candidates) gives them."""
        c = self.config
        terms, df, tf = count_terms(documents, c.ngram_max, c.min_df)
        n_documents = len(documents)
        if totals is not None and terms:
            whole = totals(Vectoriser.from_arrays(c, terms, np.ones(len(terms))))
            df, tf, n_documents = whole.df, whole.tf, whole.documents
        kept = _select_terms(df, tf, n_documents, c.min_df, c.max_df, c.max_features)
        if kept is None:  # too few documents for min_df/max_df (a tiny input): keep all
            terms, df, tf = count_terms(documents, c.ngram_max, 1)
            kept = _select_terms(df, tf, len(documents), 1, 1.0, c.max_features)
            n_documents = len(documents)
        if kept is None:
            raise ValueError("no terms to learn: every message is empty after normalisation")
        self.vocabulary_ = [terms[i] for i in kept]
        # smoothed IDF, as scikit-learn's default: as if one document held every term
        self.idf_ = np.log((n_documents + 1) / (df[kept] + 1)) + 1.0
        self._reset()
        return self

    def _reset(self) -> None:
        self._index = None
        self._single_words = None
        self._term_array = None
        self._pair_table = None
        self._pair_dict = None
        self._pairs_made = False  # None is a value _pairs may hold

    @classmethod
    def from_arrays(
        cls, config: VectoriseConfig, vocabulary: list[str], idf: np.ndarray
    ) -> Vectoriser:
        self = cls(config)
        self.vocabulary_, self.idf_ = list(vocabulary), np.asarray(idf, dtype=np.float64)
        self._reset()
        return self

    def transform(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF rows as scikit-learn's TfidfVectorizer makes them (tested against it),
        built here because its per-term Python loop, raising KeyError for every term
        outside the vocabulary, dominated the time to read a million messages."""
        return self.weigh(*self.columns(documents))

    def table_transform(self, tokens: pa.ListArray | pa.ChunkedArray) -> sp.csr_matrix:
        """`transform` of token lists held in Arrow (a column of a part)."""
        return self.weigh(*self.table_columns(tokens))

    def counts(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """How often each term of the vocabulary occurs in each document."""
        return _count_matrix(*self.columns(documents), len(self.vocabulary_))

    def totals(self, documents: Sequence[Sequence[str]]) -> TermTotals:
        """The documents' totals of the vocabulary's terms."""
        return TermTotals.of(self.counts(documents), len(documents))

    def table_counts(
        self, tokens: pa.ListArray | pa.ChunkedArray, unit: np.ndarray | None = None
    ) -> sp.csr_matrix:
        """`counts` of token lists held in Arrow (a column of a part), each row its own
        document, or (`unit`: each row's document, rows of one consecutive) the rows of a
        document joined, as if their lists were one."""
        return _count_matrix(*self.table_columns(tokens, unit), len(self.vocabulary_))

    def table_columns(
        self, tokens: pa.ListArray | pa.ChunkedArray, unit: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`columns` of token lists held in Arrow (see `table_counts`), found for all
        tokens at once by Arrow's hash look-ups (of words, and of pairs of words as
        numbers), not term by term in Python (100k messages: 2.3 -> 0.4 s). The same columns, in another order
        within a document (tested)."""
        if isinstance(tokens, pa.ChunkedArray):
            tokens = tokens.combine_chunks()
        lengths = pc.fill_null(pc.list_value_length(tokens), 0).to_numpy()
        documents = len(lengths) if unit is None else (int(unit[-1]) + 1 if len(unit) else 0)
        n_max = self.config.ngram_max
        if n_max > 2 or (n_max == 2 and self._pair_codes is None):  # strings, as scikit-learn
            lists = tokens.to_pylist()
            return self.columns(lists if unit is None else _joined(lists, unit, documents))
        flat = pc.list_flatten(tokens)
        row = np.repeat(np.arange(len(lengths)), lengths)
        document = row if unit is None else np.asarray(unit)[row]
        found = [_positions(pc.index_in(flat, value_set=self._terms), document)]
        if n_max == 2 and len(flat) > 1:
            words, codes, pair_columns = self._pair_codes
            word = pc.fill_null(pc.index_in(flat, value_set=words), -1).to_numpy()
            both = (word[:-1] >= 0) & (word[1:] >= 0) & (document[:-1] == document[1:])
            code = word[:-1][both].astype(np.int64) * len(words) + word[1:][both]
            owners, pairs = _positions(pc.index_in(code, value_set=codes), document[:-1][both])
            found.append((owners, pair_columns[pairs]))
        owner = np.concatenate([d for d, _ in found])
        order = np.argsort(owner, kind="stable")
        indices = np.concatenate([c for _, c in found])[order]
        indptr = np.zeros(documents + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=documents), out=indptr[1:])
        return indices, indptr

    def columns(self, documents: Sequence[Sequence[str]]) -> tuple[list[int], list[int]]:
        """Each document's terms as columns of the vocabulary: `indices[indptr[r]:
        indptr[r + 1]]` for document r, repeats and all; terms outside it left out."""
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
        return indices, indptr

    @property
    def _terms(self) -> pa.Array:
        if self._term_array is None:
            self._term_array = pa.array(self.vocabulary_, pa.string())
        return self._term_array

    @property
    def _pair_codes(self) -> tuple[pa.Array, pa.Array, np.ndarray] | None:
        """The two-word terms as pairs of word numbers (first * words + second), with
        the words and the terms' columns; None where there are no pairs of tokens
        (`_pairs`). The Arrow look-up needs no dict of every term."""
        if self._pair_table is None and self._pairs is not None:
            words = sorted({w for pair in self._pairs for w in pair})
            number = {w: i for i, w in enumerate(words)}
            codes = np.array(
                [number[a] * len(words) + number[b] for a, b in self._pairs], dtype=np.int64
            )
            columns = np.fromiter(self._pairs.values(), dtype=np.int64, count=len(self._pairs))
            self._pair_table = (pa.array(words, pa.string()), pa.array(codes), columns)
        return self._pair_table

    @property
    def _pairs(self) -> dict[tuple[str, str], int] | None:
        """Two-word term -> column, by its pair of tokens. A two-word term is one pair of
        tokens, unless a token itself holds a space (a lexicon may map a word to two):
        then a pair's term may have more spaces, and terms are joined strings as
        scikit-learn makes them (None)."""
        if not self._pairs_made:
            spaces = [term.count(" ") for term in self.vocabulary_]
            self._pair_dict = (
                {tuple(t.split(" ")): i for i, t in enumerate(self.vocabulary_) if spaces[i] == 1}
                if max(spaces, default=0) <= 1
                else None
            )
            self._pairs_made = True
        return self._pair_dict

    @property
    def index(self) -> dict[str, int]:
        """Term -> column."""
        if not hasattr(self, "vocabulary_"):
            raise RuntimeError("Vectoriser is not fitted; call fit() first")
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.vocabulary_)}
        return self._index

    def single_word_mask(self) -> np.ndarray:
        """Per column: a one-word term that is a word, not a placeholder such as _price_."""
        if self._single_words is None:
            self._single_words = np.array(
                [" " not in t and not is_placeholder(t) for t in self.vocabulary_],
                dtype=bool,
            )
        return self._single_words

    def weigh(self, indices: Sequence[int], indptr: Sequence[int]) -> sp.csr_matrix:
        """TF-IDF rows from each row's columns (`indices[indptr[r]:indptr[r + 1]]`,
        repeats counted), L2-normalised."""
        X = _count_matrix(indices, indptr, len(self.vocabulary_))
        if self.config.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        return unit_rows(X)


def _positions(columns: pa.Array, document: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The documents and columns of the tokens found (not null) in a look-up."""
    found = pc.is_valid(columns).to_numpy(zero_copy_only=False)
    return document[found], pc.drop_null(columns).to_numpy().astype(np.int64)


def _joined(lists: list[list[str]], unit: np.ndarray, documents: int) -> list[list[str]]:
    """The rows' lists joined per document (a document's rows consecutive)."""
    joined: list[list[str]] = [[] for _ in range(documents)]
    for u, row in zip(unit.tolist(), lists, strict=True):
        joined[u].extend(row)
    return joined


def _count_matrix(indices: Sequence[int], indptr: Sequence[int], n_terms: int) -> sp.csr_matrix:
    X = sp.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
        shape=(len(indptr) - 1, n_terms),
    )
    X.sum_duplicates()  # counts per term, columns sorted
    return X


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
