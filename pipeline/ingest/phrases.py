"""The phrases chat apps write instead of a member's words, read from phrases.tsv.

The table is the one place these facts live: group events, media and deleted-message
placeholders, edit markers, clock markers and LINE's title lines, by app and phone
language, each row with where its wording was seen. This module only compiles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

KINDS = (
    "notice",
    "event",
    "media",
    "deleted",
    "edited",
    "am",
    "pm",
    "date-time",
    "title",
    "saved",
    "file-title",
    "interviewer",
)
APPS = ("whatsapp", "line", "clock", "transcript")
EVENT_KINDS = ("notice", "event")
PLACEHOLDER_KINDS = ("media", "deleted")
# What a slot may stand for. Names and file names are never empty; `text` may be.
SLOTS = {"name": ".+?", "group": ".+?", "text": ".*?", "file": ".+?"}
# Apps write typographic quotes and apostrophes where the table writes straight ones.
# The quote marks apps write where the table writes a straight one.
QUOTES = '"“”„«»「」'
_LOOSE = {'"': f"[{QUOTES}]", "'": "['’]"}
_SLOT_RE = re.compile(r"\{(\w+)\}")
_SOURCE_RE = re.compile(r"^# ([\w-]+): (.+)$")
_CODE_RE = re.compile(r"-|[a-z]+(?:-[a-z]+)*")
COLUMNS = ["app", "language", "kind", "code", "pattern", "source"]
# Full stops a body may end with that the table leaves out.
FINAL_STOPS = ".。"


class PhraseTableError(ValueError):
    """phrases.tsv is malformed; names the line."""


@dataclass(frozen=True, slots=True)
class Phrase:
    app: str
    language: str
    kind: str
    code: str  # what it means in any language: image, sticker, added, left, ... ("-": none)
    pattern: str
    source: str
    line: int  # in phrases.tsv, for messages about the table

    @property
    def slots(self) -> list[str]:
        return _SLOT_RE.findall(self.pattern)


def read_table(text: str, name: str = "phrases.tsv") -> tuple[list[Phrase], dict[str, str]]:
    """The rows and the sources (key -> where) of a phrase table, checked."""
    sources: dict[str, str] = {}
    rows: list[Phrase] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            if found := _SOURCE_RE.match(line):
                sources[found[1]] = found[2]
            continue
        if not line.strip():
            continue
        fields = line.split("\t")
        if header is None:
            if fields != COLUMNS:
                raise PhraseTableError(f"{name}:{number}: the header must be {' '.join(COLUMNS)}")
            header = fields
            continue
        if len(fields) != len(COLUMNS):
            raise PhraseTableError(f"{name}:{number}: {len(fields)} columns, not {len(COLUMNS)}")
        phrase = Phrase(*fields, line=number)
        if phrase.app not in APPS or phrase.kind not in KINDS:
            raise PhraseTableError(f"{name}:{number}: unknown app or kind")
        if unknown := set(phrase.slots) - set(SLOTS):
            raise PhraseTableError(f"{name}:{number}: unknown slot {sorted(unknown)[0]!r}")
        whole = phrase.kind in EVENT_KINDS + PLACEHOLDER_KINDS
        if whole == (phrase.code == "-") or not _CODE_RE.fullmatch(phrase.code):
            raise PhraseTableError(
                f"{name}:{number}: events and placeholders need a code (image, added, ...), "
                "other rows '-'"
            )
        rows.append(phrase)
    for phrase in rows:
        if phrase.source not in sources:
            raise PhraseTableError(f"{name}:{phrase.line}: source {phrase.source!r} not listed")
    return rows, sources


@cache
def phrases() -> tuple[Phrase, ...]:
    text = files("pipeline.ingest").joinpath("phrases.tsv").read_text(encoding="utf-8")
    return tuple(read_table(text)[0])


def _pattern_regex(pattern: str, index: int) -> str:
    """A pattern as a regex; its first {name} is captured as the actor, {group} as the group."""
    parts, at, actor_taken = [], 0, False
    for found in _SLOT_RE.finditer(pattern):
        parts.append(_literal(pattern[at : found.start()]))
        slot = found[1]
        if slot == "group":
            parts.append(f"(?P<group{index}>{SLOTS[slot]})")
        elif slot == "name" and not actor_taken:
            parts.append(f"(?P<actor{index}>{SLOTS[slot]})")
            actor_taken = True
        else:
            parts.append(f"(?:{SLOTS[slot]})")
        at = found.end()
    parts.append(_literal(pattern[at:]))
    return "".join(parts)


def _literal(text: str) -> str:
    return "".join(_LOOSE.get(char, re.escape(char)) for char in text)


def fold(text: str) -> str:
    """The form bodies are compared in: case-folded, without a final full stop."""
    return text.casefold().rstrip(FINAL_STOPS).rstrip()


@dataclass(frozen=True, slots=True)
class Match:
    phrase: Phrase
    actor: str = ""
    group: str = ""


class Matcher:
    """Whole-body matching against a set of phrases.

    A phrase without slots or quotes is a dict lookup. The others make two regexes:
    those with a literal start, or a literal end and no name, are tried only on a body
    with such a start or end; those that are all slots at both ends ("{name} left") could
    match almost any sentence, so they are tried only where the caller has other
    evidence of an event (no author, the mark iOS puts before events, the group or the
    actor as the author). Most bodies are a member's words and match nothing, so the
    cheap signs (a length some phrase has, a start or end some phrase has) come first.
    """

    def __init__(self, rows: list[Phrase]):
        self.exact: dict[str, Phrase] = {}
        anchored: list[Phrase] = []
        free: list[Phrase] = []
        for phrase in rows:
            if not phrase.slots and not set(phrase.pattern) & set(_LOOSE):
                self.exact.setdefault(fold(phrase.pattern), phrase)
                continue
            head, tail = _ends(phrase.pattern)
            # A literal end is a sign only where no member's name can stand before it
            # ("IMG-1.jpg (file attached)"): "only 2 left" ends like "{name} left".
            named = "name" in phrase.slots
            (anchored if len(head) >= 3 or (len(tail) >= 3 and not named) else free).append(phrase)
        # A body may end with a full stop and spaces the table leaves out.
        self.lengths = frozenset(len(k) + extra for k in self.exact for extra in range(3))
        heads = {_ends(p.pattern)[0] for p in anchored} - {""}
        self.heads_re = re.compile(alternation(sorted(heads)), re.IGNORECASE) if heads else None
        tails = {_ends(p.pattern)[1] for p in anchored if "name" not in p.slots} - {""}
        # with each full stop a body may end with: a lower-cased end is then enough
        self.tails = tuple(sorted(t + stop for t in tails for stop in ("", *FINAL_STOPS)))
        self.tail_room = max(map(len, self.tails), default=0)
        self.anchored, self.anchored_re = anchored, _alternation(anchored)
        self.free, self.free_re = free, _alternation(free)

    def match(self, body: str, *, evidence: bool) -> Match | None:
        if len(body) in self.lengths and (phrase := self.exact.get(fold(body))) is not None:
            return Match(phrase)
        if (
            self.anchored_re is not None
            and (
                (self.heads_re is not None and self.heads_re.match(body))
                or body[-self.tail_room :].lower().endswith(self.tails)
            )
            and (found := _full(self.anchored_re, self.anchored, body))
        ):
            return found
        if evidence and self.free_re is not None:
            return _full(self.free_re, self.free, body)
        return None


def _ends(pattern: str) -> tuple[str, str]:
    """The literal text before the first slot and after the last, folded; a pattern
    with a loose character (a quote) in it keeps only what precedes that."""
    head = _SLOT_RE.split(pattern)[0]
    tail = _SLOT_RE.split(pattern)[-1] if _SLOT_RE.search(pattern) else ""
    head = re.split("[\"']", head, maxsplit=1)[0]
    tail = tail if not set(tail) & {'"', "'"} else ""
    return head.casefold(), fold(tail) if tail.strip(FINAL_STOPS) else ""


def _alternation(rows: list[Phrase]) -> re.Pattern[str] | None:
    if not rows:
        return None
    alternatives = "|".join(f"(?P<p{i}>{_pattern_regex(p.pattern, i)})" for i, p in enumerate(rows))
    return re.compile(f"(?:{alternatives})[{FINAL_STOPS}]?", re.IGNORECASE | re.DOTALL)


def _full(regex: re.Pattern[str], rows: list[Phrase], body: str) -> Match | None:
    found = regex.fullmatch(body.rstrip())
    if found is None:
        return None
    index = int(found.lastgroup[1:])  # the alternative's own group closes last
    groups = found.groupdict()
    return Match(rows[index], groups.get(f"actor{index}") or "", groups.get(f"group{index}") or "")


@dataclass(frozen=True)
class Phrasebook:
    """One app's phrases that stand for a whole message (events and placeholders), in
    one matcher so that a body is folded and looked up once, and its edit markers."""

    whole: Matcher
    edited: re.Pattern[str] | None  # the marker at the end of an edited message
    edited_ends: tuple[str, ...]  # the last characters of those markers: a cheap first test

    def strip_edited(self, body: str) -> tuple[str, bool]:
        if self.edited is None:
            return body, False
        found = self.edited.search(body)
        return (body[: found.start()], True) if found else (body, False)


@cache
def phrasebook(app: str) -> Phrasebook:
    rows = [p for p in phrases() if p.app == app]
    edited = [p.pattern for p in rows if p.kind == "edited"]
    return Phrasebook(
        whole=Matcher([p for p in rows if p.kind in EVENT_KINDS + PLACEHOLDER_KINDS]),
        edited=re.compile(rf"\s*(?:{alternation(edited)})$", re.IGNORECASE) if edited else None,
        edited_ends=tuple(sorted({p[-1] for p in edited})),
    )


def of_kind(app: str, *kinds: str) -> list[Phrase]:
    return [p for p in phrases() if p.app == app and p.kind in kinds]


def meridiem_key(marker: str) -> str:
    """A clock marker as written ("a. m.", "AM", "PM") in the form the table is keyed by."""
    return _MARKER_NOISE_RE.sub("", marker).casefold()


_MARKER_NOISE_RE = re.compile("[\\s.\u00a0\u202f]")


@cache
def meridiems() -> dict[str, str]:
    """Clock markers (their meridiem_key) to "am" or "pm"."""
    return {meridiem_key(p.pattern): p.kind for p in of_kind("clock", "am", "pm")}


def alternation(patterns: list[str]) -> str:
    """A regex for any of these literal texts, longest first; a space in one matches
    the narrow and no-break spaces clocks are written with, or none."""
    ordered = sorted(set(patterns), key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace("\\ ", "[ \u00a0\u202f]?") for p in ordered)
