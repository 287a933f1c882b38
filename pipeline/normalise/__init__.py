"""Normalise chat text: readable formal text for people, tokens for the vectoriser.

Text steps (steps.py) run in a fixed order chosen by the [normalise] table. Token steps
(lexicon, language vote, stemming, stop words) are cached per distinct token: chat
vocabulary is Zipfian, so almost every token after the first few thousand messages is
a dictionary hit, and Sastrawi is only ever called once per word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from functools import partial
from itertools import chain
from typing import NamedTuple

from pipeline.config import NormaliseConfig, resolve_data_path
from pipeline.normalise import banjarese, steps
from pipeline.normalise.resources import (
    EMOJI_RE,
    FOREIGN_PLACEHOLDER_RE,
    LAUGHTER,
    PLACEHOLDERS,
    TOKEN_SPLIT_RE,
    english_lemmas,
    indonesian_derived_words,
    indonesian_root_words,
    load_lexicons,
    may_hold_mask_hint,
    stop_words,
)
from pipeline.normalise.stemming import Stems
from pipeline.patterns import may_hold_url

try:  # the join of cached pieces in C, built at install where a compiler is at hand
    from pipeline.normalise._pieces import PieceCache, resolve_pieces
except ImportError:  # pragma: no cover - the same join in Python below
    PieceCache, resolve_pieces = dict, None

__all__ = ["Normalised", "Normaliser"]

_LANGS = ("id", "en", "other")  # the order of a Piece's terms_* fields

_PLACEHOLDER_TOKENS = frozenset(PLACEHOLDERS.values())


class Piece(NamedTuple):
    """What one whitespace-free piece of a message becomes. A word's term can depend on
    the message's language (an unknown word is lemmatised in English, stemmed
    otherwise), so the terms are kept for each language the message may turn out to
    have; a message then only picks one tuple per piece."""

    readable: str
    id_votes: int
    en_votes: int
    terms_id: tuple[str, ...]
    terms_en: tuple[str, ...]
    terms_other: tuple[str, ...]


class Normalised(NamedTuple):
    """A tuple: a million of them are made, and sent between processes, in a run."""

    text: str
    tokens: list[str]
    lang: str

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "tokens": self.tokens, "lang": self.lang}


class Normaliser:
    """`normaliser(text)` -> Normalised; `explain(text)` shows each step's effect."""

    def __init__(self, config: NormaliseConfig):
        self.config = config
        lexicon_dir = str(resolve_data_path(config.lexicon_dir))
        self.lexicons = load_lexicons(lexicon_dir)
        id_stop, en_stop = stop_words(lexicon_dir)
        self._english = english_lemmas()
        roots = indonesian_root_words()
        formal_words = {w for value in self.lexicons.informal.values() for w in value.split()}
        self._indonesian = roots | id_stop | formal_words | set(self.lexicons.informal)
        self._english_words = frozenset(self._english) | frozenset(self._english.values()) | en_stop
        self._known = self._indonesian | self._english_words
        self._stop = (id_stop | en_stop | self.lexicons.fillers) - self.lexicons.keep
        self._stem = Stems(roots, enabled=config.stem)
        self.text_steps = self._build_text_steps()
        # Most messages hold nothing to mask; one look for a digit, an @, a < or a URL
        # (after the clean-up, so that no invisible mark hides one) spares them the mask
        # steps' own checks, each as slow as that one look.
        # (_build_text_steps keeps the mask steps together)
        names = [name for name, _ in self.text_steps]
        masks = [i for i, name in enumerate(names) if name.startswith("mask_")]
        first, last = (masks[0], masks[-1] + 1) if masks else (len(names), len(names))
        self._before_masks = self.text_steps[:first]
        self._mask_steps = self.text_steps[first:last]
        self._after_masks = self.text_steps[last:]
        self.token_steps = self._build_token_steps()
        self._forms: dict[str, str] = {}
        self._langs: dict[str, str] = {}
        self._terms: dict[str, dict[str, str | None]] = {"id": {}, "en": {}, "other": {}}
        # a str -> Piece mapping the C join reads without making a string per piece
        self._pieces: MutableMapping[str, Piece] = PieceCache()
        self._derived = indonesian_derived_words()

    def _build_text_steps(self) -> list[tuple[str, Callable[[str], str]]]:
        c = self.config
        keep = c.placeholders == "keep"
        candidates: list[tuple[str, bool, Callable[[str], str]]] = [
            ("unicode", c.unicode, steps.clean_unicode),
            ("lowercase", c.lowercase, steps.lowercase),
            ("apostrophes", c.apostrophes, steps.join_apostrophes),
            # e-mails before URLs: "budi@toko.id" must not lose its domain to the URL rule
            ("mask_emails", c.mask_emails, partial(steps.mask_emails, keep=keep)),
            ("mask_urls", c.mask_urls, partial(steps.mask_urls, keep=keep)),
            ("mask_phones", c.mask_phones, partial(steps.mask_phones, keep=keep)),
            ("mask_mentions", c.mask_mentions, partial(steps.mask_mentions, keep=keep)),
            ("mask_prices", c.mask_prices, partial(steps.mask_prices, keep=keep)),
            ("mask_numbers", c.mask_numbers, partial(steps.mask_numbers, keep=keep)),
            ("clitics", c.clitics, steps.join_clitics),
        ]
        return [(name, step) for name, enabled, step in candidates if enabled]

    def _build_token_steps(self) -> list[tuple[str, Callable[[str], str]]]:
        """Steps that only ever change one token at a time: they run once per distinct
        token (cached in `formal`), not over every message's text."""
        c = self.config
        candidates: list[tuple[str, bool, Callable[[str], str]]] = [
            ("reduplication", c.reduplication, steps.undo_reduplication),
            # squeeze first, so that "wkwkwkkk" and "hahahaaa" are laughter too
            ("elongation", c.elongation, steps.squeeze_elongation),
            ("laughter", c.laughter, steps.squash_laughter),
        ]
        return [(name, step) for name, enabled, step in candidates if enabled]

    # -- token steps, each cached per distinct input -------------------------------
    def formal(self, token: str) -> str:
        """The formal spelling of one chat token (may be several words, or none)."""
        cached = self._forms.get(token)
        if cached is None:
            cached = self._formal(token)
            self._forms[token] = cached
        return cached

    def _formal(self, token: str) -> str:
        lex = self.lexicons
        if (
            token in _PLACEHOLDER_TOKENS
            or token in lex.protected
            or FOREIGN_PLACEHOLDER_RE.match(token)
        ):
            return token
        for _, step in self.token_steps:
            token = step(token)
        if (
            not self.config.lexicon or token == LAUGHTER
        ):  # one laughter token, whatever a lexicon says
            return token
        if token in lex.informal:
            return lex.informal[token]
        if token in self._known:
            return token
        if self.config.elongation:
            folded = _fold_doubles(token)
            if folded != token and folded in self._known:
                return lex.informal.get(folded, folded)
        # A lexicon word with its clitic: ongkirnya -> ongkos kirimnya
        if token.endswith("nya") and token[:-3] in lex.informal:
            return lex.informal[token[:-3]] + "nya"
        return banjarese.indonesian_form(token, self._derived, self._known) or token

    def language(self, word: str) -> str:
        """'id', 'en', or '' when the word lists cannot tell."""
        cached = self._langs.get(word)
        if cached is None:
            in_id, in_en = word in self._indonesian, word in self._english_words
            cached = "id" if in_id and not in_en else "en" if in_en and not in_id else ""
            self._langs[word] = cached
        return cached

    def term(self, word: str, lang: str) -> str | None:
        """What the vectoriser gets for a word in a message of language `lang`."""
        cache = self._terms[lang]
        if word not in cache:
            cache[word] = self._term(word, lang)
        return cache[word]

    def _term(self, word: str, lang: str) -> str | None:
        lex = self.lexicons
        if word in _PLACEHOLDER_TOKENS or word in lex.protected or EMOJI_RE.fullmatch(word):
            return None if self.config.stopwords and word in self._stop else word
        if len(word) < self.config.min_token_length:
            return None
        if self.config.stopwords and word in self._stop:
            return None
        if not self.config.stem:
            return word
        if (self.language(word) or lang) != "en":
            return self._indonesian_term(word)
        lemma = self._english.get(word, word)
        concept = self._concept(word, lemma)
        # The concept's word gets what it gets in an Indonesian message, so that the two
        # languages meet on one term: "buyer" and "pembeli" both on "beli".
        return lemma if concept is None else self._indonesian_term(concept)

    def _concept(self, word: str, lemma: str) -> str | None:
        """The Indonesian word for an English one, looked up as written first: the
        lemma table turns a few into other words ("rent" -> "rend")."""
        if not self.config.english_concepts:
            return None
        concepts = self.lexicons.english_concepts
        return concepts.get(word) or concepts.get(lemma)

    def _indonesian_term(self, word: str) -> str | None:
        lex = self.lexicons
        if word in lex.protected:
            return word
        if self.config.stopwords and word in self._stop:
            return None
        if word in lex.stem_exceptions:
            return lex.stem_exceptions[word]
        # Sastrawi reads [a-z] only: it splits "baliķnnya" at the ķ and stems the parts
        # into two words, and a term must be one.
        if "-" in word or not (word.isascii() and word.isalpha()):
            return word
        stem = self._stem(word)
        # Sastrawi keeps the -nya of a word it has no root for (sellernya, adminnya,
        # ordernya): the word is then the loan itself, read as it would be alone.
        if stem == word and word.endswith("nya") and len(word) > 5:
            return self.term(word[:-3], "id")
        return stem

    # -- the whole message -------------------------------------------------------------
    def piece(self, piece: str) -> Piece:
        """What one whitespace-free piece of a message becomes, cached: chat repeats its
        pieces ("ya,", "harganya", "mantappp!!") far more than its messages, so a
        message costs one dictionary look-up per piece instead of a regex split and
        look-ups per token."""
        cached = self._pieces.get(piece)
        if cached is None:
            parts = TOKEN_SPLIT_RE.split(piece)
            parts[1::2] = [self.formal(t) for t in parts[1::2]]
            words = " ".join(parts[1::2]).split()
            langs = [self.language(word) for word in words]
            readable = " ".join("".join(parts).split())
            terms = [
                tuple(t for word in words if (t := self.term(word, lang)) is not None)
                for lang in _LANGS
            ]
            cached = Piece(readable, langs.count("id"), langs.count("en"), *terms)
            self._pieces[piece] = cached
        return cached

    def adopt_pieces(self, pieces: Mapping[str, Sequence]) -> None:
        """Pieces another normaliser of the same config learned (as plain tuples)."""
        for piece, learned in pieces.items():
            self._pieces[piece] = Piece._make(learned)

    def resolve(self, text: str) -> tuple[str, list[str], str]:
        """What `normaliser(text)` gives, as a plain tuple (readable text, its terms, the
        message's language by majority vote): cheaper to make and to send between
        processes."""
        for _, step in self._before_masks:
            text = step(text)
        if may_need_masking(text):
            for _, step in self._mask_steps:
                text = step(text)
        for _, step in self._after_masks:
            text = step(text)
        if resolve_pieces is None:
            return self._join_pieces(text)
        return resolve_pieces(text, self._pieces, self.piece)  # new pieces learned

    def _join_pieces(self, text: str) -> tuple[str, list[str], str]:
        """What resolve_pieces (_pieces.c) does, in Python: the pieces of the text,
        learned where new, joined into the readable text, the terms of the message's
        language, and that language."""
        chunks = text.split()
        # dict.get mapped in C; the rare misses are filled in afterwards
        known = list(map(self._pieces.get, chunks))
        if None in known:
            known = [p or self.piece(c) for p, c in zip(known, chunks, strict=True)]
        if not known:
            return "", [], "other"
        # one transpose in C beats a Python loop over the pieces
        readable, id_votes, en_votes, terms_id, terms_en, terms_other = zip(*known, strict=True)
        ids, ens = sum(id_votes), sum(en_votes)
        if ids == ens == 0:
            lang, terms = "other", terms_other
        elif ens > ids:
            lang, terms = "en", terms_en
        else:
            lang, terms = "id", terms_id
        return " ".join(filter(None, readable)), list(chain.from_iterable(terms)), lang

    def readable(self, text: str) -> str:
        return self.resolve(text)[0]

    def __call__(self, text: str) -> Normalised:
        return Normalised._make(self.resolve(text))

    def explain(self, text: str) -> list[tuple[str, str]]:
        """The text after each step, for `guyub normalise --explain`."""
        trace = [("input", text)]
        for name, step in self.text_steps:
            text = step(text)
            trace.append((name, text))
        for name, step in self.token_steps:
            text = TOKEN_SPLIT_RE.sub(lambda m, step=step: step(m.group()), text)
            trace.append((name + " (per token)", text))
        result = self(trace[0][1])
        trace.append(("lexicon", result.text))
        trace.append(("tokens", " ".join(result.tokens)))
        return trace


def may_need_masking(text: str) -> bool:
    """False when no mask step could change the text: every masked item has a digit, an
    @, a URL's dot-domain, or is an ingest privacy mark (<phone>)."""
    return may_hold_mask_hint(text) or may_hold_url(text)


def _fold_doubles(token: str) -> str:
    out: list[str] = []
    for ch in token:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)
