"""A project coded by people, read back as labelled messages (`guyub import-codes`).

Each message of each source gets a row per coder: its id, the coder, the codebook's
themes the coder gave it (codes nested under a theme count as that theme), and the
codes that are not in the codebook, by name (listed, never dropped). A QDA tool codes
character ranges: a selection codes every message whose line it touches.

Which message a line is: a source Guyub exported names its messages' ids in its
description; any other text source (the researcher's own export of a chat, a
transcript) is read as Guyub reads an export, and its messages get the ids a run
gives them. Codings Guyub made and a person left in place were accepted by that
person: they are theirs (`--coder`), as are codings whose tool named no user."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_document
from pipeline.ingest.common import Document
from pipeline.ingest.decode import IngestError
from pipeline.model.agreement import GUYUB, agreement
from pipeline.model.study import DataError, Theme, json_lines
from pipeline.privacy import Privacy
from pipeline.qda.read import Code, Project, Source
from pipeline.qda.refi import ORIGIN, ids_in, theme_guid
from pipeline.report.data import RunData, run_themes

# the fields of a coded file, in order (`guyub import-codes` replaces only such files)
CODED_FIELDS = ("id", "coder", "themes", "text", "chat", "other_codes")


@dataclass(frozen=True)
class Unit:
    """A message of a source: its id, text, and the characters of its line(s)."""

    id: str
    text: str
    start: int
    end: int


@dataclass
class Imported:
    rows: list[dict[str, object]]
    other_codes: Counter[str] = field(default_factory=Counter)  # not in the codebook: uses
    skipped: Counter[str] = field(default_factory=Counter)  # why -> how many


def coded_messages(
    project: Project,
    themes: Sequence[Theme],
    coder: str,
    ingest: IngestConfig,
    privacy: PrivacyConfig,
) -> Imported:
    theme_of = code_themes(project.codes, themes)
    order = {theme.id: i for i, theme in enumerate(themes)}
    result = Imported([])
    given: dict[tuple[str, str], set[str]] = defaultdict(set)  # (coder, id) -> themes
    others: dict[tuple[str, str], set[str]] = defaultdict(set)
    coders: set[str] = set()
    units_of: list[tuple[Source, list[Unit]]] = []
    for source in project.sources:
        try:
            units = source_units(source, ingest, privacy)
        except IngestError as err:
            result.skipped[f"source {source.name!r} read as no chat ({err})"] += 1
            continue
        units_of.append((source, units))
        if source.codings:
            result.skipped["codings of a whole source (not of its messages)"] += len(source.codings)
        starts = [u.start for u in units]
        ends = [u.end for u in units]
        for selection in source.selections:
            # the units whose characters the selection touches
            first = bisect_right(ends, selection.start)
            last = bisect_left(starts, max(selection.end, selection.start + 1))
            touched = units[first:last]
            if not touched:
                result.skipped["selections over no message"] += 1
                continue
            for coding in selection.codings:
                person = _person(project.users.get(coding.user, ""), coder)
                coders.add(person)
                theme = theme_of.get(coding.code)
                for unit in touched:
                    if theme is not None:
                        given[person, unit.id].add(theme)
                    else:
                        name = _code_name(project.codes, coding.code)
                        others[person, unit.id].add(name)
                        result.other_codes[name] += 1
    for person in sorted(coders or {coder}):
        for source, units in units_of:
            for unit in units:
                result.rows.append(
                    {
                        "id": unit.id,
                        "coder": person,
                        "themes": sorted(given[person, unit.id], key=order.__getitem__),
                        "text": unit.text,
                        "chat": source.name,
                        "other_codes": sorted(others[person, unit.id]),
                    }
                )
    return result


def code_themes(codes: dict[str, Code], themes: Sequence[Theme]) -> dict[str, str]:
    """Code guid -> theme id: a code Guyub wrote for a theme, or named as a theme (its
    id, English or Indonesian name, in any case), or nested under such a code."""
    by_name: dict[str, str] = {}
    for theme in themes:
        for name in (theme.id, theme.name_en, theme.name_id):
            by_name[name.casefold()] = theme.id
    by_guid = {theme_guid(theme.id): theme.id for theme in themes}
    found: dict[str, str] = {}
    for code in codes.values():  # parents come before their children
        theme = by_guid.get(code.guid) or by_name.get(code.name.strip().casefold())
        if theme is None and code.parent is not None:
            theme = found.get(code.parent)
        if theme is not None:
            found[code.guid] = theme
    return found


def source_units(source: Source, ingest: IngestConfig, privacy: PrivacyConfig) -> list[Unit]:
    """The source's messages with their character ranges (see the module's note)."""
    ids = ids_in(source.description)
    lines = _lines(source.text)
    if ids is not None and len(ids) == len(lines):
        return [
            Unit(id, text.split(": ", 1)[-1], start, end)
            for id, (text, start, end) in zip(ids, lines, strict=True)
        ]
    return _read_as_export(source, lines, ingest, privacy)


def _lines(text: str) -> list[tuple[str, int, int]]:
    """Each line's text (without its line end) and its characters, line end included."""
    found = []
    at = 0
    for line in text.splitlines(keepends=True):
        found.append((line.rstrip("\r\n"), at, at + len(line)))
        at += len(line)
    return found


def _read_as_export(
    source: Source, lines: list[tuple[str, int, int]], ingest: IngestConfig, privacy: PrivacyConfig
) -> list[Unit]:
    records = []
    document = Document(
        source=source.name,
        chat=source.name,
        name=f"{source.name}.txt",
        data=source.text.encode("utf-8"),
    )
    read_document(document, ingest, Privacy(privacy), records.extend)
    # a record runs from its first line to the line before the next record's
    starts = [r.line for r in records]
    units = []
    for i, record in enumerate(records):
        if record.kind != "message":
            continue
        last = (starts[i + 1] - 1) if i + 1 < len(records) else len(lines)
        first_line, last_line = lines[record.line - 1], lines[max(last, record.line) - 1]
        units.append(Unit(record.id, record.text, first_line[1], last_line[2]))
    return units


def _person(user: str, coder: str) -> str:
    """Who stands behind a coding: its user, unless the tool named none or it is
    Guyub's own (kept by the person who reviewed it)."""
    if not user or user.startswith(f"{ORIGIN} "):
        return coder
    return user


def _code_name(codes: dict[str, Code], guid: str) -> str:
    code = codes.get(guid)
    if code is None:
        return f"(a code the project does not define: {guid})"
    path = [code.name]
    while code.parent is not None and code.parent in codes:
        code = codes[code.parent]
        path.append(code.name)
    return " > ".join(reversed(path))


def load_coded(path: Path, theme_ids: Sequence[str]) -> dict[str, dict[str, set[str]]]:
    """A coded file (`guyub import-codes`, or written by hand: `{"id", "coder",
    "themes"}` per line) as coder -> message id -> themes; a line without an id or
    coder, or with a theme the codebook lacks, is an error naming it."""
    known = set(theme_ids)
    coded: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for number, row in json_lines(path, "{'id', 'coder', 'themes'}"):
        try:
            message, person, themes = str(row["id"]), str(row["coder"]), set(row["themes"])
        except (KeyError, TypeError) as err:
            raise DataError(
                f"{path}:{number}: not an {{'id', 'coder', 'themes'}} object ({err})"
            ) from None
        unknown = sorted(themes - known)
        if unknown:
            raise DataError(f"{path}:{number}: theme(s) {unknown} are not in the run's codebook")
        coded[person].setdefault(message, set()).update(themes)
    return dict(coded)


def agreement_with_run(data: RunData, coded: Path, rounds: int = 1000) -> dict[str, object]:
    """`guyub agreement`: the coders of a coded file against the run's themes and one
    another; how many coded messages the run does not hold (left out)."""
    labels = load_coded(coded, data.theme_ids)
    wanted = set().union(*(set(by_id) for by_id in labels.values()))
    labels[GUYUB] = run_themes(data.messages, wanted)
    result = agreement(labels, data.theme_ids, rounds)
    result["not_in_run"] = len(wanted - labels[GUYUB].keys())
    result["coded_file"] = Path(coded).name
    return result
