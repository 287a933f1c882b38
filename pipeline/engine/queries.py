"""DuckDB as Guyub uses it for tables too large to hold: within the memory and threads
the [engine] table gives it, spilling beyond into a temporary folder of its own (not
the folder the command was typed in), with no progress bar on the user's terminal."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipeline.config import EngineConfig
from pipeline.engine.cluster import worker_count


@contextmanager
def duckdb_connection(engine: EngineConfig | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    engine = engine or EngineConfig()
    spill = tempfile.mkdtemp(prefix="guyub-duckdb-")
    try:
        db = duckdb.connect(
            config={
                "memory_limit": engine.query_memory,
                "threads": worker_count(engine.query_threads),
                "temp_directory": spill,
            }
        )
        try:
            db.execute("SET enable_progress_bar = false")
            yield db
        finally:
            db.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)
