"""The team's copy of TLAB_HOME's files at an fsspec URL (TLAB_STORE_URL): S3, MinIO, a mount.

Without TLAB_STORE_URL nothing here does anything: TLAB_HOME on the local disk is the store.
With it, TLAB_HOME becomes this machine's working copy of the shared store, and every file
keeps its home-relative path there (`datasets/<id>/images/<sha>.jpg` is
`<url>/datasets/<id>/images/<sha>.jpg`):

- what the app writes (a dataset, a cache entry, a run's artifacts) is written locally as
  before, atomically, then pushed;
- what it reads and does not have is pulled on first use, atomically (to a temporary name,
  then renamed), so a reader never sees half a file.

Every shared file is content-addressed or written once (dataset images and manifests, cache
entries keyed by what they hold, a run's artifacts after it ends), so a pulled copy never goes
stale; the few files that change (a dataset's manifest on rename) are pushed again and read
from the store when listed. A dataset's images are pushed before its manifest: the manifest
is the commit mark, and a dataset without one is not listed.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

from dashboard.settings import Settings
from dashboard.storage import atomic_path

_stores: dict[tuple[str, str], SharedStore] = {}
_lock = threading.Lock()


class SharedStore:
    def __init__(self, url: str, options: dict):
        import fsspec  # only team mode needs it

        if url.startswith(("file:", "/")):  # a mount: make folders as S3 makes prefixes
            options = {"auto_mkdir": True, **options}
        self.fs, root = fsspec.core.url_to_fs(url, **options)
        self.root = root.rstrip("/")

    def _key(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._key(rel)))

    def push(self, local: Path, rel: str) -> None:
        self.fs.put_file(str(local), self._key(rel))

    def push_many(self, pairs: list[tuple[Path, str]]) -> None:
        """Several files in one call (s3fs sends them concurrently)."""
        if pairs:
            self.fs.put([str(p) for p, _ in pairs], [self._key(r) for _, r in pairs])

    def pull(self, rel: str, local: Path) -> bool:
        """Copy one file here, atomically; False when the store does not have it."""
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(local) as tmp:
                self.fs.get_file(self._key(rel), str(tmp))
        except FileNotFoundError:
            return False
        return True

    def pull_many(self, rels: list[str], locals_: list[Path]) -> None:
        for path in {p.parent for p in locals_}:
            path.mkdir(parents=True, exist_ok=True)
        if rels:
            self.fs.get([self._key(r) for r in rels], [str(p) for p in locals_])

    def write(self, rel: str, data: bytes) -> None:
        self.fs.pipe_file(self._key(rel), data)

    def read(self, rel: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._key(rel))
        except FileNotFoundError:
            return None

    def glob(self, pattern: str) -> list[str]:
        """Home-relative paths matching `pattern`, listed afresh (other servers write too)."""
        self.fs.invalidate_cache()
        prefix = self.root + "/"
        return sorted(p[len(prefix) :] for p in self.fs.glob(self._key(pattern)))

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self._key(rel), recursive=True)
        self.fs.invalidate_cache()


def shared_store(settings: Settings) -> SharedStore | None:
    """The store at TLAB_STORE_URL (one per process), or None when there is none."""
    if not settings.store_url:
        return None
    key = (settings.store_url, settings.store_options)
    with _lock:
        if key not in _stores:
            _stores[key] = SharedStore(settings.store_url, json.loads(settings.store_options))
        return _stores[key]


def relative(settings: Settings, path: Path) -> str:
    return path.relative_to(settings.home).as_posix()


def push(settings: Settings, *paths: Path) -> None:
    """Share files just written under TLAB_HOME (nothing without a store)."""
    store = shared_store(settings)
    if store is not None:
        store.push_many([(p, relative(settings, p)) for p in paths if p.is_file()])


def pull(settings: Settings, path: Path) -> bool:
    """True when `path` (under TLAB_HOME) is here, pulled from the store if need be."""
    if path.is_file():
        return True
    store = shared_store(settings)
    return store is not None and store.pull(relative(settings, path), path)
