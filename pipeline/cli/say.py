"""What the commands tell the user: errors in their words (exit code 2, never a
traceback), warnings about inputs, and the summary of a run."""

from __future__ import annotations

import errno
import json
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from pipeline.cli.options import FLAGS
from pipeline.config import MODEL_TABLES, Config, ConfigError, load_config, parse_override

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(2)


def check_output(output: Path, kind: str, inputs: Sequence[Path] = ()) -> None:
    """Refuse, before any work, an -o that Guyub may not replace (exit 2, nothing touched)."""
    from pipeline.outputs import OutputError, check_output_folder

    try:
        check_output_folder(output, kind, inputs)
    except OutputError as error:
        raise fail(str(error)) from None


@contextmanager
def output_errors():
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


def salt_ready(cfg: Config, progress=None) -> None:
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


def config_from(
    path: Path | None,
    overrides: list[str] | None,
    date_order: str | None = None,
    fmt: str | None = None,
    pseudonymise: bool = False,
    keep_duplicates: bool = False,
    interviewers: list[str] | None = None,
    scheduler: str | None = None,
    seeds: list[Path] | None = None,
    codebook: Path | None = None,
) -> Config:
    """The config file and --set overrides, then the command's own flags on top."""
    flags = {
        "engine.scheduler": scheduler,
        "ingest.date_order": date_order,
        "ingest.format": fmt,
        "privacy.pseudonymise_names": pseudonymise or None,
        "ingest.keep_duplicates": keep_duplicates or None,
        "ingest.interviewers": interviewers or None,
        "themes.extra_seeds": [str(Path(s).resolve()) for s in seeds] if seeds else None,
        "themes.codebook": str(Path(codebook).resolve()) if codebook else None,
    }
    extra = [f"{key}={json.dumps(value)}" for key, value in flags.items() if value is not None]
    try:
        return load_config(path, [*(overrides or []), *extra], FLAGS)
    except ConfigError as error:
        raise fail(str(error)) from None


def warn_model_settings(overrides: Sequence[str] | None) -> None:
    """Say that a --set of a model's own table does not hold when a model is applied:
    the model was fitted with its settings, and only a refit changes them."""
    for item in overrides or ():
        table = parse_override(item)[0][0]
        if table in MODEL_TABLES:
            err.print(
                f"[yellow]warning:[/] --set {item}: the {table} table is the model's own and "
                "stays as the model was fitted; refit with `guyub fit` to change it",
                markup=True,
                soft_wrap=True,
            )


def warn_changed_lexicons(model) -> None:
    """Say when the lexicons differ from those a model was fitted with: messages are
    normalised as today's lexicons say, so some terms may miss the model's vocabulary."""
    from pipeline.config import resolve_data_path
    from pipeline.provenance import folder_fingerprints

    then = getattr(model, "lexicons_", {})
    if not then:
        return
    now = folder_fingerprints(resolve_data_path(model.config.normalise.lexicon_dir))
    changed = sorted(name for name in then.keys() | now.keys() if then.get(name) != now.get(name))
    if changed:
        err.print(
            f"[yellow]warning:[/] the lexicon files {', '.join(changed)} differ from those the "
            "model was fitted with: messages are normalised as they say now, and some words "
            "may no longer reach the model's terms; refit with `guyub fit` to match them",
            markup=True,
            soft_wrap=True,
        )


def encoding_note(report) -> str:
    """ ", read as cp1252" for a file in an older encoding; nothing for UTF."""
    return f", read as {report.encoding}" if not report.encoding.startswith("utf") else ""


# How many header-like lines kept in a message's text are named on the terminal per
# file; the ledger lists them all.
KEPT_LINES_SHOWN = 5


def report_bad_inputs(reports) -> bool:
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


def load_model_or_fail(path: Path):
    from pipeline.model.artifacts import ModelError, load_model

    try:
        return load_model(path)
    except ModelError as error:
        raise fail(str(error)) from None


def announce(output: Path, manifest: dict, progress) -> None:
    counts = manifest["counts"]
    progress.event("done", output=str(output), small_data=manifest["small_data"], **counts)
    if progress.mode != "rich":
        return
    if manifest["small_data"]:
        err.print(f"[yellow]warning:[/] {manifest['small_data']}", markup=True, soft_wrap=True)
    warn_few_seeds(manifest["model"].get("themes_with_few_seeds") or {})
    out.print(
        f"{counts['messages_read']} messages read, {counts['messages_with_theme']} with a theme; "
        f"outputs in {output}/ (report.html, themes.csv/.md/.tex, members.csv/.md/.tex, topics.csv, prevalence.csv, messages.parquet, "
        "manifest.json)"
    )


def warn_few_seeds(few: dict[str, int]) -> None:
    """Say which themes have too few seeds to be learned well, and how many to write."""
    from pipeline.model.study import FEW_SEEDS

    if few:
        listed = ", ".join(f"{theme} ({n})" for theme, n in few.items())
        err.print(
            f"[yellow]warning:[/] few seed messages for {listed}: write at least {FEW_SEEDS} "
            "a theme (on the study's seed set macro-F1 is 0.44 with 10 a theme, 0.58 with 20, "
            "0.74 with 40; README: How many seeds to write)",
            markup=True,
            soft_wrap=True,
        )


def tell_parsed(ingested, records: int, output: Path) -> None:
    """What `guyub parse` read from each file, and where the records went."""
    for report in ingested.reports:
        if report.error:
            continue
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.records.items()))
        skips = ", ".join(f"{k}: {v}" for k, v in sorted(report.skips.items())) or "none"
        out.print(
            f"{report.source}: {report.format}{encoding_note(report)}, dates {report.date_order}; "
            f"{report.lines} lines -> "
            f"{kinds}; {report.authors} authors; {report.first[:10]} to {report.last[:10]}; skipped: {skips}",
            soft_wrap=True,
        )
    if ingested.duplicates:
        out.print(f"{ingested.duplicates} messages seen in more than one export kept once")
    out.print(f"wrote {records} records to {output}")


def tell_agreement(result: dict, n: int) -> None:
    """`guyub evaluate`'s figures: overall, per theme, and on texts with no theme."""
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
