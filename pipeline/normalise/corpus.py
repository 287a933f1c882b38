"""The corpus a model reads in memory: messages (kind `message`) with their normalised
forms (a run's own messages go through its parts instead: `pipeline.dataset`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.engine.cluster import Engine
from pipeline.normalise import Normalised, Normaliser
from pipeline.normalise.parallel import normalise_all
from pipeline.records import Message


@dataclass
class Corpus:
    """The messages a model reads (kind `message`), with their normalised forms."""

    messages: list[Message]
    normalised: list[Normalised]

    @property
    def tokens(self) -> list[list[str]]:
        return [n.tokens for n in self.normalised]


def build_corpus(
    messages: Sequence[Message],
    normaliser: Normaliser,
    engine: Engine | None = None,
) -> Corpus:
    """Only real messages carry themes; media, deleted and system records are counted
    in the ledger but not read for topics. `engine`: where a large corpus is normalised
    (this process if none)."""
    kept = [m for m in messages if m.kind == "message"]
    normalised = normalise_all([m.text for m in kept], normaliser, engine)
    return Corpus(kept, normalised)
