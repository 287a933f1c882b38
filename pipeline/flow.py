"""The pipeline on one screen: ingest -> normalise -> fit (or take a fitted model) ->
apply -> write. Each stage is a function over a batch of records; this file only
passes one stage's result to the next. `write_run` is the edge where outputs land."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.engine.cluster import Engine
from pipeline.engine.collector import keep_out_of_gc
from pipeline.engine.prefetch import Prefetch
from pipeline.ingest import Ingested, expand_inputs, read_exports
from pipeline.model.apply import apply_distinct
from pipeline.model.fitted import Applied, ThemeModel
from pipeline.model.metrics import topic_quality
from pipeline.model.study import load_everyday, load_study
from pipeline.model.validate import held_out_metrics, seed_cross_validation
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import Corpus, build_corpus, fitting_units
from pipeline.outputs import check_output_folder
from pipeline.progress import Progress
from pipeline.provenance import run_manifest
from pipeline.report.build import write_run_outputs
from pipeline.report.facts import run_data, small_data_note


@dataclass
class RunResult:
    ingested: Ingested
    corpus: Corpus
    model: ThemeModel
    applied: Applied
    # the model's metrics with this run's topic quality, and each topic's coherence
    metrics: dict[str, object] = field(default_factory=dict)
    coherence: list[float | None] = field(default_factory=list)
    small_data: str = ""  # the report's warning when there are too few messages
    timings: dict[str, float] = field(default_factory=dict)


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
    """Read, normalise, fit (unless a model is given: then its own settings of
    normalising, topics and themes hold) and apply."""
    progress = progress or Progress()
    inputs = expand_inputs(inputs)
    config = config.with_model(model.config) if model else config
    normaliser = Normaliser(config.normalise)
    with Engine(config.engine) as engine:
        engine.start_early(sum(p.stat().st_size for p in inputs if p.is_file()))
        prefetch = Prefetch.start(inputs, normaliser, config.privacy, config.engine)
        try:
            with progress.stage("ingest") as stage:
                ingested = read_exports(inputs, config.ingest, config.privacy)
                ingested.tell(stage)
            progress.event(
                "ingested",
                records=len(ingested.messages),
                failed=[r.source for r in ingested.errors],
            )
            if not ingested.messages:
                raise NothingToRead(ingested)
            keep_out_of_gc()
            with progress.stage("normalise"):
                known = prefetch.collect()
                corpus = build_corpus(ingested.messages, normaliser, engine, known)
        finally:
            prefetch.close()
        keep_out_of_gc()

        if model is None:
            with progress.stage("fit"):
                model = fit_model(corpus, config, normaliser, engine)

        with progress.stage("apply"):
            texts = [m.text for m in corpus.messages]
            X, counts, applied = apply_distinct(model, texts, corpus.normalised, engine)
            quality = topic_quality(model, X, counts=counts)
    note = small_data_note(len(corpus.messages), config.report.min_messages_for_topics)
    if note:  # coherence on a few messages reads high by accident: none shown
        quality = {k: (v if k == "diversity" else None) for k, v in quality.items()}
        quality["coherence"] = [None] * len(model.topic_themes_)
    coherence = quality.pop("coherence")
    metrics = {**model.metrics_, **quality}
    return RunResult(ingested, corpus, model, applied, metrics, coherence, note, progress.timings)


def fit_model(
    corpus: Corpus, config: Config, normaliser: Normaliser, engine: Engine | None = None
) -> ThemeModel:
    """Fit on the corpus's messages (or conversation segments) and the seed set's train
    split, learned against the everyday texts; score the held-out splits into the
    model's metrics."""
    themes, seeds = load_study(config.themes)
    everyday = load_everyday(config.themes)
    training = [s for s in seeds if s.split == "train"]
    model = ThemeModel(config.model_config(), themes).fit(
        fitting_units(corpus, config.topics),
        training,
        [normaliser(s.text) for s in training],
        [normaliser(b.text) for b in everyday if b.split == "train"],
        engine,
    )
    model.metrics_.update(held_out_metrics(model, seeds, everyday, normaliser))
    return model


def write_run(
    result: RunResult, out_dir: Path, config: Config, inputs: Sequence[Path]
) -> dict[str, object]:
    """Write every output into out_dir, all at once or not at all; the manifest."""
    check_output_folder(out_dir, "run", inputs)
    corpus, applied = result.corpus, result.applied
    data = run_data(
        result.model, result.ingested.reports, result.coherence, result.metrics, result.small_data
    )
    counts = {
        "records": len(result.ingested.messages),
        "messages_read": len(corpus.messages),
        "duplicates_dropped": result.ingested.duplicates,
        "messages_with_theme": int(applied.assigned.any(axis=1).sum()),
    }
    config = config.with_model(result.model.config)
    manifest = run_manifest(data, config, inputs, counts, result.metrics, result.timings)
    write_run_outputs(
        out_dir, data, config.report, manifest, corpus.messages, corpus.normalised, applied
    )
    return manifest


def cross_validate(inputs: Sequence[Path], config: Config, folds: int) -> dict:
    """Stratified k-fold over the whole seed set, each fold's model fitted on the
    exports' messages and the other folds (`guyub evaluate --seed-cv`)."""
    normaliser = Normaliser(config.normalise)
    messages = read_exports(expand_inputs(inputs), config.ingest, config.privacy).messages
    themes, seeds = load_study(config.themes)
    model = ThemeModel(config.model_config(), themes)
    with Engine(config.engine) as engine:
        units = fitting_units(build_corpus(messages, normaliser, engine), config.topics)
        everyday = load_everyday(config.themes)
        return seed_cross_validation(model, units, seeds, everyday, normaliser, folds, engine)
