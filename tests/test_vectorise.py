import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.config import VectoriseConfig
from pipeline.vectorise import Vectoriser, ngrams

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


def test_transform_before_fit_is_an_error():
    with pytest.raises(RuntimeError, match="not fitted"):
        Vectoriser(VectoriseConfig()).transform([["a"]])
