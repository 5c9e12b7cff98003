"""What to collect next: a learning curve per class from nested subsamples of cached features,
and what N more images of a class would buy, with an interval.

For each class in turn, the probe is trained on all the other classes' training images and on
10-100% of this class's (nested: each seed draws one order of the class's images and takes its
first 10%, 25%, ...), and scored on held-out images (5 stratified folds, every image held out
once). The class's recall against its training-image count is fitted with a power law of the
error, err(n) = a * n^-b (learning curves of this kind follow one closely; Hestness et al.
2017); what N more images buy is the fitted recall at n + N minus the one at n, times the
class's share of the images: points of overall accuracy. The interval is a bootstrap over the
seeds and the held-out images (`forecast`). What more images of one class do to the others'
recall is not in it.

The probe is the ridge of `paired`, solved in its dual form: one inverse of the training
fold's regularised Gram matrix, then every subsample's solution from it by the block inverse
of the rows it keeps (cost: the rows left out, not the whole fold again), so a curve costs a
few inverses, not one solve per point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dashboard.probes.paired import FOLDS, fold_count, stratified_folds

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
SEEDS = 5
RESAMPLES = 400  # bootstrap draws of the interval
TRAIN_SHARE = (FOLDS - 1) / FOLDS  # of N more images, the share a fold trains on


@dataclass(frozen=True, eq=False)
class ClassCurve:
    """A measured learning curve: whether each scored image was classified right when held
    out, at each fraction of the training images, for each seed. For one class (`cls`): that
    class's images cut, the others whole, its own images scored. For every class (`cls`
    None): all classes cut alike, all images scored."""

    cls: int | None
    images: np.ndarray  # (fractions,) training images of the class (per class) per fold
    right: np.ndarray  # (fractions, seeds, scored images) bool
    share: float  # the scored images' share of all images

    @property
    def recall(self) -> np.ndarray:
        """(fractions,) held-out recall (accuracy, for every class), mean over seeds."""
        return self.right.mean(axis=(1, 2))

    @property
    def now(self) -> float:
        return float(self.images[-1])


@dataclass(frozen=True)
class Curves:
    per_class: list[ClassCurve]
    every: ClassCurve  # all classes cut together: what N more of each buys overall


@dataclass(frozen=True)
class Forecast:
    """What `more` images of one class would buy: points of overall accuracy (0-100)."""

    cls: int
    more: int
    gain: float  # the median over the bootstrap draws
    low: float  # their 95% percentile interval
    high: float
    recall_now: float  # measured, all of today's images
    recall_then: float  # forecast

    @property
    def buys_nothing(self) -> bool:
        return self.high < 0.5  # under half a point even at the interval's top


def class_curves(
    features: np.ndarray,
    labels: np.ndarray,
    fractions=FRACTIONS,
    seeds: int = SEEDS,
    on_step: Callable[[float], None] | None = None,
) -> Curves | None:
    """Every class's learning curve and the curve of all classes together, or None with too
    few images for two folds."""
    x = features.reshape(len(features), -1).astype("float64")
    folds = fold_count(labels, FOLDS)
    if not folds:
        return None
    n_classes = int(labels.max()) + 1
    own = np.zeros((len(fractions), seeds, len(x)), bool)  # each image, its class cut
    every = np.zeros((len(fractions), seeds, len(x)), bool)  # each image, all classes cut
    counts = np.zeros((n_classes, len(fractions)))
    for k, test in enumerate(stratified_folds(labels, folds)):
        train = np.setdiff1d(np.arange(len(x)), test)
        fold = _DualRidge(x[train], x[test], labels[train], n_classes)
        everyone = np.arange(len(test))
        for s in range(seeds):
            orders = [
                np.random.default_rng(1000 * s + c).permutation(np.flatnonzero(labels[train] == c))
                for c in range(n_classes)
            ]
            for f, fraction in enumerate(fractions):
                keeps = [max(1, round(fraction * len(o))) for o in orders]
                cut = [o[keep:] for o, keep in zip(orders, keeps, strict=True)]
                for c in range(n_classes):
                    rows = np.flatnonzero(labels[test] == c)
                    own[f, s, test[rows]] = fold.predict_without(cut[c], rows) == c
                    counts[c, f] += keeps[c] / folds / seeds
                together = fold.predict_without(np.concatenate(cut), everyone)
                every[f, s, test] = together == labels[test]
        if on_step:
            on_step((k + 1) / folds)
    share = np.bincount(labels, minlength=n_classes) / len(labels)
    per_class = [
        ClassCurve(c, counts[c], own[:, :, labels == c], float(share[c])) for c in range(n_classes)
    ]
    return Curves(per_class, ClassCurve(None, counts.mean(0), every, 1.0))


def forecast(curve: ClassCurve, more: int, seed: int = 0) -> Forecast:
    """What `more` images of this class would buy. Each bootstrap draw takes one seed's curve
    and resamples the class's held-out images (the same ones at every fraction), fits the
    power law and reads the gain: the interval holds both which images were drawn for
    training and which were there to score."""
    rng = np.random.default_rng(seed)
    n_images = curve.right.shape[2]
    then = curve.now + more * TRAIN_SHARE
    gains = np.empty(RESAMPLES)
    for b in range(RESAMPLES):
        s, picked = rng.integers(curve.right.shape[1]), rng.integers(0, n_images, n_images)
        recall = curve.right[:, s, picked].mean(1)
        fit = _power_law(curve.images, np.maximum(1 - recall, 0.5 / n_images))
        gains[b] = _recall(then, fit) - _recall(curve.now, fit)
    points = 100.0 * curve.share * gains
    low, mid, high = np.percentile(points, [2.5, 50, 97.5])
    now = float(curve.recall[-1])
    return Forecast(
        curve.cls,
        more,
        float(mid),
        float(low),
        float(high),
        now,
        float(min(1.0, now + np.median(gains))),
    )


def fitted_line(curve: ClassCurve, upto: float, points: int = 40):
    """(images, recall) of the power law fitted to the mean curve, from its first measured
    point to `upto` training images per fold: the line a chart draws through the points."""
    n_images = curve.right.shape[2]
    fit = _power_law(curve.images, np.maximum(1 - curve.recall, 0.5 / max(n_images, 1)))
    n = np.geomspace(curve.images[0], max(upto, curve.images[-1]), points)
    return n, np.array([_recall(v, fit) for v in n])


def _power_law(n: np.ndarray, err: np.ndarray) -> tuple[float, float]:
    """(a, b) of err = a * n^-b, least squares in log-log; a curve that does not fall gets
    b = 0 (more images buy nothing it can see)."""
    slope, intercept = np.polyfit(np.log(n), np.log(err), 1)
    if slope >= 0:
        return float(err.mean()), 0.0
    return float(np.exp(intercept)), float(-slope)


def _recall(n: float, fit: tuple[float, float]) -> float:
    a, b = fit
    return 1.0 - min(1.0, a * max(n, 1.0) ** -b)


class _DualRidge:
    """Ridge over features standardised on the training fold, in the dual, λ the feature count
    as in `paired.ridge_probes`: scores = K_test,kept (K_kept + λI)^-1 (t - mean) + mean.

    The targets are one-hot scaled by each class's kept count (every class's targets weigh
    the same), so a class cut to 10% of its images is not also outvoted by the others'
    numbers: the curve measures what its images teach, not the imbalance the cut made.

    The inverse M = (K + λI)^-1 of the whole fold is computed once. Leaving rows r out is its
    block inverse, (K_kk + λI)^-1 = M_kk - M_kr M_rr^-1 M_rk; written with zeroed targets on r
    and the products M T, (K_test M) T, M 1 and (K_test M) 1 kept, each subsample costs its
    left-out rows (r x r), not the fold (n x n)."""

    def __init__(self, x_train, x_test, y_train, n_classes: int):
        mean, scale = x_train.mean(0), x_train.std(0) + 1e-6
        a, b = (x_train - mean) / scale, (x_test - mean) / scale
        gram = a @ a.T
        gram[np.diag_indices_from(gram)] += a.shape[1]
        self.gram, self.cross = gram, b @ a.T
        self.m = np.linalg.inv(gram)
        self.h = self.cross @ self.m  # test x train
        self.t = np.eye(n_classes)[y_train]
        self.mt, self.m1 = self.m @ self.t, self.m.sum(1)
        self.ht, self.h1 = self.h @ self.t, self.h.sum(1)

    def predict_without(self, left_out: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The classes of test `rows`, trained without the training rows `left_out`."""
        r = np.asarray(left_out, int)
        counts = self.t.sum(0) - self.t[r].sum(0)
        weight = counts.sum() / np.maximum(counts, 1) / len(counts)  # class-balanced targets
        centre = (counts > 0) / len(counts)  # each present class's weighted targets' mean
        if 2 * len(r) > len(self.t):  # fewer rows kept than left out: solve the kept ones
            return self._solved(r, rows, weight, centre)
        h = self.h[rows]
        t_r = self.t[r]
        scores = (self.ht[rows] - h[:, r] @ t_r) * weight - np.outer(
            self.h1[rows] - h[:, r].sum(1), centre
        )
        if len(r):
            m_rr = self.m[np.ix_(r, r)]
            inside = (self.mt[r] - m_rr @ t_r) * weight - np.outer(self.m1[r] - m_rr.sum(1), centre)
            scores -= h[:, r] @ np.linalg.solve(m_rr, inside)
        return (scores + centre).argmax(1)

    def _solved(self, r, rows, weight, centre) -> np.ndarray:
        kept = np.setdiff1d(np.arange(len(self.t)), r)
        t = self.t[kept] * weight - centre
        alpha = np.linalg.solve(self.gram[np.ix_(kept, kept)], t)
        return (self.cross[np.ix_(rows, kept)] @ alpha + centre).argmax(1)
