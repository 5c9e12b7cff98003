"""Pooled features to 2-D points: PCA, or PCA to 50 dimensions then t-SNE (scikit-learn).

Vectors are standardised first, so no one channel with a large scale decides the picture.
Above `limit` images a stratified sample is mapped (the page says so), which keeps t-SNE, the
slow step, to the same few seconds for a dataset of any size (`python -m bench featurespace`).
"""

from __future__ import annotations

import numpy as np

METHODS = ("t-SNE", "PCA")
LIMIT = 3000  # images mapped on the page; more are sampled down to this
PCA_DIMS = 50


def sample_rows(labels: np.ndarray, limit: int = LIMIT, seed: int = 0) -> np.ndarray:
    """Indices of at most `limit` images, every class in its share (all of them under it):
    each class gets the whole part of its share, at least one, and the images left over go to
    the largest remainders (rounding each share alone gave 3,001 of 20,000 for 3,000)."""
    n = len(labels)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    shares = limit * counts / n
    takes = np.maximum(1, np.floor(shares)).astype(int)
    for i in np.argsort(takes - shares)[: max(0, limit - takes.sum())]:
        takes[i] += 1
    rows = [
        rng.choice(np.flatnonzero(labels == cls), size=min(take, count), replace=False)
        for cls, count, take in zip(classes, counts, takes, strict=True)
    ]
    return np.sort(np.concatenate(rows))


def embed(features: np.ndarray, method: str = "t-SNE", seed: int = 0) -> np.ndarray:
    """(n, 2) points; `method` is "t-SNE" or "PCA"."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    x = _standardised(features)
    n = len(x)
    if n < 3:
        return np.zeros((n, 2), "float32")
    dims = min(PCA_DIMS if method == "t-SNE" else 2, n, x.shape[1])
    reduced = PCA(dims, random_state=seed).fit_transform(x)
    if method == "PCA":
        return _two_columns(reduced)
    perplexity = float(min(30.0, (n - 1) / 3))
    tsne = TSNE(
        2,
        perplexity=perplexity,
        init="pca",
        random_state=seed,
        n_jobs=-1,
    )
    return tsne.fit_transform(reduced).astype("float32")


def _standardised(features: np.ndarray) -> np.ndarray:
    x = features.astype("float32").reshape(len(features), -1)
    std = x.std(0)
    return (x - x.mean(0)) / np.where(std > 1e-6, std, 1.0)


def _two_columns(x: np.ndarray) -> np.ndarray:
    out = np.zeros((len(x), 2), "float32")
    out[:, : x.shape[1]] = x[:, :2]
    return out
