"""Where training runs: GPU detection, memory growth, precision and distribution strategy.

Everything here also runs on a CPU-only machine, where it picks float32 and the default
strategy. Memory growth must be set before TensorFlow first touches a GPU, so `configure()` is
called before any model is built for training, and is safe to call again.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from dataclasses import dataclass

import keras
import tensorflow as tf

from models.words import N_

# Stored with the run, in English; pages show it in their language (dashboard.runs.message_text
# knows this template: the Korean page test fails if the two drift apart).
CPU_NAME = N_("CPU ({cores} cores)")

_lock = threading.Lock()
_configured: list[str] = []


@dataclass(frozen=True)
class DevicePlan:
    name: str  # for people: "GPU: NVIDIA H200" or "CPU (2 cores)"
    gpus: int
    precision: str  # "mixed_float16" on GPU, "float32" on CPU

    def strategy(self) -> tf.distribute.Strategy:
        if self.gpus > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()  # the default (no-op) strategy


def configure() -> DevicePlan:
    with _lock:
        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:
            if gpu.name in _configured:
                continue
            # RuntimeError: already initialised by an earlier use; growth cannot change now.
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
            _configured.append(gpu.name)
    if not gpus:
        return DevicePlan(CPU_NAME.format(cores=os.cpu_count()), 0, "float32")
    details = tf.config.experimental.get_device_details(gpus[0])
    label = details.get("device_name", gpus[0].name)
    name = f"GPU: {label}" + (f" ×{len(gpus)}" if len(gpus) > 1 else "")
    return DevicePlan(name, len(gpus), "mixed_float16")


@contextlib.contextmanager
def dtype_policy(name: str):
    """Build layers under a precision policy, then put the global policy back."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def release_freed_memory() -> None:
    """Hand the heap that a finished run freed back to the operating system (glibc only).

    A run allocates and frees hundreds of MB of tensors from several threads; glibc keeps what
    was freed in its per-thread arenas, so the server's RSS showed a high-water mark that grew
    with every run although nothing was alive (bench soak). `malloc_trim(0)` returns the free
    pages. Elsewhere (macOS, musl) this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)
