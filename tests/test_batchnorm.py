"""The from-scratch one-class collapse, on a tiny model: BatchNorm's moving averages lag the
batch statistics of a fast-moving random-init network, so inference mode predicts one class for
every image, training images included. Precise BN (models/batchnorm.py) removes it."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from models import fitting
from models.batchnorm import PreciseBatchNorm
from models.classifier import build_classifier
from models.strategies import STRATEGIES
from tests.tiny_backbone import TINY, tiny_base


def low_contrast_halves(n: int = 96, seed: int = 0):
    """Grey images whose left or right half is 4 grey levels brighter: class 0 or 1.

    Preprocessed to [-1, 1] the signal is ~0.03, so real activation variances are ~1e-3 while
    BatchNorm's moving variances start at 1 (as in a real network's deep layers).
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = np.full((n, 32, 32, 3), 128.0, "float32") + rng.normal(0, 1, (n, 32, 32, 3))
    for i, label in enumerate(y):
        x[i, :, (16 if label else 0) : (32 if label else 16)] += 4.0
    return x.astype("float32"), y


def scratch_classifier():
    return build_classifier(TINY, tiny_base(seed=1), 2, STRATEGIES["scratch"], 32, augment=False)


def batches(x, y, size=16):
    return [(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)]


def accuracy(model, x, y, training: bool) -> tuple[float, int]:
    probs = np.concatenate([model(b, training=training).numpy() for b, _ in batches(x, y)])
    predicted = probs.argmax(1)
    return float((predicted == y).mean()), len(set(predicted.tolist()))


def train(clf, x, y, precise: bool):
    fitting.compile_model(clf.train_model, 0.01)
    callbacks = []
    if precise:
        callbacks.append(fitting.RefreshBatchNorm(clf.precise_batchnorm(), lambda: batches(x, y)))
    clf.train_model.fit(
        x, y, batch_size=16, epochs=6, verbose=0, callbacks=callbacks, validation_data=(x, y)
    )


@pytest.mark.parametrize("precise", [False, True])
def test_scratch_inference_matches_training_mode_only_with_precise_batchnorm(precise):
    x, y = low_contrast_halves()
    clf = scratch_classifier()
    assert clf.batchnorm_learns
    train(clf, x, y, precise)
    # Batch statistics (shuffled batches, as in training): the network has learnt the task.
    order = np.random.default_rng(1).permutation(len(x))
    train_mode, _ = accuracy(clf.model, x[order], y[order], training=True)
    inference, classes = accuracy(clf.model, x, y, training=False)
    assert train_mode >= 0.9
    if precise:
        assert inference >= train_mode - 0.05 and classes == 2
    else:  # the fault, reproduced: one class for every training image
        assert classes == 1 and inference <= 0.6


def test_precise_batchnorm_sets_population_statistics():
    base = tiny_base(seed=2)
    raw = keras.Input((32, 32, 3))
    preprocess = keras.Model(raw, keras.layers.Identity()(raw))
    rng = np.random.default_rng(0)
    images = rng.normal(5.0, 3.0, (64, 32, 32, 3)).astype("float32")
    used = PreciseBatchNorm(base, preprocess, max_images=48).update(
        [images[i : i + 16] for i in range(0, 64, 16)]
    )
    assert used == 48  # stops at max_images
    first = base.get_layer("s1_bn")
    conv = keras.Model(base.inputs, base.get_layer("s1_conv").output)
    per_batch = [conv(images[i : i + 16]).numpy() for i in range(0, 48, 16)]
    expected_mean = np.mean([b.mean((0, 1, 2)) for b in per_batch], 0)
    expected_var = np.mean([b.var((0, 1, 2)) for b in per_batch], 0)
    np.testing.assert_allclose(first.moving_mean.numpy(), expected_mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(first.moving_variance.numpy(), expected_var, rtol=1e-3)


def test_pretrained_strategies_do_not_learn_batchnorm():
    clf = build_classifier(TINY, tiny_base(), 2, STRATEGIES["full_finetune"], 32, augment=False)
    assert not clf.batchnorm_learns
