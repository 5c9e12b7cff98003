"""A backbone's pooled features of a stored dataset, cached on disk, so head-only training
costs about one forward pass.

One entry per (backbone, weights file, dataset, split, image size): pooled features and labels
as .npz under TLAB_HOME/cache/features. The key includes the weights file's size and mtime, so
new weights invalidate old features, and the dataset id, which fixes its images and its split.
Entries are written atomically (`dashboard.storage`); an unreadable entry counts as a miss and
is recomputed.

The trainer (head-only strategies, strategy 3's activations at the cut), the learning-rate
finder and the strategy advisor ask for the same entries, so measuring a dataset first makes
the linear-head run after it skip its forward pass, and the other way round. The model is built
only on a miss (`make_model` is called lazily).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dashboard import datasets
from dashboard.settings import Settings
from dashboard.storage import atomic_path, folder_bytes
from dashboard.training import sync
from models import backbones, classifier, feature_maps
from models.catalog import Backbone

VERSION = 1
FEATURE_SPLITS = ("train", "val")  # cached per split, in this order
CACHES = ("features", "pixels")  # what the Train page's "Clear caches" empties


def key(backbone: str, weights: str, dataset_id: str, split: str, image_size: int) -> str:
    text = json.dumps([VERSION, backbone, weights, dataset_id, split, image_size])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def weights_identity(path: Path | None) -> str:
    """What identifies a weights file for caching: name, size and modification time."""
    if path is None:
        return "random-init"
    st = path.stat()
    return f"{path.name}:{st.st_size}:{int(st.st_mtime)}"


class FeatureCache:
    """Entries under TLAB_HOME/cache/features, shared through TLAB_STORE_URL when it is set:
    a miss here is looked up there before anything is computed."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.folder = settings.cache_dir("features")

    def path(self, entry: str) -> Path:
        return self.folder / f"{entry}.npz"

    def load(self, entry: str) -> tuple[np.ndarray, np.ndarray] | None:
        path = sync.pull(self.settings, self.path(entry))  # maybe from another server
        if path is None:
            return None
        try:
            with np.load(path) as data:  # no pickles: arrays only
                features, labels = data["features"], data["labels"]
        except (OSError, ValueError, KeyError, EOFError):
            return None
        return features, labels

    def save(self, entry: str, features: np.ndarray, labels: np.ndarray) -> None:
        with atomic_path(self.path(entry)) as tmp:
            np.savez(tmp, features=features, labels=labels)
        sync.push(self.settings, self.path(entry))

    def clear(self) -> None:
        for p in self.folder.glob("*.npz"):
            with contextlib.suppress(OSError):
                p.unlink()


def cache_sizes(settings: Settings) -> dict[str, int]:
    """Bytes on disk per cache (features, decoded pixels)."""
    return {name: folder_bytes(settings.cache_dir(name)) for name in CACHES}


def clear_caches(settings: Settings) -> None:
    """Safe at any time: every entry is rebuilt when it is next needed."""
    settings.check_writable("clearing caches")
    FeatureCache(settings).clear()
    shutil.rmtree(settings.cache_dir("pixels"), ignore_errors=True)


def pretrained_weights_id(settings: Settings, backbone: Backbone, include_top: bool = False) -> str:
    """What identifies the pretrained weights in cache keys (raises WeightsUnavailable)."""
    source = backbones.weights_source(
        backbone,
        include_top=include_top,
        weights_dir=settings.weights_dir,
        allow_download=settings.allow_download,
    )
    return weights_identity(source.path) if source.path else source.filename


def pooled_model(
    settings: Settings, backbone: Backbone, size: int, pretrained: bool = True, seed=None
):
    """The backbone on raw images with pooled output: the model whose outputs fill this
    cache. `pretrained=False` with a `seed` gives the same random network every time."""
    with backbones.building(seed):
        base = backbones.build(
            backbone,
            include_top=False,
            pretrained=pretrained,
            input_size=size,
            weights_dir=settings.weights_dir,
            allow_download=settings.allow_download,
        )
        return classifier.raw_image_model(backbone, base, size)


def labels(manifest: datasets.Manifest, split: str) -> np.ndarray:
    return np.array(manifest.labels(manifest.records(split)), "int32")


def split_features(
    settings: Settings,
    manifest: datasets.Manifest,
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
    cache = FeatureCache(settings)
    entries = [key(backbone_key, weights_id, manifest.id, s, image_size) for s in FEATURE_SPLITS]
    cached = [
        _matching(cache.load(e), labels(manifest, s))
        for e, s in zip(entries, FEATURE_SPLITS, strict=True)
    ]
    hits = [c is not None for c in cached]
    if all(hits):
        return cached, hits
    settings.check_writable("computing features")  # a read-only server reads the cache only
    both = datasets.training_data(
        settings,
        manifest,
        FEATURE_SPLITS,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=False,
    )
    features = feature_maps.pooled_features(make_model(), both, on_batch)
    n_train = len(manifest.records("train"))
    out = [
        (features[:n_train], labels(manifest, "train")),
        (features[n_train:], labels(manifest, "val")),
    ]
    for entry, (x, y) in zip(entries, out, strict=True):
        cache.save(entry, x, y)
    return out, hits


def _matching(entry: tuple | None, truth: np.ndarray) -> tuple | None:
    """A cache entry only if it is one row per image with the split's labels (an entry pulled
    from the shared store is data, and a wrong one must not feed a run)."""
    if entry is None or len(entry[0]) != len(truth) or not np.array_equal(entry[1], truth):
        return None
    return entry


def cached_array(
    settings: Settings, entry_parts: tuple, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """Any other array worth keeping (a sample's features, a classifier's outputs), by key."""
    cache = FeatureCache(settings)
    entry = key(*entry_parts)
    found = cache.load(entry)
    if found is not None:
        return found[0]
    settings.check_writable("computing features")  # a read-only server reads the cache only
    values = compute()
    cache.save(entry, values, np.zeros(0))
    return values
