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
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self.event("stage_started", stage=name)
        if self._console is not None:
            with self._console.status(f"{name}…"):
                yield
        else:
            yield
        seconds = time.perf_counter() - start
        self.timings[name] = seconds
        self.event("stage_done", stage=name, seconds=round(seconds, 3))
        if self._console is not None:
            self._console.print(f"[green]✓[/] {name} ({seconds:.1f} s)")


def choose(quiet: bool, log_json: bool) -> Progress:
    return Progress("json" if log_json else "quiet" if quiet else "rich")
