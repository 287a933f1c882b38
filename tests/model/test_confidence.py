import numpy as np
import pytest

from pipeline.model.confidence import (
    GRID,
    claim_precision,
    confidence_check,
    message_confidence,
)


def test_claim_precision_is_the_isotonic_share_of_texts_scored_alike():
    # one theme: seeds scored out of fold with their labels, and everyday texts (none)
    seeds = np.array([[0.9], [0.8], [0.3]])
    labels = np.array([[True], [True], [False]])
    everyday = np.array([[0.2], [0.85]])
    at, share = claim_precision(seeds, labels, everyday)
    assert at.shape == share.shape == (1, GRID)
    assert at[0, 0] == 0 and at[0, -1] == pytest.approx(0.9)
    # By hand (pool adjacent violators over the scores in order 0.2 0.3 0.8 0.85 0.9
    # with truths 0 0 1 0 1): 0.8 and 0.85 pool to 0.5; between points the curve is
    # linear, so at 0.45 (a point of the grid) it is 0.5 * (0.45 - 0.3) / (0.8 - 0.3).
    assert share[0, -1] == pytest.approx(1.0)
    assert share[0, 0] == 0.0
    assert share[0, 50] == pytest.approx(0.15)
    assert np.all(np.diff(share[0]) >= 0)  # a higher score never means less


def test_a_message_is_as_sure_as_its_least_sure_theme_or_its_most_likely_when_none():
    at = np.array([[0.0, 1.0], [0.0, 1.0]])
    share = np.array([[0.0, 1.0], [0.0, 0.5]])  # theme 2's claims are right half as often
    scores = np.array([[0.9, 0.8], [0.9, 0.0], [0.3, 0.6], [0.0, 0.0]])
    assigned = np.array([[True, True], [True, False], [False, False], [False, False]])
    confidence = message_confidence(scores, assigned, at, share)
    # min(0.9, 0.4); 0.9; 1 - max(0.3, 0.3); 1 - 0
    np.testing.assert_allclose(confidence, [0.4, 0.9, 0.7, 1.0])
    assert np.isnan(message_confidence(scores, assigned, None, None)).all()


def test_the_check_counts_claims_and_their_share_right_per_band():
    confidence = np.array([0.1, 0.6, 0.7, 0.9, 1.0])
    right = np.array([False, True, False, True, True])
    assert confidence_check(confidence, right) == [
        {"from": 0.0, "to": 0.5, "claims": 1, "right": 0.0},
        {"from": 0.5, "to": 0.8, "claims": 2, "right": 0.5},
        {"from": 0.8, "to": 1.0, "claims": 2, "right": 1.0},
    ]
