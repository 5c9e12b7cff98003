"""Settings, read from the environment once per process.

TLAB_HOME          where the app keeps its data, caches and runs (default ~/.tlab)
TLAB_WEIGHTS_DIR   an offline folder of Keras weight files, in Keras' own file names (unset)
TLAB_OFFLINE       1 = never try to download weights; fail fast with a message (0)
TLAB_MAX_IMAGE_MP  largest image accepted, in megapixels: a decompression-bomb guard (40)
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
        )

    def cache_dir(self, name: str) -> Path:
        """A folder under TLAB_HOME/cache, created on first use."""
        path = self.home / "cache" / name
        path.mkdir(parents=True, exist_ok=True)
        return path
