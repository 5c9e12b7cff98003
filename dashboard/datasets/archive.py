"""Reading an uploaded zip without trusting it.

Nothing is ever extracted by the archive's own names: entries are read into memory one at a
time, and the caller stores them under content hashes. Before reading anything, the central
directory is checked against caps on entry count, total expanded size and per-entry compression
ratio (zip bombs). Entries whose names try to leave the archive's root (`../`, absolute paths,
drive letters) and symlink entries are refused and reported.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from typing import BinaryIO

from dashboard.datasets import words
from dashboard.i18n import _, number
from dashboard.trust import unsafe_reason

CHUNK = 1 << 20  # bytes inflated at a time


class ArchiveError(ValueError):
    """The whole upload is unusable; `str()` says why."""


class EntryError(ValueError):
    """One entry cannot be read; `str()` is the reason."""


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def open_zip(file: BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise ArchiveError(
            _(
                "This is not a zip file, or it is truncated (its table of contents is missing). "
                "Zip the dataset folder again and upload the whole file."
            )
        ) from None
    except (OSError, ValueError) as exc:
        raise ArchiveError(_("The zip file cannot be read ({error}).").format(error=exc)) from None


def check_bomb(zf: zipfile.ZipFile, max_entries: int, max_total_bytes: int) -> None:
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise ArchiveError(
            _(
                "The zip holds {entries} entries; the limit is {limit} (TLAB_MAX_ZIP_ENTRIES)."
            ).format(entries=number(len(infos)), limit=number(max_entries))
        )
    total = sum(i.file_size for i in infos)
    if total > max_total_bytes:
        raise ArchiveError(
            _(
                "The zip would expand to {size} MB; the limit is {limit} MB "
                "(TLAB_MAX_UNZIPPED_MB). Is it a zip bomb?"
            ).format(size=number(total / 2**20), limit=number(max_total_bytes / 2**20))
        )


class SafeZip:
    """A zip whose central directory passed the caps; entries are read one at a time."""

    def __init__(self, file: BinaryIO, *, max_entries: int, max_total_bytes: int, max_ratio: float):
        self.zf = open_zip(file)
        try:
            check_bomb(self.zf, max_entries, max_total_bytes)
        except ArchiveError:
            self.zf.close()
            raise
        self.max_ratio = max_ratio
        self.infos = {i.filename: i for i in self.zf.infolist() if not i.is_dir()}

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc) -> None:
        self.zf.close()

    def members(self) -> list[tuple[str, str]]:
        """(path, reason to skip it or '') for every file entry, without reading any data."""
        return [(name, self._reason(info)) for name, info in self.infos.items()]

    def _reason(self, info: zipfile.ZipInfo) -> str:
        reason = unsafe_reason(info.filename)
        if not reason and _is_symlink(info):
            reason = words.SYMLINK
        if not reason and info.file_size > 1024 * 1024:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > self.max_ratio:
                reason = words.RATIO.format(ratio=f"{ratio:,.0f}", limit=f"{self.max_ratio:.0f}")
        return reason

    def read(self, name: str) -> bytes:
        """The entry's bytes, inflated a chunk at a time. `zf.read` would inflate a whole
        entry before cutting it to its declared size: a header that declares 1 KB over data
        that inflates to 64 MB took 64 MB (and more) of memory. Reading in chunks stops at the
        declared size, so memory stays within the caps above plus one chunk; zipfile then
        checks the CRC, and an entry whose data is longer than declared fails it."""
        info = self.infos[name]
        try:
            with self.zf.open(info) as entry:
                parts = []
                while chunk := entry.read(CHUNK):
                    parts.append(chunk)
            return b"".join(parts)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise EntryError(words.DAMAGED.format(error=exc)) from None
