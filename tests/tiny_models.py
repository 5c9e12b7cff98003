"""Tiny Keras models for logic tests: built in milliseconds, with weights set by hand."""

from __future__ import annotations

import keras
import numpy as np


def three_stage(size: int = 32, classes: int = 3, seed: int = 0) -> keras.Model:
    """Three stride-2 conv stages (s1, s2, s3), then a softmax classifier."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", name="s1")(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="s2")(x)
    x = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="s3")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="three_stage")


def bright_dark_detector(size: int = 8) -> keras.Model:
    """Channel 0 fires on bright pixels, channel 1 on dark ones; class k reads channel k only.

    So the evidence for class 0 is exactly where the image is bright: Grad-CAM must say so.
    """
    inputs = keras.Input((size, size, 3))
    conv = keras.layers.Conv2D(2, 1, activation="relu", name="conv")
    x = conv(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(2, activation="softmax", name="predictions")
    outputs = dense(x)
    model = keras.Model(inputs, outputs, name="bright_dark")
    kernel = np.zeros((1, 1, 3, 2), "float32")
    kernel[..., 0], kernel[..., 1] = 1.0, -1.0
    conv.set_weights([kernel, np.array([0.0, 1.5], "float32")])  # dark: 1.5 - sum(rgb) > 0
    dense.set_weights([np.eye(2, dtype="float32") * 4.0, np.zeros(2, "float32")])
    return model
