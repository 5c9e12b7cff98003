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
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("TLAB_HOME") or Path.home() / ".tlab").expanduser()
        weights = env.get("TLAB_WEIGHTS_DIR")
        offline = env.get("TLAB_OFFLINE", "0").strip().lower() in ("1", "true", "yes")
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
        )

    def cache_dir(self, name: str) -> Path:
        """A folder under TLAB_HOME/cache, created on first use."""
        path = self.home / "cache" / name
        path.mkdir(parents=True, exist_ok=True)
        return path
