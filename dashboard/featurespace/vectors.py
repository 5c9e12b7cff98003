"""A dataset's pooled features, twice: through the pretrained backbone and through the same
network with random weights, the picture of why transfer works.

Both come from the feature cache (`features.stacked_features`, `cached_array`): the
pretrained pass is the very entry a head-only run or the advisor fills, so a warm cache means
no forward pass at all. Images are the train then val images, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import datasets, features, training
from dashboard.i18n import _
from dashboard.progress import Progress
from dashboard.settings import Settings
from models import feature_maps
from models.catalog import Backbone


def counting(say: Progress, total: int, text: str):
    """`done -> say(done / total, text)`: `text` a translated sentence with {done} and {total}."""
    return lambda done: say(done / max(total, 1), text.format(done=done, total=total))


@dataclass(frozen=True)
class Vectors:
    features: np.ndarray  # (n, d) pooled features
    labels: np.ndarray  # (n,) class index into manifest.classes
    records: list[datasets.ImageRecord]


def pretrained(
    settings: Settings, manifest: datasets.Manifest, backbone: Backbone, say: Progress
) -> Vectors:
    """Raises WeightsUnavailable when the pretrained weights cannot be had."""
    chosen = features.ordered_records(manifest)
    on_batch = counting(say, len(chosen), _("Pretrained features: {done}/{total} images"))
    x, y = features.stacked_features(settings, manifest, backbone, on_batch=on_batch)
    return Vectors(x, y, chosen)


def random_init(
    settings: Settings, manifest: datasets.Manifest, backbone: Backbone, say: Progress
) -> Vectors:
    size, chosen = backbone.input_size, features.ordered_records(manifest)
    counted = counting(say, len(chosen), _("Random weights: {done}/{total} images"))

    def compute() -> np.ndarray:
        model = features.random_model(settings, backbone, size)
        batches = datasets.records_data(settings, manifest, chosen, image_size=size)
        return feature_maps.pooled_features(model, batches, counted)

    key = features.FeatureKey(backbone.key, features.RANDOM_WEIGHTS, manifest.id, "train+val", size)
    x = features.cached_array(settings, key, compute)
    return Vectors(x, np.array(manifest.labels(chosen), "int32"), chosen)


def finetuned(
    settings: Settings, manifest: datasets.Manifest, run_id: str, say: Progress
) -> Vectors:
    """A finished run's own representation of each image: what its final layer sees (the
    pooled features of its base, through its head's hidden layers where it has them), from
    the run's exported `model.keras`. A linear head on a frozen base changes none of it."""
    import keras

    chosen = features.ordered_records(manifest)
    counted = counting(say, len(chosen), _("Fine-tuned features: {done}/{total} images"))

    def compute() -> np.ndarray:
        model = keras.saving.load_model(training.results.local_artifacts(settings, run_id)["model"])
        pooled = _penultimate(model)
        size = int(model.input_shape[1])
        batches = datasets.records_data(settings, manifest, chosen, image_size=size)
        return feature_maps.pooled_features(pooled, batches, counted)

    key = features.FeatureKey(f"run:{run_id}", "trained", manifest.id, "train+val", 0)
    x = features.cached_array(settings, key, compute)
    return Vectors(x, np.array(manifest.labels(chosen), "int32"), chosen)


def _penultimate(model):
    import keras

    x = model.get_layer("pool").output
    head = next(layer for layer in model.layers if layer.name.endswith("_head"))
    for layer in head.layers[:-1]:  # every layer of the head but its softmax
        x = layer(x)
    return keras.Model(model.inputs, x)
