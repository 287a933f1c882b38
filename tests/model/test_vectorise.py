import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.config import VectoriseConfig
from pipeline.model.vectorise import Vectoriser, ngrams

DOCS = [
    ["harga", "kemas", "baru"],
    ["harga", "harga", "harga", "naik"],
    ["kumpul", "sama", "anggota", "kumpul"],
    ["harga", "kemas"],
    [],
    ["wkwk", "kumpul", "sama"],
    ["kemas", "baru", "harga", "naik", "lagi"],
]
NEW = [["harga", "kemas", "baru", "unseen"], ["unseen", "words", "only"], [], ["naik", "naik"]]


def test_ngrams_by_hand():
    assert ngrams(["a", "b", "c"], 2) == ["a", "b", "c", "a b", "b c"]
    assert ngrams(["a"], 3) == ["a"]


@pytest.mark.parametrize("ngram_max", [1, 2, 3])
@pytest.mark.parametrize("sublinear", [True, False])
def test_rows_match_scikit_learn(ngram_max, sublinear):
    config = VectoriseConfig(ngram_max=ngram_max, min_df=1, max_df=1.0, sublinear_tf=sublinear)
    ours = Vectoriser(config).fit(DOCS)
    reference = TfidfVectorizer(
        analyzer=lambda tokens: ngrams(tokens, ngram_max),
        sublinear_tf=sublinear,
        vocabulary={t: i for i, t in enumerate(ours.vocabulary_)},
    )
    reference.fit(DOCS)
    expected = reference.transform(DOCS + NEW).toarray()
    got = ours.transform(DOCS + NEW)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-12, atol=1e-15)
    # rows are unit length, or empty when no term is known
    norms = np.linalg.norm(got.toarray(), axis=1)
    np.testing.assert_allclose(norms[norms > 0], 1.0)
    assert got.has_sorted_indices


# A lexicon may map a word to two ("thanks" -> "terima kasih"), so a token can hold a
# space; its bigrams then have two spaces, and pairs of tokens must still find them.
SPACED = [
    ["terima kasih", "bu"],
    ["terima", "kasih", "bu"],
    ["terima kasih", "bu", "siti"],
    ["bu", "siti", "terima kasih"],
]


@pytest.mark.parametrize("docs", [DOCS, SPACED], ids=["plain tokens", "a token with a space"])
def test_bigram_rows_match_scikit_learn_whatever_the_tokens(docs):
    config = VectoriseConfig(ngram_max=2, min_df=1, max_df=1.0, sublinear_tf=True)
    ours = Vectoriser(config).fit(docs)
    reference = TfidfVectorizer(
        analyzer=lambda tokens: ngrams(tokens, 2),
        sublinear_tf=True,
        vocabulary={t: i for i, t in enumerate(ours.vocabulary_)},
    ).fit(docs)
    probe = [*docs, *NEW, ["terima", "kasih", "terima kasih", "bu"]]
    np.testing.assert_allclose(
        ours.transform(probe).toarray(), reference.transform(probe).toarray(), rtol=1e-12
    )


def test_transform_before_fit_is_an_error():
    with pytest.raises(RuntimeError, match="not fitted"):
        Vectoriser(VectoriseConfig()).transform([["a"]])


@pytest.mark.parametrize(
    ("min_df", "max_df", "max_features"),
    [(1, 1.0, None), (2, 0.5, None), (2, 0.9, 40), (1, 0.3, 12)],
)
def test_vocabulary_and_idf_match_scikit_learn(min_df, max_df, max_features):
    """Pruning by document frequency and the max_features cut, ties included (a small
    vocabulary of Zipfian words makes many terms equally frequent)."""
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(60)]
    p = 1 / np.arange(1, 61)
    docs = [list(rng.choice(words, size=rng.integers(0, 9), p=p / p.sum())) for _ in range(300)]
    config = VectoriseConfig(min_df=min_df, max_df=max_df, max_features=max_features or 20000)
    ours = Vectoriser(config).fit(docs)
    reference = TfidfVectorizer(
        analyzer=lambda tokens: ngrams(tokens, 2),
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        sublinear_tf=True,
    ).fit(docs)
    assert ours.vocabulary_ == sorted(reference.vocabulary_)
    order = [reference.vocabulary_[t] for t in ours.vocabulary_]
    np.testing.assert_allclose(ours.idf_, reference.idf_[order], rtol=1e-12)


# Words that repeat across documents (so min_df and ties matter), a few with a space.
WORDS = st.sampled_from(["harga", "naik", "kemas", "baru", "a", "b", "terima kasih", "kasih"])


@settings(max_examples=150, deadline=None)
@given(
    docs=st.lists(st.lists(WORDS, max_size=8), min_size=1, max_size=40),
    ngram_max=st.integers(1, 3),
    min_df=st.integers(1, 3),
    max_features=st.sampled_from([None, 10, 14]),
)
def test_any_vocabulary_matches_scikit_learn(docs, ngram_max, min_df, max_features):
    """Counting terms as integers gives scikit-learn's vocabulary and IDF for any
    documents, bigrams of tokens holding spaces and tiny inputs included."""
    assume(any(docs))  # no terms at all is an error for both
    config = VectoriseConfig(
        ngram_max=ngram_max, min_df=min_df, max_df=1.0, max_features=max_features or 20000
    )
    ours = Vectoriser(config).fit(docs)
    # a tiny input that no term survives keeps every term (scikit-learn raises instead)
    analyzer = lambda tokens: ngrams(tokens, ngram_max)  # noqa: E731
    kept = set(TfidfVectorizer(analyzer=analyzer).fit(docs).vocabulary_)
    counts = {t: sum(t in set(analyzer(d)) for d in docs) for t in kept}
    if max(counts.values()) < min_df:
        min_df = 1
    reference = TfidfVectorizer(
        analyzer=analyzer, min_df=min_df, max_features=max_features, sublinear_tf=True
    ).fit(docs)
    assert ours.vocabulary_ == sorted(reference.vocabulary_)
    order = [reference.vocabulary_[t] for t in ours.vocabulary_]
    np.testing.assert_allclose(ours.idf_, reference.idf_[order], rtol=1e-12)


def test_a_tiny_input_keeps_every_term():
    # two documents cannot satisfy min_df=2 with max_df=0.5: every term is kept instead
    ours = Vectoriser(VectoriseConfig(min_df=2, max_df=0.5)).fit([["a", "b"], ["b", "c"]])
    assert ours.vocabulary_ == ["a", "a b", "b", "b c", "c"]


def test_a_sample_proposes_the_terms_and_the_whole_keeps_and_weighs_them():
    """The vocabulary of a sample counted over the whole it came from: the sample's
    terms in at least min_df of its documents, kept by the whole's document
    frequencies, with the whole's IDF, as scikit-learn learns them on the whole."""
    sample = DOCS[:4]  # "kemas" and "harga" twice; "kumpul", "sama" once
    whole = DOCS + [["kumpul", "sama"], ["kumpul", "sama"], ["harga", "kemas", "baru"]] * 3
    config = VectoriseConfig(ngram_max=2, min_df=2, max_df=0.5)
    ours = Vectoriser(config).fit(sample, lambda candidates: candidates.totals(whole))
    # candidates from the sample (df >= 2 there): harga, harga kemas, kemas; in the
    # whole, harga is in 7 of 16 documents (<= max_df), kemas in 6, "harga kemas" in 5;
    # "kumpul" is in 8 of the whole's but one of the sample's: never a candidate
    assert ours.vocabulary_ == ["harga", "harga kemas", "kemas"]
    reference = TfidfVectorizer(
        analyzer=lambda tokens: ngrams(tokens, 2),
        sublinear_tf=True,
        vocabulary={t: i for i, t in enumerate(ours.vocabulary_)},
    ).fit(whole)
    np.testing.assert_allclose(ours.idf_, reference.idf_, rtol=1e-12)
    # by hand: smoothed IDF of "harga", in 7 of 16 documents
    assert ours.idf_[0] == pytest.approx(np.log(17 / 8) + 1)
    # without the whole, the sample's own counts: "harga" in 3 of 4 is above max_df
    assert "harga" not in Vectoriser(config).fit(sample).vocabulary_


def test_totals_count_documents_holding_a_term_and_its_occurrences():
    candidates = Vectoriser.from_arrays(VectoriseConfig(), ["harga", "harga naik", "zzz"], [1] * 3)
    totals = candidates.totals(DOCS)
    # "harga": in documents 0, 1, 3, 6, four times in document 1 counting its three
    assert totals.df.tolist() == [4, 2, 0]
    assert totals.tf.tolist() == [6, 2, 0]
    assert totals.documents == len(DOCS)
    both = candidates.totals(DOCS[:3]) + candidates.totals(DOCS[3:])
    assert (both.df.tolist(), both.tf.tolist(), both.documents) == ([4, 2, 0], [6, 2, 0], 7)


@settings(max_examples=150, deadline=None)
@given(
    docs=st.lists(st.lists(WORDS, max_size=8), min_size=1, max_size=30),
    vocabulary_docs=st.lists(st.lists(WORDS, max_size=6), min_size=1, max_size=10),
    ngram_max=st.integers(1, 3),
    joins=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_counts_of_arrow_lists_are_those_of_python_lists(docs, vocabulary_docs, ngram_max, joins):
    """Token lists read from a part count as the same lists in Python, each row a
    document or the rows of a unit joined (a conversation segment)."""
    import pyarrow as pa

    assume(any(vocabulary_docs))
    config = VectoriseConfig(ngram_max=ngram_max, min_df=1, max_df=1.0)
    vectoriser = Vectoriser(config).fit(vocabulary_docs)
    table = pa.array(docs, pa.list_(pa.string()))
    expected = vectoriser.counts(docs).toarray()
    np.testing.assert_array_equal(vectoriser.table_counts(table).toarray(), expected)
    # a unit goes on while `joins` says so; a slice, as a part's column may be
    unit = np.cumsum([True, *joins[: len(docs) - 1]]) - 1
    joined = [[] for _ in range(unit[-1] + 1)]
    for u, doc in zip(unit, docs, strict=True):
        joined[u].extend(doc)
    sliced = pa.array([["x"], *docs], pa.list_(pa.string())).slice(1)
    np.testing.assert_array_equal(
        vectoriser.table_counts(sliced, unit).toarray(), vectoriser.counts(joined).toarray()
    )
