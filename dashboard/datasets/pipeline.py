"""The training feed: a stored dataset's images as a `tf.data.Dataset` (TensorFlow loads only
when one is asked for)."""

from __future__ import annotations

from pathlib import Path

from dashboard import shared_store
from dashboard.datasets.store import DatasetError, ImageRecord, Manifest, open_store
from dashboard.settings import Settings

INDEX = ".index"  # tf.data writes a cache's index last, when the cache is complete


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
        raise DatasetError(f"The dataset has no {' or '.join(splits)} images.")
    cache_file = None
    if cache:
        cache_file = settings.cache_dir("pixels") / f"{manifest.id}_{'+'.join(splits)}_{image_size}"
        _pull_pixel_cache(settings, cache_file)
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

    folder = open_store(settings).local_folder(manifest.id)
    return input_pipeline.image_dataset(
        [folder / r.file for r in records],
        manifest.labels(records),
        [(r.width, r.height) for r in records],
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        cache_file=cache_file,
    )


def _pull_pixel_cache(settings: Settings, prefix: Path) -> None:
    """A complete pixel cache from the shared store: data files first, the index last."""
    store = shared_store.shared_store(settings)
    if store is None or prefix.with_name(prefix.name + INDEX).is_file():
        return
    rels = store.glob(shared_store.relative(settings, prefix) + ".*")
    if not any(r.endswith(INDEX) for r in rels):
        return
    for rel in sorted(rels, key=lambda r: r.endswith(INDEX)):
        store.pull(rel, settings.home / rel)


def share_pixel_caches(settings: Settings, manifest: Manifest) -> None:
    """Push this dataset's complete pixel caches that the shared store does not have yet."""
    store = shared_store.shared_store(settings)
    if store is None:
        return
    for index in settings.cache_dir("pixels").glob(f"{manifest.id}_*{INDEX}"):
        rel = shared_store.relative(settings, index)
        if store.exists(rel):
            continue
        data = sorted(index.parent.glob(index.name.removesuffix(INDEX) + ".data-*"))
        shared_store.push(settings, *data)
        shared_store.push(settings, index)
