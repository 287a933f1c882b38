import pytest

from pipeline.engine.forked import Background


def _fails(message):
    raise ValueError(message)


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
