"""The report's tables as plain rows, built from RunData."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipeline.model.vectorise import shown_terms
from pipeline.report.data import RunData
from pipeline.report.query import Candidate, Candidates, MessageQueries


@dataclass(frozen=True)
class Said:
    """A message as the page shows it around a quote."""

    author: str
    timestamp: str
    text: str
    line: int


@dataclass(frozen=True)
class Quote:
    text: str
    author: str
    timestamp: str
    source: str
    line: int
    confidence: float | None = None  # how sure the model is of the message's themes
    # the messages just before and after it in its source, itself among them, in order
    context: tuple[Said, ...] = ()

    @property
    def attribution(self) -> str:
        """(member, date), as a paper attributes a quote."""
        return self.author + (f", {self.timestamp[:10]}" if self.timestamp else "")

    @property
    def place(self) -> str:
        return f"{self.source}:{self.line}"

    def cite(self) -> str:
        return f'"{self.text}" ({self.attribution}, {self.place})'


def cited(rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """Rows whose quotes are written out as citations, one a line (for CSV)."""
    return [{**row, "quotes": "\n".join(q.cite() for q in row["quotes"])} for row in rows]  # type: ignore[union-attr]


def with_context(
    queries: MessageQueries, tables: Sequence[Sequence[dict[str, object]]], around: int
) -> None:
    """Each quote of the tables' rows given the `around` messages before and after it
    in its source, read in one query."""
    rows = [row for table in tables for row in table]
    places = {(q.source, q.line) for row in rows for q in row["quotes"]}  # type: ignore[union-attr]
    near = queries.context(sorted(places), around)
    for row in rows:
        row["quotes"] = [
            replace(q, context=tuple(Said(*said) for said in near.get((q.source, q.line), ())))
            for q in row["quotes"]  # type: ignore[union-attr]
        ]


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Ranking a theme's hundred thousand members by score to quote five of them was most
# of a 1M report's time; the best few hundred nearly always hold the quotes.
QUOTE_POOL = 500
# Fewer tokens than this say too little to quote ("ok", "siap bu").
QUOTE_MIN_TOKENS = 3
# Messages shown before and after a quote, in its conversation.
QUOTE_CONTEXT = 2


# What a quote must not share with those already chosen, pass by pass: its member and
# its month (quotes spread over people and time), then its member, then nothing.
_SPREAD_PASSES = (2, 1, 0)


def pick_quotes(candidates: Candidates, limit: int) -> list[Quote]:
    """Representative quotes among the candidates (informative: long enough to say
    something and not everyday talk): highest score first, spread over members and
    months while others remain, no near-duplicates (token Jaccard >= 0.6)."""

    def choose(order: Callable[[], Iterable[Candidate]], passes: tuple[int, ...]):
        chosen: dict[tuple[str, int], Candidate] = {}
        authors: set[str] = set()
        months: set[str] = set()
        for spread in passes:
            for candidate in order():
                if len(chosen) >= limit:
                    break
                if candidate.key in chosen:
                    continue
                if spread >= 1 and candidate.author in authors:
                    continue
                if spread >= 2 and candidate.timestamp[:7] in months:
                    continue
                words = set(candidate.tokens)
                if any(_jaccard(words, set(c.tokens)) >= 0.6 for c in chosen.values()):
                    continue
                chosen[candidate.key] = candidate
                authors.add(candidate.author)
                months.add(candidate.timestamp[:7])
        return list(chosen.values())

    if candidates.complete:
        chosen = choose(lambda: candidates.pool, _SPREAD_PASSES)
    else:
        # The pool is exactly the head of the full ranking, ties included: if its first
        # pass fills the quotes, the full ranking's first pass would pick the same.
        chosen = choose(lambda: candidates.pool, _SPREAD_PASSES[:1])
        if len(chosen) < limit:
            chosen = choose(candidates.ranked, _SPREAD_PASSES)
    return [
        Quote(one_line(c.text), c.author, c.timestamp, c.source, c.line, c.confidence)
        for c in chosen
    ]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def theme_table(
    data: RunData,
    queries: MessageQueries,
    names: Sequence[str],
    quotes_per_theme: int,
    top_terms: int,
) -> list[dict[str, object]]:
    """Table II: each theme with its share, members, terms and supporting quotes."""
    topic_of_theme = {theme: topic for topic, theme in enumerate(data.topic_themes)}
    n = max(queries.overview.messages, 1)
    counts = queries.theme_counts()
    rows = []
    candidates = queries.theme_candidates(data.theme_ids, QUOTE_POOL, QUOTE_MIN_TOKENS)
    for theme, name, ranked in zip(data.theme_ids, names, candidates, strict=True):
        messages, members = counts.get(theme, (0, 0))
        topic = topic_of_theme.get(theme)
        quotes = pick_quotes(ranked, quotes_per_theme)
        rows.append(
            {
                "theme": theme,
                "name": name,
                "messages": messages,
                "share": round(messages / n, 4),
                "members": members,
                "top_terms": ", ".join(shown_terms(data.topic_terms[topic])[:top_terms])
                if topic is not None
                else "",
                "quotes": quotes,
            }
        )
    return rows


def member_table(data: RunData, queries: MessageQueries) -> list[dict[str, object]]:
    """Table III: each member's messages and, per theme, how many of them carry it
    (`THEME_messages`) and what share of their messages that is (`THEME`)."""
    by_author = queries.author_counts()
    given = queries.author_theme_counts()
    rows = []
    for author in sorted(by_author, key=lambda a: (-by_author[a], a)):
        n = by_author[author]
        row: dict[str, object] = {"author": author, "messages": n}
        for theme in data.theme_ids:
            count = given.get((author, theme), 0)
            row[theme] = round(count / n, 4)
            row[f"{theme}_messages"] = count
        rows.append(row)
    return rows


# Topic kinds: matched to a theme; everyday talk; talk the codebook did not foresee
# (emergent); or too small or too loose to be read as either.
THEME, EVERYDAY, EMERGENT, MINOR = "theme", "everyday talk", "emergent", "minor"
# An emergent topic holds at least this share of the messages, and at least
# `report.min_emergent_messages` of them.
EMERGENT_SHARE = 0.01


def is_everyday_topic(terms: Sequence[str], everyday: Collection[str]) -> bool:
    """Most of the topic's shown terms hold a word of everyday talk ("terima",
    "selamat datang", "terima info"): thanks and greetings, not a theme."""
    held = sum(any(word in everyday for word in term.split()) for term in terms)
    return held * 2 >= len(terms) > 0


def topic_kind(
    theme: str, terms: Sequence[str], size: int, coherence: float | None, bar: TopicBar
) -> str:
    if theme != "emergent":
        return THEME
    if is_everyday_topic(terms, bar.everyday):
        return EVERYDAY
    if size < bar.size or (
        coherence is not None and bar.coherence is not None and coherence < bar.coherence
    ):
        return MINOR
    return EMERGENT


@dataclass(frozen=True)
class TopicBar:
    """What an emergent topic must pass: its size, and (where coherence was measured)
    the NPMI of the least coherent topic matched to a theme."""

    everyday: Collection[str]
    size: int
    coherence: float | None


def topic_table(
    data: RunData,
    queries: MessageQueries,
    top_terms: int,
    everyday: Collection[str],
    min_emergent: int,
) -> list[dict[str, object]]:
    sizes = queries.topic_sizes()
    candidates = queries.topic_candidates(len(data.topic_terms), QUOTE_POOL, QUOTE_MIN_TOKENS)
    matched = [
        c
        for c, theme in zip(data.coherence, data.topic_themes, strict=True)
        if c is not None and theme != "emergent"
    ]
    bar = TopicBar(
        everyday,
        max(min_emergent, math.ceil(EMERGENT_SHARE * queries.overview.messages)),
        min(matched) if matched else None,
    )
    rows = []
    for topic, (all_terms, ranked) in enumerate(zip(data.topic_terms, candidates, strict=True)):
        terms = shown_terms(all_terms)[:top_terms]
        size = sizes.get(topic, 0)
        quotes = pick_quotes(ranked, 3)
        rows.append(
            {
                "topic": topic,
                "theme": data.topic_themes[topic],
                "kind": topic_kind(
                    data.topic_themes[topic], terms, size, data.coherence[topic], bar
                ),
                "label": " / ".join(terms[:3]),
                "top_terms": ", ".join(terms),
                "size": size,
                "coherence": "" if data.coherence[topic] is None else data.coherence[topic],
                "quotes": quotes,
            }
        )
    return rows


# A share of fewer messages than this moves by more than ten points with one message:
# such a period is shown, marked, but not read as a trend (`report.min_period_messages`).
# Spans up to this many days are shown by week; longer ones by month.
WEEKS_UP_TO_DAYS = 26 * 7


@dataclass(frozen=True)
class Prevalence:
    """Each theme's messages per period (week or month), every period from the first
    dated message to the last, empty ones included; messages without a time
    (transcripts, tables) are in no period."""

    unit: str  # "week" (labelled by its Monday) or "month"
    periods: list[str]
    messages: list[int]  # per period
    given: dict[str, list[int]]  # per theme id, its messages per period
    min_messages: int  # fewer in a period: too few to mean anything

    def sparse(self, period: int) -> bool:
        return self.messages[period] < self.min_messages

    def share(self, theme: str, period: int) -> float | None:
        n = self.messages[period]
        return self.given[theme][period] / n if n else None

    def rows(self) -> list[dict[str, object]]:  # columns: PREVALENCE_COLUMNS
        """prevalence.csv: one row per period and theme (tidy, for R and pandas)."""
        return [
            {
                "period": period,
                "messages": self.messages[i],
                "too_few": self.sparse(i),
                "theme": theme,
                "theme_messages": counts[i],
                "share": "" if (share := self.share(theme, i)) is None else round(share, 4),
            }
            for i, period in enumerate(self.periods)
            for theme, counts in self.given.items()
        ]


PREVALENCE_COLUMNS = ["period", "messages", "too_few", "theme", "theme_messages", "share"]


def period_unit(first: date, last: date, setting: str) -> str:
    """`report.period`: "week", "month", or "auto" (weeks for up to half a year)."""
    if setting != "auto":
        return setting
    return "week" if (last - first).days <= WEEKS_UP_TO_DAYS else "month"


def _period_start(day: date, unit: str) -> date:
    return day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)


def _next_period(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def prevalence(
    data: RunData, queries: MessageQueries, setting: str = "auto", min_messages: int = 10
) -> Prevalence:
    """Theme prevalence over time, counted per day by DuckDB and gathered into periods."""
    days = {date.fromisoformat(day): n for day, n in queries.day_counts().items()}
    given = {
        (date.fromisoformat(day), theme): n
        for (day, theme), n in queries.day_theme_counts().items()
    }
    return prevalence_of(days, given, data.theme_ids, setting, min_messages)


def prevalence_of(
    days: dict[date, int],
    given_on_days: dict[tuple[date, str], int],
    theme_ids: Sequence[str],
    setting: str = "auto",
    min_messages: int = 10,
) -> Prevalence:
    """Theme prevalence over time from messages per day and per day and theme."""
    if not days:
        return Prevalence("week", [], [], {theme: [] for theme in theme_ids}, min_messages)
    unit = period_unit(min(days), max(days), setting)
    starts = [_period_start(min(days), unit)]
    while (following := _next_period(starts[-1], unit)) <= max(days):
        starts.append(following)
    place = {start: i for i, start in enumerate(starts)}
    messages = [0] * len(starts)
    for day, n in days.items():
        messages[place[_period_start(day, unit)]] += n
    given = {theme: [0] * len(starts) for theme in theme_ids}
    for (day, theme), n in given_on_days.items():
        if theme in given:
            given[theme][place[_period_start(day, unit)]] += n
    label = (lambda d: d.isoformat()) if unit == "week" else (lambda d: d.isoformat()[:7])
    return Prevalence(unit, [label(s) for s in starts], messages, given, min_messages)
