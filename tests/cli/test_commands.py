"""End to end through the `guyub` command, as a user runs it."""

import csv
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import EXAMPLE, output_bytes

runner = CliRunner()
OUTPUTS = [
    ".guyub-output.json",  # the marker: what Guyub wrote here, so that only that is replaced
    "messages.parquet",
    "topics.csv",
    "themes.csv",
    "themes.md",
    "members.csv",
    "members.md",
    "themes.tex",
    "members.tex",
    "prevalence.csv",
    "report.html",
    "manifest.json",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_every_output(run_dir):
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(OUTPUTS)


def test_every_theme_row_has_quotes_traceable_to_the_export(run_dir):
    rows = list(csv.DictReader((run_dir / "themes.csv").open(encoding="utf-8")))
    assert [r["theme"] for r in rows][:2] == ["togetherness", "trust"]
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for row in rows:
        if int(row["messages"]) == 0:
            continue
        for quote in row["quotes"].splitlines():
            line = int(quote.rsplit(":", 1)[1].rstrip(")"))
            text = quote.split('" (')[0].lstrip('"')
            # the quote's first words stand on the cited line of the export
            assert text[:20] in lines[line - 1], (quote, lines[line - 1])


def test_phone_numbers_never_reach_an_output(run_dir):
    for name in ("themes.csv", "members.csv", "topics.csv", "report.html", "manifest.json"):
        content = (run_dir / name).read_text(encoding="utf-8")
        assert "4981" not in content, name
    table = pq.read_table(run_dir / "messages.parquet").to_pylist()
    assert not any("4981" in (row["author"] + row["text"]) for row in table)


def test_manifest_accounts_for_every_line(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (entry,) = manifest["ledger"]
    assert entry["lines"] == len(EXAMPLE.read_text(encoding="utf-8").splitlines())
    assert entry["lines_in_records"] + sum(entry["skips"].values()) == entry["lines"]
    assert manifest["counts"]["records"] == sum(entry["records"].values())


def test_parse_writes_records_with_the_contract_fields(tmp_path):
    out = tmp_path / "messages.jsonl"
    result = runner.invoke(app, ["parse", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert list(rows[0]) == [
        "id",
        "chat",
        "platform",
        "source",
        "line",
        "timestamp",
        "author",
        "kind",
        "code",
        "text",
    ]
    assert len(rows) == 329
    # the example's events and placeholders carry a code; members' words none
    codes = {(row["kind"], row["code"]) for row in rows}
    assert ("media", "media") in codes and ("system", "encrypted") in codes
    assert ("system", "created") in codes and ("system", "added") in codes
    assert {code for kind, code in codes if kind == "message"} == {""}
    assert "whatsapp-android" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_parse_other_formats(tmp_path, suffix):
    out = tmp_path / f"m{suffix}"
    assert runner.invoke(app, ["parse", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    assert out.stat().st_size > 0


def test_normalise_json():
    result = runner.invoke(app, ["normalise", "Gak ada info pelatihannya? wkwkwk", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data == {
        "text": "tidak ada info pelatihannya? wkwk",
        "tokens": ["info", "latih", "wkwk"],
        "lang": "id",
    }


def test_normalise_file_keeps_line_order(tmp_path):
    source = tmp_path / "lines.txt"
    source.write_text("harga 25rb\nwkwk\n", encoding="utf-8")
    result = runner.invoke(app, ["normalise", "-f", str(source), "--json"])
    assert [json.loads(x)["tokens"] for x in result.output.splitlines()] == [
        ["harga", "_price_"],
        ["wkwk"],
    ]


def test_evaluate_json_contract(tmp_path):
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {
                    "text": "Ada yang mau ikut pelatihan bimtek PIRT minggu depan?",
                    "themes": ["training", "legality"],
                },
                {"text": "wkwkwk lucu banget kalian", "themes": ["refreshing"]},
                {"text": "Open order amplang 25rb, bisa COD", "themes": ["promotion"]},
            ]
        )
        + "\n"
    )
    result = runner.invoke(app, ["evaluate", str(labelled), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"macro_f1", "micro_f1", "per_theme", "everyday_test", "confidence"}
    # each theme given, by band of confidence: how many, and the share right
    assert [band["from"] for band in data["confidence"]] == [0.0, 0.5, 0.8]
    assert sum(band["claims"] for band in data["confidence"]) >= 1
    # the shipped model's rate on its held-out everyday texts, which carry no theme
    assert set(data["everyday_test"]) == {"texts", "given_a_theme", "by_source", "by_theme"}
    assert 0.0 <= data["everyday_test"]["given_a_theme"] <= 0.10
    assert set(data["per_theme"]) == {"training", "legality", "refreshing", "promotion"}
    assert set(data["per_theme"]["training"]) == {"precision", "recall", "f1", "support"}
    assert 0.0 <= data["macro_f1"] <= 1.0


def test_bad_input_exits_2_naming_the_file_and_still_reports_the_rest(tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(bad), str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 2
    assert "broken.txt:1" in result.output
    assert "Traceback" not in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["messages_read"] == 309


def test_bad_config_exits_2():
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", "x", "--set", "topics.nope=1"])
    assert result.exit_code == 2
    assert "topics.nope" in result.output


def test_every_command_has_help_a_researcher_can_read():
    for command in ("parse", "normalise", "run", "fit", "apply", "evaluate", "report", "batch"):
        result = runner.invoke(app, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0 and "Usage" in result.output
        assert f"guyub {command} " in result.output.split("Usage")[1]  # an example
        for python_type in ("<list[", "<bool>", "<int", "<path>", "<str>", "<=x<="):
            assert python_type not in result.output, (command, python_type)


def test_apply_with_the_shipped_model(tmp_path):
    from pipeline import DEFAULT_MODEL_DIR

    out = tmp_path / "applied"
    result = runner.invoke(
        app, ["apply", str(EXAMPLE), "--model", str(DEFAULT_MODEL_DIR), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "themes.csv").exists()
    assert "lexicon files" not in result.output  # fitted with the lexicons shipped beside it


def test_apply_says_when_the_lexicons_changed_since_the_model_was_fitted(tmp_path):
    import shutil

    from pipeline import DEFAULT_MODEL_DIR

    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    manifest = json.loads((model / "manifest.json").read_text())
    assert "colloquial.tsv" in manifest["lexicons"]
    manifest["lexicons"]["colloquial.tsv"] = "0" * 16  # as if it had been edited since
    (model / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "applied"
    result = runner.invoke(app, ["apply", str(EXAMPLE), "--model", str(model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "the lexicon files colloquial.tsv differ" in " ".join(result.output.split())


def test_apply_reads_with_the_users_settings_and_scores_with_the_models(tmp_path):
    """A model holds no run-time settings: what `apply` is told about reading and
    privacy holds, while the model's own tables (here its topics) stay the model's."""
    from pipeline import DEFAULT_MODEL_DIR

    out = tmp_path / "applied"
    args = ["apply", str(EXAMPLE), "--model", str(DEFAULT_MODEL_DIR), "-o", str(out)]
    mine = ["--set", "privacy.pseudonymise_names=true", "--set", "topics.extra_topics=3"]
    result = runner.invoke(app, [*args, *mine, "--set", "engine.workers=1"])
    assert result.exit_code == 0, result.output
    assert "--set topics.extra_topics=3: the topics table is the model's own" in result.output
    authors = {row["author"] for row in pq.read_table(out / "messages.parquet").to_pylist()}
    assert authors and all(author.startswith("member-") for author in authors)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["privacy"]["pseudonymise_names"] is True
    assert manifest["config"]["engine"]["workers"] == 1
    assert manifest["config"]["topics"]["extra_topics"] == 10  # the model's, not --set's
    assert len(manifest["topics"]["themes"]) == 10 + len(manifest["themes"]["ids"])


def test_a_one_to_one_chat_named_by_a_phone_number_leaks_it_nowhere(tmp_path):
    # A one-to-one export is named after the contact, here a number not in the
    # phone's contacts; that member also writes it, with a second number beside it.
    from pipeline import DEFAULT_MODEL_DIR

    export = tmp_path / "WhatsApp Chat with +62 813-4981-2270.txt"
    export.write_text(
        "13/03/24 19.45 - +62 813-4981-2270: Bu, sudah transfer ya. WA 081349812270 0812 1111 2222\n"
        "13/03/24 19.46 - Toko Kue 0813 4981 2270: siap, terima kasih banyak bu\n"
        "13/03/24 19.47 - Siti: sama-sama, semoga laris\n",
        encoding="utf-8",
    )
    out = tmp_path / "applied"
    result = runner.invoke(
        app, ["apply", str(export), "--model", str(DEFAULT_MODEL_DIR), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for path in out.iterdir():
        if path.suffix != ".parquet":
            assert "4981" not in path.read_text(encoding="utf-8"), path.name
    for row in pq.read_table(out / "messages.parquet").to_pylist():
        assert not any(
            "4981" in value or "1111" in value for value in row.values() if isinstance(value, str)
        ), row


def test_report_rebuilds_the_same_tables_without_refitting(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    for name in (
        "themes.csv",
        "members.csv",
        "topics.csv",
        "themes.md",
        "themes.tex",
        "report.html",
    ):
        (copy / name).unlink()
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    for name in (
        "themes.csv",
        "members.csv",
        "topics.csv",
        "themes.md",
        "members.md",
        "themes.tex",
        "members.tex",
        "prevalence.csv",
        "report.html",
    ):
        assert (copy / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_report_names_the_themes_in_the_reports_language(run_dir, tmp_path):
    import shutil
    import tomllib

    from pipeline import CONFIG_DIR

    codebook = tomllib.loads((CONFIG_DIR / "codebook.toml").read_text(encoding="utf-8"))
    indonesian = [theme["name_id"] for theme in codebook["themes"].values()]
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    result = runner.invoke(app, ["report", str(copy), "--set", 'report.language="id"'])
    assert result.exit_code == 0, result.output
    themes = list(csv.DictReader((copy / "themes.csv").open(encoding="utf-8")))
    assert [row["name"] for row in themes] == indonesian
    header = (copy / "members.md").read_text(encoding="utf-8").splitlines()[4]
    assert header == "| Member | Messages | " + " | ".join(indonesian) + " |"
    assert "<th>Kebersamaan</th>" in (copy / "report.html").read_text(encoding="utf-8")


def test_report_rebuilds_a_run_written_before_messages_became_a_dataset_folder(run_dir, tmp_path):
    import json
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    table = pq.read_table(copy / "messages.parquet")
    shutil.rmtree(copy / "messages.parquet")
    pq.write_table(table, copy / "messages.parquet")  # one file, as runs before it wrote
    marker = json.loads((copy / ".guyub-output.json").read_text(encoding="utf-8"))
    marker["files"] = sorted(
        {"messages.parquet" if f.startswith("messages.parquet/") else f for f in marker["files"]}
    )
    (copy / ".guyub-output.json").write_text(json.dumps(marker), encoding="utf-8")
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    for name in ("themes.csv", "members.csv", "topics.csv", "report.html"):
        assert (copy / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_report_on_damaged_messages_says_so_and_keeps_the_old_report(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (part,) = (copy / "messages.parquet").iterdir()
    part.write_bytes(part.read_bytes()[:200])
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 2
    assert "damaged messages.parquet" in result.output and "Traceback" not in result.output
    assert (copy / "themes.csv").read_bytes() == (run_dir / "themes.csv").read_bytes()


def test_report_on_a_directory_that_is_not_a_run(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a Guyub run" in result.output


def test_markdown_tables_hold_the_csv_numbers(run_dir):
    themes = list(csv.DictReader((run_dir / "themes.csv").open(encoding="utf-8")))
    markdown = (run_dir / "themes.md").read_text(encoding="utf-8")
    for row in themes:
        assert (
            f"| {row['name']} | {row['messages']} | {float(row['share']):.1%} | {row['members']} |"
            in markdown
        )


def test_log_json_writes_one_event_per_line(tmp_path):
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(tmp_path / "o"), "--log-json"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    done = [e["stage"] for e in events if e["event"] == "stage_done"]
    assert done == ["ingest", "normalise", "fit", "apply", "report"]
    assert events[-1]["event"] == "done" and events[-1]["messages_read"] == 309
    assert result.stdout == ""


def test_quiet_prints_nothing(tmp_path):
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_seed_cross_validation_contract():
    result = runner.invoke(
        app, ["evaluate", "--seed-cv", "--folds", "3", "--json", "--set", "topics.stability_runs=1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["folds"] == 3 and data["seeds"] >= 600
    assert len(data["per_theme"]) == 10
    # every seed is scored once, so supports add up to the seed set's labels
    assert sum(m["support"] for m in data["per_theme"].values()) >= 600
    assert 0.3 < data["macro_f1"] <= 1.0


def test_seed_cross_validation_reads_the_corpus_in_parts_as_in_memory(
    tmp_path, monkeypatch, normaliser
):
    """The corpus is read into parts in a work folder of the current one (removed after);
    the folds' models, fitted on a sample of it with its terms counted over the parts,
    label the seeds as models fitted on the corpus held in memory do."""
    from pipeline.config import load_config
    from pipeline.engine.cluster import Engine
    from pipeline.ingest import read_exports
    from pipeline.model.fitted import ThemeModel
    from pipeline.model.study import load_everyday, load_study
    from pipeline.model.units import fitting_units
    from pipeline.model.validate import seed_cross_validation
    from pipeline.normalise.corpus import build_corpus

    monkeypatch.chdir(tmp_path)
    settings = ["--set", "topics.stability_runs=1", "--set", "topics.fit_sample=200"]
    result = runner.invoke(
        app,
        ["evaluate", "--seed-cv", "--folds", "3", "--json", "--corpus", str(EXAMPLE), *settings],
    )
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []
    config = load_config(None, ["topics.stability_runs=1", "topics.fit_sample=200"])
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    units = fitting_units(build_corpus(messages, normaliser), config.topics)
    assert len(units) > 200  # a sample is drawn
    themes, seeds = load_study(config.themes)
    with Engine(config.engine) as engine:
        expected = seed_cross_validation(
            ThemeModel(config.model_config(), themes),
            units,
            seeds,
            load_everyday(config.themes),
            normaliser,
            3,
            engine,
        )
    assert json.loads(result.output) == json.loads(json.dumps(expected))


def test_pseudonymise_replaces_every_name(tmp_path):
    out = tmp_path / "m.jsonl"
    result = runner.invoke(app, ["parse", str(EXAMPLE), "-o", str(out), "--pseudonymise"])
    assert result.exit_code == 0, result.output
    authors = {json.loads(line)["author"] for line in out.read_text().splitlines()}
    authors.discard("")  # group events have no author
    assert len(authors) == 13 and all(a.startswith("member-") for a in authors)


def test_keep_duplicates_flag(tmp_path):
    out = tmp_path / "m.jsonl"
    result = runner.invoke(
        app, ["parse", str(EXAMPLE), str(EXAMPLE), "-o", str(out), "--keep-duplicates"]
    )
    assert result.exit_code == 0
    assert len(out.read_text().splitlines()) == 2 * 329
    runner.invoke(app, ["parse", str(EXAMPLE), str(EXAMPLE), "-o", str(out)])
    assert len(out.read_text().splitlines()) == 329


def test_messages_parquet_holds_each_messages_own_tokens(run_dir):
    """Row by row, the tokens stored are what `guyub normalise` gives for that text."""
    from pipeline.config import load_config
    from pipeline.model.study import load_study
    from pipeline.normalise import Normaliser

    config = load_config()
    normaliser = Normaliser(config.normalise)
    theme_ids = {t.id for t in load_study(config.themes)[0]}
    rows = pq.read_table(run_dir / "messages.parquet").to_pylist()
    assert len(rows) > 100
    for row in rows:
        expected = normaliser(row["text"])
        assert (row["tokens"], row["normalised"], row["lang"]) == (
            expected.tokens,
            expected.text,
            expected.lang,
        )
        assert len(row["theme_scores"]) == len(theme_ids)
        assert set(row["themes"]) <= theme_ids


def test_one_process_writes_the_same_outputs_and_leaves_nothing_beside_them(run_dir, tmp_path):
    # run_dir was made with the default engine (parquet encoded on a thread)
    out = tmp_path / "one" / "out"
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--set", "engine.workers=1"])
    assert result.exit_code == 0, result.output
    assert output_bytes(out) == output_bytes(run_dir)  # the manifest holds times and config
    assert [p.name for p in out.parent.iterdir()] == ["out"]
    assert [p.name for p in run_dir.parent.iterdir()] == ["out"]


def test_parse_warns_of_header_like_lines_kept_in_a_message_naming_file_and_line(tmp_path):
    from tests.conftest import FIXTURES

    export = FIXTURES / "locales" / "WhatsApp Chat with Kept Lines.txt"
    result = runner.invoke(app, ["parse", str(export), "-o", str(tmp_path / "m.jsonl")])
    assert result.exit_code == 0, result.output
    assert f"warning: {export}:2: this line has a header's shape" in result.output
    assert f"warning: {export}:3: this line has the header shape of another layout" in result.output
    assert f"{export}:4" not in result.output  # line 4 starts a message


def test_normalise_prints_readable_text_and_the_terms_on_request():
    readable = runner.invoke(app, ["normalise", "gak ada info pelatihannya? wkwkwk"])
    assert readable.output.strip() == "tidak ada info pelatihannya? wkwk"  # gak: tidak
    terms = runner.invoke(app, ["normalise", "gak ada info pelatihannya? wkwkwk", "--tokens"])
    assert terms.output.strip() == "info latih wkwk"  # pelatihan: stem latih; ada/tidak: stopwords


def test_interviewer_turns_are_never_coded_nor_in_the_members_table(tmp_path):
    from pipeline import DEFAULT_MODEL_DIR
    from tests.conftest import FIXTURES

    out = tmp_path / "out"
    args = ["apply", str(FIXTURES / "interview.txt"), "--model", str(DEFAULT_MODEL_DIR)]
    result = runner.invoke(app, [*args, "-o", str(out), "--interviewer", "Peneliti", "--quiet"])
    assert result.exit_code == 0, result.output
    authors = set(pq.read_table(out / "messages.parquet").column("author").to_pylist())
    assert authors == {"Informan 2"}
    members = [
        row["author"] for row in csv.DictReader((out / "members.csv").open(encoding="utf-8"))
    ]
    assert members == ["Informan 2"]
    ledger = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["ledger"][0]
    assert ledger["records"] == {"interviewer": 2, "message": 2}


def test_a_small_corpus_is_said_to_be_small_and_shows_no_coherence(run_dir, tmp_path):
    # the example's 309 messages are below report.min_messages_for_topics (400,
    # measured by `python -m bench.small_data`)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["small_data"].startswith("Only 309 messages: below 400")
    assert manifest["topics"]["coherence"] == [None] * len(manifest["topics"]["themes"])
    rows = list(csv.DictReader((run_dir / "topics.csv").open(encoding="utf-8")))
    assert {row["coherence"] for row in rows} == {""}
    assert "Only 309 messages" in (run_dir / "report.html").read_text(encoding="utf-8")
    out = tmp_path / "o"
    enough = ["--set", "report.min_messages_for_topics=300", "--quiet"]
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out), *enough])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["small_data"] == ""
    assert all(isinstance(c, float) for c in manifest["topics"]["coherence"])


def test_no_placeholder_among_the_terms_the_tables_show(run_dir):
    """_price_ and its kind are the model's, not words to show a reader (the example's
    information-sharing topic weighs _price_ among its heaviest terms)."""
    for name, columns in (("themes.csv", ["top_terms"]), ("topics.csv", ["top_terms", "label"])):
        for row in csv.DictReader((run_dir / name).open(encoding="utf-8")):
            for column in columns:
                words = row[column].replace(" / ", ", ").replace(", ", " ").split()
                assert not [w for w in words if w.startswith("_") and w.endswith("_")], row
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert any("_price_" in terms for terms in manifest["topics"]["terms"])
