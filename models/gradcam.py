"""Grad-CAM (Selvaraju et al. 2017): where in the image the evidence for a class lies.

One entry point, `GradCAM(model, layer)`, for both kinds of model the app explains: a
pretrained ImageNet classifier (a flat graph; `layer` names its last convolutional layer) and a
trained transfer classifier (`layer=None`: a chain of preprocessing, a nested backbone whose
output is its last convolutional map, pooling and a head).

Gradients are taken of the class *logit*, not the softmax probability: a confident softmax
saturates and its gradients vanish. The logits are read from the model's last layer without
cloning or editing the model: the input of a final softmax `Activation`, or `x @ W + b` of a
final `Dense`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


class GradCAM:
    def __init__(self, model: keras.Model, layer_name: str | None = None):
        self.model, self.chain = model, layer_name is None
        if self.chain:
            return
        self.last = model.layers[-1]
        if isinstance(self.last, keras.layers.Activation | keras.layers.Dense):
            head_input = self.last.input
        else:  # unknown top: fall back to the model's output
            self.last, head_input = None, model.output
        self.grad_model = keras.Model(
            model.inputs, [model.get_layer(layer_name).output, head_input], name="gradcam"
        )

    def _logits(self, head_input):
        if isinstance(self.last, keras.layers.Dense):
            logits = tf.matmul(head_input, self.last.kernel)
            return logits + self.last.bias if self.last.use_bias else logits
        return tf.reshape(head_input, (tf.shape(head_input)[0], -1))

    def __call__(self, batch: np.ndarray, class_id: int | None = None) -> tuple[np.ndarray, int]:
        """(heatmap (h, w) in [0, 1] at the layer's resolution, the class explained)."""
        x = tf.convert_to_tensor(np.asarray(batch, dtype="float32")[:1])
        if self.chain:
            return _chain_cam(self.model, x, class_id)
        with tf.GradientTape() as tape:
            conv_out, head_input = self.grad_model(x, training=False)
            logits = self._logits(head_input)
            if class_id is None:
                class_id = int(tf.argmax(logits[0]))
            score = logits[:, class_id]
        return _heatmap(conv_out, tape.gradient(score, conv_out)), class_id


def _heatmap(conv, grads) -> np.ndarray:
    """ReLU of the channels weighted by their mean gradient, scaled to [0, 1]."""
    weights = tf.reduce_mean(grads, axis=(1, 2))  # one weight per channel
    cam = tf.nn.relu(tf.reduce_sum(conv * weights[:, None, None, :], axis=-1))[0].numpy()
    peak = float(cam.max())
    return cam / peak if peak > 0 else cam


def _chain_cam(model: keras.Model, x, class_id: int | None):
    """Grad-CAM for a trained classifier built as a chain: preprocessing layers, a nested
    backbone (a Model), pooling, then a head (a Model ending in a softmax Dense). The
    backbone's output is its last convolutional map, so that is where Grad-CAM looks."""
    with tf.GradientTape() as tape:
        conv = None
        for layer in model.layers[1:]:
            if isinstance(layer, keras.Model) and conv is None:
                x = layer(x, training=False)
                conv = x
                tape.watch(conv)
            elif isinstance(layer, keras.Sequential | keras.Model):
                for inner in layer.layers[:-1]:
                    x = inner(x, training=False)
                last = layer.layers[-1]
                x = tf.matmul(x, tf.cast(last.kernel, x.dtype)) + tf.cast(last.bias, x.dtype)
            else:
                x = layer(x, training=False)
        logits = x
        if class_id is None:
            class_id = int(tf.argmax(logits[0]))
        score = logits[:, class_id]
    return _heatmap(conv, tape.gradient(score, conv)), class_id
