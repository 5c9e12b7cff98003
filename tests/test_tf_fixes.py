"""The fix for TensorFlow's custom-gradient leak: runs leave nothing in the gradient registry,
their train graphs are freed, and training computes exactly what Keras' own path computes."""

from __future__ import annotations

import gc
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras.src.backend.tensorflow import optimizer as tf_optimizer

from models import fitting, tf_fixes
from tests.conftest import ROOT
from tests.tiny_models import three_stage

X = np.random.default_rng(0).uniform(0, 1, (16, 32, 32, 3)).astype("float32")
Y = np.arange(16) % 3


@pytest.fixture
def keras_own_path():
    tf_fixes.undo()
    yield
    tf_fixes.apply()


def one_run(seed: int) -> list[np.ndarray]:
    """A fresh model fitted for one epoch, as each training run does, compiled by plain Keras
    (so that the tests choose the path); its weights."""
    model = three_stage(seed=seed)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    return model.get_weights()


def train_graphs() -> int:
    """Traced Keras train steps still alive in this process."""
    from tensorflow.python.framework.func_graph import FuncGraph

    gc.collect()
    return sum(isinstance(o, FuncGraph) and o.name == "one_step_on_data" for o in gc.get_objects())


def test_compiling_a_model_to_train_installs_the_fix(keras_own_path):
    fitting.compile_model(three_stage(), 1e-2)
    assert tf_optimizer.TFOptimizer._all_reduce_sum_gradients is tf_fixes._all_reduce_sum_gradients


def test_runs_leave_no_custom_gradients_and_their_graphs_are_freed():
    tf_fixes.apply()
    one_run(0)  # Keras' first-use state settles  # Keras' first-use state settles
    registered, graphs = tf_fixes.custom_gradients_registered(), train_graphs()
    for seed in range(3):
        one_run(seed)
    assert tf_fixes.custom_gradients_registered() == registered
    assert train_graphs() == graphs


def test_without_the_fix_each_run_leaves_its_graph_behind(keras_own_path):
    """The upstream leak the fix exists for (tensorflow/tensorflow#97697). When this fails, a
    TensorFlow upgrade fixed it and `models/tf_fixes.py` can go."""
    registered, graphs = tf_fixes.custom_gradients_registered(), train_graphs()
    for seed in range(2):
        one_run(seed)
    assert tf_fixes.custom_gradients_registered() >= registered + 2
    assert train_graphs() >= graphs + 2


def test_training_computes_the_same_weights_as_keras_own_path():
    tf_fixes.apply()
    fixed = one_run(7)
    tf_fixes.undo()
    try:
        own = one_run(7)
    finally:
        tf_fixes.apply()
    for a, b in zip(fixed, own, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


TWO_REPLICAS = """
import tensorflow as tf
from keras.src.backend.tensorflow import optimizer as tf_optimizer
from models import tf_fixes

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
tf_fixes.apply()
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

def step():
    grads = [(tf.constant(1.0), None)]
    return tf_optimizer.TFOptimizer._all_reduce_sum_gradients(None, grads)[0][0]

with strategy.scope():
    summed = strategy.run(tf.function(step))
print([float(v) for v in strategy.experimental_local_results(summed)])
"""


def test_several_replicas_still_all_reduce():
    """With two replicas (two logical CPUs, set before TensorFlow starts: a child process) the
    gradients are still summed across them."""
    out = subprocess.run(
        [sys.executable, "-c", TWO_REPLICAS], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[2.0, 2.0]"


def test_keras_still_has_the_method_the_fix_replaces():
    """A Keras upgrade that renames it would silently bring the leak back."""
    assert tf_fixes._original.__qualname__ == "TFOptimizer._all_reduce_sum_gradients"
    assert issubclass(type(keras.optimizers.Adam()), tf_optimizer.TFOptimizer)
