"""Save and load models as plain files: JSON, TOML and .npz arrays. Loading never runs
code from the model directory (no pickle: arrays load with allow_pickle=False)."""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from pathlib import Path

import numpy as np

from pipeline.classify import SURFACE_CONFIG, ThemeClassifier
from pipeline.config import ConfigError, config_from_data
from pipeline.model import ThemeModel
from pipeline.outputs import write_folder
from pipeline.themes import Theme
from pipeline.topics import SeededNMF
from pipeline.vectorise import Vectoriser

# 2: the theme classifier (surface words and coefficients) joined the model.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"
CONFIG = "config.toml"
VOCABULARY = "vocabulary.json"
SURFACE_VOCABULARY = "surface_vocabulary.json"
ARRAYS = "arrays.npz"
THEMES = "themes.json"
# A fixed date inside the .npz (a zip) keeps the same model byte-identical.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


class ModelError(ValueError):
    """A model directory that cannot be loaded."""


def dumps_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(
                buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def save_model(model: ThemeModel, directory: Path, manifest: dict[str, object]) -> None:
    def fill(staging: Path) -> None:
        (staging / MANIFEST).write_text(
            dumps_json({"format_version": FORMAT_VERSION, **manifest}), encoding="utf-8"
        )
        (staging / CONFIG).write_text(model.config.to_toml(), encoding="utf-8")
        (staging / VOCABULARY).write_text(
            dumps_json(model.vectoriser.vocabulary_), encoding="utf-8"
        )
        (staging / THEMES).write_text(
            dumps_json(
                {
                    "themes": [vars(t) for t in model.themes],
                    "topic_themes": [
                        model.theme_ids[t] if t is not None else None for t in model.topic_themes
                    ],
                }
            ),
            encoding="utf-8",
        )
        arrays = {
            "idf": model.vectoriser.idf_,
            "components": model.topics.components_,
            "term_weights": model.term_weights,
            "centroids": model.centroids,
            "thresholds": model.thresholds,
        }
        if model.classifier is not None:
            classifier = model.classifier
            (staging / SURFACE_VOCABULARY).write_text(
                dumps_json(classifier.surface.vocabulary_), encoding="utf-8"
            )
            arrays |= {
                "surface_idf": classifier.surface.idf_,
                "classifier_coef": classifier.coef,
                "classifier_intercept": classifier.intercept,
            }
        write_npz(staging / ARRAYS, arrays)

    write_folder(directory, "model", fill)


MAKE_ONE = "make one with `guyub fit EXPORT... -o models/mine`"


def _refuse_what_is_no_model(directory: Path) -> None:
    """Say what a folder given as a model is, when it is something else."""
    if not directory.is_dir():
        what = "is a file" if directory.exists() else "does not exist"
        raise ModelError(f"{directory} {what}; a model is a folder: {MAKE_ONE}")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise ModelError(f"{directory} holds no Guyub model (no readable {MANIFEST}): {MAKE_ONE}")
    if "format_version" not in manifest:
        what = "a run's outputs (guyub run)" if "ledger" in manifest else "not a model"
        raise ModelError(f"{directory} is {what}, not a model: {MAKE_ONE}")


def load_model(directory: Path) -> ThemeModel:
    directory = Path(directory)
    _refuse_what_is_no_model(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        version = int(manifest.get("format_version", 0))
        if version != FORMAT_VERSION:
            newer = "newer" if version > FORMAT_VERSION else "older"
            raise ModelError(
                f"{directory}: model format {version} is {newer} than the one this Guyub "
                f"reads ({FORMAT_VERSION}); refit the model with `guyub fit`"
                + (" or upgrade Guyub" if version > FORMAT_VERSION else "")
            )
        config = config_from_data(
            tomllib.loads((directory / CONFIG).read_text(encoding="utf-8")), CONFIG
        )
        vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
        theme_data = json.loads((directory / THEMES).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS, allow_pickle=False) as arrays:
            idf, components = arrays["idf"], arrays["components"]
            term_weights = arrays["term_weights"]
            centroids, thresholds = arrays["centroids"], arrays["thresholds"]
            classifier = None
            if config.themes.scorer == "classifier":
                surface = Vectoriser.from_arrays(
                    SURFACE_CONFIG,
                    json.loads((directory / SURFACE_VOCABULARY).read_text(encoding="utf-8")),
                    arrays["surface_idf"],
                )
                classifier = ThemeClassifier(
                    surface, arrays["classifier_coef"], arrays["classifier_intercept"]
                )
    except FileNotFoundError as err:
        raise ModelError(
            f"{directory}: not a Guyub model ({Path(err.filename).name} missing)"
        ) from None
    except (ValueError, KeyError, OSError, tomllib.TOMLDecodeError, ConfigError) as err:
        if isinstance(err, ModelError):
            raise
        raise ModelError(f"{directory}: damaged model ({err})") from None
    themes = [Theme(**t) for t in theme_data["themes"]]
    ids = [t.id for t in themes]
    topic_themes = [ids.index(t) if t is not None else None for t in theme_data["topic_themes"]]
    features = len(vocabulary) + len(topic_themes)
    if classifier is not None:
        features += len(classifier.surface.vocabulary_)
    if (
        components.shape != (len(topic_themes), len(vocabulary))
        or term_weights.shape != components.shape
        or len(idf) != len(vocabulary)
        or (classifier is not None and classifier.coef.shape != (len(themes), features))
    ):
        raise ModelError(f"{directory}: damaged model (array shapes do not match the vocabulary)")
    topics = SeededNMF.from_config(config.topics)
    topics.components_, topics.n_themes_ = components, len(themes)
    vectoriser = Vectoriser.from_arrays(config.vectorise, vocabulary, idf)
    model = ThemeModel(
        config,
        themes,
        vectoriser,
        topics,
        topic_themes,
        thresholds,
        centroids,
        term_weights,
        classifier,
    )
    model.metrics = dict(manifest.get("metrics", {}))
    return model
