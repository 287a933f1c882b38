import importlib
import re

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from pipeline.normalise.resources import indonesian_derived_words, indonesian_root_words
from pipeline.normalise.stemming import (
    LITERAL_WORD_RE,
    SASTRAWI_WORD_PATTERN_MODULES,
    rule_gate,
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
        for form in (
            f"di{root}kan",
            f"me{root}i",
            f"ber{root}an",
            f"{root}nya",
            f"ke{root}an",
            f"pe{root}an",
            f"ter{root}",
            f"mem{root}",
            f"peng{root}",
            f"se{root}nya",
            f"ber{root}",
            f"per{root}",
            f"te{root}",
        )
    ]
    words = [*derived, *made, "pelatihannya", "pengemasan", "dimintak", "terdetectnya"]
    # rules that match the word and still refuse it, so that the next rule decides
    words += ["berdaerah", "berserta", "terpercaya", "terrekam", "perserta", "peserta"]
    # what the normaliser stems: one word of a-z ("berlalu lintas" is not)
    return [word for word in words if word.isascii() and word.isalpha()]


def test_the_fast_stemmer_gives_sastrawis_own_stems(monkeypatch):
    fast_stemmer = sastrawi_stemmer()  # dispatched visitors, the literal-word `re`
    words = _words()
    fast = [fast_stemmer.stem_word(word) for word in words]
    for name in SASTRAWI_WORD_PATTERN_MODULES:
        module = importlib.import_module(name)
        assert module.re is LITERAL_WORD_RE
        monkeypatch.setattr(module, "re", re)
    plain = StemmerFactory().create_stemmer()
    assert [plain.stem(word) for word in words] == fast
    changed = sum(f != w for f, w in zip(fast, words, strict=True))
    assert len(words) > 2500 and changed > 1500, changed


def test_every_prefix_rule_of_sastrawi_is_gated():
    """If a PySastrawi release changed its rules' shape, the stems would stay right
    (its visitors would be asked one by one, as before) but the speed would go."""
    visitors = sastrawi_stemmer().visitor_provider.prefix_visitors
    assert [type(v).__name__ for v in visitors] == ["RemovePlainPrefix", "PrefixDispatch"]
    assert len(visitors[1]._visitors) == 40


def test_a_rule_of_another_shape_has_no_gate():
    class Gated:
        def disambiguate(self, word):
            """Rule 32 of Sastrawi's shape: a word, then a pattern."""
            if word == "pelajar":
                return "ajar"
            matches = re.match(r"^pe(l[aiueo])(.*)$", word)
            if matches:
                return matches.group(1) + matches.group(2)

    class ReturnsOutsideTheMatch:
        def disambiguate(self, word):
            matches = re.match(r"^ber([aiueo].*)$", word)
            if matches:
                return matches.group(1)
            return word[2:]

    class MatchesSomethingElse:
        def disambiguate(self, word):
            matches = re.match(r"^ber([aiueo].*)$", word[1:])
            if matches:
                return matches.group(1)

    class ChangesTheWord:
        def disambiguate(self, word):
            if word == "x":
                word = "berapa"
            matches = re.match(r"^ber([aiueo].*)$", word)
            if matches:
                return matches.group(1)

    assert rule_gate(Gated()) == r"(?:^pelajar$)|(?:^pe(l[aiueo])(.*)$)"
    assert rule_gate(ReturnsOutsideTheMatch()) is None
    assert rule_gate(MatchesSomethingElse()) is None
    assert rule_gate(ChangesTheWord()) is None


def test_the_literal_word_re_is_re_for_anything_but_a_plain_word():
    assert LITERAL_WORD_RE.sub("an", "", "makanan", count=1) == "makan"
    assert LITERAL_WORD_RE.sub("an", "", "makanan") == "mak"
    assert LITERAL_WORD_RE.sub(r"(an)$", "", "makanan", count=1) == "makan"
    assert LITERAL_WORD_RE.sub("a.", "", "makan") == "m"
    assert LITERAL_WORD_RE.sub("k", r"\\", "makan") == "ma\\an"
    assert LITERAL_WORD_RE.match(r"^me(.*)$", "mengambil").group(1) == "ngambil"
