"""Build the report tables as plain rows from a run's messages and the model's reading."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.model import Applied, ThemeModel
from pipeline.records import Message


@dataclass(frozen=True)
class Quote:
    text: str
    author: str
    timestamp: str
    source: str
    line: int

    def cite(self) -> str:
        return f'"{self.text}" ({self.author}, {self.timestamp[:10]}, {self.source}:{self.line})'


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
    ranked = sorted(candidates, key=lambda i: (-scores[i], messages[i].timestamp, i))
    chosen: list[int] = []
    authors: set[str] = set()
    for allow_repeat_author in (False, True):
        for i in ranked:
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
    return [
        Quote(_one_line(m.text), m.author, m.timestamp, m.source, m.line)
        for m in (messages[i] for i in chosen)
    ]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def theme_table(
    model: ThemeModel,
    applied: Applied,
    messages: Sequence[Message],
    tokens: Sequence[Sequence[str]],
    quotes_per_theme: int,
    top_terms: int,
) -> list[dict[str, object]]:
    """Table II: each theme with its share, members, terms and supporting quotes."""
    terms = model.top_terms(top_terms)
    topic_of_theme = {
        theme: topic for topic, theme in enumerate(model.topic_themes) if theme is not None
    }
    n = max(len(messages), 1)
    rows = []
    for t, theme in enumerate(model.themes):
        members = np.flatnonzero(applied.assigned[:, t])
        topic = topic_of_theme.get(t)
        quotes = pick_quotes(members, applied.scores[:, t], messages, tokens, quotes_per_theme)
        rows.append(
            {
                "theme": theme.id,
                "name": theme.name_en,
                "messages": len(members),
                "share": round(len(members) / n, 4),
                "members": len({messages[i].author for i in members}),
                "top_terms": ", ".join(terms[topic]) if topic is not None else "",
                "quotes": "\n".join(q.cite() for q in quotes),
            }
        )
    return rows


def member_table(
    model: ThemeModel, applied: Applied, messages: Sequence[Message]
) -> list[dict[str, object]]:
    """Table III: each author's messages and the share of them carrying each theme."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, message in enumerate(messages):
        by_author[message.author].append(i)
    rows = []
    for author in sorted(by_author, key=lambda a: (-len(by_author[a]), a)):
        indices = by_author[author]
        shares = applied.assigned[indices].mean(axis=0)
        ranked = sorted(
            (
                (share, theme.id)
                for share, theme in zip(shares, model.themes, strict=True)
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
            {theme.id: round(float(s), 4) for theme, s in zip(model.themes, shares, strict=True)}
        )
        rows.append(row)
    return rows


def topic_table(
    model: ThemeModel,
    applied: Applied,
    messages: Sequence[Message],
    tokens: Sequence[Sequence[str]],
    coherence: Sequence[float],
    top_terms: int,
) -> list[dict[str, object]]:
    terms = model.top_terms(top_terms)
    dominant = applied.topic_of_each()
    sizes = Counter(int(t) for t in dominant if t >= 0)
    rows = []
    for topic in range(len(model.topic_themes)):
        members = np.flatnonzero(dominant == topic)
        quotes = pick_quotes(members, applied.weights[:, topic], messages, tokens, 3)
        rows.append(
            {
                "topic": topic,
                "theme": model.topic_label(topic),
                "label": " / ".join(terms[topic][:3]),
                "top_terms": ", ".join(terms[topic]),
                "size": sizes.get(topic, 0),
                "coherence": coherence[topic],
                "quotes": "\n".join(q.cite() for q in quotes),
            }
        )
    return rows


def weekly_shares(
    applied: Applied, messages: Sequence[Message], theme_ids: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per ISO week (YYYY-Www), the share of that week's messages carrying each theme."""
    from datetime import date

    weeks: dict[str, list[int]] = defaultdict(list)
    for i, message in enumerate(messages):
        if not message.timestamp:
            continue  # transcripts and tables may have no dates
        year, week, _ = date.fromisoformat(message.timestamp[:10]).isocalendar()
        weeks[f"{year}-W{week:02d}"].append(i)
    return {
        week: {
            theme: round(float(applied.assigned[idx, t].mean()), 4)
            for t, theme in enumerate(theme_ids)
        }
        for week, idx in sorted(weeks.items())
    }
