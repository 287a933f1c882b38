"""A run's report files built from RunData: its tables, markdown and HTML page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb

from pipeline.config import Config, resolve_data_path
from pipeline.normalise.resources import read_word_list
from pipeline.outputs import write_folder
from pipeline.report.data import AGREEMENT, RunData, RunDirError
from pipeline.report.html import render_report
from pipeline.report.markdown import (
    members_latex,
    members_markdown,
    themes_latex,
    themes_markdown,
)
from pipeline.report.query import MessageQueries, Overview
from pipeline.report.tables import (
    EMERGENT,
    PREVALENCE_COLUMNS,
    QUOTE_CONTEXT,
    cited,
    member_table,
    theme_table,
    topic_table,
    with_context,
)
from pipeline.report.tables import prevalence as period_prevalence
from pipeline.report.write import write_csv, write_json

# Files a run carries that the report is rebuilt from, not rebuilt itself.
SOURCE_FILES = ("messages.parquet", "manifest.json")


def report_files(
    data: RunData, settings: Config
) -> tuple[Overview, dict[str, Callable[[Path], None]]]:
    """The messages the report is about, and each report file's name and the function
    that writes it; every table is worked out here, from the messages dataset (by
    DuckDB within the engine's share of the machine), before anything is written."""
    config = settings.report
    names = data.names(config.language)
    everyday = read_word_list(resolve_data_path(config.everyday_talk))
    with MessageQueries(data.messages, settings.engine, everyday) as queries:
        overview = queries.overview
        themes = theme_table(data, queries, names, config.quotes_per_theme, config.top_terms)
        members = member_table(data, queries)
        topics = topic_table(
            data, queries, config.top_terms, everyday, config.min_emergent_messages
        )
        with_context(queries, [themes, topics], QUOTE_CONTEXT)
        prevalence = period_prevalence(data, queries, config.period, config.min_period_messages)
    html = render_report(
        title=f"Guyub report: {', '.join(overview.chats) or 'no messages'}",
        summary=summary(data, overview, themes, topics),
        themes=themes,
        members=members,
        topics=topics,
        prevalence=prevalence,
        ledger=data.ledger,
        model_facts=data.model_facts,
        theme_ids=data.theme_ids,
        names=names,
        agreement=data.agreement,
        quality=data.quality,
    )
    kept = {AGREEMENT: lambda path: write_json(path, data.agreement)} if data.agreement else {}
    return overview, {
        **kept,
        "themes.csv": lambda path: write_csv(path, cited(themes)),
        "themes.md": lambda path: path.write_text(
            themes_markdown(themes, overview.messages), encoding="utf-8"
        ),
        "members.csv": lambda path: write_csv(path, members),
        "members.md": lambda path: path.write_text(
            members_markdown(members, data.theme_ids, names), encoding="utf-8"
        ),
        "themes.tex": lambda path: path.write_text(themes_latex(themes), encoding="utf-8"),
        "members.tex": lambda path: path.write_text(
            members_latex(members, data.theme_ids, names), encoding="utf-8"
        ),
        "topics.csv": lambda path: write_csv(path, cited(topics)),
        "prevalence.csv": lambda path: write_csv(path, prevalence.rows(), PREVALENCE_COLUMNS),
        "report.html": lambda path: path.write_text(html, encoding="utf-8"),
    }


def summary(
    data: RunData,
    overview: Overview,
    themes: list[dict[str, object]],
    topics: list[dict[str, object]],
) -> list[str]:
    n = overview.messages
    ranked = sorted(themes, key=lambda r: -float(r["share"]))  # type: ignore[arg-type]
    top = ", ".join(f"{r['name']} ({float(r['share']):.0%})" for r in ranked[:3] if r["messages"])  # type: ignore[arg-type]
    lines = [
        f"{n} messages from {overview.authors} members"
        + (f", {overview.first[:10]} to {overview.last[:10]}." if overview.first else "."),
        _coded_share(overview),
    ]
    if top:
        lines.append(f"The most common themes: {top}.")
    emergent = sum(t["kind"] == EMERGENT for t in topics)
    lines.append(
        f"{emergent} emergent topic{'s' if emergent != 1 else ''}: talk the codebook did not "
        "foresee (see below)."
    )
    failed = [entry for entry in data.ledger if entry.get("error")]
    if failed:
        lines.append(f"{len(failed)} input file(s) could not be read (see how the data was read).")
    if data.small_data:
        lines.insert(0, data.small_data)
    return lines


def _coded_share(overview: Overview) -> str:
    n, coded, everyday = overview.messages, overview.with_theme, overview.everyday
    if not n:
        return "No messages to code."
    other = n - coded - everyday
    return (
        f"{coded} messages ({coded / n:.0%}) carry at least one of the study's themes; "
        f"{everyday} ({everyday / n:.0%}) are everyday talk (greetings, thanks, wishes, "
        f"'siap', 'ok'); {other} ({other / n:.0%}) are other talk with no theme."
    )


def write_run_dir(
    out_dir: Path,
    data: RunData,
    config: Config,
    extra: dict[str, Callable[[Path], None]] | None = None,
) -> Overview:
    """All outputs into out_dir at once (a crash leaves the old directory or the new);
    what the messages were."""
    overview, report = report_files(data, config)
    files = {**report, **(extra or {})}

    def fill(staging: Path) -> None:
        for name, write in sorted(files.items()):
            write(staging / name)

    write_folder(out_dir, "run", fill)
    return overview


def write_run_outputs(
    out_dir: Path, data: RunData, config: Config, manifest: dict[str, object], dataset: Path
) -> None:
    """A run's outputs into out_dir, all at once or not at all: the messages dataset
    the run wrote (the report's tables are queries over it) moved in beside the report
    files and manifest.json."""
    write_run_dir(
        out_dir,
        replace(data, messages=dataset),
        config,
        {
            "messages.parquet": lambda path: os.replace(dataset, path),
            "manifest.json": lambda path: write_json(path, manifest),
        },
    )


def rebuild_report(run_dir: Path, data: RunData, config: Config) -> int:
    """Rewrite a run's report files from its messages and manifest, without refitting;
    how many messages they were built from."""
    kept = {name: _copier(run_dir / name) for name in SOURCE_FILES}
    try:
        return write_run_dir(run_dir, data, config, kept).messages
    except duckdb.Error as err:
        raise RunDirError(f"{run_dir}: damaged messages.parquet ({err})") from None


def _copier(source: Path) -> Callable[[Path], None]:
    def copy(target: Path) -> None:
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)

    return copy


__all__ = ["RunData", "rebuild_report", "report_files", "write_run_dir", "write_run_outputs"]
