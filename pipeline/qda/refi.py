"""What Guyub's REFI-QDA files and its reader share: the namespaces, the GUIDs it derives,
how a chat becomes a plain-text source, and where a source says which message each of
its lines is."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_FILE = "project.qde"
SOURCES = "sources/"  # lowercase: importers look for exactly this folder
INTERNAL = "internal://"
ORIGIN = "Guyub"
EMERGENT = "Emergent topics (Guyub)"

# Every GUID Guyub writes is derived from what it names (a message id, a theme id), so
# the same run exports to the same file.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/guyub/refi-qda")


def guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def theme_guid(theme_id: str) -> str:
    return guid("code", theme_id)


# A theme's code describes it by its definition, then its Guyub id and Indonesian name,
# so that a codebook exported by Guyub comes back with the same ids.
_THEME_NOTE_RE = re.compile(r"\s*\(Guyub theme id: (\w+); ([^)]*)\)\s*$")


def theme_description(definition: str, theme_id: str, name_id: str) -> str:
    return f"{definition} (Guyub theme id: {theme_id}; {name_id})"


def theme_of_description(description: str) -> tuple[str, str, str] | None:
    """(definition, theme id, Indonesian name) of a theme code Guyub described."""
    found = _THEME_NOTE_RE.search(description or "")
    if not found:
        return None
    return description[: found.start()], found[1], found[2]


# A source's description ends with its messages' ids, one per line of its text, so
# that codings made in a QDA tool (whose selections are character ranges) come back to
# the messages they cover.
_IDS_HEAD = "Guyub message ids, one per line of the text:"
_IDS_RE = re.compile(re.escape(_IDS_HEAD) + r"\s*([0-9a-f \n]*)\s*$")


def ids_note(ids: Sequence[str]) -> str:
    return f"{_IDS_HEAD} {' '.join(ids)}"


def ids_in(description: str) -> list[str] | None:
    found = _IDS_RE.search(description or "")
    return found[1].split() if found else None


@dataclass(frozen=True)
class Line:
    """A message as one line of a source: `head` (`date time author: `) then its text."""

    id: str
    head: str
    text: str  # the message's text with its own line breaks written as spaces


def message_line(message_id: str, timestamp: str, author: str, text: str) -> Line:
    stamp = timestamp.replace("T", " ")
    head = f"{stamp} {author}: " if stamp else f"{author}: "
    return Line(message_id, head, " ".join(text.splitlines()))


def source_text(lines: Sequence[Line]) -> tuple[str, list[tuple[int, int]]]:
    """The source's plain text (one message per line, "\\n" line ends) and each
    message's text as a character range in it."""
    spans: list[tuple[int, int]] = []
    pieces: list[str] = []
    at = 0
    for line in lines:
        start = at + len(line.head)
        spans.append((start, start + len(line.text)))
        pieces.append(f"{line.head}{line.text}\n")
        at = spans[-1][1] + 1
    return "".join(pieces), spans
