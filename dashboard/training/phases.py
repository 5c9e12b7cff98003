"""A run's training phases (`Phases`), whichever strategy it follows, and what they leave for
evaluation (`TrainOutcome`). `trainer.Trainer` runs them; see its docstring for the whole run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import keras
import numpy as np

from dashboard import features, probes
from dashboard.i18n import N_
from dashboard.runs import CACHE_OFF
from dashboard.training import checkpoint
from dashboard.training.run_data import RunData
from models import fitting
from models.classifier import Classifier, set_trainable, split_at_cut


@dataclass
class TrainOutcome:
    """What the training phases leave for evaluation and the run's record."""

    epochs: int = 0
    train_seconds: float = 0.0
    feature_seconds: float = 0.0
    cache_hits: list[bool] = field(default_factory=list)
    folds: list[float] = field(default_factory=list)  # the head's k-fold accuracies, if asked
    base_changed: bool = False  # warm-started from a run that trained its base

    def seconds(self) -> dict[str, float]:
        return {"train": round(self.train_seconds, 3), "features": round(self.feature_seconds, 3)}


class Phases:
    """The strategy's training phases, in order: the head (on cached features when the base is
    frozen and nothing augments), then, for two-phase strategies, the fine-tune (on cached
    activations below the cut when the lower blocks stay frozen), or the whole network.

    A continuation (`resume`, the parent's checkpoint) skips what the parent finished and goes
    on inside the phase it was in, with its weights and optimizer state; the head phase keeps
    the parent's length. Every epoch's end writes this run's checkpoint."""

    def __init__(self, trainer, clf: Classifier, data: RunData, reporter, resume=None):
        self.t, self.clf, self.data, self.reporter = trainer, clf, data, reporter
        self.c, self.s, self.live = trainer.config, trainer.strategy, trainer.live
        self.outcome = TrainOutcome(base_changed=trainer.base_changed)
        self.resume = resume
        # A head-only strategy's added epochs are the head's; a two-phase one's, the second's.
        keep_plan = resume is not None and not self.s.head_only
        self.head_epochs = resume.head_epochs if keep_plan else self.s.head_epochs(self.c.epochs)

    def run(self) -> TrainOutcome:
        started = time.perf_counter()
        head_epochs = self.head_epochs
        frozen_pretrained = self.s.pretrained and not self.t.base_changed
        cached = frozen_pretrained and not self.c.augment and head_epochs > 0
        in_head = self.resume is None or self.resume.phase == N_("head")
        if head_epochs and in_head and cached:
            self.head_on_features(head_epochs)
        elif head_epochs and in_head:
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
            name = N_("fine-tune")
            epochs = self.c.epochs - self.phase_start(name)
            fit(epochs, self.c.learning_rate * self.s.finetune_lr_factor, name)
        elif not head_epochs:
            self.on_images(self.c.epochs, self.c.learning_rate, N_("train"))

    def phase_start(self, name: str) -> int:
        """Epochs done before phase `name` began (the parent's, for the phase it was in)."""
        r = self.resume
        return r.phase_start if r is not None and r.phase == name else self.reporter.epochs_done

    def resumed(self, name: str, model, optimizer) -> int:
        """Epochs of phase `name` the parent did, its weights and optimizer state restored into
        `model` and `optimizer`; 0 when this phase starts afresh."""
        r = self.resume
        if r is None or r.phase != name:
            return 0
        checkpoint.restore_model(model, r.weights)
        checkpoint.restore_optimizer(optimizer, r.optimizer, model.trainable_variables)
        self.reporter.epochs_done = r.phase_start  # the phase's epochs are numbered from there
        self.resume = None
        return r.phase_epochs

    def epoch_end(self, model, optimizer, name: str, start: int):
        """on_epoch for a fit: the reporter's, then this run's checkpoint."""

        def on_epoch(epoch: int, logs: dict, seconds: float) -> None:
            self.reporter.on_epoch(epoch, logs, seconds)
            state = checkpoint.optimizer_state(optimizer)
            done, weights = self.reporter.epochs_done, checkpoint.model_state(model)
            ck = checkpoint.Checkpoint(done, name, start, self.head_epochs, weights, state)
            checkpoint.save(self.t.folder, ck)

        return on_epoch

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
        schedule = self.array_schedule(n, epochs, learning_rate)
        optimizer = keras.optimizers.Adam(schedule.learning_rate)
        done = self.resumed(name, model, optimizer)
        start = self.reporter.epochs_done
        self.reporter.phase(name, epochs, -(-n // self.c.batch_size), n, label)
        self.reporter.defer_scalars()
        on_epoch = self.epoch_end(model, optimizer, name, start)
        watch = fitting.FitWatch(self.live.stop, on_epoch, self.reporter.on_batch)
        fitting.fit_on_arrays(model, train, val, schedule, watch, optimizer, done)

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
        schedule = fitting.learning_rate_schedule(c.schedule, learning_rate, steps, epochs)
        fitting.compile_model(self.clf.train_model, schedule)
        model, optimizer = self.clf.train_model, self.clf.train_model.optimizer
        done = self.resumed(name, model, optimizer)
        start = self.reporter.epochs_done
        self.reporter.phase(name, epochs, steps, n_train)
        on_epoch = self.epoch_end(model, optimizer, name, start)
        train, val = self.data.feed("train", c), self.data.feed("val", c)
        self.clf.train_model.fit(
            train,
            validation_data=val,
            epochs=epochs,
            initial_epoch=done,
            verbose=0,
            shuffle=False,
            callbacks=self.callbacks(n_train, lambda: train, on_epoch),
        )

    def callbacks(self, n_train: int, train_batches, on_epoch) -> list[keras.callbacks.Callback]:
        r = self.reporter
        callbacks = [
            fitting.Reporter(self.live.stop, r.on_batch, on_epoch, n_train, self.c.batch_size)
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
