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
from dataclasses import dataclass, field

import keras
import numpy as np

from dashboard import datasets, features, probes
from dashboard.i18n import N_
from dashboard.runs import CACHE_OFF, NOT_STARTED, SERVER_STOPPED, USER_STOPPED, RunStatus, RunStore
from dashboard.settings import Settings
from dashboard.training import build, results
from dashboard.training.config import TrainConfig
from dashboard.training.progress import EpochReporter, LiveState
from dashboard.training.run_data import RunData
from models import catalog, devices, fitting
from models.classifier import Classifier, set_trainable, split_at_cut
from models.strategies import STRATEGIES
from models.weights import WeightsUnavailable

log = logging.getLogger(__name__)


def train(settings: Settings, runs: RunStore, run_id: str, config: TrainConfig, live) -> None:
    """One run, wherever it is executed (this server's trainer thread, a Ray worker): unless
    it was stopped while it waited, its `Trainer` runs it; failures become its status."""
    if live.stop.is_set() or _stop_requested(runs, run_id):
        live.status = RunStatus.STOPPED
        runs.update(run_id, status=RunStatus.STOPPED, message=NOT_STARTED)
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


@dataclass
class TrainOutcome:
    """What the training phases leave for evaluation and the run's record."""

    epochs: int = 0
    train_seconds: float = 0.0
    feature_seconds: float = 0.0
    cache_hits: list[bool] = field(default_factory=list)
    folds: list[float] = field(default_factory=list)  # the head's k-fold accuracies, if asked

    def seconds(self) -> dict[str, float]:
        return {"train": round(self.train_seconds, 3), "features": round(self.feature_seconds, 3)}


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

    def execute(self) -> None:
        try:
            self._execute()
        except (WeightsUnavailable, datasets.DatasetError) as exc:
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
        reporter = EpochReporter(self.live, self.runs, self.run_id, self.folder)
        try:
            with plan.strategy().scope():
                reporter.phase(N_("building the model"))
                n_classes = len(data.manifest.classes)
                clf = build.classifier(self.settings, self.config, n_classes, plan.precision)
                outcome = Phases(self, clf, data, reporter).run()
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
        self.live.status, self.live.message = status, message
        self.runs.update(
            self.run_id, status=status, message=message, finished=time.time(), **fields
        )


class Phases:
    """The strategy's training phases, in order: the head (on cached features when the base is
    frozen and nothing augments), then, for two-phase strategies, the fine-tune (on cached
    activations below the cut when the lower blocks stay frozen), or the whole network."""

    def __init__(self, trainer: Trainer, clf: Classifier, data: RunData, reporter: EpochReporter):
        self.t, self.clf, self.data, self.reporter = trainer, clf, data, reporter
        self.c, self.s, self.live = trainer.config, trainer.strategy, trainer.live
        self.outcome = TrainOutcome()

    def run(self) -> TrainOutcome:
        started = time.perf_counter()
        head_epochs = self.s.head_epochs(self.c.epochs)
        cached = self.s.pretrained and not self.c.augment and head_epochs > 0
        if head_epochs and cached:
            self.head_on_features(head_epochs)
        elif head_epochs:
            self.live.message = CACHE_OFF
            self.on_images(head_epochs, self.c.learning_rate, N_("head"))
        if not self.live.stop.is_set():
            self.second_phase(head_epochs, cached)
        self.reporter.flush()
        self.outcome.epochs = self.reporter.epochs_done
        self.outcome.train_seconds = time.perf_counter() - started
        return self.outcome

    def second_phase(self, head_epochs: int, cached: bool) -> None:
        if self.s.two_phases:
            set_trainable(self.clf, phase=2)  # then recompile: both fits compile
            fit = self.above_cut if cached and self.s.unfreeze_blocks else self.on_images
            epochs = self.c.epochs - self.reporter.epochs_done
            fit(epochs, self.c.learning_rate * self.s.finetune_lr_factor, N_("fine-tune"))
        elif not head_epochs:
            self.on_images(self.c.epochs, self.c.learning_rate, N_("train"))

    def head_on_features(self, epochs: int) -> None:
        self.reporter.phase(N_("computing features (cached for later runs)"))
        started = time.perf_counter()
        train, val = self.cached_arrays(self.t.backbone.key, lambda: self.clf.features)
        self.outcome.feature_seconds = time.perf_counter() - started
        label = N_("training the head on cached features")
        self.on_arrays(self.clf.head, train, val, epochs, self.c.learning_rate, N_("head"), label)
        if self.c.folds >= 2 and self.s.head_only and not self.live.stop.is_set():
            self.cross_validate(train, val, epochs)

    def cross_validate(self, train, val, epochs: int) -> None:
        """The same head, fresh, trained on k-1 stratified folds of the train and validation
        features together and scored on the one left out, for each fold: what the run's
        figure would be on other splits of the same images (cheap: the features are cached)."""
        x = np.concatenate([train[0], val[0]])
        y = np.concatenate([train[1], val[1]]).astype("int32")
        folds = probes.fold_count(y, self.c.folds)
        quiet = fitting.FitWatch(self.live.stop, lambda *_args: None)
        self.reporter.phase(N_("cross-validating the head"), 0, folds)
        for k, test in enumerate(probes.stratified_folds(y, folds, self.c.seed) if folds else []):
            self.live.step = k  # the live view's bar: folds done
            head = keras.models.clone_model(self.clf.head)  # the same layers, fresh weights
            rest = np.setdiff1d(np.arange(len(y)), test)
            schedule = self.array_schedule(len(rest), epochs, self.c.learning_rate)
            fitting.fit_on_arrays(head, (x[rest], y[rest]), (x[test], y[test]), schedule, quiet)
            if self.live.stop.is_set():
                return
            predicted = head.predict(x[test], verbose=0).argmax(1)
            self.outcome.folds.append(float((predicted == y[test]).mean()))

    def above_cut(self, epochs: int, learning_rate: float, name: str) -> None:
        """Strategy 3's second phase on cached activations at the cut below the first unfrozen
        block: the frozen blocks run once per image (cached across runs), not every epoch."""
        if epochs <= 0:
            return
        cut = split_at_cut(self.clf)
        self.reporter.phase(N_("computing activations below the unfrozen blocks (cached)"))
        train, val = self.cached_arrays(f"{self.t.backbone.key}@{cut.layer}", lambda: cut.below)
        self.on_arrays(cut.above, train, val, epochs, learning_rate, name)

    def cached_arrays(self, entry: str, make_model) -> list[tuple]:
        weights_id = features.pretrained_weights_id(self.t.settings, self.t.backbone)
        arrays, hits = features.split_features(
            self.t.settings,
            self.data.manifest,
            entry,
            weights_id,
            self.c.image_size,
            make_model,
            self.c.batch_size,
        )
        self.outcome.cache_hits += hits
        return arrays

    def on_arrays(self, model, train, val, epochs, learning_rate, name, label="") -> None:
        """Epochs on in-memory arrays (features, or activations at a cut)."""
        n = len(train[0])
        self.reporter.phase(name, epochs, -(-n // self.c.batch_size), n, label)
        self.reporter.defer_scalars()
        schedule = self.array_schedule(n, epochs, learning_rate)
        watch = fitting.FitWatch(self.live.stop, self.reporter.on_epoch, self.reporter.on_batch)
        fitting.fit_on_arrays(model, train, val, schedule, watch)

    def array_schedule(self, n: int, epochs: int, learning_rate: float) -> fitting.ArraySchedule:
        steps = -(-n // self.c.batch_size)
        return fitting.ArraySchedule(
            epochs=epochs,
            batch_size=self.c.batch_size,
            learning_rate=fitting.learning_rate_schedule(
                self.c.schedule, learning_rate, steps, epochs
            ),
            seed=self.c.seed,
            early_stopping=self.c.early_stopping,
        )

    def on_images(self, epochs: int, learning_rate: float, name: str) -> None:
        if epochs <= 0:
            return
        c, n_train = self.c, self.data.count("train")
        steps = -(-n_train // c.batch_size)
        self.reporter.phase(name, epochs, steps, n_train)
        schedule = fitting.learning_rate_schedule(c.schedule, learning_rate, steps, epochs)
        fitting.compile_model(self.clf.train_model, schedule)
        train, val = self.data.feed("train", c), self.data.feed("val", c)
        self.clf.train_model.fit(
            train,
            validation_data=val,
            epochs=epochs,
            verbose=0,
            shuffle=False,
            callbacks=self.callbacks(n_train, lambda: train),
        )

    def callbacks(self, n_train: int, train_batches) -> list[keras.callbacks.Callback]:
        r = self.reporter
        callbacks = [
            fitting.Reporter(self.live.stop, r.on_batch, r.on_epoch, n_train, self.c.batch_size)
        ]
        if self.clf.batchnorm_learns:  # precise BN before validation: see models/batchnorm.py
            precise = self.clf.precise_batchnorm()
            callbacks.append(fitting.RefreshBatchNorm(precise, train_batches))
        if self.c.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_accuracy", patience=3, restore_best_weights=True
                )
            )
        return callbacks
