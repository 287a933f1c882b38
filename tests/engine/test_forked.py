import multiprocessing
import os
import time

import pytest

from pipeline.engine.forked import Background, forked_map


def _square_sum(state, chunk):
    return sum(state * x * x for x in chunk)


def _fails(message):
    raise ValueError(message)


def test_forked_map_keeps_input_order():
    chunks = [[1, 2], [3], [4, 5, 6], []]
    assert forked_map(_square_sum, 2, chunks, 2) == [10, 18, 154, 0]


def _pid_after_a_nap(parent, chunk):
    time.sleep(0.02)
    return os.getpid()


def test_forked_map_shares_the_chunks_between_this_process_and_its_workers():
    pids = forked_map(_pid_after_a_nap, None, list(range(40)), 2)
    assert len(pids) == 40 and len(set(pids)) == 2 and os.getpid() in pids


def _fails_in_a_child(parent, chunk):
    time.sleep(0.01)
    if os.getpid() != parent:
        raise ValueError(f"bad chunk {chunk}")
    return chunk


def _dies_in_a_child(parent, chunk):
    time.sleep(0.01)
    if os.getpid() != parent:
        os._exit(3)
    return chunk


def test_a_worker_that_fails_or_dies_is_reported_not_lost():
    with pytest.raises(RuntimeError, match="ValueError: bad chunk"):
        forked_map(_fails_in_a_child, os.getpid(), list(range(20)), 2)
    with pytest.raises(RuntimeError, match=r"died \(exit code 3\)"):
        forked_map(_dies_in_a_child, os.getpid(), list(range(20)), 2)


def _fails_here(parent, chunk):
    time.sleep(0.01)
    if os.getpid() == parent:
        raise ValueError("bad chunk here")
    return chunk


def test_a_failure_in_this_process_stops_the_workers():
    with pytest.raises(ValueError, match="bad chunk here"):
        forked_map(_fails_here, os.getpid(), list(range(200)), 2)
    assert not multiprocessing.active_children()


def test_background_gives_what_a_direct_call_gives():
    job = Background(sorted, [3, 1, 2])
    assert job.result() == [1, 2, 3]


def test_background_failure_is_reported_not_lost():
    with pytest.raises(RuntimeError, match="ValueError: no seeds"):
        Background(_fails, "no seeds").result()


def test_background_without_fork_computes_in_this_process():
    job = Background(sorted, [2, 1], fork=False)
    assert job._process is None
    assert job.result() == [1, 2]
