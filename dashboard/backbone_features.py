"""A backbone's pooled features of a stored dataset, through the on-disk feature cache.

The trainer (head-only strategies) and the strategy advisor ask for the same entries, so
measuring a dataset first makes the linear-head run after it skip its forward pass, and the
other way round. The model is built only on a cache miss (`make_model` is called lazily).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dashboard import datasets
from dashboard.dataset_store import Manifest
from dashboard.feature_cache import FeatureCache, key, weights_identity
from dashboard.settings import Settings
from models import backbones, feature_maps
from models.catalog import Backbone

SPLITS = ("train", "val")


def pretrained_weights_id(settings: Settings, backbone: Backbone, include_top: bool = False) -> str:
    """What identifies the pretrained weights in cache keys (raises WeightsUnavailable)."""
    source = backbones.weights_source(
        backbone, include_top=include_top, weights_dir=settings.weights_dir,
        allow_download=settings.allow_download,
    )  # fmt: skip
    return weights_identity(source.path) if source.path else source.filename


def labels(manifest: Manifest, split: str) -> np.ndarray:
    index = {c: i for i, c in enumerate(manifest.classes)}
    return np.array([index[r.cls] for r in manifest.images if r.split == split], "int32")


def split_features(
    settings: Settings,
    manifest: Manifest,
    backbone_key: str,
    weights_id: str,
    image_size: int,
    make_model: Callable,
    batch_size: int = 32,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[bool]]:
    """([(x_train, y_train), (x_val, y_val)], [train hit, val hit]).

    On a miss, one forward pass over both splits (one traced function, not two); each split is
    then stored under its own key. `on_batch(images_done)` reports progress of that pass.
    """
    cache = FeatureCache(settings.cache_dir("features"))
    entries = [key(backbone_key, weights_id, manifest.id, s, image_size) for s in SPLITS]
    cached = [cache.load(e) for e in entries]
    hits = [c is not None for c in cached]
    if all(hits):
        return cached, hits
    both = datasets.training_data(
        settings, manifest, SPLITS, image_size=image_size, batch_size=batch_size, shuffle=False
    )
    features = feature_maps.pooled_features(make_model(), both, on_batch)
    n_train = sum(r.split == "train" for r in manifest.images)
    out = [
        (features[:n_train], labels(manifest, "train")),
        (features[n_train:], labels(manifest, "val")),
    ]
    for entry, (x, y) in zip(entries, out, strict=True):
        cache.save(entry, x, y)
    return out, hits


def cached_array(
    settings: Settings, entry_parts: tuple, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """Any other array worth keeping (a sample's features, a classifier's outputs), by key."""
    cache = FeatureCache(settings.cache_dir("features"))
    entry = key(*entry_parts)
    found = cache.load(entry)
    if found is not None:
        return found[0]
    values = compute()
    cache.save(entry, values, np.zeros(0))
    return values
