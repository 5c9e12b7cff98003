"""Cached backbone features on disk, so head-only training costs about one forward pass.

One entry per (backbone, weights file, dataset, split, image size): pooled features and labels
as .npz under TLAB_HOME/cache/features. The key includes the weights file's size and mtime, so
new weights invalidate old features, and the dataset id, which fixes its images and its split.
Entries are written to a temporary file and renamed, so a crash never leaves a half-written
entry that is later read; an unreadable entry counts as a miss and is recomputed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

VERSION = 1


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
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, entry: str) -> Path:
        return self.folder / f"{entry}.npz"

    def load(self, entry: str) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(self.path(entry)) as data:
                return data["features"], data["labels"]
        except (OSError, ValueError, KeyError, EOFError):
            return None

    def save(self, entry: str, features: np.ndarray, labels: np.ndarray) -> None:
        tmp = self.folder / f".{entry}.{uuid.uuid4().hex}.tmp.npz"
        np.savez(tmp, features=features, labels=labels)
        os.replace(tmp, self.path(entry))

    def get_or_compute(
        self, entry: str, compute: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """(features, labels, hit)."""
        cached = self.load(entry)
        if cached is not None:
            return *cached, True
        features, labels = compute()
        self.save(entry, features, labels)
        return features, labels, False

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.glob("*.npz"))

    def clear(self) -> None:
        for p in self.folder.glob("*.npz"):
            with contextlib.suppress(OSError):
                p.unlink()
