import tempfile

import duckdb
import pytest

from pipeline.config import EngineConfig
from pipeline.engine.queries import duckdb_connection


@pytest.fixture
def spills(tmp_path, monkeypatch):
    folder = tmp_path / "spills"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_duckdb_runs_within_the_engine_settings_and_cleans_up(spills):
    with duckdb_connection(EngineConfig(query_memory="256MB", query_threads=1)) as db:
        memory, threads, progress = db.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('enable_progress_bar')"
        ).fetchone()
        assert memory.startswith("244") and threads == 1 and progress is False
        assert len(list(spills.iterdir())) == 1  # its own spill folder, while it works
    assert not list(spills.iterdir())


def test_a_connection_that_fails_leaves_no_spill_folder(spills):
    with pytest.raises(duckdb.Error), duckdb_connection(EngineConfig(query_memory="lots")):
        pass
    assert not list(spills.iterdir())
