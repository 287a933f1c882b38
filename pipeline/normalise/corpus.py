"""The corpus a model reads: a run's messages (kind `message`) with their normalised
forms, and the units its topics are fitted on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pipeline.config import TopicsConfig
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
    known: Mapping[str, Normalised] | None = None,
) -> Corpus:
    """Only real messages carry themes; media, deleted and system records are counted
    in the ledger but not read for topics. `engine`: where a large corpus is normalised
    (this process if none); `known`: texts normalised already."""
    kept = [m for m in messages if m.kind == "message"]
    normalised = normalise_all([m.text for m in kept], normaliser, engine, known)
    return Corpus(kept, normalised)


def fitting_units(corpus: Corpus, topics: TopicsConfig) -> list[list[str]]:
    """What topics are fitted on: single messages, or conversation segments."""
    if topics.unit == "segment":
        return segments(corpus, topics.segment_gap_minutes)
    return corpus.tokens


def segments(corpus: Corpus, gap_minutes: float) -> list[list[str]]:
    """Conversation segments: runs of consecutive messages of one chat, each within
    `gap_minutes` of the one before, their tokens joined. Messages without a time are
    their own segment."""
    joined: list[list[str]] = []
    previous: tuple[str, datetime] | None = None
    for message, tokens in zip(corpus.messages, corpus.tokens, strict=True):
        moment = datetime.fromisoformat(message.timestamp) if message.timestamp else None
        close = (
            moment is not None
            and previous is not None
            and previous[0] == message.chat
            and 0 <= (moment - previous[1]).total_seconds() <= gap_minutes * 60
        )
        if close and joined:
            joined[-1] = joined[-1] + tokens
        else:
            joined.append(list(tokens))
        previous = (message.chat, moment) if moment else None
    return joined
