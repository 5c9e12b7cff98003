"""What the Train page needs around a run: backbone choices, results, try-it, caches."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import numpy as np

from dashboard import datasets
from dashboard.dataset_store import ImageRecord, Manifest
from dashboard.explore import ModelChoice, default_model_key, model_choices
from dashboard.feature_cache import FeatureCache
from dashboard.run_store import Run
from dashboard.settings import Settings
from models.strategies import STRATEGIES

strategies = STRATEGIES


def backbone_choices(settings: Settings) -> list[ModelChoice]:
    """Every catalog model, marked by whether its no-top (feature) weights are on disk."""
    return model_choices(settings, include_top=False)


def default_backbone(settings: Settings) -> str:
    return default_model_key(settings, include_top=False)


@dataclass(frozen=True)
class Mistake:
    record: ImageRecord
    true: str
    predicted: str
    confidence: float


def mistakes(settings: Settings, run: Run, manifest: Manifest, limit: int = 12) -> list[Mistake]:
    """Misclassified validation images, most confident mistakes first."""
    path = run.results.get("export", {}).get("model")
    if not path:
        return []
    with np.load(run_path(settings, run) / "predictions.npz") as data:
        probs = data["val"]
    val = [r for r in manifest.images if r.split == "val"]
    classes = run.results["classes"]
    wrong = [
        Mistake(val[i], val[i].cls, classes[int(probs[i].argmax())], float(probs[i].max()))
        for i in run.results["val"]["misclassified"]
    ]
    return sorted(wrong, key=lambda m: -m.confidence)[:limit]


def run_path(settings: Settings, run: Run):
    return settings.home / "runs" / run.id


def model_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """The training pipeline's view of an image: the whole image resized (bilinear), float."""
    import tensorflow as tf

    return tf.image.resize(rgb[None], (size, size)).numpy()


def classify(model, classes: list[str], rgb: np.ndarray) -> list[tuple[str, float]]:
    size = int(model.input_shape[1])
    probs = model.predict_on_batch(model_input(rgb, size))[0]
    order = np.argsort(probs)[::-1]
    return [(classes[i], float(probs[i])) for i in order]


def explain(model, rgb: np.ndarray, class_id: int | None = None):
    from models.gradcam import classifier_cam

    return classifier_cam(model, model_input(rgb, int(model.input_shape[1])), class_id)


def record_path(settings: Settings, manifest: Manifest, record: ImageRecord):
    return datasets.store(settings).image_path(manifest, record)


def cache_sizes(settings: Settings) -> dict[str, int]:
    def folder_bytes(name: str) -> int:
        return sum(p.stat().st_size for p in settings.cache_dir(name).rglob("*") if p.is_file())

    return {"features": folder_bytes("features"), "pixels": folder_bytes("pixels")}


def clear_caches(settings: Settings) -> None:
    FeatureCache(settings.cache_dir("features")).clear()
    shutil.rmtree(settings.cache_dir("pixels"), ignore_errors=True)
