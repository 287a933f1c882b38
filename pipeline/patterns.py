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
# broken by spaces, dots, any dash (also U+2011 non-breaking hyphens), slashes,
# underscores, tabs or brackets, a bracket before the start too ("(+62) 812 ..."). The
# digit count is checked in code (9-15), so prices such as 25.000 or dates never match.
# It may be glued to words, as people write them ("hp081255127712", "WA+6281...",
# "0812...ya"), but never starts inside a number: in "250.000 - 300.000" the "000 - 300.000"
# after the dot is a price range. Written to begin with the class of its first character,
# [(+06], so that the regex engine skips straight to the next such character instead of
# trying every position (4x faster on chat text); the look-behinds then check the two
# characters before it, and (?<=...) picks the start it began with: (+62, +62, (08, 08 or 62.
_SEPARATORS = " \u00a0\u202f.\\-\u2010\u2011\u2012\u2013\u2014/_\t()"
PHONE_CANDIDATE_RE = re.compile(
    r"[(+06](?<![\d+].)(?<!\d[.,].)"
    r"(?:(?<=\()(?:\+\s?\d|0\d)|(?<=\+)\s?\d|(?<=0)\d|(?<=6)2[ .\-\u2011]?\d)"
    # a line break inside only where digits go on after it: "0812 5512\n7712"
    rf"(?:[\d{_SEPARATORS}]|\n(?=[ \t]?\d)){{6,64}}\d(?!\d)"
)
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 9, 15
# An amount in thousands groups ("620.000.000"), which a 62 start would otherwise take
# for a phone number; amounts never start with 0 or +, phone numbers often do.
AMOUNT_SHAPE_RE = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
# Fullwidth digits (as some keyboards type them) are read as digits for the search.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def is_phone_number(candidate: str) -> bool:
    """9-15 digits, starting as a number starts (+, 62, 0 and a digit, 00 and a country
    code: "JB0002742336" is a parcel's tracking code), and no amount in thousands."""
    digits = sum(ch.isdigit() for ch in candidate)
    return (
        PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX
        and _NUMBER_START_RE.match(candidate) is not None
        and not AMOUNT_SHAPE_RE.fullmatch(candidate)
    )


def mask_phone_numbers(text: str, placeholder: str) -> str:
    # Most chat messages hold no number. A search for a candidate is the cheap test: re
    # skips to its first character class in C (0.6 us a message against 1.2 us for a
    # `\d\d\d` pre-check, measured on the bench export).
    searched = text.translate(_FULLWIDTH_DIGITS) if _has_fullwidth(text) else text
    if not PHONE_CANDIDATE_RE.search(searched):
        return text
    masked = _mask_in(text, searched, placeholder)
    # A number listed right after another ("0812...,0813..."): once the first is masked
    # nothing glues the second to it.
    if masked != text:
        again = masked.translate(_FULLWIDTH_DIGITS) if _has_fullwidth(masked) else masked
        if PHONE_CANDIDATE_RE.search(again):
            masked = _mask_in(masked, again, placeholder)
    return masked


def _has_fullwidth(text: str) -> bool:
    return not text.isascii() and _FULLWIDTH_RE.search(text) is not None


_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff0b]")


def _mask_in(text: str, searched: str, placeholder: str) -> str:
    """`text` with the phone numbers found in `searched` (the same text with fullwidth
    digits read as ASCII, position for position) masked."""
    pieces, at = [], 0
    for found in PHONE_CANDIDATE_RE.finditer(searched):
        masked = _mask_run(found.group(), placeholder)
        if masked != found.group():
            pieces += [text[at : found.start()], masked]
            at = found.end()
    return "".join([*pieces, text[at:]]) if pieces else text


# A digit group of a candidate, with the bracket or + it may start with; a group a
# number can start with: +.., (.., 62.., or 0 and a digit that is not 0 (08.., 0511).
_DIGIT_GROUP_RE = re.compile(r"[(+]*\d+\)?")
_NUMBER_START_RE = re.compile(r"[(+]|62|0[1-9]|00[1-9]")


# A date inside a candidate ("02-03-2024 19.45", "14/01/24"): no phone number has a one-
# or two-digit group before a slash, or the day.month.year shape, so the run is cut there.
DATE_SHAPE_RE = re.compile(
    r"((?<!\d)(?:\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}|\d{1,2}/\d{1,4}(?:/\d{2,4})?)(?!\d))"
)


def _mask_run(run: str, placeholder: str) -> str:
    if "\n" in run:
        # A number goes on over a line break only when the line before holds too few
        # digits to be one: "081234567890\n2 pcs" keeps its second line.
        head, _, tail = run.partition("\n")
        if sum(ch.isdigit() for ch in head) >= PHONE_DIGITS_MIN:
            rest = PHONE_CANDIDATE_RE.sub(lambda m: _mask_run(m.group(), placeholder), tail)
            return f"{_mask_run(head, placeholder)}\n{rest}"
    if DATE_SHAPE_RE.search(run):
        return "".join(
            part
            if DATE_SHAPE_RE.fullmatch(part)
            else PHONE_CANDIDATE_RE.sub(lambda m: _mask_numbers(m.group(), placeholder), part)
            for part in DATE_SHAPE_RE.split(run)
        )
    return _mask_numbers(run, placeholder)


def _mask_numbers(run: str, placeholder: str) -> str:
    """A candidate masked if it is a phone number. Numbers written one after another
    ("0812... 0813...", "0812...-0813...") make one candidate of too many digits: it
    is then cut, between its digit groups, into the phone numbers that cover most of
    its digits (each starting as a number starts), and the rest is left as it is."""
    if is_phone_number(run):
        return placeholder
    groups = list(_DIGIT_GROUP_RE.finditer(run))
    if sum(ch.isdigit() for ch in run) <= PHONE_DIGITS_MAX or len(groups) < 2:
        return run  # a price, a date, a short code, or one long account number
    # best[i]: (digits covered, numbers as (first, end) group ranges) over groups[:i]
    best: list[tuple[int, list[tuple[int, int]]]] = [(0, [])]
    for end in range(1, len(groups) + 1):
        best.append(best[end - 1])  # group end-1 is no number's
        for first in range(end):
            if not _NUMBER_START_RE.match(groups[first].group()):
                continue
            number = run[groups[first].start() : groups[end - 1].end()]
            if is_phone_number(number):
                covered = best[first][0] + sum(ch.isdigit() for ch in number)
                if covered > best[end][0]:
                    best[end] = (covered, [*best[first][1], (first, end)])
    masked, at = [], 0
    for first, end in best[-1][1]:
        masked += [run[at : groups[first].start()], placeholder]
        at = groups[end - 1].end()
    return "".join([*masked, run[at:]])


# A display name that is only a phone number (a member not in the exporter's contacts).
PHONE_NAME_RE = re.compile(rf"^[+\d][\d{_SEPARATORS}]+$")


def looks_like_phone_name(name: str) -> bool:
    return bool(PHONE_NAME_RE.match(name)) and is_phone_number(name)
