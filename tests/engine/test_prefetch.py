from pipeline.config import load_config
from pipeline.engine import prefetch
from pipeline.engine.prefetch import Prefetch
from pipeline.ingest import read_exports
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus
from tests.conftest import EXAMPLE


def test_texts_normalised_while_parsing_change_nothing(monkeypatch):
    """The prefetching reader's results are only a cache: the corpus is the same with
    it, and its rough reading of the export finds most real message texts."""
    monkeypatch.setattr(prefetch, "PREFETCH_MIN_BYTES", 0)
    config = load_config(overrides=["engine.workers=2"])
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages

    warm = Normaliser(config.normalise)
    running = Prefetch.start([EXAMPLE], warm, config.privacy, config.engine)
    try:
        known = running.collect(finish=True)
    finally:
        running.close()
    assert not running._spool.exists()  # its temporary file is gone
    with_prefetch = build_corpus(messages, warm, known=known)
    without = build_corpus(messages, Normaliser(config.normalise))

    assert with_prefetch.normalised == without.normalised
    texts = {m.text for m in with_prefetch.messages}
    single_line = {t for t in texts if "\n" not in t}
    assert len(known.keys() & single_line) >= 0.9 * len(single_line)
    assert running.stems  # the Sastrawi stems it learned come back too


def test_small_inputs_are_not_prefetched():
    config = load_config()
    idle = Prefetch.start([EXAMPLE], Normaliser(config.normalise), config.privacy, config.engine)
    assert idle.collect() == {}
