"""Natural photos to compare a dataset's features with, from photos that ship inside packages.

Six everyday colour photos (scikit-image: astronaut, cat, coffee, rocket, motorcycle;
scikit-learn: a Chinese temple), each cut into random square crops of 40-100% of its short
side, half of them mirrored: 120 images of the kind ImageNet is made of. scikit-learn's sample
flower photo is left out on purpose, so the flowers acceptance test is not helped by a flower.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

VERSION = "natural-photos-v1"  # part of the feature cache key: change it when the set changes
CROPS_PER_PHOTO = 20


def photos() -> list[np.ndarray]:
    import skimage.data as data
    from sklearn.datasets import load_sample_images

    china = load_sample_images().images[0]  # images: [china.jpg, flower.jpg]
    return [
        data.astronaut(),
        data.chelsea(),
        data.coffee(),
        data.rocket(),
        data.stereo_motorcycle()[0],
        china,
    ]


def crops(size: int, per_photo: int = CROPS_PER_PHOTO, seed: int = 0) -> np.ndarray:
    """(n, size, size, 3) float32 0-255 crops, the same every call for the same arguments."""
    rng = np.random.default_rng(seed)
    out = []
    for photo in photos():
        h, w = photo.shape[:2]
        for _ in range(per_photo):
            side = int(min(h, w) * rng.uniform(0.4, 1.0))
            y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
            crop = Image.fromarray(photo[y : y + side, x : x + side, :3])
            if rng.random() < 0.5:
                crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            out.append(np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR)))
    return np.stack(out).astype("float32")
