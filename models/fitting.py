"""Fitting with progress reports and a stop button, on images or on cached features."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import keras

from models import tf_fixes


def learning_rate_schedule(kind: str, learning_rate: float, steps_per_epoch: int, epochs: int):
    """A learning rate for the optimizer: the float itself, or a per-step schedule.

    "warmup_cosine": linear warm-up from 0 over 10% of the steps (at most 5 epochs), then cosine
    decay to 0 (Goyal et al. 2017; Loshchilov & Hutter 2017). From random init the first steps'
    gradients are large and BatchNorm's statistics still settling; a full learning rate there
    can push the network into a state it does not leave.
    """
    if kind == "constant":
        return learning_rate
    if kind != "warmup_cosine":
        raise ValueError(f"unknown schedule {kind!r}")
    total = max(1, steps_per_epoch * epochs)
    warmup = max(1, min(total // 10, 5 * steps_per_epoch))
    return keras.optimizers.schedules.CosineDecay(
        0.0, max(1, total - warmup), warmup_target=learning_rate, warmup_steps=warmup
    )


def compile_model(model: keras.Model, learning_rate) -> None:
    """(Re)compile: needed after every change of `trainable`. `learning_rate`: a float or a
    schedule (`learning_rate_schedule`)."""
    tf_fixes.apply()  # every model the app trains is compiled here: no run leaks its graph
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


class Reporter(keras.callbacks.Callback):
    """Reports batches and finished epochs; stops within one batch once `stop` is set.

    on_batch(epoch, steps_done, steps) and on_epoch(epoch, logs, seconds), epochs numbered from
    1 within this fit. It hooks
    batch *begin*, not end: a callback on batch end makes Keras wait for every step's metrics
    before dispatching the next step (no async dispatch), which costs throughput. Setting
    `stop_training` at a batch's begin ends the loop right after that batch. An epoch cut
    short by Stop is not reported: what was done before it is kept.
    """

    def __init__(
        self,
        stop: threading.Event,
        on_batch: Callable[[int, int, int], None],
        on_epoch: Callable[[int, dict, float], None],
        n_images: int,
        batch_size: int,
    ):
        super().__init__()
        self.stop, self.on_batch, self.on_epoch = stop, on_batch, on_epoch
        self.steps = max(1, -(-n_images // batch_size))
        self.stopped = False
        self.epochs_done = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.started = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch(self.epoch + 1, batch, self.steps)
        if self.stop.is_set():
            self.stopped = True
            self.model.stop_training = True  # Keras checks it after this batch

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped:
            return
        self.epochs_done += 1
        seconds = time.perf_counter() - self.started
        self.on_batch(epoch + 1, self.steps, self.steps)
        self.on_epoch(epoch + 1, dict(logs or {}), seconds)


class RefreshBatchNorm(keras.callbacks.Callback):
    """Precise BatchNorm statistics (models/batchnorm.py) before each validation pass and at the
    end of training, for a network whose BatchNorm learns (the from-scratch baseline).

    Keras validates inside `fit` before `on_epoch_end`, so the refresh hooks `on_test_begin`;
    validation and the exported model then use statistics of the current weights. `batches`
    returns a fresh iterable of training images without augmentation (what validation sees).
    """

    def __init__(self, precise, batches: Callable[[], object]):
        super().__init__()
        self.precise, self.batches = precise, batches
        self.stale = False

    def on_train_batch_begin(self, batch, logs=None):
        self.stale = True

    def on_test_begin(self, logs=None):
        self.refresh()

    def on_train_end(self, logs=None):
        # After Stop mid-epoch, validation did not run. Stopped inside the first epoch, the
        # training data's pixel cache may still be half-written by fit's own iterator, and
        # reading it again fails: then the statistics stay as they were (the run is cut short).
        import tensorflow as tf

        try:
            self.refresh()
        except tf.errors.OpError as exc:
            logging.getLogger(__name__).warning("BatchNorm statistics not re-estimated: %s", exc)

    def refresh(self) -> None:
        if self.stale:
            self.precise.update(self.batches())
            self.stale = False


@dataclass(frozen=True)
class ArraySchedule:
    """How long and how fast to fit on arrays."""

    epochs: int
    batch_size: int
    learning_rate: object  # a float, or a schedule (`learning_rate_schedule`)
    seed: int  # the shuffling of every epoch
    early_stopping: bool = False
    patience: int = 3  # epochs without a better val accuracy before it stops


@dataclass(frozen=True)
class FitWatch:
    """What a fit reports to, and what stops it: `on_epoch(epoch, logs, seconds)`,
    `on_batch(epoch, steps_done, steps)`, and the stop flag checked after every batch."""

    stop: threading.Event
    on_epoch: Callable[[int, dict, float], None]
    on_batch: Callable[[int, int, int], None] | None = None


def fit_on_arrays(
    model: keras.Model,
    train: tuple,
    val: tuple,
    schedule: ArraySchedule,
    watch: FitWatch,
    optimizer=None,
    done: int = 0,
) -> int:
    """Train `model` on in-memory arrays (cached features or activations) with one compiled
    training step.

    `Model.fit` spends ~70 ms of bookkeeping per epoch; on a few hundred feature vectors that is
    far more than the arithmetic. Here a minibatch step (Adam, as `fit` would use) is one traced
    function for every batch size, and the epoch loop is plain Python, so 20 epochs of a head
    cost a fraction of a second, and strategy 3's top blocks train without `fit`'s per-epoch
    set-up. Stop is checked after every batch. Returns the epochs done.

    `optimizer` (Adam at the schedule's learning rate when not given) may come with its state
    from a checkpoint, `done` epochs into the schedule: the fit then goes on from epoch
    `done + 1`, each epoch's shuffling the same as in a fit that had never stopped.
    """
    import numpy as np

    s, stop, on_epoch, on_batch = schedule, watch.stop, watch.on_epoch, watch.on_batch
    epochs, batch_size = s.epochs, s.batch_size
    x_train, y_train = (np.asarray(a) for a in train)
    y_train = y_train.astype("int32")
    optimizer = optimizer or keras.optimizers.Adam(s.learning_rate)
    steps = _ArraySteps(model, optimizer, x_train.shape[1:])
    x_val, y_val = steps.tensors(*val)  # converted once, evaluated every epoch
    rng, n = np.random.default_rng(s.seed), len(x_train)
    for _ in range(done):  # the orders of the epochs already done
        rng.permutation(n)
    n_batches = -(-n // batch_size)
    keeper = _BestWeights(model, s.patience) if s.early_stopping else None
    epoch = done
    for epoch in range(done + 1, epochs + 1):
        started, total_loss, correct = time.perf_counter(), 0.0, 0.0
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            loss, right = steps.train(x_train[idx], y_train[idx])
            total_loss, correct = total_loss + float(loss), correct + float(right)
            if on_batch is not None:
                on_batch(epoch, i // batch_size + 1, n_batches)
            if stop.is_set():
                return epoch - 1  # an epoch cut short is not recorded
        val_loss, val_acc = steps.evaluate(x_val, y_val)
        logs = {"loss": total_loss / n, "accuracy": correct / n}
        logs.update(val_loss=val_loss, val_accuracy=val_acc)
        on_epoch(epoch, logs, time.perf_counter() - started)
        if keeper is not None and keeper.patience_ran_out(val_acc):
            break
    if keeper is not None:
        keeper.restore()
    return epoch


class _ArraySteps:
    """A model's training step (Adam) and evaluation, each one traced function."""

    def __init__(self, model: keras.Model, optimizer, feature_shape):
        self.train, self._evaluate_batch = _traced_steps(model, optimizer, feature_shape)

    @staticmethod
    def tensors(x, y):
        import tensorflow as tf

        return tf.constant(x), tf.constant(y, tf.int32)

    def evaluate(self, x, y) -> tuple[float, float]:
        """Mean loss and accuracy, in slices: activation maps of a large set at once would
        not fit in memory."""
        n = int(x.shape[0])
        if n == 0:
            return 0.0, 0.0
        sums = [self._evaluate_batch(x[i : i + 256], y[i : i + 256]) for i in range(0, n, 256)]
        return sum(float(a) for a, _ in sums) / n, sum(float(b) for _, b in sums) / n


def _traced_steps(model: keras.Model, optimizer, feature_shape):
    """(train_step, evaluate_batch): plain closures under `tf.function`, each returning the
    batch's summed loss and its number of right answers."""
    import tensorflow as tf

    variables = model.trainable_variables
    if not optimizer.built:
        optimizer.build(variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    signature = [tf.TensorSpec([None, *feature_shape], tf.float32), tf.TensorSpec([None], tf.int32)]

    def hits(y, probs):
        predicted = tf.argmax(probs, 1, output_type=tf.int32)
        return tf.reduce_sum(tf.cast(tf.equal(predicted, y), "float32"))

    @tf.function(input_signature=signature)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = loss_fn(y, probs)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss * tf.cast(tf.shape(x)[0], loss.dtype), hits(y, probs)

    @tf.function(input_signature=signature)
    def evaluate_batch(x, y):
        probs = model(x, training=False)
        return loss_fn(y, probs) * tf.cast(tf.shape(x)[0], "float32"), hits(y, probs)

    return train_step, evaluate_batch


class _BestWeights:
    """Early stopping for `fit_on_arrays`: keeps the best validation accuracy's weights."""

    def __init__(self, model: keras.Model, patience: int):
        self.model, self.patience = model, patience
        self.best, self.weights, self.waited = -1.0, None, 0

    def patience_ran_out(self, val_acc: float) -> bool:
        if val_acc > self.best:
            self.best, self.weights, self.waited = val_acc, self.model.get_weights(), 0
        else:
            self.waited += 1
        return self.waited >= self.patience

    def restore(self) -> None:
        if self.weights is not None:
            self.model.set_weights(self.weights)
