"""PySastrawi 1.2.1's stemmer, made fast without changing a single stem.

Sastrawi spends its time failing: for each word it walks its 41 prefix visitors two or
three times, and each visitor tries its rules with `re.match(string, word)`, nearly
always in vain. Two changes, both tested to give Sastrawi's own stems:

- The prefix visitors after the first are asked through one `PrefixDispatch`, which
  finds the next visitor with a rule that can match the word by one compiled regex (the
  union of the rules' patterns, read from the rules' own code) instead of a Python call
  and an `re` cache look-up per rule.
- The part a rule removed is found by `str.replace` rather than by compiling the word
  as a regular expression (see `_LiteralWordRe`).

Over the 16k words a worker stems in the 1M bench: 1.57 -> 0.58 s.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

# The modules that compute the removed part with re.sub(result, "", word, count=1).
SASTRAWI_WORD_PATTERN_MODULES = tuple(
    f"Sastrawi.Stemmer.Context.Visitor.{name}"
    for name in (
        "AbstractDisambiguatePrefixRule",
        "RemoveDerivationalSuffix",
        "RemoveInflectionalParticle",
        "RemoveInflectionalPossessivePronoun",
        "RemovePlainPrefix",
    )
)


@cache
def sastrawi_stemmer():
    """Sastrawi's uncached Stemmer (the normaliser caches stems itself), with its prefix
    visitors dispatched; `stem_word(word)` takes one lowercase word of a-z."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    for module in SASTRAWI_WORD_PATTERN_MODULES:
        importlib.import_module(module).re = LITERAL_WORD_RE
    stemmer = StemmerFactory().create_stemmer().delegatedStemmer
    visitors = stemmer.visitor_provider.prefix_visitors
    gates = [visitor_gate(visitor) for visitor in visitors[1:]]
    if visitors and None not in gates:
        # Sastrawi checks the word after each visitor, the first included; the
        # dispatch's checks begin after the first, so the first stays outside it.
        visitors[1:] = [PrefixDispatch(visitors[1:], gates)]
    return stemmer


class PrefixDispatch:
    """Prefix visitors asked in order, as Sastrawi's Context.accept_prefix_visitors asks
    them, except that a visitor whose gate does not match the word is passed over: its
    rules would all return nothing, and it would leave the context as it was, so
    Sastrawi's checks after it would find what they found after the one before.

    After each visitor asked, the same checks as Sastrawi's (a dictionary word, a stop,
    a removal) end the dispatch; the Context's loop, which sees the dispatch as one
    visitor, then makes them again and stops too."""

    def __init__(self, visitors: Sequence[Any], gates: Sequence[str]):
        self._visitors = list(visitors)
        # _from[i] finds the first visitor from i on whose gate matches, by its group's name
        self._from = [
            re.compile("|".join(f"(?P<v{j}>{gates[j]})" for j in range(i, len(gates))))
            for i in range(len(gates))
        ]

    def visit(self, context: Any) -> None:
        word, removals, start = context.current_word, len(context.removals), 0
        while start < len(self._from):
            found = self._from[start].match(word)
            if found is None:
                return
            index = int(found.lastgroup[1:])
            self._visitors[index].visit(context)
            if (
                context.dictionary.contains(context.current_word)
                or context.process_is_stopped
                or len(context.removals) > removals
            ):
                return
            start = index + 1


def visitor_gate(visitor: Any) -> str | None:
    """A pattern that every word the visitor can change matches, or None when one of its
    rules' code is not of a shape `rule_gate` reads."""
    rules = getattr(visitor, "disambiguators", None)
    if not rules:
        return None
    patterns = [rule_gate(rule) for rule in rules]
    return None if None in patterns else "|".join(f"(?:{p})" for p in patterns)


def rule_gate(rule: Any) -> str | None:
    """The pattern a word must match for a disambiguation rule to return anything, for
    a rule written, as all of PySastrawi 1.2.1's are, as a series of

        if word == "belajar":          # pattern ^belajar$
            ...
        matches = re.match(P, word)    # pattern P
        if matches:
            ...

    in which every return is inside one of the ifs (then it falls off the end: None),
    or None for a rule of any other shape."""
    source = textwrap.dedent(inspect.getsource(type(rule).disambiguate))
    function = ast.parse(source).body[0]
    if any(
        isinstance(node, ast.Name) and node.id == "word" and isinstance(node.ctx, ast.Store)
        for node in ast.walk(function)
    ):
        return None  # a rule that changes the word it tests is not gated by one pattern
    body = [
        statement
        for statement in function.body
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
    ]
    patterns = []
    while body:
        match body:
            case [
                ast.If(
                    test=ast.Compare(
                        left=ast.Name(id="word"),
                        ops=[ast.Eq()],
                        comparators=[ast.Constant(value=str(literal))],
                    ),
                    orelse=[],
                ),
                *body,
            ]:
                patterns.append(f"^{re.escape(literal)}$")
            case [
                ast.Assign(
                    targets=[ast.Name(id="matches")],
                    value=ast.Call(
                        func=ast.Attribute(value=ast.Name(id="re"), attr="match"),
                        args=[ast.Constant(value=str(pattern)), ast.Name(id="word")],
                        keywords=[],
                    ),
                ),
                ast.If(test=ast.Name(id="matches"), orelse=[]),
                *body,
            ]:
                patterns.append(pattern)
            case _:
                return None
    return "|".join(f"(?:{p})" for p in patterns) if patterns else None


class _LiteralWordRe:
    """The `re` module, except that sub() with a pattern of ASCII letters (which can
    only match itself) and a replacement with no escapes is a str.replace.

    PySastrawi 1.2.1 finds the part a rule removed with re.sub(result, "", word,
    count=1): each distinct word is compiled as a regular expression, and thousands of
    such words push Sastrawi's own 100-odd fixed patterns out of re's cache of 512, so
    those are compiled again and again (2.9 s of a 1M run, before this)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def sub(
        pattern: Any, repl: str | Callable[..., str], string: str, count: int = 0, flags: int = 0
    ) -> str:
        if (
            isinstance(pattern, str)
            and pattern.isascii()
            and pattern.isalpha()
            and isinstance(repl, str)
            and "\\" not in repl
            and not flags
        ):
            return string.replace(pattern, repl, count or -1)
        return re.sub(pattern, repl, string, count=count, flags=flags)


LITERAL_WORD_RE = _LiteralWordRe()
