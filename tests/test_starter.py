import json

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_config
from pipeline.model.study import (
    FEW_SEEDS,
    few_seeds,
    load_codebook,
    load_study,
    read_codebook_file,
)
from tests.conftest import EXAMPLE

runner = CliRunner()


def test_init_writes_a_project_that_runs_and_says_its_themes_have_few_seeds(tmp_path):
    project = tmp_path / "mystudy"
    result = runner.invoke(app, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in project.iterdir()) == [
        "README.md",
        "codebook.toml",
        "config.toml",
        "seeds.jsonl",
    ]
    seeds = [json.loads(line) for line in (project / "seeds.jsonl").read_text().splitlines()]
    assert len(seeds) == 30  # three of the study's train seeds a theme
    # the config names the project's own files, found beside it
    config = load_config(project / "config.toml")
    assert config.themes.seed_set == str((project / "seeds.jsonl").resolve())
    themes, loaded = load_study(config.themes)
    assert len(loaded) == 30 and len(themes) == 10
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "run",
            str(EXAMPLE),
            "-o",
            str(out),
            "--config",
            str(project / "config.toml"),
            "--set",
            "topics.stability_runs=1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "few seed messages for togetherness (3)" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["themes_with_few_seeds"]["trust"] == 3


def test_init_never_writes_into_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "not a new or empty folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_studys_seed_set_has_enough_seeds_for_every_theme(config):
    themes, seeds = load_study(config.themes)
    assert few_seeds(themes, seeds) == {}
    assert few_seeds(themes, [s for s in seeds if "trust" not in s.themes]) == {"trust": 0}
    assert FEW_SEEDS == 40


QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24">
 <Codes>
  <Code guid="00000000-0000-4000-8000-000000000001" name="Tema" isCodable="false">
   <Code guid="00000000-0000-4000-8000-000000000002" name="Harga" isCodable="true">
    <Description>Talk of prices.</Description>
    <Code guid="00000000-0000-4000-8000-000000000003" name="Harga bahan" isCodable="true"/>
   </Code>
   <Code guid="00000000-0000-4000-8000-000000000004" name="Pelatihan" isCodable="true"/>
  </Code>
  <Code guid="00000000-0000-4000-8000-000000000005" name="Lain-lain" isCodable="true"/>
 </Codes>
</CodeBook>
"""


def test_a_codebook_from_a_qda_tool_its_nested_codes_rolled_up(tmp_path):
    """Codes in a top-level folder are themes, as are codable top-level codes; a seed
    labelled with a code nested in a theme counts as that theme."""
    qdc = tmp_path / "codebook.qdc"
    qdc.write_text(QDC, encoding="utf-8")
    themes = load_codebook(qdc)
    assert [(t.id, t.name_en, t.definition) for t in themes] == [
        ("harga", "Harga", "Talk of prices."),
        ("pelatihan", "Pelatihan", "Pelatihan"),
        ("lain_lain", "Lain-lain", "Lain-lain"),
    ]
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"text": "harga tepung naik lagi", "themes": ["harga_bahan"]}\n')
    config = load_config(
        None,
        [f"themes.codebook={json.dumps(str(qdc))}", f"themes.seed_set={json.dumps(str(seeds))}"],
    )
    _, loaded = load_study(config.themes)
    assert [s.themes for s in loaded] == [("harga",)]
    # and a project started from it keeps the roll-up in its TOML codebook
    project = tmp_path / "project"
    result = runner.invoke(app, ["init", str(project), "--codebook", str(qdc)])
    assert result.exit_code == 0, result.output
    assert read_codebook_file(project / "codebook.toml") == (themes, {"harga_bahan": "harga"})
    assert (project / "seeds.jsonl").read_text() == ""


def test_a_codebook_guyub_exported_comes_back_as_the_same_themes(tmp_path, config):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--quiet"]).exit_code == 0
    qdc = tmp_path / "codebook.qdc"
    assert runner.invoke(app, ["export", str(out), "-o", str(qdc)]).exit_code == 0
    themes, _ = load_study(config.themes)
    assert load_codebook(qdc) == themes  # ids, names and definitions; no emergent topic


def test_a_codebook_without_seeds_of_its_own_says_how_to_start(tmp_path):
    qdc = tmp_path / "codebook.qdc"
    qdc.write_text(QDC, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--codebook", str(qdc)])
    assert result.exit_code == 2, result.output
    assert "seed_set.jsonl:1: theme(s) ['togetherness'] are not in the codebook" in result.output
    assert "guyub init DIR --codebook FILE" in result.output and "Traceback" not in result.output
