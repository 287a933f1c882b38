import numpy as np
import scipy.sparse as sp

from pipeline.model.classify import (
    ThemeClassifier,
    fit_linear,
    out_of_fold_probabilities,
    surface_words,
)


def test_surface_words_keep_placeholders_and_drop_punctuation():
    assert surface_words("harganya _price_ ya kak? 😊 ok!") == [
        "harganya",
        "_price_",
        "ya",
        "kak",
        "ok",
    ]


TEXTS = [
    "kita kumpul bersama keluarga besar",
    "ayo kumpul bersama lagi",
    "kumpul bersama di rumah bu siti",
    "harga promo diskon hari ini",
    "promo diskon buat member",
    "diskon promo akhir bulan",
]
Y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]], dtype=bool)


def _fitted() -> ThemeClassifier:
    # Topic views left empty: the surface words alone must carry these cues.
    X, W = sp.csr_matrix((6, 3)), np.zeros((6, 2))
    return ThemeClassifier(c=10.0).fit(X, W, TEXTS, Y)


def test_surface_rows_count_each_word_as_the_plain_transform_does():
    # words glued to punctuation, repeated words (counted), emoji, unknown words, an
    # empty text; asked twice, so the second answer comes from the piece cache
    classifier = _fitted()
    texts = [
        "promo,promo diskon!! promo",
        "kumpul-kumpul bersama😊bersama",
        "",
        "tidak ada kata yang dikenal",
        "diskon? diskon. (kumpul)",
    ]
    expected = classifier.surface_.transform([surface_words(t) for t in texts]).toarray()
    for _ in range(2):
        np.testing.assert_array_equal(classifier.surface_rows(texts).toarray(), expected)
    promo, diskon = (classifier.surface_.index[w] for w in ("promo", "diskon"))
    # three promos to one diskon: sublinear tf makes it 1 + log 3 against 1, times idf
    row = expected[0] / classifier.surface_.idf_
    np.testing.assert_allclose(row[promo] / row[diskon], 1 + np.log(3), rtol=1e-12)


def test_classifier_learns_each_theme_from_its_words():
    classifier = _fitted()
    texts = ["besok kumpul bersama ya", "ada diskon promo"]
    scores = classifier.scores(sp.csr_matrix((2, 3)), np.zeros((2, 2)), texts)
    assert scores[0, 0] > 0.5 > scores[0, 1]
    assert scores[1, 1] > 0.5 > scores[1, 0]


def test_a_message_scores_the_same_alone_or_in_a_batch():
    classifier = _fitted()
    texts = ["besok kumpul bersama ya", "ada diskon promo", "kumpul promo"]
    X, W = sp.csr_matrix((3, 3)), np.zeros((3, 2))
    batch = classifier.scores(X, W, texts)
    alone = classifier.scores(X[2:], W[2:], texts[2:])
    assert np.array_equal(batch[2:], alone)


def test_a_theme_without_positives_never_fires():
    Z = sp.csr_matrix(np.eye(4))
    labels = np.array([[1, 0], [0, 0], [1, 0], [0, 0]], dtype=bool)
    coef, intercept = fit_linear(Z, labels, c=1.0)
    assert not coef[1].any() and intercept[1] < -10


def test_out_of_fold_scores_do_not_see_their_own_label():
    # Each seed is the only one with its feature: without it, the classifier has
    # nothing to go on, so its held-out score sits near the prior, not near 1.
    Z = sp.csr_matrix(np.eye(6))
    scores = out_of_fold_probabilities(Z, Y, c=100.0, folds=6)
    in_sample = ThemeClassifier.from_arrays(None, *fit_linear(Z, Y, c=100.0)).scores_of(Z)
    assert np.all(in_sample[Y] > 0.9)
    assert np.all(scores[Y] < 0.6)


def test_unit_weights_give_scikit_learns_balanced_classes():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    Z = sp.csr_matrix(rng.random((40, 6)) * (rng.random((40, 6)) > 0.5))
    y = rng.random(40) < 0.25
    coef, intercept = fit_linear(Z, y[:, None], c=1.0, weights=np.ones(40))
    reference = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(Z, y)
    np.testing.assert_allclose(coef[0], reference.coef_[0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(intercept[0], reference.intercept_[0], rtol=1e-4, atol=1e-6)


def test_a_lighter_negative_pulls_less():
    # one feature, present in 5 positives and 5 negatives: with the negatives at a
    # fifth of the weight the feature's coefficient must be clearly positive
    Z = sp.csr_matrix(np.r_[np.ones(10), np.zeros(10)][:, None])
    y = np.r_[np.ones(5), np.zeros(5), np.ones(5), np.zeros(5)].astype(bool)
    weights = np.where(y, 1.0, 0.2)
    weights[10:] = 1.0
    light, _ = fit_linear(Z, y[:, None], c=10.0, weights=weights)
    even, _ = fit_linear(Z, y[:, None], c=10.0)
    assert light[0, 0] > even[0, 0] + 0.5
