"""Normalise message texts on the second core while the first one parses the exports.

Parsing is one process's work, and normalising waits for it: on a million messages the
second core sat idle for the ten seconds of parsing. A forked process now reads the
same WhatsApp exports roughly (header lines only, each text as the line gives it) and
normalises the texts it finds until the parse is done. Its results are a cache, not an
answer: normalisation is a function of the text alone, so a text the rough read got
wrong (a multi-line message, an edited marker) is simply not found there and is
normalised later like any other. It also hands back its Sastrawi stems, the slowest
thing to learn, so that the processes that normalise the rest start warm.

It sits beside the stages, not inside normalise/: it reads exports with ingest's header
grammar and feeds the normaliser, so it belongs to neither. It leaves with the
fork-based map when the work moves to Dask (#27).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import EngineConfig, PrivacyConfig
from pipeline.engine.cluster import worker_count
from pipeline.engine.collector import collector_paused
from pipeline.ingest.decode import IngestError
from pipeline.ingest.sources import open_document
from pipeline.ingest.whatsapp import HEADER_LINES, SNIFF_LINES, sniff_layout, split_author
from pipeline.normalise import Normalised, Normaliser
from pipeline.privacy import Privacy

# Below this much input, parsing is over before a second process would pay for itself.
PREFETCH_MIN_BYTES = 8_000_000
# How often (in headers) the reader looks whether the parse has finished, and how many
# results it writes at a time.
_CHECK_EVERY = 1024
_BATCH = 2000

Prefetched = dict[str, Normalised]


class Prefetch:
    """`start` before parsing, `collect` after it: the texts normalised meanwhile.

    The reader writes its results to a private temporary file in batches as it goes (a
    pipe would stall it whenever this busy process was slow to read), so when the parse
    ends there is little left for it to write."""

    def __init__(self, process=None, spool: Path | None = None, stop=None, normaliser=None) -> None:
        self._process, self._spool, self._stop = process, spool, stop
        self._normaliser = normaliser
        self.stems: dict[str, str] = {}

    @classmethod
    def start(
        cls,
        inputs: Sequence[Path],
        normaliser: Normaliser,
        privacy: PrivacyConfig,
        engine: EngineConfig,
    ) -> Prefetch:
        """A running prefetch, or an idle one when the inputs are small or the
        platform cannot fork (results are the same either way)."""
        size = sum(p.stat().st_size for p in inputs if p.is_file())
        if size < PREFETCH_MIN_BYTES or worker_count(engine.workers) < 2:
            return cls()
        if not engine.prefetch or "fork" not in multiprocessing.get_all_start_methods():
            return cls()
        handle, name = tempfile.mkstemp(prefix="guyub-prefetch-", suffix=".jsonl")
        os.close(handle)
        context = multiprocessing.get_context("fork")
        stop = context.Event()
        process = context.Process(
            target=_prefetch,
            args=(list(inputs), normaliser, privacy, Path(name), stop),
            daemon=True,
        )
        process.start()
        return cls(process, Path(name), stop, normaliser)

    def collect(self, *, finish: bool = False) -> Prefetched:
        """Stop the reader (or, with `finish`, let it read everything) and take what it
        normalised; the normaliser given to `start` adopts its stems (also in `stems`)."""
        if self._process is None:
            return {}
        if not finish:
            self._stop.set()
        self._process.join()
        if self._process.exitcode != 0:
            return {}  # the reader failed: everything is normalised the usual way
        known: Prefetched = {}
        # JSON, not pickle: reading it back can run no code, whoever touched the file
        with self._spool.open(encoding="utf-8") as spool:
            for line in spool:
                record = json.loads(line)
                if isinstance(record, dict):
                    self.stems = record
                    continue
                for text, readable, tokens, lang in record:
                    known[text] = Normalised(readable, tokens, lang)
        self._normaliser.adopt_stems(self.stems)
        return known

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
        if self._spool is not None:
            self._spool.unlink(missing_ok=True)


def _prefetch(
    inputs: list[Path], normaliser: Normaliser, privacy_config: PrivacyConfig, spool: Path, stop
) -> None:
    """Writes JSON lines: batches of [text, readable, tokens, lang], then the stems
    learned as one object."""
    privacy = Privacy(privacy_config)
    seen: set[str] = set()
    batch: list[tuple[str, str, list[str], str]] = []
    with collector_paused(), spool.open("w", encoding="utf-8") as out:
        for text in _rough_texts(inputs, privacy, stop):
            if text in seen:
                continue
            seen.add(text)
            result = normaliser(text)
            batch.append((text, result.text, result.tokens, result.lang))
            if len(batch) == _BATCH:
                out.write(json.dumps(batch, ensure_ascii=False) + "\n")
                batch = []
        out.write(json.dumps(batch, ensure_ascii=False) + "\n")
        out.write(json.dumps(normaliser.stems(), ensure_ascii=False) + "\n")


def _rough_texts(inputs: list[Path], privacy: Privacy, stop):
    """Message texts as header lines give them, from the WhatsApp exports among the
    inputs, until `stop` is set."""
    for path in inputs:
        try:
            document = open_document(path)
            text = document.text
            layout = sniff_layout(document.head(SNIFF_LINES))
        except IngestError:
            continue
        if layout is None:
            continue
        headers = HEADER_LINES[layout].finditer(text)
        for number, found in enumerate(headers):
            if number % _CHECK_EVERY == 0 and stop.is_set():
                return
            author, body = split_author(found["rest"])
            if author:
                yield privacy.text(body.strip())
