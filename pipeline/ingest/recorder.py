"""Parsed messages become records: privacy first, then an id stable across exports."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

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


class Occurrences:
    """How often each message's first id (its id as occurrence 0) was seen before in
    one export, exactly, in about 12 bytes an id: an export of ten million messages
    kept them all in a dict of 1.2 GB. An id is 16 hex digits, 64 bits: the ids of
    earlier batches are kept as a sorted array of them with their counts, looked up a
    batch at a time; the latest ones in a dict, merged into the array as it fills."""

    RECENT = 1 << 20  # ids in the dict before they are merged into the array

    def __init__(self) -> None:
        self.recent: dict[str, int] = {}
        self.keys = np.empty(0, dtype=np.uint64)
        self.counts = np.empty(0, dtype=np.int64)

    def count(self, firsts: Sequence[str]) -> list[int]:
        """Each id's occurrence number (how often it was seen before, earlier ones of
        this batch included), counting them in."""
        earlier = [0] * len(firsts)
        if len(self.keys):
            keys = np.fromiter((int(f, 16) for f in firsts), np.uint64, len(firsts))
            at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            earlier = np.where(self.keys[at] == keys, self.counts[at], 0).tolist()
        recent, numbers = self.recent, []
        for first, before in zip(firsts, earlier, strict=True):
            seen = recent.get(first, 0)
            numbers.append(before + seen)
            recent[first] = seen + 1
        if len(recent) >= self.RECENT:
            self._merge()
        return numbers

    def _merge(self) -> None:
        keys = np.fromiter((int(f, 16) for f in self.recent), np.uint64, len(self.recent))
        counts = np.fromiter(self.recent.values(), np.int64, len(self.recent))
        self.keys, where = np.unique(np.concatenate([self.keys, keys]), return_inverse=True)
        self.counts = np.bincount(where, np.concatenate([self.counts, counts])).astype(np.int64)
        self.recent = {}


class Recorder:
    """The records of one export, in order, and the lines they cover."""

    def __init__(self, chat: str, platform: str, source: str, privacy: Privacy):
        self.chat, self.platform, self.source = privacy.chat(chat), platform, mask_path(source)
        self.author, self.mask, self.chat_of = privacy.author, privacy.text, privacy.chat
        self.lines = 0  # input lines that ended up in a record
        self.occurrences = Occurrences()

    def record_all(self, items: Sequence[RawMessage]) -> list[Message]:
        """The records of a batch of parsed messages, the next in the export."""
        chats = [self.chat_of(item.chat) if item.chat else self.chat for item in items]
        authors = [self.author(item.author) for item in items]
        texts = [self.mask(item.text) for item in items]
        # A placeholder or an event is identified by its kind and code, not by the
        # phone's words: the same photo or "Rina added Dodi" in exports taken in two
        # phone languages ("<Media omitted>", "<Media tidak disertakan>") is one record.
        keys = [
            f"{item.kind}:{item.code}" if item.kind in LANGUAGE_FREE_KINDS else text
            for item, text in zip(items, texts, strict=True)
        ]
        firsts = [
            message_id(chat, item.timestamp, author, key, 0)
            for item, chat, author, key in zip(items, chats, authors, keys, strict=True)
        ]
        records = []
        for i, occurrence in enumerate(self.occurrences.count(firsts)):
            item = items[i]
            ident = (
                message_id(chats[i], item.timestamp, authors[i], keys[i], occurrence)
                if occurrence
                else firsts[i]
            )
            records.append(
                Message(
                    ident,
                    chats[i],
                    self.platform,
                    self.source,
                    item.line,
                    item.timestamp,
                    authors[i],
                    item.kind,
                    texts[i],
                    item.edited,
                    item.code,
                )
            )
            self.lines += item.n_lines
        return records
