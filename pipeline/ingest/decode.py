"""Turn an export file's bytes into text, or say clearly why it cannot be read."""

from __future__ import annotations

import codecs

BINARY_SNIFF_BYTES = 8192


class IngestError(ValueError):
    """An input that cannot be read; names the file and the line."""

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.source, self.line, self.reason = source, line, reason


def decode_export(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, as exports are written."""
    if not data or data.isspace():  # (not a stripped copy of the whole export)
        raise IngestError(source, 1, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(source, _line_of(data, err.start), "not valid UTF-16") from None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise IngestError(
            source, _line_of(data, data.index(b"\x00")), "binary data, not a text export"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(
            source, _line_of(data, err.start), f"not UTF-8 text (byte 0x{data[err.start]:02x})"
        ) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
