"""The training feed: a stored dataset's images as a `tf.data.Dataset` (TensorFlow loads only
when one is asked for)."""

from __future__ import annotations

from pathlib import Path

from dashboard import trust
from dashboard.datasets.store import DatasetError, ImageRecord, Manifest, open_store
from dashboard.datasets.words import split_text
from dashboard.i18n import _
from dashboard.settings import Settings


def training_data(
    settings: Settings,
    manifest: Manifest,
    split: str | tuple[str, ...],
    *,
    image_size: int,
    batch_size: int = 32,
    shuffle: bool | None = None,
    seed: int = 42,
    cache: bool = False,
):
    """A `tf.data.Dataset` of (float32 0-255 images, int labels) for one split of the dataset.

    Labels index `manifest.classes`. With `cache`, decoded images are kept per image size under
    TLAB_HOME/cache/pixels, so later epochs skip decoding.
    """
    splits = (split,) if isinstance(split, str) else tuple(split)
    # In the order asked for: ("train", "val") gives every train image, then every val image.
    records = manifest.records(*splits)
    if not records:
        names = _(" or ").join(split_text(s) for s in splits)
        raise DatasetError(_("The dataset has no {splits} images.").format(splits=names))
    cache_file = None
    if cache:
        cache_file = pixel_cache(settings, manifest, splits, image_size)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
    return records_data(
        settings,
        manifest,
        records,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=(split == "train") if shuffle is None else shuffle,
        seed=seed,
        cache_file=cache_file,
    )


def records_data(
    settings: Settings,
    manifest: Manifest,
    records: list[ImageRecord],
    *,
    image_size: int,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 42,
    cache_file=None,
):
    """A `tf.data.Dataset` of (float32 0-255 images, int labels) for the given image records."""
    from models import input_pipeline  # TensorFlow loads only when training data is needed

    store = open_store(settings)
    folders = {home: store.local_folder(home) for home in {manifest.home(r) for r in records}}
    return input_pipeline.image_dataset(
        [folders[manifest.home(r)] / trust.image_file(r.file) for r in records],
        manifest.labels(records),
        [(r.width, r.height) for r in records],
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        cache_file=cache_file,
    )


def pixel_cache(settings: Settings, manifest: Manifest, splits: tuple[str, ...], size: int) -> Path:
    """Where `training_data(cache=True)` keeps these splits' decoded pixels: tf.data writes
    `<prefix>.data-*` files, then `<prefix>.index` when the cache is complete."""
    return settings.cache_dir("pixels") / f"{manifest.id}_{'+'.join(splits)}_{size}"
