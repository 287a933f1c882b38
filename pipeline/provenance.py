"""Where an output came from: versions, the time it was made, hashes of its inputs and
settings, written into the manifests of models and runs."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pipeline import __version__
from pipeline.config import resolve_data_path
from pipeline.privacy import mask_path, salt_fingerprint

# The libraries whose versions can change a model's numbers.
NUMERIC_PACKAGES = ("numpy", "scipy", "scikit-learn", "spacy", "PySastrawi", "pyarrow")


def created() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds' convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat()


def package_versions() -> dict[str, str]:
    found = {}
    for name in NUMERIC_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def fingerprint(message_ids: Iterable[str], *, in_order: bool = False) -> str:
    """A short hash of a set of messages, by their ids (in any order; `in_order`: they
    come sorted already, as a query over many parts can give them)."""
    digest = hashlib.sha256()
    for message_id in message_ids if in_order else sorted(message_ids):
        digest.update(message_id.encode())
    return digest.hexdigest()[:16]


def folder_fingerprints(folder: Path) -> dict[str, str]:
    """Each file of a folder by name, with a short hash of its bytes."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def describe_input(path: Path) -> dict[str, object]:
    try:
        data = path.read_bytes()
    except OSError:
        return {"path": mask_path(str(path)), "bytes": None, "sha256": None}
    return {
        "path": mask_path(str(path)),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def stamp() -> dict[str, object]:
    """What every manifest starts with: the Guyub and library versions, and when."""
    return {
        "guyub_version": __version__,
        "created": created(),
        "package_versions": package_versions(),
    }


def model_manifest(model, input_fingerprint: str) -> dict[str, object]:
    """manifest.json of a model: what it was fitted on and with (the lexicons the
    normaliser read; the libraries' versions; the `fingerprint` of the messages) and how
    well it did; nothing of the machine or of the user's privacy."""
    return {
        **stamp(),
        "lexicons": folder_fingerprints(resolve_data_path(model.config.normalise.lexicon_dir)),
        "config_hash": model.config.digest(),
        "input_fingerprint": input_fingerprint,
        "metrics": model.metrics_,
    }


def run_manifest(
    data,
    config,
    inputs: Sequence[Path],
    counts: dict,
    metrics: dict,
    timings: dict,
    model,
):
    """manifest.json of a run: inputs, ledger, counts, topics, config and timings; the
    version of its model (as `guyub batch` names a saved one) and the score each theme
    needs (what `guyub review` measures a message's doubt by)."""
    from pipeline.model.artifacts import model_files, version_of

    return {
        **stamp(),
        "model_version": version_of(model_files(model)),
        "thresholds": {
            theme: round(float(value), 6)
            for theme, value in zip(model.theme_ids, model.thresholds_, strict=True)
        },
        "inputs": [describe_input(p) for p in inputs],
        "ledger": data.ledger,
        "counts": counts,
        "themes": {
            "ids": data.theme_ids,
            "names": data.theme_names,
            "names_id": data.theme_names_id,
        },
        "topics": {
            "terms": data.topic_terms,
            "themes": data.topic_themes,
            "coherence": data.coherence,
        },
        "config": config.as_dict(),
        "config_hash": config.digest(),
        "salt_fingerprint": salt_fingerprint(config.privacy),
        "model": metrics,
        # a list, not an object: the manifest's keys are sorted, these keep their order
        "report_facts": [[fact, value] for fact, value in data.model_facts.items()],
        "small_data": data.small_data,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
