"""Parsed messages become records: privacy first, then an id stable across exports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pipeline.ingest.common import RawMessage
from pipeline.privacy import Privacy, mask_path
from pipeline.records import Message


def message_id(chat: str, timestamp: str, author: str, text: str, occurrence: int) -> str:
    """Stable across overlapping exports of one chat. `occurrence` numbers identical
    messages within one export (two "ok"s in the same minute), so that real repeats
    are kept while the same message seen in two exports still collapses."""
    key = "\x1f".join((chat, timestamp, author, text, str(occurrence)))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# Kinds whose words are the app's, not the member's: their ids leave the words out.
LANGUAGE_FREE_KINDS = ("media", "deleted", "system")


class Recorder:
    """The records of one export, in order, and the lines they cover."""

    def __init__(self, chat: str, platform: str, source: str, privacy: Privacy):
        self.chat, self.platform, self.source = privacy.chat(chat), platform, mask_path(source)
        self.author, self.mask, self.chat_of = privacy.author, privacy.text, privacy.chat
        self.records: list[Message] = []
        self.lines = 0  # input lines that ended up in a record
        # How often a message was seen, by its first id (that of occurrence 0): a short
        # key, where the whole (chat, timestamp, author, text) would be a tuple to make,
        # hash and keep for each message.
        self.seen: dict[str, int] = {}

    def record(self, item: RawMessage) -> Message:
        chat = self.chat_of(item.chat) if item.chat else self.chat
        author = self.author(item.author)
        text = self.mask(item.text)
        # A placeholder or an event is identified by its kind and code, not by the phone's words:
        # the same photo or "Rina added Dodi" in exports taken in two phone languages
        # ("<Media omitted>", "<Media tidak disertakan>") is one record.
        key = f"{item.kind}:{item.code}" if item.kind in LANGUAGE_FREE_KINDS else text
        first = message_id(chat, item.timestamp, author, key, 0)
        occurrence = self.seen.get(first, 0)
        self.seen[first] = occurrence + 1
        record = Message(
            message_id(chat, item.timestamp, author, key, occurrence) if occurrence else first,
            chat,
            self.platform,
            self.source,
            item.line,
            item.timestamp,
            author,
            item.kind,
            text,
            item.edited,
            item.code,
        )
        self.records.append(record)
        self.lines += item.n_lines
        return record

    def record_all(self, items: Iterable[RawMessage]) -> None:
        for item in items:
            self.record(item)
