"""A backbone's pooled features of a stored dataset, computed once and cached
(`cache.FeatureCache`), so head-only training costs about one forward pass.

The trainer (head-only strategies, strategy 3's activations at the cut), the learning-rate
finder, the strategy advisor and the feature-space map ask for the same entries, so measuring a
dataset first makes the linear-head run after it skip its forward pass, and the other way
round. The model is built only on a miss (`make_model` is called lazily). The random-weights
network of the advisor and the map is one network: `random_model`, seeded by RANDOM_SEED.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dashboard import datasets
from dashboard.features.cache import FeatureCache, FeatureKey, weights_identity
from dashboard.settings import Settings
from models import backbones, classifier, feature_maps
from models.catalog import Backbone

FEATURE_SPLITS = ("train", "val")  # cached per split, in this order
RANDOM_SEED = 0  # the same random network every time, for the advisor and the map alike


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
    network: str,
    weights_id: str,
    image_size: int,
    make_model: Callable,
    batch_size: int = 32,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[bool]]:
    """([(x_train, y_train), (x_val, y_val)], [train hit, val hit]): `network`'s outputs (a
    backbone's pooled features, or activations at a cut) of both splits.

    On a miss, one forward pass over both splits (one traced function, not two); each split is
    then stored under its own key. `on_batch(images_done)` reports progress of that pass.
    """
    cache = FeatureCache(settings)
    keys = [FeatureKey(network, weights_id, manifest.id, s, image_size) for s in FEATURE_SPLITS]
    entries = [k.entry for k in keys]
    cached = [
        _matching(cache.load(e), labels(manifest, s))
        for e, s in zip(entries, FEATURE_SPLITS, strict=True)
    ]
    hits = [c is not None for c in cached]
    if all(hits):
        return cached, hits
    settings.check_writable("computing features")  # a read-only server reads the cache only
    inherited = _from_parent(settings, manifest, network, weights_id, image_size)
    if inherited is not None:  # a version that only relabels or excludes: no forward pass
        for entry, (x, y) in zip(entries, inherited, strict=True):
            cache.save(entry, x, y)
        return inherited, [True, True]
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


def _from_parent(settings, manifest, network, weights_id, image_size) -> list | None:
    """This version's rows taken from its parent's cached entries, image by image (upload
    hash), when those hold every one of its images (a relabel or an exclusion); else None."""
    try:
        parent = datasets.get(settings, manifest.parent) if manifest.parent else None
    except datasets.DatasetError:  # deleted: the version computes its own
        return None
    if parent is None:
        return None
    cache, rows = FeatureCache(settings), {}
    for split in FEATURE_SPLITS:
        key = FeatureKey(network, weights_id, parent.id, split, image_size)
        entry = _matching(cache.load(key.entry), labels(parent, split))
        if entry is None:
            return None
        rows.update({r.sha: x for r, x in zip(parent.records(split), entry[0], strict=True)})
    wanted = [manifest.records(split) for split in FEATURE_SPLITS]
    if not all(r.sha in rows for records in wanted for r in records):
        return None
    return [
        (np.stack([rows[r.sha] for r in records]), labels(manifest, split))
        for records, split in zip(wanted, FEATURE_SPLITS, strict=True)
    ]


def _matching(entry: tuple | None, truth: np.ndarray) -> tuple | None:
    """A cache entry only if it is one row per image with the split's labels (an entry pulled
    from the shared store is data, and a wrong one must not feed a run)."""
    if entry is None or len(entry[0]) != len(truth) or not np.array_equal(entry[1], truth):
        return None
    return entry


def random_model(settings: Settings, backbone: Backbone, size: int):
    """The backbone with random weights, the same network on every call (RANDOM_SEED)."""
    return pooled_model(settings, backbone, size, pretrained=False, seed=RANDOM_SEED)


RANDOM_WEIGHTS = f"random-init:{RANDOM_SEED}"  # the random network's weights, in cache keys


def ordered_records(manifest: datasets.Manifest) -> list[datasets.ImageRecord]:
    """The train then the val images: the order of `stacked_features`' rows."""
    return manifest.records(*FEATURE_SPLITS)


def stacked_features(
    settings: Settings,
    manifest: datasets.Manifest,
    backbone: Backbone,
    make_model: Callable | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of every train and val image, in `ordered_records` order: the very
    entries a head-only run fills. Raises WeightsUnavailable without pretrained weights."""
    size = backbone.input_size
    splits, _ = split_features(
        settings,
        manifest,
        backbone.key,
        pretrained_weights_id(settings, backbone),
        size,
        make_model or (lambda: pooled_model(settings, backbone, size)),
        on_batch=on_batch,
    )
    return np.concatenate([x for x, _ in splits]), np.concatenate([y for _, y in splits])
