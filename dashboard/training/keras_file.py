"""Export a trained classifier as a `.keras` file plus its label map, and prove it agrees.

The exported model takes raw RGB images (float 0-255, size x size) and holds its own
preprocessing (built-in layers only), so `keras.saving.load_model(path)` is all a user needs.
The parity check reloads the file from disk and predicts the validation images again: every
predicted class must equal the app's, and the probabilities must match to float precision.
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
from dashboard.training import model_card
from dashboard.training.config import TrainConfig

USAGE = """\
import json, keras, numpy as np
from PIL import Image

model = keras.saving.load_model("model.keras")
classes = json.load(open("labels.json"))["classes"]
size = model.input_shape[1]
image = Image.open("photo.jpg").convert("RGB").resize((size, size), Image.BILINEAR)
probs = model.predict(np.asarray(image, "float32")[None])[0]
print(classes[int(probs.argmax())], float(probs.max()))
"""


def export_with_parity(
    model: keras.Model,
    classes: list[str],
    config: TrainConfig,
    folder: Path,
    app_probs: np.ndarray,
    val_batches,
) -> ExportCheck:
    model_path, labels_path = folder / "model.keras", folder / "labels.json"
    with atomic_path(model_path) as tmp:  # a crash never leaves a half-written model.keras
        model.save(tmp)
    labels = {
        "classes": classes,
        "image_size": config.image_size,
        "input": "RGB float 0-255",
        "backbone": config.backbone,
        "strategy": config.strategy,
    }
    write_atomic(labels_path, json.dumps(labels, indent=1, ensure_ascii=False))
    reloaded = keras.saving.load_model(model_path)
    file_probs = reloaded.predict(val_batches, verbose=0)
    same_class = file_probs.argmax(1) == app_probs.argmax(1)
    return ExportCheck(
        model=str(model_path),
        labels=str(labels_path),
        parity_images=int(len(same_class)),
        parity_same_class=int(same_class.sum()),
        parity_max_abs_diff=float(np.abs(file_probs - app_probs).max()) if len(same_class) else 0.0,
        parity_ok=bool(same_class.all()),
    )


def keras_zip(settings: Settings, run: Run, model_path: str, labels_path: str) -> bytes:
    """A zip for download: model.keras, labels.json, the model card (JSON) and a usage
    snippet."""
    card = model_card.card_json(settings, run)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(model_path, "model.keras")
        zf.write(labels_path, "labels.json")
        zf.writestr(model_card.FILE, card)
        zf.writestr("predict.py", USAGE)
    return buf.getvalue()
