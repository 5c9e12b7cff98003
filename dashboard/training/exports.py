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
import textwrap
import uuid
import zipfile
from pathlib import Path

import numpy as np

from dashboard import datasets, trust
from dashboard.i18n import N_, _
from dashboard.progress import Progress, silent
from dashboard.runs import Run, run_folder, sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path, folder_bytes, write_atomic
from dashboard.training import model_card, results
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
CHECKS = (*NEEDED, "parity_ok", "accuracy", "accuracy_drop")
REPRESENTATIVE = 64  # training images that calibrate the int8 export
SUMMARY = "exports.json"

# What predict.py says to its reader, in the language of the session that downloads it: comment
# lines, each line of the text behind "# " (`_comment`), so no text can leave the comment.
SAVED_MODEL_NOTE = N_(
    "TF Serving: start the server with Docker, then send it images (the model's size, RGB "
    "0-255) as JSON:"
)
TFLITE_NOTE = N_(
    "On a phone: the same file with TensorFlow Lite's Interpreter (Android, iOS, ai-edge-litert)."
)
ONNX_NOTE = N_(
    "Any ONNX runtime; here onnxruntime, with numpy and Pillow and nothing else (pip install "
    "onnxruntime numpy pillow):"
)

SAVED_MODEL_USAGE = """\
#   docker run -p 8501:8501 -v "$PWD/saved_model:/models/clf/1" -e MODEL_NAME=clf \\
#     tensorflow/serving
#   curl -d '{"instances": [<size x size x 3 RGB 0-255>]}' \\
#     http://localhost:8501/v1/models/clf:predict
import json, sys, numpy as np, tensorflow as tf
from PIL import Image

model = tf.saved_model.load("saved_model")
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
probs = model.serve(np.asarray(image, "float32")[None]).numpy()[0]
print(labels["classes"][int(probs.argmax())], float(probs.max()))
"""

TFLITE_USAGE = """\
import json, sys, numpy as np
from PIL import Image

try:  # LiteRT, TensorFlow Lite's runtime on its own (pip install ai-edge-litert)
    from ai_edge_litert.interpreter import Interpreter
except ImportError:  # else TensorFlow's copy of it
    import tensorflow as tf

    Interpreter = tf.lite.Interpreter

interpreter = Interpreter(model_path=MODEL)
interpreter.allocate_tensors()
inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
interpreter.set_tensor(inp["index"], np.asarray(image, "float32")[None])
interpreter.invoke()
probs = interpreter.get_tensor(out["index"])[0]
print(labels["classes"][int(probs.argmax())], float(probs.max()))
"""

ONNX_USAGE = """\
import json, sys, numpy as np, onnxruntime
from PIL import Image

session = onnxruntime.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
x = np.asarray(image, "float32")[None]
probs = session.run(None, {session.get_inputs()[0].name: x})[0][0]
print(labels["classes"][int(probs.argmax())], float(probs.max()))
"""


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
    model = keras.saving.load_model(files["model"])
    config = from_dict(run.config)
    x_val, y_val = _arrays(settings, manifest, "val", config.image_size)
    app_probs = model.predict(x_val, verbose=0)
    folder = exports_dir(settings, run.id)
    folder.mkdir(parents=True, exist_ok=True)
    say(0.1, _("SavedModel for TF Serving"))
    summary = {"saved_model": _saved_model(model, folder, x_val, app_probs)}
    say(0.4, "TFLite float32")
    summary["tflite_float32"] = _tflite(folder, "float32", x_val, app_probs, y_val)
    say(0.7, _("TFLite int8 (calibrated on training images)"))
    x_rep, _labels = _arrays(settings, manifest, "train", config.image_size, REPRESENTATIVE)
    summary["tflite_int8"] = _tflite(folder, "int8", x_val, app_probs, y_val, x_rep)
    say(0.9, "ONNX")
    summary["onnx"] = _onnx(model, folder, x_val, app_probs)
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


def _checks(probs: np.ndarray, app_probs: np.ndarray) -> dict:
    same = probs.argmax(1) == app_probs.argmax(1)
    return {
        "parity_images": int(len(same)),
        "parity_same_class": int(same.sum()),
        "parity_max_abs_diff": float(np.abs(probs - app_probs).max()) if len(same) else 0.0,
    }


def _saved_model(model, folder: Path, x_val, app_probs) -> dict:
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
    probs = loaded.serve(x_val).numpy()
    checks = _checks(probs, app_probs)
    ok = checks["parity_same_class"] == checks["parity_images"]
    return {"bytes": folder_bytes(final), "parity_ok": ok, **checks}


def _tflite(folder: Path, kind: str, x_val, app_probs, y_val, representative=None) -> dict:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(folder / "saved_model"))
    if kind == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([x[None]] for x in representative)
    path = folder / FILES[f"tflite_{kind}"]
    with atomic_path(path) as tmp:
        tmp.write_bytes(converter.convert())
    probs = tflite_predict(path, x_val)
    checks = _checks(probs, app_probs)
    out = {"bytes": path.stat().st_size, **checks}
    if kind == "int8":  # quantised: judged by its accuracy, not by equal probabilities
        accuracy = float((probs.argmax(1) == y_val).mean())
        app_accuracy = float((app_probs.argmax(1) == y_val).mean())
        return {**out, "accuracy": accuracy, "accuracy_drop": app_accuracy - accuracy}
    return {**out, "parity_ok": checks["parity_same_class"] == checks["parity_images"]}


def _onnx(model, folder: Path, x_val, app_probs) -> dict:
    path = folder / FILES["onnx"]
    with atomic_path(path) as tmp:
        model.export(str(tmp), format="onnx", verbose=False)
    checks = _checks(onnx_predict(path, x_val), app_probs)
    ok = checks["parity_same_class"] == checks["parity_images"]
    return {"bytes": path.stat().st_size, "parity_ok": ok, **checks}


def onnx_predict(path: Path, x: np.ndarray) -> np.ndarray:
    """Probabilities from a .onnx file, by onnxruntime on the CPU (as a service runs it)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x.astype("float32")})[0]


def tflite_predict(path: Path, x: np.ndarray) -> np.ndarray:
    """Probabilities from a .tflite file, one image at a time (as a phone runs it), by LiteRT
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
            zf.writestr("predict.py", _comment(_(SAVED_MODEL_NOTE)) + SAVED_MODEL_USAGE)
        else:
            zf.write(path, name)
            note, usage = (ONNX_NOTE, ONNX_USAGE) if fmt == "onnx" else (TFLITE_NOTE, TFLITE_USAGE)
            zf.writestr("predict.py", _comment(_(note)) + f"MODEL = {name!r}\n" + usage)
        zf.write(labels, "labels.json")
    return buf.getvalue()


def _comment(text: str) -> str:
    """`text` as comment lines of a generated file: every line starts with "# "."""
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, 96) or [""])


def _copy_saved_model(archive: Path, zf: zipfile.ZipFile) -> None:
    """The SavedModel's files under saved_model/; a member named to leave it is refused."""
    with zipfile.ZipFile(archive) as inner:
        for member in inner.namelist():
            if reason := trust.unsafe_reason(member):
                raise trust.UntrustedError(f"{member!r} in {archive.name}: {reason}")
            zf.writestr(f"saved_model/{member}", inner.read(member))
