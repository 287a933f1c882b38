"""Indonesian stems from PySastrawi, used as published.

The normaliser asks for a word's stem once (it caches stems per word) and only for
words that carry an affix Sastrawi could strip and are not roots already, so the long
tail of names, slang and typos never reaches it."""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from functools import cache

# The prefixes and suffixes Sastrawi can remove (ber-/per-/ter- start like be-/pe-/te-).
AFFIX_RE = re.compile(r"^(?:me|be|di|ke|pe|se|te)|(?:kan|an|i|nya|lah|kah|pun|ku|mu)$")


@cache
def sastrawi_stemmer() -> Callable[[str], str]:
    """Sastrawi's `stem`, as its README shows it, for one lowercase word of a-z."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem


class Stems:
    """`stems(word)`: Sastrawi's stem of a word of a-z, cached per word. Root words and
    words with no Indonesian affix cannot change, so they skip Sastrawi, whose rules
    are slow to fail on the names, slang and typos that make up the long tail of chat
    vocabulary. Not `enabled`: every word is its own stem."""

    def __init__(self, roots: Set[str], *, enabled: bool = True):
        self._roots = roots
        self._stemmer = sastrawi_stemmer() if enabled else None
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            if self._stemmer is None or word in self._roots or not AFFIX_RE.search(word):
                cached = word
            else:
                cached = self._stemmer(word.lower()) or word
            self._cache[word] = cached
        return cached
