"""Exports people deploy: a SavedModel, TFLite float32 / int8 and ONNX, each reloaded by its
own runtime and checked against the app, and each download's predict.py run as a user would run
it (ONNX's with onnxruntime, numpy and Pillow alone)."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from dashboard import training
from tests.conftest import coloured, train_on_page, wait
from tests.tiny_training import config, tiny_dataset, tiny_settings


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from tests.conftest import WEIGHTS_DIR

    if not WEIGHTS_DIR.is_dir():
        pytest.skip("shared weights missing")
    home = tmp_path_factory.mktemp("deploy")
    settings = tiny_settings(home, WEIGHTS_DIR)
    manifest = tiny_dataset(settings)
    jm = training.JobManager(settings)
    try:
        run = wait(jm, jm.submit(config(manifest, epochs=5))[0].id)
    finally:
        jm.shutdown()
    assert run.status == "finished", run.message
    return settings, manifest, run, training.exports.export_all(settings, run, manifest)


def test_every_format_is_made_and_agrees_with_the_app(exported):
    settings, manifest, run, summary = exported
    assert list(summary) == list(training.exports.FORMATS)
    for fmt in ("saved_model", "tflite_float32", "onnx"):
        s = summary[fmt]
        assert s["parity_ok"] and s["parity_images"] == len(manifest.records("val")), s
        assert s["parity_max_abs_diff"] < 1e-4, s
        assert s["parity_unknown_same"] == s["parity_images"], s
    int8 = summary["tflite_int8"]
    assert int8["accuracy_drop"] <= 0.25 and int8["bytes"] < summary["tflite_float32"]["bytes"]
    assert training.exports.stored(settings, run.id) == summary


def test_every_export_says_none_of_these_where_the_app_does(exported):
    """The rule is inside each file: on the validation images and on photos of other kinds,
    every float export flags the same images as the app's served model (some of each)."""
    import keras

    from dashboard.training import other_kinds
    from models import unknown

    settings, manifest, run, _ = exported
    files = training.results.local_artifacts(settings, run.id)
    x_val, _y = training.exports._arrays(settings, manifest, "val", 64)
    others = other_kinds.photos(64, faces=10, digits=10)
    x = np.concatenate([x_val, *others.values()])
    app = keras.saving.load_model(files["served"]).predict(x, verbose=0)
    app_flag = unknown.split_output(app, 2)[2]
    assert app_flag.any() and not app_flag.all(), app_flag
    folder = training.exports.exports_dir(settings, run.id)
    import tensorflow as tf

    saved_model = tf.saved_model.load(str(folder / "saved_model"))  # kept: its variables live
    answers = {
        "saved_model": saved_model.serve(x).numpy(),
        "tflite_float32": training.exports.tflite_predict(folder / "model_float32.tflite", x),
        "onnx": training.exports.onnx_predict(folder / "model.onnx", x),
    }
    for fmt, out in answers.items():
        assert np.array_equal(unknown.split_output(out, 2)[2], app_flag), fmt


# Runs predict.py with the frameworks made unimportable, then lists the site-packages
# modules it loaded (top-level names) on stderr's last line.
ALONE = """
import json, runpy, sys, sysconfig
BLOCKED = {"tensorflow", "keras", "tf_keras", "tf2onnx", "ai_edge_litert", "jax", "torch"}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not for predict.py")
sys.meta_path.insert(0, Block())
site = sysconfig.get_paths()["purelib"]
before = set(sys.modules)
if sys.argv[1:]:
    sys.argv = sys.argv[1:]
    runpy.run_path("predict.py", run_name="__main__")
else:  # the baseline: what the three allowed packages load by themselves
    import numpy, onnxruntime, PIL.Image
loaded = {n.partition(".")[0] for n in set(sys.modules) - before
          if (getattr(sys.modules[n], "__file__", None) or "").startswith(site)}
print(json.dumps(sorted(loaded)), file=sys.stderr)
"""


def _run(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )


def test_the_onnx_predict_py_needs_only_onnxruntime_numpy_and_pillow(exported, tmp_path):
    import json

    settings, _, run, _ = exported
    with zipfile.ZipFile(io.BytesIO(training.exports.format_zip(settings, run, "onnx"))) as zf:
        zf.extractall(tmp_path)
    (tmp_path / "photo.png").write_bytes(coloured(7, (220, 30, 30)))
    out = _run(["-c", ALONE, "predict.py", "photo.png"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2] == "red", out.stdout
    baseline = _run(["-c", ALONE], tmp_path)
    assert baseline.returncode == 0, baseline.stderr[-2000:]
    loaded = set(json.loads(out.stderr.strip().splitlines()[-1]))
    allowed = set(json.loads(baseline.stderr.strip().splitlines()[-1]))
    assert {"numpy", "onnxruntime", "PIL"} <= loaded <= allowed, loaded - allowed


def test_every_download_carries_the_model_card(exported):
    import json

    from dashboard.significance import wilson

    settings, manifest, run, _ = exported
    files = training.results.local_artifacts(settings, run.id)
    model = str(training.results.deployable(files))
    zips = [training.keras_file.keras_zip(settings, run, model, str(files["labels"]))]
    zips += [training.exports.format_zip(settings, run, fmt) for fmt in training.exports.FORMATS]
    cards = [json.loads(zipfile.ZipFile(io.BytesIO(z)).read("model_card.json")) for z in zips]
    assert all(c == cards[0] for c in cards)
    card = cards[0]
    assert card["classes"] == run.results.classes and card["run_id"] == run.id
    contract = card["input"]
    assert (contract["height"], contract["width"], contract["channels"]) == (64, 64, 3)
    assert contract["channel_order"] == "RGB" and contract["value_range"] == [0.0, 255.0]
    n = len(manifest.records("val"))
    val = card["figures"][0]
    low, high = wilson(run.results.val.accuracy, n)
    assert val["name"] == "validation accuracy" and val["images"] == n
    assert (val["low"], val["high"]) == (round(low, 4), round(high, 4))
    assert card["dataset"]["id"] == manifest.id == card["config"]["dataset_id"]
    assert card["config"]["epochs"] == 5 and card["dataset"]["images"]["val"] == n


WITHOUT_LITERT = """
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "ai_edge_litert":
            raise ImportError(name)
sys.meta_path.insert(0, Block())
sys.argv = sys.argv[1:]
runpy.run_path("predict.py", run_name="__main__")
"""


def test_the_tflite_predict_py_falls_back_to_tensorflow_without_litert(
    exported, tmp_path, monkeypatch
):
    """Where LiteRT has no wheel (Windows), TensorFlow's interpreter runs the same file: in the
    app's check and in predict.py."""
    import builtins

    settings, _, run, _ = exported
    zipped = training.exports.format_zip(settings, run, "tflite_float32")
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        zf.extractall(tmp_path)
    (tmp_path / "photo.png").write_bytes(coloured(7, (220, 30, 30)))
    out = _run(["-c", WITHOUT_LITERT, "predict.py", "photo.png"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2] == "red", out.stdout
    real_import = builtins.__import__

    def no_litert(name, *args, **kwargs):
        if name.startswith("ai_edge_litert"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_litert)
    x = np.stack([coloured_array(7, (220, 30, 30)), coloured_array(8, (30, 30, 220))])
    out = training.exports.tflite_predict(tmp_path / "model_float32.tflite", x)
    assert out.shape == (2, 4) and np.allclose(out[:, :2].sum(1), 1, atol=1e-4)


def coloured_array(seed: int, colour) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(coloured(seed, colour))).resize((64, 64)), "float32")


@pytest.mark.parametrize("fmt", training.exports.FORMATS)
def test_each_download_runs_its_usage_snippet(exported, fmt, tmp_path):
    settings, manifest, run, _ = exported
    with zipfile.ZipFile(io.BytesIO(training.exports.format_zip(settings, run, fmt))) as zf:
        zf.extractall(tmp_path)
    (tmp_path / "photo.png").write_bytes(coloured(7, (220, 30, 30)))
    out = _run(["predict.py", "photo.png"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    predicted, probability = out.stdout.split()[-2:]
    if fmt == "tflite_int8" and out.stdout.startswith("none of these"):
        return  # int8 moves the unknown score too: its decisions are reported, not promised
    assert predicted == "red" and 0.5 < float(probability) <= 1.0, out.stdout


def test_the_page_makes_the_exports_and_offers_each_download(shared_weights_env, train_page):
    from dashboard.settings import Settings

    manifest = tiny_dataset(Settings.from_env())
    at = train_page
    at.run()
    run = train_on_page(at, manifest.id)
    at.button(key=f"export_{run.id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "check" in df.value.columns)
    formats = ["SavedModel (TF Serving)", "TFLite float32", "TFLite int8", "ONNX (onnxruntime)"]
    assert list(table["format"]) == formats
    assert "4/4 same class" in table["check"].iloc[0], table
    assert "4/4 same class" in table["check"].iloc[3], table
    downloads = [b for b in at.get("download_button") if "Download " in b.proto.label]
    assert len(downloads) >= 5  # model.keras and the four exports


def test_a_finished_run_maps_its_fine_tuned_features_beside_the_pretrained(exported):
    from dashboard import featurespace

    settings, manifest, run, _ = exported
    fmap = featurespace.feature_map(settings, manifest, run.backbone, "PCA", run_id=run.id)
    assert list(fmap.panels) == ["Pretrained (ImageNet)", "Fine-tuned by this run"]
    assert all(p.shape == (len(fmap.rows), 2) for p in fmap.panels.values())


def test_a_fine_tuned_base_maps_features_of_its_own(exported):
    from dashboard import featurespace
    from dashboard.featurespace import vectors

    settings, manifest, _, _ = exported
    jm = training.JobManager(settings)
    try:
        run = wait(jm, jm.submit(config(manifest, "finetune_top", epochs=2))[0].id)
    finally:
        jm.shutdown()
    tuned = vectors.finetuned(settings, manifest, run.id, lambda f, t: None)
    n = len(manifest.records("train", "val"))
    assert tuned.features.shape == (n, 256)  # MobileNet α=0.25's pooled width, fine-tuned
    fmap = featurespace.feature_map(settings, manifest, run.backbone, "PCA", run_id=run.id)
    assert not np.allclose(*fmap.panels.values())
