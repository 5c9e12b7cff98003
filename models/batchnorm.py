"""Precise BatchNorm: re-estimate every BatchNorm layer's statistics from the current weights.

Why (the from-scratch baseline's one-class collapse): BatchNorm normalises a training batch by
that batch's own mean and variance, but in inference mode by moving averages that follow the
batch statistics with momentum 0.99 (MobileNet) or 0.999 (MobileNetV2). A network trained from
random init moves fast, and on a small dataset it takes few steps: after 75 steps of MobileNet
about half of each moving variance is still its initial 1.0, while the real variances deep in
the network are 100-1000x smaller. In inference mode every layer then divides by too large a
variance, the signal shrinks layer after layer, the pooled features become the same for every
image, and every image gets one class, training images included, although training accuracy
(batch statistics) is high. Pretrained backbones do not suffer: their BatchNorm stays frozen.

The remedy is "precise BN" (Wu & Johnson 2021, *Rethinking "Batch" in BatchNorm*, section 3;
He et al. 2018 used it with SyncBN for their from-scratch baselines too): with the weights
fixed, run training-mode forward passes over a sample of training images and set each layer's
statistics to the average of its per-batch means and variances, i.e. to exactly what the layer
saw in training. Cost: one forward pass over at most `max_images` images. Each layer's moments
are reduced inside one traced function, so no activation map is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np
import tensorflow as tf


class PreciseBatchNorm:
    """Sets the BatchNorm statistics of `base` to their population values on given images.

    `preprocess` maps the images that will be passed to `update` (raw 0-255 RGB here) to the
    base's input. Only layers directly inside `base` are probed (keras.applications models are
    flat); a layer nested deeper keeps its moving averages.
    """

    def __init__(self, base: keras.Model, preprocess: keras.Model, max_images: int = 1024):
        self.layers = [
            layer for layer in base.layers if isinstance(layer, keras.layers.BatchNormalization)
        ]
        self.max_images = max_images
        if not self.layers:
            return
        probe = keras.Model(base.inputs, [layer.input for layer in self.layers])

        @tf.function(reduce_retracing=True)
        def batch_moments(images):
            # training=True: each layer sees what it saw while training (batch statistics).
            inputs = probe(preprocess(images), training=True)
            out = []
            for layer, x in zip(self.layers, inputs, strict=True):
                axes = [i for i in range(len(x.shape)) if i != layer.axis % len(x.shape)]
                mean, var = tf.nn.moments(tf.cast(x, tf.float32), axes)
                out.append((mean, var))
            return out

        self._moments = batch_moments

    def update(self, batches: Iterable) -> int:
        """Recompute from `batches` of images (or (images, labels)); returns images used."""
        if not self.layers:
            return 0
        # Training-mode passes also move the moving averages; keep them to restore if unused.
        saved = [(bn.moving_mean.numpy(), bn.moving_variance.numpy()) for bn in self.layers]
        sums, seen = None, 0
        for batch in batches:
            images = batch[0] if isinstance(batch, tuple | list) else batch
            n = int(images.shape[0])
            if n == 0:
                continue
            moments = [(m.numpy() * n, v.numpy() * n) for m, v in self._moments(images)]
            sums = (
                moments
                if sums is None
                else [(a + m, b + v) for (a, b), (m, v) in zip(sums, moments, strict=True)]
            )
            seen += n
            if seen >= self.max_images:
                break
        for i, bn in enumerate(self.layers):
            mean, var = (s / seen for s in sums[i]) if seen else saved[i]
            bn.moving_mean.assign(mean.astype(np.float32))
            bn.moving_variance.assign(var.astype(np.float32))
        return seen
