import os

import pytest

from pipeline.config import EngineConfig
from pipeline.engine.cluster import Engine


def _scaled_sums(factor, chunk):
    return [factor * sum(chunk), os.getpid()]


def _fails_on_three(_, chunk):
    if 3 in chunk:
        raise ValueError("a bad chunk")
    return chunk


CHUNKS = [[1, 2], [3], [4, 5, 6], [], *([[7]] * 20)]
EXPECTED = [3, 3, 15, 0, *([7] * 20)]


def test_a_local_cluster_keeps_the_chunks_order_and_is_stopped_after():
    with Engine(EngineConfig(workers=2, min_parallel=1)) as engine:
        results = engine.map(_scaled_sums, 1, CHUNKS)
        workers = engine.client().scheduler_info()["workers"]
    assert [total for total, _ in results] == EXPECTED
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids and len(workers) == 2
    assert engine._client is None and engine._cluster is None
    for pid in pids:  # the worker processes it started are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_sync_and_small_maps_run_here_and_start_no_cluster():
    for config in (
        EngineConfig(scheduler="sync", min_parallel=1),
        EngineConfig(workers=2, min_parallel=10_000),  # too few items to pay for one
        EngineConfig(workers=1, min_parallel=1),
    ):
        with Engine(config) as engine:
            results = engine.map(_scaled_sums, 1, CHUNKS)
            assert engine._client is None
        assert [total for total, _ in results] == EXPECTED
        assert {pid for _, pid in results} == {os.getpid()}


def test_a_failing_chunk_raises_its_own_error():
    with (
        Engine(EngineConfig(workers=2, min_parallel=1)) as engine,
        pytest.raises(ValueError, match="a bad chunk"),
    ):
        engine.map(_fails_on_three, None, CHUNKS)


def _total(values, offset):
    return sum(values) + offset


def test_a_submitted_job_gives_its_result_here_or_on_the_cluster(recwarn):
    import numpy as np

    big = np.ones(3_000_000)  # 24 MB: sent beforehand, so Dask warns of no large task
    with Engine(EngineConfig(workers=2, min_parallel=1)) as engine:
        assert engine.submit(_total, big, 1, items=10)() == 3_000_001
        assert engine._client is not None
    with Engine(EngineConfig(scheduler="sync")) as engine:
        assert engine.submit(_total, [1, 2], 3, items=10)() == 6
    assert not [w for w in recwarn if "large graph" in str(w.message)]


def test_a_feed_starts_each_chunk_on_the_cluster_as_it_is_added():
    with Engine(EngineConfig(workers=2, min_parallel=1)) as engine:
        feed = engine.feed(_scaled_sums, 2, items=len(CHUNKS))
        for chunk in CHUNKS:
            feed.add(chunk)
        assert len(feed.futures) == len(CHUNKS)  # already sent, before results are asked
        results = feed.results()
    assert [total for total, _ in results] == [2 * e for e in EXPECTED]
    assert os.getpid() not in {pid for _, pid in results}


def test_a_feed_below_min_parallel_maps_here_when_results_are_asked():
    calls = []

    def noted(factor, chunk):
        calls.append(chunk)
        return factor * sum(chunk)

    with Engine(EngineConfig(workers=2, min_parallel=1000)) as engine:
        feed = engine.feed(noted, 3, items=10)
        for chunk in CHUNKS:
            feed.add(chunk)
        assert calls == []
        assert feed.results() == [3 * e for e in EXPECTED]
        assert engine._client is None  # no cluster started
