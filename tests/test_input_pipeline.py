"""The tf.data pipeline over a stored dataset."""

from __future__ import annotations

import io

import numpy as np
import pytest

from dashboard import datasets
from dashboard.settings import Settings
from models.input_pipeline import jpeg_ratio
from tests.hostile_uploads import make_zip, modes_and_formats, noise_jpeg


@pytest.fixture
def stored(tmp_path):
    settings = Settings.from_env({"TLAB_HOME": str(tmp_path / "home")})
    entries = [(f"odd/{n}", d) for n, d in modes_and_formats().items()]
    entries += [(f"plain/{i}.jpg", noise_jpeg(i, size=(300, 200))) for i in range(9)]
    manifest = datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "mixed").manifest
    return settings, manifest


def test_batches_have_the_model_input_contract(stored):
    settings, m = stored
    ds = datasets.training_data(settings, m, "train", image_size=48, batch_size=4)
    images, labels = [], []
    for x, y in ds:
        assert x.dtype.name == "float32" and tuple(x.shape[1:]) == (48, 48, 3)
        images.append(x.numpy())
        labels.append(y.numpy())
    images, labels = np.concatenate(images), np.concatenate(labels)
    train = [r for r in m.images if r.split == "train"]
    assert len(images) == len(train) and images.min() >= 0.0 and images.max() <= 255.0
    assert sorted(labels.tolist()) == sorted(m.classes.index(r.cls) for r in train)


def test_unshuffled_order_matches_the_manifest_and_cache_gives_the_same_pixels(stored):
    settings, m = stored
    plain = datasets.training_data(settings, m, "val", image_size=32, shuffle=False)
    cached = datasets.training_data(settings, m, "val", image_size=32, shuffle=False, cache=True)
    a = np.concatenate([x.numpy() for x, _ in plain])
    for _ in range(2):  # the second pass reads the cache
        b = np.concatenate([x.numpy() for x, _ in cached])
        np.testing.assert_allclose(a, b, atol=0.5001)  # the cache stores uint8
    labels = np.concatenate([y.numpy() for _, y in plain]).tolist()
    assert labels == [m.classes.index(r.cls) for r in m.images if r.split == "val"]
    assert any(settings.cache_dir("pixels").iterdir())


def test_shuffle_is_seeded(stored):
    settings, m = stored

    def order(seed):
        ds = datasets.training_data(settings, m, "train", image_size=16, shuffle=True, seed=seed)
        return np.concatenate([y.numpy() for _, y in ds]).tolist()

    assert order(1) == order(1)


def test_jpeg_ratio():
    assert jpeg_ratio(4000, 3000, 224) == 8
    assert jpeg_ratio(1000, 600, 224) == 2
    assert jpeg_ratio(300, 200, 224) == 1
    assert jpeg_ratio(100, 100, 224) == 1
