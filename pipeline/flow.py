"""The pipeline on one screen: ingest -> normalise -> fit (or take a fitted model) ->
apply -> write. After ingest, each stage is a map over the run's parts (pipeline.dataset)
on the engine; this file only passes one stage's result to the next. `write_run` is the
edge where outputs land."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pipeline.config import Config
from pipeline.dataset import MESSAGES, Part, PartWriter, sorted_values
from pipeline.engine.cluster import Engine, likely_texts
from pipeline.ingest import Ingested, expand_inputs, read_exports
from pipeline.model.apply import apply_parts
from pipeline.model.fitted import ThemeModel
from pipeline.model.metrics import topic_quality
from pipeline.model.study import few_seeds, load_everyday, load_study
from pipeline.model.units import corpus_totals, sample_units, unit_layout
from pipeline.model.validate import held_out_metrics, seed_cross_validation
from pipeline.model.vectorise import TermTotals, Vectoriser
from pipeline.normalise import Normaliser
from pipeline.normalise.parallel import PartNormaliser, normaliser_for
from pipeline.outputs import check_output_folder
from pipeline.progress import Progress
from pipeline.provenance import fingerprint, run_manifest
from pipeline.report.build import write_run_outputs
from pipeline.report.facts import run_data, small_data_note


@dataclass
class RunResult:
    ingested: Ingested  # the ledger and counts; the messages went into parts as read
    model: ThemeModel
    dataset: Path  # the messages dataset folder, in the run's workspace
    counts: dict[str, int]
    input_fingerprint: str  # of the messages read, by their ids
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
    workspace: Path,
    model: ThemeModel | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Read, normalise, fit (unless a model is given: then its own settings of
    normalising, topics and themes hold) and apply. The messages go into parts in
    `workspace` (an empty folder that the engine's workers can reach) as they are read;
    each later stage reads and writes parts, so this process never holds them all."""
    progress = progress or Progress()
    inputs = expand_inputs(inputs)
    config = config.with_model(model.config) if model else config
    normaliser = Normaliser(config.normalise)
    with Engine(config.engine) as engine:
        ingested, parts, normalising = read_parts(
            inputs, config, workspace, normaliser, engine, progress
        )
        records = ingested.records.total()
        progress.event("ingested", records=records, failed=[r.source for r in ingested.errors])
        if not records:
            raise NothingToRead(ingested)
        counts = {
            "records": records,
            "messages_read": sum(part.rows for part in parts),
            "duplicates_dropped": ingested.duplicates,
        }
        input_fingerprint = fingerprint(
            sorted_values(workspace / "records", "id", config.engine), in_order=True
        )

        with progress.stage("normalise"):
            normalising.finish()

        if model is None:
            with progress.stage("fit"):
                units, n_units, totals = fitting_sample(parts, config, engine)
                model = fit_model(units, config, normaliser, engine, n_units, totals)
                del units

        with progress.stage("apply"):
            term_counts, counts["messages_with_theme"] = apply_parts(model, parts, engine)
            quality = topic_quality(model, term_counts)
    note = small_data_note(counts["messages_read"], config.report.min_messages_for_topics)
    if note:  # coherence on a few messages reads high by accident: none shown
        quality = {k: (v if k == "diversity" else None) for k, v in quality.items()}
        quality["coherence"] = [None] * len(model.topic_themes_)
    coherence = quality.pop("coherence")
    metrics = {**model.metrics_, **quality}
    return RunResult(
        ingested,
        model,
        workspace / MESSAGES,
        counts,
        input_fingerprint,
        metrics,
        coherence,
        note,
        progress.timings,
    )


def read_parts(
    inputs: Sequence[Path],
    config: Config,
    workspace: Path,
    normaliser: Normaliser,
    engine: Engine,
    progress: Progress,
) -> tuple[Ingested, list[Part], PartNormaliser]:
    """Read the inputs into parts in `workspace`, each part set normalising on the
    engine as it is written; `.finish()` on the normaliser waits for the last."""
    texts = likely_texts(sum(p.stat().st_size for p in inputs if p.is_file()))
    # the workers build their normaliser (lexicons, Sastrawi) as they start
    engine.start_early(texts, partial(normaliser_for, normaliser.config))
    # parts are normalised on the workers as they are written, while this process
    # reads on (on 2 cores, 1M messages: ingest and normalise 22.3 -> 17.8 s)
    normalising = PartNormaliser(normaliser, engine, texts)
    with progress.stage("ingest") as stage:
        writer = PartWriter(workspace, normalising.add)
        ingested = read_exports(inputs, config.ingest, config.privacy, writer)
        parts = writer.close()
        ingested.tell(stage)
    return ingested, parts, normalising


def fitting_sample(
    parts: Sequence[Part], config: Config, engine: Engine
) -> tuple[list[list[str]], int, Callable[[Vectoriser], TermTotals] | None]:
    """The units the topics are fitted on (a seeded sample of the parts' units), how
    many units there are, and, when the sample is not all of them, the count of
    candidate terms over all (see `Vectoriser.fit`)."""
    layout, n_units = unit_layout(parts, config.topics)
    units = sample_units(parts, layout, n_units, config.topics)
    totals = corpus_totals(parts, layout, engine) if len(units) < n_units else None
    return units, n_units, totals


def fit_model(
    units: Sequence[Sequence[str]],
    config: Config,
    normaliser: Normaliser,
    engine: Engine | None = None,
    n_units: int | None = None,
    totals: Callable[[Vectoriser], TermTotals] | None = None,
) -> ThemeModel:
    """Fit on the units topics are found in (messages or conversation segments; all of
    them, or a sample of `n_units`, whose candidate terms `totals` counts over all of
    them) and the seed set's train split, learned against the
    everyday texts; score the held-out splits into the model's metrics."""
    themes, seeds = load_study(config.themes)
    everyday = load_everyday(config.themes)
    training = [s for s in seeds if s.split == "train"]
    model = ThemeModel(config.model_config(), themes).fit(
        units,
        training,
        [normaliser(s.text) for s in training],
        [normaliser(b.text) for b in everyday if b.split == "train"],
        engine,
        n_units,
        totals,
    )
    model.metrics_.update(held_out_metrics(model, seeds, everyday, normaliser))
    model.metrics_["themes_with_few_seeds"] = few_seeds(themes, seeds)
    return model


def write_run(
    result: RunResult, out_dir: Path, config: Config, inputs: Sequence[Path]
) -> dict[str, object]:
    """Write every output into out_dir, all at once or not at all; the manifest."""
    check_output_folder(out_dir, "run", inputs)
    data = run_data(
        result.model, result.ingested.reports, result.coherence, result.metrics, result.small_data
    )
    config = config.with_model(result.model.config)
    manifest = run_manifest(
        data,
        config,
        inputs,
        result.counts,
        result.metrics,
        result.timings,
        result.model,
    )
    write_run_outputs(out_dir, data, config, manifest, result.dataset)
    return manifest


def cross_validate(inputs: Sequence[Path], config: Config, folds: int, workspace: Path) -> dict:
    """Stratified k-fold over the whole seed set, each fold's model fitted on the
    exports' messages (read into parts in `workspace`, as a run reads them) and the
    other folds (`guyub evaluate --seed-cv`)."""
    normaliser = Normaliser(config.normalise)
    themes, seeds = load_study(config.themes)
    model = ThemeModel(config.model_config(), themes)
    with Engine(config.engine) as engine:
        _, parts, normalising = read_parts(
            expand_inputs(inputs), config, workspace, normaliser, engine, Progress()
        )
        normalising.finish()
        units, n_units, totals = fitting_sample(parts, config, engine)
        everyday = load_everyday(config.themes)
        return seed_cross_validation(
            model, units, seeds, everyday, normaliser, folds, engine, n_units, totals
        )
