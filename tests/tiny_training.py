"""A tiny training setup shared by the job tests of both executors: settings for a fresh home,
a 2-class dataset of coloured noise, and small, fast run settings."""

from __future__ import annotations

import io

from dashboard import datasets
from dashboard.settings import Settings
from dashboard.training import default_config
from tests.conftest import coloured
from tests.hostile_uploads import make_zip

BACKBONE = "MobileNet_0.25_224"  # its no-top weights are in the shared folder


def tiny_settings(tmp_path, weights_dir, **env: str) -> Settings:
    base = {"TLAB_HOME": str(tmp_path / "home"), "TLAB_WEIGHTS_DIR": str(weights_dir)}
    return Settings.from_env({**base, "TLAB_OFFLINE": "1", **env})


def tiny_dataset(settings: Settings) -> datasets.Manifest:
    entries = [(f"red/{i}.png", coloured(i, (220, 30, 30))) for i in range(10)]
    entries += [(f"blue/{i}.png", coloured(100 + i, (30, 30, 220))) for i in range(10)]
    return datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "tiny").manifest


def config(manifest, strategy="linear_head", **changes):
    base = default_config(manifest.id, BACKBONE, strategy)
    return base.with_(**{"image_size": 64, "batch_size": 8, "epochs": 3, **changes})
