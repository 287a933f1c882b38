"""The arguments and options the commands share, as a user reads them in --help."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Inputs = Annotated[
    list[Path],
    typer.Argument(
        help="Chat exports (.txt, .zip, .json, .csv, ...) or folders of them.",
        metavar="EXPORT",
        show_default=False,
    ),
]
OutputFolder = Annotated[
    Path, typer.Option("-o", "--output", metavar="FOLDER", help="Folder for the outputs.")
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
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="WHERE",
        help="Where the work runs: local (a Dask cluster on this machine), sync (one "
        "process), or a Dask scheduler's address such as tcp://10.0.0.5:8786.",
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


Seeds = Annotated[
    list[Path] | None,
    typer.Option(
        "--seeds",
        metavar="CODED.jsonl",
        help="Labelled messages (guyub import-codes) that join the seed set (repeatable).",
    ),
]


CodebookOption = Annotated[
    Path | None,
    typer.Option(
        "--codebook",
        metavar="FILE.toml|FILE.qdc",
        help="Your own codebook: TOML, or a .qdc exported from a QDA tool "
        "(its nested codes roll up to the top-level ones).",
    ),
]


# The settings a command-line flag sets, for errors that name the flag.
FLAGS = {
    "ingest.date_order": "--date-order",
    "ingest.format": "--format",
    "privacy.pseudonymise_names": "--pseudonymise",
    "ingest.keep_duplicates": "--keep-duplicates",
    "ingest.interviewers": "--interviewer",
    "engine.scheduler": "--scheduler",
    "themes.extra_seeds": "--seeds",
    "themes.codebook": "--codebook",
}
