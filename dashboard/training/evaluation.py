"""Scores of a trained classifier: accuracy, confusion matrix, per-class precision/recall/F1;
per-class precision-recall curves and the reliability (calibration) of its probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
)

from dashboard.runs import ClassScores, SplitScores


def evaluate(y_true: np.ndarray, probs: np.ndarray, classes: list[str]) -> SplitScores:
    y_pred = probs.argmax(axis=1)
    labels = list(range(len(classes)))
    p, r, f, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return SplitScores(
        accuracy=float((y_pred == y_true).mean()) if len(y_true) else 0.0,
        confusion=confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        per_class=[
            ClassScores(c, float(p[i]), float(r[i]), float(f[i]), int(support[i]))
            for i, c in enumerate(classes)
        ],
        misclassified=[int(i) for i in np.flatnonzero(y_pred != y_true)],
    )


@dataclass(frozen=True)
class ReliabilityBin:
    """Validation images whose top probability fell in [low, high)."""

    low: float
    high: float
    count: int
    confidence: float  # their mean top probability
    accuracy: float  # how many of them the model got right


@dataclass(frozen=True)
class Reliability:
    bins: list[ReliabilityBin]  # the bins that hold images
    expected_error: float  # ECE: the count-weighted mean |accuracy - confidence|


def reliability(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 10) -> Reliability:
    """How far the model's confidence is from its accuracy (a calibration or reliability
    diagram, Guo et al. 2017): a calibrated model is right on 80% of the images it gives 80%."""
    top, right = probs.max(1), probs.argmax(1) == y_true
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    where = np.clip(np.digitize(top, edges[1:-1]), 0, n_bins - 1)
    bins, gap = [], 0.0
    for b in range(n_bins):
        inside = where == b
        if not inside.any():
            continue
        confidence, accuracy = float(top[inside].mean()), float(right[inside].mean())
        bins.append(ReliabilityBin(edges[b], edges[b + 1], int(inside.sum()), confidence, accuracy))
        gap += inside.sum() * abs(accuracy - confidence)
    return Reliability(bins, float(gap / max(len(top), 1)))


@dataclass(frozen=True)
class PrecisionRecall:
    """One class against the rest, as its probability's threshold moves."""

    cls: str
    precision: list[float]
    recall: list[float]
    average_precision: float  # the area under the curve, step-wise (scikit-learn's AP)


def precision_recall(
    y_true: np.ndarray, probs: np.ndarray, classes: list[str]
) -> list[PrecisionRecall]:
    """Per class, the precision-recall curve of its probability; classes absent from the
    split have none."""
    curves = []
    for i, cls in enumerate(classes):
        positive = y_true == i
        if not positive.any():
            continue
        precision, recall, _thresholds = precision_recall_curve(positive, probs[:, i])
        ap = float(average_precision_score(positive, probs[:, i]))
        curves.append(PrecisionRecall(cls, precision.tolist(), recall.tolist(), ap))
    return curves
