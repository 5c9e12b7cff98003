"""Training jobs: a queue per device, worked by a background thread of the server process, or
tasks on a Ray cluster (TLAB_EXECUTOR=ray, `ray_executor.py`).

Submitting never starts a duplicate: a finished run with the same settings is returned at once
(the cache), and a queued or running one is returned as it is. A Streamlit rerun, page switch
or reload only reads state here. On start, runs left unfinished by a process that is gone are
marked "interrupted", their finished epochs kept.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from pathlib import Path

from dashboard import datasets
from dashboard.settings import Settings
from dashboard.training import ray_setup
from dashboard.training.config import TrainConfig
from dashboard.training.progress import LiveState
from dashboard.training.run_store import (
    ACTIVE,
    Run,
    RunStatus,
    RunStore,
    open_runs,
    trainer_alive,
)
from dashboard.training.trainer import Trainer
from dashboard.training.watch import RunWatch
from models import devices

log = logging.getLogger(__name__)


class JobManager:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.live: dict[str, LiveState] = {}
        self.waiting: list[str] = []
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.worker = self.watch = self.ray = None
        if settings.readonly:  # a demo server trains, sweeps and writes nothing: it reads
            self.runs = open_runs(settings)
            return
        self.runs = RunStore(settings.home, settings.db_url)
        self.runs.mark_interrupted()
        # One device per machine here (the GPU, or the CPU): one queue, one worker.
        self.worker = threading.Thread(target=self._work, name="tlab-trainer", daemon=True)
        self.worker.start()
        self.watch = RunWatch(self.runs, self.live).start()
        self.ray = _ray_executor(settings) if settings.executor == "ray" else None
        atexit.register(self.shutdown)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop the running job within a batch and let the worker end, so the interpreter
        never exits with TensorFlow busy in a daemon thread. Unfinished runs stay marked as
        they are and are marked "interrupted" by the next start."""
        self.closing.set()
        if self.worker is None:  # read-only: nothing runs
            return
        for state in self.live.values():
            state.interrupted = True
            state.stop.set()
        self.queue.put(None)
        self.worker.join(timeout)
        self.watch.stop(timeout)

    def submit(self, config: TrainConfig, again: bool = False, by: str = "") -> tuple[Run, bool]:
        """(run, reused). With `again`, a finished run with these settings is trained anew.
        `by`: who asked (recorded with a new run)."""
        self.settings.check_writable("training")
        with self.lock:
            active = self.runs.find(config.key(), ACTIVE)
            if active is not None and self._in_flight(active):
                return active, True
            if not again:
                done = self.runs.find(config.key(), (RunStatus.FINISHED,))
                if done is not None:
                    return done, True
            manifest = datasets.get(self.settings, config.dataset_id)
            run = self.runs.create(config.to_dict(), config.key(), manifest.name, by=by)
            if self.ray is not None:  # a Ray task trains it; its state is in the store
                self.ray.submit(run.id, config)
                return run, False
            self.live[run.id] = LiveState()
            self.waiting.append(run.id)
            self.queue.put((run.id, config))
            return run, False

    def _in_flight(self, run: Run) -> bool:
        """An active run really queued or training: in this server's queue, or owned by a
        live process (a Ray worker, another server on a shared store)."""
        return run.id in self.live or trainer_alive(run)

    def stop(self, run_id: str) -> None:
        """Stop a run within a batch: at once when this server trains it, else through the
        store, which the trainer of the run reads every second (`watch.RunWatch`)."""
        self.settings.check_writable("stopping runs")
        state = self.live.get(run_id)
        if state is not None:
            state.stop.set()
        self.runs.request_stop(run_id)

    def rename(self, run_id: str, name: str) -> None:
        self.settings.check_writable("renaming runs")
        self.runs.rename(run_id, name)

    def delete(self, run_id: str) -> None:
        self.settings.check_writable("deleting runs")
        self.runs.delete(run_id)

    def state(self, run_id: str) -> LiveState | None:
        return self.live.get(run_id)

    def position(self, run_id: str) -> int:
        """0 when running or done; n when n-th in line."""
        with self.lock:
            return self.waiting.index(run_id) + 1 if run_id in self.waiting else 0

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None or self.closing.is_set():
                return  # queued runs stay "queued"; the next start marks them interrupted
            run_id, config = item
            with self.lock:
                self.waiting.remove(run_id)
            live = self.live[run_id]
            if live.stop.is_set():
                live.status = RunStatus.STOPPED
                message = "Stopped before it started."
                self.runs.update(run_id, status=RunStatus.STOPPED, message=message)
                continue
            Trainer(self.settings, self.runs, run_id, config, live).execute()
            devices.release_freed_memory()


def _ray_executor(settings: Settings):
    ray_setup.prepare(settings)  # before Ray's first import: it reads its environment then
    from dashboard.training.ray_executor import RayExecutor  # Ray is optional (team mode)

    return RayExecutor(settings)


_managers: dict[Path, JobManager] = {}
_managers_lock = threading.Lock()


def manager(settings: Settings) -> JobManager:
    """The process's job manager for this TLAB_HOME (one worker per device)."""
    with _managers_lock:
        if settings.home not in _managers:
            _managers[settings.home] = JobManager(settings)
        return _managers[settings.home]
