"""Feature maps: every stage of a backbone from one forward pass.

A multi-output model shares the backbone's layers (no copy, no new weights), so asking for five
stages costs one pass, not five. `predict_on_batch` runs Keras' compiled predict function without
`predict()`'s per-call dataset machinery, which is what makes one image cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np


class FeatureExtractor:
    """Outputs of the named layers (and optionally the model's own output) for a batch."""

    def __init__(self, model: keras.Model, layer_names: Sequence[str], with_output: bool = False):
        self.layer_names = tuple(layer_names)
        self.with_output = with_output
        outputs = [model.get_layer(name).output for name in self.layer_names]
        if with_output:
            outputs = [model.output, *outputs]
        self.model = keras.Model(model.inputs, outputs, name=f"{model.name}_features")

    def __call__(self, batch: np.ndarray) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """(model output or None, {layer name: activations (batch, h, w, channels)})."""
        results = self.model.predict_on_batch(np.asarray(batch, dtype="float32"))
        if not isinstance(results, list | tuple):
            results = [results]
        results = [np.asarray(r) for r in results]
        output = results.pop(0) if self.with_output else None
        return output, dict(zip(self.layer_names, results, strict=True))


def conv_like_layers(model: keras.Model) -> list[str]:
    """Layers with a spatial (h, w, channels) output worth showing as maps, input to top."""
    names = []
    for layer in model.layers:
        shape = getattr(layer.output, "shape", None)
        if shape is None or len(shape) != 4 or (shape[1] or 0) <= 1:
            continue
        if isinstance(layer, keras.layers.InputLayer | keras.layers.ZeroPadding2D):
            continue
        names.append(layer.name)
    return names


def rank_channels(activations: np.ndarray) -> np.ndarray:
    """Channel indices of one (h, w, c) map, most active (highest mean) first."""
    means = np.asarray(activations).reshape(-1, activations.shape[-1]).mean(axis=0)
    return np.argsort(means)[::-1]


def normalize(channel_map: np.ndarray) -> np.ndarray:
    """Scale one 2-D map to [0, 1]; a flat map becomes zeros rather than NaN."""
    m = np.asarray(channel_map, dtype="float32")
    lo, hi = float(m.min()), float(m.max())
    return (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)


def pooled_features(model: keras.Model, batches, on_batch=None) -> np.ndarray:
    """Run `model` over a dataset of (images, labels) batches and stack its outputs.

    One traced function for every batch size (a partial last batch does not trigger a second
    tracing of the whole backbone, as `Model.predict` would), and no per-call set-up.
    `on_batch(images_done)` is called after each batch, for progress bars.
    """
    import tensorflow as tf

    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
    forward = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    out, done = [], 0
    for x, _ in batches:
        out.append(np.asarray(forward(x)))
        done += len(out[-1])
        if on_batch is not None:
            on_batch(done)
    return np.concatenate(out)
