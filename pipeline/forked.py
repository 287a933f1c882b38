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

from threadpoolctl import threadpool_limits

_state: Any = None
_function: Callable[[Any, Any], Any] | None = None


def _one_blas_thread() -> None:
    # Each worker is one core's worth of work: BLAS threads of its own would make
    # workers x cores threads fight over the cores (applying a model to 635k texts on
    # two workers took 7.1-8.2 s with them, 4.9-5.1 s without).
    threadpool_limits(1)


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
        with multiprocessing.get_context("fork").Pool(workers, _one_blas_thread) as pool:
            return pool.map(_call, chunks, chunksize=1)
    finally:
        _state, _function = None, None


class Background:
    """`function(*args)` computed in a forked process while this one goes on; `result()`
    waits for it. Without fork (or with `fork=False`), `result()` computes it here. For
    work that needs a core while this process is busy with something single-threaded
    (the topic fit)."""

    def __init__(self, function: Callable[..., Any], *args: Any, fork: bool = True):
        self._function, self._args, self._process = function, args, None
        if fork and can_fork():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_send_result, args=(sender, function, args), daemon=True
            )
            self._process.start()
            sender.close()

    def result(self) -> Any:
        if self._process is None:
            return self._function(*self._args)
        try:
            ok, value = self._receiver.recv()
        except EOFError:
            raise RuntimeError(f"{self._function.__name__} died in its process") from None
        finally:
            self._process.join()
        if not ok:
            raise RuntimeError(f"{self._function.__name__} failed in its process: {value}")
        return value


def _send_result(sender, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # one BLAS thread: the other core is the busy parent's
    with threadpool_limits(1):
        try:
            sender.send((True, function(*args)))
        except Exception as err:  # reported by result() in the parent
            sender.send((False, f"{type(err).__name__}: {err}"))
    sender.close()
