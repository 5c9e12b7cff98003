"""A tiny stand-in for a catalog backbone: three conv+BN stages, built in milliseconds."""

from __future__ import annotations

import keras

from models.catalog import Backbone

TINY = Backbone(
    key="Tiny",
    builder="-",
    module="mobilenet",
    family="MobileNet",
    params=0,
    depth=None,
    input_size=32,
    top1=50.0,
    top5=None,
    stages=("s1_relu", "s2_relu", "s3_relu"),
    last_conv="s3_relu",
    weights_top="-",
    weights_notop="-",
)


def tiny_base(size: int = 32, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3))
    x = inputs
    for i, filters in enumerate((4, 8, 8), start=1):
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", name=f"s{i}_conv")(x)
        x = keras.layers.BatchNormalization(name=f"s{i}_bn")(x)
        x = keras.layers.ReLU(name=f"s{i}_relu")(x)
    return keras.Model(inputs, x, name="tiny_base")
