"""The phrase table (pipeline/ingest/phrases.tsv): its shape, its coverage, and that the
readers take their rules from it and nowhere else."""

from importlib.resources import files

import pytest

from pipeline.ingest import phrases as phrase_module
from pipeline.ingest.common import Document
from pipeline.ingest.phrases import PhraseTableError, phrasebook, phrases, read_table
from pipeline.ingest.whatsapp import parse_whatsapp

# The languages of WhatsApp's largest user bases that the issue asked for.
LANGUAGES = ("id", "en", "ms", "es", "pt", "de", "fr", "it", "nl", "tr", "ru", "ar", "hi")
TABLE = files("pipeline.ingest").joinpath("phrases.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_events_placeholders_and_deletions(language):
    kinds = {p.kind for p in phrases() if p.app == "whatsapp" and p.language == language}
    assert {"notice", "event", "media", "deleted", "edited"} <= kinds


def test_every_row_says_where_its_wording_comes_from():
    rows, sources = read_table(TABLE)
    assert rows and all(row.source in sources for row in rows)
    assert all(where.strip() for where in sources.values())


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ("whatsapp\ten\tmedia\timage\t<x>", "columns"),
        ("whatsapp\ten\tsticker\timage\t<x>\tui", "unknown app or kind"),
        ("whatsapp\ten\tevent\tleft\t{who} left\tui", "unknown slot"),
        ("whatsapp\ten\tevent\tleft\t{name} left\tnowhere", "not listed"),
        ("whatsapp\ten\tevent\t-\t{name} left\tui", "need a code"),
        ("whatsapp\ten\tam\tmorning\tAM\tui", "need a code"),
    ],
)
def test_a_malformed_row_is_refused_with_its_line(row, complaint):
    with pytest.raises(PhraseTableError, match=complaint) as raised:
        read_table(TABLE + row + "\n")
    assert f"phrases.tsv:{len(TABLE.splitlines()) + 1}:" in str(raised.value)


def _export(text: str) -> Document:
    return Document("g.txt", "g", "g.txt", text.encode())


def test_a_row_added_to_the_table_changes_what_the_reader_does(monkeypatch):
    export = _export(
        "13/01/24 08.05 - Budi: <Gambar dilewati>\n"
        "13/01/24 08.06 - Budi hat die Gruppe umbenannt\n"
        "13/01/24 08.07 - Budi: Budi hat die Gruppe umbenannt\n"
    )
    before = list(parse_whatsapp(export).messages)
    assert [m.kind for m in before] == ["message", "system", "message"]
    added = (
        "whatsapp\txx\tmedia\timage\t<Gambar dilewati>\tui\n"
        "whatsapp\txx\tevent\tsubject\t{name} hat die Gruppe umbenannt\tui\n"
    )
    rows = tuple(read_table(TABLE + added)[0])
    monkeypatch.setattr(phrase_module, "phrases", lambda: rows)
    phrasebook.cache_clear()
    try:
        after = list(parse_whatsapp(export).messages)
    finally:
        phrasebook.cache_clear()
    # the placeholder is media now; the event "written" by its actor is an event
    assert [(m.kind, m.author) for m in after] == [
        ("media", "Budi"),
        ("system", ""),
        ("system", ""),
    ]
