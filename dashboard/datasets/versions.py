"""Dataset versions: a dataset changes only by becoming a new one.

A version is made from its parent and an `Edit` (images relabelled, images excluded). It is
content-addressed like an upload (the hash of its (class, split, upload hash) rows), so the same
edit twice is one version and undoing an edit finds the parent again. Its manifest names the
parent and what changed (`Changes`); its records point at the folders that already hold the
images (`ImageRecord.home`), so a version stores its manifest and nothing else. Every image
keeps its split: a run on the version is measured on the same validation images as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field

from dashboard import trust
from dashboard.datasets.manifest import Changes, ImageRecord, Manifest, Move
from dashboard.datasets.store import MANIFEST, DatasetError, DatasetStore, open_store
from dashboard.i18n import N_, _
from dashboard.settings import Settings
from dashboard.storage import write_atomic

MAX_LINEAGE = 100  # versions followed up a lineage (ids are hashes: a loop is a forgery)


@dataclass
class Edit:
    """What to change, image by image (upload hash): a new class, or out of the dataset."""

    relabel: dict[str, str] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.relabel or self.exclude)


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


def make_version(store: DatasetStore, parent: Manifest, edit: Edit, owner: str = ""):
    """(manifest, reused): the parent with `edit` applied, stored as its own dataset."""
    records = edited_records(parent, edit)
    _check(parent, records)
    version_id = content_id(records)
    with contextlib.suppress(DatasetError):  # this very version exists (or is the parent)
        return store.get(version_id), True
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
    _commit(store, manifest)
    return manifest, False


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


def _commit(store: DatasetStore, manifest: Manifest) -> None:
    """The manifest alone, written to a temporary folder and renamed into place."""
    work = store.tmp / f"version-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    try:
        write_atomic(work / MANIFEST, manifest.to_json())
        store.root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another session made it a moment ago
            os.rename(work, store.folder(manifest.id))
    finally:
        shutil.rmtree(work, ignore_errors=True)
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
    return make_version(open_store(settings), parent, edit, owner)


def versions_of(settings: Settings, manifest: Manifest) -> tuple[list[Manifest], list[Manifest]]:
    """(lineage down to `manifest`, the versions made from it)."""
    store = open_store(settings)
    return lineage(store, manifest), children(store, manifest)
