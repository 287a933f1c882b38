import json
import zipfile

import numpy as np
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model.study import load_reviewed
from pipeline.qda.review import choose
from tests.conftest import EXAMPLE
from tests.qda.test_export import SPECS

runner = CliRunner()


def test_the_least_sure_theme_by_theme_then_a_random_quarter():
    scores = np.array([[0.5, 0.1], [0.9, 0.35], [0.45, 0.9], [0.1, 0.31], [0.7, 0.0]])
    # doubt, as a share of the threshold: a: 0, .8, .1, .8, .4; b: .67, .17, 2, .03, 1
    chosen = choose(scores, [0.5, 0.3], ["a", "b"], n=4, seed=0)
    why = dict(zip(chosen.rows, chosen.why, strict=True))
    assert {row: why[row] for row in (0, 2, 3)} == {0: "a", 3: "b", 2: "a"}
    assert len(why) == 4 and list(why.values()).count("random") == 1
    assert ({1, 4} & set(why)) and chosen == choose(scores, [0.5, 0.3], ["a", "b"], 4, 0)


def test_guyub_review_writes_a_valid_project_of_n_messages(run_dir, tmp_path):
    review = tmp_path / "review.qdpx"
    result = runner.invoke(app, ["review", str(run_dir), "-n", "40", "-o", str(review)])
    assert result.exit_code == 0, result.output
    assert "30 Guyub is least sure of and 10 drawn at random" in result.output
    with zipfile.ZipFile(review) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        (text,) = [archive.read(n) for n in archive.namelist() if n.startswith("sources/")]
    assert len(text.decode("utf-8").splitlines()) == 40
    if SPECS.exists():
        import xmlschema

        xmlschema.XMLSchema(SPECS / "Project-mrt2019.xsd").validate(qde)
    # coded as it is, imported and added: the next fit has 40 more seeds
    coded = tmp_path / "coded.jsonl"
    assert runner.invoke(app, ["import-codes", str(review), "-o", str(coded)]).exit_code == 0
    model = tmp_path / "model"
    result = runner.invoke(
        app,
        [
            "fit",
            str(EXAMPLE),
            "-o",
            str(model),
            "--seeds",
            str(coded),
            "--quiet",
            "--set",
            "topics.stability_runs=1",
        ],
    )
    assert result.exit_code == 0, result.output
    base = runner.invoke(
        app,
        [
            "fit",
            str(EXAMPLE),
            "-o",
            str(tmp_path / "base"),
            "--quiet",
            "--set",
            "topics.stability_runs=1",
        ],
    )
    assert base.exit_code == 0, base.output
    seeds = json.loads((model / "manifest.json").read_text())["metrics"]["seed_messages"]
    before = json.loads((tmp_path / "base" / "manifest.json").read_text())["metrics"]
    assert seeds == before["seed_messages"] + 40


def test_a_message_several_people_coded_carries_the_themes_half_of_them_gave(tmp_path):
    coded = tmp_path / "coded.jsonl"
    rows = [
        {"id": "m1", "coder": "ani", "themes": ["trust", "training"], "text": "a"},
        {"id": "m1", "coder": "budi", "themes": ["trust"], "text": "a"},
        {"id": "m1", "coder": "citra", "themes": [], "text": "a"},
        {"id": "m2", "coder": "ani", "themes": ["legality"], "text": "b"},
        {"id": "m2", "coder": "budi", "themes": [], "text": "b"},
    ]
    coded.write_text("".join(json.dumps(r) + "\n" for r in rows))
    seeds = load_reviewed(coded, ["trust", "training", "legality"])
    assert [(s.text, s.themes, s.split) for s in seeds] == [
        ("a", ("trust",), "train"),  # 2 of 3 gave trust, 1 of 3 training
        ("b", ("legality",), "train"),  # 1 of 2: half
    ]
