"""The whole pipeline on one screen: ingest -> normalise -> vectorise -> topics ->
themes -> report. Each function takes and returns in-memory objects, except `write_run`,
the edge where the outputs land on disk."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from pipeline import __version__
from pipeline.config import Config, resolve_data_path
from pipeline.engine.collector import keep_out_of_gc
from pipeline.engine.forked import can_fork, forked_map, worker_count
from pipeline.engine.prefetch import Prefetch
from pipeline.ingest import Ingested, expand_inputs, read_exports
from pipeline.model.background import BackgroundText, load_background
from pipeline.model.classify import SCORE_CHUNK
from pipeline.model.fitted import Applied, ThemeModel
from pipeline.model.metrics import npmi_coherence, theme_agreement, topic_diversity
from pipeline.model.themes import SeedMessage, Theme, label_matrix, load_codebook, load_labelled
from pipeline.normalise import Normalised, Normaliser
from pipeline.normalise.parallel import normalise_all
from pipeline.outputs import check_output_folder, clear_leftovers, work_folder
from pipeline.privacy import mask_path, salt_fingerprint
from pipeline.progress import Progress
from pipeline.records import Message
from pipeline.report.build import write_run_dir
from pipeline.report.data import RunData
from pipeline.report.messages import MessagesFile
from pipeline.report.write import write_json


@dataclass
class Corpus:
    """The messages a model reads (kind `message`), with their normalised forms."""

    messages: list[Message]
    normalised: list[Normalised]

    @property
    def tokens(self) -> list[list[str]]:
        return [n.tokens for n in self.normalised]


@dataclass
class RunResult:
    ingested: Ingested
    corpus: Corpus
    model: ThemeModel
    applied: Applied
    timings: dict[str, float] = field(default_factory=dict)
    # The TF-IDF rows of the corpus's distinct texts and how many messages each stands
    # for, shared by apply and the topic metrics
    X: object = None
    counts: np.ndarray | None = None


def load_study(config: Config) -> tuple[list[Theme], list[SeedMessage]]:
    themes = load_codebook(resolve_data_path(config.themes.codebook))
    seeds = load_labelled(resolve_data_path(config.themes.seed_set), [t.id for t in themes])
    return themes, seeds


def build_corpus(
    messages: Sequence[Message],
    normaliser: Normaliser,
    known: Mapping[str, Normalised] | None = None,
) -> Corpus:
    """Only real messages carry themes; media, deleted and system records are counted
    in the ledger but not read for topics. `known`: texts normalised already."""
    kept = [m for m in messages if m.kind == "message"]
    c = normaliser.config
    texts = [m.text for m in kept]
    normalised = normalise_all(
        texts, normaliser, workers=c.workers, min_parallel=c.min_parallel, known=known
    )
    return Corpus(kept, normalised)


def segments(corpus: Corpus, gap_minutes: float) -> list[list[str]]:
    """Conversation segments: runs of consecutive messages of one chat, each within
    `gap_minutes` of the one before, their tokens joined. Messages without a time are
    their own segment."""
    joined: list[list[str]] = []
    previous: tuple[str, datetime] | None = None
    for message, tokens in zip(corpus.messages, corpus.tokens, strict=True):
        moment = datetime.fromisoformat(message.timestamp) if message.timestamp else None
        close = (
            moment is not None
            and previous is not None
            and previous[0] == message.chat
            and 0 <= (moment - previous[1]).total_seconds() <= gap_minutes * 60
        )
        if close and joined:
            joined[-1] = joined[-1] + tokens
        else:
            joined.append(list(tokens))
        previous = (message.chat, moment) if moment else None
    return joined


def load_everyday(config: Config) -> list[BackgroundText]:
    """The everyday texts with no theme that the themes are learned against."""
    name = config.themes.everyday
    return load_background(resolve_data_path(name)) if name else []


def fit_model(corpus: Corpus, config: Config, normaliser: Normaliser) -> ThemeModel:
    """Fit on the corpus's messages, or on its conversation segments (topics.unit), and
    score the held-out splits of the seed set and of the everyday texts into the
    model's metrics."""
    themes, seeds = load_study(config)
    everyday = load_everyday(config)
    training = [s for s in seeds if s.split == "train"]
    seed_docs = [normaliser(s.text) for s in training]
    everyday_docs = [normaliser(b.text) for b in everyday if b.split == "train"]
    model = ThemeModel.fit(
        fitting_documents(corpus, config), training, seed_docs, themes, config, everyday_docs
    )
    held_out = [s for s in seeds if s.split == "test"]
    if held_out:
        model.metrics["seed_test"] = evaluate_model(model, held_out, normaliser)
    held_out_everyday = [b for b in everyday if b.split == "test"]
    if held_out_everyday:
        model.metrics["everyday_test"] = everyday_claims(model, held_out_everyday, normaliser)
    return model


def everyday_claims(
    model: ThemeModel, texts: Sequence[BackgroundText], normaliser: Normaliser
) -> dict[str, object]:
    """The share of everyday texts (which carry no theme) given one, overall and by
    source: the rate at which the model claims a theme where there is none."""
    assigned = model.apply([normaliser(b.text) for b in texts]).assigned
    claimed = assigned.any(axis=1)
    source_of = np.array([b.source for b in texts])
    by_source = {
        source: round(float(claimed[source_of == source].mean()), 4)
        for source in sorted(set(source_of))
    }
    return {
        "texts": len(texts),
        "given_a_theme": round(float(claimed.mean()), 4),
        "by_source": by_source,
        "by_theme": {t: int(n) for t, n in zip(model.theme_ids, assigned.sum(axis=0), strict=True)},
    }


def fitting_documents(corpus: Corpus, config: Config) -> list[list[str]]:
    c = config.topics
    return segments(corpus, c.segment_gap_minutes) if c.unit == "segment" else corpus.tokens


def evaluate_model(model: ThemeModel, items: Sequence[SeedMessage], normaliser: Normaliser) -> dict:
    applied = model.apply([normaliser(item.text) for item in items])
    truth = label_matrix(items, model.theme_ids)
    return theme_agreement(truth, applied.assigned, model.theme_ids)


def stratified_folds(items: Sequence[SeedMessage], folds: int) -> np.ndarray:
    """A fold per seed, dealt round-robin within each first theme, so every fold holds
    about the same share of every theme (and of messages with none)."""
    assignment = np.zeros(len(items), dtype=int)
    dealt: dict[str, int] = {}
    for i, item in enumerate(items):
        key = item.themes[0] if item.themes else ""
        assignment[i] = dealt.get(key, 0) % folds
        dealt[key] = dealt.get(key, 0) + 1
    return assignment


def seed_cross_validation(
    config: Config, corpus: Corpus, normaliser: Normaliser, folds: int = 5
) -> dict:
    """Stratified k-fold over the whole seed set: each fold is labelled by a model fitted
    on the corpus and the other folds; the pooled labels are scored against the seeds."""
    themes, seeds = load_study(config)
    ids = [t.id for t in themes]
    docs = [normaliser(s.text) for s in seeds]
    everyday_docs = [normaliser(b.text) for b in load_everyday(config) if b.split == "train"]
    fold_of = stratified_folds(seeds, folds)
    documents = fitting_documents(corpus, config)
    predicted = np.zeros((len(seeds), len(ids)), dtype=bool)
    for fold in range(folds):
        train = np.flatnonzero(fold_of != fold)
        test = np.flatnonzero(fold_of == fold)
        model = ThemeModel.fit(
            documents,
            [seeds[i] for i in train],
            [docs[i] for i in train],
            themes,
            config,
            everyday_docs,
        )
        predicted[test] = model.apply([docs[i] for i in test]).assigned
    result = theme_agreement(label_matrix(seeds, ids), predicted, ids)
    return {"folds": folds, "seeds": len(seeds), **result}


def topic_quality(model: ThemeModel, X, top_n: int = 10, counts=None) -> dict[str, object]:
    """NPMI coherence of each topic's top terms over the corpus (its TF-IDF rows X, each
    standing for `counts` messages), and diversity."""
    presence = (X > 0).astype(np.float64).tocsc()
    tops = model.top_term_indices(top_n)
    coherence = [npmi_coherence(presence, idx, counts) for idx in tops]
    names = model.top_terms(top_n)
    themed = [c for c, t in zip(coherence, model.topic_themes, strict=True) if t is not None]
    return {
        "coherence": coherence,
        "mean_npmi": round(float(np.mean(coherence)), 4) if coherence else 0.0,
        "theme_topic_npmi": round(float(np.mean(themed)), 4) if themed else 0.0,
        "diversity": topic_diversity(names),
    }


def small_data_note(messages: int, enough: int) -> str:
    """What a report says when its corpus is too small for topics to mean much."""
    if messages >= enough:
        return ""
    return (
        f"Only {messages} messages: below {enough}, emergent topics and their coherence "
        "mean little (topics fitted on two such samples of the same talk share few terms), "
        "so no coherence is shown. Themes still come from the classifier trained on the "
        "seed set."
    )


def fingerprint(messages: Sequence[Message]) -> str:
    digest = hashlib.sha256()
    for message in sorted(m.id for m in messages):
        digest.update(message.encode())
    return digest.hexdigest()[:16]


class NothingToRead(ValueError):
    """No input gave a message: nothing to fit or apply (the reports say why)."""

    def __init__(self, ingested: Ingested):
        super().__init__("no messages to read in the inputs")
        self.ingested = ingested


def run(
    inputs: Sequence[Path],
    config: Config,
    model: ThemeModel | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Read, normalise, fit (unless a model is given) and apply."""
    progress = progress or Progress()
    inputs = expand_inputs(inputs)
    normaliser = Normaliser((model.config if model else config).normalise)
    prefetch = Prefetch.start(inputs, normaliser, config.privacy)
    try:
        with progress.stage("ingest") as stage:
            ingested = read_exports(inputs, config.ingest, config.privacy)
            failed, read = len(ingested.errors), len(ingested.reports)
            if not ingested.messages:
                stage.fail(f"no messages in {read} input(s); {failed} could not be read")
            elif failed:
                stage.warn(f"{failed} of {read} inputs could not be read")
        progress.event(
            "ingested", records=len(ingested.messages), failed=[r.source for r in ingested.errors]
        )
        if not ingested.messages:
            raise NothingToRead(ingested)
        keep_out_of_gc()

        with progress.stage("normalise"):
            known = prefetch.collect()
            corpus = build_corpus(ingested.messages, normaliser, known)
    finally:
        prefetch.close()
    keep_out_of_gc()

    if model is None:
        with progress.stage("fit"):
            model = fit_model(corpus, config, normaliser)

    with progress.stage("apply"):
        c = model.config.normalise
        X, counts, applied = apply_distinct(model, corpus, c.workers, c.min_parallel)
    return RunResult(ingested, corpus, model, applied, progress.timings, X, counts)


def apply_distinct(
    model: ThemeModel, corpus: Corpus, workers: int = 1, min_parallel: int = 50_000
) -> tuple[sp.csr_matrix, np.ndarray, Applied]:
    """The TF-IDF rows of the corpus's distinct texts, how many messages each stands
    for, and every message's themes. Each distinct text is read once: `apply` works
    row by row, so a repeat gets exactly what its first occurrence got. Enough
    distinct texts are split over `workers` forked processes (0: one per core), in
    chunks that give the same bits as one process (tested)."""
    first, inverse = distinct_rows(m.text for m in corpus.messages)
    chosen = [corpus.normalised[i] for i in first]
    workers = worker_count(workers)
    if workers > 1 and len(chosen) >= min_parallel and can_fork():
        spans = [(i, i + SCORE_CHUNK) for i in range(0, len(chosen), SCORE_CHUNK)]
        parts = forked_map(_apply_span, (model, chosen), spans, workers)
        X = sp.vstack([x for x, _ in parts], format="csr")
        applied = Applied(*(np.vstack([getattr(a, f) for _, a in parts]) for f in _APPLIED))
    else:
        X, applied = _apply_span((model, chosen), (0, len(chosen)))
    expanded = Applied(*(getattr(applied, f)[inverse] for f in _APPLIED))
    return X, np.bincount(inverse, minlength=len(first)), expanded


_APPLIED = ("weights", "scores", "assigned")


def _apply_span(
    state: tuple[ThemeModel, list[Normalised]], span: tuple[int, int]
) -> tuple[sp.csr_matrix, Applied]:
    model, documents = state
    chunk = documents[span[0] : span[1]]
    X = model.vectoriser.transform([n.tokens for n in chunk])
    return X, model.apply_matrix(X, [n.text for n in chunk])


def distinct_rows(keys: Iterable[Hashable]) -> tuple[list[int], np.ndarray]:
    """The first row of each distinct key, and for every row the index of its key."""
    index: dict[Hashable, int] = {}
    first: list[int] = []
    slots: list[int] = []
    for row, key in enumerate(keys):
        slot = index.setdefault(key, len(index))
        if slot == len(first):
            first.append(row)
        slots.append(slot)
    return first, np.asarray(slots, dtype=np.int64)


def model_manifest(model: ThemeModel, corpus: Corpus, config: Config) -> dict[str, object]:
    return {
        "created": _created(),
        "guyub_version": __version__,
        "package_versions": package_versions(),
        "config_hash": config.digest(),
        "input_fingerprint": fingerprint(corpus.messages),
        "salt_fingerprint": salt_fingerprint(config.privacy),
        "metrics": model.metrics,
    }


def _created() -> str:
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat()


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = ["numpy", "scipy", "scikit-learn", "spacy", "PySastrawi", "pyarrow"]
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def confidence_rule(model: ThemeModel) -> str:
    """When a message is given a theme, in one sentence for the report."""
    t = model.config.themes
    rule = (
        f"a message gets a theme only when its score for it reaches that theme's threshold "
        f"and at least {t.relative_threshold:.0%} of its best theme's score"
    )
    if model.metrics.get("everyday_texts"):
        rule += (
            f"; thresholds were set so that at most {t.everyday_rate:.0%} of everyday texts "
            f"with no theme (public tweets, reviews, chat) would get any theme, so a message "
            f"with no clear evidence gets none"
        )
    return rule + "."


def run_data(result: RunResult, coherence: list[float]) -> RunData:
    """The run as plain data for the report stage."""
    model, corpus, applied = result.model, result.corpus, result.applied
    test = model.metrics.get("seed_test") or {}
    everyday: dict = model.metrics.get("everyday_test") or {}  # type: ignore[assignment]
    return RunData(
        messages=corpus.messages,
        tokens=corpus.tokens,
        theme_ids=model.theme_ids,
        theme_names=[t.name_en for t in model.themes],
        scores=applied.scores,
        assigned=applied.assigned,
        weights=applied.weights,
        topic_terms=model.top_terms(30),
        topic_themes=[model.topic_label(k) for k in range(len(model.topic_themes))],
        coherence=coherence,
        ledger=[_masked_paths(r.as_dict()) for r in result.ingested.reports],
        model_facts={
            "method": "seeded NMF; topics named after themes by Hungarian matching on cosine",
            "seed messages used for fitting": model.metrics.get("seed_messages", ""),
            "topics (themes + free)": len(model.topic_themes),
            "theme rows' cosine to their seed centroids (min)": model.metrics.get(
                "theme_row_cosine", ""
            ),
            "held-out seed macro-F1": test.get("macro_f1", "n/a"),
            "confidence rule": confidence_rule(model),
            "held-out everyday texts given a theme": everyday.get("given_a_theme", "n/a"),
            "mean topic NPMI": model.metrics.get("mean_npmi", ""),
            "topic diversity": model.metrics.get("diversity", ""),
        },
    )


def write_run(
    result: RunResult, out_dir: Path, config: Config, inputs: Sequence[Path]
) -> dict[str, object]:
    """Write every output into out_dir, all at once or not at all."""
    model, corpus, applied = result.model, result.corpus, result.applied
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    check_output_folder(out_dir, "run", inputs)
    clear_leftovers(out_dir)
    scratch = work_folder(out_dir, "scratch")
    try:
        # messages.parquet first: its encoding goes on beside the rest of the report
        # (7 of the report's 11 s at 1M before it did)
        messages = MessagesFile.start(
            scratch / "messages.parquet",
            corpus.messages,
            corpus.normalised,
            applied,
            model.theme_ids,
        )
        try:
            quality = topic_quality(model, result.X, counts=result.counts)
            note = small_data_note(len(corpus.messages), config.report.min_messages_for_topics)
            if note:  # coherence on a few messages reads high by accident: none shown
                quality = {k: None if k != "diversity" else v for k, v in quality.items()}
                quality["coherence"] = [None] * len(model.topic_themes)
            model.metrics.update({k: v for k, v in quality.items() if k != "coherence"})
            data = run_data(result, quality["coherence"])  # type: ignore[arg-type]
            data.small_data = note
            manifest = run_manifest(result, data, config, inputs)
            write_run_dir(
                out_dir,
                data,
                config.report,
                {
                    "messages.parquet": lambda path: _finished(messages, scratch / path.name, path),
                    "manifest.json": lambda path: write_json(path, manifest),
                },
            )
        finally:
            messages.finish()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def run_manifest(
    result: RunResult, data: RunData, config: Config, inputs: Sequence[Path]
) -> dict[str, object]:
    """manifest.json of a run: inputs, ledger, counts, topics, config and timings."""
    corpus, applied = result.corpus, result.applied
    return {
        "guyub_version": __version__,
        "created": _created(),
        "inputs": [_describe_input(p) for p in inputs],
        "ledger": data.ledger,
        "counts": {
            "records": len(result.ingested.messages),
            "messages_read": len(corpus.messages),
            "duplicates_dropped": result.ingested.duplicates,
            "messages_with_theme": int(applied.assigned.any(axis=1).sum()),
        },
        "themes": {"ids": data.theme_ids, "names": data.theme_names},
        "topics": {
            "terms": data.topic_terms,
            "themes": data.topic_themes,
            "coherence": data.coherence,
        },
        "config": config.as_dict(),
        "config_hash": config.digest(),
        "salt_fingerprint": salt_fingerprint(config.privacy),
        "package_versions": package_versions(),
        "model": result.model.metrics,
        # a list, not an object: the manifest's keys are sorted, these keep their order
        "report_facts": [[fact, value] for fact, value in data.model_facts.items()],
        "small_data": data.small_data,
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }


def _finished(messages: MessagesFile, written: Path, target: Path) -> None:
    messages.finish()
    os.replace(written, target)


def _describe_input(path: Path) -> dict[str, object]:
    try:
        data = path.read_bytes()
    except OSError:
        return {"path": mask_path(str(path)), "bytes": None, "sha256": None}
    return {
        "path": mask_path(str(path)),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _masked_paths(ledger_entry: dict) -> dict:
    """A file's ledger as outputs keep it: its path, and the error naming it, masked."""
    return {
        key: mask_path(value) if key in ("source", "error") and value else value
        for key, value in ledger_entry.items()
    }
