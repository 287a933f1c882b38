"""The report's tables as plain rows, built from RunData."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from pipeline.records import Message
from pipeline.report.data import RunData


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


def pick_quotes(
    candidates: Sequence[int],
    scores: np.ndarray,
    messages: Sequence[Message],
    tokens: Sequence[Sequence[str]],
    limit: int,
    min_tokens: int = 3,
) -> list[Quote]:
    """Representative quotes: highest score first, one per author while others remain,
    no near-duplicates (token Jaccard >= 0.6), and long enough to say something."""
    candidates = np.asarray(candidates, dtype=np.int64)

    def ranked(ids: np.ndarray) -> list[int]:
        return sorted(ids.tolist(), key=lambda i: (-scores[i], messages[i].timestamp, i))

    def choose(order: list[int], passes: tuple[bool, ...]) -> list[int]:
        chosen: list[int] = []
        authors: set[str] = set()
        for allow_repeat_author in passes:
            for i in order:
                if len(chosen) >= limit:
                    break
                if i in chosen or len(tokens[i]) < min_tokens:
                    continue
                if not allow_repeat_author and messages[i].author in authors:
                    continue
                words = set(tokens[i])
                if any(_jaccard(words, set(tokens[j])) >= 0.6 for j in chosen):
                    continue
                chosen.append(i)
                authors.add(messages[i].author)
        return chosen

    chosen: list[int] = []
    if len(candidates) > QUOTE_POOL:
        # Every candidate scoring at least the pool's lowest: exactly the head of the
        # full ranking, ties included. If its first pass fills the quotes, the full
        # ranking's first pass would have picked the same ones.
        cut = np.partition(scores[candidates], -QUOTE_POOL)[-QUOTE_POOL]
        chosen = choose(ranked(candidates[scores[candidates] >= cut]), (False,))
    if len(chosen) < limit:
        chosen = choose(ranked(candidates), (False, True))
    return [
        Quote(_one_line(m.text), m.author, m.timestamp, m.source, m.line)
        for m in (messages[i] for i in chosen)
    ]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def theme_table(data: RunData, quotes_per_theme: int, top_terms: int) -> list[dict[str, object]]:
    """Table II: each theme with its share, members, terms and supporting quotes."""
    topic_of_theme = {theme: topic for topic, theme in enumerate(data.topic_themes)}
    n = max(len(data.messages), 1)
    rows = []
    for t, (theme, name) in enumerate(zip(data.theme_ids, data.theme_names, strict=True)):
        members = np.flatnonzero(data.assigned[:, t])
        topic = topic_of_theme.get(theme)
        quotes = pick_quotes(
            members, data.scores[:, t], data.messages, data.tokens, quotes_per_theme
        )
        rows.append(
            {
                "theme": theme,
                "name": name,
                "messages": len(members),
                "share": round(len(members) / n, 4),
                "members": len({data.messages[i].author for i in members}),
                "top_terms": ", ".join(data.topic_terms[topic][:top_terms])
                if topic is not None
                else "",
                "quotes": "\n".join(q.cite() for q in quotes),
            }
        )
    return rows


def member_table(data: RunData) -> list[dict[str, object]]:
    """Table III: each author's messages and the share of them carrying each theme."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, message in enumerate(data.messages):
        by_author[message.author].append(i)
    rows = []
    for author in sorted(by_author, key=lambda a: (-len(by_author[a]), a)):
        indices = by_author[author]
        shares = data.assigned[indices].mean(axis=0)
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
            "messages": len(indices),
            "themes": "; ".join(f"{theme} ({share:.2f})" for share, theme in ranked),
        }
        row.update(
            {theme: round(float(s), 4) for theme, s in zip(data.theme_ids, shares, strict=True)}
        )
        rows.append(row)
    return rows


def topic_table(data: RunData, top_terms: int) -> list[dict[str, object]]:
    dominant = data.dominant_topic()
    sizes = Counter(int(t) for t in dominant if t >= 0)
    rows = []
    for topic, terms in enumerate(data.topic_terms):
        members = np.flatnonzero(dominant == topic)
        quotes = pick_quotes(members, data.weights[:, topic], data.messages, data.tokens, 3)
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


def weekly_shares(data: RunData) -> dict[str, dict[str, float]]:
    """Per ISO week (YYYY-Www), the share of that week's messages carrying each theme."""
    by_day: dict[str, list[int]] = defaultdict(list)
    for i, message in enumerate(data.messages):
        if message.timestamp:  # transcripts and tables may have no dates
            by_day[message.timestamp[:10]].append(i)
    weeks: dict[str, list[int]] = defaultdict(list)
    for day, indices in by_day.items():  # a date is read once per day, not per message
        year, week, _ = date.fromisoformat(day).isocalendar()
        weeks[f"{year}-W{week:02d}"].extend(indices)
    return {
        week: {
            theme: round(float(data.assigned[idx, t].mean()), 4)
            for t, theme in enumerate(data.theme_ids)
        }
        for week, idx in sorted(weeks.items())
    }
