"""The report's tables as plain rows, built from RunData."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from pipeline.model.vectorise import shown_terms
from pipeline.report.data import RunData
from pipeline.report.query import Candidate, Candidates, MessageQueries


@dataclass(frozen=True)
class Quote:
    text: str
    author: str
    timestamp: str
    source: str
    line: int

    def cite(self) -> str:
        when = f", {self.timestamp[:10]}" if self.timestamp else ""
        return f'"{self.text}" ({self.author}{when}, {self.source}:{self.line})'


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Ranking a theme's hundred thousand members by score to quote five of them was most
# of a 1M report's time; the best few hundred nearly always hold the quotes.
QUOTE_POOL = 500
# Fewer tokens than this say too little to quote ("ok", "siap bu").
QUOTE_MIN_TOKENS = 3


def pick_quotes(candidates: Candidates, limit: int) -> list[Quote]:
    """Representative quotes among the candidates (long enough to say something):
    highest score first, one per author while others remain, no near-duplicates (token
    Jaccard >= 0.6)."""

    def choose(order: Callable[[], Iterable[Candidate]], passes: tuple[bool, ...]):
        chosen: dict[tuple[str, int], Candidate] = {}
        authors: set[str] = set()
        for allow_repeat_author in passes:
            for candidate in order():
                if len(chosen) >= limit:
                    break
                if candidate.key in chosen:
                    continue
                if not allow_repeat_author and candidate.author in authors:
                    continue
                words = set(candidate.tokens)
                if any(_jaccard(words, set(c.tokens)) >= 0.6 for c in chosen.values()):
                    continue
                chosen[candidate.key] = candidate
                authors.add(candidate.author)
        return list(chosen.values())

    if candidates.complete:
        chosen = choose(lambda: candidates.pool, (False, True))
    else:
        # The pool is exactly the head of the full ranking, ties included: if its first
        # pass fills the quotes, the full ranking's first pass would pick the same.
        chosen = choose(lambda: candidates.pool, (False,))
        if len(chosen) < limit:
            chosen = choose(candidates.ranked, (False, True))
    return [Quote(_one_line(c.text), c.author, c.timestamp, c.source, c.line) for c in chosen]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def theme_table(
    data: RunData, queries: MessageQueries, quotes_per_theme: int, top_terms: int
) -> list[dict[str, object]]:
    """Table II: each theme with its share, members, terms and supporting quotes."""
    topic_of_theme = {theme: topic for topic, theme in enumerate(data.topic_themes)}
    n = max(queries.overview.messages, 1)
    counts = queries.theme_counts()
    rows = []
    candidates = queries.theme_candidates(data.theme_ids, QUOTE_POOL, QUOTE_MIN_TOKENS)
    for theme, name, ranked in zip(data.theme_ids, data.theme_names, candidates, strict=True):
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
                "quotes": "\n".join(q.cite() for q in quotes),
            }
        )
    return rows


def member_table(data: RunData, queries: MessageQueries) -> list[dict[str, object]]:
    """Table III: each author's messages and the share of them carrying each theme."""
    by_author = queries.author_counts()
    given = queries.author_theme_counts()
    rows = []
    for author in sorted(by_author, key=lambda a: (-by_author[a], a)):
        n = by_author[author]
        shares = [given.get((author, theme), 0) / n for theme in data.theme_ids]
        ranked = sorted(
            (
                (share, theme)
                for share, theme in zip(shares, data.theme_ids, strict=True)
                if share > 0
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        row: dict[str, object] = {
            "author": author,
            "messages": n,
            "themes": "; ".join(f"{theme} ({share:.2f})" for share, theme in ranked),
        }
        row.update({theme: round(s, 4) for theme, s in zip(data.theme_ids, shares, strict=True)})
        rows.append(row)
    return rows


def topic_table(data: RunData, queries: MessageQueries, top_terms: int) -> list[dict[str, object]]:
    sizes = queries.topic_sizes()
    candidates = queries.topic_candidates(len(data.topic_terms), QUOTE_POOL, QUOTE_MIN_TOKENS)
    rows = []
    for topic, (all_terms, ranked) in enumerate(zip(data.topic_terms, candidates, strict=True)):
        terms = shown_terms(all_terms)
        quotes = pick_quotes(ranked, 3)
        rows.append(
            {
                "topic": topic,
                "theme": data.topic_themes[topic],
                "label": " / ".join(terms[:3]),
                "top_terms": ", ".join(terms[:top_terms]),
                "size": sizes.get(topic, 0),
                "coherence": "" if data.coherence[topic] is None else data.coherence[topic],
                "quotes": "\n".join(q.cite() for q in quotes),
            }
        )
    return rows


def weekly_shares(data: RunData, queries: MessageQueries) -> dict[str, dict[str, float]]:
    """Per ISO week (YYYY-Www), the share of that week's messages carrying each theme;
    messages without a time (transcripts, tables) are in no week."""
    week_of: dict[str, str] = {}
    totals: Counter[str] = Counter()
    for day, n in queries.day_counts().items():  # a date is read once per day
        year, week, _ = date.fromisoformat(day).isocalendar()
        week_of[day] = f"{year}-W{week:02d}"
        totals[week_of[day]] += n
    given: Counter[tuple[str, str]] = Counter()
    for (day, theme), n in queries.day_theme_counts().items():
        given[week_of[day], theme] += n
    return {
        week: {theme: round(given[week, theme] / totals[week], 4) for theme in data.theme_ids}
        for week in sorted(totals)
    }
