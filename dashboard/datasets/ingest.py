"""Bringing a dataset in: a zip, a folder upload, images per class, or a built-in sample.

Each way in ends the same way: every file is checked, good images are stored (content-addressed,
see `store`), and every file that was not used is listed with its reason. Only an upload
that is unusable as a whole (not a zip, a zip bomb, fewer than two classes) raises, as
`DatasetError`, with a message for the user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dashboard.datasets import archive, samples, words
from dashboard.datasets import layout as dataset_layout
from dashboard.datasets.store import DatasetError, Manifest, open_store
from dashboard.datasets.writer import IngestWriter
from dashboard.i18n import N_
from dashboard.progress import Progress, silent
from dashboard.settings import Settings


@dataclass(frozen=True)
class IngestResult:
    manifest: Manifest
    reused: bool  # the same dataset was stored before; nothing new was written

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return self.manifest.skipped


def _ingest(
    settings: Settings,
    name: str,
    source: str,
    members: list[tuple[str, str]],
    read: Callable[[str], bytes],
    say: Progress,
    fixed: dict[str, str] | None = None,
    owner: str = "",
) -> IngestResult:
    """members: (path, reason to skip or ''); read(path) gives the bytes or raises EntryError.

    Classes come from the paths, or from `fixed` (path -> class). Files are read one at a time
    and written straight to the store, so memory does not grow with the dataset.
    """
    settings.check_writable(N_("adding datasets"))
    store = open_store(settings)
    with IngestWriter(store, name, source, settings.max_image_pixels, owner) as writer:
        usable = []
        for path, reason in members:
            reason = reason or dataset_layout.junk_reason(path) or dataset_layout.type_reason(path)
            if reason:
                writer.skip(path, reason)
            else:
                usable.append(path)
        if fixed is None:
            placed, unplaced, layout = dataset_layout.place(usable)
        else:
            placed = [dataset_layout.Placed(p, fixed[p], None) for p in usable]
            unplaced, layout = [], words.PER_CLASS
        for path, reason in unplaced:
            writer.skip(path, reason)
        for i, item in enumerate(placed):
            try:
                data = read(item.path)
            except archive.EntryError as exc:
                writer.skip(item.path, str(exc))
                continue
            if data:
                writer.add(item.path, item.cls, item.split, data)
            else:
                writer.skip(item.path, words.EMPTY)
            say((i + 1) / len(placed), f"{i + 1}/{len(placed)}")
        manifest, reused = writer.commit(layout)
    return IngestResult(manifest, reused)


def _safe_zip(settings: Settings, file: BinaryIO) -> archive.SafeZip:
    """The upload as a zip whose table passed the settings' caps (DatasetError if not)."""
    try:
        return archive.SafeZip(
            file,
            max_entries=settings.max_zip_entries,
            max_total_bytes=settings.max_unzipped_bytes,
            max_ratio=settings.max_zip_ratio,
        )
    except archive.ArchiveError as exc:
        raise DatasetError(str(exc)) from None


def ingest_zip(
    settings: Settings, file: BinaryIO, name: str, say: Progress = silent, owner: str = ""
):
    zf = _safe_zip(settings, file)
    with zf:
        return _ingest(settings, name, "zip", zf.members(), zf.read, say, owner=owner)


@dataclass(frozen=True)
class Upload:
    """An upload's usable image entries, checked as a dataset's are, for reading one by one."""

    names: list[str]  # sorted
    skipped: list[tuple[str, str]]  # (name, reason), as a dataset ingest reports them
    zf: archive.SafeZip

    def read(self, name: str) -> bytes:
        """The entry's bytes (DatasetError with the reason for a damaged or empty entry)."""
        try:
            data = self.zf.read(name)
        except archive.EntryError as exc:
            raise DatasetError(str(exc)) from None
        if not data:
            raise DatasetError(words.EMPTY)
        return data


@contextlib.contextmanager
def open_upload(settings: Settings, file: BinaryIO) -> Iterator[Upload]:
    """A zip of images, with or without class folders, checked as `ingest_zip` checks one:
    entry count, expanded size and compression ratios before anything is read; names that
    leave the folder, symlinks, junk and non-image names skipped with their reasons. Raises
    DatasetError for an upload unusable as a whole (not a zip, a zip bomb)."""
    zf = _safe_zip(settings, file)
    with zf:
        names, skipped = [], []
        for name, reason in zf.members():
            reason = reason or dataset_layout.junk_reason(name) or dataset_layout.type_reason(name)
            if reason:
                skipped.append((name, reason))
            else:
                names.append(name)
        yield Upload(sorted(names), skipped, zf)


def _in_memory(
    settings, name, source, files: list[tuple[str, bytes]], say, fixed=None, owner=""
) -> IngestResult:
    data = dict(files)
    members = [(p, archive.unsafe_reason(p)) for p in data]
    return _ingest(settings, name, source, members, data.__getitem__, say, fixed, owner)


def ingest_files(
    settings: Settings, files: list[tuple[str, bytes]], name: str, say: Progress = silent, owner=""
) -> IngestResult:
    """A folder upload: (relative path, bytes) pairs, class folders in the paths."""
    return _in_memory(settings, name, "folder", files, say, owner=owner)


def ingest_classes(
    settings: Settings,
    classes: dict[str, list[tuple[str, bytes]]],
    name: str,
    say: Progress = silent,
    owner: str = "",
) -> IngestResult:
    """Teachable Machine style: {class name: [(file name, bytes), ...]}."""
    files, fixed = [], {}
    for cls, members in classes.items():
        for file_name, data in members:
            path = f"{cls}/{file_name}"
            fixed[path] = cls
            files.append((path, data))
    return _in_memory(settings, name, "classes", files, say, fixed, owner)


def ingest_sample(
    settings: Settings, sample: str, say: Progress = silent, owner=""
) -> IngestResult:
    files = [(f"{cls}/{n}", data) for n, cls, data in samples.images(sample)]
    return _in_memory(settings, sample, "sample", files, say, owner=owner)
