"""Banjarese words read as the Indonesian words they are: verb prefixes (ba- ber-,
ta- ter-, ma- me-) and the a that Banjarese writes for Indonesian's schwa. A form is
taken only when it is a word of spaCy's Indonesian lemma table (`derived`)."""

from __future__ import annotations

import re
from collections.abc import Set
from itertools import combinations

# Banjarese verb prefixes and their Indonesian counterparts, longest first for the match.
_PREFIXES = {
    "many": "meny",
    "mang": "meng",
    "mam": "mem",
    "man": "men",
    "ba": "ber",
    "ta": "ter",
}
_PREFIX_RE = re.compile("|".join(_PREFIXES))
_SUFFIXES = ("lah", "kah", "tah", "pun", "ku", "mu", "nya", "kan", "an", "i")


def indonesian_form(token: str, derived: Set[str], known: Set[str]) -> str | None:
    """The Indonesian form of a Banjarese word, or None. Banjarese also writes -akan
    where Indonesian writes -kan (dijadiakan, manjelasakan)."""
    forms = (token, token[:-4] + "kan") if token.endswith("akan") else (token,)
    for form in forms:
        if form in derived:  # Indonesian as it stands
            if form != token:
                return form
            continue
        found = _affixed(form, derived, known) or _vowels(form, derived)
        if found:
            return found
    return None


def _vowels(token: str, derived: Set[str]) -> str | None:
    """The Indonesian spelling of a Banjarese word that writes a for Indonesian's
    e (schwa) in its first syllable and maybe later ones: balajar belajar, pambeli
    pembeli, kalabihan kelebihan, manarima menerima. Taken only when exactly one
    such spelling is an affixed word of spaCy's Indonesian lemma table: over the
    bench's text pool that maps 163 words, five of them wrongly (place names such as
    Pajajaran); roots (labih lebih, tarima terima) are left to the lexicon, since
    names and loans meet too many of them (bangkok bengkok, karen keren)."""
    if len(token) < 5 or token[1] != "a" or token[0] in "aiueo":
        return None
    later = [i for i, ch in enumerate(token) if ch == "a" and i > 1]
    if len(later) > 4:  # 16 spellings at most
        return None
    found = []
    for count in range(len(later) + 1):
        for positions in combinations(later, count):
            letters = list(token)
            for i in (1, *positions):
                letters[i] = "e"
            spelling = "".join(letters)
            if spelling in derived:
                found.append(spelling)
    return found[0] if len(found) == 1 else None


def _affixed(token: str, derived: Set[str], known: Set[str]) -> str | None:
    """The Indonesian form of a Banjarese verb, or None: Banjarese writes ba- for
    ber-, ta- for ter- and ma- for me-, with the same nasal changes (bausaha
    berusaha, mandaftar mendaftar, mangirim mengirim). Taken only when the
    Indonesian form is a word of spaCy's Indonesian lemma table (and the token, as
    `indonesian_form` checks, is not): a root that Sastrawi finds in a made-up form lets through loans and slang
    (takoyaki "terkoyaki", taiwan, tajir, manyun) that the table keeps out."""
    prefix = _PREFIX_RE.match(token)
    if prefix is None:
        return None
    # a known word with a suffix: baik-an, baru-lah, mana-nya, mama-ku
    if any(token.endswith(s) and token[: -len(s)] in known for s in _SUFFIXES):
        return None
    rest = token[prefix.end() :]
    indonesian_prefix = _PREFIXES[prefix.group()]
    if indonesian_prefix.endswith("r") and rest.startswith("r"):
        indonesian_prefix = indonesian_prefix[:-1]  # ber + ragam is beragam
    indonesian = indonesian_prefix + rest
    return indonesian if indonesian in derived else None
