"""A fix for a TensorFlow memory leak that every Keras training run in a long-lived process hits.

Keras' TensorFlow optimizer all-reduces the gradients on every step, also when there is one
replica (the default strategy, one GPU, the CPU). TensorFlow's `ReplicaContext.all_reduce` wraps
that sum in `tf.custom_gradient`, and in graph mode `custom_gradient` registers its gradient
function in TensorFlow's process-wide gradient registry for good (tensorflow/tensorflow#97697).
That function's closure holds tensors of the traced train step, so each run's whole train
graph stayed alive after its model was gone: 25-55 MB a run in the server (bench soak), which
neither `gc.collect()` nor `keras.backend.clear_session()` frees.

Summed over one replica, the gradients are the gradients, so with one replica the sum is
skipped. With several (MirroredStrategy on several GPUs) Keras' own path runs as before.
"""

from __future__ import annotations

import threading

import tensorflow as tf
from keras.src.backend.tensorflow import optimizer as tf_optimizer

_lock = threading.Lock()
_original = tf_optimizer.TFOptimizer._all_reduce_sum_gradients


def _all_reduce_sum_gradients(self, grads_and_vars):
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return list(grads_and_vars)
    return _original(self, grads_and_vars)


def apply() -> None:
    """Install the fix (idempotent; before or after models are built)."""
    with _lock:
        tf_optimizer.TFOptimizer._all_reduce_sum_gradients = _all_reduce_sum_gradients


def undo() -> None:
    """Keras' own behaviour again (tests show the leak with it)."""
    with _lock:
        tf_optimizer.TFOptimizer._all_reduce_sum_gradients = _original


def custom_gradients_registered() -> int:
    """How many `tf.custom_gradient` functions TensorFlow's gradient registry holds."""
    from tensorflow.python.framework import ops

    return sum(name.startswith("CustomGradient-") for name in ops.gradient_registry.list())
