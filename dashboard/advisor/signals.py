"""How like ImageNet is a dataset? Three signals, each a pure function of arrays.

Each signal answers one plain question from what a pretrained backbone makes of the images, and
each maps to a score in [0, 1] where 0.5 is its threshold (`score`). Thresholds were set from the
sample datasets (docs/advisor.md): flowers-mini (natural photos) against scikit-learn
digits and scikit-image lfw_subset, with MobileNet α=0.25.

1. ImageNet classes seen: how many different ImageNet classes the pretrained classifier names
   across 100 images. Natural photos spread over many; digits are all "matchstick".
2. Transfer lift: how far above chance a linear head separates the classes on pretrained
   features, over the same on features of the same network with random weights.
3. Silent detectors: the share of high-level feature channels that respond on natural photos but
   stay (nearly) silent on these images: ImageNet's detectors finding nothing they know.

A fourth candidate, the classifier's mean confidence, is not used: it ranked digits (0.22) above
flowers (0.17) because a small network hedges between flower species ImageNet lacks, while it is
confidently wrong about digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.i18n import N_

CONCENTRATION_SAMPLE = 100  # images the ImageNet classifier looks at (the count depends on it)
PROBE_MAX_IMAGES = 1000  # images the linear probes use (stratified), to bound the time
SILENT_FRACTION = 0.1  # a channel is silent below this share of its usual response
# Stored as an advice's note (English); the page shows it translated.
TOO_FEW_FOR_PROBE = N_("every class needs at least 2 images for the linear probe")


@dataclass(frozen=True)
class SignalSpec:
    key: str
    title: str  # N_: translated where shown
    question: str  # the plain-words explanation shown next to the figure (N_)
    different: float  # value at score 0
    threshold: float  # value at score 0.5
    similar: float  # value at score 1
    unit: str = ""


SPECS = {
    s.key: s
    for s in (
        SignalSpec(
            "imagenet_classes",
            N_("ImageNet classes seen"),
            N_(
                "How many different ImageNet classes the pretrained classifier names across 100 "
                "of your images (effective number). Natural photos show many things; images "
                "unlike ImageNet all look like the same few things to it."
            ),
            different=1.0,
            threshold=16.0,
            similar=30.0,
            unit=" classes",
        ),
        SignalSpec(
            "transfer_lift",
            N_("Transfer lift"),
            N_(
                "How far above chance a linear head separates your classes on the pretrained "
                "features, divided by the same on features of the same network with random "
                "weights. Near 1: ImageNet's training adds little for these images."
            ),
            different=1.0,
            threshold=1.5,
            similar=3.0,
            unit="×",
        ),
        SignalSpec(
            "silent_channels",
            N_("Silent detectors"),
            N_(
                "The share of the backbone's high-level feature channels that respond on natural "
                "photos but stay nearly silent (under 10% of their usual response) on your "
                "images: ImageNet's detectors finding nothing they know."
            ),
            different=0.5,
            threshold=0.15,
            similar=0.0,
            unit="",
        ),
    )
}


def score(spec: SignalSpec, value: float) -> float:
    """Piecewise-linear map: `different` → 0, `threshold` → 0.5, `similar` → 1 (clipped).

    Works for signals where larger means more similar and for those where it means less."""
    lo, mid, hi = spec.different, spec.threshold, spec.similar
    if (value - mid) * (hi - mid) < 0:  # on the "different" side of the threshold
        t = 0.5 * (value - lo) / (mid - lo)
    else:
        t = 0.5 + 0.5 * (value - mid) / (hi - mid)
    return float(np.clip(t, 0.0, 1.0))


def effective_count(labels: np.ndarray) -> float:
    """exp(entropy) of the label histogram: 1 when all are equal, n when all differ."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    p = counts / counts.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


def imagenet_classes_seen(probs: np.ndarray) -> float:
    """Effective number of distinct top-1 ImageNet classes over the rows of `probs`.

    The caller passes a fixed-size sample (`CONCENTRATION_SAMPLE`): the figure grows with the
    number of images, so only equal-sized samples compare."""
    return effective_count(np.asarray(probs).argmax(axis=1))


def probe_accuracy(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    """Cross-validated accuracy of a linear head (logistic regression on standardised features)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    labels = np.asarray(labels)
    folds = min(5, int(np.bincount(labels).min()))
    if folds < 2:
        raise ValueError(TOO_FEW_FOR_PROBE)
    head = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(head, np.asarray(features, "float64"), labels, cv=cv).mean())


def transfer_lift(pretrained_acc: float, random_acc: float, n_classes: int) -> float:
    """(pretrained − chance) / (random − chance), with the denominator floored at 1 point so a
    random network at chance level does not divide by zero."""
    chance = 1.0 / n_classes
    return max(pretrained_acc - chance, 0.0) / max(random_acc - chance, 0.01)


def silent_channels(features: np.ndarray, reference: np.ndarray) -> float:
    """Share of channels whose mean response on `features` stays under SILENT_FRACTION of their
    mean response on `reference` (natural photos), both measured above the channel's floor (its
    lowest value on the reference), so activations that can go negative work too."""
    features, reference = np.asarray(features, "float64"), np.asarray(reference, "float64")
    floor = reference.min(axis=0)
    usual = reference.mean(axis=0) - floor
    live = usual > 1e-6 * (np.abs(usual).max() + 1e-12)  # channels dead on photos tell nothing
    if not live.any():
        return 0.0
    here = features.mean(axis=0) - floor
    return float((here[live] < SILENT_FRACTION * usual[live]).mean())


def stratified_sample(labels: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Indices of up to `n` rows, classes kept in proportion (each class keeps at least one),
    in ascending order so a sample of the same data is always the same."""
    labels = np.asarray(labels)
    if len(labels) <= n:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        k = max(1, round(n * len(rows) / len(labels)))
        picked.append(rng.choice(rows, min(k, len(rows)), replace=False))
    return np.sort(np.concatenate(picked))
