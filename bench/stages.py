"""The things the benchmark times. Each takes an export path and a message cap and
returns how many messages it handled; each runs in a fresh process (see __main__)."""

from __future__ import annotations

import logging
import tempfile
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path


def _messages(path: Path):
    from pipeline.config import load_config
    from pipeline.ingest import read_exports

    config = load_config()
    return read_exports([path], config.ingest, config.privacy).messages, config


def parse_guyub(path: Path, cap: int) -> int:
    messages, _ = _messages(path)
    return len(messages)


def parse_whatstk(path: Path, cap: int) -> int:
    from whatstk import WhatsAppChat

    return len(WhatsAppChat.from_source(filepath=str(path)).df)


def parse_whatstk_auto_safe(path: Path, cap: int) -> int:
    """whatstk's auto-detection on the copy it can read (see corpus.whatstk_safe_copy)."""
    from bench.corpus import whatstk_safe_copy

    return parse_whatstk(whatstk_safe_copy(path), cap)


def parse_whatstk_hformat(path: Path, cap: int) -> int:
    """whatstk told the header format, as its docs advise when auto-detection fails."""
    from whatstk import WhatsAppChat

    return len(WhatsAppChat.from_source(filepath=str(path), hformat="%d/%m/%Y, %H:%M - %name:").df)


def parse_chatminer(path: Path, cap: int) -> int:
    import os

    os.environ["TQDM_DISABLE"] = "1"  # its progress bar would flood the table
    from chatminer.chatparsers import WhatsAppParser

    logging.disable(logging.INFO)
    parser = WhatsAppParser(str(path))
    parser.parse_file()
    return len(parser.parsed_messages.get_df())


def _texts(path: Path, cap: int) -> list[str]:
    messages, _ = _messages(path)
    return [m.text for m in messages if m.kind == "message"][:cap]


def normalise_guyub(path: Path, cap: int) -> int:
    """The pipeline's own path: each distinct text once, on both cores."""
    from pipeline.config import load_config
    from pipeline.engine.cluster import Engine
    from pipeline.normalise import Normaliser
    from pipeline.normalise.parallel import normalise_all

    texts = _texts(path, cap)
    config = load_config()
    normaliser = Normaliser(config.normalise)
    with Engine(config.engine) as engine, _timed():
        normalise_all(texts, normaliser, engine)
    return len(texts)


def normalise_guyub_1proc(path: Path, cap: int) -> int:
    """Every message through the normaliser, one process, no de-duplication."""
    from pipeline.config import load_config
    from pipeline.normalise import Normaliser

    texts = _texts(path, cap)
    normaliser = Normaliser(load_config().normalise)
    with _timed():
        for text in texts:
            normaliser(text)
    return len(texts)


@contextmanager
def _engine(workers: int):
    """An engine on a local cluster of `workers` processes as Guyub starts them, started
    before any timing (a map's throughput is measured, not a cluster's start). One
    worker is a cluster too, not this process: this process's BLAS would use both
    cores."""
    from pipeline.config import load_config
    from pipeline.engine.cluster import Engine, local_cluster

    with local_cluster(workers) as cluster:
        config = load_config(
            overrides=[f'engine.scheduler="{cluster.scheduler_address}"', "engine.min_parallel=1"]
        )
        with Engine(config.engine) as engine:
            yield engine, config


@contextmanager
def _parts(path: Path, cap: int):
    """The export's messages written as a run's record parts (untimed), in a workspace
    removed afterwards."""
    from pipeline.dataset import write_records

    messages, _ = _messages(path)
    kept = [m for m in messages if m.kind == "message"][:cap]
    del messages
    with tempfile.TemporaryDirectory() as workspace:
        yield write_records(Path(workspace), kept)


def _normalise_map(path: Path, cap: int, workers: int) -> int:
    """The normalising map over the run's record parts, on `workers` workers; a timed
    run starts with cold caches, as a run does."""
    from pipeline.normalise import Normaliser
    from pipeline.normalise.parallel import normalise_parts, normaliser_for

    with _parts(path, cap) as parts, _engine(workers) as (engine, config):
        # the workers build their normaliser as the cluster starts, as a run's do while
        # it reads (Engine.start_early)
        engine.on_workers(partial(normaliser_for, config.normalise))
        with _timed():
            normalise_parts(parts, Normaliser(config.normalise), engine)
    return sum(part.rows for part in parts)


def normalise_map_1_worker(path: Path, cap: int) -> int:
    return _normalise_map(path, cap, 1)


def normalise_map_2_workers(path: Path, cap: int) -> int:
    return _normalise_map(path, cap, 2)


def _apply_map(path: Path, cap: int, workers: int) -> int:
    """Applying the shipped model over the run's parts (normalised beforehand, untimed),
    the messages dataset's parts written, on `workers` workers."""
    from pipeline import DEFAULT_MODEL_DIR
    from pipeline.model.apply import apply_parts
    from pipeline.model.artifacts import load_model
    from pipeline.normalise import Normaliser
    from pipeline.normalise.parallel import normalise_parts

    model = load_model(DEFAULT_MODEL_DIR)
    with _parts(path, cap) as parts, _engine(workers) as (engine, _):
        normalise_parts(parts, Normaliser(model.config.normalise), engine)
        with _timed():
            apply_parts(model, parts, engine)
    return sum(part.rows for part in parts)


def apply_map_1_worker(path: Path, cap: int) -> int:
    return _apply_map(path, cap, 1)


def apply_map_2_workers(path: Path, cap: int) -> int:
    return _apply_map(path, cap, 2)


def normalise_naive(path: Path, cap: int) -> int:
    """The issue's naive normaliser: spaCy's pipe for tokens, Sastrawi per token with no
    cache (StemmerFactory's stemmer wraps a cache; its delegate has none)."""
    return _naive(path, cap, cached=False)


def normalise_naive_cached(path: Path, cap: int) -> int:
    """The same with the cache StemmerFactory's stemmer comes with."""
    return _naive(path, cap, cached=True)


def _naive(path: Path, cap: int, *, cached: bool) -> int:
    import spacy
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    texts = _texts(path, cap)
    nlp = spacy.blank("id")
    stemmer = StemmerFactory().create_stemmer()
    stem = stemmer.stem if cached else stemmer.delegatedStemmer.stem
    with _timed():
        for doc in nlp.pipe(text.lower() for text in texts):
            [stem(t.text) for t in doc if t.is_alpha and not t.is_stop]
    return len(texts)


def run_guyub(path: Path, cap: int) -> int:
    from pipeline.config import load_config
    from pipeline.flow import run, write_run
    from pipeline.outputs import scratch_beside

    config = load_config()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        with scratch_beside(out) as workspace:
            result = run([path], config, workspace)
            write_run(result, out, config, [path])
    return result.counts["messages_read"]


def topics_seeded_nmf(path: Path, cap: int) -> int:
    return _topics(path, cap, "nmf")


def topics_lda(path: Path, cap: int) -> int:
    return _topics(path, cap, "lda")


def _topics(path: Path, cap: int, method: str) -> int:
    from pipeline.model.study import label_matrix, load_study
    from pipeline.model.themes import theme_centroids
    from pipeline.model.topics import SeededNMF
    from pipeline.model.vectorise import Vectoriser
    from pipeline.normalise import Normaliser
    from pipeline.normalise.corpus import build_corpus

    messages, config = _messages(path)
    corpus = build_corpus(messages[:cap], Normaliser(config.normalise))
    themes, seeds = load_study(config.themes)
    normaliser = Normaliser(config.normalise)
    seed_tokens = [normaliser(s.text).tokens for s in seeds]
    vectoriser = Vectoriser(config.vectorise).fit([*corpus.tokens, *seed_tokens])
    X = vectoriser.transform([*corpus.tokens, *seed_tokens])
    start = time.perf_counter()
    if method == "nmf":
        S = theme_centroids(X[len(corpus.tokens) :], label_matrix(seeds, [t.id for t in themes]))
        SeededNMF.from_config(config.topics).fit(X, S)
    else:
        from sklearn.decomposition import LatentDirichletAllocation

        LatentDirichletAllocation(
            n_components=len(themes) + config.topics.extra_topics, random_state=0
        ).fit(X)
    report_inner(time.perf_counter() - start)
    return len(corpus.tokens)


INNER: list[float] = []


def report_inner(seconds: float) -> None:
    """Time of the measured work alone, without loading and parsing around it."""
    INNER.append(seconds)


@contextmanager
def _timed():
    start = time.perf_counter()
    yield
    report_inner(time.perf_counter() - start)


STAGES = {
    "parse_guyub": parse_guyub,
    "parse_whatstk": parse_whatstk,
    "parse_whatstk_auto_safe": parse_whatstk_auto_safe,
    "parse_whatstk_hformat": parse_whatstk_hformat,
    "parse_chatminer": parse_chatminer,
    "normalise_guyub": normalise_guyub,
    "normalise_guyub_1proc": normalise_guyub_1proc,
    "normalise_naive": normalise_naive,
    "normalise_map_1_worker": normalise_map_1_worker,
    "normalise_map_2_workers": normalise_map_2_workers,
    "apply_map_1_worker": apply_map_1_worker,
    "apply_map_2_workers": apply_map_2_workers,
    "normalise_naive_cached": normalise_naive_cached,
    "topics_seeded_nmf": topics_seeded_nmf,
    "topics_lda": topics_lda,
    "run_guyub": run_guyub,
}
