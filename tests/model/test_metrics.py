import numpy as np
import pytest
import scipy.sparse as sp

from pipeline.model.metrics import npmi_coherence, theme_agreement, topic_diversity


def test_theme_agreement_by_hand():
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]], dtype=bool)
    predicted = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=bool)
    result = theme_agreement(truth, predicted, ["a", "b", "c"])
    # a: 1 hit of 2 predicted and 2 true; b: 2 of 2; c has no support (left out of macro).
    assert result["per_theme"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert result["per_theme"]["b"]["f1"] == 1.0
    assert "c" not in result["per_theme"]
    assert result["macro_f1"] == 0.75
    # micro: 3 hits, 4 true labels, 5 predicted -> 2*3/9
    assert result["micro_f1"] == round(6 / 9, 4)


def test_npmi_by_hand():
    # terms: x in docs 0,1; y in 0,1; z in 2,3; w in 0,2
    presence = sp.csc_matrix(
        np.array([[1, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 0]], dtype=float)
    )
    assert npmi_coherence(presence, [0, 1]) == 1.0  # always together
    assert npmi_coherence(presence, [0, 2]) == -1.0  # never together
    assert npmi_coherence(presence, [0, 3]) == 0.0  # independent
    assert npmi_coherence(presence, [0, 1, 2]) == round((1 - 1 - 1) / 3, 4)


def test_npmi_of_distinct_rows_with_counts_equals_npmi_of_every_row():
    distinct = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]], dtype=float)
    counts = np.array([3, 1, 2])
    every_row = sp.csc_matrix(np.repeat(distinct, counts, axis=0))
    for terms in ([0, 1], [0, 2], [1, 3], [0, 1, 2, 3]):
        assert npmi_coherence(sp.csc_matrix(distinct), terms, counts) == npmi_coherence(
            every_row, terms
        )


def test_topic_diversity():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75


def test_stability_by_hand():
    from pipeline.model.metrics import matched_jaccard, stability

    # topic sets {0,1} {2,3} vs {2,3} {0,4}: pairs match crosswise, Jaccard 1 and 1/3
    assert matched_jaccard([{0, 1}, {2, 3}], [{2, 3}, {0, 4}]) == pytest.approx((1 + 1 / 3) / 2)
    H = np.array([[3.0, 2.0, 0.0, 0.0], [0.0, 0.0, 2.0, 3.0]])
    assert stability(H, [H[::-1].copy()], n=2) == 1.0  # same topics, other order
