"""The commands between Guyub and the researcher's QDA tool: export a run as a REFI-QDA
project or codebook, import what people coded, and measure how far they agree."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import command
from pipeline.cli.options import ConfigOption, SetOption
from pipeline.cli.say import config_from, err, fail, out, output_errors

RunDir = Annotated[
    Path,
    typer.Argument(metavar="RUN_DIR", help="A folder written by `guyub run` or `guyub apply`."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]


@command()
def export(
    run_dir: RunDir,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE.qdpx|FILE.qdc",
            help="A REFI-QDA project (.qdpx) or the codes alone as a codebook (.qdc).",
        ),
    ],
) -> None:
    """Export a run for NVivo, ATLAS.ti, MAXQDA or QualCoder: each chat as a text source,
    each theme Guyub gave a message as a coding, the codebook's themes and the emergent
    topics as codes, the members as cases.

    Examples:

      guyub export out -o project.qdpx

      guyub export out -o codebook.qdc
    """
    from pipeline.model.study import DataError
    from pipeline.qda.export import export_run
    from pipeline.report.data import RunDirError

    if output.suffix.lower() not in (".qdpx", ".qdc"):
        raise fail(f"{output}: give a file ending in .qdpx (a project) or .qdc (a codebook)")
    _check_qda_output(output)
    with output_errors():
        try:
            written = export_run(run_dir, output)
        except (RunDirError, DataError) as error:
            raise fail(str(error)) from None
    said = ", ".join(f"{count} {what}" for what, count in written.items())
    out.print(f"wrote {output} ({said})")


@command()
def review(
    run_dir: RunDir,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE.qdpx", help="The project to code."),
    ],
    n: Annotated[int, typer.Option("-n", min=1, help="How many messages to review.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random slice.")] = 0,
) -> None:
    """The messages most worth a person's time, as a project to code: those Guyub is
    least sure of, theme by theme, and a random quarter for an unbiased agreement figure.
    Coded, imported and added with `guyub fit --seeds`, they teach the next model.

    Example:

      guyub review out -n 40 -o review.qdpx
    """
    from pipeline.model.study import DataError
    from pipeline.qda.export import run_codes, write_project
    from pipeline.qda.review import review_messages
    from pipeline.report.data import RunDirError, load_run_dir

    if output.suffix.lower() != ".qdpx":
        raise fail(f"{output}: give a file ending in .qdpx")
    _check_qda_output(output)
    try:
        data = load_run_dir(run_dir)
        if not data.thresholds:
            raise RunDirError(
                f"{run_dir}: made before runs kept their themes' thresholds: run it again"
            )
        codes = run_codes(data)
        chats, chosen = review_messages(data.messages, data.theme_ids, data.thresholds, n, seed)
    except (RunDirError, DataError) as error:
        raise fail(str(error)) from None
    with output_errors():
        write_project(output, f"review of {run_dir.name}", codes, chats)
    unsure = len(chosen.rows) - chosen.why.count("random")
    out.print(
        f"wrote {output}: {len(chosen.rows)} messages, {unsure} Guyub is least sure of "
        f"and {chosen.why.count('random')} drawn at random"
    )


def _check_qda_output(output: Path) -> None:
    """Refuse an -o that is a project or codebook Guyub did not write."""
    from pipeline.outputs import OutputError, check_output_file
    from pipeline.qda.read import QdaError, origin_of

    def is_guyubs(path: Path) -> bool:
        try:
            return origin_of(path).startswith("Guyub")
        except QdaError:
            return False

    try:
        check_output_file(output, [], is_guyubs, "export", output.name)
    except OutputError as error:
        raise fail(str(error)) from None


@command("import-codes")
def import_codes(
    project: Annotated[
        Path,
        typer.Argument(metavar="CODED.qdpx", help="A REFI-QDA project people have coded."),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE.jsonl", help="The labelled messages."),
    ],
    coder: Annotated[
        str,
        typer.Option(
            "--coder",
            metavar="NAME",
            help="Who coded, where the tool named nobody; Guyub's codings left in place "
            "count as this person's too.",
        ),
    ] = "coder",
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Read a project coded in a QDA tool back as labelled messages: one line per message
    and coder, with its id, the codebook's themes and any other codes by name.

    Example:

      guyub import-codes coded.qdpx -o coded.jsonl --coder siti
    """
    from pipeline.config import resolve_data_path
    from pipeline.model.study import DataError, load_codebook
    from pipeline.outputs import OutputError, check_output_file, replace_file
    from pipeline.qda.coded import CODED_FIELDS, coded_messages
    from pipeline.qda.read import QdaError, read_project
    from pipeline.report.write import holds_records

    cfg = config_from(config, set_)
    try:
        check_output_file(
            output,
            [project],
            lambda path: holds_records(path, CODED_FIELDS),
            "import-codes",
            "coded.jsonl",
        )
        themes = load_codebook(resolve_data_path(cfg.themes.codebook))
        imported = coded_messages(read_project(project), themes, coder, cfg.ingest, cfg.privacy)
    except (OutputError, QdaError, DataError) as error:
        raise fail(str(error)) from None
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in imported.rows)
    with output_errors():
        replace_file(output, text.encode("utf-8"))
    coders = sorted({str(row["coder"]) for row in imported.rows})
    out.print(f"wrote {output}: {len(imported.rows)} labelled messages by {', '.join(coders)}")
    if imported.other_codes:
        listed = ", ".join(f"{name} ({n})" for name, n in imported.other_codes.most_common())
        err.print(f"codes not in the codebook (kept in other_codes): {listed}", soft_wrap=True)
    for why, n in imported.skipped.items():
        err.print(f"skipped: {n} {why}", soft_wrap=True)


@command()
def agreement(
    coded: Annotated[
        Path,
        typer.Argument(metavar="CODED.jsonl", help="Labelled messages (guyub import-codes)."),
    ],
    run_dir: Annotated[
        Path,
        typer.Option("--run", metavar="RUN_DIR", help="The run whose themes are compared."),
    ],
    rounds: Annotated[
        int, typer.Option("--bootstrap", min=100, help="Bootstrap rounds of the 95% intervals.")
    ] = 1000,
    as_json: JsonOption = False,
) -> None:
    """How far Guyub agrees with each human coder, and they with one another: Cohen's
    kappa and Krippendorff's alpha per theme and overall, with bootstrap 95% intervals,
    and the confusion of themes.

    Example:

      guyub agreement coded.jsonl --run out
    """
    from pipeline.model.study import DataError
    from pipeline.qda.coded import agreement_with_run
    from pipeline.report.data import RunDirError, load_run_dir

    try:
        result = agreement_with_run(load_run_dir(run_dir), coded, rounds)
    except (RunDirError, DataError) as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
        return
    if result["not_in_run"]:
        err.print(f"{result['not_in_run']} coded message(s) are not in {run_dir}: left out")
    for pair in result["pairs"]:
        a, b = pair["coders"]
        o = pair["overall"]
        out.print(
            f"{a} vs {b}, {pair['messages']} messages: kappa {_shown(o['kappa'], o['kappa_95'])}, "
            f"alpha {_shown(o['alpha'], o['alpha_95'])}"
        )
        for theme, m in pair["per_theme"].items():
            out.print(
                f"  {theme:<22} {m['messages_a']:>4} / {m['messages_b']:>4} / both {m['both']:>4}"
                f"   kappa {_shown(m['kappa'], m['kappa_95'])}   alpha {_shown(m['alpha'], m['alpha_95'])}",
                soft_wrap=True,
            )


def _shown(value: float | None, interval: list[float] | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" + (f" [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else "")
