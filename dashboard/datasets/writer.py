"""Writing one dataset: validated images into a temporary folder, then one rename into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid

from dashboard import images, trust
from dashboard.datasets import split as dataset_split
from dashboard.datasets import versions
from dashboard.datasets.manifest import ImageRecord, Manifest
from dashboard.datasets.store import MANIFEST, DatasetError, DatasetStore
from dashboard.i18n import _
from dashboard.storage import write_atomic


class IngestWriter:
    """Collects validated images into a temporary folder, then commits it as one dataset."""

    def __init__(self, store: DatasetStore, name: str, source: str, max_pixels: int, owner=""):
        self.store, self.name, self.source, self.max_pixels = store, name, source, max_pixels
        self.owner = owner
        self.work = store.tmp / f"ingest-{uuid.uuid4().hex}"
        (self.work / "images").mkdir(parents=True)
        self.records: list[ImageRecord] = []
        self.skipped: list[tuple[str, str]] = []

    def __enter__(self) -> IngestWriter:
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.work, ignore_errors=True)  # no-op after a successful commit

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append((path, reason))

    def add(self, original: str, cls: str, split: str | None, data: bytes) -> bool:
        try:
            stored, ext, w, h = images.prepare_for_storage(data, self.max_pixels)
        except images.ImageError as exc:
            self.skip(original, str(exc))
            return False
        sha = hashlib.sha256(data).hexdigest()  # the upload's: the dataset's identity
        rel = f"images/{trust.sha256_bytes(stored)}.{ext}"  # the file's own: checked on pull
        target = self.work / rel
        if not target.exists():
            target.write_bytes(stored)
        cls = cls.strip() or "unnamed"
        self.records.append(ImageRecord(rel, sha, cls, split or "", original, w, h, len(stored)))
        return True

    def commit(self, layout: str, val: float = 0.2, test: float = 0.0, seed: int = 42):
        """(manifest, reused) — reused is True when this exact dataset was stored before."""
        classes = sorted({r.cls for r in self.records})
        if len(classes) < 2:
            raise DatasetError(_too_few(classes))
        dataset_id = versions.content_id(self.records)
        with contextlib.suppress(DatasetError):  # here already, or in the shared store
            return self.store.get(dataset_id), True
        final = self.store.folder(dataset_id)
        split_info = self._assign_splits(val, test, seed)
        manifest = Manifest(
            dataset_id,
            self.name,
            self.source,
            layout,
            classes,
            self.records,
            self.skipped,
            split_info,
            owner=self.owner,
        )
        write_atomic(self.work / MANIFEST, manifest.to_json())
        self.store.root.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(self.work, final)
        except OSError:  # another session stored the same dataset a moment ago
            return self.store.get(dataset_id), True
        self.store.share(dataset_id)
        return manifest, False

    def _assign_splits(self, val: float, test: float, seed: int) -> dict:
        """Keep a split that came with the upload; carve validation images out of train when
        it brought none; otherwise make a stratified split."""
        if all(r.split for r in self.records):
            info = {"kept_from_upload": True}
            if any(r.split == "val" for r in self.records):
                return info
            pool, val_only, info = [r for r in self.records if r.split == "train"], True, info
            info.update(val=val, seed=seed, val_carved_from_train=True)
        else:
            pool, val_only = self.records, False
            info = {"kept_from_upload": False, "val": val, "test": test, "seed": seed}
        splits = dataset_split.stratified(
            [r.cls for r in pool], val, 0.0 if val_only else test, seed
        )
        for record, split in zip(pool, splits, strict=True):
            record.split = split
        return info


def _too_few(classes: list[str]) -> str:
    if classes:
        return _(
            "A classifier needs at least two classes with images; found only {name}. "
            "Put each class's images in its own folder."
        ).format(name=repr(classes[0]))
    return _(
        "A classifier needs at least two classes with images; found no usable images. "
        "Put each class's images in its own folder."
    )
