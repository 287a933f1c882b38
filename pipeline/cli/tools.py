"""Commands that look at one stage: parse exports, normalise text, evaluate a model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline import DEFAULT_MODEL_DIR
from pipeline.cli.app import command
from pipeline.cli.options import (
    ConfigOption,
    DateOrder,
    FormatOption,
    Inputs,
    Interviewer,
    KeepDuplicates,
    Pseudonymise,
    SetOption,
)
from pipeline.cli.say import (
    config_from,
    fail,
    load_model_or_fail,
    out,
    output_errors,
    report_bad_inputs,
    salt_ready,
    tell_agreement,
    tell_parsed,
)
from pipeline.ingest import read_exports
from pipeline.normalise import Normaliser
from pipeline.records import MESSAGE_FIELDS
from pipeline.report.write import RECORD_SUFFIXES, RecordWriter, holds_records


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
    if output.suffix.lower() not in RECORD_SUFFIXES:
        raise fail(f"{output}: the output must end in .jsonl, .csv or .parquet")
    from pipeline.outputs import OutputError, check_output_file

    try:
        check_output_file(output, inputs, lambda path: holds_records(path, MESSAGE_FIELDS))
    except OutputError as error:
        raise fail(str(error)) from None
    cfg = config_from(config, set_, date_order, fmt, pseudonymise, keep_duplicates, interviewer)
    salt_ready(cfg)
    with output_errors():
        writer = RecordWriter(output)
        try:
            ingested = read_exports(inputs, cfg.ingest, cfg.privacy, writer)
        except BaseException:
            writer.abandon()
            raise
        written = writer.finish()
    tell_parsed(ingested, written, output)
    if report_bad_inputs(ingested.reports):
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
    normaliser = Normaliser(config_from(config, set_).normalise)
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
    from pipeline.outputs import scratch_beside

    try:
        if seed_cv:
            # the corpus is read into parts in a work folder here, as a run reads it
            with scratch_beside(Path.cwd() / "seed-cv") as workspace:
                result = cross_validate(corpus or [], config_from(config, set_), folds, workspace)
            n = result["seeds"]
        elif labelled is None:
            raise fail("give LABELLED.jsonl, or --seed-cv")
        else:
            fitted = load_model_or_fail(model)
            items = load_labelled(labelled, fitted.theme_ids)
            result = evaluate_labelled(fitted, items, Normaliser(fitted.config.normalise))
            n = len(items)
    except DataError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
        return
    tell_agreement(result, n)
