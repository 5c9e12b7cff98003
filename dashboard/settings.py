"""Settings, read from the environment once per process.

TLAB_HOME          where the app keeps its data, caches and runs (default ~/.tlab)
TLAB_WEIGHTS_DIR   an offline folder of Keras weight files, in Keras' own file names (unset)
TLAB_OFFLINE       1 = never try to download weights; fail fast with a message (0)
TLAB_MAX_IMAGE_MP  largest image accepted, in megapixels: a decompression-bomb guard (40)
TLAB_MAX_UPLOAD_MB largest dataset upload (zip or folder), in MB (500)
TLAB_MAX_UNZIPPED_MB  most bytes a zip may expand to, in MB (2000)
TLAB_MAX_ZIP_ENTRIES  most entries a zip may hold (50000)
TLAB_MAX_ZIP_RATIO    highest compression ratio of one zip entry: a zip-bomb guard (100)
TLAB_DB_URL        the run store's database, an SQLAlchemy URL (SQLite under TLAB_HOME)
TLAB_EXECUTOR      where runs train: thread (this server's trainer thread) or ray (thread)
TLAB_RAY_ADDRESS   the Ray cluster for TLAB_EXECUTOR=ray (unset: a new local cluster)
TLAB_STORE_URL     where a team shares datasets, caches and run artifacts: an fsspec URL such
                   as s3://bucket/tlab; TLAB_HOME is then this machine's working copy (unset)
TLAB_STORE_OPTIONS JSON of fsspec options for TLAB_STORE_URL, e.g. {"endpoint_url": "http://
                   127.0.0.1:9000"} for MinIO; credentials best in AWS_* variables ({})
TLAB_READONLY      1 = a demo for stakeholders: explore, look and compare; no upload, train,
                   rename or delete (0)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from dashboard.i18n import N_, _

# English: a page shows `_(READONLY_NOTE)`.
READONLY_NOTE = N_(
    "Read-only: explore models, look at datasets and runs, compare them. Uploading "
    "datasets, training, renaming and deleting are switched off here (a demo server, or "
    "you signed in as a viewer)."
)
# What callers of `check_writable` name, marked here so that its sentence reads in the
# reader's language whoever calls it.
WRITES = (
    N_("adding datasets"),
    N_("renaming datasets"),
    N_("deleting datasets"),
    N_("training"),
    N_("stopping runs"),
    N_("renaming runs"),
    N_("deleting runs"),
    N_("exporting models"),
    N_("computing features"),
    N_("clearing caches"),
    N_("measuring datasets"),
)


class ReadOnlyError(Exception):
    """A change asked of a read-only server (TLAB_READONLY=1); the message is for the user."""


@dataclass(frozen=True)
class Settings:
    home: Path
    weights_dir: Path | None
    allow_download: bool
    max_image_pixels: int
    max_upload_mb: int = 500
    max_unzipped_bytes: int = 2000 * 1024 * 1024
    max_zip_entries: int = 50_000
    max_zip_ratio: float = 100.0
    db_url: str | None = None  # None: SQLite under home
    readonly: bool = False
    executor: str = "thread"  # or "ray"
    ray_address: str | None = None
    store_url: str | None = None  # None: TLAB_HOME alone (dashboard/shared_store.py)
    store_options: str = "{}"  # JSON text, so that Settings stays hashable

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("TLAB_HOME") or Path.home() / ".tlab").expanduser()
        weights = env.get("TLAB_WEIGHTS_DIR")
        offline = _flag(env.get("TLAB_OFFLINE"))
        megapixels = float(env.get("TLAB_MAX_IMAGE_MP", "40"))
        return cls(
            home=home,
            weights_dir=Path(weights).expanduser().resolve() if weights else None,
            allow_download=not offline,
            max_image_pixels=int(megapixels * 1_000_000),
            max_upload_mb=int(env.get("TLAB_MAX_UPLOAD_MB", "500")),
            max_unzipped_bytes=int(float(env.get("TLAB_MAX_UNZIPPED_MB", "2000")) * 1024 * 1024),
            max_zip_entries=int(env.get("TLAB_MAX_ZIP_ENTRIES", "50000")),
            max_zip_ratio=float(env.get("TLAB_MAX_ZIP_RATIO", "100")),
            db_url=env.get("TLAB_DB_URL") or None,
            readonly=_flag(env.get("TLAB_READONLY")),
            executor=_executor(env.get("TLAB_EXECUTOR")),
            ray_address=env.get("TLAB_RAY_ADDRESS") or None,
            store_url=env.get("TLAB_STORE_URL") or None,
            store_options=_json_object(env.get("TLAB_STORE_OPTIONS")),
        )

    def check_writable(self, what: str) -> None:
        """Raises `ReadOnlyError` on a read-only server; `what`: "training", "deleting runs"
        (English, one of `WRITES`: the message says it in the reader's language)."""
        if self.readonly:
            raise ReadOnlyError(
                _("This server is a read-only demo: {what} is switched off.").format(
                    what=_(what) if what else what
                )
            )

    def cache_dir(self, name: str) -> Path:
        """A folder under TLAB_HOME/cache, created on first use (not on a read-only server,
        which creates nothing)."""
        path = self.home / "cache" / name
        if not self.readonly:
            path.mkdir(parents=True, exist_ok=True)
        return path


def _flag(value: str | None) -> bool:
    return (value or "0").strip().lower() in ("1", "true", "yes")


def _executor(value: str | None) -> str:
    name = (value or "thread").strip().lower()
    if name not in ("thread", "ray"):
        raise ValueError(f"TLAB_EXECUTOR must be 'thread' or 'ray', not {value!r}")
    return name


def _json_object(value: str | None) -> str:
    options = json.loads(value or "{}")
    if not isinstance(options, dict):
        raise ValueError(f"TLAB_STORE_OPTIONS must be a JSON object, not {value!r}")
    return json.dumps(options, sort_keys=True)
