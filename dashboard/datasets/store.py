"""Datasets on disk, content-addressed under TLAB_HOME/datasets/<id>/.

    <id>/manifest.json   classes, every image (class, split, size, original name), skipped files
    <id>/images/<sha256>.<jpg|png>

The id is a hash of the (class, file hash) pairs, so the same upload again maps to the same id
and is reused. Image files are named by their own hash: names from an upload never reach the
file system. An ingest is written to TLAB_HOME/tmp first and renamed into place when complete,
so a crash never leaves a half-written dataset that is later read.

With a shared store (TLAB_STORE_URL, `dashboard.shared_store`) a committed dataset is pushed
there, images first and its manifest last; other servers list it from the store and pull it
whole, into the same folder layout, the first time they open it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from dashboard import images, shared_store
from dashboard.datasets import split as dataset_split
from dashboard.datasets.manifest import ImageRecord, Manifest
from dashboard.settings import Settings
from dashboard.storage import write_atomic

MANIFEST = "manifest.json"


class DatasetError(ValueError):
    """A dataset that cannot be stored or used; `str()` says why."""


class DatasetStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = settings.home / "datasets"
        self.tmp = settings.home / "tmp"
        self.shared = shared_store.shared_store(settings)

    def folder(self, dataset_id: str) -> Path:
        if not dataset_id.isalnum():  # ids are hex; refuse anything path-like
            raise DatasetError(f"not a dataset id: {dataset_id!r}")
        return self.root / dataset_id

    def list(self) -> list[Manifest]:
        found = {}
        for text in self._manifest_texts():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                manifest = Manifest.from_json(text)
                found[manifest.id] = manifest
        return sorted(found.values(), key=lambda m: m.created, reverse=True)

    def _manifest_texts(self) -> list[str]:
        local = {p.parent.name: p for p in self.root.glob(f"*/{MANIFEST}")}
        if self.shared is None:
            return [p.read_text(encoding="utf-8") for p in local.values() if p.is_file()]
        listed = {rel.split("/")[1] for rel in self.shared.glob(f"datasets/*/{MANIFEST}")}
        gone = {rel.rpartition("/")[2] for rel in self.shared.glob("deleted/*")}
        for dataset_id in set(local) - listed:
            if dataset_id in gone:  # deleted on another server: this copy goes too
                shutil.rmtree(self.folder(dataset_id), ignore_errors=True)
            else:  # added here before TLAB_STORE_URL was set: shared now
                self.share(dataset_id)
                listed.add(dataset_id)
        texts = [self.shared.read(f"datasets/{i}/{MANIFEST}") for i in sorted(listed)]
        return [t.decode("utf-8") for t in texts if t is not None]

    def get(self, dataset_id: str) -> Manifest:
        """The manifest: the shared store's when there is one (a rename on another server
        shows here), else this machine's. Its images are pulled only by `local_folder`."""
        path = self.folder(dataset_id) / MANIFEST
        text = None
        if self.shared is not None:
            text = self.shared.read(f"datasets/{dataset_id}/{MANIFEST}")
            if text is None and self.shared.exists(f"deleted/{dataset_id}"):
                shutil.rmtree(path.parent, ignore_errors=True)  # deleted on another server
        if text is None and path.is_file():
            text = path.read_bytes()
        if text is None:
            raise DatasetError(f"no dataset {dataset_id}")
        return Manifest.from_json(text.decode("utf-8"))

    def _pull(self, dataset_id: str) -> bool:
        """Bring a dataset from the shared store, whole: its images into a temporary folder,
        then its manifest, then one rename into place."""
        text = self.shared.read(f"datasets/{dataset_id}/{MANIFEST}") if self.shared else None
        if text is None:
            return False
        manifest = Manifest.from_json(text.decode("utf-8"))
        work = self.tmp / f"pull-{uuid.uuid4().hex}"
        try:
            files = sorted({r.file for r in manifest.images})
            self.shared.pull_many(
                [f"datasets/{dataset_id}/{f}" for f in files], [work / f for f in files]
            )
            (work / MANIFEST).write_bytes(text)
            self.root.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):  # another session pulled it a moment ago
                os.rename(work, self.folder(dataset_id))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return True

    def rename(self, dataset_id: str, name: str) -> Manifest:
        name = name.strip()
        if not name:
            raise DatasetError("A dataset needs a name.")
        manifest = self.get(dataset_id)
        manifest.name = name[:200]
        path = self.local_folder(dataset_id) / MANIFEST
        write_atomic(path, manifest.to_json())
        shared_store.push(self.settings, path)
        return manifest

    def delete(self, dataset_id: str) -> None:
        if self.shared is not None:  # a mark, so other servers drop their copies too
            self.shared.write(f"deleted/{dataset_id}", b"")
            self.shared.delete(f"datasets/{dataset_id}/{MANIFEST}")
            self.shared.delete(f"datasets/{dataset_id}")
        shutil.rmtree(self.folder(dataset_id), ignore_errors=True)

    def share(self, dataset_id: str) -> None:
        """Push a committed dataset: every image, then the manifest (the commit mark)."""
        if self.shared is None or self.shared.exists(f"datasets/{dataset_id}/{MANIFEST}"):
            return
        folder = self.folder(dataset_id)
        images_ = sorted((folder / "images").iterdir())
        rel = shared_store.relative
        self.shared.push_many([(p, rel(self.settings, p)) for p in images_])
        shared_store.push(self.settings, folder / MANIFEST)
        self.shared.delete(f"deleted/{dataset_id}")  # added again after a delete

    def local_folder(self, dataset_id: str) -> Path:
        """The dataset's folder on this machine, pulled from the shared store if need be."""
        folder = self.folder(dataset_id)
        if not (folder / MANIFEST).is_file() and not self._pull(dataset_id):
            raise DatasetError(f"no dataset {dataset_id}")
        return folder

    def image_path(self, manifest: Manifest, record: ImageRecord) -> Path:
        return self.local_folder(manifest.id) / record.file

    def writer(self, name: str, source: str, max_pixels: int, owner: str = "") -> IngestWriter:
        return IngestWriter(self, name, source, max_pixels, owner)


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


def open_store(settings: Settings) -> DatasetStore:
    return DatasetStore(settings)


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
