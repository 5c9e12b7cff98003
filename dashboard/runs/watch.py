"""What connects a trainer to every server sharing the run store: a heartbeat for its runs
(how another server knows they are alive), stop requests read from the store (how another
server stops them), and a sweep that marks runs whose trainer is gone "interrupted". The
trainer thread of a server and a Ray worker each run one."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from dashboard.runs.record import RunStatus
from dashboard.runs.store import RunStore

log = logging.getLogger(__name__)
WATCH_S = 1.0  # how often stop requests from other servers are read
BEAT_S = 5.0  # how often the trainer says its runs are alive (owners.STALE_S: 60)
SWEEP_S = 30.0  # how often runs whose trainer is gone are marked interrupted


class Watched(Protocol):
    """What the watch needs of a run that trains here: its status and its stop flag (the
    trainer's live state has both)."""

    status: RunStatus
    stop: threading.Event


class RunWatch:
    """A daemon thread over `live` (run id -> its live state, shared with the trainer), while any
    of them is queued or training."""

    def __init__(
        self,
        runs: RunStore,
        live: dict[str, Watched],
        every: float = WATCH_S,
        sweep_every: float = SWEEP_S,
    ):
        self.runs, self.live, self.every, self.sweep_every = runs, live, every, sweep_every
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tlab-run-watch", daemon=True)

    def start(self) -> RunWatch:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.closing.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        last_beat = last_sweep = 0.0
        while not self.closing.wait(self.every):
            if time.time() - last_sweep >= self.sweep_every:
                last_sweep = time.time()
                self._sweep()
            ids = [i for i, s in list(self.live.items()) if s.status.active and not s.stop.is_set()]
            if not ids:
                continue
            try:
                if time.time() - last_beat >= BEAT_S:
                    self.runs.beat(ids)
                    last_beat = time.time()
                for run_id in self.runs.stop_requested(ids):
                    self.live[run_id].stop.set()
            except Exception:  # a database hiccup must not end the watch; the next round retries
                log.exception("watching runs %s", ids)

    def _sweep(self) -> None:
        """Runs whose trainer died without a word (a killed worker, a lost node, a crashed
        server) stop showing "running" within half a minute, wherever they trained."""
        try:
            self.runs.mark_interrupted()
        except Exception:  # the next sweep retries
            log.exception("marking runs interrupted")
