"""Which "none of these" score to build (`python -m bench unknown`): on flowers-mini's
MobileNetV2 features, four out-of-distribution scores, each with its threshold set to keep 95%
of the flowers, measured on photos of other kinds and on a held-out flower class.

The scores, higher = less like the training classes:
- msp: 1 - the largest softmax probability of a logistic-regression head (the baseline);
- energy: -logsumexp of that head's logits (Liu et al. 2020);
- mahalanobis: the squared distance to the nearest class mean in the feature space whitened by
  the shared covariance (Ledoit-Wolf shrinkage; Lee et al. 2018);
- knn: the cosine distance to the 5th-nearest training image (Sun et al. 2022);
- knn_app: the same score with the app's threshold (`models.unknown`: split conformal, which
  aims at keeping at least 95% of new images rather than 95% of the ones it was set on).

In-distribution acceptance is measured on images the threshold did not see: the validation
images are halved at random, the threshold set on one half (its 95th percentile) and the other
half scored, 20 times. The other kinds: skimage's bundled photos (each also as four corner
crops), its `lfw_subset` faces and scikit-learn's digits, resized as the app resizes uploads.
The near unknown: each flower class in turn left out of training and scored (info only).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BACKBONE = "MobileNetV2"
KEEP = 0.95  # of the flowers, by construction of the threshold
SPLITS = 20


def run() -> list[dict]:
    from dashboard import datasets, features
    from dashboard.settings import Settings
    from dashboard.training import other_kinds
    from models import catalog

    shared = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))
    weights = os.environ.get("TLAB_WEIGHTS_DIR", str(shared / "keras-weights"))
    backbone = catalog.get(BACKBONE)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({"TLAB_HOME": home, "TLAB_WEIGHTS_DIR": weights})
        data = (shared / "datasets" / "flowers-mini.zip").read_bytes()
        manifest = datasets.ingest_zip(settings, io.BytesIO(data), "flowers").manifest
        x, _ = features.stacked_features(settings, manifest, backbone)
        size = backbone.input_size
        model = features.pooled_model(settings, backbone, size)
        others = {k: model.predict(v, verbose=0) for k, v in other_kinds.photos(size).items()}
    records = features.ordered_records(manifest)
    y = np.array(manifest.labels(records))
    train = np.array([r.split == "train" for r in records])
    figures = _far(x[train], y[train], x[~train], others)
    figures += _near(x, y, train, manifest.classes)
    return figures


def _scores(x_train, y_train, classes: int):
    """score(x) for each method, fitted on the training features."""
    from sklearn.covariance import LedoitWolf
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scale = StandardScaler().fit(x_train)
    head = LogisticRegression(max_iter=2000, C=0.1).fit(scale.transform(x_train), y_train)
    means = np.stack([x_train[y_train == c].mean(0) for c in range(classes)])
    precision = LedoitWolf().fit(x_train - means[y_train]).precision_
    unit = x_train / np.linalg.norm(x_train, axis=1, keepdims=True)

    def logits(x):
        return head.decision_function(scale.transform(x))

    def msp(x):
        z = logits(x)
        p = np.exp(z - z.max(1, keepdims=True))
        return 1 - (p / p.sum(1, keepdims=True)).max(1)

    def energy(x):
        z = logits(x)
        top = z.max(1)
        return -(top + np.log(np.exp(z - top[:, None]).sum(1)))

    def mahalanobis(x):
        d = x[:, None, :] - means[None]
        return np.einsum("ncd,de,nce->nc", d, precision, d).min(1)

    def knn(x):
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        return 1 - np.sort(u @ unit.T, axis=1)[:, -5]

    return {"msp": msp, "energy": energy, "mahalanobis": mahalanobis, "knn": knn, "knn_app": knn}


def _percentile(scores: np.ndarray) -> float:
    return float(np.quantile(scores, KEEP))


def _conformal(scores: np.ndarray) -> float:
    from models.unknown import conformal_threshold

    return conformal_threshold(scores, KEEP)


# knn_app: the app's rule (models.unknown): kNN with the split-conformal threshold
_THRESHOLDS = {"knn_app": _conformal}


def _far(x_train, y_train, x_val, others) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for name, score in _scores(x_train, y_train, int(y_train.max()) + 1).items():
        val = score(x_val)
        threshold = _THRESHOLDS.get(name, _percentile)
        other = {k: score(v) for k, v in others.items()}
        kept, rejected = [], {k: [] for k in other}
        for _ in range(SPLITS):
            order = rng.permutation(len(val))
            half = len(val) // 2
            cut = threshold(val[order[:half]])
            kept.append(float((val[order[half:]] <= cut).mean()))
            for k, s in other.items():
                rejected[k].append(float((s > cut).mean()))
        line = {k: round(float(np.mean(v)), 3) for k, v in rejected.items()}
        every = float(np.mean([np.mean(v) for v in rejected.values()]))
        print(
            f"# {name}: flowers kept {np.mean(kept):.3f} (of unseen halves; spread "
            f"{min(kept):.2f}-{max(kept):.2f}), others rejected {line}, mean {every:.3f}",
            flush=True,
        )
        out.append(
            {
                "figure": f"unknown_{name}",
                "flowers_kept": round(float(np.mean(kept)), 3),
                "rejected": line,
                "images": {k: len(v) for k, v in others.items()},
            }
        )
    return out


def _near(x, y, train, classes: list[str]) -> list[dict]:
    """Each flower class left out of training, scored at the threshold that keeps 95% of the
    other four classes' validation images."""
    out = []
    for held, name in enumerate(classes):
        keep = y != held
        fit_rows = train & keep
        labels = np.searchsorted(np.unique(y[fit_rows]), y[fit_rows])
        scores = _scores(x[fit_rows], labels, len(classes) - 1)
        rates = {}
        for method, score in scores.items():
            cut = _THRESHOLDS.get(method, _percentile)(score(x[~train & keep]))
            rates[method] = round(float((score(x[y == held]) > cut).mean()), 3)
        print(f"# held out {name}: rejected {rates}", flush=True)
        out.append({"figure": f"unknown_near_{name}", "rejected": rates})
    return out
