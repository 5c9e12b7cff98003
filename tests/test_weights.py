"""Weight resolution: offline folder, Keras cache, download, and the message when none works."""

from __future__ import annotations

import shutil

import pytest
from keras.src.utils import file_utils

from dashboard.backbones import default_model_key, model_choices
from dashboard.settings import Settings
from models import backbones, catalog, weights

MOBILENET = catalog.get("MobileNet_0.25_128")


def test_offline_folder_is_found_first(weights_dir):
    source = backbones.weights_source(
        MOBILENET, include_top=True, weights_dir=weights_dir, allow_download=False
    )
    assert source.on_disk and source.path == weights_dir / "mobilenet_2_5_128_tf.h5"


def test_keras_cache_is_found_second(weights_dir, tmp_path, monkeypatch):
    cache = tmp_path / "kh" / "models"
    cache.mkdir(parents=True)
    shutil.copy(weights_dir / "mobilenet_2_5_128_tf.h5", cache)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    source = weights.resolve(
        "mobilenet_2_5_128_tf.h5", what="x", size_mb=2, weights_dir=None, allow_download=False
    )
    assert source.path == cache / "mobilenet_2_5_128_tf.h5"


def test_missing_and_offline_is_a_clear_message(tmp_path):
    with pytest.raises(weights.WeightsUnavailable) as info:
        backbones.build(
            catalog.get("MobileNetV2"), weights_dir=tmp_path / "empty", allow_download=False
        )
    message = str(info.value)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5" in message
    assert "about 14 MB" in message and str(tmp_path / "empty") in message
    assert "Traceback" not in message


def test_failed_download_is_a_clear_message(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(file_utils, "get_file", no_network)
    with pytest.raises(weights.WeightsUnavailable, match="mobilenet_2_5_128_tf.h5") as info:
        backbones.build(MOBILENET, weights_dir=None, allow_download=True)
    assert "Download error" in str(info.value)


def test_download_path_asks_keras_for_imagenet(tmp_path):
    source = backbones.weights_source(
        MOBILENET, include_top=False, weights_dir=tmp_path, allow_download=True
    )
    assert not source.on_disk and source.keras_arg == "imagenet"
    assert source.filename == "mobilenet_2_5_128_tf_no_top.h5"


def test_class_index_offline(weights_dir, tmp_path):
    index = weights.load_class_index(weights_dir, allow_download=False)
    assert len(index) == 1000 and index[285] == ("n02124075", "Egyptian_cat")
    with pytest.raises(weights.WeightsUnavailable, match="imagenet_class_index.json"):
        weights.load_class_index(tmp_path, allow_download=False)


def test_default_model_is_the_best_one_on_disk(weights_dir, tmp_path):
    with_shared = Settings.from_env({"TLAB_WEIGHTS_DIR": str(weights_dir), "TLAB_OFFLINE": "1"})
    assert default_model_key(with_shared) == "MobileNet_0.25_128"
    on_disk = {c.backbone.key for c in model_choices(with_shared) if c.on_disk}
    assert on_disk == {"MobileNet_0.25_128"}  # the 224 file has no top: not for Explore
    empty = Settings.from_env({"TLAB_WEIGHTS_DIR": str(tmp_path)})
    assert default_model_key(empty) == "MobileNetV2"
    assert "downloads 14 MB" in next(
        c.status for c in model_choices(empty) if c.backbone.key == "MobileNetV2"
    )
