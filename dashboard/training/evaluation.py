"""Scores of a trained classifier: accuracy, confusion matrix, per-class precision/recall/F1."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

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
