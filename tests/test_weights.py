"""Weight resolution: offline folder, Keras cache, download, and the message when none works."""

from __future__ import annotations

import shutil

import pytest
from keras.src.utils import file_utils

from dashboard.model_menu import default_model_key, model_choices
from dashboard.settings import Settings
from models import backbones, catalog, weights

MOBILENET = catalog.get("MobileNet_0.25_128")
real_probe = weights._probe  # read at import, before any test replaces it


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


def test_failed_download_is_a_clear_message_and_is_not_tried_again(tmp_path, monkeypatch):
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(weights, "_probe", lambda url, timeout: True)  # a proxy that answers
    monkeypatch.setattr(file_utils, "get_file", no_network)
    with pytest.raises(weights.WeightsUnavailable, match="mobilenet_2_5_128_tf.h5") as info:
        backbones.build(MOBILENET, weights_dir=None, allow_download=True)
    assert "Download error" in str(info.value)
    with pytest.raises(weights.WeightsUnavailable, match="download failed earlier"):
        backbones.build(MOBILENET, weights_dir=None, allow_download=True)
    assert len(calls) == 1  # remembered: the second ask did not wait on the network


def test_a_blocked_network_is_probed_once_and_then_works_like_offline(tmp_path, monkeypatch):
    probes = []
    monkeypatch.setattr(weights, "_probe", lambda url, timeout: probes.append(timeout) or False)
    for backbone in (MOBILENET, catalog.get("MobileNetV2")):
        with pytest.raises(weights.WeightsUnavailable, match="did not answer") as info:
            backbones.weights_source(
                backbone, include_top=True, weights_dir=tmp_path, allow_download=True
            )
        assert backbone.weights_top in str(info.value) and str(tmp_path) in str(info.value)
    assert probes == [weights.PROBE_TIMEOUT_S]


def test_the_probe_counts_any_http_answer_and_nothing_else():
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert real_probe(f"http://127.0.0.1:{server.server_port}/x", 5)
    finally:
        server.shutdown()
    closed = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    port = closed.server_port
    closed.server_close()  # nothing listens there now
    assert not real_probe(f"http://127.0.0.1:{port}/", 5)


def test_download_path_asks_keras_for_imagenet(tmp_path, monkeypatch):
    monkeypatch.setattr(weights, "_probe", lambda url, timeout: True)
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
