"""`guyub batch`: the scheduled job over many groups' exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import command
from pipeline.cli.options import ConfigOption, LogJson, Scheduler, SetOption
from pipeline.cli.say import (
    check_output,
    config_from,
    err,
    fail,
    load_model_or_fail,
    out,
    output_errors,
    salt_ready,
    warn_changed_lexicons,
    warn_model_settings,
)
from pipeline.progress import choose


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
    scheduler: Scheduler = None,
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
    from pipeline.engine.cluster import EngineError

    fitted = load_model_or_fail(model)  # a missing or damaged model: before the store is touched
    cfg = config_from(config, set_, scheduler=scheduler)
    warn_model_settings(set_)
    warn_changed_lexicons(fitted)
    salt_ready(cfg, choose(as_json, log_json))
    for inbox in inboxes:
        if not inbox.exists():  # before the store and the reports are made
            raise fail(f"{inbox}: no such file or folder")
    check_output(output, "batch", inboxes)
    try:
        opened = Store.open(store, wait)
    except StoreError as error:
        raise fail(str(error)) from None
    try:
        with output_errors():
            summary = run_batch(
                inboxes,
                model,
                opened,
                output,
                cfg,
                rescore=rescore,
                progress=choose(True, log_json),
            )
    except (StoreError, EngineError) as error:
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
