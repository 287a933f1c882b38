"""Say what a long run is doing: a spinner and a line per stage on a terminal, one JSON
object per event for log collectors (--log-json), or nothing at all (--quiet)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, TextIO

from rich.console import Console

Mode = Literal["rich", "json", "quiet"]


class Progress:
    def __init__(self, mode: Mode = "quiet", stream: TextIO | None = None):
        self.mode = mode
        self.stream = stream or sys.stderr
        self.timings: dict[str, float] = {}
        self._console = Console(file=self.stream, highlight=False) if mode == "rich" else None

    def event(self, event: str, **facts: object) -> None:
        if self.mode == "json":
            record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "event": event, **facts}
            self.stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self.stream.flush()

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time a stage and say how it ended: ✓ done, ! done with a problem, - nothing to
        do, or ✗ failed with why (the error goes on up)."""
        start = time.perf_counter()
        self.event("stage_started", stage=name)
        outcome = Stage()
        try:
            if self._console is not None:
                with self._console.status(f"{name}…"):
                    yield outcome
            else:
                yield outcome
        except BaseException as error:
            self._end(name, start, "failed", str(error) or type(error).__name__)
            raise
        self._end(name, start, outcome.state, outcome.why)

    def _end(self, name: str, start: float, state: str, why: str) -> None:
        seconds = time.perf_counter() - start
        self.timings[name] = seconds
        self.event("stage_done", stage=name, seconds=round(seconds, 3), state=state, why=why)
        if self._console is not None:
            mark = _MARKS[state]
            self._console.print(f"{mark} {name} ({seconds:.1f} s){': ' + why if why else ''}")


_MARKS = {
    "done": "[green]✓[/]",
    "warned": "[yellow]![/]",
    "idle": "[dim]-[/]",
    "failed": "[red]✗[/]",
}


class Stage:
    """How a stage ended, set by the work inside it."""

    def __init__(self) -> None:
        self.state, self.why = "done", ""

    def warn(self, why: str) -> None:
        self.state, self.why = "warned", why

    def fail(self, why: str) -> None:
        self.state, self.why = "failed", why

    def idle(self, why: str) -> None:
        self.state, self.why = "idle", why


def choose(quiet: bool, log_json: bool) -> Progress:
    return Progress("json" if log_json else "quiet" if quiet else "rich")
