"""Fitting with progress reports and a stop button, on images or on cached features."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import keras


def compile_model(model: keras.Model, learning_rate: float) -> None:
    """(Re)compile: needed after every change of `trainable`."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


class Reporter(keras.callbacks.Callback):
    """Reports each batch and each finished epoch; stops within one batch once `stop` is set.

    on_batch(epoch, step, steps) and on_epoch(epoch, logs, seconds, images_seen), with epochs
    numbered from 1 and continued across a run's phases by `epoch_offset`. An epoch cut short
    by Stop is not reported: what was done before it is kept.
    """

    def __init__(
        self,
        stop: threading.Event,
        on_batch: Callable[[int, int, int], None],
        on_epoch: Callable[[int, dict, float, int], None],
        n_images: int,
        batch_size: int,
        epoch_offset: int = 0,
        images_seen: int = 0,
    ):
        super().__init__()
        self.stop, self.on_batch, self.on_epoch = stop, on_batch, on_epoch
        self.n_images, self.batch_size, self.offset = n_images, batch_size, epoch_offset
        self.steps = max(1, -(-n_images // batch_size))
        self.images_seen = images_seen
        self.stopped = False
        self.epochs_done = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch(self.offset + self.epoch + 1, batch + 1, self.steps)
        if self.stop.is_set():
            self.stopped = True
            self.model.stop_training = True  # Keras 3 checks this after every batch

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped:
            return
        self.images_seen += self.n_images
        self.epochs_done += 1
        seconds = time.perf_counter() - self.started
        self.on_epoch(self.offset + epoch + 1, dict(logs or {}), seconds, self.images_seen)
