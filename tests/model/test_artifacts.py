import io
import json
import re

import numpy as np
import pytest

from pipeline import DEFAULT_MODEL_DIR
from pipeline.config import load_config
from pipeline.flow import fit_model
from pipeline.ingest import read_exports
from pipeline.model.artifacts import (
    ARRAYS,
    MANIFEST,
    ModelError,
    load_model,
    model_files,
    model_version,
    npz_bytes,
    save_model,
    version_of,
)
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus
from pipeline.provenance import fingerprint, model_manifest
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def fitted():
    config = load_config()
    normaliser = Normaliser(config.normalise)
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    corpus = build_corpus(messages, normaliser)
    return fit_model(corpus.tokens, config, normaliser), corpus, config


def test_saved_model_loads_and_reads_messages_the_same(tmp_path, fitted):
    model, corpus, _ = fitted
    save_model(
        model, tmp_path / "m", model_manifest(model, fingerprint([m.id for m in corpus.messages]))
    )
    loaded = load_model(tmp_path / "m")
    before, after = model.apply(corpus.normalised[:50]), loaded.apply(corpus.normalised[:50])
    np.testing.assert_allclose(after.scores, before.scores, rtol=1e-12)
    assert np.array_equal(after.assigned, before.assigned)
    assert loaded.topic_themes_ == model.topic_themes_


def test_saving_twice_gives_identical_files(tmp_path, fitted, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    model, corpus, _ = fitted
    for name in ("a", "b"):
        save_model(
            model,
            tmp_path / name,
            model_manifest(model, fingerprint([m.id for m in corpus.messages])),
        )
    for file in (tmp_path / "a").iterdir():
        assert file.read_bytes() == (tmp_path / "b" / file.name).read_bytes(), file.name


@pytest.mark.parametrize(("version", "word"), [(99, "newer"), (1, "older")])
def test_another_format_is_refused_with_what_to_do(tmp_path, fitted, version, word):
    model, corpus, _ = fitted
    save_model(
        model, tmp_path / "m", model_manifest(model, fingerprint([m.id for m in corpus.messages]))
    )
    manifest = json.loads((tmp_path / "m" / MANIFEST).read_text())
    manifest["format_version"] = version
    (tmp_path / "m" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=f"{word}.*guyub fit"):
        load_model(tmp_path / "m")


def test_a_topics_scored_model_saves_and_loads_without_a_classifier(tmp_path, fitted):
    _, corpus, _ = fitted
    config = load_config(overrides=["themes.scorer=topics", "topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    model = fit_model(corpus.tokens, config, normaliser)
    assert not hasattr(model.scorer_, "classifier_")
    save_model(
        model, tmp_path / "m", model_manifest(model, fingerprint([m.id for m in corpus.messages]))
    )
    loaded = load_model(tmp_path / "m")
    assert not hasattr(loaded.scorer_, "classifier_")
    assert not (tmp_path / "m" / "surface_vocabulary.json").exists()
    before, after = model.apply(corpus.normalised[:20]), loaded.apply(corpus.normalised[:20])
    np.testing.assert_allclose(after.scores, before.scores, rtol=1e-12)


def test_pickled_arrays_are_refused(tmp_path, fitted):
    model, corpus, _ = fitted
    save_model(
        model, tmp_path / "m", model_manifest(model, fingerprint([m.id for m in corpus.messages]))
    )
    # An object array can only be read by unpickling, which would run code: refused.
    np.savez(tmp_path / "m" / ARRAYS, idf=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelError, match="damaged"):
        load_model(tmp_path / "m")


def test_a_folder_that_is_no_model_says_what_it_is_and_how_to_make_one(tmp_path):
    with pytest.raises(ModelError, match=r"holds no Guyub model .* `guyub fit EXPORT"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="does not exist; a model is a folder"):
        load_model(tmp_path / "nothere")
    (tmp_path / "manifest.json").write_text('{"ledger": []}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"is a run's outputs \(guyub run\), not a model"):
        load_model(tmp_path)


def test_npz_bytes_are_stable(tmp_path):
    arrays = {"b": np.arange(3.0), "a": np.eye(2)}
    (tmp_path / "1.npz").write_bytes(npz_bytes(arrays))
    assert npz_bytes(arrays) == npz_bytes(dict(reversed(arrays.items())))
    with np.load(tmp_path / "1.npz", allow_pickle=False) as loaded:
        assert np.array_equal(loaded["a"], np.eye(2))


def test_shipped_model_is_what_the_documented_command_makes(tmp_path):
    """models/default is rebuilt by `guyub fit examples/whatsapp_umkm_banua.txt -o models/default`
    (README); refitting here must give the same vocabulary, theme map and arrays."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["fit", str(EXAMPLE), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    for name in ("vocabulary.json", "themes.json", "config.toml"):
        assert (tmp_path / "m" / name).read_text() == (DEFAULT_MODEL_DIR / name).read_text(), name
    with np.load(tmp_path / "m" / ARRAYS) as new, np.load(DEFAULT_MODEL_DIR / ARRAYS) as shipped:
        for key in shipped.files:
            np.testing.assert_allclose(new[key], shipped[key], rtol=1e-9, atol=1e-12, err_msg=key)
    # and it was fitted with the lexicons beside it, so applying it warns of nothing
    lexicons = [
        json.loads((d / MANIFEST).read_text())["lexicons"]
        for d in (tmp_path / "m", DEFAULT_MODEL_DIR)
    ]
    assert lexicons[0] == lexicons[1]


def _npz_with(path, **arrays):
    path.write_bytes(npz_bytes(arrays))


def _damage_arrays(model_dir, change):
    from pipeline.model.artifacts import read_npz

    arrays = read_npz(model_dir / ARRAYS)
    change(arrays)
    (model_dir / ARRAYS).unlink()
    _npz_with(model_dir / ARRAYS, **arrays)


def _huge_header(model_dir):
    import zipfile as zf

    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    with zf.ZipFile(model_dir / ARRAYS) as archive:
        kept = {i.filename: archive.read(i) for i in archive.infolist() if i.filename != "idf.npy"}
    with zf.ZipFile(model_dir / ARRAYS, "w") as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
        archive.writestr("idf.npy", buffer.getvalue() + b"\0" * 64)


DAMAGES = {
    "themes.json is {}": (lambda d: (d / "themes.json").write_text("{}"), "damaged model"),
    "themes.json is a list": (lambda d: (d / "themes.json").write_text("[]"), "damaged model"),
    "manifest.json is a list": (
        lambda d: (d / "manifest.json").write_text("[]"),
        "holds no Guyub model",
    ),
    "arrays.npz cut in half": (
        lambda d: (d / ARRAYS).write_bytes(
            (d / ARRAYS).read_bytes()[: (d / ARRAYS).stat().st_size // 2]
        ),
        "damaged model",
    ),
    "arrays.npz with a flipped byte": (
        lambda d: (d / ARRAYS).write_bytes(_flip((d / ARRAYS).read_bytes())),
        "damaged model",
    ),
    "an array header claiming 8 TB": (_huge_header, "claims a shape"),
    "components of the wrong shape": (
        lambda d: _damage_arrays(d, lambda a: a.update(components=np.ones((2, 2)))),
        "components has shape (2, 2)",
    ),
    "NaN in the components": (
        lambda d: _damage_arrays(d, lambda a: a["components"].__setitem__((0, 0), np.nan)),
        "components holds NaN",
    ),
    "vocabulary.json of numbers": (
        lambda d: (d / "vocabulary.json").write_text("[1, 2]"),
        "damaged model",
    ),
}


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_model_is_refused_with_a_sentence_and_nothing_written(tmp_path, damage):
    import shutil

    from typer.testing import CliRunner

    from pipeline.cli import app

    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    change, complaint = DAMAGES[damage]
    change(model)
    with pytest.raises(ModelError, match=re.escape(complaint)):
        load_model(model)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["apply", str(EXAMPLE), "--model", str(model), "-o", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()


def test_a_saved_model_has_the_version_of_the_model_in_memory(tmp_path):
    """A run names its model by the version the same model has once saved (batch's)."""
    model = load_model(DEFAULT_MODEL_DIR)
    save_model(model, tmp_path / "m", {})
    assert model_version(tmp_path / "m") == version_of(model_files(model))
    assert model_version(tmp_path / "m") == model_version(DEFAULT_MODEL_DIR)
