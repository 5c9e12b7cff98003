"""Shared fixtures. Every test runs offline, with its own TLAB_HOME and an empty Keras cache,
so nothing on the developer's machine (a warm ~/.keras) can make a test pass by accident."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))
WEIGHTS_DIR = SHARED / "keras-weights"
FLOWERS_ZIP = SHARED / "datasets" / "flowers-mini.zip"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "tlab-home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("TLAB_OFFLINE", "1")
    monkeypatch.delenv("TLAB_WEIGHTS_DIR", raising=False)


@pytest.fixture
def weights_dir() -> Path:
    if not (WEIGHTS_DIR / "mobilenet_2_5_128_tf.h5").is_file():
        reason = f"shared weights not found at {WEIGHTS_DIR} (set TLAB_SHARED)"
        if os.environ.get("CI"):  # CI always has ../shared: a skip there would hide a failure
            pytest.fail(reason)
        pytest.skip(reason)
    return WEIGHTS_DIR


@pytest.fixture
def shared_weights_env(weights_dir, monkeypatch) -> Path:
    monkeypatch.setenv("TLAB_WEIGHTS_DIR", str(weights_dir))
    return weights_dir
