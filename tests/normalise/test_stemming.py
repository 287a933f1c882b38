from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from pipeline.config import NormaliseConfig
from pipeline.normalise import Normaliser
from pipeline.normalise.resources import indonesian_derived_words, indonesian_root_words


def _words() -> list[str]:
    """Affixed words of every shape Sastrawi strips: spaCy's derived words, and roots
    with prefixes, suffixes, clitics and confixes put on them as chat writes them."""
    derived = sorted(indonesian_derived_words())[::40]
    roots = sorted(indonesian_root_words())[::150]
    made = [
        form
        for root in roots
        for form in (f"di{root}kan", f"me{root}i", f"ber{root}an", f"ke{root}an", f"pe{root}an")
    ]
    words = [*derived, *made, "pengemasan", "dimintak", "berdaerah", "terpercaya", "peserta"]
    return [word for word in words if word.isascii() and word.isalpha()]


def test_the_normaliser_stems_as_plain_sastrawi_does():
    """The normaliser's shortcuts (roots and words with no affix skip Sastrawi; stems
    cached per word) change no stem: every word it gives to Sastrawi, or keeps, is what
    plain Sastrawi makes of it."""
    normaliser = Normaliser(NormaliseConfig())
    plain = StemmerFactory().create_stemmer()
    words = _words()
    ours = [normaliser._stem(word) for word in words]
    assert ours == [plain.stem(word) or word for word in words]
    changed = sum(o != w for o, w in zip(ours, words, strict=True))
    assert len(words) > 1000 and changed > 500, changed
