"""Regular expressions shared by ingest, privacy and normalisation, compiled once."""

from __future__ import annotations

import re

# Invisible marks that exports sprinkle around names and lines: LRM/RLM, the bidi
# embeddings and isolates, zero-width space/joiners, the BOM.
INVISIBLE_MARKS = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
INVISIBLE_RE = re.compile(f"[{INVISIBLE_MARKS}]")
# Spaces that WhatsApp puts in timestamps and names: NBSP, narrow NBSP, figure space.
ODD_SPACES_RE = re.compile("[\u00a0\u202f\u2007]")

_DOMAINS = r"\.(?:com|id|co\.id|net|org|ly|me|link|shop)(?![\w-])"
# The domain must end the word: "murah.mereka" (a missing space) is not a ".me" URL.
URL_RE = re.compile(
    rf"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+{_DOMAINS}(?:/[^\s<>\"']*)?", re.IGNORECASE
)
# Most messages have a full stop but no URL; this literal-led search rules them out
# many times faster than URL_RE, which tries every word.
DOMAIN_HINT_RE = re.compile(_DOMAINS, re.IGNORECASE)


def may_hold_url(text: str) -> bool:
    return "://" in text or "www." in text.lower() or DOMAIN_HINT_RE.search(text) is not None


EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")

# A phone number: a + or 0 (or Indonesia's 62, also "62 812 ...") start, then digits
# broken by spaces, dots, dashes (also U+2011 non-breaking hyphens) or brackets, a
# bracket before the start too ("(+62) 812 ..."). The digit count is checked in
# code (9-15), so prices such as 25.000 or dates never match. It never starts inside a
# number: in "250.000 - 300.000" the "000 - 300.000" after the dot is a price range.
# Written to begin with the class of its first character, [(+06], so that the regex
# engine skips straight to the next such character instead of trying every position
# (4x faster on chat text); the look-behinds then check the two characters before it,
# and (?<=...) picks the start it began with: (+62, +62, (08, 08 or 62.
PHONE_CANDIDATE_RE = re.compile(
    r"[(+06](?<![\w+].)(?<!\d[.,].)"
    r"(?:(?<=\()(?:\+\s?\d|0\d)|(?<=\+)\s?\d|(?<=0)\d|(?<=6)2[ .\-\u2011]?\d)"
    r"[\d \u00a0\u202f.\-\u2011\u2010()]{6,22}\d(?!\w)"
)
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 9, 15
# An amount in thousands groups ("620.000.000"), which a 62 start would otherwise take
# for a phone number; amounts never start with 0 or +, phone numbers often do.
AMOUNT_SHAPE_RE = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")


def is_phone_number(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    return PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX and not AMOUNT_SHAPE_RE.fullmatch(
        candidate
    )


def mask_phone_numbers(text: str, placeholder: str) -> str:
    # Most chat messages hold no number. A search for a candidate is the cheap test: re
    # skips to its first character class in C (0.6 us a message against 1.2 us for a
    # `\d\d\d` pre-check, measured on the bench export).
    if not PHONE_CANDIDATE_RE.search(text):
        return text
    return PHONE_CANDIDATE_RE.sub(
        lambda m: placeholder if is_phone_number(m.group()) else m.group(), text
    )


# A display name that is only a phone number (a member not in the exporter's contacts).
PHONE_NAME_RE = re.compile(r"^[+\d][\d \u00a0\u202f.\-\u2011\u2010()]+$")


def looks_like_phone_name(name: str) -> bool:
    return bool(PHONE_NAME_RE.match(name)) and is_phone_number(name)
