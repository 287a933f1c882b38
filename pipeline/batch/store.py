"""The batch job's store: one DuckDB file holding the exports seen, every message once,
its theme scores per model version, and a row per run.

A run's updates are one transaction, so a job killed at any moment leaves the store as
it was before that run. DuckDB locks the file for one writer; a second job waits for it
(up to a limit) or stops with a clear message. A file that is not a store is refused,
never reset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.records import MESSAGE_FIELDS, Message

# 2: messages gained `code` (what a placeholder or event means in any language).
SCHEMA_VERSION = "2"
MIGRATIONS = {
    "1": ["ALTER TABLE messages ADD COLUMN code VARCHAR DEFAULT ''"],
}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS exports (sha256 VARCHAR PRIMARY KEY, path VARCHAR, size BIGINT,
        records INTEGER, run_id INTEGER)""",
    """CREATE TABLE IF NOT EXISTS messages (id VARCHAR PRIMARY KEY, chat VARCHAR, platform VARCHAR,
        source VARCHAR, line INTEGER, timestamp VARCHAR, author VARCHAR, kind VARCHAR, text VARCHAR,
        run_id INTEGER, code VARCHAR DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS scores (message_id VARCHAR, model VARCHAR, themes VARCHAR[],
        scores DOUBLE[], run_id INTEGER, PRIMARY KEY (message_id, model))""",
    """CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY, started VARCHAR, finished VARCHAR,
        status VARCHAR, model VARCHAR, exports INTEGER, new_exports INTEGER, new_messages INTEGER,
        seen_messages INTEGER, failed VARCHAR, drift VARCHAR)""",
]


# Columns of the runs table that hold JSON text (DuckDB keeps them as VARCHAR).
JSON_COLUMNS = ("failed", "drift")


class StoreError(RuntimeError):
    """A store that cannot be used: damaged, from a newer Guyub, or held by another job."""


class Store:
    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path):
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path, wait_seconds: float = 0.0) -> Store:
        path = Path(path)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                connection = duckdb.connect(str(path))
                break
            except duckdb.IOException as err:
                message = str(err)
                if "lock" in message.lower():
                    if time.monotonic() < deadline:
                        time.sleep(0.5)
                        continue
                    raise StoreError(
                        f"{path}: the store is in use by another Guyub job; try again later "
                        "or give --wait SECONDS"
                    ) from None
                raise StoreError(f"{path}: not a Guyub store or damaged ({message})") from None
            except duckdb.Error as err:
                raise StoreError(f"{path}: not a Guyub store or damaged ({err})") from None
        store = cls(connection, path)
        store._prepare()
        return store

    def _prepare(self) -> None:
        try:
            tables = {
                row[0]
                for row in self.db.execute(
                    "SELECT table_name FROM information_schema.tables"
                ).fetchall()
            }
            if tables and "meta" not in tables:
                raise StoreError(f"{self.path}: a DuckDB file, but not a Guyub store")
            self.db.execute("BEGIN TRANSACTION")
            for statement in SCHEMA:
                self.db.execute(statement)
            found = self.db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            if found is None:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            elif found[0] in MIGRATIONS:  # a store an older Guyub made: brought up to date
                for statement in MIGRATIONS[found[0]]:
                    self.db.execute(statement)
                self.db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION]
                )
            elif found[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema {found[0]} is not {SCHEMA_VERSION}; use a matching Guyub"
                )
            self.db.execute("COMMIT")
            self._verify()
        except duckdb.Error as err:
            raise StoreError(
                f"{self.path}: damaged store ({err}); it was not written to: restore it from a "
                "backup, or start a new store with another --store"
            ) from None

    def _verify(self) -> None:
        """Read every block of every table before a run writes: DuckDB checks each
        block's checksum as it reads it, so a damaged store fails here, untouched."""
        for (table,) in self.db.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name"
        ).fetchall():
            columns = [
                row[0]
                for row in self.db.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                    [table],
                ).fetchall()
            ]
            quoted = ", ".join(f'"{c}"' for c in columns)
            self.db.execute(f'SELECT count(*), sum(hash({quoted})) FROM "{table}"').fetchone()

    def close(self) -> None:
        self.db.close()

    # -- one run is one transaction ------------------------------------------------------
    def begin(self) -> int:
        self.db.execute("BEGIN TRANSACTION")
        last = self.db.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        return (last or 0) + 1

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        self.db.execute("ROLLBACK")

    # -- reads and writes -----------------------------------------------------------------
    def export_seen(self, sha256: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM exports WHERE sha256 = ?", [sha256]).fetchone()
            is not None
        )

    def add_export(self, sha256: str, path: str, size: int, records: int, run_id: int) -> None:
        self.db.execute(
            "INSERT INTO exports VALUES (?, ?, ?, ?, ?)", [sha256, path, size, records, run_id]
        )

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        with self._arrow("wanted", {"id": pa.array(ids, pa.string())}):
            rows = self.db.execute(
                "SELECT m.id FROM messages m JOIN wanted w ON m.id = w.id"
            ).fetchall()
        return {row[0] for row in rows}

    def add_messages(self, messages: Iterable[Message], run_id: int) -> None:
        messages = list(messages)
        if not messages:
            return
        columns = {
            name: pa.array(
                [getattr(m, name) for m in messages], pa.int32() if name == "line" else pa.string()
            )
            for name in MESSAGE_FIELDS
        }
        columns["run_id"] = pa.array([run_id] * len(messages), pa.int32())
        names = ", ".join([*MESSAGE_FIELDS, "run_id"])
        with self._arrow("incoming", columns):
            self.db.execute(f"INSERT INTO messages ({names}) SELECT {names} FROM incoming")

    @contextmanager
    def _arrow(self, name: str, columns: dict[str, pa.Array]):
        """Columns as a table DuckDB reads in one go: rows one `executemany` at a time
        took 25 s for 50k scores, the table a fraction of a second."""
        self.db.register(name, pa.table(columns))
        try:
            yield
        finally:
            self.db.unregister(name)

    def unscored(self, model: str) -> list[Message]:
        """Messages (kind `message`) that have no scores from this model version."""
        names = ", ".join(f"m.{name}" for name in MESSAGE_FIELDS)
        rows = self.db.execute(
            f"""SELECT {names}
               FROM messages m LEFT JOIN scores s ON s.message_id = m.id AND s.model = ?
               WHERE m.kind = 'message' AND s.message_id IS NULL ORDER BY m.id""",
            [model],
        ).fetchall()
        return [Message(**dict(zip(MESSAGE_FIELDS, row, strict=True))) for row in rows]

    def add_scores(
        self, rows: Sequence[tuple[str, list[str], list[float]]], model: str, run_id: int
    ) -> None:
        if not rows:
            return
        columns = {
            "message_id": pa.array([row[0] for row in rows], pa.string()),
            "model": pa.array([model] * len(rows), pa.string()),
            "themes": pa.array([list(row[1]) for row in rows], pa.list_(pa.string())),
            "scores": pa.array([list(map(float, row[2])) for row in rows], pa.list_(pa.float64())),
            "run_id": pa.array([run_id] * len(rows), pa.int32()),
        }
        with self._arrow("incoming_scores", columns):
            self.db.execute(
                "INSERT INTO scores SELECT message_id, model, themes, scores, run_id "
                "FROM incoming_scores"
            )

    def add_run(self, run_id: int, **fields: object) -> None:
        values = {
            **fields,
            "failed": json.dumps(fields["failed"]),
            "drift": json.dumps(fields["drift"], sort_keys=True),
        }
        columns = [
            "started",
            "finished",
            "status",
            "model",
            "exports",
            "new_exports",
            "new_messages",
            "seen_messages",
            "failed",
            "drift",
        ]
        self.db.execute(
            f"INSERT INTO runs VALUES (?, {', '.join('?' for _ in columns)})",
            [run_id, *[values[c] for c in columns]],
        )

    def scored_messages(self, model: str) -> list[tuple[str, str, list[str]]]:
        """(chat, timestamp, themes) of every scored message, for the reports."""
        return self.db.execute(
            """SELECT m.chat, m.timestamp, s.themes FROM messages m JOIN scores s ON s.message_id = m.id
               WHERE s.model = ? ORDER BY m.chat, m.timestamp, m.id""",
            [model],
        ).fetchall()

    def runs(self) -> list[dict[str, object]]:
        """Every batch run, its JSON columns (failed, drift) as the values they hold."""
        cursor = self.db.execute("SELECT * FROM runs ORDER BY run_id")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for row in rows:
            for column in JSON_COLUMNS:
                if isinstance(row.get(column), str):
                    row[column] = json.loads(row[column])
        return rows

    def counts(self) -> dict[str, int]:
        return {
            table: self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("exports", "messages", "scores", "runs")
        }
