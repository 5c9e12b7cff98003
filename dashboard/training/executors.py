"""Where a run trains: one contract, two executors side by side.

`ThreadExecutor` trains on this server, one run at a time in a background thread (one device
per machine here: the GPU, or the CPU). `RayExecutor` (`ray_executor.py`, TLAB_EXECUTOR=ray)
hands each run to a Ray task. Either way the same `trainer.train` runs it and writes its
progress to the run store; only a run trained here also has a `LiveState` with its batches.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Protocol

from dashboard.runs import RunStore
from dashboard.settings import Settings
from dashboard.training import ray_setup
from dashboard.training.config import TrainConfig
from dashboard.training.progress import LiveState
from dashboard.training.trainer import train
from models import devices

log = logging.getLogger(__name__)


class Executor(Protocol):
    """What the job queue asks of wherever runs train."""

    live: dict[str, LiveState]  # the runs this process trains or has queued, by id

    def submit(self, run_id: str, config: TrainConfig) -> None:
        """Train the run (already recorded as queued) when a device is free."""

    def stop(self, run_id: str) -> None:
        """Stop it within a batch, where this process can (the store's flag does the rest)."""

    def position(self, run_id: str) -> int:
        """n when n-th in this process's line; 0 when training, done or not queued here."""

    def shutdown(self, timeout: float) -> None:
        """Stop what trains here and let it end (unfinished runs stay as they are)."""


class ThreadExecutor:
    """One queue and one worker thread for this machine's device."""

    def __init__(self, settings: Settings, runs: RunStore):
        self.settings, self.runs = settings, runs
        self.live: dict[str, LiveState] = {}
        self.waiting: list[str] = []
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.worker = threading.Thread(target=self._work, name="tlab-trainer", daemon=True)
        self.worker.start()

    def submit(self, run_id: str, config: TrainConfig) -> None:
        with self.lock:
            self.live[run_id] = LiveState()
            self.waiting.append(run_id)
        self.queue.put((run_id, config))

    def stop(self, run_id: str) -> None:
        state = self.live.get(run_id)
        if state is not None:
            state.stop.set()

    def position(self, run_id: str) -> int:
        with self.lock:
            return self.waiting.index(run_id) + 1 if run_id in self.waiting else 0

    def shutdown(self, timeout: float) -> None:
        self.closing.set()
        for state in self.live.values():
            state.interrupted = True
            state.stop.set()
        self.queue.put(None)
        self.worker.join(timeout)

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None or self.closing.is_set():
                return  # queued runs stay "queued"; the next start marks them interrupted
            run_id, config = item
            with self.lock:
                self.waiting.remove(run_id)
            try:
                train(self.settings, self.runs, run_id, config, self.live[run_id])
            except Exception:  # the trainer records its own failures; this thread goes on
                log.exception("run %s could not start", run_id)
            devices.release_freed_memory()


def executor_for(settings: Settings, runs: RunStore) -> Executor:
    """The settings' executor: this server's thread, or a Ray cluster's tasks."""
    if settings.executor != "ray":
        return ThreadExecutor(settings, runs)
    ray_setup.prepare(settings)  # before Ray's first import: it reads its environment then
    from dashboard.training.ray_executor import RayExecutor  # Ray is optional (team mode)

    return RayExecutor(settings)
