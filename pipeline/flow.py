"""The whole pipeline on one screen: ingest -> normalise -> vectorise -> topics ->
themes -> report. Each function takes and returns in-memory objects, except `write_run`,
the edge where the outputs land on disk."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipeline import __version__
from pipeline.artifacts import write_directory_atomically
from pipeline.config import Config, resolve_data_path
from pipeline.evaluate import npmi_coherence, theme_agreement, topic_diversity
from pipeline.ingest import Ingested, read_exports
from pipeline.model import Applied, ThemeModel
from pipeline.normalise import Normalised, Normaliser
from pipeline.records import Message
from pipeline.report.html import render_report
from pipeline.report.tables import member_table, theme_table, topic_table, weekly_shares
from pipeline.report.write import write_csv, write_json, write_parquet
from pipeline.themes import SeedMessage, Theme, label_matrix, load_codebook, load_labelled


@dataclass
class Corpus:
    """The messages a model reads (kind `message`), with their normalised forms."""

    messages: list[Message]
    normalised: list[Normalised]

    @property
    def tokens(self) -> list[list[str]]:
        return [n.tokens for n in self.normalised]


@dataclass
class RunResult:
    ingested: Ingested
    corpus: Corpus
    model: ThemeModel
    applied: Applied
    timings: dict[str, float] = field(default_factory=dict)


def load_study(config: Config) -> tuple[list[Theme], list[SeedMessage]]:
    themes = load_codebook(resolve_data_path(config.themes.codebook))
    seeds = load_labelled(resolve_data_path(config.themes.seed_set), [t.id for t in themes])
    return themes, seeds


def build_corpus(messages: Sequence[Message], normaliser: Normaliser) -> Corpus:
    """Only real messages carry themes; media, deleted and system records are counted
    in the ledger but not read for topics."""
    kept = [m for m in messages if m.kind == "message"]
    return Corpus(kept, [normaliser(m.text) for m in kept])


def fit_model(corpus: Corpus, config: Config, normaliser: Normaliser) -> ThemeModel:
    themes, seeds = load_study(config)
    training = [s for s in seeds if s.split == "train"]
    seed_tokens = [normaliser(s.text).tokens for s in training]
    return ThemeModel.fit(corpus.tokens, training, seed_tokens, themes, config)


def evaluate_model(model: ThemeModel, items: Sequence[SeedMessage], normaliser: Normaliser) -> dict:
    applied = model.apply([normaliser(item.text).tokens for item in items])
    truth = label_matrix(items, model.theme_ids)
    return theme_agreement(truth, applied.assigned, model.theme_ids)


def topic_quality(model: ThemeModel, corpus: Corpus, top_n: int = 10) -> dict[str, object]:
    """NPMI coherence of each topic's top terms over the corpus, and diversity."""
    X = model.vectoriser.transform(corpus.tokens)
    presence = (X > 0).astype(np.float64).tocsc()
    H = model.topics.components_
    tops = [list(np.argsort(-row, kind="stable")[:top_n]) for row in H]
    coherence = [npmi_coherence(presence, idx) for idx in tops]
    names = model.top_terms(top_n)
    themed = [c for c, t in zip(coherence, model.topic_themes, strict=True) if t is not None]
    return {
        "coherence": coherence,
        "mean_npmi": round(float(np.mean(coherence)), 4) if coherence else 0.0,
        "theme_topic_npmi": round(float(np.mean(themed)), 4) if themed else 0.0,
        "diversity": topic_diversity(names),
    }


def fingerprint(messages: Sequence[Message]) -> str:
    digest = hashlib.sha256()
    for message in sorted(m.id for m in messages):
        digest.update(message.encode())
    return digest.hexdigest()[:16]


def run(inputs: Sequence[Path], config: Config, model: ThemeModel | None = None) -> RunResult:
    """Read, normalise, fit (unless a model is given) and apply."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    ingested = read_exports(inputs, config.ingest, config.privacy)
    timings["ingest"] = time.perf_counter() - clock

    clock = time.perf_counter()
    normaliser = Normaliser((model.config if model else config).normalise)
    corpus = build_corpus(ingested.messages, normaliser)
    timings["normalise"] = time.perf_counter() - clock

    if model is None:
        clock = time.perf_counter()
        model = fit_model(corpus, config, normaliser)
        timings["fit"] = time.perf_counter() - clock
        _, seeds = load_study(config)
        held_out = [s for s in seeds if s.split == "test"]
        if held_out:
            model.metrics["seed_test"] = evaluate_model(model, held_out, normaliser)

    clock = time.perf_counter()
    applied = model.apply(corpus.tokens)
    timings["apply"] = time.perf_counter() - clock
    return RunResult(ingested, corpus, model, applied, timings)


def model_manifest(model: ThemeModel, corpus: Corpus, config: Config) -> dict[str, object]:
    return {
        "created": _created(),
        "guyub_version": __version__,
        "package_versions": package_versions(),
        "config_hash": config.digest(),
        "input_fingerprint": fingerprint(corpus.messages),
        "metrics": model.metrics,
    }


def _created() -> str:
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat()


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = ["numpy", "scipy", "scikit-learn", "spacy", "PySastrawi", "pyarrow"]
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


MESSAGE_SCHEMA_EXTRA = (
    "lang",
    "normalised",
    "tokens",
    "topic",
    "topic_weights",
    "themes",
    "theme_scores",
)


def message_rows(result: RunResult) -> list[dict[str, object]]:
    ids = result.model.theme_ids
    applied = result.applied
    dominant = applied.topic_of_each()
    rows = []
    for i, (message, norm) in enumerate(
        zip(result.corpus.messages, result.corpus.normalised, strict=True)
    ):
        row = message.as_row()
        row.update(
            {
                "lang": norm.lang,
                "normalised": norm.text,
                "tokens": norm.tokens,
                "topic": int(dominant[i]),
                "topic_weights": [round(float(w), 6) for w in applied.weights[i]],
                "themes": [ids[t] for t in np.flatnonzero(applied.assigned[i])],
                "theme_scores": [round(float(s), 6) for s in applied.scores[i]],
            }
        )
        rows.append(row)
    return rows


def write_run(
    result: RunResult, out_dir: Path, config: Config, inputs: Sequence[Path]
) -> dict[str, object]:
    """Write the six outputs into out_dir, all at once or not at all."""
    model, corpus, applied = result.model, result.corpus, result.applied
    quality = topic_quality(model, corpus)
    model.metrics.update({k: v for k, v in quality.items() if k != "coherence"})
    themes = theme_table(
        model,
        applied,
        corpus.messages,
        corpus.tokens,
        config.report.quotes_per_theme,
        config.report.top_terms,
    )
    members = member_table(model, applied, corpus.messages)
    topics = topic_table(
        model,
        applied,
        corpus.messages,
        corpus.tokens,
        quality["coherence"],
        config.report.top_terms,
    )  # type: ignore[arg-type]
    weekly = weekly_shares(applied, corpus.messages, model.theme_ids)
    ledger = [r.as_dict() for r in result.ingested.reports]
    manifest = {
        "guyub_version": __version__,
        "created": _created(),
        "inputs": [_describe_input(p) for p in inputs],
        "ledger": ledger,
        "counts": {
            "records": len(result.ingested.messages),
            "messages_read": len(corpus.messages),
            "duplicates_dropped": result.ingested.duplicates,
            "messages_with_theme": int(applied.assigned.any(axis=1).sum()),
        },
        "config": config.model_dump(),
        "config_hash": config.digest(),
        "package_versions": package_versions(),
        "model": model.metrics,
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
    summary = _summary(result, themes)
    html = render_report(
        title=f"Guyub report: {', '.join(sorted({m.chat for m in corpus.messages})) or 'no messages'}",
        summary=summary,
        themes=themes,
        members=members,
        topics=topics,
        weekly=weekly,
        ledger=ledger,
        model_facts={
            "method": "seeded NMF, topics matched to themes by Hungarian matching on cosine",
            "seed messages used for fitting": model.metrics.get("seed_messages", ""),
            "topics (themes + free)": len(model.topic_themes),
            "theme rows' cosine to their seed centroids (min)": model.metrics.get(
                "theme_row_cosine", ""
            ),
            "held-out seed macro-F1": (model.metrics.get("seed_test") or {}).get("macro_f1", "n/a"),
            "mean topic NPMI": quality["mean_npmi"],
            "topic diversity": quality["diversity"],
        },
        theme_ids=model.theme_ids,
    )
    records = message_rows(result)

    def fill(staging: Path) -> None:
        write_parquet(staging / "messages.parquet", records, _messages_schema())
        write_csv(staging / "topics.csv", topics)
        write_csv(staging / "themes.csv", themes)
        write_csv(staging / "members.csv", members)
        (staging / "report.html").write_text(html, encoding="utf-8")
        write_json(staging / "manifest.json", manifest)

    write_directory_atomically(out_dir, fill)
    return manifest


def _messages_schema() -> pa.Schema:
    return pa.schema(
        [
            ("id", pa.string()),
            ("chat", pa.string()),
            ("platform", pa.string()),
            ("source", pa.string()),
            ("line", pa.int64()),
            ("timestamp", pa.string()),
            ("author", pa.string()),
            ("kind", pa.string()),
            ("text", pa.string()),
            ("lang", pa.string()),
            ("normalised", pa.string()),
            ("tokens", pa.list_(pa.string())),
            ("topic", pa.int64()),
            ("topic_weights", pa.list_(pa.float64())),
            ("themes", pa.list_(pa.string())),
            ("theme_scores", pa.list_(pa.float64())),
        ]
    )


def _describe_input(path: Path) -> dict[str, object]:
    try:
        data = path.read_bytes()
    except OSError:
        return {"path": str(path), "bytes": None, "sha256": None}
    return {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _summary(result: RunResult, themes: Sequence[dict[str, object]]) -> list[str]:
    corpus, applied = result.corpus, result.applied
    n = len(corpus.messages)
    authors = len({m.author for m in corpus.messages})
    ranked = sorted(themes, key=lambda r: -float(r["share"]))  # type: ignore[arg-type]
    top = ", ".join(f"{r['theme']} ({float(r['share']):.0%})" for r in ranked[:3] if r["messages"])  # type: ignore[arg-type]
    dates = sorted(m.timestamp for m in corpus.messages if m.timestamp)
    lines = [
        f"{n} messages from {authors} members"
        + (f", {dates[0][:10]} to {dates[-1][:10]}." if dates else "."),
        f"{int(applied.assigned.any(axis=1).sum())} messages carry at least one of the study's themes.",
    ]
    if top:
        lines.append(f"The most common themes: {top}.")
    emergent = sum(t is None for t in result.model.topic_themes)
    lines.append(f"{emergent} emergent topics: talk the codebook did not foresee (see below).")
    if result.ingested.errors:
        lines.append(
            f"{len(result.ingested.errors)} input file(s) could not be read (see the ledger)."
        )
    return lines
