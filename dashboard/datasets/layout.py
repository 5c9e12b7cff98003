"""Which class (and split) each uploaded file belongs to, from its path.

Accepted layouts, at any depth below a common root folder:
    <root>/<class>/<image>                   class folders (deeper sub-folders stay in the class)
    <root>/<train|val|test>/<class>/<image>  a split that came with the upload, kept as it is
Junk that archivers and operating systems add is ignored, and reported as ignored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from dashboard.datasets import words
from dashboard.images import UPLOAD_TYPES

IMAGE_SUFFIXES = {f".{extension}" for extension in UPLOAD_TYPES}
# fmt: off
SPLIT_NAMES = {
    "train": "train", "training": "train",
    "val": "val", "valid": "val", "validation": "val",
    "test": "test", "testing": "test",
}
# fmt: on


@dataclass(frozen=True)
class Placed:
    path: str
    cls: str
    split: str | None  # from the upload's own train/val/test folders, else None


def junk_reason(path: str) -> str:
    """Why a path is archive or OS clutter to ignore, or ''."""
    parts = PurePosixPath(path).parts
    if any(p == "__MACOSX" for p in parts):
        return words.MACOSX
    name = parts[-1] if parts else ""
    if name in (".DS_Store", "Thumbs.db", "desktop.ini"):
        return words.OS_FILE.format(name=name)
    if any(p.startswith(".") for p in parts):
        return words.HIDDEN
    return ""


def type_reason(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()  # .JPG and .jpg alike
    if suffix not in IMAGE_SUFFIXES:
        return words.NOT_AN_IMAGE.format(suffix=suffix) if suffix else words.NO_EXTENSION
    return ""


def _folders(path: str) -> tuple[str, ...]:
    # NFC so that "é" typed on macOS (NFD) and on Linux (NFC) name the same class.
    return tuple(unicodedata.normalize("NFC", p) for p in PurePosixPath(path).parts[:-1])


def place(paths: list[str]) -> tuple[list[Placed], list[tuple[str, str]], str]:
    """(placed files, [(path, reason)] for files without a class folder, layout description)."""
    folders = {p: _folders(p) for p in paths}
    depth = 0
    # Strip root folders that every file shares, while some file still has a folder below.
    while (
        folders
        and all(len(f) > depth for f in folders.values())
        and len({f[depth] for f in folders.values()}) == 1
        and any(len(f) > depth + 1 for f in folders.values())
    ):
        depth += 1
    firsts = {f[depth] for f in folders.values() if len(f) > depth}
    has_splits = bool(firsts) and all(n.lower() in SPLIT_NAMES for n in firsts)
    class_at = depth + 1 if has_splits else depth
    placed, unplaced = [], []
    for path, f in folders.items():
        if len(f) <= class_at:
            unplaced.append((path, words.NO_CLASS_FOLDER))
            continue
        split = SPLIT_NAMES[f[depth].lower()] if has_splits else None
        placed.append(Placed(path, f[class_at], split))
    layout = words.SPLIT_FOLDERS if has_splits else words.CLASS_FOLDERS
    return placed, unplaced, layout
