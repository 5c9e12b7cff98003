"""The cache of what networks compute from images: arrays on disk, each under a named key.

One entry per `FeatureKey` (network, weights, images, which of them, image size, what the rows
are) as .npz under TLAB_HOME/cache/features. The key includes the weights file's size and
mtime, so new weights invalidate old features, and the dataset id, which fixes its images and
its split. Entries are written atomically (`dashboard.storage`); an unreadable entry counts as
a miss and is recomputed. In team mode the cache pulls what it lacks from the shared store and
pushes what it writes (`dashboard.runs.sync`: each file checked against its recorded hash).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dashboard.runs import sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path, folder_bytes

VERSION = 2  # 2: named keys that say what the rows are; arrays saved without fake labels
CACHES = ("features", "pixels")  # what the Train page's "Clear caches" empties


@dataclass(frozen=True)
class FeatureKey:
    """What a cached array is, field by field; `entry` is its file name."""

    network: str  # what computed it: a backbone key, "<backbone>@<layer>" (activations at a
    # cut) or "run:<id>" (a run's own model)
    weights: str  # which weights: a weights file's identity, "random-init:<seed>", "trained"
    images: str  # which images: a dataset id, or the reference photos' version
    subset: str  # which of them: a split, "train+val", a sample ("probe300", "300 of 400")
    size: int  # px the images were read at (0: the size a run's own model fixes)
    output: str = "pooled"  # what the rows are: pooled features, probabilities, a 2-D map

    @property
    def entry(self) -> str:
        text = json.dumps([VERSION, *dataclasses.astuple(self)])
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

    def load(self, entry: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(features, their labels, or None for an array stored without)."""
        path = sync.pull(self.settings, self.path(entry))  # maybe from another server
        if path is None:
            return None
        try:
            with np.load(path) as data:  # no pickles: arrays only
                labels = data["labels"] if "labels" in data.files else None
                return data["features"], labels
        except (OSError, ValueError, KeyError, EOFError):
            return None

    def save(self, entry: str, features: np.ndarray, labels: np.ndarray | None = None) -> None:
        arrays = {"features": features}
        if labels is not None:
            arrays["labels"] = labels
        with atomic_path(self.path(entry)) as tmp:
            np.savez(tmp, **arrays)
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


def cached_array(
    settings: Settings, key: FeatureKey, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """Any other array worth keeping (a sample's features, a classifier's outputs, a map)."""
    cache = FeatureCache(settings)
    found = cache.load(key.entry)
    if found is not None:
        return found[0]
    settings.check_writable("computing features")  # a read-only server reads the cache only
    values = compute()
    cache.save(key.entry, values)
    return values
