"""What keeps one server's memory bounded whatever its viewers do: a cache bounded by entries
and by bytes, and a gate on heavy work that says "busy" instead of queueing without end.

Every viewer can make the server load a model, decode an upload or run Grad-CAM; none of it
may grow with the number of viewers. Caches evict their least recently used entries past
either bound. The gate lets `slots` pieces of heavy work run at once and at most `waiting`
more wait, each for `wait_s` at most; anything past that is refused at once with `Busy`, a
message the page shows ("busy, try again").
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from dashboard.i18n import _


class Busy(Exception):
    """The server is doing as much heavy work as it may; `str()` is for the viewer, in the
    language of the session that asked (it is raised in that session's script thread)."""


def nbytes(value) -> int:
    """Bytes held by the arrays in a value (arrays, tuples, lists, dicts, dataclasses)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 64  # anything else is small here: a number, a name


class BoundedCache:
    """An LRU cache holding at most `max_entries` values and `max_bytes` bytes (by `size_of`);
    a value bigger than `max_bytes` on its own is returned and not kept."""

    def __init__(self, max_entries: int, max_bytes: int, size_of: Callable = nbytes):
        self.max_entries, self.max_bytes, self.size_of = max_entries, max_bytes, size_of
        self.entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self.making: dict[Hashable, threading.Event] = {}  # keys being made, by one thread each

    def get_or_make(self, key: Hashable, make: Callable[[], object]):
        """The kept value, else `make()`'s. While one thread makes a key, others asking for the
        same key wait for it (the start-up warm-up and the first viewer load one model, not
        two); other keys are served meanwhile."""
        while True:
            with self.lock:
                if key in self.entries:
                    self.entries.move_to_end(key)
                    return self.entries[key][0]
                pending = self.making.get(key)
                if pending is None:
                    self.making[key] = threading.Event()
                    break
            pending.wait()  # then it is kept, or its make failed or was too big: make it here
        try:
            return self._make(key, make)
        finally:
            with self.lock:
                self.making.pop(key).set()

    def _make(self, key: Hashable, make: Callable[[], object]):
        value = make()  # outside the lock: other keys are served meanwhile
        size = self.size_of(value)
        if size > self.max_bytes:
            return value
        with self.lock:
            self.entries[key] = (value, size)
            self.bytes += size
            while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.bytes -= dropped
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


class Gate:
    """At most `slots` holders at once, `waiting` more in line, each waiting `wait_s` at most."""

    def __init__(self, slots: int, waiting: int, wait_s: float):
        self.slots = threading.BoundedSemaphore(slots)
        self.workers = ThreadPoolExecutor(slots, thread_name_prefix="tlab-heavy")
        self.waiting, self.wait_s = waiting, wait_s
        self.in_line = 0
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def enter(self, what: str) -> Iterator[None]:
        """Hold a slot for `what` (a word marked for the catalog: the viewer reads it, translated,
        when the server is busy)."""
        if not self.slots.acquire(blocking=False):
            self._wait(what)
        try:
            yield
        finally:
            self.slots.release()

    def run(self, what: str, work: Callable, *args):
        """`work(*args)` through the gate, on one of the gate's own threads. Memory that big
        work frees stays with the allocator's arenas of the thread that used it: run on each
        viewer's script thread, 11 decodes of a 108 MB picture left 1.2 GB of RSS behind;
        on the gate's threads the same memory serves the next one."""
        with self.enter(what):
            return self.workers.submit(work, *args).result()

    def _wait(self, what: str) -> None:
        """In line for a slot, if the line has room; Busy otherwise, or after `wait_s`."""
        with self.lock:
            if self.in_line >= self.waiting:
                raise Busy(_busy(what))
            self.in_line += 1
        try:
            got = self.slots.acquire(timeout=self.wait_s)
        finally:
            with self.lock:
                self.in_line -= 1
        if not got:
            raise Busy(_busy(what))


def _busy(what: str) -> str:
    return _("The server is busy with other viewers' work ({what}); try again in a moment.").format(
        what=_(what)
    )
