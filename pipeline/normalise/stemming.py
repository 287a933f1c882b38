"""Indonesian stems from PySastrawi, used as published.

The normaliser asks for a word's stem once (it caches stems per word) and only for
words that carry an affix Sastrawi could strip and are not roots already, so the long
tail of names, slang and typos never reaches it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache


@cache
def sastrawi_stemmer() -> Callable[[str], str]:
    """Sastrawi's `stem`, as its README shows it, for one lowercase word of a-z."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem
