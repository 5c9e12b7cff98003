"""Dataset versions: a dataset changes only by becoming a new one.

A version is made from its parent and an `Edit`: images relabelled, excluded or added (merging
classes is relabelling all of one class, dropping one is excluding them). It is
content-addressed like an upload (the hash of its (class, split, upload hash) rows), so the same
edit twice is one version and undoing an edit finds the parent again. Its manifest names the
parent and what changed (`Changes`); its records point at the folders that already hold the
images (`ImageRecord.home`), so a version stores its manifest and the images it added, nothing
else. Every image keeps its split and added ones train: a run on the version is measured on the
same validation images as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field

from dashboard import images, trust
from dashboard.datasets.manifest import Changes, ImageRecord, Manifest, Move
from dashboard.datasets.store import MANIFEST, DatasetError, DatasetStore, open_store
from dashboard.i18n import N_, _
from dashboard.settings import Settings
from dashboard.storage import write_atomic

MAX_LINEAGE = 100  # versions followed up a lineage (ids are hashes: a loop is a forgery)


@dataclass(frozen=True)
class Addition:
    """An image to add (uploaded or from the webcam): its bytes are data, checked like an
    upload's before they are stored."""

    cls: str
    original: str  # the file name it came with, shown, never used as a path
    data: bytes


@dataclass
class Edit:
    """What to change, image by image (upload hash): a new class, or out of the dataset; and
    images to add."""

    relabel: dict[str, str] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)
    add: list[Addition] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.relabel or self.exclude or self.add)


def merge_classes(parent: Manifest, sources: list[str], into: str) -> Edit:
    """Every image of the `sources` classes relabelled to `into` (one of them or a new name)."""
    into = into.strip()
    moved = [r for r in parent.images if r.cls in sources and r.cls != into]
    return Edit(relabel={r.sha: into for r in moved if into})


def drop_classes(parent: Manifest, classes: list[str]) -> Edit:
    """Every image of `classes` out of the dataset."""
    return Edit(exclude={r.sha for r in parent.images if r.cls in classes})


def content_id(records: list[ImageRecord]) -> str:
    """A dataset's id: the hash of its (class, split, upload hash) rows, in order."""
    digest = hashlib.sha256()
    for cls, split, sha in sorted((r.cls, r.split, r.sha) for r in records):
        digest.update(f"{cls}\t{split}\t{sha}\n".encode())
    return digest.hexdigest()[:16]


def edited_records(parent: Manifest, edit: Edit) -> list[ImageRecord]:
    """The parent's records with the edit applied; each still read from where it is stored."""
    out = []
    for r in parent.images:
        if r.sha in edit.exclude:
            continue
        cls = edit.relabel.get(r.sha, r.cls).strip() or r.cls
        out.append(dataclasses.replace(r, cls=cls, home=parent.home(r)))
    return out


def diff(old: Manifest, new: Manifest) -> Changes:
    """What changed from `old` to `new`, by upload hash: relabelled, left, came."""
    before = {r.sha: r.cls for r in old.images}
    after = {r.sha: r.cls for r in new.images}
    moved = [Move(s, before[s], c) for s, c in sorted(after.items()) if s in before]
    return Changes(
        [m for m in moved if m.before != m.after],
        sorted(set(before) - set(after)),
        sorted(set(after) - set(before)),
    )


def make_version(
    store: DatasetStore, parent: Manifest, edit: Edit, owner: str = "", max_pixels=40_000_000
):
    """(manifest, reused): the parent with `edit` applied, stored as its own dataset."""
    work = store.tmp / f"version-{uuid.uuid4().hex}"
    (work / "images").mkdir(parents=True)
    try:
        records = edited_records(parent, edit) + _added(work, parent, edit.add, max_pixels)
        _check(parent, records)
        ancestor = _ancestor_with(store, parent, records)
        if ancestor is not None:  # an undo: the version it goes back to
            return ancestor, True
        version_id = content_id(records)
        with contextlib.suppress(DatasetError):  # this very version exists
            return store.get(version_id), True
        manifest = _version_manifest(parent, records, version_id, owner)
        _commit(store, manifest, work)
        return manifest, False
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gone already after the commit's rename


def _rows(records) -> set[tuple[str, str, str]]:
    return {(r.cls, r.split, r.sha) for r in records}


def _ancestor_with(store: DatasetStore, parent: Manifest, records) -> Manifest | None:
    """The version up the lineage holding exactly these rows. (An upload's id hashes its
    rows before their split is drawn, so `content_id` alone would not find it again.)"""
    rows = _rows(records)
    return next((m for m in lineage(store, parent)[:-1] if _rows(m.images) == rows), None)


def _added(work, parent: Manifest, additions: list[Addition], max_pixels: int) -> list:
    """The additions as training records, their files prepared into `work/images` as an
    upload's are (decoded, checked, re-encoded); one the dataset holds already (the same
    upload bytes) or that does not decode is refused with a message."""
    known, out = {r.sha for r in parent.images}, []
    for a in additions:
        sha = hashlib.sha256(a.data).hexdigest()
        if sha in known:
            raise DatasetError(_("{name} is in the dataset already.").format(name=repr(a.original)))
        try:
            stored, ext, w, h = images.prepare_for_storage(a.data, max_pixels)
        except images.ImageError as exc:
            raise DatasetError(
                _("Cannot add {name}: {error}").format(name=repr(a.original), error=exc)
            ) from None
        rel = f"images/{trust.sha256_bytes(stored)}.{ext}"
        (work / rel).write_bytes(stored)
        cls = a.cls.strip()
        if not cls:
            raise DatasetError(_("Choose the class the images belong to."))
        known.add(sha)
        out.append(ImageRecord(rel, sha, cls, "train", a.original, w, h, len(stored)))
    return out


def _version_manifest(parent: Manifest, records, version_id: str, owner: str) -> Manifest:
    manifest = Manifest(
        version_id,
        parent.name,
        parent.source,
        parent.layout,
        sorted({r.cls for r in records}),
        records,
        [],
        {**parent.split, "kept_from_parent": True},
        owner=owner,
        parent=parent.id,
    )
    manifest.changes = diff(parent, manifest)
    manifest.validate()
    return manifest


def _check(parent: Manifest, records: list[ImageRecord]) -> None:
    classes = {r.cls for r in records}
    if len(classes) < 2:
        raise DatasetError(_("A version needs images in at least two classes."))
    for split in ("train", "val"):
        if not any(r.split == split for r in records):
            raise DatasetError(
                _("This edit leaves no {split} images; keep some.").format(split=split)
            )
    if len(records) == len(parent.images) and all(
        a.cls == b.cls for a, b in zip(records, parent.images, strict=True)
    ):
        raise DatasetError(_("Nothing to change: every image keeps its class."))


def _commit(store: DatasetStore, manifest: Manifest, work) -> None:
    """The manifest (and the added images, if any) in the temporary folder, renamed into
    place; a version that adds nothing keeps no images folder."""
    with contextlib.suppress(OSError):
        (work / "images").rmdir()  # empty: nothing added
    write_atomic(work / MANIFEST, manifest.to_json())
    store.root.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # another session made it a moment ago
        os.rename(work, store.folder(manifest.id))
    store.share(manifest.id)


def lineage(store: DatasetStore, manifest: Manifest) -> list[Manifest]:
    """The versions from the first upload down to `manifest`, oldest first. A parent that
    was deleted (or never reached this store) ends the line there."""
    line, seen = [manifest], {manifest.id}
    while line[-1].parent and len(line) < MAX_LINEAGE:
        parent_id = trust.dataset_id(line[-1].parent)
        if parent_id in seen:
            break
        try:
            line.append(store.get(parent_id))
        except DatasetError:
            break
        seen.add(parent_id)
    return line[::-1]


def children(store: DatasetStore, manifest: Manifest) -> list[Manifest]:
    """The versions made from `manifest`, newest first."""
    return [m for m in store.list() if m.parent == manifest.id]


def new_version(settings: Settings, parent: Manifest, edit: Edit, owner: str = ""):
    """(manifest, reused): `make_version` in this server's store (refused on a read-only one)."""
    settings.check_writable(N_("changing datasets"))
    return make_version(open_store(settings), parent, edit, owner, settings.max_image_pixels)


def versions_of(settings: Settings, manifest: Manifest) -> tuple[list[Manifest], list[Manifest]]:
    """(lineage down to `manifest`, the versions made from it)."""
    store = open_store(settings)
    return lineage(store, manifest), children(store, manifest)
