import json

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports
from pipeline.privacy import Privacy, pseudonym


def test_a_display_name_holding_a_phone_number_becomes_a_pseudonym(tmp_path):
    (tmp_path / "salt").write_text("s\n", encoding="utf-8")
    privacy = Privacy(PrivacyConfig(salt_file=str(tmp_path / "salt")))
    budi = privacy.author("Budi Kue 0812-3456-7890")
    toko = privacy.author("Toko Kue (WA 081234567890)")
    assert budi == pseudonym("Budi Kue 0812-3456-7890", "s")
    assert budi != toko  # two members stay two
    assert "3456" not in budi and "4567" not in toko


def test_names_without_a_phone_number_are_kept():
    privacy = Privacy(PrivacyConfig())
    for name in ["Siti Aminah", "Siti 0812", "Dewi \u2011 Kue Bingka", "Bu RT 05"]:
        assert privacy.author(name) == name


def test_no_phone_number_in_an_author_reaches_the_records(tmp_path):
    export = tmp_path / "WhatsApp Chat with UMKM.txt"
    export.write_text(
        "13/03/24 19.45 - Budi Kue 0812-3456-7890: halo semua\n"
        "13/03/24 19.46 - Siti: halo pak Budi\n",
        encoding="utf-8",
    )
    messages = read_exports([export], IngestConfig(), PrivacyConfig()).messages
    assert messages[0].author.startswith("member-") and messages[1].author == "Siti"


def test_the_salt_is_made_once_at_random_in_the_config_folder_and_reused(tmp_path, monkeypatch):
    from pipeline.privacy import salt_file

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    where = salt_file(PrivacyConfig())
    assert where == tmp_path / "home-config" / "guyub" / "salt"
    first = Privacy(PrivacyConfig())
    assert first.salt_made and len(first.salt) == 64
    assert where.stat().st_mode & 0o777 == 0o600  # the user's own
    again = Privacy(PrivacyConfig())
    assert not again.salt_made and again.salt == first.salt
    assert again.author("+62 812 3456 7890") == first.author("+62 812 3456 7890")


def test_the_salt_reaches_no_output_and_no_model(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.conftest import EXAMPLE

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    runner = CliRunner()
    ran = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    assert "made a random pseudonym salt in" in ran.output
    fitted = runner.invoke(app, ["fit", str(EXAMPLE), "-o", str(tmp_path / "model"), "--quiet"])
    assert fitted.exit_code == 0, fitted.output
    assert "made a random pseudonym salt" not in fitted.output  # made once
    salt = (tmp_path / "home-config" / "guyub" / "salt").read_text(encoding="utf-8").strip()
    # what the manifests keep instead: a fingerprint, the same for the same salt
    run_print = json.loads((tmp_path / "out" / "manifest.json").read_text())["salt_fingerprint"]
    assert len(run_print) == 12 and run_print not in salt
    # a model keeps nothing of the user's privacy settings, not even the fingerprint
    model_files = "".join(p.read_text() for p in (tmp_path / "model").glob("*.*[nl]"))
    assert "salt" not in model_files and "privacy" not in model_files
    for folder in ("out", "model"):
        for path in (tmp_path / folder).rglob("*"):
            if path.is_file():
                assert salt.encode() not in path.read_bytes(), path


def test_pseudonymise_replaces_members_names_inside_messages(tmp_path):
    export = tmp_path / "WhatsApp Chat with UMKM.txt"
    export.write_text(
        "13/03/24 19.45 - Pak Hendra Wijaya: Selamat pagi semua\n"
        "13/03/24 19.46 - Siti: Selamat datang pak Hendra, salam dari bu siti\n"
        "13/03/24 19.47 - Budi Santoso: ok\n"
        "13/03/24 19.48 - Budi Hartono: Budi siapa ya? Norma sosial kita\n",
        encoding="utf-8",
    )
    privacy = PrivacyConfig(pseudonymise_names=True)
    messages = read_exports([export], IngestConfig(), privacy).messages
    hendra, siti, _, hartono = (m.author for m in messages)
    assert all(a.startswith("member-") for a in (hendra, siti, hartono))
    # "pak" is a form of address, no part of the name; "siti" in any letter case
    assert messages[1].text == f"Selamat datang pak {hendra}, salam dari bu {siti}"
    # "Budi" is two members' first name: it cannot say which, so it becomes <name>
    assert messages[3].text == "<name> siapa ya? Norma sosial kita"


def test_numbers_and_addresses_in_names_become_pseudonyms_wherever_they_are(tmp_path):
    export = tmp_path / "WhatsApp Chat with Toko_081255127712.txt"
    export.write_text(
        "13/03/24 19.45 - Toko_081255127712: halo\n"
        "13/03/24 19.46 - Rudi WA6281255137713: siap\n"
        "13/03/24 19.47 - rina@contoh.id: ok, hp081255287728ya\n",
        encoding="utf-8",
    )
    messages = read_exports([export], IngestConfig(), PrivacyConfig()).messages
    assert all(m.author.startswith("member-") for m in messages)
    assert messages[0].chat.startswith("member-")  # the chat named by a number
    assert messages[2].text == "ok, hp<phone>ya"
    for message in messages:
        row = json.dumps(message.as_row())
        assert "5512" not in row and "5513" not in row and "5528" not in row
        assert "rina@" not in row
