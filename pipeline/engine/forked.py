"""A function computed in a forked process while this one goes on (the topic fit's
stability refits beside the main fit). It leaves with the rest of the fork-based
machinery when the topic fit moves onto the engine (issue 27)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from threadpoolctl import threadpool_limits


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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
