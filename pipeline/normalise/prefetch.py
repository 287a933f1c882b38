"""Normalise message texts on the second core while the first one parses the exports.

Parsing is one process's work, and normalising waits for it: on a million messages the
second core sat idle for the ten seconds of parsing. A forked process now reads the
same WhatsApp exports roughly (header lines only, each text as the line gives it) and
normalises the texts it finds until the parse is done. Its results are a cache, not an
answer: normalisation is a function of the text alone, so a text the rough read got
wrong (a multi-line message, an edited marker) is simply not found there and is
normalised later like any other. It also hands back its Sastrawi stems, the slowest
thing to learn, so that the processes that normalise the rest start warm.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from pipeline.collector import collector_paused
from pipeline.config import PrivacyConfig
from pipeline.forked import can_fork, worker_count
from pipeline.ingest.decode import IngestError
from pipeline.ingest.sources import open_document
from pipeline.ingest.whatsapp import LAYOUTS, sniff_layout, split_author
from pipeline.normalise import Normalised, Normaliser
from pipeline.privacy import Privacy

# Below this much input, parsing is over before a second process would pay for itself.
PREFETCH_MIN_BYTES = 8_000_000
# How often (in lines) the reader looks whether the parse has finished.
_CHECK_EVERY = 1024

Prefetched = dict[str, Normalised]


class Prefetch:
    """`start` before parsing, `collect` after it: the texts normalised meanwhile."""

    def __init__(self, process=None, connection: Connection | None = None, stop=None):
        self._process, self._connection, self._stop = process, connection, stop
        self.stems: dict[str, str] = {}

    @classmethod
    def start(
        cls, inputs: Sequence[Path], normaliser: Normaliser, privacy: PrivacyConfig
    ) -> Prefetch:
        """A running prefetch, or an idle one when the inputs are small or the
        platform cannot fork (results are the same either way)."""
        size = sum(p.stat().st_size for p in inputs if p.is_file())
        if size < PREFETCH_MIN_BYTES or worker_count(normaliser.config.workers) < 2:
            return cls()
        if not normaliser.config.prefetch or not can_fork():
            return cls()
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        stop = context.Event()
        process = context.Process(
            target=_prefetch, args=(list(inputs), normaliser, privacy, sender, stop), daemon=True
        )
        process.start()
        sender.close()
        return cls(process, receiver, stop)

    def collect(self, *, finish: bool = False) -> Prefetched:
        """Stop the reader (or, with `finish`, let it read everything) and take what it
        normalised; its stems are left in `stems`."""
        if self._process is None:
            return {}
        if not finish:
            self._stop.set()
        try:
            texts, results, stems = self._connection.recv()
        except EOFError:  # the reader died; everything is normalised the usual way
            return {}
        finally:
            self._process.join()
        self.stems = stems
        return {
            text: Normalised(readable, tokens, lang)
            for text, (readable, tokens, lang) in zip(texts, results, strict=True)
        }

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _prefetch(
    inputs: list[Path], normaliser: Normaliser, privacy_config: PrivacyConfig, sender, stop
) -> None:
    privacy = Privacy(privacy_config)
    done: dict[str, tuple[str, list[str], str]] = {}
    with collector_paused():
        for text in _rough_texts(inputs, privacy, stop):
            if text not in done:
                result = normaliser(text)
                done[text] = (result.text, result.tokens, result.lang)
    sender.send((list(done), list(done.values()), normaliser.stems()))
    sender.close()


def _rough_texts(inputs: list[Path], privacy: Privacy, stop):
    """Message texts as header lines give them, from the WhatsApp exports among the
    inputs, until `stop` is set."""
    for path in inputs:
        try:
            document = open_document(path)
            lines = document.lines
        except IngestError:
            continue
        layout = sniff_layout(lines)
        if layout is None:
            continue
        pattern = LAYOUTS[layout]
        for number, line in enumerate(lines):
            if number % _CHECK_EVERY == 0 and stop.is_set():
                return
            found = pattern.match(line)
            if found is None:
                continue
            _, text, is_system = split_author(found["rest"], document.chat)
            if not is_system:
                yield privacy.text(text.strip())
