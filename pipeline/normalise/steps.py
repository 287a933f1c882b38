"""Text steps: each a pure `str -> str` function with keyword-only options."""

from __future__ import annotations

import unicodedata

from pipeline.normalise.resources import (
    AMOUNT_RE,
    ASCII_AMOUNT_RE,
    ASCII_NUMBER_RE,
    CLITIC_RE,
    ELONGATION_RE,
    INNER_APOSTROPHE_RE,
    LAUGHTER,
    LAUGHTER_RE,
    MENTION_RE,
    NUMBER_RE,
    PLACEHOLDERS,
    PRIVACY_MARKS_RE,
    REDUPLICATION_DIGIT_RE,
    REDUPLICATION_HYPHEN_RE,
    RUPIAH_RE,
    has_digit,
)
from pipeline.patterns import (
    EMAIL_RE,
    INVISIBLE_RE,
    ODD_SPACES_RE,
    URL_RE,
    mask_phone_numbers,
    may_hold_url,
)


def _mark(kind: str, keep: bool) -> str:
    return f" {PLACEHOLDERS[kind]} " if keep else " "


def clean_unicode(text: str) -> str:
    """NFC (so a precomposed and a combining é are one letter), invisible marks out,
    odd spaces to plain ones. Emoji are left alone."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE_RE.sub("", text)
    return ODD_SPACES_RE.sub(" ", text)


def lowercase(text: str) -> str:
    return text.lower()


def mask_urls(text: str, *, keep: bool = True) -> str:
    if not may_hold_url(text):
        return text
    return URL_RE.sub(_mark("url", keep), text)


def mask_emails(text: str, *, keep: bool = True) -> str:
    if "@" not in text and "<" not in text:
        return text
    text = PRIVACY_MARKS_RE.sub(
        lambda m: _mark(m.group(1), keep) if m.group(1) == "email" else m.group(), text
    )
    return EMAIL_RE.sub(_mark("email", keep), text)


def mask_phones(text: str, *, keep: bool = True) -> str:
    if "<" in text:
        text = PRIVACY_MARKS_RE.sub(
            lambda m: _mark(m.group(1), keep) if m.group(1) == "phone" else m.group(), text
        )
    return mask_phone_numbers(text, _mark("phone", keep))


def mask_mentions(text: str, *, keep: bool = True) -> str:
    if "@" not in text:
        return text
    return MENTION_RE.sub(_mark("mention", keep), text)


def mask_prices(text: str, *, keep: bool = True) -> str:
    if not has_digit(text):
        return text
    mark = _mark("price", keep)
    if "rp" in text.lower():
        text = RUPIAH_RE.sub(mark, text)
    return (ASCII_AMOUNT_RE if text.isascii() else AMOUNT_RE).sub(mark, text)


def mask_numbers(text: str, *, keep: bool = True) -> str:
    if not has_digit(text):
        return text
    return (ASCII_NUMBER_RE if text.isascii() else NUMBER_RE).sub(_mark("number", keep), text)


def join_apostrophes(text: str) -> str:
    """jum'at -> jumat; today's and don't are left to the tokeniser."""
    if "'" not in text and "\u2019" not in text:
        return text
    return INNER_APOSTROPHE_RE.sub("", text)


def join_clitics(text: str) -> str:
    """harga nya -> harganya (chat often writes the clitic apart)."""
    if " nya" not in text:
        return text
    return CLITIC_RE.sub("nya", text)


def squash_laughter(text: str) -> str:
    return LAUGHTER_RE.sub(LAUGHTER, text)


def undo_reduplication(text: str) -> str:
    """teman2 / teman-teman -> teman; the suffix stays (kemasan2nya -> kemasannya)."""
    text = REDUPLICATION_DIGIT_RE.sub(r"\1\2", text)
    return REDUPLICATION_HYPHEN_RE.sub(r"\1\2", text)


def squeeze_elongation(text: str) -> str:
    """mantappp -> mantap. Runs of two (maaf, tinggi) are left to the token step,
    which folds them only when that makes an unknown word known."""
    return ELONGATION_RE.sub(r"\1", text)
