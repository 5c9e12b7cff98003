"""Datasets on disk, content-addressed under TLAB_HOME/datasets/<id>/.

    <id>/manifest.json   classes, every image (class, split, size, original name), skipped files
    <id>/images/<sha256>.<jpg|png>

The id is a hash of the (class, upload hash) pairs, so the same upload again maps to the same
id and is reused. Image files are named by the hash of their stored bytes: names from an upload
never reach the file system, and a file pulled from the shared store is refused unless its
bytes hash to its name (`dashboard.trust`). An ingest is written to TLAB_HOME/tmp first and
renamed into place when complete, so a crash never leaves a half-written dataset that is later
read.

With a shared store (TLAB_STORE_URL, `dashboard.shared_store`) a committed dataset is pushed
there, images first and its manifest last; other servers list it from the store and pull it
whole, into the same folder layout, the first time they open it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from pathlib import Path

from dashboard import shared_store, trust
from dashboard.datasets.manifest import ImageRecord, Manifest
from dashboard.i18n import N_, _
from dashboard.settings import Settings
from dashboard.storage import write_atomic

MANIFEST = "manifest.json"
log = logging.getLogger(__name__)


class DatasetError(ValueError):
    """A dataset that cannot be stored or used; `str()` says why."""


class DatasetStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = settings.home / "datasets"
        self.tmp = settings.home / "tmp"
        self.shared = shared_store.shared_store(settings)

    def folder(self, dataset_id: str) -> Path:
        try:  # ids are content hashes; refuse anything path-like
            return trust.inside(self.root, trust.dataset_id(dataset_id))
        except trust.UntrustedError as exc:
            raise DatasetError(str(exc)) from None

    def list(self) -> list[Manifest]:
        found = []
        for dataset_id, text in self._manifest_texts():
            try:
                found.append(_parse(text, dataset_id))
            except DatasetError as exc:  # a broken or forged manifest is not listed
                log.warning("%s", exc)
        return sorted(found, key=lambda m: m.created, reverse=True)

    def _manifest_texts(self) -> list[tuple[str, bytes]]:
        local = {p.parent.name: p for p in self.root.glob(f"*/{MANIFEST}")}
        local = {i: p for i, p in local.items() if trust.DATASET_ID.fullmatch(i)}
        if self.shared is None:
            return [(i, p.read_bytes()) for i, p in local.items() if p.is_file()]
        listed = {rel.split("/")[1] for rel in self.shared.glob(f"datasets/*/{MANIFEST}")}
        listed = {i for i in listed if trust.DATASET_ID.fullmatch(i)}
        gone = {rel.rpartition("/")[2] for rel in self.shared.glob("deleted/*")}
        for dataset_id in set(local) - listed:
            if self.settings.readonly:  # a viewer's server changes nothing, here or there
                continue
            if dataset_id in gone:  # deleted on another server: this copy goes too
                shutil.rmtree(self.folder(dataset_id), ignore_errors=True)
            else:  # added here before TLAB_STORE_URL was set: shared now
                self.share(dataset_id)
                listed.add(dataset_id)
        texts = [(i, self.shared.read(f"datasets/{i}/{MANIFEST}")) for i in sorted(listed)]
        return [(i, t) for i, t in texts if t is not None]

    def get(self, dataset_id: str) -> Manifest:
        """The manifest: the shared store's when there is one (a rename on another server
        shows here), else this machine's. Its images are pulled only by `local_folder`."""
        path = self.folder(dataset_id) / MANIFEST
        text = None
        if self.shared is not None:
            text = self.shared.read(f"datasets/{dataset_id}/{MANIFEST}")
            gone = text is None and self.shared.exists(f"deleted/{dataset_id}")
            if gone and not self.settings.readonly:
                shutil.rmtree(path.parent, ignore_errors=True)  # deleted on another server
        if text is None and path.is_file():
            text = path.read_bytes()
        if text is None:
            raise DatasetError(_("no dataset {id}").format(id=dataset_id))
        return _parse(text, dataset_id)

    def _pull(self, dataset_id: str) -> bool:
        """Bring a dataset from the shared store, whole: its images into a temporary folder,
        then its manifest, then one rename into place."""
        text = self.shared.read(f"datasets/{dataset_id}/{MANIFEST}") if self.shared else None
        if text is None:
            return False
        manifest = _parse(text, dataset_id)
        work = self.tmp / f"pull-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        try:  # its own images: a version's others stay in the datasets that hold them
            files = sorted({r.file for r in manifest.images if manifest.home(r) == dataset_id})
            self.shared.pull_many(
                [f"datasets/{dataset_id}/{f}" for f in files], [work / f for f in files]
            )
            for f in files:  # content-addressed: bytes that do not hash to the name are refused
                _verify_image(f, trust.sha256_file(work / f), dataset_id)
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
            raise DatasetError(_("A dataset needs a name."))
        manifest = self.get(dataset_id)
        manifest.name = name[:200]
        path = self.local_folder(dataset_id) / MANIFEST
        write_atomic(path, manifest.to_json())
        shared_store.push(self.settings, path)
        return manifest

    def delete(self, dataset_id: str) -> None:
        users = self.versions_using(dataset_id)
        if users:  # their images live here
            raise DatasetError(
                _("Versions {names} use this dataset's images; delete them first.").format(
                    names=", ".join(f"{m.name} ({m.id})" for m in users)
                )
            )
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
        own = folder / "images"  # a version that only relabels or excludes has none
        images_ = sorted(own.iterdir()) if own.is_dir() else []
        rel = shared_store.relative
        self.shared.push_many([(p, rel(self.settings, p)) for p in images_])
        shared_store.push(self.settings, folder / MANIFEST)
        self.shared.delete(f"deleted/{dataset_id}")  # added again after a delete

    def local_folder(self, dataset_id: str) -> Path:
        """The dataset's folder on this machine, pulled from the shared store if need be."""
        folder = self.folder(dataset_id)
        if (folder / MANIFEST).is_file():
            return folder
        if self.settings.readonly:  # it writes nothing: `read_image` reads one at a time
            raise DatasetError(
                _("dataset {id} is not on this read-only server").format(id=dataset_id)
            )
        if not self._pull(dataset_id):
            raise DatasetError(_("no dataset {id}").format(id=dataset_id))
        return folder

    def versions_using(self, dataset_id: str) -> list[Manifest]:
        """The other datasets (versions) whose images are stored in `dataset_id`'s folder."""
        return [
            m
            for m in self.list()
            if m.id != dataset_id and any(m.home(r) == dataset_id for r in m.images)
        ]

    def image_path(self, manifest: Manifest, record: ImageRecord) -> Path:
        folder = self.local_folder(manifest.home(record))
        return trust.inside(folder, trust.image_file(record.file))

    def read_file(self, dataset_id: str, file: str) -> bytes:
        """One image's bytes from the folder of `dataset_id`, the dataset that holds it
        (`Manifest.home`). A read-only server reads an image it lacks from the shared
        store alone, checked against its name, and keeps nothing on disk; any other server
        pulls the whole dataset the first time."""
        local = trust.inside(self.folder(dataset_id), trust.image_file(file))
        if local.is_file():
            return local.read_bytes()
        if not (self.settings.readonly and self.shared):
            return trust.inside(self.local_folder(dataset_id), file).read_bytes()
        data = self.shared.read(f"datasets/{dataset_id}/{file}")
        if data is None:
            raise DatasetError(
                _("no image {file} in dataset {id}").format(file=file, id=dataset_id)
            )
        _verify_image(file, trust.sha256_bytes(data), dataset_id)
        return data


def _parse(text: bytes, dataset_id: str) -> Manifest:
    """A manifest read from disk or the store, refused unless valid and about `dataset_id`."""
    try:
        manifest = Manifest.from_json(text.decode("utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(
            _("dataset {id}: its manifest is not valid ({error})").format(id=dataset_id, error=exc)
        ) from None
    if manifest.id != dataset_id:
        raise DatasetError(_("dataset {id}: its manifest names another id").format(id=dataset_id))
    return manifest


def _verify_image(file: str, sha: str, dataset_id: str) -> None:
    if trust.image_file(file) != f"images/{sha}.{file.rpartition('.')[2]}":
        raise DatasetError(
            _(
                "dataset {id}: {file} in the shared store does not hash to its name "
                "(changed after it was stored); refused."
            ).format(id=dataset_id, file=file)
        )


def open_store(settings: Settings) -> DatasetStore:
    return DatasetStore(settings)


def list_datasets(settings: Settings) -> list[Manifest]:
    return open_store(settings).list()


def get(settings: Settings, dataset_id: str) -> Manifest:
    return open_store(settings).get(dataset_id)


def rename(settings: Settings, dataset_id: str, name: str) -> Manifest:
    settings.check_writable(N_("renaming datasets"))
    return open_store(settings).rename(dataset_id, name)


def delete(settings: Settings, dataset_id: str) -> None:
    settings.check_writable(N_("deleting datasets"))
    open_store(settings).delete(dataset_id)


def image_path(settings: Settings, manifest: Manifest, record: ImageRecord) -> Path:
    return open_store(settings).image_path(manifest, record)


def read_image(settings: Settings, manifest: Manifest, record: ImageRecord) -> bytes:
    return open_store(settings).read_file(manifest.home(record), record.file)
