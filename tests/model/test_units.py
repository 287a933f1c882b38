import pytest

from pipeline.config import EngineConfig, TopicsConfig, VectoriseConfig
from pipeline.dataset import write_records
from pipeline.engine.cluster import Engine
from pipeline.ingest import read_exports
from pipeline.model.units import (
    corpus_totals,
    fitting_units,
    sample_rows,
    sample_units,
    unit_layout,
)
from pipeline.model.vectorise import Vectoriser
from pipeline.normalise.corpus import build_corpus
from pipeline.normalise.parallel import normalise_parts
from tests.conftest import EXAMPLE


def test_sample_rows_is_seeded_sorted_and_all_when_few():
    assert sample_rows(5, 10, 0).tolist() == [0, 1, 2, 3, 4]
    assert sample_rows(5, 0, 0).tolist() == [0, 1, 2, 3, 4]  # 0: all
    drawn = sample_rows(1000, 10, 7)
    assert len(set(drawn.tolist())) == 10 and drawn.tolist() == sorted(drawn.tolist())
    assert drawn.tolist() == sample_rows(1000, 10, 7).tolist()
    assert drawn.tolist() != sample_rows(1000, 10, 8).tolist()


def example_in_parts(config, normaliser, folder, monkeypatch):
    """The example's corpus, and its messages written and normalised in parts of 50."""
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 50)
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    corpus = build_corpus(messages, normaliser)
    parts = write_records(folder, corpus.messages)
    normalise_parts(parts, normaliser)
    return corpus, parts


@pytest.mark.parametrize("unit", ["message", "segment"])
def test_the_sample_read_from_parts_is_the_one_drawn_from_all_units(
    unit, config, normaliser, tmp_path, monkeypatch
):
    """Segments run across the parts' edges; the sample is drawn from all units."""
    corpus, parts = example_in_parts(config, normaliser, tmp_path, monkeypatch)
    topics = TopicsConfig(unit=unit, fit_sample=40, segment_gap_minutes=30)
    whole = fitting_units(corpus, topics)
    assert len(whole) > 40  # so that a sample is drawn
    layout, n = unit_layout(parts, topics)
    assert n == len(whole)
    units = sample_units(parts, layout, n, topics)
    assert units == [whole[i] for i in sample_rows(len(whole), 40, topics.random_state)]
    if unit == "segment":
        assert any(len(u) > 20 for u in units)  # joined messages, not single ones


@pytest.mark.parametrize("unit", ["message", "segment"])
def test_terms_counted_over_parts_are_counted_over_all_units(
    unit, config, normaliser, tmp_path, monkeypatch
):
    """Each part counts its own units; a segment across a part's edge counts once."""
    corpus, parts = example_in_parts(config, normaliser, tmp_path, monkeypatch)
    topics = TopicsConfig(unit=unit, segment_gap_minutes=30)
    whole = fitting_units(corpus, topics)
    candidates = Vectoriser(VectoriseConfig(min_df=1)).fit(whole)
    layout, _ = unit_layout(parts, topics)
    if unit == "segment":  # some segment runs on into the next part
        assert any(not where.starts[0] for where in layout[1:])
    with Engine(EngineConfig(scheduler="sync")) as engine:
        counted = corpus_totals(parts, layout, engine)(candidates)
    expected = candidates.totals(whole)
    assert counted.documents == len(whole)
    assert counted.df.tolist() == expected.df.tolist()
    assert counted.tf.tolist() == expected.tf.tolist()
