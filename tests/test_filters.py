import keras
import numpy as np
import pytest

from models import filters
from tests.tiny_models import three_stage


def test_activation_maximisation_raises_the_target_channel():
    model = three_stage(size=32, seed=3)
    start = np.random.default_rng(0).normal(0.0, 0.1, (1, 32, 32, 3))
    calls = []
    result = filters.maximize_activation(
        model, "s2", 5, start, steps=20, step_size=0.05, progress=lambda i, n: calls.append(i)
    )
    assert result.end_mean > result.start_mean * 1.5 + 1e-3
    assert calls == list(range(1, 21)) and len(result.means) == 21
    assert result.image.shape == (32, 32, 3)
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0


def test_kernel_tiles_are_rgb_pictures_of_the_first_conv():
    name, tiles = filters.kernel_tiles(three_stage())
    assert name == "s1" and tiles.shape == (4, 3, 3, 3)
    assert tiles.min() == 0.0 and tiles.max() == 1.0


def test_no_rgb_conv_is_an_error():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="no Conv2D"):
        filters.first_rgb_conv(model)
