"""A run's report files built from RunData: its tables, markdown and HTML page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import ReportConfig
from pipeline.outputs import clear_leftovers, work_folder, write_folder
from pipeline.report.data import RunData
from pipeline.report.html import render_report
from pipeline.report.markdown import members_markdown, themes_markdown
from pipeline.report.messages import MessagesFile
from pipeline.report.tables import member_table, theme_table, topic_table, weekly_shares
from pipeline.report.write import write_csv, write_json

if TYPE_CHECKING:
    from pipeline.model.fitted import Applied
    from pipeline.normalise import Normalised

# Files a run carries that the report is rebuilt from, not rebuilt itself.
SOURCE_FILES = ("messages.parquet", "manifest.json")


def report_files(
    data: RunData, config: ReportConfig, title: str
) -> dict[str, Callable[[Path], None]]:
    """Each report file's name and the function that writes it."""
    themes = theme_table(data, config.quotes_per_theme, config.top_terms)
    members = member_table(data)
    topics = topic_table(data, config.top_terms)
    html = render_report(
        title=title,
        summary=summary(data, themes),
        themes=themes,
        members=members,
        topics=topics,
        weekly=weekly_shares(data),
        ledger=data.ledger,
        model_facts=data.model_facts,
        theme_ids=data.theme_ids,
    )
    return {
        "themes.csv": lambda path: write_csv(path, themes),
        "themes.md": lambda path: path.write_text(
            themes_markdown(themes, len(data.messages)), encoding="utf-8"
        ),
        "members.csv": lambda path: write_csv(path, members),
        "members.md": lambda path: path.write_text(members_markdown(members), encoding="utf-8"),
        "topics.csv": lambda path: write_csv(path, topics),
        "report.html": lambda path: path.write_text(html, encoding="utf-8"),
    }


def report_title(data: RunData) -> str:
    chats = sorted({m.chat for m in data.messages})
    return f"Guyub report: {', '.join(chats) or 'no messages'}"


def summary(data: RunData, themes: list[dict[str, object]]) -> list[str]:
    n = len(data.messages)
    authors = len({m.author for m in data.messages})
    ranked = sorted(themes, key=lambda r: -float(r["share"]))  # type: ignore[arg-type]
    top = ", ".join(f"{r['name']} ({float(r['share']):.0%})" for r in ranked[:3] if r["messages"])  # type: ignore[arg-type]
    dates = sorted(m.timestamp for m in data.messages if m.timestamp)
    lines = [
        f"{n} messages from {authors} members"
        + (f", {dates[0][:10]} to {dates[-1][:10]}." if dates else "."),
        _coded_share(data.assigned.any(axis=1)),
    ]
    if top:
        lines.append(f"The most common themes: {top}.")
    emergent = sum(t == "emergent" for t in data.topic_themes)
    lines.append(f"{emergent} emergent topics: talk the codebook did not foresee (see below).")
    failed = [entry for entry in data.ledger if entry.get("error")]
    if failed:
        lines.append(f"{len(failed)} input file(s) could not be read (see how the data was read).")
    if data.small_data:
        lines.insert(0, data.small_data)
    return lines


def _coded_share(coded) -> str:
    n, with_theme = len(coded), int(coded.sum())
    if not n:
        return "No messages to code."
    return (
        f"{with_theme} messages ({with_theme / n:.0%}) carry at least one of the study's themes; "
        f"{n - with_theme} ({(n - with_theme) / n:.0%}) carry none (everyday talk is left uncoded)."
    )


def write_run_dir(
    out_dir: Path,
    data: RunData,
    config: ReportConfig,
    extra: dict[str, Callable[[Path], None]] | None = None,
) -> None:
    """All outputs into out_dir at once (a crash leaves the old directory or the new)."""
    files = {**report_files(data, config, report_title(data)), **(extra or {})}

    def fill(staging: Path) -> None:
        for name, write in sorted(files.items()):
            write(staging / name)

    write_folder(out_dir, "run", fill)


def write_run_outputs(
    out_dir: Path,
    data: RunData,
    config: ReportConfig,
    manifest: dict[str, object],
    normalised: Sequence[Normalised],
    applied: Applied,
) -> None:
    """A run's outputs into out_dir, all at once or not at all: the report files,
    messages.parquet and manifest.json."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(out_dir)
    scratch = work_folder(out_dir, "scratch")
    try:
        # messages.parquet first: its encoding goes on beside the rest of the report
        # (7 of the report's 11 s at 1M before it did)
        messages = MessagesFile.start(
            scratch / "messages.parquet", data.messages, normalised, applied, data.theme_ids
        )
        try:
            write_run_dir(
                out_dir,
                data,
                config,
                {
                    "messages.parquet": lambda path: _finished(messages, scratch / path.name, path),
                    "manifest.json": lambda path: write_json(path, manifest),
                },
            )
        finally:
            messages.finish()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _finished(messages: MessagesFile, written: Path, target: Path) -> None:
    messages.finish()
    os.replace(written, target)


def rebuild_report(run_dir: Path, data: RunData, config: ReportConfig) -> None:
    """Rewrite a run's report files from its messages and manifest, without refitting."""
    kept = {name: _copier(run_dir / name) for name in SOURCE_FILES}
    write_run_dir(run_dir, data, config, kept)


def _copier(source: Path) -> Callable[[Path], None]:
    return lambda target: shutil.copyfile(source, target)


__all__ = ["RunData", "rebuild_report", "report_files", "write_run_dir", "write_run_outputs"]
