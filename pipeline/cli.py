"""The `guyub` command. Each command parses its arguments and calls one function;
bad input is reported as `file:line: reason` with exit code 2, never a traceback."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand

from pipeline import DEFAULT_MODEL_DIR
from pipeline.config import Config, ConfigError, load_config
from pipeline.ingest import read_exports
from pipeline.normalise import Normaliser
from pipeline.progress import choose
from pipeline.records import MESSAGE_FIELDS
from pipeline.report.write import RECORD_WRITERS, holds_records

# What fitting, applying and reporting need (scikit-learn, SciPy, DuckDB, Arrow) is
# imported in the commands that use it: `guyub parse` and `--help` then start in
# 0.1 s instead of 0.6 s.

app = typer.Typer(
    help="Guyub: themes and supporting quotes from the group chats of business communities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class PlainHelp(TyperCommand):
    """Help that shows what to type (FOLDER, FILE.toml) where Typer would print Python
    types beside every parameter (<list[Path]>, <bool>): the readers are researchers."""

    def get_params(self, ctx):
        params = super().get_params(ctx)  # with --help, made only here
        for param in params:
            flag = getattr(param, "is_flag", False)
            plain = None if isinstance(param, TyperArgument) or flag else param.metavar
            param.display_type_rich = lambda ctx, plain=plain: plain
            param._get_number_range_help_str = lambda: None  # the help text says the range
        return params


def command(name: str | None = None):
    return app.command(name, cls=PlainHelp)


err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

Inputs = Annotated[
    list[Path],
    typer.Argument(
        help="Chat exports (.txt, .zip, .json, .csv, ...) or folders of them.",
        metavar="EXPORT",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE.toml", help="A TOML config laid over the defaults."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="TABLE.KEY=VALUE",
        help="Override one setting, e.g. --set topics.extra_topics=8 (repeatable).",
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help="Force the input format: whatsapp, line, telegram, transcript, csv, jsonl, parquet.",
    ),
]
Pseudonymise = Annotated[
    bool,
    typer.Option(
        "--pseudonymise", help="Replace every author name by a pseudonym, not only phone numbers."
    ),
]
KeepDuplicates = Annotated[
    bool,
    typer.Option(
        "--keep-duplicates", help="Keep every copy of a message seen in overlapping exports."
    ),
]
Interviewer = Annotated[
    list[str] | None,
    typer.Option(
        "--interviewer",
        metavar="NAME",
        help="A speaker whose turns are questions: kept as context, never coded (repeatable).",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
LogJson = Annotated[
    bool,
    typer.Option("--log-json", help="One JSON object per event on stderr, for log collectors."),
]
DateOrder = Annotated[
    str | None,
    typer.Option("--date-order", metavar="ORDER", help="Force the date order: dmy, mdy or ymd."),
]


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(2)


def _check_output(output: Path, kind: str, inputs: Sequence[Path] = ()) -> None:
    """Refuse, before any work, an -o that Guyub may not replace (exit 2, nothing touched)."""
    from pipeline.outputs import OutputError, check_output_folder

    try:
        check_output_folder(output, kind, inputs)
    except OutputError as error:
        raise fail(str(error)) from None


@contextmanager
def _output_errors():
    """An output refused at the moment of writing (made meanwhile by someone else), or a
    disk that filled up or refused a write: outputs are written beside their target and
    swapped in only when complete, so the previous ones are still there."""
    from pipeline.outputs import OutputError

    try:
        yield
    except OutputError as error:
        raise fail(str(error)) from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        what = "the disk is full" if error.errno == errno.ENOSPC else error.strerror or str(error)
        raise fail(
            f"{where}{what}; nothing was replaced (the previous outputs, if any, are as they "
            "were): free some space or choose another -o, and run again"
        ) from None


def _salt_ready(cfg: Config, progress=None) -> None:
    """Make the pseudonym salt before reading exports, and say so the first time (as an
    event with --log-json, not at all with --quiet)."""
    from pipeline.privacy import load_salt, salt_file

    where = salt_file(cfg.privacy)
    try:
        _, made = load_salt(where)
    except OSError as error:
        raise fail(f"{where}: cannot make the pseudonym salt ({error.strerror or error})") from None
    mode = progress.mode if progress is not None else "rich"
    if made and mode == "json":
        progress.event("salt_made", path=str(where))
    elif made and mode == "rich":
        err.print(
            f"made a random pseudonym salt in {where}; copy that file to teammates whose "
            "pseudonyms must match yours (it is never written into an output or a model)",
            soft_wrap=True,
            markup=False,
        )


def _config(
    path: Path | None,
    overrides: list[str] | None,
    date_order: str | None = None,
    fmt: str | None = None,
    pseudonymise: bool = False,
    keep_duplicates: bool = False,
    interviewers: list[str] | None = None,
) -> Config:
    """The config file and --set overrides, then the command's own flags on top."""
    flags = {
        "ingest.date_order": date_order,
        "ingest.format": fmt,
        "privacy.pseudonymise_names": pseudonymise or None,
        "ingest.keep_duplicates": keep_duplicates or None,
        "ingest.interviewers": interviewers or None,
    }
    extra = [f"{key}={json.dumps(value)}" for key, value in flags.items() if value is not None]
    try:
        return load_config(path, [*(overrides or []), *extra], FLAGS)
    except ConfigError as error:
        raise fail(str(error)) from None


# The settings a command-line flag sets, for errors that name the flag.
FLAGS = {
    "ingest.date_order": "--date-order",
    "ingest.format": "--format",
    "privacy.pseudonymise_names": "--pseudonymise",
    "ingest.keep_duplicates": "--keep-duplicates",
    "ingest.interviewers": "--interviewer",
}


def _encoding(report) -> str:
    """ ", read as cp1252" for a file in an older encoding; nothing for UTF."""
    return f", read as {report.encoding}" if not report.encoding.startswith("utf") else ""


# How many header-like lines kept in a message's text are named on the terminal per
# file; the ledger lists them all.
KEPT_LINES_SHOWN = 5


def _report_bad_inputs(reports) -> bool:
    """Warn of header-like lines kept in messages, print each unreadable input; True if
    there was one."""
    for report in reports:
        for line, why in report.kept[:KEPT_LINES_SHOWN]:
            err.print(
                f"[yellow]warning:[/] {report.source}:{line}: this line {why}; it was kept "
                "in the text of the message above",
                markup=True,
                soft_wrap=True,
            )
        if len(report.kept) > KEPT_LINES_SHOWN:
            more = len(report.kept) - KEPT_LINES_SHOWN
            err.print(
                f"[yellow]warning:[/] {report.source}: {more} more such lines, all listed "
                "in the ledger",
                markup=True,
                soft_wrap=True,
            )
    bad = [r for r in reports if r.error]
    for report in bad:
        err.print(f"[bold red]error:[/] {report.error}", markup=True, soft_wrap=True)
    return bool(bad)


@command()
def parse(
    inputs: Inputs,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="OUT.jsonl, OUT.csv or OUT.parquet"),
    ],
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    fmt: FormatOption = None,
    pseudonymise: Pseudonymise = False,
    keep_duplicates: KeepDuplicates = False,
    interviewer: Interviewer = None,
) -> None:
    """Parse chat exports into records (id, chat, platform, source, line, timestamp, author,
    kind, code, text), with a ledger of every input line.

    Examples:

      guyub parse "WhatsApp Chat with UMKM Banua.txt" -o messages.csv

      guyub parse exports/ -o messages.parquet --date-order dmy
    """
    writer = RECORD_WRITERS.get(output.suffix.lower())
    if writer is None:
        raise fail(f"{output}: the output must end in .jsonl, .csv or .parquet")
    from pipeline.outputs import OutputError, check_output_file

    try:
        check_output_file(output, inputs, lambda path: holds_records(path, MESSAGE_FIELDS))
    except OutputError as error:
        raise fail(str(error)) from None
    cfg = _config(config, set_, date_order, fmt, pseudonymise, keep_duplicates, interviewer)
    _salt_ready(cfg)
    ingested = read_exports(inputs, cfg.ingest, cfg.privacy)
    rows = [m.as_row() for m in ingested.messages]
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".csv":
        writer(output, rows, MESSAGE_FIELDS)
    else:
        writer(output, rows)
    for report in ingested.reports:
        if report.error:
            continue
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.records.items()))
        skips = ", ".join(f"{k}: {v}" for k, v in sorted(report.skips.items())) or "none"
        out.print(
            f"{report.source}: {report.format}{_encoding(report)}, dates {report.date_order}; "
            f"{report.lines} lines -> "
            f"{kinds}; {report.authors} authors; {report.first[:10]} to {report.last[:10]}; skipped: {skips}",
            soft_wrap=True,
        )
    if ingested.duplicates:
        out.print(f"{ingested.duplicates} messages seen in more than one export kept once")
    out.print(f"wrote {len(rows)} records to {output}")
    if _report_bad_inputs(ingested.reports):
        raise typer.Exit(2)


@command()
def normalise(
    text: Annotated[
        str | None, typer.Argument(metavar="TEXT", help="The text to normalise.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("-f", "--file", metavar="FILE", help="Normalise each line of FILE."),
    ] = None,
    tokens: Annotated[
        bool, typer.Option("--tokens", help="Print the terms the model reads instead.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the text, terms and language as JSON.")
    ] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show what each step did.")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Normalise chat text into readable standard Indonesian, as the quotes in the report
    read (--tokens: the terms the model reads; --json: both, and the language).

    Examples:

      guyub normalise "gak ada info pelatihannya? wkwkwk"

      guyub normalise -f messages.txt --json
    """
    if (text is None) == (file is None):
        raise fail("give either TEXT or --file FILE")
    normaliser = Normaliser(_config(config, set_).normalise)
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"{file}: cannot read ({error})") from None
    else:
        lines = [text or ""]
    for line in lines:
        if explain:
            for step, value in normaliser.explain(line):
                out.print(f"{step:>14}: {value}", soft_wrap=True, markup=False)
            continue
        result = normaliser(line)
        if as_json:
            sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        else:
            shown = " ".join(result.tokens) if tokens else result.text
            out.print(shown, soft_wrap=True, markup=False)


@command("run")
def run_command(
    inputs: Inputs,
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FOLDER", help="Folder for the outputs.")
    ],
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    fmt: FormatOption = None,
    pseudonymise: Pseudonymise = False,
    keep_duplicates: KeepDuplicates = False,
    interviewer: Interviewer = None,
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """The whole pipeline: parse, normalise, fit topics and themes, write the report.

    Examples:

      guyub run "WhatsApp Chat with UMKM Banua.txt" -o out

      guyub run exports/ -o out --set topics.extra_topics=8
    """
    cfg = _config(config, set_, date_order, fmt, pseudonymise, keep_duplicates, interviewer)
    progress = choose(quiet, log_json)
    _salt_ready(cfg, progress)
    _run_and_report(inputs, cfg, output, progress)


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
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """Fit a model (vocabulary, topics, theme map) on exports and the seed set, and save it.

    Example:

      guyub fit exports/ -o models/mine
    """
    from pipeline.model.artifacts import save_model
    from pipeline.provenance import model_manifest

    cfg = _config(config, set_, date_order, interviewers=interviewer)
    progress = choose(quiet, log_json)
    _salt_ready(cfg, progress)
    _check_output(output, "model", inputs)
    result = _run_or_fail(inputs, cfg, progress=progress)
    with _output_errors():
        ids = [m.id for m in result.corpus.messages]
        save_model(result.model, output, model_manifest(result.model, ids))
    test = result.model.metrics_.get("seed_test") or {}
    if not (quiet or log_json):
        out.print(
            f"model written to {output}: {len(result.corpus.messages)} messages, "
            f"{len(result.model.topic_themes_)} topics, held-out seed macro-F1 {test.get('macro_f1', 'n/a')}"
        )
    if _report_bad_inputs(result.ingested.reports):
        raise typer.Exit(2)


@command()
def apply(
    inputs: Inputs,
    model: Annotated[
        Path, typer.Option("--model", metavar="FOLDER", help="A model folder from `guyub fit`.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FOLDER", help="Folder for the outputs.")
    ],
    config: ConfigOption = None,
    set_: SetOption = None,
    date_order: DateOrder = None,
    fmt: FormatOption = None,
    pseudonymise: Pseudonymise = False,
    keep_duplicates: KeepDuplicates = False,
    interviewer: Interviewer = None,
    quiet: Quiet = False,
    log_json: LogJson = False,
) -> None:
    """Apply a saved model to new exports and write the report (no refitting). Reading,
    privacy and the engine follow your config; normalising, topics and themes follow
    the model.

    Example:

      guyub apply new_exports/ --model models/mine -o out_march
    """
    fitted = _load_model_or_fail(model)
    cfg = _config(config, set_, date_order, fmt, pseudonymise, keep_duplicates, interviewer)
    progress = choose(quiet, log_json)
    _salt_ready(cfg, progress)
    _run_and_report(inputs, cfg, output, progress, fitted)


@command()
def evaluate(
    labelled: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help='JSONL, one {"text", "themes": [...]} per line.'),
    ] = None,
    model: Annotated[
        Path, typer.Option("--model", metavar="FOLDER", help="A model folder.")
    ] = DEFAULT_MODEL_DIR,
    seed_cv: Annotated[
        bool,
        typer.Option(
            "--seed-cv", help="Stratified k-fold cross-validation on the seed set instead."
        ),
    ] = False,
    folds: Annotated[
        int, typer.Option("--folds", min=2, max=20, metavar="N", help="Folds for --seed-cv (2-20).")
    ] = 5,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus", metavar="EXPORT", help="Exports to fit the --seed-cv models with."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Agreement of themes with labelled messages: macro/micro F1 and per theme.

    Examples:

      guyub evaluate labelled.jsonl --json

      guyub evaluate --seed-cv --corpus exports/
    """
    from pipeline.flow import cross_validate
    from pipeline.model.study import DataError, load_labelled
    from pipeline.model.validate import evaluate_labelled

    try:
        if seed_cv:
            result = cross_validate(corpus or [], _config(config, set_), folds)
            n = result["seeds"]
        elif labelled is None:
            raise fail("give LABELLED.jsonl, or --seed-cv")
        else:
            fitted = _load_model_or_fail(model)
            items = load_labelled(labelled, fitted.theme_ids)
            result = evaluate_labelled(fitted, items, Normaliser(fitted.config.normalise))
            n = len(items)
    except DataError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
        return
    out.print(
        f"macro-F1 {result['macro_f1']:.3f}   micro-F1 {result['micro_f1']:.3f}   ({n} messages)"
    )
    for theme, m in result["per_theme"].items():
        out.print(
            f"  {theme:<20} P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  n={m['support']}"
        )
    if "no_theme" in result:
        none = result["no_theme"]
        out.print(
            f"  labelled with no theme: {none['support']}, given one anyway: {none['given_a_theme']:.1%}"
        )
    if "everyday_test" in result:
        everyday = result["everyday_test"]
        out.print(
            f"  held-out everyday texts given a theme: {everyday['given_a_theme']:.1%}"
            f" of {everyday['texts']}"
        )


@command()
def report(
    run_dir: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="A folder written by `guyub run` or `guyub apply`."),
    ],
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Rebuild a run's tables and report.html from its messages.parquet and manifest.json.

    Example:

      guyub report out
    """
    from pipeline.report.build import rebuild_report
    from pipeline.report.data import RunDirError, load_run_dir

    cfg = _config(config, set_)
    try:
        data = load_run_dir(run_dir)
    except RunDirError as error:
        raise fail(str(error)) from None
    _check_output(run_dir, "run")
    with _output_errors():
        rebuild_report(run_dir, data, cfg.report)
    out.print(f"report rebuilt in {run_dir}/ from {len(data.messages)} messages")


@command()
def batch(
    inboxes: Annotated[
        list[Path],
        typer.Argument(metavar="EXPORT", help="Export files or folders of exports (zips too)."),
    ],
    model: Annotated[
        Path, typer.Option("--model", metavar="FOLDER", help="A model folder from `guyub fit`.")
    ],
    store: Annotated[
        Path,
        typer.Option(
            "--store", metavar="FILE", help="The store file (DuckDB); made on the first run."
        ),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FOLDER", help="Folder for the batch reports.")
    ],
    rescore: Annotated[
        bool,
        typer.Option("--rescore", help="Score every stored message this model has not scored yet."),
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", metavar="SECONDS", help="Seconds to wait for another job's lock."),
    ] = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's summary as one JSON object.")
    ] = False,
    log_json: LogJson = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Apply a model to fresh exports of many groups, counting every message exactly once.

    Exit code 0: all done; 1: some inputs failed (listed), the rest were processed;
    2: bad usage (no model, a damaged or busy store).

    Example:

      guyub batch inbox/ --model models/mine --store guyub.duckdb -o reports
    """
    import duckdb

    from pipeline.batch.job import run_batch
    from pipeline.batch.store import Store, StoreError

    _load_model_or_fail(model)  # a missing or damaged model: before the store is touched
    cfg = _config(config, set_)
    _salt_ready(cfg, choose(as_json, log_json))
    for inbox in inboxes:
        if not inbox.exists():  # before the store and the reports are made
            raise fail(f"{inbox}: no such file or folder")
    _check_output(output, "batch", inboxes)
    try:
        opened = Store.open(store, wait)
    except StoreError as error:
        raise fail(str(error)) from None
    try:
        with _output_errors():
            summary = run_batch(
                inboxes,
                model,
                opened,
                output,
                cfg,
                rescore=rescore,
                progress=choose(True, log_json),
            )
    except StoreError as error:
        raise fail(str(error)) from None
    except duckdb.Error as error:  # a disk that filled up under the store, ...
        raise fail(
            f"{store}: the store could not be written ({error}); this run was rolled back "
            "and the store is as it was: free some space and run again"
        ) from None
    finally:
        opened.close()
    public = {k: v for k, v in summary.as_dict().items() if k != "drift"}
    public["refit_due"] = bool(summary.drift.get("refit_due"))
    if as_json:
        sys.stdout.write(json.dumps(public, ensure_ascii=False, sort_keys=True) + "\n")
    elif not log_json:
        out.print(
            f"run {summary.run}: {summary.exports} exports ({summary.new_exports} new), "
            f"{summary.new_messages} new messages, {summary.seen_messages} seen before; reports in {output}/"
        )
        if summary.drift.get("refit_due"):
            out.print(f"[yellow]a refit looks due:[/] {summary.drift['reason']}")
    for failure in summary.failed:
        err.print(f"[bold red]failed:[/] {failure}", markup=True, soft_wrap=True)
    if summary.failed:
        raise typer.Exit(1)


def _load_model_or_fail(path: Path):
    from pipeline.model.artifacts import ModelError, load_model

    try:
        return load_model(path)
    except ModelError as error:
        raise fail(str(error)) from None


def _run_or_fail(inputs, cfg: Config, model=None, progress=None):
    from pipeline.flow import NothingToRead, run
    from pipeline.model.study import DataError

    try:
        return run(inputs, cfg, model, progress)
    except NothingToRead as nothing:
        _report_bad_inputs(nothing.ingested.reports)
        raise fail(str(nothing)) from None
    except DataError as error:
        raise fail(str(error)) from None


def _run_and_report(inputs, cfg: Config, output: Path, progress, model=None) -> None:
    """Run (fitting unless a model is given), write the outputs, say what happened;
    exit 2 after all of it if some input could not be read."""
    from pipeline.flow import write_run

    _check_output(output, "run", inputs)
    result = _run_or_fail(inputs, cfg, model, progress)
    with progress.stage("report"), _output_errors():
        manifest = write_run(result, output, cfg, inputs)
    _announce(output, manifest, progress)
    if _report_bad_inputs(result.ingested.reports):
        raise typer.Exit(2)


def _announce(output: Path, manifest: dict, progress) -> None:
    counts = manifest["counts"]
    progress.event("done", output=str(output), small_data=manifest["small_data"], **counts)
    if progress.mode != "rich":
        return
    if manifest["small_data"]:
        err.print(f"[yellow]warning:[/] {manifest['small_data']}", markup=True, soft_wrap=True)
    out.print(
        f"{counts['messages_read']} messages read, {counts['messages_with_theme']} with a theme; "
        f"outputs in {output}/ (report.html, themes.csv/.md, members.csv/.md, topics.csv, messages.parquet, "
        "manifest.json)"
    )
