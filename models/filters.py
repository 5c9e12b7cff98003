"""What filters respond to: first-layer kernels as pictures, and activation maximisation.

Activation maximisation follows the keras.io "Visualizing what convnets learn" example: start
from faint noise in the model's input space, climb the gradient of one channel's mean activation
(borders trimmed, where padding artefacts live) with RMS-normalised steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf


def first_rgb_conv(model: keras.Model) -> keras.layers.Layer:
    """The first ordinary convolution that reads the 3 colour channels."""
    for layer in model.layers:
        if type(layer) is keras.layers.Conv2D and layer.kernel.shape[2] == 3:
            return layer
    raise ValueError(f"{model.name} has no Conv2D over RGB input")


def kernel_tiles(model: keras.Model) -> tuple[str, np.ndarray]:
    """(layer name, kernels as (n, kh, kw, 3) RGB in [0, 1]), each scaled on its own."""
    layer = first_rgb_conv(model)
    k = np.transpose(np.asarray(layer.kernel), (3, 0, 1, 2))
    lo = k.min(axis=(1, 2, 3), keepdims=True)
    hi = k.max(axis=(1, 2, 3), keepdims=True)
    return layer.name, (k - lo) / np.maximum(hi - lo, 1e-12)


@dataclass(frozen=True)
class Maximization:
    image: np.ndarray  # (h, w, 3) in [0, 1], ready to show
    start_mean: float  # the channel's mean activation on the starting noise
    end_mean: float  # ... and on the result
    means: tuple[float, ...]  # per step, for a progress chart


def _channel_mean(activations, channel: int):
    a = activations[..., channel]
    if a.shape[1] > 4 and a.shape[2] > 4:
        a = a[:, 2:-2, 2:-2]
    return tf.reduce_mean(a)


def maximize_activation(
    model: keras.Model,
    layer_name: str,
    channel: int,
    start: np.ndarray,
    *,
    steps: int = 30,
    step_size: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
) -> Maximization:
    """Gradient ascent on the input (1, h, w, 3), already in the model's input space."""
    sub = keras.Model(model.inputs, model.get_layer(layer_name).output)
    img = tf.Variable(np.asarray(start, dtype="float32"))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = _channel_mean(sub(img, training=False), channel)
        grads = tape.gradient(loss, img)
        grads = grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-8)
        img.assign_add(step_size * grads)
        return loss

    means = []
    for i in range(steps):
        means.append(float(step()))
        if progress:
            progress(i + 1, steps)
    end_mean = float(_channel_mean(sub(img, training=False), channel))
    return Maximization(_deprocess(img.numpy()[0]), means[0], end_mean, (*means, end_mean))


def _deprocess(img: np.ndarray) -> np.ndarray:
    """Centre on grey with a fixed contrast, as the keras.io example does, then clip to [0, 1]."""
    img = (img - img.mean()) / (img.std() + 1e-5) * 0.15 + 0.5
    return np.clip(img, 0.0, 1.0)
