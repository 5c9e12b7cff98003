"""Training while the Train page is watched, against training alone.

While a run is watched, the page's live view reruns every second, and after every script run
Streamlit cleans up: by default `keras.backend.clear_session()` (Keras' global state, TensorFlow's
kernel cache, a full garbage collection) and another full garbage collection. The app replaces
that cleanup (`dashboard.glue.keep_keras_state_between_runs`, `runner.postScriptGC = false`).

watched_vs_alone: a fine-tune's images/s (epochs 2-3) while a thread does our cleanup every
  second, over the same fit with nothing else running. Goal >= 0.9.
Info: watched_streamlit_cleanup_vs_alone: the same with Streamlit's default cleanup every
  second (what the app did before). A fit that does not end within STALL_SECONDS is reported
  as stalled (0): the deadlock this replaced.

MobileNet alpha 0.25 at 128 px from random weights (the cost is the same), 320 random images
through a tf.data pipeline with a parallel map, batch 32; one warm-up fit, then medians of
3 interleaved rounds.
"""

from __future__ import annotations

import gc
import os
import statistics
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.timing import figure, ratios  # noqa: E402

N_IMAGES, SIZE, BATCH, EPOCHS, ROUNDS = 320, 128, 32, 3, 3
STALL_SECONDS = 300.0


def _data() -> tf.data.Dataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (N_IMAGES, SIZE, SIZE, 3), dtype=np.uint8)
    y = rng.integers(0, 5, N_IMAGES)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    ds = ds.map(lambda a, b: (tf.cast(a, tf.float32) / 127.5 - 1, b), tf.data.AUTOTUNE)
    return ds.batch(BATCH).prefetch(tf.data.AUTOTUNE)


def _model() -> keras.Model:
    base = keras.applications.MobileNet(
        weights=None, alpha=0.25, include_top=False, input_shape=(SIZE, SIZE, 3), pooling="avg"
    )
    model = keras.Sequential([base, keras.layers.Dense(5, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-4), "sparse_categorical_crossentropy")
    return model


class _EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = [*getattr(self, "seconds", []), time.perf_counter() - self.started]


def _images_per_second(cleanup) -> float:
    """One fit in a worker thread, as the trainer runs; `cleanup` every second meanwhile."""
    timer, done = _EpochTimer(), threading.Event()
    model, data = _model(), _data()

    def fit():
        model.fit(data, epochs=EPOCHS, verbose=0, callbacks=[timer])
        done.set()

    worker = threading.Thread(target=fit, daemon=True)
    worker.start()
    deadline = time.monotonic() + STALL_SECONDS
    while not done.wait(1.0):
        if time.monotonic() > deadline:
            return 0.0  # stalled; the daemon thread is left behind
        if cleanup is not None:
            cleanup()
    return N_IMAGES * (EPOCHS - 1) / sum(timer.seconds[1:])


def run() -> list[dict]:
    from streamlit.runtime.scriptrunner import script_runner

    default = script_runner._clean_problem_modules  # before glue replaces it
    from dashboard import glue

    def streamlit_default() -> None:
        default()
        gc.collect(2)

    kinds = {"alone": None, "ours": glue._clean_without_keras, "streamlit": streamlit_default}
    speeds: dict[str, list[float]] = {k: [] for k in kinds}
    _images_per_second(None)  # warm-up: TensorFlow's first fit in a process is slower
    for _ in range(ROUNDS):
        for kind, cleanup in kinds.items():
            speeds[kind].append(_images_per_second(cleanup))
            print(f"# {kind}: {speeds[kind][-1]:.1f} img/s", flush=True)
    med = {k: statistics.median(v) for k, v in speeds.items()}
    return [
        figure(
            "watched_vs_alone",
            ratios(speeds["ours"], speeds["alone"]),
            ">= 0.9",
            images_per_second={k: round(v, 1) for k, v in med.items()},
        ),
        figure(
            "watched_streamlit_cleanup_vs_alone",
            ratios(speeds["streamlit"], speeds["alone"]),
            "info",
            stalled_rounds=sum(v == 0.0 for v in speeds["streamlit"]),
        ),
    ]
