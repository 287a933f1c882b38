"""The report's questions to a run's messages dataset, answered by DuckDB over its
Parquet parts: counts per theme, member, day and topic, and the messages that may be
quoted, best first. The messages themselves are never loaded: a question reads the
columns it needs, a part at a time, whatever the run's size."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np

from pipeline.config import EngineConfig
from pipeline.dataset import dataset_parts
from pipeline.engine.queries import duckdb_connection

# Rows fetched at a time while ranked candidates are read.
_FETCH = 2_000
# A message with fewer words than this beyond the formulas of everyday talk says
# little else: "Selamat mas, ikut senang", "Siap bu" (configs/everyday_talk.txt).
EVERYDAY_BELOW = 2


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Overview:
    messages: int
    authors: int
    first: str  # the earliest timestamp, "" when no message has one
    last: str
    with_theme: int  # messages carrying at least one theme
    chats: list[str]
    everyday: int = 0  # messages with no theme that are everyday talk


@dataclass(frozen=True)
class Candidate:
    """A message that may be quoted: what choosing needs and what a quote shows."""

    key: tuple[str, int]  # its place in the dataset: part and row
    score: float
    author: str
    timestamp: str
    tokens: tuple[str, ...]
    text: str
    source: str
    line: int
    confidence: float | None


@dataclass(frozen=True)
class Candidates:
    """The messages of one theme (or topic) ranked by one score: highest first, then
    earliest, then in the dataset's order. `pool` is the head of that ranking, every
    candidate scoring at least the `pool_size`-th best (ties included)."""

    queries: MessageQueries
    where: str  # an SQL condition on a row, with its parameters
    params: list
    score: str  # an SQL expression of the row's score
    count: int
    pool: list[Candidate]

    @property
    def complete(self) -> bool:
        """The pool holds every candidate."""
        return len(self.pool) == self.count

    def ranked(self) -> Iterator[Candidate]:
        """Every candidate, best first, read as needed."""
        cursor = self.queries.cursor(
            f"SELECT {_CANDIDATE}, {self.score} AS s FROM m WHERE {self.where} ORDER BY {_RANKING}",
            self.params,
        )
        while rows := cursor.fetchmany(_FETCH):
            yield from map(_candidate, rows)


# What a candidate is read with, and the order of a ranking (s: its score).
_CANDIDATE = "filename, file_row_number, author, timestamp, tokens, text, source, line, confidence"
_RANKING = "s DESC, timestamp, filename, file_row_number"


def _candidate(row: tuple) -> Candidate:
    part, number, author, timestamp, tokens, text, source, line, confidence, score = row
    return Candidate(
        (part, number), score, author, timestamp, tuple(tokens), text, source, line, confidence
    )


class MessageQueries:
    """A DuckDB view `m` over a messages dataset, with each row's part and row number."""

    def __init__(
        self,
        dataset: Path,
        engine: EngineConfig | None = None,
        everyday: Collection[str] = frozenset(),
    ):
        """`everyday`: the words of everyday talk; a message with fewer than
        EVERYDAY_BELOW tokens outside them is everyday talk (its `everyday` column)."""
        with ExitStack() as stack:
            self._db = stack.enter_context(duckdb_connection(engine))
            files = [str(part) for part in dataset_parts(dataset)]
            self._db.read_parquet(files, filename=True, file_row_number=True).create_view("raw")
            words = ", ".join(_sql_text(word) for word in sorted(everyday)) or "NULL"
            columns = {name for (name, *_) in self._db.execute("DESCRIBE raw").fetchall()}
            # a run made before confidence was measured has none
            confidence = "" if "confidence" in columns else ", NULL::DOUBLE AS confidence"
            self._db.execute(
                "CREATE VIEW m AS SELECT *, len(list_filter(tokens, lambda t: "
                f"NOT list_contains([{words}]::VARCHAR[], t))) < {EVERYDAY_BELOW:d} AS everyday"
                f"{confidence} FROM raw"
            )
            self._closing = stack.pop_all()  # kept open until the queries are done

    def __enter__(self) -> MessageQueries:
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.close()

    def cursor(self, sql: str, params: list | None = None) -> duckdb.DuckDBPyConnection:
        # a cursor of its own: ranked candidates are read while other questions are asked
        return self._db.cursor().execute(sql, params or [])

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self._db.execute(sql, params or []).fetchall()

    @cached_property
    def overview(self) -> Overview:
        n, authors, first, last, coded, everyday = self.rows(
            "SELECT count(*), count(DISTINCT author), min(nullif(timestamp, '')), "
            "max(nullif(timestamp, '')), count(*) FILTER (WHERE len(themes) > 0), "
            "count(*) FILTER (WHERE len(themes) = 0 AND everyday) FROM m"
        )[0]
        chats = sorted(chat for (chat,) in self.rows("SELECT DISTINCT chat FROM m"))
        return Overview(n, authors, first or "", last or "", coded, chats, everyday)

    def theme_counts(self) -> dict[str, tuple[int, int]]:
        """Per theme: its messages and the members who wrote them."""
        return {
            theme: (n, members)
            for theme, n, members in self.rows(
                "SELECT theme, count(*), count(DISTINCT author) "
                "FROM m, unnest(themes) AS given(theme) GROUP BY theme"
            )
        }

    def author_counts(self) -> dict[str, int]:
        return dict(self.rows("SELECT author, count(*) FROM m GROUP BY author"))

    def author_theme_counts(self) -> dict[tuple[str, str], int]:
        return self._pair_counts("author", "")

    def day_counts(self) -> dict[str, int]:
        """Messages per day (YYYY-MM-DD) of those with a time."""
        return dict(
            self.rows(
                "SELECT left(timestamp, 10), count(*) FROM m WHERE timestamp <> '' GROUP BY 1"
            )
        )

    def day_theme_counts(self) -> dict[tuple[str, str], int]:
        return self._pair_counts("left(timestamp, 10)", "WHERE timestamp <> ''")

    def _pair_counts(self, key: str, where: str) -> dict[tuple[str, str], int]:
        """Messages given each theme, per value of `key` (an SQL expression of a row)."""
        return {
            (value, theme): n
            for value, theme, n in self.rows(
                f"SELECT {key}, theme, count(*) FROM m, unnest(themes) AS given(theme) "
                f"{where} GROUP BY 1, 2"
            )
        }

    def context(
        self, places: Sequence[tuple[str, int]], around: int
    ) -> dict[tuple[str, int], list[tuple[str, str, str, int]]]:
        """For each (source, line) of a message, the messages from `around` before it to
        `around` after it in the same source, in order, as (author, timestamp, text,
        line); a message's neighbours by line, whatever lies between them (events,
        skipped lines). Only the line numbers of a source are read whole (8 bytes a
        message), then the texts of the rows found near a quote."""
        near: dict[tuple[str, int], list[int]] = {}
        for source in sorted({source for source, _ in places}):
            lines = self._db.execute(
                "SELECT DISTINCT line FROM m WHERE source = ? ORDER BY line", [source]
            ).fetchnumpy()["line"]
            for quoted, line in places:
                if quoted == source:
                    at = int(np.searchsorted(lines, line))
                    near[source, line] = lines[max(at - around, 0) : at + around + 1].tolist()
        wanted = sorted({(source, line) for (source, _), shown in near.items() for line in shown})
        if not wanted:
            return {}
        sources, lines = zip(*wanted, strict=True)
        rows = {
            (source, line): (author, timestamp, text, line)
            for source, line, author, timestamp, text in self.rows(
                "WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS source, "
                "unnest(?::BIGINT[]) AS line) "
                "SELECT source, line, author, timestamp, text FROM m JOIN wanted "
                "USING (source, line)",
                [list(sources), list(lines)],
            )
        }
        return {
            place: [rows[place[0], line] for line in shown if (place[0], line) in rows]
            for place, shown in near.items()
        }

    def topic_sizes(self) -> dict[int, int]:
        """Messages per dominant topic (those with no topic weight left out)."""
        return dict(self.rows("SELECT topic, count(*) FROM m WHERE topic >= 0 GROUP BY topic"))

    def theme_candidates(
        self, theme_ids: Sequence[str], pool_size: int, min_tokens: int
    ) -> list[Candidates]:
        """Per theme, the messages given it with at least `min_tokens` tokens that are
        not everyday talk, by their score for it."""
        where = "list_contains(themes, ?) AND len(tokens) >= ? AND NOT everyday"
        pools, counts = self._pools(
            "SELECT *, theme AS grp, theme_scores[list_position(?, theme)] AS s "
            "FROM m, unnest(themes) AS given(theme) WHERE len(tokens) >= ? AND NOT everyday",
            [list(theme_ids), min_tokens],
            pool_size,
        )
        return [
            Candidates(
                self,
                where,
                [theme, min_tokens],
                f"theme_scores[{t + 1:d}]",
                counts.get(theme, 0),
                pools.get(theme, []),
            )
            for t, theme in enumerate(theme_ids)
        ]

    def topic_candidates(self, topics: int, pool_size: int, min_tokens: int) -> list[Candidates]:
        """Per topic, the messages whose dominant topic it is with at least `min_tokens`
        tokens, by their weight on it."""
        pools, counts = self._pools(
            "SELECT *, topic AS grp, topic_weights[topic + 1] AS s FROM m "
            "WHERE topic >= 0 AND len(tokens) >= ? AND NOT everyday",
            [min_tokens],
            pool_size,
        )
        return [
            Candidates(
                self,
                "topic = ? AND len(tokens) >= ? AND NOT everyday",
                [k, min_tokens],
                f"topic_weights[{k + 1:d}]",
                counts.get(k, 0),
                pools.get(k, []),
            )
            for k in range(topics)
        ]

    def _pools(
        self, scored: str, params: list, size: int
    ) -> tuple[dict[object, list[Candidate]], dict[object, int]]:
        """Every group's pool and count in one pass: `scored` gives rows with their
        group `grp` and score `s`. The ranking within groups runs on row keys alone;
        only the pooled rows are read whole."""
        self._db.execute("DROP TABLE IF EXISTS pool")
        self._db.execute(
            "CREATE TEMP TABLE pool AS SELECT grp, filename, file_row_number, s, n FROM "
            f"(SELECT grp, filename, file_row_number, s, count(*) OVER (PARTITION BY grp) AS n, "
            f"rank() OVER (PARTITION BY grp ORDER BY s DESC) AS place FROM ({scored})) "
            "WHERE place <= ?",
            [*params, size],
        )
        counts = dict(self.rows("SELECT grp, any_value(n) FROM pool GROUP BY grp"))
        pools: dict[object, list[Candidate]] = {}
        for group, *row in self.rows(
            f"SELECT pool.grp, {_CANDIDATE}, pool.s FROM pool JOIN m "
            f"USING (filename, file_row_number) ORDER BY pool.grp, {_RANKING}"
        ):
            pools.setdefault(group, []).append(_candidate(tuple(row)))
        return pools, counts
