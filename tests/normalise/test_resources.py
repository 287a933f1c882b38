from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalise.resources import (
    AMOUNT_RE,
    ASCII_AMOUNT_RE,
    ASCII_NUMBER_RE,
    NUMBER_RE,
    has_digit,
    may_hold_mask_hint,
)

# the characters the number patterns turn on, and words of a few letters
_ASCII_TEXT = st.lists(
    st.sampled_from([*"0123456789 .,:/-x@<", "rb", "ribu", "jt", "k", "m", "an", "nya", "rp", "a"]),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASCII_TEXT)
def test_the_ascii_number_patterns_mask_what_the_unicode_ones_mask(text):
    assert ASCII_AMOUNT_RE.sub("#", text) == AMOUNT_RE.sub("#", text)
    assert ASCII_NUMBER_RE.sub("#", text) == NUMBER_RE.sub("#", text)


def test_digits_of_other_scripts_still_count():
    assert has_digit("harga ٢٥ ribu") and may_hold_mask_hint("stok ５ pcs")
    assert not has_digit("tanpa angka") and not may_hold_mask_hint("tanpa angka")
