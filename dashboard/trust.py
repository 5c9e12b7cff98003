"""The trust boundary: what the app reads from the shared store, the database, an upload or a
URL is data, never a path or code.

A path is built only from forms the app itself writes, each checked here before it is joined
onto a folder: a dataset id (16 hex digits, a content hash), a run id (`time-stamp-hex`), an
image file (`images/<sha256>.<jpg|png>`, named by its own bytes), a file name from a fixed
set. The joined path is then resolved (symlinks followed, `realpath`, not a lexical check) and
refused unless it stays inside its folder. Anything else is refused with `UntrustedError`,
whose message says what did not validate.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from dashboard.i18n import N_

DATASET_ID = re.compile(r"[0-9a-f]{16}")
RUN_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")
IMAGE_FILE = re.compile(r"images/([0-9a-f]{64})\.(jpg|png)")


class UntrustedError(ValueError):
    """A value from outside that does not have the form the app writes; `str()` says which."""


def checked(pattern: re.Pattern, value: object, what: str) -> str:
    """`value` if it is a string fully matching `pattern`, else UntrustedError."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UntrustedError(f"not a {what}: {value!r}")
    return value


def dataset_id(value: object) -> str:
    return checked(DATASET_ID, value, "dataset id")


def run_id(value: object) -> str:
    return checked(RUN_ID, value, "run id")


def image_file(value: object) -> str:
    return checked(IMAGE_FILE, value, "image file name")


def one_of(value: object, allowed: tuple[str, ...] | frozenset[str], what: str) -> str:
    if value not in allowed:
        raise UntrustedError(f"not a {what}: {value!r}")
    return str(value)


_DRIVE = re.compile(r"^[A-Za-z]:")
# Kept in English with the skipped file (a manifest is shared); a page shows `_(reason)`.
ESCAPES = N_("path escapes the dataset folder (absolute or Windows path)")
ESCAPES_UP = N_("path escapes the dataset folder (../)")


def unsafe_reason(name: str) -> str:
    """Why a name from an archive must not be used as a relative path inside a folder, or ''."""
    if "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return ESCAPES
    if ".." in PurePosixPath(name).parts:
        return ESCAPES_UP
    return ""


def inside(folder: Path, *parts: str) -> Path:
    """`folder / parts...`, refused unless its real path (symlinks resolved) is inside
    `folder`'s real path. The parts should already be validated forms; this is the last
    check, against what the file system would actually open."""
    path = folder.joinpath(*parts)
    root, real = folder.resolve(), path.resolve()
    if real != root and not real.is_relative_to(root):
        raise UntrustedError(f"{'/'.join(parts)!r} leaves its folder")
    return path


def bounded_member(npz, name: str, limit: int):
    """`npz[name]` of an open `numpy.load` archive, refused (ValueError) unless the member
    inflates to at most `limit` bytes: an .npz is a zip, and a file of kilobytes can inflate to
    gigabytes when it is read."""
    if npz.zip.getinfo(f"{name}.npy").file_size > limit:
        raise ValueError(f"{name!r} is larger than it can be ({limit} bytes)")
    return npz[name]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
