"""REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`) read back, from Guyub or from any
QDA tool: their users, codes (as a tree), text sources and the codings on them.

A project is a zip made elsewhere: it is read in memory, never extracted, and only
`project.qde` and the text files its sources name are read, each with the caps of
`ingest.sources` (unsafe paths, absurd sizes and ratios refused)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from pipeline.ingest.decode import IngestError
from pipeline.ingest.sources import open_zip, read_zip_entry
from pipeline.qda.refi import CODEBOOK_NS, INTERNAL, PROJECT_NS, SOURCES


class QdaError(ValueError):
    """A file that is not a REFI-QDA project or codebook Guyub can read; names it."""


@dataclass(frozen=True)
class Code:
    guid: str
    name: str
    description: str
    parent: str | None  # the enclosing code's guid
    codable: bool = True  # false: a folder of codes, not a code to code with


@dataclass(frozen=True)
class Coding:
    code: str  # the code's guid
    user: str  # the guid of the user who made it ("" when the tool did not say)


@dataclass(frozen=True)
class Selection:
    start: int
    end: int
    codings: tuple[Coding, ...]


@dataclass
class Source:
    guid: str
    name: str
    text: str
    description: str
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # of the whole source


@dataclass
class Project:
    origin: str
    users: dict[str, str]  # guid -> name
    codes: dict[str, Code]  # in the codebook's order, parents before children
    sources: list[Source]


def read_project(path: Path) -> Project:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise QdaError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        archive, entries = open_zip(data, source)
        by_name = {e.filename: e for e in entries if not e.is_dir()}
        qde = [n for n in by_name if PurePosixPath(n).suffix.lower() == ".qde"]
        if len(qde) != 1:
            raise QdaError(f"{path}: a .qdpx holds one .qde project file; this holds {len(qde)}")
        root = _parse(read_zip_entry(archive, by_name[qde[0]], source), path, PROJECT_NS, "Project")

        def text_of(element: ET.Element) -> str:
            content = element.find(_q(PROJECT_NS, "PlainTextContent"))
            if content is not None:
                return content.text or ""
            where = element.get("plainTextPath", "")
            inner = where[len(INTERNAL) :] if where.startswith(INTERNAL) else where
            entry = by_name.get(f"{SOURCES}{inner}") or by_name.get(inner)
            if entry is None:
                raise QdaError(f"{path}: source {element.get('name')!r} names {where!r}, not in it")
            # UTF-8 as the standard says; a BOM some tools write is not text
            return read_zip_entry(archive, entry, source).decode("utf-8-sig", errors="replace")

        return Project(
            origin=root.get("origin", ""),
            users={u.get("guid", ""): u.get("name", "") for u in root.iter(_q(PROJECT_NS, "User"))},
            codes=_codes(root.find(_q(PROJECT_NS, "CodeBook")), PROJECT_NS),
            sources=[_source(s, text_of(s)) for s in root.iter(_q(PROJECT_NS, "TextSource"))],
        )
    except IngestError as err:
        raise QdaError(str(err)) from None
    except ValueError as err:  # a position that is not a number
        raise QdaError(f"{path}: a selection's position is not a whole number ({err})") from None


def read_codebook(path: Path) -> dict[str, Code]:
    return _codes(_codebook_root(path), CODEBOOK_NS)


def origin_of(path: Path) -> str:
    """Which program made a project (.qdpx) or codebook (.qdc)."""
    if Path(path).suffix.lower() == ".qdc":
        return _codebook_root(path).get("origin", "")
    return read_project(path).origin


def _codebook_root(path: Path) -> ET.Element:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise QdaError(f"{path}: cannot read ({err.strerror or err})") from None
    return _parse(data, path, CODEBOOK_NS, "CodeBook")


def _parse(data: bytes, path: Path, ns: str, root_name: str) -> ET.Element:
    # Python's expat refuses entity-expansion bombs, and ElementTree fetches no
    # external entity: a project made elsewhere cannot make this read another file.
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise QdaError(f"{path}: not well-formed XML ({err})") from None
    if root.tag != _q(ns, root_name):
        raise QdaError(f"{path}: not a REFI-QDA {root_name.lower()} (its root is {root.tag})")
    return root


def _codes(book: ET.Element | None, ns: str) -> dict[str, Code]:
    codes: dict[str, Code] = {}
    if book is None:
        return codes
    holder = book.find(_q(ns, "Codes"))

    def walk(element: ET.Element, parent: str | None) -> None:
        for child in element.findall(_q(ns, "Code")):
            description = child.find(_q(ns, "Description"))
            code = Code(
                child.get("guid", ""),
                child.get("name", ""),
                (description.text or "") if description is not None else "",
                parent,
                child.get("isCodable", "true").strip().lower() in ("true", "1"),
            )
            codes[code.guid] = code
            walk(child, code.guid)

    if holder is not None:
        walk(holder, None)
    return codes


def _source(element: ET.Element, text: str) -> Source:
    ns = PROJECT_NS
    description = element.find(_q(ns, "Description"))
    source = Source(
        element.get("guid", ""),
        element.get("name", ""),
        text,
        (description.text or "") if description is not None else "",
    )
    for selection in element.findall(_q(ns, "PlainTextSelection")):
        source.selections.append(
            Selection(
                int(selection.get("startPosition", "0")),
                int(selection.get("endPosition", "0")),
                _codings(selection),
            )
        )
    source.codings.extend(_codings(element))
    return source


def _codings(element: ET.Element) -> tuple[Coding, ...]:
    ns = PROJECT_NS
    found = []
    for coding in element.findall(_q(ns, "Coding")):
        ref = coding.find(_q(ns, "CodeRef"))
        if ref is not None:
            found.append(Coding(ref.get("targetGUID", ""), coding.get("creatingUser", "")))
    return tuple(found)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"
