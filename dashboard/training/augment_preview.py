"""What the chosen augmentations do, on the dataset's own images, before anything trains: the
very layers a run would put in front of its model (`models.augmentations`), applied to a few
training images resized as the input pipeline resizes them (squashed to the square size)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dashboard import datasets, images
from dashboard.settings import Settings
from models.augmentations import augmentation

PREVIEW_SIZE = 160  # pixels a preview image is drawn at


def preview(
    settings: Settings,
    manifest: datasets.Manifest,
    chosen: Mapping[str, float] | None,
    seed: int,
    n_images: int = 4,
    copies: int = 4,
) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """For `n_images` training images (one per class first, in order), the image and
    `copies` augmented draws of it."""
    import tensorflow as tf

    layers = augmentation(seed, chosen)
    shown = []
    for record in _pick(manifest, n_images):
        rgb = images.decode(
            datasets.read_image(settings, manifest, record), settings.max_image_pixels
        )
        square = tf.image.resize(rgb[None], (PREVIEW_SIZE, PREVIEW_SIZE)).numpy()
        batch = np.repeat(square, copies, axis=0)
        drawn = layers(batch, training=True) if layers.layers else batch
        out = np.clip(np.asarray(drawn), 0, 255).astype("uint8")
        shown.append((square[0].astype("uint8"), list(out)))
    return shown


def _pick(manifest: datasets.Manifest, n: int) -> list[datasets.ImageRecord]:
    train = manifest.records("train")
    first = {}
    for record in train:
        first.setdefault(record.cls, record)
    picked = list(first.values())[:n]
    return picked + [r for r in train if r not in picked][: n - len(picked)]
