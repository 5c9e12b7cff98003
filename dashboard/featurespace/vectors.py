"""A dataset's pooled features, twice: through the pretrained backbone and through the same
network with random weights, the picture of why transfer works.

Both come from the trainer's feature cache (`training.split_features`, `cached_array`): the
pretrained pass is the very entry a head-only run or the advisor fills, so a warm cache means
no forward pass at all. Images are the train then val images, in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dashboard import datasets, training
from dashboard.settings import Settings
from models import feature_maps
from models.catalog import Backbone

RANDOM_SEED = 0  # the same random network every time (and the advisor's)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Vectors:
    features: np.ndarray  # (n, d) pooled features
    labels: np.ndarray  # (n,) class index into manifest.classes
    records: list[datasets.ImageRecord]


def records(manifest: datasets.Manifest) -> list[datasets.ImageRecord]:
    return manifest.records(*training.FEATURE_SPLITS)


def pretrained(
    settings: Settings, manifest: datasets.Manifest, backbone: Backbone, say: Progress
) -> Vectors:
    """Raises WeightsUnavailable when the pretrained weights cannot be had."""
    size, n = backbone.input_size, len(records(manifest))
    splits, _ = training.split_features(
        settings,
        manifest,
        backbone.key,
        training.pretrained_weights_id(settings, backbone),
        size,
        lambda: training.pooled_model(settings, backbone, size),
        on_batch=lambda done: say(done / max(n, 1), f"Pretrained features: {done}/{n} images"),
    )
    features = np.concatenate([x for x, _ in splits])
    labels = np.concatenate([y for _, y in splits])
    return Vectors(features, labels, records(manifest))


def random_init(
    settings: Settings, manifest: datasets.Manifest, backbone: Backbone, say: Progress
) -> Vectors:
    size, chosen = backbone.input_size, records(manifest)

    def compute() -> np.ndarray:
        model = training.pooled_model(settings, backbone, size, False, RANDOM_SEED)
        batches = datasets.records_data(settings, manifest, chosen, image_size=size)
        n = len(chosen)
        report = lambda done: say(done / max(n, 1), f"Random weights: {done}/{n} images")  # noqa: E731
        return feature_maps.pooled_features(model, batches, report)

    entry = (backbone.key, f"random-init:{RANDOM_SEED}", manifest.id, "train+val", size)
    features = training.cached_array(settings, entry, compute)
    return Vectors(features, np.array(manifest.labels(chosen), "int32"), chosen)


def finetuned(
    settings: Settings, manifest: datasets.Manifest, run_id: str, say: Progress
) -> Vectors:
    """A finished run's own representation of each image: what its final layer sees (the
    pooled features of its base, through its head's hidden layers where it has them), from
    the run's exported `model.keras`. A linear head on a frozen base changes none of it."""
    import keras

    chosen = records(manifest)

    def compute() -> np.ndarray:
        model = keras.saving.load_model(training.results.local_artifacts(settings, run_id)["model"])
        pooled = _penultimate(model)
        size = int(model.input_shape[1])
        batches = datasets.records_data(settings, manifest, chosen, image_size=size)
        n = len(chosen)
        report = lambda done: say(done / max(n, 1), f"Fine-tuned features: {done}/{n} images")  # noqa: E731
        return feature_maps.pooled_features(pooled, batches, report)

    features = training.cached_array(
        settings, (run_id, "fine-tuned", manifest.id, "train+val", 0), compute
    )
    return Vectors(features, np.array(manifest.labels(chosen), "int32"), chosen)


def _penultimate(model):
    import keras

    x = model.get_layer("pool").output
    head = next(layer for layer in model.layers if layer.name.endswith("_head"))
    for layer in head.layers[:-1]:  # every layer of the head but its softmax
        x = layer(x)
    return keras.Model(model.inputs, x)
