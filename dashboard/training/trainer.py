"""One training run, start to finish, in a worker thread (never in a Streamlit script run).

dataset -> backbone -> classifier (strategy) -> the strategy's phases (on cached features or
activations where the frozen part allows it) -> evaluate -> export `.keras` + label map ->
parity check of the reloaded file. Progress goes through one `EpochReporter`: batches to the
`LiveState` (the live view), epochs to the run store (kept across restarts) and TensorBoard.
Stop is honoured within one batch; what was done is kept. Phase names and messages are written
in English (`N_`: the store's words, the live state's); a page translates them where it shows
them (`progress.progress_of`, `runs.message_text`).
"""

from __future__ import annotations

import logging
import time

from dashboard import datasets
from dashboard.i18n import N_
from dashboard.runs import (
    NOT_STARTED,
    SERVER_STOPPED,
    USER_STOPPED,
    RunStatus,
    RunStore,
    sync,
)
from dashboard.settings import Settings
from dashboard.training import batch, batch_job, build, checkpoint, continuation, results
from dashboard.training.config import TrainConfig
from dashboard.training.phases import Phases, TrainOutcome
from dashboard.training.progress import EpochReporter, LiveState
from dashboard.training.run_data import RunData
from models import catalog, devices
from models.strategies import STRATEGIES
from models.weights import WeightsUnavailable

log = logging.getLogger(__name__)


def train(settings: Settings, runs: RunStore, run_id: str, config, live) -> None:
    """One job, wherever it is executed (this server's trainer thread, a Ray worker): unless
    it was stopped while it waited, its `Trainer` runs it (a batch prediction: `batch`);
    failures become its status."""
    if live.stop.is_set() or _stop_requested(runs, run_id):
        live.status = RunStatus.STOPPED
        runs.update(run_id, status=RunStatus.STOPPED, message=NOT_STARTED)
        return
    if isinstance(config, batch.BatchConfig):
        batch_job.execute(settings, runs, run_id, config, live)
        return
    Trainer(settings, runs, run_id, config, live).execute()


def _stop_requested(runs: RunStore, run_id: str) -> bool:
    """The store's stop flag; a database hiccup here must not end the trainer's thread (the
    run's watch reads the flag again every second once it trains)."""
    try:
        return bool(runs.stop_requested([run_id]))
    except Exception:
        log.exception("reading the stop request of run %s", run_id)
        return False


class Trainer:
    """Executes one run; `execute()` never raises: failures become the run's status."""

    def __init__(
        self, settings: Settings, runs: RunStore, run_id: str, config: TrainConfig, live: LiveState
    ):
        self.settings, self.runs, self.run_id = settings, runs, run_id
        self.config, self.live = config, live
        self.strategy = STRATEGIES[config.strategy]
        self.backbone = catalog.get(config.backbone)
        self.folder = runs.run_dir(run_id)
        self.base_changed = False  # a warm start from a run that trained its base

    def _resume_point(self) -> checkpoint.Checkpoint | None:
        if not self.config.resume_from:
            return None
        return continuation.resume_point(self.settings, self.runs, self.config)

    def execute(self) -> None:
        try:
            self._execute()
        except (WeightsUnavailable, datasets.DatasetError, continuation.ContinueError) as exc:
            self._end(RunStatus.FAILED, str(exc))
        except Exception as exc:  # the UI shows the message; the log keeps the traceback
            log.exception("run %s failed", self.run_id)
            self._end(RunStatus.FAILED, f"{type(exc).__name__}: {exc}")

    def _execute(self) -> None:
        plan = devices.configure()
        self.live.status = RunStatus.RUNNING
        self.runs.update(
            self.run_id, status=RunStatus.RUNNING, started=time.time(), device=plan.name
        )
        data = RunData(self.settings, datasets.get(self.settings, self.config.dataset_id))
        resume = self._resume_point()
        reporter = EpochReporter(self.live, self.runs, self.run_id, self.folder)
        if resume is not None:  # the parent's epochs first: this run's curve goes on from them
            reporter.images_seen = continuation.copy_history(
                self.runs, self.config.resume_from, self.run_id, resume.epochs
            )
            reporter.epochs_done = resume.epochs
        try:
            with plan.strategy().scope():
                reporter.phase(N_("building the model"))
                n_classes = len(data.manifest.classes)
                clf = build.classifier(self.settings, self.config, n_classes, plan.precision)
                if self.config.init_from and resume is None:
                    self.base_changed = continuation.warm_start(
                        self.settings, self.runs, self.config, clf
                    )
                elif self.config.init_from:  # the checkpoint's weights replace the start
                    self.base_changed = continuation.base_changes(self.runs, self.config)
                outcome = Phases(self, clf, data, reporter, resume).run()
            self._finish(clf, data, reporter, outcome)
        finally:
            reporter.close()

    def _finish(self, clf, data: RunData, reporter: EpochReporter, outcome: TrainOutcome) -> None:
        done = outcome.epochs
        if self.live.interrupted:
            message = SERVER_STOPPED.format(epochs=done)  # English in the store
            self._end(RunStatus.INTERRUPTED, message)
            return
        reporter.phase(N_("evaluating and exporting"))
        scores = results.evaluate_and_export(
            self.runs, self.run_id, data, self.config, clf, self.folder, outcome
        )
        data.share_caches()
        if self.live.stop.is_set():
            message = USER_STOPPED.format(epochs=done)
            self._end(RunStatus.STOPPED, message)
            return
        self._end(
            RunStatus.FINISHED,
            final_val_acc=scores.val.accuracy,
            best_val_acc=scores.best_val_acc,
            test_acc=scores.test.accuracy if scores.test else None,
            results=scores,
        )

    def _end(self, status: RunStatus, message: str = "", **fields) -> None:
        if (self.folder / checkpoint.FILE).is_file():  # so any server can continue the run
            sync.push(self.settings, self.folder / checkpoint.FILE)
        self.live.status, self.live.message = status, message
        self.runs.update(
            self.run_id, status=status, message=message, finished=time.time(), **fields
        )
