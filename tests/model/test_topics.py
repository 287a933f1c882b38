import numpy as np
import scipy.sparse as sp

from pipeline.model.topics import SeededNMF, _nonnegative_part, corpus_term_weights, solve_weights


def corpus(seed: int = 0) -> sp.csr_matrix:
    """Three clusters of 40 messages over disjoint 5-word blocks, rows L2-normalised."""
    rng = np.random.default_rng(seed)
    rows = []
    for block in range(3):
        for _ in range(40):
            row = np.zeros(15)
            row[block * 5 : block * 5 + 5] = rng.random(5) + 0.2
            rows.append(row / np.linalg.norm(row))
    return sp.csr_matrix(np.array(rows))


def centroid(block: int) -> np.ndarray:
    row = np.zeros(15)
    row[block * 5 : block * 5 + 5] = 1.0
    return row / np.linalg.norm(row)


def test_theme_rows_stay_at_their_seeds_and_a_free_topic_finds_the_rest():
    X = corpus()
    S = np.vstack([centroid(0), centroid(1)])
    model = SeededNMF(extra_topics=1, mu=30.0, random_state=0).fit(X, S)
    H = model.components_
    cos = [float(H[i] @ S[i] / np.linalg.norm(H[i])) for i in range(2)]
    assert min(cos) >= 0.97
    # The free topic takes the third block, which no seed covers.
    free = H[2] / np.linalg.norm(H[2])
    assert free[10:15].sum() > 0.9 * free.sum()


def test_same_seed_same_model():
    X = corpus()
    S = np.vstack([centroid(0), centroid(1)])
    a = SeededNMF(extra_topics=2, random_state=3).fit(X, S).components_
    b = SeededNMF(extra_topics=2, random_state=3).fit(X, S).components_
    assert np.array_equal(a, b)


def four_block_corpus() -> sp.csr_matrix:
    """Four clusters of 30 messages over disjoint 5-word blocks, and a fifth block of
    words every message may use a little."""
    rng = np.random.default_rng(5)
    rows = []
    for block in range(4):
        for _ in range(30):
            row = np.zeros(25)
            row[block * 5 : block * 5 + 5] = rng.random(5) + 0.2
            row[20:25] = rng.random(5) * (rng.random(5) < 0.2) * 0.3
            rows.append(row / np.linalg.norm(row))
    return sp.csr_matrix(np.array(rows))


def test_free_topics_find_the_unseeded_talk_whatever_the_seed():
    # Theme 0 is seeded; blocks 1-3 are talk no seed foresaw. Free topics start from
    # the residual's singular vectors, so every seed finds the same three blocks.
    X = four_block_corpus()
    found = []
    for seed in range(4):
        S = np.zeros((1, 25))
        S[0, :5] = 1 / np.sqrt(5)
        H = SeededNMF(extra_topics=3, random_state=seed).fit(X, S).components_
        blocks = [int(np.argmax([row[b * 5 : b * 5 + 5].sum() for b in range(5)])) for row in H[1:]]
        found.append(sorted(blocks))
    assert found == [[1, 2, 3]] * 4


def test_free_topics_start_on_the_unseeded_talk_whatever_the_seed():
    X = four_block_corpus()
    S = np.zeros((1, 25))
    S[0, :5] = 1 / np.sqrt(5)
    starts = [
        SeededNMF(extra_topics=3, random_state=seed)._initial_free_rows(X, S) for seed in range(4)
    ]
    for start in starts:
        blocks = [int(np.argmax([row[b * 5 : b * 5 + 5].sum() for b in range(5)])) for row in start]
        assert sorted(blocks) == [1, 2, 3]
        np.testing.assert_allclose(start, starts[0], atol=1e-6)


def test_a_singular_pair_gives_the_same_start_whatever_its_sign():
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal(8), rng.standard_normal(6)
    np.testing.assert_array_equal(_nonnegative_part(u, v), _nonnegative_part(-u, -v))
    assert (_nonnegative_part(u, v) >= 0).all()


def test_a_message_gets_the_same_weights_alone_or_in_a_batch():
    X = corpus()
    model = SeededNMF(extra_topics=1).fit(X, np.vstack([centroid(0), centroid(1)]))
    batch = model.transform(X)
    for i in (0, 45, 119):
        alone = model.transform(X[i])
        np.testing.assert_allclose(alone[0], batch[i], rtol=1e-10, atol=1e-12)


def test_a_theme_is_described_in_the_corpus_words_not_the_seeds():
    # The seeds of theme 0 say terms 0-4; the community says the same thing with terms
    # 0-1 and 5-7 (a row is a message). The anchored row keeps the seeds' words; the
    # description must rank the community's words first and drop the unused seed words.
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(60):
        row = np.zeros(15)
        row[[0, 1, 5, 6, 7]] = rng.random(5) + 0.2
        rows.append(row / np.linalg.norm(row))
    for _ in range(60):
        row = np.zeros(15)
        row[10:15] = rng.random(5) + 0.2
        rows.append(row / np.linalg.norm(row))
    X = sp.csr_matrix(np.array(rows))
    model = SeededNMF(extra_topics=1, mu=30.0).fit(X, centroid(0)[None, :])
    described = corpus_term_weights(X, model.transform(X), model.components_)
    assert set(np.argsort(-model.components_[0])[:5]) == {0, 1, 2, 3, 4}
    assert set(np.argsort(-described[0])[:5]) == {0, 1, 5, 6, 7}
    assert not described[0, 2:5].any()
    assert (described >= 0).all()


def test_a_topic_no_message_uses_keeps_its_own_terms():
    H = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    X = sp.csr_matrix(np.array([[2.0, 2.0, 0.0], [1.0, 1.0, 0.0]]))
    described = corpus_term_weights(X, solve_weights(X, H), H)
    np.testing.assert_allclose(described[0], [1.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_array_equal(described[1], H[1])


def test_weights_solve_a_known_mixture():
    H = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    X = sp.csr_matrix(np.array([[2.0, 3.0, 3.0]]))
    np.testing.assert_allclose(solve_weights(X, H), [[2.0, 3.0]], atol=1e-9)


def test_row_residuals_by_hand():
    from pipeline.model.topics import row_residuals

    H = np.array([[1.0, 0.0], [0.0, 1.0]])
    X = sp.csr_matrix(np.array([[3.0, 4.0], [1.0, 0.0]]))
    W = np.array([[3.0, 0.0], [1.0, 0.0]])  # first row misses its 4, second is exact
    np.testing.assert_allclose(row_residuals(X, W, H), [4.0, 0.0], atol=1e-12)


def test_the_estimators_defaults_are_the_configs():
    from pipeline.config import TopicsConfig

    made, table = SeededNMF(), TopicsConfig()
    assert (made.extra_topics, made.mu, made.max_iter, made.tol, made.random_state) == (
        table.extra_topics,
        table.mu,
        table.max_iter,
        table.tol,
        table.random_state,
    )
