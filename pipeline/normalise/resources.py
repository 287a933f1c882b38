"""Language data and regexes of the normaliser, loaded once per process.

Lexicons are data (configs/lexicon/, spaCy's language data, Sastrawi's root words,
spacy-lookups-data's English lemmas); this module only reads them.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Placeholders for masked items; underscores keep them whole through tokenisation and
# keep them apart from any real word.
PLACEHOLDERS = {
    "url": "_url_",
    "email": "_email_",
    "phone": "_phone_",
    "mention": "_mention_",
    "price": "_price_",
    "number": "_number_",
}
# Markers the privacy step writes into message texts at ingest.
PRIVACY_MARKS_RE = re.compile(r"<(phone|email)>")

MENTION_RE = re.compile(r"(?<![\w@])@[\w.\u2011-]+")
# Patterns that start at a digit are written to begin with \d and look back for the word
# boundary, (?<!\w\d), rather than begin with \b: the regex engine then skips straight to
# the next digit instead of trying every position, which halves their cost.
# Rp 25.000, rp25k, Rp. 1,5 jt
RUPIAH_RE = re.compile(r"\brp\.?\s?\d[\d.,]*(?:\s?(?:rb|ribu|k|jt|juta))?\b", re.IGNORECASE)
# 25rb, 25 rb, 5jt, 5 juta, 1,5jt, 10 ribu
_AMOUNT_REST = r"(?<!\w\d)\d*(?:[.,]\d+)?\s?(?i:rb|ribu|rbu|k|jt|juta|jeti|m|milyar|miliar)\b"
AMOUNT_RE = re.compile(r"\d" + _AMOUNT_REST)
DIGIT_RE = re.compile(r"\d")
MASK_HINT_RE = re.compile(r"[\d@<]")
# The same over ASCII text, where \d is [0-9]: a class of plain characters is searched
# for with a bitmap, a Unicode category a character at a time (1.3 vs 0.5 us a message).
ASCII_DIGIT_RE = re.compile(r"[0-9]")
ASCII_MASK_HINT_RE = re.compile(r"[0-9@<]")
_NUMBER_REST = r"(?<!\w\d)\d*(?:[.,:/]\d+)*(?:x|an|nya)?\b"
NUMBER_RE = re.compile(r"\d" + _NUMBER_REST)
# The same two for ASCII text (most messages), where \d is [0-9]: the engine skips to a
# pattern's first [0-9] by a bitmap, to its first \d by asking each character's
# Unicode category (the 1M bench's texts with a digit: 0.33 -> 0.24 s each).
ASCII_AMOUNT_RE = re.compile("[0-9]" + _AMOUNT_REST)
ASCII_NUMBER_RE = re.compile("[0-9]" + _NUMBER_REST)

# Laughter in its many spellings -> one token, the "refreshing" theme's strongest sign.
LAUGHTER_RE = re.compile(
    r"\b(?:a?w?k(?:wk)+w?k?|(?:wk){2,}|(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}h?|(?:hu){3,}"
    r"|a?wok(?:wok)+|(?:xi){2,}|(?:ck){2,}|lol|lmao|wkwkland)\b",
    re.IGNORECASE,
)
LAUGHTER = "wkwk"
# Placeholders other tools and data sets already wrote (xxxnumberxxx, xxxuserxxx):
# kept whole, never squeezed as if "xxx" were an elongation.
FOREIGN_PLACEHOLDER_RE = re.compile(r"^x{3}[a-z]+x{3}$")
# "harga nya" -> "harganya": the clitic written apart from its word, found by a search
# for the literal " nya" (4x faster than trying every space) and checked for two
# letters before it.
CLITIC_RE = re.compile(r" nya\b(?<=[^\W\d_]{2} nya)")

# An apostrophe inside a word, unless it starts an English contraction ('s, 't, 're,
# 've, 'll, 'd, 'm): Arabic loans write one where Indonesian spelling has none (jum'at,
# do'a, qur'an, wa'alaikumsalam), and the tokeniser would cut the word in two there.
INNER_APOSTROPHE_RE = re.compile(r"(?<=[^\W\d_])['\u2019](?!(?:s|t|re|ve|ll|d|m)\b)(?=[^\W\d_])")

# teman2 -> teman, kemasan2nya -> kemasannya, teman-teman -> teman, teman-temannya -> temannya
REDUPLICATION_DIGIT_RE = re.compile(r"\b([^\W\d_]{2,})2(nya|ku|mu)?\b")
REDUPLICATION_HYPHEN_RE = re.compile(r"\b([^\W\d_]{2,})-\1(nya|ku|mu)?\b")
# Three or more of one letter are never Indonesian or English spelling.
ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}")

# Emoji and pictographs stay whole tokens: a 🙏 or 😂 says something in a group chat.
EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff"
EMOJI_RE = re.compile(f"[{EMOJI}]")
TOKEN_RE = re.compile(rf"_[a-z]+_|[^\W_]+(?:-[^\W_]+)*|[{EMOJI}]")
TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")  # split() keeps the tokens
WORD_CHARS_RE = re.compile(r"^[^\W\d_]+$")


def has_digit(text: str) -> bool:
    return _found(ASCII_DIGIT_RE, DIGIT_RE, text)


def may_hold_mask_hint(text: str) -> bool:
    """A digit, an @ or a < (the start of an ingest privacy mark)."""
    return _found(ASCII_MASK_HINT_RE, MASK_HINT_RE, text)


def _found(ascii_pattern: re.Pattern[str], pattern: re.Pattern[str], text: str) -> bool:
    """pattern.search(text), by the fast ASCII pattern wherever the two agree."""
    if ascii_pattern.search(text):
        return True
    return not text.isascii() and pattern.search(text) is not None


def read_word_list(path: Path) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return frozenset(words)


def read_mapping(path: Path) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        mapping[key.strip().lower()] = value.strip().lower()
    return mapping


@dataclass(frozen=True)
class Lexicons:
    """Everything the token steps look up, from configs/lexicon/."""

    informal: dict[str, str]
    fillers: frozenset[str]
    keep: frozenset[str]
    protected: frozenset[str]
    stem_exceptions: dict[str, str]
    english_concepts: dict[str, str]

    @classmethod
    def load(cls, directory: Path) -> Lexicons:
        # Later files win: our own chat lexicon and Banjarese over IndoCollex.
        informal = read_mapping(directory / "indocollex.tsv")
        informal.update(read_mapping(directory / "colloquial.tsv"))
        informal.update(read_mapping(directory / "banjarese.tsv"))
        return cls(
            informal=informal,
            fillers=read_word_list(directory / "fillers.txt"),
            keep=read_word_list(directory / "keep_words.txt"),
            protected=read_word_list(directory / "protected.txt"),
            stem_exceptions=read_mapping(directory / "stem_exceptions.tsv"),
            english_concepts=read_mapping(directory / "english_concepts.tsv"),
        )


@cache
def load_lexicons(directory: str) -> Lexicons:
    return Lexicons.load(Path(directory))


def _read_lookup(path: Path) -> dict[str, str]:
    # spacy-lookups-data names its tables .json but ships them gzipped.
    gz = path.with_name(path.name + ".gz")
    opener = gzip.open if gz.exists() else open
    with opener(gz if gz.exists() else path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def english_lemmas() -> dict[str, str]:
    import spacy_lookups_data

    lemmas = _read_lookup(Path(spacy_lookups_data.en["lemma_lookup"]))
    # Classical plurals go back to a Latin or Greek singular that chat never means:
    # "data" and "media" are mass nouns now, and many such forms are Indonesian words or
    # names ("Bu Ani" became "anus", "nota" notum, "tali" talus, "pura" pus).
    return {
        word: lemma
        for word, lemma in lemmas.items()
        if not (word.endswith(("a", "i")) and lemma.endswith(("um", "us", "on", "is")))
    }


@cache
def indonesian_derived_words() -> frozenset[str]:
    """Affixed Indonesian words (berusaha, mendaftar, terlambat, tabungan): the keys of
    spaCy's Indonesian lemma table, 37k words written as Indonesian spells them."""
    import spacy_lookups_data

    return frozenset(_read_lookup(Path(spacy_lookups_data.id_["lemma_lookup"])))


@cache
def indonesian_root_words() -> frozenset[str]:
    import Sastrawi

    path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    return read_word_list(path)


@cache
def stop_words(lexicon_dir: str) -> tuple[frozenset[str], frozenset[str]]:
    """(Indonesian, English) stop words: the lists in the lexicon folder, made from
    spaCy's language data by `python -m pipeline.normalise.stopwords`."""
    directory = Path(lexicon_dir)
    return tuple(read_word_list(directory / f"stopwords_{lang}.txt") for lang in ("id", "en"))
