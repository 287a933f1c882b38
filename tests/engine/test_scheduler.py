"""The same run on a real Dask cluster: a scheduler and two workers started as separate
processes on 127.0.0.1, as they would run on separate machines, give the outputs of a
run in one process and of a local cluster. The example's 309 messages go in parts of 40
(PART_ROWS), so that the workers share the parts of every map."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import EXAMPLE, output_bytes

runner = CliRunner()
# every map goes to the cluster, however few messages the example has; the topics are
# fitted on a sample of 200 of its 309 messages, so the vocabulary is counted over the
# parts by a map of its own
FORCE = ["--set", "engine.min_parallel=1", "--set", "topics.fit_sample=200", "--quiet"]


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 40)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dask(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def scheduler_address():
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        for _ in range(2):
            started.append(
                _dask("worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard")
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _run(out: Path, *extra: str) -> Path:
    result = runner.invoke(app, ["run", str(EXAMPLE), "-o", str(out), *FORCE, *extra])
    assert result.exit_code == 0, result.output
    return out


def _same_outputs(a: Path, b: Path) -> None:
    assert output_bytes(a) == output_bytes(b)  # the parts of messages.parquet too
    assert pq.read_table(a / "messages.parquet").equals(pq.read_table(b / "messages.parquet"))


def test_a_run_on_a_separate_scheduler_gives_what_one_process_gives(scheduler_address, tmp_path):
    one_process = _run(tmp_path / "sync", "--scheduler", "sync")
    on_cluster = _run(tmp_path / "cluster", "--scheduler", scheduler_address)
    _same_outputs(one_process, on_cluster)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_a_local_cluster_of_any_size_gives_what_one_process_gives(tmp_path, workers):
    one_process = _run(tmp_path / "sync", "--scheduler", "sync")
    local = _run(tmp_path / "local", "--set", f"engine.workers={workers}")
    _same_outputs(one_process, local)


def _report_bytes(folder: Path) -> dict[str, bytes]:
    """The output files but the dataset's parts (and the list of files), which differ
    as files when their rows are split otherwise."""
    files = output_bytes(folder, ("manifest.json", ".guyub-output.json"))
    return {name: data for name, data in files.items() if not name.startswith("messages.parquet/")}


def test_many_parts_give_what_one_part_gives(tmp_path, monkeypatch):
    many = _run(tmp_path / "many", "--scheduler", "sync")
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 100_000)
    one = _run(tmp_path / "one", "--scheduler", "sync")
    assert len(list((many / "messages.parquet").iterdir())) == 8
    assert _report_bytes(many) == _report_bytes(one)
    assert pq.read_table(many / "messages.parquet").equals(pq.read_table(one / "messages.parquet"))


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    result = runner.invoke(
        app,
        [
            "run",
            str(EXAMPLE),
            "-o",
            str(tmp_path / "out"),
            "--scheduler",
            address,
            "--set",
            "engine.connect_timeout=2",
            *FORCE,
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"no Dask scheduler answered at {address}" in result.output
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
