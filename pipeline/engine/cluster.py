"""Where the parallel maps run: in this process, on a local Dask cluster that Guyub
starts and stops, or on a running Dask scheduler (`engine.scheduler`, `--scheduler`).

A map sends each worker its shared state once (a config, a fitted model) and then only
the chunks of data; results come back in the chunks' order, so the output never
depends on how many workers there were or which did what. Below `engine.min_parallel`
items no cluster is started: one process is quicker than starting one.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import msgspec

from pipeline.config import EngineConfig
from pipeline.engine.collector import collector_paused

# A chat export's bytes per message, at the least (a header alone is ~25 bytes): an
# input this many times engine.min_parallel bytes will likely be worth a cluster.
BYTES_PER_MESSAGE = 100
# The scheduler names that are not an address.
IN_PROCESS, LOCAL = "sync", "local"


def likely_texts(input_bytes: int) -> int:
    """How many texts inputs of this size will likely hold, at the most, before they are
    read: what decides whether their maps are worth a cluster."""
    return input_bytes // BYTES_PER_MESSAGE


def worker_count(workers: int) -> int:
    """`workers` 0 means one per core."""
    return workers or os.cpu_count() or 1


_ENCODE = msgspec.msgpack.Encoder().encode


class Whole:
    """A chunk's result, which Dask sends as one object: a list or tuple it would take
    apart item by item."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _call(function: Callable[[Any, Any], Any], shared: Any, blob: bytes) -> Whole:
    """On a worker: the chunk decoded and the function applied, the cyclic collector
    paused meanwhile, as in the stages themselves (a chunk's thousands of small lists
    and strings hold no cycles for it to find).

    How data travels is chosen here, not left to Dask, whose serialisation takes a list
    apart item by item (144k texts: 3.4 s to send, 5.1 s to take back, for 3.8 s of
    normalising). Chunks go as MessagePack; a result goes `Whole`, which Dask writes as
    one object, so a string shared by many token lists is written once (MessagePack
    wrote it every time it occurred: 400 MB more in this process at 1M messages)."""
    with collector_paused():
        return Whole(function(shared, msgspec.msgpack.decode(blob)))


def _for_effect(function: Callable[[], Any]) -> None:
    """`function()` on a worker, for what it leaves there: its result (a normaliser
    with its caches, say) is not sent back."""
    function()


class Feed:
    """The chunks of a map kept, and mapped in this process when results are asked for."""

    def __init__(self, function: Callable[[Any, Any], Any], shared: Any):
        self.function, self.shared = function, shared
        self.chunks: list[Any] = []

    def add(self, chunk: Any) -> None:
        self.chunks.append(chunk)

    def results(self) -> list[Any]:
        return [self.function(self.shared, chunk) for chunk in self.chunks]


class ClusterFeed(Feed):
    """Each chunk sent to the cluster as it is added, the shared state once to every
    worker before the first (the cluster is waited for then, not before: it may still
    be starting while the first chunk is made)."""

    def __init__(self, engine: Engine, function: Callable[[Any, Any], Any], shared: Any):
        super().__init__(function, shared)
        self.engine = engine
        self.futures: list[Any] = []

    @cached_property
    def client(self):
        return self.engine.client()

    @cached_property
    def shared_future(self):
        [future] = self.client.scatter([self.shared], broadcast=True, hash=False)
        return future

    def add(self, chunk: Any) -> None:
        # Each chunk goes inside its own task, encoded just before: the workers start on
        # the first while the rest are still being sent (a scatter per chunk waited for
        # each, 2.6 s of 128 chunks), and no second copy of all the data is made here.
        self.futures.append(
            self.client.submit(_call, self.function, self.shared_future, _ENCODE(chunk), pure=False)
        )

    def results(self) -> list[Any]:
        if not self.futures:
            return []
        try:
            results = self.client.gather(self.futures)
        finally:
            self.client.cancel([*self.futures, self.shared_future])
        return [whole.value for whole in results]


def local_cluster(workers: int):
    """A Dask cluster of `workers` processes on this machine, one thread each (the work
    is Python, and BLAS gets one thread), with no dashboard and no profiler: the
    workers' statistical profiler samples every running task's stack 100 times a
    second for a dashboard nobody sees, which costs the normalising map's pure Python
    time. The scheduler's small HTTP server (health checks) listens on any free port
    of this machine alone, never a fixed or public one."""
    import dask
    from distributed import LocalCluster

    # the nanny hands the workers the config as it is when they start
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )


class EngineError(RuntimeError):
    """A scheduler that cannot be reached, or a cluster that cannot be started."""


class Engine:
    """`engine.map(function, shared, chunks)` is `[function(shared, chunk) for chunk in
    chunks]`, run where the config says. Use as a context manager: a local cluster it
    started is stopped on leaving (a scheduler given by address is left running)."""

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self._cluster = None
        self._client = None
        self._starting: threading.Thread | None = None

    def __enter__(self) -> Engine:
        if self.config.scheduler not in (IN_PROCESS, LOCAL):
            self.client()  # an unreachable scheduler is said before any work is done
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start_early(self, likely_texts: int, prepare: Callable[[], Any] | None = None) -> None:
        """Start the local cluster on a thread while the inputs are read, when they are
        large enough that normalising them will want it (its processes take a second or
        two to start and import Guyub), and run `prepare()` on each worker then (what
        every task will need, made once each). `likely_texts`: see `likely_texts`."""
        if self.config.scheduler == LOCAL and self.parallel_for(likely_texts):
            self._starting = threading.Thread(target=self._start, args=(prepare,), daemon=True)
            self._starting.start()

    def _start(self, prepare: Callable[[], Any] | None) -> None:
        client = self.client()
        if prepare is not None:
            client.run(_for_effect, prepare)

    def close(self) -> None:
        self._wait_for_start()
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def in_process(self) -> bool:
        c = self.config
        return c.scheduler == IN_PROCESS or (c.scheduler == LOCAL and worker_count(c.workers) == 1)

    def parallel_for(self, items: int) -> bool:
        """Whether a map over this many items is worth a cluster."""
        return not self.in_process and items >= self.config.min_parallel

    def map(
        self,
        function: Callable[[Any, Any], Any],
        shared: Any,
        chunks: Sequence[Any],
        items: int | None = None,
    ) -> list[Any]:
        """`items`: how many items the chunks hold (their number if not given), for
        choosing between this process and the cluster. Chunks are plain data (lists,
        strings, numbers; tuples arrive as lists)."""
        feed = self.feed(function, shared, len(chunks) if items is None else items)
        for chunk in chunks:
            feed.add(chunk)
        return feed.results()

    def feed(self, function: Callable[[Any, Any], Any], shared: Any, items: int) -> Feed:
        """A map whose chunks come one at a time, while this process goes on making
        the next: `feed.add(chunk)`, then `feed.results()` in the chunks' order. On the
        cluster (when `items`, those expected, are enough) each chunk starts as it is
        added; in this process, all of them when the results are asked for."""
        if not self.parallel_for(items):
            return Feed(function, shared)
        return ClusterFeed(self, function, shared)

    def submit(self, function: Callable[..., Any], *args: Any, items: int) -> Callable[[], Any]:
        """`function(*args)` set going on the cluster while this process goes on, when
        `items` are enough to be worth one; the returned callable gives its result (it
        computes it here, then, otherwise)."""
        if not self.parallel_for(items):
            return lambda: function(*args)
        client = self.client()
        # sent beforehand, not inside the task: Dask warns of (and is slowed by) a task
        # that carries megabytes
        sent = client.scatter(list(args), hash=False)
        return client.submit(function, *sent, pure=False).result

    def _wait_for_start(self) -> None:
        if self._starting is not None and self._starting is not threading.current_thread():
            self._starting.join()
            self._starting = None

    def on_workers(self, function: Callable[[], Any]) -> None:
        """Run `function()` on every worker of a cluster this engine has used."""
        if self._client is not None:
            self._client.run(_for_effect, function)

    def client(self):
        """The Dask client, the local cluster started the first time it is needed."""
        self._wait_for_start()
        if self._client is None:
            from distributed import Client

            c = self.config
            if c.scheduler == LOCAL:
                self._cluster = local_cluster(worker_count(c.workers))
                self._client = Client(self._cluster)
            else:
                try:
                    self._client = Client(c.scheduler, timeout=c.connect_timeout)
                except OSError:  # distributed's timeouts are OSErrors too
                    raise EngineError(
                        f"no Dask scheduler answered at {c.scheduler} within "
                        f"{c.connect_timeout:g} s: start one there (`dask scheduler`), or check "
                        "the address, or leave --scheduler out to run on this machine"
                    ) from None
        return self._client
