"""Turn an export file's bytes into text, or say clearly why it cannot be read."""

from __future__ import annotations

import codecs

BINARY_SNIFF_BYTES = 8192


class IngestError(ValueError):
    """An input that cannot be read; names the file and, where one is to blame, the line."""

    def __init__(self, source: str, line: int | None, reason: str):
        super().__init__(f"{source}:{line}: {reason}" if line else f"{source}: {reason}")
        self.source, self.line, self.reason = source, line, reason


# How to get a file this reader can read, said with every decoding error.
SAVE_AS_UTF8 = (
    "save it as UTF-8 and try again (Excel: Save As > CSV UTF-8; a text editor: "
    "Save As > Encoding UTF-8); chat apps' own exports are always UTF-8"
)


def decode_export(data: bytes, source: str, *, legacy: bool = False) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) or UTF-16 with a BOM, as chat apps
    write exports; with `legacy`, for tables and transcripts people save from other
    programs, also an older encoding (Windows-1252, Latin-1, ...) that charset-normalizer
    recognises."""
    if not data or data.isspace():  # (not a stripped copy of the whole export)
        raise IngestError(source, 1, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf_16"
        except UnicodeDecodeError as err:
            raise IngestError(source, _line_of(data, err.start), "not valid UTF-16") from None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise IngestError(
            source, _line_of(data, data.index(b"\x00")), "binary data, not a text export"
        )
    try:
        return data.decode("utf-8-sig"), "utf_8"
    except UnicodeDecodeError as err:
        if legacy and (guess := _legacy_encoding(data)):
            return guess
        raise IngestError(
            source,
            _line_of(data, err.start),
            f"not UTF-8 text (byte 0x{data[err.start]:02x}): {SAVE_AS_UTF8}",
        ) from None


# The code pages Windows saves tables and documents in, for the languages of Guyub's
# users; Western European (cp1252, what Excel writes on Indonesian and English Windows)
# is tried alone first. Left free, charset-normalizer takes a short Western text for an
# old Mac code page (José -> Josť).
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1256", "latin_1")


def _legacy_encoding(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes  # only for the rare file that needs it

    for isolation in (LEGACY_ENCODINGS[:1], LEGACY_ENCODINGS):
        best = from_bytes(data, cp_isolation=list(isolation)).best()
        if best is not None:
            return str(best), best.encoding
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
