"""Files that are never half-written, and how much room a folder takes.

Everything the app keeps (manifests, advice, cached features, learning-rate tests, exported
models) is written to a temporary name beside its target and renamed into place: a rename is
atomic, so a crash or a second session reading at the same moment sees the old file or the
new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` when the block ends
    without an error, removed when it raises. The temporary name keeps `path`'s suffix, since
    some writers (numpy, Keras) choose the format from it."""
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp{path.suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def folder_bytes(folder: Path, pattern: str = "*") -> int:
    """Bytes taken by the files under `folder` that match `pattern` (recursively)."""
    return sum(p.stat().st_size for p in folder.rglob(pattern) if p.is_file())
