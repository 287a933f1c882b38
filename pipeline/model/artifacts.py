"""Save and load models as plain files: JSON, TOML and .npz arrays. Loading never runs
code from the model directory (no pickle: arrays load with allow_pickle=False)."""

from __future__ import annotations

import hashlib
import io
import json
import math
import tomllib
import zipfile
import zlib
from pathlib import Path

import numpy as np

from pipeline.config import MODEL_TABLES, ConfigError, ModelConfig, config_from_data
from pipeline.model.confidence import GRID
from pipeline.model.fitted import ThemeModel
from pipeline.model.scorers import SCORERS
from pipeline.model.study import Theme
from pipeline.model.topics import SeededNMF
from pipeline.model.vectorise import Vectoriser
from pipeline.outputs import write_folder

# 2: the theme classifier (surface words and coefficients) joined the model.
# 4: config.toml holds only the model's own tables (normalise, vectorise, topics,
# themes); a format 3 model's other tables, and its normalise workers, are dropped.
FORMAT_VERSION = 4
READABLE_VERSIONS = (3, 4)
# Settings of the machine that format 3 kept in [normalise].
_FORMAT_3_ENGINE_KEYS = ("workers", "min_parallel", "prefetch")
MANIFEST = "manifest.json"
CONFIG = "config.toml"
VOCABULARY = "vocabulary.json"
SURFACE_VOCABULARY = "surface_vocabulary.json"
ARRAYS = "arrays.npz"
THEMES = "themes.json"
VERSIONED = (ARRAYS, THEMES, VOCABULARY)
# A fixed date inside the .npz (a zip) keeps the same model byte-identical.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


class ModelError(ValueError):
    """A model directory that cannot be loaded."""


def dumps_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as an .npz file (a zip of .npy files, in name order, at a fixed date),
    the same bytes for the same arrays."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(
                buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    return out.getvalue()


def model_files(model: ThemeModel) -> dict[str, bytes]:
    """What decides a fitted model's scores, as the files `save_model` writes."""
    files = {
        VOCABULARY: dumps_json(model.vectoriser_.vocabulary_).encode("utf-8"),
        THEMES: dumps_json(
            {
                "themes": [vars(t) for t in model.themes],
                "topic_themes": [
                    model.theme_ids[t] if t is not None else None for t in model.topic_themes_
                ],
            }
        ).encode("utf-8"),
        ARRAYS: npz_bytes(
            {
                "idf": model.vectoriser_.idf_,
                "components": model.topics_.components_,
                "term_weights": model.term_weights_,
                "centroids": model.centroids_,
                "thresholds": model.thresholds_,
                **confidence_arrays(model),
                **model.scorer_.arrays(),
            }
        ),
    }
    words = model.scorer_.words()
    if words is not None:
        files[SURFACE_VOCABULARY] = dumps_json(words).encode("utf-8")
    return files


def confidence_arrays(model: ThemeModel) -> dict[str, np.ndarray]:
    """The themes' claim precision curves, when the model measured them."""
    at, share = model.confidence_
    return {} if at is None else {"confidence_at": at, "confidence_share": share}


def version_of(files: dict[str, bytes]) -> str:
    """A model's identity: a hash of the files that decide its scores."""
    digest = hashlib.sha256()
    for name in VERSIONED:
        digest.update(files[name])
    return digest.hexdigest()[:12]


def model_version(model_dir: Path) -> str:
    """The identity of a saved model (`version_of` its files)."""
    return version_of({name: (Path(model_dir) / name).read_bytes() for name in VERSIONED})


def save_model(model: ThemeModel, directory: Path, manifest: dict[str, object]) -> None:
    def fill(staging: Path) -> None:
        (staging / MANIFEST).write_text(
            dumps_json({"format_version": FORMAT_VERSION, **manifest}), encoding="utf-8"
        )
        (staging / CONFIG).write_text(model.config.to_toml(), encoding="utf-8")
        for name, data in model_files(model).items():
            (staging / name).write_bytes(data)

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
    """The model in `directory`, every file checked: a damaged or foreign model is a
    ModelError naming what is wrong, never a traceback or a model that scores NaN."""
    directory = Path(directory)
    _refuse_what_is_no_model(directory)
    try:
        return _load_checked(directory)
    except ModelError:
        raise
    except FileNotFoundError as err:
        raise ModelError(
            f"{directory}: not a Guyub model ({Path(err.filename).name} missing)"
        ) from None
    except (*DAMAGE, tomllib.TOMLDecodeError, ConfigError) as err:
        raise ModelError(f"{directory}: damaged model ({err})") from None


# What reading a damaged file can raise: bad JSON or zip, wrong types and shapes.
DAMAGE = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zipfile.BadZipFile,
    zlib.error,
    MemoryError,
)


def _load_checked(directory: Path) -> ThemeModel:
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    version = int(manifest.get("format_version", 0))
    if version not in READABLE_VERSIONS:
        newer = "newer" if version > FORMAT_VERSION else "older"
        raise ModelError(
            f"{directory}: model format {version} is {newer} than the one this Guyub "
            f"reads ({FORMAT_VERSION}); refit the model with `guyub fit`"
            + (" or upgrade Guyub" if version > FORMAT_VERSION else "")
        )
    tables = tomllib.loads((directory / CONFIG).read_text(encoding="utf-8"))
    if version == 3:
        tables = {name: tables[name] for name in MODEL_TABLES if name in tables}
        for key in _FORMAT_3_ENGINE_KEYS:
            tables.get("normalise", {}).pop(key, None)
    config = config_from_data(tables, CONFIG, ModelConfig)
    scorer = SCORERS[config.themes.scorer]
    vocabulary = _json_list(directory / VOCABULARY, str)
    theme_data = json.loads((directory / THEMES).read_text(encoding="utf-8"))
    if not isinstance(theme_data, dict):
        raise ValueError(f"{THEMES} is not an object")
    themes = [Theme(**t) for t in theme_data["themes"]]
    ids = [t.id for t in themes]
    topic_themes = [ids.index(t) if t is not None else None for t in theme_data["topic_themes"]]
    arrays = read_npz(directory / ARRAYS)
    words = _json_list(directory / SURFACE_VOCABULARY, str) if scorer.has_words else None
    n_topics, n_terms, n_themes = len(topic_themes), len(vocabulary), len(themes)
    expected = {
        "idf": (n_terms,),
        "components": (n_topics, n_terms),
        "term_weights": (n_topics, n_terms),
        "centroids": (n_themes, n_terms),
        "thresholds": (n_themes,),
    }
    expected |= scorer.shapes(n_terms, n_topics, n_themes, len(words or ()))
    # models fitted before confidence was measured lack its curves
    if "confidence_at" in arrays:
        expected |= {"confidence_at": (n_themes, GRID), "confidence_share": (n_themes, GRID)}
    for name, shape in expected.items():
        array = arrays[name]
        if array.shape != shape:
            raise ModelError(
                f"{directory}: damaged model ({ARRAYS}: {name} has shape {array.shape}, "
                f"the vocabulary and themes need {shape})"
            )
        if not np.isfinite(array).all():
            raise ModelError(f"{directory}: damaged model ({ARRAYS}: {name} holds NaN or infinity)")
    model = ThemeModel(config, themes)
    model.topics_ = SeededNMF.from_config(config.topics)
    model.topics_.components_, model.topics_.n_themes_ = arrays["components"], n_themes
    model.vectoriser_ = Vectoriser.from_arrays(config.vectorise, vocabulary, arrays["idf"])
    model.topic_themes_ = topic_themes
    model.scorer_ = scorer.restore(config.themes, arrays, words, topic_themes, n_themes)
    model.thresholds_ = arrays["thresholds"]
    if "confidence_at" in arrays:
        model.confidence_ = (arrays["confidence_at"], arrays["confidence_share"])
    model.centroids_ = arrays["centroids"]
    model.term_weights_ = arrays["term_weights"]
    metrics = manifest.get("metrics", {})
    model.metrics_ = dict(metrics) if isinstance(metrics, dict) else {}
    # the lexicon files the model was fitted with (models before format 4: unknown)
    lexicons = manifest.get("lexicons", {})
    model.lexicons_ = dict(lexicons) if isinstance(lexicons, dict) else {}
    return model


def _json_list(path: Path, kind: type) -> list:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(item, kind) for item in data):
        raise ValueError(f"{path.name} is not a list of {kind.__name__}")
    return data


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each checked before it is read: a numeric dtype (never an
    object array, which only unpickling could read) and a shape its stored bytes can
    hold, so that a header claiming a huge shape allocates nothing."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            name = entry.filename.removesuffix(".npy")
            with archive.open(entry) as handle:
                version = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(handle)
                if dtype.hasobject or dtype.kind not in "biuf":
                    raise ValueError(f"{name} is not a numeric array ({dtype})")
                if math.prod(shape) * dtype.itemsize > entry.file_size:
                    raise ValueError(
                        f"{name} claims a shape {shape} its {entry.file_size} bytes cannot hold"
                    )
            with archive.open(entry) as handle:
                arrays[name] = np.lib.format.read_array(handle, allow_pickle=False)
    return arrays
