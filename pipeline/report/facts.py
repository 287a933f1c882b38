"""A run gathered into RunData for the report: its themes and topics, its ledger with
paths masked, and the facts about the model the report states."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.privacy import mask_path
from pipeline.records import FileReport
from pipeline.report.data import RunData, model_quality

if TYPE_CHECKING:
    from pipeline.model.fitted import ThemeModel


def run_data(
    model: ThemeModel,
    reports: Sequence[FileReport],
    coherence: list[float | None],
    metrics: dict[str, object],
    small_data: str = "",
) -> RunData:
    """The run's facts for the report stage, its messages dataset still to be written;
    `metrics`: the model's, with this run's topic quality."""
    test: dict = metrics.get("seed_test") or {}  # type: ignore[assignment]
    everyday: dict = metrics.get("everyday_test") or {}  # type: ignore[assignment]
    return RunData(
        messages=Path(),
        theme_ids=model.theme_ids,
        theme_names=[t.name_en for t in model.themes],
        theme_names_id=[t.name_id for t in model.themes],
        topic_terms=model.top_terms(30),
        topic_themes=[model.topic_label(k) for k in range(len(model.topic_themes_))],
        coherence=coherence,
        ledger=[masked_paths(r.as_dict()) for r in reports],
        model_facts={
            "method": "seeded NMF; topics named after themes by Hungarian matching on cosine",
            "seed messages used for fitting": metrics.get("seed_messages", ""),
            "topics (themes + free)": len(model.topic_themes_),
            "theme rows' cosine to their seed centroids (min)": metrics.get("theme_row_cosine", ""),
            "held-out seed macro-F1": test.get("macro_f1", "n/a"),
            "confidence rule": confidence_rule(model, metrics),
            "a message's confidence": (
                "how sure the model is of its themes: the share of texts it scored alike in "
                "fitting (seeds it had not learned from, everyday texts) that carry the least "
                "sure theme it was given, or, for a message given none, one minus that share for its "
                "most likely theme"
            ),
            "held-out everyday texts given a theme": everyday.get("given_a_theme", "n/a"),
            "mean topic NPMI": metrics.get("mean_npmi", ""),
            "topic diversity": metrics.get("diversity", ""),
        },
        small_data=small_data,
        quality=model_quality(metrics),
    )


def confidence_rule(model: ThemeModel, metrics: dict[str, object]) -> str:
    """When a message is given a theme, in one sentence for the report."""
    t = model.config.themes
    rule = (
        f"a message gets a theme only when its score for it reaches that theme's threshold "
        f"and at least {t.relative_threshold:.0%} of its best theme's score"
    )
    if metrics.get("everyday_texts"):
        rule += (
            f"; thresholds were set so that at most {t.everyday_rate:.0%} of everyday texts "
            f"with no theme (public tweets, reviews, chat) would get any theme, so a message "
            f"with no clear evidence gets none"
        )
    return rule + "."


def small_data_note(messages: int, enough: int) -> str:
    """What a report says when its corpus is too small for topics to mean much."""
    if messages >= enough:
        return ""
    return (
        f"Only {messages} messages: below {enough}, emergent topics and their coherence "
        "mean little (topics fitted on two such samples of the same talk share few terms), "
        "so no coherence is shown. Themes still come from the classifier trained on the "
        "seed set."
    )


def masked_paths(ledger_entry: dict) -> dict:
    """A file's ledger as outputs keep it: its path, and the error naming it, masked."""
    return {
        key: mask_path(value) if key in ("source", "error") and value else value
        for key, value in ledger_entry.items()
    }
