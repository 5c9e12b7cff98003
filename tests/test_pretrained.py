"""Claims about pretrained behaviour, on the real MobileNet alpha 0.25 ImageNet weights."""

from __future__ import annotations

import os

import numpy as np
import pytest

from dashboard import explore, images
from dashboard.settings import Settings
from tests.conftest import WEIGHTS_DIR

CATS = {"tabby", "tiger_cat", "Egyptian_cat", "lynx", "Persian_cat"}


@pytest.fixture(scope="module")
def loaded():
    if not WEIGHTS_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared weights missing at {WEIGHTS_DIR}")
        pytest.skip("shared weights missing")
    settings = Settings.from_env({"TLAB_WEIGHTS_DIR": str(WEIGHTS_DIR), "TLAB_OFFLINE": "1"})
    return explore.load("MobileNet_0.25_128", settings)


def test_cat_photo_is_a_cat(loaded):
    result = explore.analyse(loaded, images.load_sample("Cat (Chelsea)"))
    names = [p.name for p in result.predictions]
    assert names[0] in CATS and len(CATS & set(names)) >= 3, names
    assert [m.shape for m in result.stages.values()] == [
        (64, 64, 16),
        (32, 32, 32),
        (16, 16, 64),
        (8, 8, 128),
        (4, 4, 256),
    ]


def test_coffee_photo_is_espresso(loaded):
    result = explore.analyse(loaded, images.load_sample("Coffee"))
    assert result.predictions[0].name == "espresso" and result.predictions[0].score > 0.5


def test_gradcam_for_the_cat_points_at_the_cat(loaded):
    rgb = images.load_sample("Cat (Chelsea)")
    heat, class_id = explore.grad_cam(loaded, rgb, None)
    assert loaded.class_index[class_id][1] in CATS
    assert heat.shape == (4, 4) and heat.max() == pytest.approx(1.0)
    # The cat fills the centre of the crop; the top corners are background.
    assert heat[1:3, 1:3].mean() > heat[0, [0, -1]].mean()


def test_pretrained_first_layer_is_not_random(loaded):
    """ImageNet training makes first-layer kernels smooth colour/edge detectors: neighbouring
    kernel taps are strongly correlated, unlike random initialisation."""
    _, tiles = explore.first_layer_kernels(loaded)
    a, b = tiles[:, :, :-1].reshape(-1), tiles[:, :, 1:].reshape(-1)
    assert np.corrcoef(a, b)[0, 1] > 0.3
