"""Everything a report needs: the facts of a run (themes, topics, ledger, the model's
measures) as plain data, and where its messages dataset is. Built from a run in memory,
or read back from a run's files so `guyub report RUN_DIR` rebuilds without refitting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RunData:
    messages: Path  # the messages dataset (messages.parquet), read by the report's queries
    theme_ids: list[str]
    theme_names: list[str]  # in English (the codebook's name_en)
    topic_terms: list[list[str]]
    topic_themes: list[str]  # a theme id or "emergent", per topic
    coherence: list[float | None]  # None: too few messages for it to mean anything
    ledger: list[dict] = field(default_factory=list)
    model_facts: dict[str, object] = field(default_factory=dict)
    small_data: str = ""  # the report's warning when the corpus is too small for topics
    # where the run came from: when, by which Guyub, with which model and codebook
    created: str = ""
    guyub_version: str = ""
    model_version: str = ""
    codebook: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)  # the score each theme needs
    # agreement with human coders (guyub report --coded), kept in agreement.json
    agreement: dict[str, object] = field(default_factory=dict)
    theme_names_id: list[str] = field(default_factory=list)  # in Indonesian (name_id)
    # the model's measured quality: its metrics QUALITY (held-out and cross-validated
    # seeds, held-out everyday texts, confidence against correctness)
    quality: dict[str, object] = field(default_factory=dict)

    def names(self, language: str) -> list[str]:
        """The themes' names in the report's language (`report.language`); a run made
        before Indonesian names were kept shows the English ones."""
        if language == "id" and self.theme_names_id:
            return self.theme_names_id
        return self.theme_names


AGREEMENT = "agreement.json"
QUALITY = ("seed_test", "seed_cv", "everyday_test")


def model_quality(metrics: dict) -> dict[str, object]:
    return {key: metrics[key] for key in QUALITY if metrics.get(key)}


class RunDirError(ValueError):
    """A run directory that lacks or garbles the files a report is rebuilt from."""


def load_run_dir(directory: Path) -> RunData:
    """RunData from a run's manifest.json, its messages left where they are (nothing is
    refitted)."""
    directory = Path(directory)
    for name in ("messages.parquet", "manifest.json"):
        if not (directory / name).exists():
            raise RunDirError(f"{directory}: not a Guyub run ({name} missing)")
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        topics = manifest["topics"]
        return RunData(
            messages=directory / "messages.parquet",
            theme_ids=list(manifest["themes"]["ids"]),
            theme_names=list(manifest["themes"]["names"]),
            theme_names_id=list(manifest["themes"].get("names_id", [])),
            quality=model_quality(manifest.get("model") or {}),
            topic_terms=[list(terms) for terms in topics["terms"]],
            topic_themes=list(topics["themes"]),
            coherence=[None if c is None else float(c) for c in topics["coherence"]],
            ledger=list(manifest.get("ledger", [])),
            model_facts={fact: value for fact, value in manifest.get("report_facts", [])},
            small_data=str(manifest.get("small_data") or ""),
            created=str(manifest.get("created") or ""),
            guyub_version=str(manifest.get("guyub_version") or ""),
            model_version=str(manifest.get("model_version") or ""),
            codebook=str(manifest.get("config", {}).get("themes", {}).get("codebook") or ""),
            thresholds={k: float(v) for k, v in (manifest.get("thresholds") or {}).items()},
            agreement=(
                json.loads((directory / AGREEMENT).read_text(encoding="utf-8"))
                if (directory / AGREEMENT).exists()
                else {}
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise RunDirError(
            f"{directory}: damaged run output ({type(err).__name__}: {err})"
        ) from None


def run_themes(dataset: Path, ids: set[str]) -> dict[str, set[str]]:
    """The themes a run gave those of `ids` that are its messages."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    try:
        table = ds.dataset(dataset, format="parquet").to_table(
            columns=["id", "themes"], filter=pc.field("id").isin(sorted(ids))
        )
    except (OSError, ValueError) as err:
        raise RunDirError(f"{dataset}: damaged messages dataset ({err})") from None
    return {row["id"]: set(row["themes"] or ()) for row in table.to_pylist()}
