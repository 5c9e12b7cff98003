"""Team mode's files beside the run store: what a run, its exports and the caches share
through the shared store (TLAB_STORE_URL), each checked when it is pulled.

A push sends the files, then records each one's sha256 in the run store's database
(`store_files`); a pull takes a file only if its bytes hash to what was recorded. Whoever can
write to the bucket but not to the database (a teammate's leaked bucket key) cannot swap a
model, an export or a cache entry under a run: the swapped file is refused, logged, and the
app goes on as if the store did not have it (a cache entry is computed again; a model shows as
missing). Without TLAB_STORE_URL both are no-ops.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dashboard import shared_store, trust
from dashboard.runs.store import open_runs
from dashboard.settings import Settings
from dashboard.storage import write_atomic

log = logging.getLogger(__name__)


def push(settings: Settings, *paths: Path) -> None:
    """Share files just written under TLAB_HOME, and record what they hold."""
    store = shared_store.shared_store(settings)
    if store is None:
        return
    files = [p for p in paths if p.is_file()]
    rels = [shared_store.relative(settings, p) for p in files]
    store.push_many(list(zip(files, rels, strict=True)))
    shas = {rel: trust.sha256_file(p) for p, rel in zip(files, rels, strict=True)}
    open_runs(settings).record_files(shas)  # after the push: a recorded file is there


def pull(settings: Settings, path: Path) -> Path | None:
    """Where `path` (under TLAB_HOME) can be read: here, or pulled from the shared store and
    checked; None when it is in neither, or when no hash was recorded for it."""
    if path.is_file():
        return path
    if shared_store.shared_store(settings) is None:
        return None
    rel = shared_store.relative(settings, path)
    sha = open_runs(settings).file_sha(rel)
    if sha is None:
        log.debug("%s is not recorded in the run store: not pulled", rel)
        return None
    return shared_store.fetch(settings, path, sha)


def read_text(settings: Settings, path: Path) -> str | None:
    """A shared text file (under TLAB_HOME): from here, or pulled and checked; None when
    neither has it."""
    found = pull(settings, path)
    return found.read_text(encoding="utf-8") if found else None


def write_text(settings: Settings, path: Path, text: str) -> None:
    """Write a text file under TLAB_HOME atomically, and share it."""
    write_atomic(path, text)
    push(settings, path)


INDEX = ".index"  # tf.data writes a pixel cache's index last, when the cache is complete


def pull_pixel_cache(settings: Settings, prefix: Path) -> None:
    """A complete pixel cache from the shared store (data files first, the index last), each
    file checked; nothing when any file is refused (tf.data then decodes anew)."""
    store = shared_store.shared_store(settings)
    if store is None or prefix.with_name(prefix.name + INDEX).is_file():
        return
    rels = store.glob(shared_store.relative(settings, prefix) + ".*")
    names = [r.rpartition("/")[2] for r in rels]
    if f"{prefix.name}{INDEX}" not in names:
        return
    for name in sorted(names, key=lambda n: n.endswith(INDEX)):
        path = trust.inside(prefix.parent, name)  # a listed name: kept inside cache/pixels
        if pull(settings, path) is None:
            return


def push_pixel_caches(settings: Settings, dataset_id: str) -> None:
    """Push this dataset's complete pixel caches that the shared store does not have yet."""
    store = shared_store.shared_store(settings)
    if store is None:
        return
    for index in settings.cache_dir("pixels").glob(f"{dataset_id}_*{INDEX}"):
        if store.exists(shared_store.relative(settings, index)):
            continue
        data = sorted(index.parent.glob(index.name.removesuffix(INDEX) + ".data-*"))
        push(settings, *data)
        push(settings, index)
