"""Datasets on disk, content-addressed under TLAB_HOME/datasets/<id>/.

    <id>/manifest.json   classes, every image (class, split, size, original name), skipped files
    <id>/images/<sha256>.<jpg|png>

The id is a hash of the (class, file hash) pairs, so the same upload again maps to the same id
and is reused. Image files are named by their own hash: names from an upload never reach the
file system. An ingest is written to TLAB_HOME/tmp first and renamed into place when complete,
so a crash never leaves a half-written dataset that is later read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dashboard import images
from dashboard.datasets import split as dataset_split
from dashboard.settings import Settings
from dashboard.storage import write_atomic

MANIFEST = "manifest.json"


class DatasetError(ValueError):
    """A dataset that cannot be stored or used; `str()` says why."""


@dataclass
class ImageRecord:
    file: str  # relative to the dataset folder
    sha: str
    cls: str
    split: str  # train / val / test
    original: str
    width: int
    height: int
    bytes: int


@dataclass
class Manifest:
    id: str
    name: str
    source: str
    layout: str
    classes: list[str]
    images: list[ImageRecord]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    split: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        raw["images"] = [ImageRecord(**r) for r in raw["images"]]
        raw["skipped"] = [tuple(s) for s in raw["skipped"]]
        return cls(**raw)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    def records(self, *splits: str) -> list[ImageRecord]:
        """The images of these splits, split by split in the order given (all without any)."""
        if not splits:
            return list(self.images)
        return [r for s in splits for r in self.images if r.split == s]

    def labels(self, records: list[ImageRecord]) -> list[int]:
        """Each record's class as an index into `classes`."""
        index = {c: i for i, c in enumerate(self.classes)}
        return [index[r.cls] for r in records]


class DatasetStore:
    def __init__(self, home: Path):
        self.root = home / "datasets"
        self.tmp = home / "tmp"

    def folder(self, dataset_id: str) -> Path:
        if not dataset_id.isalnum():  # ids are hex; refuse anything path-like
            raise DatasetError(f"not a dataset id: {dataset_id!r}")
        return self.root / dataset_id

    def list(self) -> list[Manifest]:
        if not self.root.is_dir():
            return []
        found = []
        for manifest in self.root.glob(f"*/{MANIFEST}"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                found.append(Manifest.from_json(manifest.read_text(encoding="utf-8")))
        return sorted(found, key=lambda m: m.created, reverse=True)

    def get(self, dataset_id: str) -> Manifest:
        path = self.folder(dataset_id) / MANIFEST
        if not path.is_file():
            raise DatasetError(f"no dataset {dataset_id}")
        return Manifest.from_json(path.read_text(encoding="utf-8"))

    def rename(self, dataset_id: str, name: str) -> Manifest:
        name = name.strip()
        if not name:
            raise DatasetError("A dataset needs a name.")
        manifest = self.get(dataset_id)
        manifest.name = name[:200]
        write_atomic(self.folder(dataset_id) / MANIFEST, manifest.to_json())
        return manifest

    def delete(self, dataset_id: str) -> None:
        shutil.rmtree(self.folder(dataset_id), ignore_errors=True)

    def image_path(self, manifest: Manifest, record: ImageRecord) -> Path:
        return self.folder(manifest.id) / record.file

    def writer(self, name: str, source: str, max_pixels: int) -> IngestWriter:
        return IngestWriter(self, name, source, max_pixels)


class IngestWriter:
    """Collects validated images into a temporary folder, then commits it as one dataset."""

    def __init__(self, store: DatasetStore, name: str, source: str, max_pixels: int):
        self.store, self.name, self.source, self.max_pixels = store, name, source, max_pixels
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
        sha = hashlib.sha256(data).hexdigest()
        rel = f"images/{sha}.{ext}"
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
            found = f"only {classes[0]!r}" if classes else "no usable images"
            raise DatasetError(
                f"A classifier needs at least two classes with images; found {found}. "
                "Put each class's images in its own folder."
            )
        digest = hashlib.sha256()
        for cls, split, sha in sorted((r.cls, r.split, r.sha) for r in self.records):
            digest.update(f"{cls}\t{split}\t{sha}\n".encode())
        dataset_id = digest.hexdigest()[:16]
        final = self.store.folder(dataset_id)
        if (final / MANIFEST).is_file():
            return self.store.get(dataset_id), True
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
        )
        write_atomic(self.work / MANIFEST, manifest.to_json())
        self.store.root.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(self.work, final)
        except OSError:  # another session stored the same dataset a moment ago
            return self.store.get(dataset_id), True
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


def open_store(settings: Settings) -> DatasetStore:
    return DatasetStore(settings.home)


def list_datasets(settings: Settings) -> list[Manifest]:
    return open_store(settings).list()


def get(settings: Settings, dataset_id: str) -> Manifest:
    return open_store(settings).get(dataset_id)


def rename(settings: Settings, dataset_id: str, name: str) -> Manifest:
    settings.check_writable("renaming datasets")
    return open_store(settings).rename(dataset_id, name)


def delete(settings: Settings, dataset_id: str) -> None:
    settings.check_writable("deleting datasets")
    open_store(settings).delete(dataset_id)


def image_path(settings: Settings, manifest: Manifest, record: ImageRecord) -> Path:
    return open_store(settings).image_path(manifest, record)


def read_image(settings: Settings, manifest: Manifest, record: ImageRecord) -> bytes:
    return image_path(settings, manifest, record).read_bytes()
