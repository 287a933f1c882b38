from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports
from pipeline.privacy import Privacy, pseudonym


def test_a_display_name_holding_a_phone_number_becomes_a_pseudonym():
    privacy = Privacy(PrivacyConfig(salt="s"))
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
