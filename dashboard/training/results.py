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
from dashboard.training import calibration, checkpoint, evaluation, keras_file
from dashboard.training.config import TrainConfig
from dashboard.training.run_data import RunData
from models import unknown

# A run's files, pushed to the shared store when it ends (TLAB_STORE_URL) and pulled by any
# server that shows the run.
log = logging.getLogger(__name__)
ARTIFACT_FILES = (
    "predictions.npz",
    "model.keras",
    "served.keras",
    "labels.json",
    "results.json",
)


def evaluate_and_export(
    runs: RunStore, run_id: str, data: RunData, config: TrainConfig, clf, folder: Path, outcome
) -> RunResults:
    """Evaluate on the validation (and test) split, fit the calibration and the unknown rule,
    export the model with its parity check, and store predictions, artifacts and results.json.
    Returns the results."""
    manifest = data.manifest
    epochs = runs.epochs([run_id])[run_id]
    started = time.perf_counter()
    both = clf.with_features()  # one pass per split: the scores' and the unknown rule's inputs
    probs, pooled, scores = {}, {}, {}
    for split in ("val", "test"):
        if data.count(split):
            probs[split], pooled[split] = both.predict(data.feed(split, config), verbose=0)
            truth = features.labels(manifest, split)
            scores[split] = evaluation.evaluate(truth, probs[split], manifest.classes)
    frozen = clf.strategy.head_only and clf.strategy.pretrained and not outcome.base_changed
    pooled["train"] = calibration.train_pooled(data, config, clf, frozen)
    rule, calibrated = calibration.fit(data, config, pooled, probs)
    served = unknown.served_model(clf.model, rule)
    check, served_val = keras_file.export_with_parity(
        clf.model, served, manifest.classes, config, folder, data.feed("val", config)
    )
    with atomic_path(folder / "predictions.npz") as tmp:
        np.savez(tmp, **probs, served_val=served_val)
    runs.set_artifact(run_id, "predictions", str(folder / "predictions.npz"))
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
        folds=outcome.folds,
        calibration=calibrated,
    )
    write_atomic(folder / "results.json", found.to_json())
    sync.push(data.settings, *(folder / n for n in ARTIFACT_FILES))  # hashes recorded
    return found


def deployable(files: dict[str, Path]) -> Path:
    """The model file a download carries: served.keras (the classifier with its calibration and
    unknown rule), or for a run trained before runs had one, its classifier."""
    return files.get("served", files["model"])


@dataclass(frozen=True)
class Prediction:
    """One validation image as the run's model classified it."""

    index: int  # its place in the validation split (the database's misclassified indices)
    record: datasets.ImageRecord
    true: str
    predicted: str
    confidence: float  # the probability of the predicted class

    @property
    def wrong(self) -> bool:
        return self.true != self.predicted


def val_probabilities(settings: Settings, run: Run) -> np.ndarray | None:
    """The run's stored validation probabilities (images x classes), or None without them."""
    path = local_artifacts(settings, run.id).get("predictions")
    if path is None or run.results is None:
        return None
    probs = _stored(path, "val", run.results, len(run.results.classes))
    if probs is None or probs.ndim != 2 or probs.shape[1] != len(run.results.classes):
        return None  # a file that does not fit the run's classes is not read as its predictions
    return probs


def served_val(settings: Settings, run: Run) -> np.ndarray | None:
    """The served model's rows for the validation images (calibrated probabilities, score,
    flag: `models.unknown`), as stored when the run ended; None for a run without the rule or
    a file that does not fit its classes."""
    path = local_artifacts(settings, run.id).get("predictions")
    if path is None or run.results is None:
        return None
    width = len(run.results.classes) + unknown.EXTRA_OUTPUTS
    rows = _stored(path, "served_val", run.results, width)
    return rows if rows is not None and rows.ndim == 2 and rows.shape[1] == width else None


def _stored(path: Path, name: str, r: RunResults, width: int) -> np.ndarray | None:
    """One array of predictions.npz as floats, or None: missing, larger than the validation
    split's rows of `width` floats could be, not numbers, or a file that does not read."""
    images = sum(c.support for c in r.val.per_class)
    try:
        with np.load(path, allow_pickle=False) as data:
            if name not in data.files:
                return None
            found = trust.bounded_member(data, name, images * width * 8 + 4096)
    except checkpoint.UNREADABLE:
        return None
    return found if found.dtype.kind == "f" else None


@dataclass(frozen=True)
class Rejected:
    """A validation image the run calls "none of these"."""

    record: datasets.ImageRecord
    score: float


def rejected(settings: Settings, run: Run, manifest: datasets.Manifest) -> list[Rejected] | None:
    """The validation images the served model rejects, the farthest first (None: no rule)."""
    rows = served_val(settings, run)
    if rows is None:
        return None
    _probs, score, flag = unknown.split_output(rows, len(run.results.classes))
    pairs = zip(manifest.records("val"), score, flag, strict=False)
    found = [Rejected(record, float(s)) for record, s, f in pairs if f]
    return sorted(found, key=lambda r: -r.score)


def predictions(
    settings: Settings, run: Run, manifest: datasets.Manifest, probs: np.ndarray | None = None
) -> list[Prediction]:
    """Every validation image with the run's prediction (`probs`: the stored probabilities,
    read here when not given), in the split's order; none past the shorter of the split and
    the stored predictions, none whose true class the run lacks."""
    probs = val_probabilities(settings, run) if probs is None else probs
    if probs is None:
        return []
    classes = run.results.classes
    return [
        Prediction(i, record, record.cls, classes[int(p.argmax())], float(p.max()))
        for i, (record, p) in enumerate(zip(manifest.records("val"), probs, strict=False))
        if record.cls in classes
    ]


def val_truth_and_probabilities(
    settings: Settings, run: Run, manifest: datasets.Manifest, probs: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The validation images' true class indices and the run's probabilities, row for row
    (what the precision-recall and reliability charts read), or None without predictions."""
    probs = val_probabilities(settings, run) if probs is None else probs
    if probs is None:
        return None
    index = {c: i for i, c in enumerate(run.results.classes)}
    pairs = zip(manifest.records("val"), probs, strict=False)
    kept = [(index[r.cls], p) for r, p in pairs if r.cls in index]
    if not kept:
        return None
    return np.array([y for y, _p in kept]), np.stack([p for _y, p in kept])


@dataclass(frozen=True)
class Quality:
    """A finished run's per-class precision-recall curves and its reliability, on `images`
    validation images."""

    curves: list[evaluation.PrecisionRecall]
    reliability: evaluation.Reliability
    images: int


def quality(
    settings: Settings, run: Run, manifest: datasets.Manifest, probs: np.ndarray | None = None
) -> Quality | None:
    scored = val_truth_and_probabilities(settings, run, manifest, probs)
    if scored is None:
        return None
    truth, probs = scored
    curves = evaluation.precision_recall(truth, probs, run.results.classes)
    return Quality(curves, evaluation.reliability(truth, probs), len(truth))


def mistakes(
    settings: Settings,
    run: Run,
    manifest: datasets.Manifest,
    limit=12,
    shown: list[Prediction] | None = None,
) -> list[Prediction]:
    """Misclassified validation images (of `shown`, the predictions, made here when not
    given), most confident mistakes first. The indices come from the database: one that points
    past the split or its predictions, or at an image the predictions got right, is left out."""
    if run.results is None:
        return []
    shown = predictions(settings, run, manifest) if shown is None else shown
    listed = set(run.results.val.misclassified)
    wrong = [p for p in shown if p.index in listed and p.wrong]
    return sorted(wrong, key=lambda m: -m.confidence)[:limit]


def in_cell(shown: list[Prediction], true: str, predicted: str) -> list[Prediction]:
    """The images of one confusion-matrix cell, the most confident first."""
    cell = [p for p in shown if p.true == true and p.predicted == predicted]
    return sorted(cell, key=lambda p: -p.confidence)


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


@dataclass(frozen=True)
class Answer:
    """What a run's served model says of one image."""

    ranked: list[tuple[str, float]]  # every class with its (calibrated) probability, best first
    unknown: bool  # "none of these"
    score: float  # the unknown score (0 for a model without the rule)


def classify(model, classes: list[str], rgb: np.ndarray) -> Answer:
    """One image through a served model (or a run's classifier, for a run without the rule)."""
    size = int(model.input_shape[1])
    out = np.asarray(model.predict_on_batch(model_input(rgb, size)))
    probs, score, flag = unknown.split_output(out, len(classes))
    order = np.argsort(probs[0])[::-1]
    ranked = [(classes[i], float(probs[0][i])) for i in order]
    return Answer(ranked, bool(flag[0]), float(score[0]))


def explain(model, rgb: np.ndarray, class_id: int | None = None) -> tuple[np.ndarray, int]:
    """Grad-CAM of a trained classifier for one image: (heatmap in [0, 1], class explained)."""
    from models.gradcam import GradCAM

    batch = model_input(rgb, int(model.input_shape[1]))
    return GradCAM(model)(batch, class_id)
