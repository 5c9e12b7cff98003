"""Neighbours in feature space, and what they give away: images the rest of the dataset
labels differently (likely label problems) and pairs of images that are nearly the same (beyond the
exact duplicates the dataset summary finds by file hash). Cosine similarity of centred
features throughout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K = 5  # neighbours asked about each image
SUSPECT_GIVEN = 0.15  # a suspect: its label gets at most this out-of-fold probability ...
SUSPECT_OTHER = 0.5  # ... and another class at least this
NEAR_DUPLICATE = 0.97  # cosine similarity over which two images count as near-duplicates
MAX_PAIRS = 50


@dataclass(frozen=True)
class Suspect:
    index: int
    label: int  # as given
    likely: int  # the class the features point to
    given_probability: float  # out-of-fold probability of the given label
    likely_probability: float
    neighbours_share: float  # of its K nearest neighbours carrying `likely`


@dataclass(frozen=True)
class NearDuplicate:
    first: int
    second: int
    similarity: float


def unit_rows(features: np.ndarray) -> np.ndarray:
    """Rows centred on the dataset's mean, then of unit length. Pooled ReLU features all point
    into one orthant, so raw cosines of any two images are high; centred, they tell images
    apart."""
    x = features.astype("float32").reshape(len(features), -1)
    x = x - x.mean(0)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def nearest(features: np.ndarray, index: int, k: int = K) -> list[tuple[int, float]]:
    """The `k` images most like image `index` (itself left out): (index, cosine similarity)."""
    x = unit_rows(features)
    sims = x @ x[index]
    sims[index] = -np.inf
    order = np.argsort(-sims)[:k]
    return [(int(i), float(sims[i])) for i in order]


def _neighbour_table(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest rows and similarities, in blocks (memory stays ~ block x n)."""
    n = len(x)
    k = min(k, n - 1)
    idx = np.zeros((n, k), int)
    sim = np.zeros((n, k), "float32")
    for start in range(0, n, 1024):
        block = x[start : start + 1024] @ x.T
        rows = np.arange(start, start + len(block))
        block[rows - start, rows] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_sim = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_sim, axis=1)
        idx[rows] = np.take_along_axis(top, order, axis=1)
        sim[rows] = np.take_along_axis(top_sim, order, axis=1)
    return idx, sim


def suspects(features: np.ndarray, labels: np.ndarray, limit: int = 20) -> list[Suspect]:
    """Images whose label the rest of the dataset disagrees with, the clearest first.

    Each image is scored by a linear probe (logistic regression on the standardised features)
    trained on the other folds only, so an image never vouches for its own label; a suspect is
    one whose given label gets at most SUSPECT_GIVEN while another class gets SUSPECT_OTHER or
    more. The share of its nearest neighbours carrying that class is shown beside it. (The
    neighbours' vote alone flagged a third of flowers-mini with the small backbones, the
    planted errors not among the first: docs/features.md.)"""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = min(5, int(np.bincount(labels).min())) if len(labels) else 0
    if folds < 2 or len(np.unique(labels)) < 2:
        return []
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    x = features.reshape(len(features), -1)
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    probs = cross_val_predict(probe, x, labels, cv=cv, method="predict_proba")
    given = probs[np.arange(len(labels)), labels]
    others = probs.copy()
    others[np.arange(len(labels)), labels] = -1.0
    likely = others.argmax(1)
    flagged = np.flatnonzero((given <= SUSPECT_GIVEN) & (others.max(1) >= SUSPECT_OTHER))
    flagged = flagged[np.argsort(given[flagged])][:limit]
    idx, _ = _neighbour_table(unit_rows(features), K)
    return [
        Suspect(
            int(i),
            int(labels[i]),
            int(likely[i]),
            float(given[i]),
            float(probs[i, likely[i]]),
            float(np.mean(labels[idx[i]] == likely[i])),
        )
        for i in flagged
    ]


def near_duplicates(
    features: np.ndarray, hashes: list[str], threshold: float = NEAR_DUPLICATE
) -> list[NearDuplicate]:
    """Pairs over `threshold` that are not the same file, the most similar first."""
    if len(features) < 2:
        return []
    idx, sim = _neighbour_table(unit_rows(features), min(K, len(features) - 1))
    pairs = {}
    for i in range(len(features)):
        for j, s in zip(idx[i], sim[i], strict=True):
            if s >= threshold and hashes[i] != hashes[j]:
                pairs[(min(i, j), max(i, j))] = float(s)
    ranked = sorted(pairs.items(), key=lambda p: -p[1])[:MAX_PAIRS]
    return [NearDuplicate(a, b, s) for (a, b), s in ranked]
