"""Open inputs as Documents: plain files, and the chat file inside a zip export.

A zip ("export with media") is read in memory, never extracted. Its entries' paths and
declared sizes come from whoever made the file, so absolute or `..` paths and absurd
sizes or compression ratios are refused, and the chat file is read with a hard cap
whatever its header claims.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pipeline.ingest.common import Document
from pipeline.ingest.decode import IngestError
from pipeline.ingest.phrases import alternation, of_kind

MAX_CHAT_BYTES = 1 << 30  # 1 GiB of chat text is far beyond any real group's history
MAX_RATIO = 200  # text compresses ~5-10x; a ratio in the hundreds is a zip bomb
CHAT_SUFFIXES = (".txt", ".json", ".csv", ".jsonl")
# What the apps write before the chat's name in an export's file name (phrases.tsv).
_TITLE_RE = re.compile(
    "^(?:"
    + alternation(
        [
            p.pattern.split("{group}")[0].rstrip()
            for app in ("whatsapp", "line")
            for p in of_kind(app, "file-title")
        ]
    )
    + r")\s*",
    re.IGNORECASE,
)
# What zipfile raises for a damaged or unreadable archive or member: bad CRC or header,
# a cut-off file, an unsupported compression or zip version, a password.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
# Office documents are zips too; a file inside tells which one a renamed file is.
OFFICE_FILES = {
    "word/document.xml": "a Word document (.docx)",
    "xl/workbook.xml": "an Excel workbook (.xlsx)",
    "ppt/presentation.xml": "a PowerPoint file (.pptx)",
    "content.xml": "an OpenDocument file (.odt, .ods)",
}
_DOWNLOAD_COPY_RE = re.compile(r"\s*\(\d+\)$")  # "Group (1).txt": a second download


# The name WhatsApp for iPhone gives every export: it tells nothing about the chat.
GENERIC_CHAT_FILES = ("_chat.txt",)


def chat_name(path: Path | PurePosixPath) -> str:
    """The group's name as the app writes it into the export's file name; "" where the
    name is the same for every export (the chat's name is then learned from inside)."""
    if path.name in GENERIC_CHAT_FILES:
        return ""
    name = _DOWNLOAD_COPY_RE.sub("", _TITLE_RE.sub("", path.stem)).strip()
    return name or path.stem


# What a folder given as an input is searched for: the files chat apps export.
EXPORT_SUFFIXES = (".txt", ".zip", ".json", ".csv", ".jsonl", ".parquet")


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Each folder among the inputs replaced by the exports in it (any depth, hidden
    files and folders left out); files, and folders with no export, as given (reading
    them then says what is wrong)."""
    expanded: list[Path] = []
    for path in paths:
        path = Path(path)
        found = []
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in EXPORT_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        expanded.extend(found or [path])
    return expanded


def refuse_special_file(path: Path) -> None:
    """A FIFO or a device would block the read or never end: refused without reading."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise IngestError(str(path), None, "not a regular file (a pipe or a device); refused")


def open_document(path: Path) -> Document:
    """A zip export is read into memory (its chat file, capped); any other file is
    read as its reader needs it, an export of millions of messages a block at a time."""
    refuse_special_file(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
        if path.suffix.lower() == ".zip" or magic == b"PK\x03\x04":
            return _document_in_zip(path, path.read_bytes())
    except FileNotFoundError:
        raise IngestError(str(path), None, "no such file or folder") from None
    except IsADirectoryError:
        raise IngestError(str(path), None, "a folder holding no chat export") from None
    except OSError as err:
        raise IngestError(str(path), None, err.strerror or str(err)) from None
    return Document(source=str(path), chat=chat_name(path), name=path.name, path=path)


def _unsafe(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    return pure.is_absolute() or ".." in pure.parts or bool(re.match(r"^[A-Za-z]:", name))


def open_zip(data: bytes, source: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """A zip read in memory, and its entries; refused if any entry's path is unsafe
    (absolute, `..`, a drive letter)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except ZIP_ERRORS as err:
        raise IngestError(source, None, f"not a readable zip ({err})") from None
    for entry in entries:
        if _unsafe(entry.filename):
            raise IngestError(
                source, 1, f"zip entry {entry.filename!r} has an unsafe path; refused"
            )
    return archive, entries


def read_zip_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, source: str) -> bytes:
    """An entry's bytes, read with a hard cap whatever its header claims; absurd sizes
    or compression ratios and encrypted entries are refused."""
    if entry.file_size > MAX_CHAT_BYTES:
        raise IngestError(
            source, 1, f"zip entry {entry.filename!r} claims {entry.file_size} bytes; refused"
        )
    if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
        raise IngestError(
            source, 1, f"zip entry {entry.filename!r} has an absurd compression ratio; refused"
        )
    if entry.flag_bits & 0x1:
        raise IngestError(
            source,
            None,
            "the zip is encrypted (made with a password): export it again without one",
        )
    try:
        with archive.open(entry) as handle:
            content = handle.read(MAX_CHAT_BYTES + 1)
    except ZIP_ERRORS as err:
        # a damaged member (bad CRC, bad header), or a compression zipfile cannot read
        raise IngestError(
            source, None, f"zip entry {entry.filename!r} cannot be read ({err}); the zip is damaged"
        ) from None
    if len(content) > MAX_CHAT_BYTES:
        raise IngestError(
            source, 1, f"zip entry {entry.filename!r} is larger than its header says; refused"
        )
    return content


def _document_in_zip(path: Path, data: bytes) -> Document:
    source = str(path)
    archive, entries = open_zip(data, source)
    chats = [e for e in entries if not e.is_dir() and e.filename.lower().endswith(CHAT_SUFFIXES)]
    if not chats:
        names = {e.filename for e in entries}
        for marker, what in OFFICE_FILES.items():
            if marker in names:
                raise IngestError(
                    source,
                    None,
                    f"{what}, not a chat export: export the chat from the app instead "
                    "(WhatsApp: the chat's menu > More > Export chat)",
                )
        raise IngestError(source, None, "zip holds no chat file (.txt, .json, .csv, .jsonl)")
    # WhatsApp names the chat "_chat.txt" (iOS) or after the group (Android); media files
    # sit beside it. Prefer those names, then the largest text file.
    chats.sort(key=lambda e: (not _looks_like_chat(e.filename), -e.file_size, e.filename))
    entry = chats[0]
    content = read_zip_entry(archive, entry, source)
    inner = PurePosixPath(entry.filename)
    chat = chat_name(inner) or chat_name(path)
    return Document(source=f"{source}!{entry.filename}", chat=chat, name=inner.name, data=content)


def _looks_like_chat(name: str) -> bool:
    base = PurePosixPath(name).name
    return base in GENERIC_CHAT_FILES or bool(_TITLE_RE.match(base)) or base == "result.json"
