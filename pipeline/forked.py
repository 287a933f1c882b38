"""Map a function over chunks in forked worker processes, results in input order.

Workers are forked from the process that already holds what they need (lexicons, a
fitted model), so they start at once and share that memory; the state is handed over
as a module-level value set just before the fork, never pickled.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

_state: Any = None
_function: Callable[[Any, Any], Any] | None = None


def _call(chunk: Any) -> Any:
    assert _function is not None
    return _function(_state, chunk)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worker_count(workers: int) -> int:
    """`workers` 0 means one per core."""
    return workers or os.cpu_count() or 1


def forked_map(
    function: Callable[[Any, Any], Any], state: Any, chunks: Sequence[Any], workers: int
) -> list[Any]:
    """[function(state, chunk) for chunk in chunks], on `workers` forked processes."""
    global _state, _function
    _state, _function = state, function
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_call, chunks, chunksize=1)
    finally:
        _state, _function = None, None
