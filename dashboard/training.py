"""One training run, start to finish, in a worker thread (never in a Streamlit script run).

dataset -> backbone -> classifier (strategy) -> fit (on cached features when the strategy trains
only the head) -> evaluate -> export `.keras` + label map -> parity check of the reloaded file.
Progress goes to a `LiveState` (batches, for the live view) and to the run store (epochs, kept
across restarts). Stop is honoured within one batch; what was done is kept.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field

import keras
import tensorflow as tf

from dashboard import backbone_features, datasets
from dashboard.dataset_store import DatasetError
from dashboard.run_store import RunStore
from dashboard.settings import Settings
from dashboard.train_config import TrainConfig
from models import backbones, catalog, devices, fitting
from models.classifier import build_classifier, set_trainable, split_at_cut
from models.strategies import STRATEGIES
from models.weights import WeightsUnavailable

log = logging.getLogger(__name__)


@dataclass
class LiveState:
    """What the live view shows; written by the worker, read by the page."""

    status: str = "queued"
    phase: str = ""
    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps: int = 0
    message: str = ""
    phase_started: float = field(default_factory=time.time)
    stop: threading.Event = field(default_factory=threading.Event)
    interrupted: bool = False  # stopped by a server shutdown, not by the user

    def eta_seconds(self) -> float | None:
        """Time left in the current phase, from the pace so far."""
        done = (self.epoch - 1) * self.steps + self.step if self.steps else 0
        total = self.epochs * self.steps
        if done <= 0 or total <= 0:
            return None
        elapsed = time.time() - self.phase_started
        return elapsed / done * (total - done)


@contextlib.contextmanager
def dtype_policy(name: str):
    """Build layers under a precision policy, then put the global policy back."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


class Run:
    """Executes one run; `execute()` never raises: failures become the run's status."""

    def __init__(self, settings: Settings, runs: RunStore, run_id: str, config: TrainConfig,
                 live: LiveState):  # fmt: skip
        self.settings, self.runs, self.run_id, self.config, self.live = (
            settings, runs, run_id, config, live,
        )  # fmt: skip
        self.strategy = STRATEGIES[config.strategy]
        self.backbone = catalog.get(config.backbone)
        self.dir = runs.run_dir(run_id)
        self.array_history: list[tuple[int, dict]] = []  # epochs trained on cached arrays

    def execute(self) -> None:
        try:
            self._execute()
        except (WeightsUnavailable, DatasetError) as exc:
            self._end("failed", str(exc))
        except Exception as exc:  # the UI shows the message; the log keeps the traceback
            log.exception("run %s failed", self.run_id)
            self._end("failed", f"{type(exc).__name__}: {exc}")

    def _end(self, status: str, message: str = "", **fields) -> None:
        self.live.status, self.live.message = status, message
        self.runs.update(
            self.run_id, status=status, message=message, finished=time.time(), **fields
        )

    # -- the run ------------------------------------------------------------------------------
    def _execute(self) -> None:
        c, s = self.config, self.strategy
        plan = devices.configure()
        self.live.status = "running"
        self.runs.update(self.run_id, status="running", started=time.time(), device=plan.name)
        self.manifest = datasets.get(self.settings, c.dataset_id)
        self._phase("building the model")
        with plan.strategy().scope():
            with backbones.building(c.seed), dtype_policy(plan.precision):
                base = backbones.build(
                    self.backbone,
                    include_top=False,
                    pretrained=s.pretrained,
                    input_size=c.image_size,
                    weights_dir=self.settings.weights_dir,
                    allow_download=self.settings.allow_download,
                )
                self.clf = build_classifier(
                    self.backbone, base, len(self.manifest.classes), s, c.image_size, c.augment,
                    c.seed,
                )  # fmt: skip
            self.tensorboard = tf.summary.create_file_writer(str(self.dir / "tensorboard"))
            started = time.perf_counter()
            done = self._train()
            self.train_seconds = time.perf_counter() - started
        if self.live.interrupted:
            self._end("interrupted", f"The server stopped after {done} epoch(s); they are kept.")
            return
        if self.live.stop.is_set():
            self._finish_artifacts()
            self._end("stopped", f"Stopped by the user after {done} epoch(s); they are kept.")
            return
        results = self._finish_artifacts()
        self._end(
            "finished",
            final_val_acc=results["val"]["accuracy"],
            best_val_acc=results["best_val_acc"],
            test_acc=results.get("test", {}).get("accuracy"),
            results=results,
        )

    def _phase(self, name: str, epochs: int = 0, steps: int = 0) -> None:
        self.live.phase, self.live.epochs, self.live.steps = name, epochs, steps
        self.live.step, self.live.phase_started = 0, time.time()

    def _reporter(self, n_images: int, batch_size: int, phase: str, offset: int, seen: int):
        def on_batch(epoch, step, steps):
            self.live.epoch, self.live.step, self.live.steps = epoch, step, steps

        def on_epoch(epoch, logs, seconds, images_seen):
            self.runs.add_epoch(self.run_id, epoch, phase, logs, seconds, images_seen)
            self._log_scalars(epoch, logs)

        return fitting.Reporter(
            self.live.stop, on_batch, on_epoch, n_images, batch_size, offset, seen
        )

    def _log_scalars(self, epoch: int, logs: dict) -> None:
        """Epoch curves for TensorBoard (`tensorboard --logdir TLAB_HOME/runs`)."""
        with self.tensorboard.as_default():
            for name, value in logs.items():
                tf.summary.scalar(name, value, step=epoch)

    def _callbacks(self, reporter) -> list:
        callbacks = [reporter]
        if self.config.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_accuracy", patience=3, restore_best_weights=True
                )
            )
        return callbacks

    def _train(self) -> int:
        """Runs the strategy's phases; returns the number of finished epochs."""
        c, s = self.config, self.strategy
        head_epochs = s.head_epochs(c.epochs)
        cached = s.pretrained and not c.augment and head_epochs > 0
        done, seen = 0, 0
        if head_epochs and cached:
            done, seen = self._fit_head_on_features(head_epochs)
        elif head_epochs:
            self.live.message = "Feature cache off: augmentation changes every image each epoch."
            done, seen = self._fit_images(head_epochs, c.learning_rate, "head", 0, 0)
        if self.live.stop.is_set():
            return done
        if s.two_phases:
            set_trainable(self.clf, phase=2)  # then recompile: both fits compile
            fit = self._fit_above_cut if cached and s.unfreeze_blocks else self._fit_images
            more, seen = fit(
                c.epochs - done, c.learning_rate * s.finetune_lr_factor, "fine-tune", done, seen
            )
            return done + more
        if not head_epochs:
            return self._fit_images(c.epochs, c.learning_rate, "train", 0, 0)[0]
        return done

    def _fit_head_on_features(self, epochs: int) -> tuple[int, int]:
        self._phase("computing features (cached for later runs)")
        weights_id = backbone_features.pretrained_weights_id(self.settings, self.backbone)
        started = time.perf_counter()
        c = self.config
        (train, val), self.cache_hits = backbone_features.split_features(
            self.settings, self.manifest, self.backbone.key, weights_id, c.image_size,
            lambda: self.clf.features, c.batch_size,
        )  # fmt: skip
        self.feature_seconds = time.perf_counter() - started
        self._phase("training the head on cached features")
        return self._fit_arrays(self.clf.head, train, val, epochs, c.learning_rate, "head", 0, 0)

    def _fit_above_cut(self, epochs, lr, phase, offset, seen) -> tuple[int, int]:
        """Strategy 3's second phase on cached activations at the cut below the first unfrozen
        block: the frozen blocks run once per image (cached across runs), not every epoch."""
        if epochs <= 0:
            return 0, seen
        c = self.config
        cut = split_at_cut(self.clf)
        self._phase("computing activations below the unfrozen blocks (cached for later runs)")
        weights_id = backbone_features.pretrained_weights_id(self.settings, self.backbone)
        (train, val), hits = backbone_features.split_features(
            self.settings, self.manifest, f"{self.backbone.key}@{cut.layer}", weights_id,
            c.image_size, lambda: cut.below, c.batch_size,
        )  # fmt: skip
        self.cache_hits = [*getattr(self, "cache_hits", []), *hits]
        self._phase(phase)
        return self._fit_arrays(cut.above, train, val, epochs, lr, phase, offset, seen)

    def _fit_arrays(self, model, train, val, epochs, lr, phase, offset, seen) -> tuple[int, int]:
        """Epochs on in-memory arrays (features or activations at a cut); returns (epochs done,
        images seen). Their TensorBoard curves are written with the other artifacts."""
        c, n = self.config, len(train[0])
        steps = -(-n // c.batch_size)
        self._phase(self.live.phase, offset + epochs, steps)

        def on_batch(epoch, step, steps):
            self.live.epoch, self.live.step = offset + epoch, step

        def on_epoch(epoch, logs, seconds, images_seen):
            self.runs.add_epoch(self.run_id, offset + epoch, phase, logs, seconds,
                                seen + images_seen)  # fmt: skip
            self.array_history.append((offset + epoch, logs))

        done = fitting.fit_on_arrays(
            model, train, val, epochs=epochs, batch_size=c.batch_size,
            learning_rate=fitting.learning_rate_schedule(c.schedule, lr, steps, epochs),
            seed=c.seed, stop=self.live.stop, on_epoch=on_epoch, on_batch=on_batch,
            early_stopping=c.early_stopping,
        )  # fmt: skip
        return done, seen + done * n

    def _fit_images(self, epochs, lr, phase, offset, seen) -> tuple[int, int]:
        if epochs <= 0:
            return 0, seen
        c = self.config
        train = datasets.training_data(
            self.settings, self.manifest, "train", image_size=c.image_size,
            batch_size=c.batch_size, shuffle=True, seed=c.seed, cache=True,
        )  # fmt: skip
        val = datasets.training_data(
            self.settings, self.manifest, "val", image_size=c.image_size,
            batch_size=c.batch_size, shuffle=False, cache=True,
        )  # fmt: skip
        n_train = int(sum(1 for r in self.manifest.images if r.split == "train"))
        steps = -(-n_train // c.batch_size)
        self._phase(phase, offset + epochs, steps)
        schedule = fitting.learning_rate_schedule(c.schedule, lr, steps, epochs)
        fitting.compile_model(self.clf.train_model, schedule)
        reporter = self._reporter(n_train, c.batch_size, phase, offset, seen)
        callbacks = self._callbacks(reporter)
        if self.clf.batchnorm_learns:  # precise BN before validation: see models/batchnorm.py
            precise = self.clf.precise_batchnorm()
            callbacks.insert(1, fitting.RefreshBatchNorm(precise, lambda: train))
        self.clf.train_model.fit(
            train, validation_data=val, epochs=epochs, verbose=0, shuffle=False,
            callbacks=callbacks,
        )  # fmt: skip
        return reporter.epochs_done, reporter.images_seen

    # -- after training -----------------------------------------------------------------------
    def _finish_artifacts(self) -> dict:
        from dashboard import run_results  # keeps this module's import list short

        self._phase("evaluating and exporting")
        # Head epochs on cached features take milliseconds; their TensorBoard curves are
        # written here, in one go, rather than inside the timed training loop.
        for epoch, logs in self.array_history:
            self._log_scalars(epoch, logs)
        self.tensorboard.flush()
        seconds = {
            "train": round(getattr(self, "train_seconds", 0.0), 3),
            "features": round(getattr(self, "feature_seconds", 0.0), 3),
        }
        return run_results.evaluate_and_export(
            self.settings, self.runs, self.run_id, self.manifest, self.config, self.clf.model,
            self.dir, getattr(self, "cache_hits", []), seconds,
        )  # fmt: skip
