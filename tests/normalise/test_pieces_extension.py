"""The per-message join of cached pieces in C (pipeline/normalise/_pieces.c) against the
same join in Python: for any text, the same readable text, terms and language."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.normalise as normalise_module
from pipeline.config import NormaliseConfig
from pipeline.normalise import Normaliser

compiled = normalise_module.resolve_pieces

needs_extension = pytest.mark.skipif(compiled is None, reason="the C extension is not built")

# Chat-like text: words from the lexicons' world, English, Banjarese, emoji, numbers,
# placeholders, odd whitespace (tabs, U+3000, the \x1c-\x1f separators str.split knows).
WORDS = [
    "harga",
    "nya",
    "harganya,",
    "gak",
    "bgt!!",
    "ulun",
    "handak",
    "bausaha",
    "pelatihan",
    "the",
    "training",
    "was",
    "great",
    "wkwkwk",
    "😂",
    "👍🏽",
    "25rb",
    "Rp",
    "25.000",
    "0812-3456-7890",
    "@budi",
    "www.toko.id",
    "NIB",
    "PIRT",
    "jum'at",
    "teman2",
    "x",
    "",
    "-",
    "_price_",
    "ok.",
    "mantappp",
    "dong",
    "ya",
    "é",
    "ß",
]
SPACES = [" ", "  ", "\t", "\n", "\u3000", "\x1f", "\u00a0"]

chat_text = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=12).map(
    lambda pairs: "".join(word + space for word, space in pairs)
)


@pytest.fixture(scope="module")
def norm():
    return Normaliser(NormaliseConfig())


@pytest.fixture(scope="module")
def fresh():
    return Normaliser(NormaliseConfig())


@needs_extension
@settings(max_examples=300, deadline=None)
@given(text=st.one_of(chat_text, st.text(max_size=60)))
def test_the_compiled_join_gives_what_the_python_join_gives(norm, fresh, text):
    fresh._pieces.clear()  # every piece is then learned through the C join's miss
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(normalise_module, "resolve_pieces", None)
        expected = norm(text)
    assert fresh(text) == expected
    assert norm(text) == expected  # and with the pieces cached


@needs_extension
def test_a_piece_not_cached_yet_is_asked_back_for():
    assert compiled("harga baru", {"harga": ("harga", 1, 0, ("harga",), (), ())}) is None
    pieces = {
        "harga": ("harga", 1, 0, ("harga",), ("harga",), ("harga",)),
        "ok.": ("ok.", 0, 0, (), (), ()),
        "nice": ("nice", 0, 1, ("nice",), ("nice",), ("nice",)),
    }
    assert compiled("harga  ok.\tharga", pieces) == ("harga ok. harga", ["harga", "harga"], "id")
    assert compiled("nice ok.", pieces) == ("nice ok.", ["nice"], "en")
    assert compiled("ok.", pieces) == ("ok.", [], "other")
    assert compiled(" \t", pieces) == ("", [], "other")


@needs_extension
def test_bad_arguments_are_refused_not_crashed_on():
    with pytest.raises(TypeError):
        compiled("harga", ["not", "a", "dict"])
    with pytest.raises(TypeError):
        compiled("harga", {"harga": ("too", "short")})


def _piece(chunk: str) -> tuple:
    """A made-up cached piece for a chunk: its own readable text, votes by its length."""
    return (chunk.strip("."), len(chunk) % 2, len(chunk) % 3 == 0, (chunk,), (chunk, chunk), ())


@needs_extension
@settings(max_examples=300, deadline=None)
@given(text=st.one_of(chat_text, st.text(max_size=60)), known=st.integers(0, 12))
def test_the_cache_finds_from_the_text_what_the_dict_finds_from_its_pieces(text, known):
    # Pieces cached for only some of the text's chunks: both ask for the rest alike.
    # Texts with emoji or CJK are stored wide, their ASCII pieces narrow.
    chunks = list(dict.fromkeys(text.split()))[:known]
    as_dict = {chunk: _piece(chunk) for chunk in chunks}
    cache = normalise_module.PieceCache()
    for chunk in chunks:
        cache[chunk] = _piece(chunk)
    assert compiled(text, cache) == compiled(text, as_dict)
    # and with the rest learned through the call-back, as if all had been cached
    everything = {chunk: _piece(chunk) for chunk in text.split()}
    assert compiled(text, cache, _piece) == compiled(text, as_dict, _piece)
    assert compiled(text, cache, _piece) == compiled(text, everything)


@needs_extension
def test_new_pieces_are_learned_through_the_call_back_even_as_the_cache_grows():
    cache, learned = normalise_module.PieceCache(), []

    def learn(chunk):
        learned.append(chunk)
        for i in range(3000):  # grow the table, and so move its entries, mid-text
            cache[f"{chunk}{i}"] = _piece(chunk)
        cache[chunk] = _piece(chunk)
        return cache[chunk]

    text = "harga baru harga 😂 baru kopi"
    assert compiled(text, cache, learn) == compiled(text, {c: _piece(c) for c in text.split()})
    assert learned == ["harga", "baru", "😂", "kopi"]  # each once: then it was cached

    def fail(chunk):
        raise ValueError(chunk)

    with pytest.raises(ValueError, match="teh"):
        compiled("harga teh", cache, fail)
    with pytest.raises(TypeError):
        compiled("harga", cache, "not callable")


@needs_extension
def test_the_piece_cache_is_a_mapping_that_only_grows():
    cache = normalise_module.PieceCache()
    words = [f"kata{i}" for i in range(5000)] + ["é", "😂", "kopi😂", ""]
    for word in words:
        cache[word] = _piece(word)
    assert len(cache) == len(words)
    assert all(cache[word] == _piece(word) and word in cache for word in words)
    assert cache.get("tidak ada") is None and cache.get("tidak ada", 1) == 1
    assert "tidak ada" not in cache
    cache["kopi😂"] = ("kopi", 1, 0, (), (), ())  # a piece learned again replaces the old
    assert cache["kopi😂"][0] == "kopi" and len(cache) == len(words)
    with pytest.raises(KeyError):
        cache["tidak ada"]
    with pytest.raises(TypeError):
        del cache["kata1"]
    with pytest.raises(TypeError):
        cache[1] = _piece("1")
    with pytest.raises(TypeError):
        normalise_module.PieceCache({"a": 1})
    cache.clear()
    assert len(cache) == 0 and "kata1" not in cache
    assert compiled("kata1", cache) is None


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI's machine must have a compiler")
def test_ci_builds_the_extension():
    # The install builds it where gcc and the Python headers are at hand, as on every
    # machine of this project's kind; without them the Python join runs instead.
    assert compiled is not None
