"""The job queue: what a page asks to train, recorded in the run store and handed to the
settings' executor (`executors.py`: this server's trainer thread, or Ray tasks).

Submitting never starts a duplicate: a finished run with the same settings is returned at once
(the cache), and a queued or running one is returned as it is. A Streamlit rerun, page switch
or reload only reads state here. On start, runs left unfinished by a process that is gone are
marked "interrupted", their finished epochs kept. Pages read runs from the run store itself
(`dashboard.runs`), not from here: reading starts no thread.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from dashboard import datasets
from dashboard.runs import ACTIVE, Run, RunStatus, RunStore, RunWatch, open_runs, trainer_alive
from dashboard.settings import Settings
from dashboard.training import batch
from dashboard.training.config import TrainConfig
from dashboard.training.executors import Executor, executor_for
from dashboard.training.progress import LiveState, RunProgress, progress_of


class JobManager:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.lock = threading.Lock()
        self.executor: Executor | None = None
        self.watch: RunWatch | None = None
        if settings.readonly:  # a demo server trains, sweeps and writes nothing: it reads
            self.runs = open_runs(settings)
            return
        self.runs = RunStore(settings.home, settings.db_url)
        self.runs.mark_interrupted()
        self.executor = executor_for(settings, self.runs)
        self.watch = RunWatch(self.runs, self.executor.live).start()
        atexit.register(self.shutdown)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop the running job within a batch and let the worker end, so the interpreter
        never exits with TensorFlow busy in a daemon thread. Unfinished runs stay marked as
        they are and are marked "interrupted" by the next start."""
        if self.executor is None:  # read-only: nothing runs
            return
        self.executor.shutdown(timeout)
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
            name = run_name(config)
            run = self.runs.create(config.to_dict(), config.key(), manifest.name, name, by=by)
            self.executor.submit(run.id, config)
            return run, False

    def _in_flight(self, run: Run) -> bool:
        """An active run really queued or training: in this server's queue, or owned by a
        live process (a Ray worker, another server on a shared store)."""
        return run.id in self._live() or trainer_alive(run)

    def stop(self, run_id: str) -> None:
        """Stop a run within a batch: at once when this server trains it, else through the
        store, which the trainer of the run reads every second (`runs.RunWatch`)."""
        self.settings.check_writable("stopping runs")
        self.executor.stop(run_id)
        self.runs.request_stop(run_id)

    def state(self, run_id: str) -> LiveState | None:
        return self._live().get(run_id)

    def position(self, run_id: str) -> int:
        """0 when running or done; n when n-th in line."""
        return self.executor.position(run_id) if self.executor else 0

    def progress(self, run: Run) -> RunProgress:
        """What the live view shows of a run, wherever it trains."""
        return progress_of(run, self.state(run.id), self.position(run.id))

    def _live(self) -> dict[str, LiveState]:
        return self.executor.live if self.executor else {}


def run_name(config: TrainConfig) -> str:
    """A new run's name: its strategy and backbone, and the run it goes on from (↻) or starts
    from (←), by id (symbols: a name reads the same in every language)."""
    if config.strategy == batch.KIND:
        return f"{batch.KIND} · {config.name} · {config.run_id}"
    parts = [config.strategy, config.backbone]
    if config.resume_from:
        parts.append(f"↻ {config.resume_from}")
    if config.init_from:
        parts.append(f"← {config.init_from}")
    return " · ".join(parts)


_managers: dict[Path, JobManager] = {}
_managers_lock = threading.Lock()


def manager(settings: Settings) -> JobManager:
    """The process's job manager for this TLAB_HOME (one worker per device)."""
    with _managers_lock:
        if settings.home not in _managers:
            _managers[settings.home] = JobManager(settings)
        return _managers[settings.home]
