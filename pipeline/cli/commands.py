"""The pipeline's commands: run, fit, apply, and report (rebuilt from a run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import command
from pipeline.cli.options import (
    CodebookOption,
    ConfigOption,
    DateOrder,
    FormatOption,
    Inputs,
    Interviewer,
    KeepDuplicates,
    LogJson,
    OutputFolder,
    Pseudonymise,
    Quiet,
    Scheduler,
    Seeds,
    SetOption,
)
from pipeline.cli.say import (
    announce,
    check_output,
    config_from,
    fail,
    load_model_or_fail,
    out,
    output_errors,
    report_bad_inputs,
    salt_ready,
    warn_changed_lexicons,
    warn_few_seeds,
    warn_model_settings,
)
from pipeline.config import Config
from pipeline.outputs import scratch_beside
from pipeline.progress import choose


@command("run")
def run_command(
    inputs: Inputs,
    output: OutputFolder,
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    fmt: FormatOption = None,
    pseudonymise: Pseudonymise = False,
    keep_duplicates: KeepDuplicates = False,
    interviewer: Interviewer = None,
    scheduler: Scheduler = None,
    seeds: Seeds = None,
    codebook: CodebookOption = None,
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """The whole pipeline: parse, normalise, fit topics and themes, write the report.

    Examples:

      guyub run "WhatsApp Chat with UMKM Banua.txt" -o out

      guyub run exports/ -o out --set topics.extra_topics=8
    """
    cfg = config_from(
        config,
        set_,
        date_order,
        fmt,
        pseudonymise,
        keep_duplicates,
        interviewer,
        scheduler,
        seeds,
        codebook,
    )
    progress = choose(quiet, log_json)
    salt_ready(cfg, progress)
    run_and_report(inputs, cfg, output, progress)


@command()
def fit(
    inputs: Inputs,
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FOLDER", help="The model folder to write.")
    ],
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    interviewer: Interviewer = None,
    scheduler: Scheduler = None,
    seeds: Seeds = None,
    codebook: CodebookOption = None,
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """Fit a model (vocabulary, topics, theme map) on exports and the seed set, and save it.

    Examples:

      guyub fit exports/ -o models/mine

      guyub fit exports/ -o models/mine --seeds coded.jsonl
    """
    from pipeline.model.artifacts import save_model
    from pipeline.provenance import model_manifest

    cfg = config_from(
        config,
        set_,
        date_order,
        interviewers=interviewer,
        scheduler=scheduler,
        seeds=seeds,
        codebook=codebook,
    )
    progress = choose(quiet, log_json)
    salt_ready(cfg, progress)
    check_output(output, "model", inputs)
    with scratch_beside(output) as workspace:
        result = run_or_fail(inputs, cfg, workspace, progress=progress)
    with output_errors():
        save_model(result.model, output, model_manifest(result.model, result.input_fingerprint))
    test = result.model.metrics_.get("seed_test") or {}
    if not (quiet or log_json):
        warn_few_seeds(result.model.metrics_.get("themes_with_few_seeds") or {})
        out.print(
            f"model written to {output}: {result.counts['messages_read']} messages, "
            f"{len(result.model.topic_themes_)} topics, held-out seed macro-F1 {test.get('macro_f1', 'n/a')}"
        )
    if report_bad_inputs(result.ingested.reports):
        raise typer.Exit(2)


@command()
def apply(
    inputs: Inputs,
    model: Annotated[
        Path, typer.Option("--model", metavar="FOLDER", help="A model folder from `guyub fit`.")
    ],
    output: OutputFolder,
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    fmt: FormatOption = None,
    pseudonymise: Pseudonymise = False,
    keep_duplicates: KeepDuplicates = False,
    interviewer: Interviewer = None,
    scheduler: Scheduler = None,
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """Apply a saved model to new exports and write the report (no refitting).

    Reading, privacy and the engine follow your config; normalising, topics and themes
    follow the model.

    Example:

      guyub apply new_exports/ --model models/mine -o out_march
    """
    fitted = load_model_or_fail(model)
    cfg = config_from(
        config, set_, date_order, fmt, pseudonymise, keep_duplicates, interviewer, scheduler
    )
    warn_model_settings(set_)
    warn_changed_lexicons(fitted)
    progress = choose(quiet, log_json)
    salt_ready(cfg, progress)
    run_and_report(inputs, cfg, output, progress, fitted)


@command()
def report(
    run_dir: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="A folder written by `guyub run` or `guyub apply`."),
    ],
    coded: Annotated[
        Path | None,
        typer.Option(
            "--coded",
            metavar="CODED.jsonl",
            help="Labelled messages (guyub import-codes): the report shows how far Guyub "
            "and the coders agree (kept in agreement.json).",
        ),
    ] = None,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Rebuild a run's tables and report.html from its messages.parquet and manifest.json.

    Examples:

      guyub report out

      guyub report out --coded coded.jsonl
    """
    from dataclasses import replace

    from pipeline.model.study import DataError
    from pipeline.qda.coded import agreement_with_run
    from pipeline.report.build import rebuild_report
    from pipeline.report.data import RunDirError, load_run_dir

    cfg = config_from(config, set_)
    try:
        data = load_run_dir(run_dir)
        if coded is not None:
            data = replace(data, agreement=agreement_with_run(data, coded))
    except (RunDirError, DataError) as error:
        raise fail(str(error)) from None
    check_output(run_dir, "run")
    with output_errors():
        try:
            messages = rebuild_report(run_dir, data, cfg)
        except RunDirError as error:
            raise fail(str(error)) from None
    out.print(f"report rebuilt in {run_dir}/ from {messages} messages")


@command()
def init(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="A new or empty folder for the project.")
    ],
    codebook: CodebookOption = None,
) -> None:
    """Start a study of your own: a config, a codebook (the study's, or yours as TOML or
    a .qdc from a QDA tool), a seed file to fill and a README of the steps.

    Examples:

      guyub init mystudy

      guyub init mystudy --codebook codebook.qdc
    """
    from pipeline.model.study import DataError
    from pipeline.outputs import OutputError
    from pipeline.starter import write_starter

    with output_errors():
        try:
            written = write_starter(folder, codebook)
        except (OutputError, DataError) as error:
            raise fail(str(error)) from None
    out.print(
        f"wrote {folder}/ (config.toml, codebook.toml with {written['themes']} themes, "
        f"seeds.jsonl with {written['seeds']} examples, README.md); next: "
        f"guyub run EXPORTS -o out --config {folder}/config.toml"
    )


def run_or_fail(inputs, cfg: Config, workspace: Path, model=None, progress=None):
    from pipeline.engine.cluster import EngineError
    from pipeline.flow import NothingToRead, run
    from pipeline.model.study import DataError

    try:
        return run(inputs, cfg, workspace, model, progress)
    except NothingToRead as nothing:
        report_bad_inputs(nothing.ingested.reports)
        raise fail(str(nothing)) from None
    except (DataError, EngineError) as error:
        raise fail(str(error)) from None


def run_and_report(inputs, cfg: Config, output: Path, progress, model=None) -> None:
    """Run (fitting unless a model is given), write the outputs, say what happened;
    exit 2 after all of it if some input could not be read."""
    from pipeline.flow import write_run

    check_output(output, "run", inputs)
    with scratch_beside(output) as workspace:
        result = run_or_fail(inputs, cfg, workspace, model, progress)
        with progress.stage("report"), output_errors():
            manifest = write_run(result, output, cfg, inputs)
    announce(output, manifest, progress)
    if report_bad_inputs(result.ingested.reports):
        raise typer.Exit(2)
