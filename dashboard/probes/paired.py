"""Did a change to the data help? A paired k-fold linear probe on cached features.

Both sides are trained on the same folds of the same images, the old side on the old labels
and the new side on the new ones (without the images the new side excluded), and both are
scored on the same held-out images against the new labels: the labels the person now
believes. Scoring each side on its own labels would reward any relabel towards what the
features already say, a correct image moved to a wrong class included; scored against one
truth, only what the training labels teach can differ.

The probe is ridge regression on one-hot targets over standardised features, solved in closed
form (one factorisation per fold serves both sides): a linear probe like the logistic one of
the suspects list, at about 1 s for 2,000 x 1,280 features against 2.3 s for scikit-learn's
`cross_val_score` of `LogisticRegression` on both label sets (`python -m bench probes`), which
keeps the check within seconds while the person decides. The interval is Student's t over the
folds' paired differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class PairedResult:
    """The new side's accuracy minus the old side's, in points (0-100), over `folds` folds."""

    gain: float
    low: float  # 95% interval of the mean gain
    high: float
    folds: int
    old_accuracy: float  # 0-1, pooled over the held-out images
    new_accuracy: float
    scored: int  # held-out images scored, all folds together
    per_fold: tuple[float, ...]

    @property
    def within_noise(self) -> bool:
        return self.low <= 0.0 <= self.high


def ridge_probes(x_train: np.ndarray, label_sets: list[np.ndarray], n_classes: int) -> list:
    """For each set of labels of the same training rows, a function from features to
    predicted classes: ridge on one-hot targets, features standardised on the training rows,
    the penalty the number of features. One factorisation serves every label set."""
    from scipy.linalg import cho_factor, cho_solve

    mean, scale = x_train.mean(0), x_train.std(0) + 1e-6
    a = (x_train - mean) / scale
    eye = np.eye(n_classes, dtype=a.dtype)
    targets = np.concatenate([eye[y] - eye[y].mean(0) for y in label_sets], axis=1)
    gram = a.T @ a
    gram[np.diag_indices_from(gram)] += a.shape[1]
    weights = cho_solve(cho_factor(gram, overwrite_a=True), a.T @ targets)
    parts = np.split(weights, len(label_sets), axis=1)
    return [lambda x, w=w: (((x - mean) / scale) @ w).argmax(1) for w in parts]


def stratified_folds(labels: np.ndarray, folds: int, seed: int = SEED) -> list[np.ndarray]:
    """Held-out index sets, each class spread evenly over the folds."""
    from sklearn.model_selection import StratifiedKFold

    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return [test for _, test in cv.split(np.zeros(len(labels)), labels)]


def fold_count(labels: np.ndarray, wanted: int = FOLDS) -> int:
    """As many folds as asked, at most the smallest class's count (0: too few to check)."""
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    folds = min(wanted, int(counts.min())) if len(counts) > 1 else 0
    return folds if folds >= 2 else 0


def paired_kfold(
    features: np.ndarray,
    old_labels: np.ndarray,
    new_labels: np.ndarray,
    kept: np.ndarray | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
) -> PairedResult | None:
    """The paired check, or None with too few images per class for two folds.

    `new_labels[i]` is image i's class in the new version, `kept[i]` False for an image the
    new version excluded (it is neither trained on by the new side nor scored)."""
    x = features.reshape(len(features), -1).astype("float32")
    kept = np.ones(len(x), bool) if kept is None else np.asarray(kept, bool)
    folds = fold_count(old_labels, folds)
    if not folds:
        return None
    n_classes = int(max(old_labels.max(), new_labels.max())) + 1
    held_out = stratified_folds(old_labels, folds, seed)
    diffs, right_old, right_new, scored = [], 0, 0, 0
    for test in held_out:
        train = np.setdiff1d(np.arange(len(x)), test)
        train_new = train[kept[train]]
        if len(train_new) == len(train):  # the same rows: one solve for both sides
            old, new = ridge_probes(x[train], [old_labels[train], new_labels[train]], n_classes)
        else:
            (old,) = ridge_probes(x[train], [old_labels[train]], n_classes)
            (new,) = ridge_probes(x[train_new], [new_labels[train_new]], n_classes)
        test = test[kept[test]]
        truth = new_labels[test]
        old_right, new_right = old(x[test]) == truth, new(x[test]) == truth
        diffs.append(100.0 * (new_right.mean() - old_right.mean()))
        right_old, right_new, scored = (
            right_old + old_right.sum(),
            right_new + new_right.sum(),
            scored + len(test),
        )
    return _result(np.array(diffs), right_old, right_new, scored)


def _result(diffs: np.ndarray, right_old: int, right_new: int, scored: int) -> PairedResult:
    from scipy import stats

    mean = float(diffs.mean())
    half = float(stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs)))
    return PairedResult(
        mean,
        mean - half,
        mean + half,
        len(diffs),
        right_old / max(scored, 1),
        right_new / max(scored, 1),
        int(scored),
        tuple(float(d) for d in diffs),
    )
