"""The training input pipeline: `tf.data` from stored image files.

Files are listed up front (from the dataset's manifest, no directory walk), shuffled as paths
(cheap, whatever the dataset size), then read, decoded and resized in parallel, batched and
prefetched. Only a few batches are ever in memory, so memory stays flat as the dataset grows.

JPEGs much larger than the target are decoded at 1/2, 1/4 or 1/8 scale by libjpeg itself
(`ratio`), which skips most of the decoding work; the stored sizes make that choice possible
without opening a file. Output: float32 RGB 0-255, (batch, size, size, 3), as every
`keras.applications` `preprocess_input` expects, and int32 labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE
# Autotuning off: AUTOTUNE then means min(16, CPU cores) decoders and a fixed prefetch. With it
# on, deleting an iterator (the end of every feature pass and of every epoch of `fit`) waited
# up to 2.2 s about one time in two for tf.data's tuning thread: a cold head-only run's feature
# pass took 2.9 s or 5.2 s (bench/training.py, head_vs_one_pass). Decoding kept pace either way.
_FIXED_PARALLELISM = tf.data.Options()
_FIXED_PARALLELISM.autotune.enabled = False


def jpeg_ratio(width: int, height: int, size: int) -> int:
    """Largest libjpeg downscale (1, 2, 4, 8) that still leaves at least `size` pixels."""
    shorter = min(width, height)
    for ratio in (8, 4, 2):
        if shorter // ratio >= size:
            return ratio
    return 1


def _loader(size: int, ratio: int):
    def load(path, label, is_jpeg):
        data = tf.io.read_file(path)
        image = tf.cond(
            is_jpeg,
            lambda: tf.io.decode_jpeg(data, channels=3, ratio=ratio),
            lambda: tf.io.decode_png(data, channels=3),
        )
        image = tf.image.resize(image, (size, size))  # bilinear, float32, as keras' loader
        image.set_shape((size, size, 3))
        return image, label

    return load


def image_dataset(
    paths: Sequence[str | Path],
    labels: Sequence[int],
    sizes: Sequence[tuple[int, int]],
    *,
    image_size: int,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 42,
    cache_file: Path | None = None,
) -> tf.data.Dataset:
    """Batches of (images, labels). `sizes` are the stored (width, height) of each file.

    With `cache_file`, decoded and resized images are kept on disk per image size (uint8), so
    later epochs skip decoding; shuffling then happens on a bounded buffer after the cache.
    """
    paths = [str(p) for p in paths]
    is_jpeg = [p.lower().endswith((".jpg", ".jpeg")) for p in paths]
    # One ratio for the whole dataset (a graph constant: a per-image choice costs more in
    # branching than it saves); the smallest over its JPEGs, so none is decoded too small.
    jpeg_sizes = [wh for wh, j in zip(sizes, is_jpeg, strict=True) if j]
    ratio = min((jpeg_ratio(w, h, image_size) for w, h in jpeg_sizes), default=1)
    ds = tf.data.Dataset.from_tensor_slices((paths, list(labels), is_jpeg))
    if shuffle and cache_file is None:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    # Deterministic order, so a seed reproduces a run; parallel decoding still overlaps.
    ds = ds.map(_loader(image_size, ratio), num_parallel_calls=AUTOTUNE, deterministic=True)
    if cache_file is not None:
        ds = ds.map(lambda x, y: (tf.cast(tf.round(x), tf.uint8), y)).cache(str(cache_file))
        if shuffle:
            ds = ds.shuffle(min(len(paths), 1024), seed=seed, reshuffle_each_iteration=True)
        ds = ds.map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=AUTOTUNE)
    return ds.batch(batch_size).prefetch(AUTOTUNE).with_options(_FIXED_PARALLELISM)
