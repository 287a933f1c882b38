"""Map a function over chunks in forked worker processes, results in input order.

Workers are forked from the process that already holds what they need (lexicons, a
fitted model, the chunks themselves), so they start at once and share that memory;
nothing is pickled on the way in. The parent is one of the workers: with two cores,
a parent that only handed out chunks and unpickled results took a third of a core
from the two workers it waited on. Each process takes the next chunk from a shared
counter, so the faster one does more; children leave their results in a temporary
file, read once the parent's own chunks are done.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import IO, Any

from threadpoolctl import threadpool_limits


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worker_count(workers: int) -> int:
    """`workers` 0 means one per core."""
    return workers or os.cpu_count() or 1


def forked_map(
    function: Callable[[Any, Any], Any], state: Any, chunks: Sequence[Any], workers: int
) -> list[Any]:
    """[function(state, chunk) for chunk in chunks], on this process and `workers` - 1
    forked ones. Each process keeps to one BLAS thread: workers x cores threads would
    fight over the cores (applying a model to 635k texts on two workers took 7.1-8.2 s
    with them, 4.9-5.1 s without)."""
    context = multiprocessing.get_context("fork")
    counter = context.RawValue("l", 0)
    lock = context.Lock()

    def claim() -> int:
        with lock:
            index = counter.value
            counter.value = index + 1
        return index

    def work(done: Callable[[int, Any], None]) -> None:
        with threadpool_limits(1):
            while (index := claim()) < len(chunks):
                done(index, function(state, chunks[index]))

    children: list[tuple[Any, IO[bytes]]] = []
    results: dict[int, Any] = {}
    with ExitStack() as files:
        try:
            for _ in range(worker_count(workers) - 1):
                output = files.enter_context(tempfile.TemporaryFile())
                child = context.Process(target=_child, args=(work, output), daemon=True)
                child.start()
                children.append((child, output))
            work(results.__setitem__)
            for child, output in children:
                child.join()
                results.update(_read_results(child, output))
        finally:  # after a failure here, no worker goes on alone
            for child, _ in children:
                if child.is_alive():
                    child.terminate()
                    child.join()
    return [results[i] for i in range(len(chunks))]


def _child(work: Callable[[Callable[[int, Any], None]], None], output: IO[bytes]) -> None:
    """A forked worker: a record (index, result) for each chunk as it is done (so that
    pickling is spread over the run, not left to its end), then (None, how it ended)."""

    def done(index: int, result: Any) -> None:
        pickle.dump((index, result), output, pickle.HIGHEST_PROTOCOL)

    try:
        work(done)
        pickle.dump((None, None), output, pickle.HIGHEST_PROTOCOL)
    except BaseException as err:  # reported by the parent, which must not wait forever
        message = "".join(traceback.format_exception_only(err)).strip()
        pickle.dump((None, message), output, pickle.HIGHEST_PROTOCOL)
    output.flush()


def _read_results(child: Any, output: IO[bytes]) -> dict[int, Any]:
    # Unpickling here is interprocess communication, not loading an artifact: the file
    # was unlinked as it was made (TemporaryFile), so only this process and the child
    # it forked hold it, and the child wrote it; multiprocessing's pipes, which this
    # replaces, unpickle what a worker sends the same way.
    output.seek(0)
    found: dict[int, Any] = {}
    while True:
        try:
            index, result = pickle.load(output)
        except (EOFError, pickle.UnpicklingError):  # ended before its last record
            raise RuntimeError(f"a forked worker died (exit code {child.exitcode})") from None
        if index is None:
            if result is not None:
                raise RuntimeError(f"a forked worker failed: {result}")
            return found
        found[index] = result


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
