"""A run's results: evaluation and export after training, and what the Train page shows of a
finished run (its mistakes, a try-it prediction, Grad-CAM)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dashboard import datasets, features, trust
from dashboard.runs import Run, RunResults, RunStore, run_folder, sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path, write_atomic
from dashboard.training import evaluation, keras_file
from dashboard.training.config import TrainConfig
from dashboard.training.run_data import RunData

# A run's files, pushed to the shared store when it ends (TLAB_STORE_URL) and pulled by any
# server that shows the run.
log = logging.getLogger(__name__)
ARTIFACT_FILES = ("predictions.npz", "model.keras", "labels.json", "results.json")


def evaluate_and_export(
    runs: RunStore, run_id: str, data: RunData, config: TrainConfig, model, folder: Path, outcome
) -> RunResults:
    """Evaluate on the validation (and test) split, export the model with its parity check, and
    store predictions, artifacts and results.json. Returns the results."""
    manifest = data.manifest
    epochs = runs.epochs([run_id])[run_id]
    started = time.perf_counter()
    probs, scores = {}, {}
    for split in ("val", "test"):
        if data.count(split):
            probs[split] = model.predict(data.feed(split, config), verbose=0)
            truth = features.labels(manifest, split)
            scores[split] = evaluation.evaluate(truth, probs[split], manifest.classes)
    with atomic_path(folder / "predictions.npz") as tmp:
        np.savez(tmp, **probs)
    runs.set_artifact(run_id, "predictions", str(folder / "predictions.npz"))
    check = keras_file.export_with_parity(
        model, manifest.classes, config, folder, probs["val"], data.feed("val", config)
    )
    runs.set_artifact(run_id, "model", check.model)
    runs.set_artifact(run_id, "labels", check.labels)
    spent = round(time.perf_counter() - started, 3)
    found = RunResults(
        classes=manifest.classes,
        best_val_acc=max((e["val_acc"] or 0 for e in epochs), default=0.0),
        val=scores["val"],
        test=scores.get("test"),
        export=check,
        cache_hits=outcome.cache_hits,
        seconds={**outcome.seconds(), "evaluate_export": spent},
    )
    write_atomic(folder / "results.json", found.to_json())
    sync.push(data.settings, *(folder / n for n in ARTIFACT_FILES))  # hashes recorded
    return found


@dataclass(frozen=True)
class Mistake:
    record: datasets.ImageRecord
    true: str
    predicted: str
    confidence: float


def mistakes(settings: Settings, run: Run, manifest: datasets.Manifest, limit=12) -> list[Mistake]:
    """Misclassified validation images, most confident mistakes first. The indices come from
    the database: one that points past the split or its predictions is left out."""
    if run.results is None:
        return []
    with np.load(local_artifacts(settings, run.id)["predictions"]) as data:
        probs = data["val"]
    val, classes = manifest.records("val"), run.results.classes
    rows = [i for i in run.results.val.misclassified if 0 <= i < min(len(val), len(probs))]
    wrong = [
        Mistake(val[i], val[i].cls, classes[int(probs[i].argmax())], float(probs[i].max()))
        for i in rows
        if int(probs[i].argmax()) < len(classes)
    ]
    return sorted(wrong, key=lambda m: -m.confidence)[:limit]


def local_artifacts(settings: Settings, run_id: str) -> dict[str, Path]:
    """A finished run's files on this machine ({"model": .../model.keras, "labels": ...,
    "predictions": ...}), pulled from the shared store when another machine trained it."""
    try:
        folder = run_folder(settings.home, run_id)
    except trust.UntrustedError as exc:  # an id from the database that is not a run id
        log.warning("%s", exc)
        return {}
    found = {}
    for name in ARTIFACT_FILES:  # each checked against the sha256 its trainer recorded
        path = sync.pull(settings, folder / name)
        if path is not None:
            found[name.partition(".")[0]] = path
    return found


def model_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """The training pipeline's view of an image: the whole image resized (bilinear), float."""
    import tensorflow as tf

    return tf.image.resize(rgb[None], (size, size)).numpy()


def classify(model, classes: list[str], rgb: np.ndarray) -> list[tuple[str, float]]:
    size = int(model.input_shape[1])
    probs = model.predict_on_batch(model_input(rgb, size))[0]
    order = np.argsort(probs)[::-1]
    return [(classes[i], float(probs[i])) for i in order]


def explain(model, rgb: np.ndarray, class_id: int | None = None) -> tuple[np.ndarray, int]:
    """Grad-CAM of a trained classifier for one image: (heatmap in [0, 1], class explained)."""
    from models.gradcam import GradCAM

    batch = model_input(rgb, int(model.input_shape[1]))
    return GradCAM(model)(batch, class_id)
