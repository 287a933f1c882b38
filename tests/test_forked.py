import pytest

from pipeline.forked import Background, forked_map


def _square_sum(state, chunk):
    return sum(state * x * x for x in chunk)


def _fails(message):
    raise ValueError(message)


def test_forked_map_keeps_input_order():
    chunks = [[1, 2], [3], [4, 5, 6], []]
    assert forked_map(_square_sum, 2, chunks, 2) == [10, 18, 154, 0]


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
