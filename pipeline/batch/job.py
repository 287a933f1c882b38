"""The scheduled batch job: apply a fitted model to fresh exports of many groups, count
every message exactly once, keep the history in a store, and report trends by week.

Each run reads every export under the inboxes; an export whose bytes were seen before is
skipped whole, and a message seen in an earlier export (exports of one group overlap:
each repeats the whole history) is skipped by its stable id. All of a run's store
updates are one transaction; the reports are rebuilt from the store after it commits,
so a run killed at any point and run again gives what an uninterrupted run gives.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from pipeline.batch.store import Store
from pipeline.config import Config, IngestConfig, ReportConfig
from pipeline.engine.cluster import Engine
from pipeline.ingest import IngestError, expand_inputs, read_export
from pipeline.ingest.sources import refuse_special_file
from pipeline.model.apply import apply_distinct, distinct_rows
from pipeline.model.artifacts import load_model, model_version
from pipeline.model.fitted import ThemeModel
from pipeline.model.topics import row_residuals
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus
from pipeline.outputs import write_folder
from pipeline.privacy import Privacy, mask_path
from pipeline.progress import Progress
from pipeline.records import Message
from pipeline.report.html import render_batch_report
from pipeline.report.tables import Prevalence, prevalence_of
from pipeline.report.write import write_csv, write_json

# A refit looks due when new messages are explained this much worse than the fit's own.
DRIFT_RATIO = 1.15
DRIFT_MIN_MESSAGES = 50


@dataclass
class BatchSummary:
    run: int
    exports: int
    new_exports: int
    new_messages: int
    seen_messages: int
    scored: int
    failed: list[str] = field(default_factory=list)
    drift: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def run_batch(
    inboxes: Sequence[Path],
    model_dir: Path,
    store: Store,
    report_dir: Path,
    config: Config | None = None,
    *,
    rescore: bool = False,
    progress: Progress | None = None,
) -> BatchSummary:
    """`config`: the user's settings (reading exports, privacy, the engine); the model's
    own tables (normalising, topics, themes) come from the model."""
    progress = progress or Progress()
    model = load_model(model_dir)
    version = model_version(model_dir)
    config = (config or Config()).with_model(model.config)
    privacy = Privacy(config.privacy)
    started = _now()
    files = expand_inputs(inboxes)
    run_id = store.begin()
    try:
        summary = BatchSummary(run_id, len(files), 0, 0, 0, 0)
        with progress.stage("ingest") as stage:
            new_ids: set[str] = set()
            for path in files:
                _ingest_one(path, config.ingest, privacy, store, run_id, summary, new_ids)
            if summary.failed:
                stage.warn(f"{len(summary.failed)} of {len(files)} exports could not be read")
            elif not summary.new_exports:
                stage.idle("no new exports: every one was read in an earlier run")
        with progress.stage("score") as stage:
            pending = store.unscored(version)
            if not rescore:  # without --rescore, only this run's new messages
                pending = [m for m in pending if m.id in new_ids]
            summary.drift = _score(pending, model, config, store, version, run_id)
            summary.scored = len(pending)
            if not pending:
                stage.idle("no message to score")
        status = "partial" if summary.failed else "done"
        store.add_run(
            run_id,
            started=started,
            finished=_now(),
            status=status,
            model=version,
            exports=summary.exports,
            new_exports=summary.new_exports,
            new_messages=summary.new_messages,
            seen_messages=summary.seen_messages,
            failed=summary.failed,
            drift=summary.drift,
        )
        store.commit()
    except BaseException:
        store.rollback()
        raise
    with progress.stage("report"):
        write_batch_reports(store, model, version, report_dir, config.report)
    progress.event("batch_done", **summary.as_dict())
    return summary


def _ingest_one(path, ingest: IngestConfig, privacy, store, run_id, summary, new_ids) -> None:
    try:
        refuse_special_file(path)
        data = path.read_bytes()
    except IngestError as err:
        summary.failed.append(mask_path(str(err)))
        return
    except OSError as err:
        summary.failed.append(mask_path(f"{path}: {err.strerror or err}"))
        return
    sha = hashlib.sha256(data).hexdigest()
    if store.export_seen(sha):
        return
    try:
        messages: list[Message] = []
        read_export(path, ingest, privacy, messages.extend)
    except IngestError as err:
        summary.failed.append(mask_path(str(err)))
        return
    # One export may hold a message twice only as a real repeat (ids carry an
    # occurrence number); across exports the id says whether it was seen before.
    known = store.known_ids([m.id for m in messages])
    fresh = [m for m in messages if m.id not in known and m.id not in new_ids]
    store.add_messages(fresh, run_id)
    store.add_export(sha, mask_path(str(path)), len(data), len(messages), run_id)
    new_ids.update(m.id for m in fresh)
    summary.new_exports += 1
    summary.new_messages += len(fresh)
    summary.seen_messages += len(messages) - len(fresh)


def _score(
    messages, model: ThemeModel, config: Config, store: Store, version: str, run_id: int
) -> dict[str, object]:
    """Score messages, store the scores, and describe the drift of what was scored."""
    if not messages:
        return {"messages": 0}
    with Engine(config.engine) as engine:
        corpus = build_corpus(messages, Normaliser(config.normalise), engine)
        texts = [m.text for m in corpus.messages]
        X, counts, applied = apply_distinct(model, texts, corpus.normalised, engine)
    ids = model.theme_ids
    rows = [
        (
            m.id,
            [ids[t] for t in np.flatnonzero(applied.assigned[i])],
            [round(float(s), 6) for s in applied.scores[i]],
        )
        for i, m in enumerate(corpus.messages)
    ]
    store.add_scores(rows, version, run_id)
    first, _ = distinct_rows(texts)  # X holds the distinct texts' rows, once each
    residuals = row_residuals(X, applied.weights[first], model.topics_.components_)
    residual = float(np.average(residuals, weights=counts))
    baseline = float(model.metrics_.get("mean_residual") or 0.0)
    ratio = residual / baseline if baseline else 1.0
    due = len(messages) >= DRIFT_MIN_MESSAGES and ratio > DRIFT_RATIO
    return {
        "messages": len(messages),
        "theme_shares": {
            theme: round(float(applied.assigned[:, t].mean()), 4) for t, theme in enumerate(ids)
        },
        "no_theme_share": round(float(1 - applied.assigned.any(axis=1).mean()), 4),
        "mean_residual": round(residual, 4),
        "fit_mean_residual": baseline,
        "refit_due": bool(due),
        "reason": (
            f"new messages are explained {ratio:.2f}x worse than the ones the model was fitted on"
            if due
            else ""
        ),
    }


ALL_CHATS = "(all chats)"


def weekly_prevalence(
    store: Store, model: ThemeModel, version: str, min_messages: int
) -> dict[str, Prevalence]:
    """Per chat and for all chats: theme prevalence by week (as the run report counts it)."""
    days: dict[str, Counter[date]] = defaultdict(Counter)
    given: dict[str, Counter[tuple[date, str]]] = defaultdict(Counter)
    for chat, timestamp, themes in store.scored_messages(version):
        if not timestamp:
            continue
        day = date.fromisoformat(timestamp[:10])
        for scope in (chat, ALL_CHATS):
            days[scope][day] += 1
            for theme in themes:
                given[scope][day, theme] += 1
    return {
        scope: prevalence_of(days[scope], given[scope], model.theme_ids, "week", min_messages)
        for scope in sorted(days, key=lambda c: (c != ALL_CHATS, c))
    }


def weekly_rows(weekly: dict[str, Prevalence]) -> list[dict[str, object]]:
    """weekly.csv: per chat and week (its Monday), its messages and each theme's share."""
    return [
        {
            "chat": scope,
            "week": week,
            "messages": shown.messages[i],
            **{t: round(shown.share(t, i) or 0.0, 4) for t in shown.given},
        }
        for scope, shown in sorted(weekly.items())
        for i, week in enumerate(shown.periods)
        if shown.messages[i]
    ]


def write_batch_reports(
    store: Store, model: ThemeModel, version: str, report_dir: Path, config: ReportConfig
) -> None:
    weekly = weekly_prevalence(store, model, version, config.min_period_messages)
    runs = store.runs()
    html = render_batch_report(weekly, runs, [t.name_en for t in model.themes])

    def fill(staging: Path) -> None:
        write_csv(
            staging / "weekly.csv",
            weekly_rows(weekly),
            ["chat", "week", "messages", *model.theme_ids],
        )
        write_json(staging / "runs.json", runs)
        (staging / "report.html").write_text(html, encoding="utf-8")

    write_folder(report_dir, "batch", fill)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
