"""Everything a report needs, as plain data: built from a run in memory, or read back
from a run's output files so `guyub report RUN_DIR` can rebuild it without refitting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.records import MESSAGE_FIELDS, Message


@dataclass
class RunData:
    messages: list[Message]  # the messages read for themes (kind "message")
    tokens: list[list[str]]
    theme_ids: list[str]
    theme_names: list[str]
    scores: np.ndarray  # message x theme
    assigned: np.ndarray  # message x theme, bool
    weights: np.ndarray  # message x topic
    topic_terms: list[list[str]]
    topic_themes: list[str]  # a theme id or "emergent", per topic
    coherence: list[float | None]  # None: too few messages for it to mean anything
    ledger: list[dict] = field(default_factory=list)
    model_facts: dict[str, object] = field(default_factory=dict)
    small_data: str = ""  # the report's warning when the corpus is too small for topics

    def dominant_topic(self) -> np.ndarray:
        return dominant_topic(self.weights)


def dominant_topic(weights: np.ndarray) -> np.ndarray:
    """Each message's strongest topic, -1 where it has no weight at all."""
    if weights.size == 0:
        return np.full(len(weights), -1)
    return np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)


class RunDirError(ValueError):
    """A run directory that lacks or garbles the files a report is rebuilt from."""


def load_run_dir(directory: Path) -> RunData:
    """RunData from a run's messages.parquet and manifest.json (nothing is refitted)."""
    import pyarrow.parquet as pq

    directory = Path(directory)
    for name in ("messages.parquet", "manifest.json"):
        if not (directory / name).is_file():
            raise RunDirError(f"{directory}: not a Guyub run ({name} missing)")
    try:
        rows = pq.read_table(directory / "messages.parquet").to_pylist()
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        theme_ids, topics = list(manifest["themes"]["ids"]), manifest["topics"]
        # runs written before the code column have none: "" as a member's words have
        messages = [Message(**{name: row.get(name, "") for name in MESSAGE_FIELDS}) for row in rows]
        index = {theme: i for i, theme in enumerate(theme_ids)}
        n, t, k = len(rows), len(theme_ids), len(topics["themes"])
        assigned = np.zeros((n, t), dtype=bool)
        for i, row in enumerate(rows):
            for theme in row["themes"]:
                assigned[i, index[theme]] = True
        return RunData(
            messages=messages,
            tokens=[list(row["tokens"]) for row in rows],
            theme_ids=theme_ids,
            theme_names=list(manifest["themes"]["names"]),
            scores=np.array([row["theme_scores"] for row in rows], dtype=float).reshape(n, t),
            assigned=assigned,
            weights=np.array([row["topic_weights"] for row in rows], dtype=float).reshape(n, k),
            topic_terms=[list(terms) for terms in topics["terms"]],
            topic_themes=list(topics["themes"]),
            coherence=[None if c is None else float(c) for c in topics["coherence"]],
            ledger=list(manifest.get("ledger", [])),
            model_facts={fact: value for fact, value in manifest.get("report_facts", [])},
            small_data=str(manifest.get("small_data") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise RunDirError(
            f"{directory}: damaged run output ({type(err).__name__}: {err})"
        ) from None
