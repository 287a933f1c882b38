import numpy as np

from pipeline.config import EngineConfig, load_config
from pipeline.engine.cluster import Engine
from pipeline.flow import fit_model
from pipeline.ingest import read_exports
from pipeline.model.apply import apply_distinct, distinct_rows
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import Corpus, build_corpus
from tests.conftest import EXAMPLE


def test_distinct_rows_by_hand():
    first, inverse = distinct_rows(["a", "b", "a", "c", "b"])
    assert first == [0, 1, 3]
    assert inverse.tolist() == [0, 1, 0, 2, 1]


def test_reading_each_distinct_text_once_changes_nothing():
    config = load_config(overrides=["topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    corpus = build_corpus(messages, normaliser)
    model = fit_model(corpus.tokens, config, normaliser)
    # the demo's messages, then its first 40 again: repeats of real messages
    repeated = Corpus(
        corpus.messages + corpus.messages[:40], corpus.normalised + corpus.normalised[:40]
    )
    texts = [m.text for m in repeated.messages]
    X, counts, applied = apply_distinct(model, texts, repeated.normalised)
    every_row = model.apply(repeated.normalised)
    assert X.shape[0] == len({m.text for m in repeated.messages}) == len(counts)
    assert counts.sum() == len(repeated.messages)
    # equal up to the last bits that BLAS blocking over a batch may change
    np.testing.assert_allclose(applied.weights, every_row.weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(applied.scores, every_row.scores, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(applied.assigned, every_row.assigned)


def test_applying_on_two_processes_gives_the_same_bits_as_one():
    from dataclasses import replace

    from pipeline.model.classify import SCORE_CHUNK

    config = load_config(overrides=["topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    corpus = build_corpus(
        read_exports([EXAMPLE], config.ingest, config.privacy).messages, normaliser
    )
    model = fit_model(corpus.tokens, config, normaliser)
    # more distinct texts than one chunk holds, so the work really is split
    n = SCORE_CHUNK + 5_000
    k = len(corpus.messages)
    big = Corpus(
        [
            replace(corpus.messages[i % k], text=f"{corpus.messages[i % k].text} {i}")
            for i in range(n)
        ],
        [corpus.normalised[i % k] for i in range(n)],
    )
    texts = [m.text for m in big.messages]
    X1, _, one = apply_distinct(model, texts, big.normalised)
    with Engine(EngineConfig(workers=2, min_parallel=10)) as engine:
        X2, _, two = apply_distinct(model, texts, big.normalised, engine)
    assert (X1 != X2).nnz == 0
    for field in ("weights", "scores", "assigned"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))
