import numpy as np
import pyarrow.parquet as pq
import pytest

from pipeline.config import EngineConfig, load_config
from pipeline.dataset import MESSAGES, write_records
from pipeline.engine.cluster import Engine
from pipeline.flow import fit_model
from pipeline.ingest import read_exports
from pipeline.model.apply import apply_distinct, apply_parts, distinct_rows
from pipeline.model.metrics import TermCounts, quality_terms
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import Corpus, build_corpus
from pipeline.normalise.parallel import normalise_parts
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def fitted():
    """A model fitted on the example, its corpus and normaliser."""
    config = load_config(overrides=["topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    corpus = build_corpus(messages, normaliser)
    return fit_model(corpus.tokens, config, normaliser), corpus, normaliser


def test_distinct_rows_by_hand():
    first, inverse = distinct_rows(["a", "b", "a", "c", "b"])
    assert first == [0, 1, 3]
    assert inverse.tolist() == [0, 1, 0, 2, 1]


def test_reading_each_distinct_text_once_changes_nothing(fitted):
    model, corpus, _ = fitted
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


def test_applying_on_two_processes_gives_the_same_bits_as_one(fitted):
    from dataclasses import replace

    from pipeline.model.classify import SCORE_CHUNK

    model, corpus, _ = fitted
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


def test_applying_over_parts_gives_each_message_what_it_gets_in_memory(
    fitted, tmp_path, monkeypatch
):
    model, corpus, normaliser = fitted
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 70)
    # the demo's messages and its first 100 again: repeats within a part and across parts
    messages = corpus.messages + corpus.messages[:100]
    normalised = corpus.normalised + corpus.normalised[:100]
    parts = write_records(tmp_path, messages)
    assert len(parts) == 6
    normalise_parts(parts, normaliser)
    counts, with_theme = apply_parts(model, parts)

    texts = [m.text for m in messages]
    X, repeats, applied = apply_distinct(model, texts, normalised)
    table = pq.read_table(tmp_path / MESSAGES)
    assert table.column("id").to_pylist() == [m.id for m in messages]
    assert table.column("tokens").to_pylist() == [n.tokens for n in normalised]
    ids = np.array(model.theme_ids)
    assert table.column("themes").to_pylist() == [list(ids[row]) for row in applied.assigned]
    scores = np.array(table.column("theme_scores").to_pylist())
    np.testing.assert_allclose(scores, applied.scores, atol=1e-6)
    assert with_theme == applied.assigned.any(axis=1).sum()
    # the quality counts, summed over the parts, are those of all the messages at once
    whole = TermCounts.of(X, quality_terms(model), repeats)
    assert counts.columns == whole.columns and counts.messages == whole.messages == len(texts)
    np.testing.assert_array_equal(counts.together, whole.together)
