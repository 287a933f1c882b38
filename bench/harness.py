"""Run one stage in a fresh process and read back its count, time and peak memory."""

from __future__ import annotations

import multiprocessing
import queue as queues
import resource
import time
from pathlib import Path


def _child(stage: str, path: str, cap: int, results) -> None:
    from bench import stages

    start = time.perf_counter()
    try:
        count = stages.STAGES[stage](Path(path), cap)
    except Exception as err:  # a peer that cannot read the file is a result, not a crash
        results.put(f"{type(err).__name__}: {str(err).splitlines()[0][:120]}")
        return
    seconds = time.perf_counter() - start
    inner = stages.INNER[-1] if stages.INNER else seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((count, seconds, inner, peak_mb))


def measure(stage: str, path: Path, cap: int) -> tuple[int, float, float, float] | str:
    """(messages, seconds in the process, seconds of the measured work, peak RSS MB), or
    the error that stopped the stage."""
    context = multiprocessing.get_context("spawn")  # a clean process: peak RSS is the stage's own
    results = context.Queue()
    process = context.Process(target=_child, args=(stage, str(path), cap, results))
    process.start()
    while True:
        try:
            outcome = results.get(timeout=1.0)
            break
        except queues.Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"benchmark stage {stage} died (exit code {process.exitcode})"
                ) from None
    process.join()
    return outcome
