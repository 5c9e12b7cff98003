"""Export a trained classifier as `.keras` files plus its label map, and prove they agree.

The exported model takes raw RGB images (float 0-255, size x size) and holds its own
preprocessing, calibration and "none of these" rule (built-in layers and ops only,
`models.unknown`), so `keras.saving.load_model(path)` is all a user needs. The parity check
reloads the file from disk and predicts the validation images again: every predicted class and
every unknown flag must equal the app's, and the probabilities must match to float precision.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import keras
import numpy as np

from dashboard.runs import ExportCheck, Run
from dashboard.settings import Settings
from dashboard.storage import atomic_path, write_atomic
from dashboard.training import model_card, predict_py
from dashboard.training.config import TrainConfig
from models import unknown


def export_with_parity(
    model: keras.Model,
    served: keras.Model,
    classes: list[str],
    config: TrainConfig,
    folder: Path,
    val_batches,
) -> tuple[ExportCheck, np.ndarray]:
    """Writes model.keras (the classifier: what the app explains and trains on), served.keras
    (the classifier with the rule on top: what is downloaded and deployed) and labels.json;
    reloads served.keras and compares it with the served model in memory on the validation
    images. Returns the check and the in-memory served model's output on them."""
    model_path, served_path = folder / "model.keras", folder / "served.keras"
    labels_path = folder / "labels.json"
    for keras_model, path in ((model, model_path), (served, served_path)):
        with atomic_path(path) as tmp:  # a crash never leaves a half-written file
            keras_model.save(tmp)
    labels = {
        "classes": classes,
        "image_size": config.image_size,
        "input": "RGB float 0-255",
        "output": "calibrated probabilities of the classes, then the unknown score and flag",
        "backbone": config.backbone,
        "strategy": config.strategy,
    }
    write_atomic(labels_path, json.dumps(labels, indent=1, ensure_ascii=False))
    app_out = served.predict(val_batches, verbose=0)
    file_out = keras.saving.load_model(served_path, safe_mode=True).predict(val_batches, verbose=0)
    checks = parity(file_out, app_out, len(classes))
    check = ExportCheck(
        model=str(model_path),
        labels=str(labels_path),
        served=str(served_path),
        parity_ok=checks["parity_same_class"] == checks["parity_images"]
        and checks["parity_unknown_same"] == checks["parity_images"],
        **checks,
    )
    return check, app_out


def parity(out: np.ndarray, app_out: np.ndarray, n_classes: int) -> dict:
    """How far an export's answers are from the app's on the same images: the same class, the
    largest probability difference, the same unknown flag."""
    probs, _score, flag = unknown.split_output(out, n_classes)
    app_probs, _app_score, app_flag = unknown.split_output(app_out, n_classes)
    same = probs.argmax(1) == app_probs.argmax(1)
    return {
        "parity_images": int(len(same)),
        "parity_same_class": int(same.sum()),
        "parity_max_abs_diff": float(np.abs(probs - app_probs).max()) if len(same) else 0.0,
        "parity_unknown_same": int((flag == app_flag).sum()),
    }


def keras_zip(settings: Settings, run: Run, model_path: str, labels_path: str) -> bytes:
    """A zip for download: the model to deploy as model.keras (`results.deployable`),
    labels.json, the model card (JSON) and a usage snippet."""
    card = model_card.card_json(settings, run)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(model_path, "model.keras")
        zf.write(labels_path, "labels.json")
        zf.writestr(model_card.FILE, card)
        zf.writestr("predict.py", predict_py.script("keras", "model.keras"))
    return buf.getvalue()
