import importlib
import re

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from pipeline.normalise.resources import (
    LITERAL_WORD_RE,
    SASTRAWI_WORD_PATTERN_MODULES,
    indonesian_derived_words,
    indonesian_root_words,
    sastrawi_stemmer,
)


def _words() -> list[str]:
    """Affixed words of every shape Sastrawi strips: spaCy's derived words, and roots
    with prefixes, suffixes, clitics and confixes put on them as chat writes them."""
    derived = sorted(indonesian_derived_words())[::40]
    roots = sorted(indonesian_root_words())[::150]
    made = [
        form
        for root in roots
        for form in (f"di{root}kan", f"me{root}i", f"ber{root}an", f"{root}nya", f"ke{root}an")
    ]
    return [*derived, *made, "pelatihannya", "pengemasan", "dimintak", "terdetectnya"]


def test_the_literal_word_re_gives_sastrawi_its_own_stems(monkeypatch):
    sastrawi_stemmer()  # hands the modules the literal-word `re`
    words = _words()
    fast = [StemmerFactory().create_stemmer().stem(word) for word in words]
    for name in SASTRAWI_WORD_PATTERN_MODULES:
        module = importlib.import_module(name)
        assert module.re is LITERAL_WORD_RE
        monkeypatch.setattr(module, "re", re)
    plain = StemmerFactory().create_stemmer()
    assert [plain.stem(word) for word in words] == fast
    assert len(words) > 1500 and sum(f != w for f, w in zip(fast, words, strict=True)) > 1000


def test_the_literal_word_re_is_re_for_anything_but_a_plain_word():
    assert LITERAL_WORD_RE.sub("an", "", "makanan", count=1) == "makan"
    assert LITERAL_WORD_RE.sub("an", "", "makanan") == "mak"
    assert LITERAL_WORD_RE.sub(r"(an)$", "", "makanan", count=1) == "makan"
    assert LITERAL_WORD_RE.sub("a.", "", "makan") == "m"
    assert LITERAL_WORD_RE.sub("k", r"\\", "makan") == "ma\\an"
    assert LITERAL_WORD_RE.match(r"^me(.*)$", "mengambil").group(1) == "ngambil"
