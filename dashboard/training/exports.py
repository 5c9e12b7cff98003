"""Exports people deploy, beside `model.keras`: a SavedModel for TF Serving, TFLite for
phones, float32 and int8 (quantised with a representative sample of the training images, float
fallback where an op has no int8 kernel), and ONNX for other runtimes (Keras' own ONNX export;
run with onnxruntime). Each takes raw RGB 0-255 (the preprocessing is inside the model), and
each is checked as `model.keras` is: reloaded from disk by the runtime that serves it (TF,
LiteRT, onnxruntime), it predicts the validation images again; float exports must agree with
the app on every class, int8 reports its accuracy drop instead. Made on request from the Train
page (a conversion takes seconds to a minute), once per run, into `runs/<id>/exports/`.

`exports.json` may come from the shared store, so it is data: its checks are read as numbers
for the formats below, and no file name is ever taken from it. Each format's file name is
fixed here (`FILES`), and goes into the generated predict.py through `repr`.
"""

from __future__ import annotations

import io
import json
import shutil
import uuid
import zipfile
from pathlib import Path

import numpy as np

from dashboard import datasets, trust
from dashboard.i18n import _
from dashboard.progress import Progress, silent
from dashboard.runs import Run, run_folder, sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path, folder_bytes, write_atomic
from dashboard.training import keras_file, model_card, predict_py, results
from dashboard.training.config import from_dict

# format -> the one file it is stored and downloaded as
FILES = {
    "saved_model": "saved_model.zip",
    "tflite_float32": "model_float32.tflite",
    "tflite_int8": "model_int8.tflite",
    "onnx": "model.onnx",
}
FORMATS = tuple(FILES)
NEEDED = ("bytes", "parity_images", "parity_same_class", "parity_max_abs_diff")
CHECKS = (*NEEDED, "parity_unknown_same", "parity_ok", "accuracy", "accuracy_drop")
REPRESENTATIVE = 64  # training images that calibrate the int8 export
SUMMARY = "exports.json"


def exports_dir(settings: Settings, run_id: str) -> Path:
    return run_folder(settings.home, run_id) / "exports"


def stored(settings: Settings, run_id: str) -> dict | None:
    """The exports' checks and sizes, when this run was exported (here or on another server):
    {format: {check: number}}, for the known formats and checks only."""
    try:
        path = sync.pull(settings, exports_dir(settings, run_id) / SUMMARY)
        raw = json.loads(path.read_text(encoding="utf-8")) if path else None
        return {fmt: _numbers(raw[fmt]) for fmt in FORMATS if fmt in raw} if raw else None
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _numbers(checks: dict) -> dict:
    """The known checks of one format, each a number or a truth value (else ValueError)."""
    out = {k: checks[k] for k in CHECKS if k in checks}
    if not set(NEEDED) <= set(out) or not all(type(v) in (int, float, bool) for v in out.values()):
        raise ValueError("an export's checks are missing or not numbers")
    return out


def export_all(
    settings: Settings, run: Run, manifest: datasets.Manifest, say: Progress = silent
) -> dict:
    """Every format, checked; returns (and stores) {format: {file, bytes, ...checks}}."""
    import keras

    settings.check_writable("exporting models")
    files = results.local_artifacts(settings, run.id)
    model = keras.saving.load_model(results.deployable(files), safe_mode=True)
    config = from_dict(run.config)
    x_val, y_val = _arrays(settings, manifest, "val", config.image_size)
    app_out = model.predict(x_val, verbose=0)  # the served model's rows: see models.unknown
    n = len(manifest.classes)
    folder = exports_dir(settings, run.id)
    folder.mkdir(parents=True, exist_ok=True)
    say(0.1, _("SavedModel for TF Serving"))
    summary = {"saved_model": _saved_model(model, folder, x_val, app_out, n)}
    say(0.4, "TFLite float32")
    summary["tflite_float32"] = _tflite(folder, "float32", x_val, app_out, y_val, n)
    say(0.7, _("TFLite int8 (calibrated on training images)"))
    x_rep, _labels = _arrays(settings, manifest, "train", config.image_size, REPRESENTATIVE)
    summary["tflite_int8"] = _tflite(folder, "int8", x_val, app_out, y_val, n, x_rep)
    say(0.9, "ONNX")
    summary["onnx"] = _onnx(model, folder, x_val, app_out, n)
    write_atomic(folder / SUMMARY, json.dumps(summary, indent=1))
    sync.push(settings, *[folder / FILES[fmt] for fmt in summary])
    sync.push(settings, folder / SUMMARY)  # last: the mark that they are complete
    say(1.0, _("Done"))
    return summary


def _arrays(settings, manifest, split, size, limit=None) -> tuple[np.ndarray, np.ndarray]:
    feed = datasets.training_data(settings, manifest, split, image_size=size, shuffle=False)
    xs, ys = [], []
    for x, y in feed:
        xs.append(x.numpy())
        ys.append(y.numpy())
        if limit and sum(len(b) for b in xs) >= limit:
            break
    return np.concatenate(xs)[:limit], np.concatenate(ys)[:limit]


def _ok(checks: dict) -> bool:
    """Every image the same class and the same unknown flag as the app."""
    same = (checks["parity_same_class"], checks["parity_unknown_same"])
    return all(v == checks["parity_images"] for v in same)


def _saved_model(model, folder: Path, x_val, app_out, n: int) -> dict:
    import tensorflow as tf

    final = folder / "saved_model"
    tmp = folder / f".saved_model.{uuid.uuid4().hex}"
    model.export(str(tmp), format="tf_saved_model", verbose=False)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    archive = folder / FILES["saved_model"]
    with atomic_path(archive) as out:
        shutil.make_archive(str(out.with_suffix("")), "zip", final)
    loaded = tf.saved_model.load(str(final))  # kept: its variables die with it
    checks = keras_file.parity(loaded.serve(x_val).numpy(), app_out, n)
    return {"bytes": folder_bytes(final), "parity_ok": _ok(checks), **checks}


def _tflite(folder: Path, kind: str, x_val, app_out, y_val, n: int, representative=None) -> dict:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(folder / "saved_model"))
    if kind == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([x[None]] for x in representative)
    path = folder / FILES[f"tflite_{kind}"]
    with atomic_path(path) as tmp:
        tmp.write_bytes(converter.convert())
    out = tflite_predict(path, x_val)
    checks = keras_file.parity(out, app_out, n)
    found = {"bytes": path.stat().st_size, **checks}
    if kind == "int8":  # quantised: judged by its accuracy, not by equal probabilities
        accuracy = float((out[:, :n].argmax(1) == y_val).mean())
        app_accuracy = float((app_out[:, :n].argmax(1) == y_val).mean())
        return {**found, "accuracy": accuracy, "accuracy_drop": app_accuracy - accuracy}
    return {**found, "parity_ok": _ok(checks)}


def _onnx(model, folder: Path, x_val, app_out, n: int) -> dict:
    path = folder / FILES["onnx"]
    with atomic_path(path) as tmp:
        model.export(str(tmp), format="onnx", verbose=False)
    checks = keras_file.parity(onnx_predict(path, x_val), app_out, n)
    return {"bytes": path.stat().st_size, "parity_ok": _ok(checks), **checks}


def onnx_predict(path: Path, x: np.ndarray) -> np.ndarray:
    """The model's rows (the probabilities; for a served model also its score and flag)
    from a .onnx file, by onnxruntime on the CPU (as a service runs it)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x.astype("float32")})[0]


def tflite_predict(path: Path, x: np.ndarray) -> np.ndarray:
    """The model's rows from a .tflite file, one image at a time (as a phone runs it), by LiteRT
    (`ai-edge-litert`: TensorFlow's own `tf.lite.Interpreter` is deprecated in its favour),
    or by TensorFlow's where LiteRT has no wheel (Windows)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    rows = []
    for image in x:
        interpreter.set_tensor(inp["index"], image[None].astype(inp["dtype"]))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(out["index"])[0].astype("float32"))
    return np.stack(rows)


def format_zip(settings: Settings, run: Run, fmt: str) -> bytes:
    """A zip for download: the export, labels.json, the model card and its usage snippet
    (predict.py)."""
    name = FILES[trust.one_of(fmt, FORMATS, "export format")]
    path = sync.pull(settings, exports_dir(settings, run.id) / name)
    labels = results.local_artifacts(settings, run.id).get("labels")
    if path is None or labels is None:
        raise FileNotFoundError(f"run {run.id}: the {fmt} export is not here nor in the store")
    card = model_card.card_json(settings, run)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(model_card.FILE, card)
        if fmt == "saved_model":
            _copy_saved_model(path, zf)
        else:
            zf.write(path, name)
        zf.writestr("predict.py", predict_py.script(fmt, name))
        zf.write(labels, "labels.json")
    return buf.getvalue()


def _copy_saved_model(archive: Path, zf: zipfile.ZipFile) -> None:
    """The SavedModel's files under saved_model/; a member named to leave it is refused."""
    with zipfile.ZipFile(archive) as inner:
        for member in inner.namelist():
            if reason := trust.unsafe_reason(member):
                raise trust.UntrustedError(f"{member!r} in {archive.name}: {reason}")
            zf.writestr(f"saved_model/{member}", inner.read(member))
