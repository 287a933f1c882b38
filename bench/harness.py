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


def measure(stage: str, path: Path, cap: int) -> tuple[int, float, float, float, float] | str:
    """(messages, seconds in the process, seconds of the measured work, peak RSS MB,
    peak MB of the process and the workers it forks together), or the error that
    stopped the stage."""
    context = multiprocessing.get_context("spawn")  # a clean process: peak RSS is the stage's own
    results = context.Queue()
    process = context.Process(target=_child, args=(stage, str(path), cap, results))
    process.start()
    peak_all_kb, wait = 0, 0.2
    while True:
        try:
            outcome = results.get(timeout=wait)
            break
        except queues.Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"benchmark stage {stage} died (exit code {process.exitcode})"
                ) from None
            polled = time.perf_counter()
            peak_all_kb = max(peak_all_kb, tree_pss_kb(process.pid))
            # Reading PSS walks every page of the stage's processes (7 ms per GB): at a
            # fixed 0.2 s it took up to a fifth of a core from the stage it measures.
            # Waiting 20x as long as a read took keeps that under 5%.
            wait = max(0.2, 20 * (time.perf_counter() - polled))
    process.join()
    if isinstance(outcome, str):
        return outcome
    return (*outcome, peak_all_kb / 1024 if peak_all_kb else float("nan"))


def tree_pss_kb(pid: int) -> int:
    """The proportional set size of a process and its descendants, in kB: pages that
    forked workers still share with their parent count once, split between them, so the
    sum is the memory the whole stage holds. 0 where /proc cannot tell (not Linux)."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            total += sum(tree_pss_kb(int(child)) for child in children.read().split())
    except (OSError, StopIteration, ValueError):
        pass  # the process ended between two reads
    return total
