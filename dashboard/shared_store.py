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

What comes from the store is data (`dashboard.trust`): a pull names the sha256 the file must
have (its name, for content-addressed images; the hash its writer recorded in the run store's
database, `runs/sync.py`, for everything else) and a file whose bytes differ is refused.
A read-only server pulls into a bounded scratch folder of its own process, never TLAB_HOME.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from dashboard import trust
from dashboard.settings import Settings
from dashboard.storage import atomic_path

log = logging.getLogger(__name__)
SCRATCH_BYTES = 1 << 30  # what a read-only server keeps of pulled files, at most

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

    def pull(self, rel: str, local: Path, sha256: str) -> bool:
        """Copy one file here, atomically, if its bytes hash to `sha256`; False when the
        store does not have it or has other bytes under its name (refused, logged)."""
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(local) as tmp:
                self.fs.get_file(self._key(rel), str(tmp))
                if trust.sha256_file(tmp) != sha256:
                    raise trust.UntrustedError(f"{rel} in the shared store was changed")
        except FileNotFoundError:
            return False
        except trust.UntrustedError as exc:
            log.warning("refused: %s (its bytes do not match the recorded sha256)", exc)
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


def fetch(settings: Settings, path: Path, sha256: str) -> Path | None:
    """Where `path` (under TLAB_HOME) can be read: `path` itself when here, else a copy
    pulled from the store and checked against `sha256` (into `path`, or into the scratch
    folder on a read-only server); None when neither has it."""
    if path.is_file():
        return path
    store = shared_store(settings)
    if store is None:
        return None
    rel = relative(settings, path)
    target = trust.inside(scratch(), rel) if settings.readonly else path
    if not target.is_file() and not store.pull(rel, target, sha256):
        return None
    if settings.readonly:
        _make_room(scratch())
    return target if target.is_file() else None


_scratch: list[Path] = []


def scratch() -> Path:
    """This process's folder for what a read-only server pulls; removed when it exits."""
    with _lock:
        if not _scratch:
            _scratch.append(Path(tempfile.mkdtemp(prefix=f"tlab-view-{os.getpid()}-")))
            atexit.register(shutil.rmtree, _scratch[0], True)
        return _scratch[0]


def _make_room(folder: Path, limit: int = SCRATCH_BYTES) -> None:
    """Oldest files out until the folder holds at most `limit` bytes: a bounded cache."""
    files = sorted((p.stat().st_mtime, p) for p in folder.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for _, p in files)
    for _, path in files[:-1]:  # the newest, just pulled, stays
        if total <= limit:
            return
        total -= path.stat().st_size
        path.unlink(missing_ok=True)
