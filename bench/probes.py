"""paired_check_2k_s: the "did the fix help?" check (dashboard.probes.paired_kfold: 5
stratified folds, a ridge probe on the old labels and one on the new, scored on the same
held-out images) on 2,000 cached feature vectors of 1,280 channels (MobileNetV2's pooled
features), in seconds. Goal <= 5 on 2 cores.

The plain library doing the same work in the same run: scikit-learn's `cross_val_score` with
`LogisticRegression` (after `StandardScaler`, as our probe standardises) over the same 5
stratified folds, once on the old labels and once on the new: the two cross-validated scores
a person would otherwise compare. Rounds interleave the two sides; the figure is the median
with its spread. The held-out accuracies are printed too (ours on the new labels, as the check
scores; scikit-learn's on each label set), so the speed is not bought with a worse probe.

The vectors are synthetic (10 classes, ReLU'd Gaussian clusters), with 5% of the labels moved
to another class as the edit: the cost depends on the shape, not on where vectors came from.
"""

from __future__ import annotations

import numpy as np

from bench.timing import figure, interleaved_seconds, ratios
from dashboard.probes import paired_kfold

N, DIMS, CLASSES, ROUNDS = 2_000, 1280, 10, 3


def vectors(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    new = rng.integers(0, CLASSES, N)
    centres = rng.normal(0, 0.1, (CLASSES, DIMS))  # ~70% held-out accuracy: a real probe's task
    x = np.maximum(centres[new] + rng.normal(0, 1.0, (N, DIMS)), 0).astype("float32")
    old = new.copy()
    moved = rng.choice(N, N // 20, replace=False)
    old[moved] = (new[moved] + 1) % CLASSES
    return x, old, new


def sklearn_side(x, old, new) -> tuple[float, float]:
    """cross_val_score on each version's labels; their mean accuracies."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return tuple(float(cross_val_score(probe, x, y, cv=folds).mean()) for y in (old, new))


def run() -> list[dict]:
    x, old, new = vectors()
    found = {}
    ours, theirs = interleaved_seconds(
        lambda: found.update(ours=paired_kfold(x, old, new)),
        lambda: found.update(theirs=sklearn_side(x, old, new)),
        ROUNDS,
        warmup=1,
    )
    check, (lr_old, lr_new) = found["ours"], found["theirs"]
    print(
        f"# {N:,} x {DIMS}, {CLASSES} classes, 5% of labels moved: paired check "
        f"{np.median(ours):.2f} s (gain {check.gain:+.1f} points, 95% CI {check.low:+.1f} to "
        f"{check.high:+.1f}; new-label accuracy {check.new_accuracy:.3f}); scikit-learn "
        f"cross_val_score(LogisticRegression) on both label sets {np.median(theirs):.2f} s "
        f"(accuracy on old labels {lr_old:.3f}, on new {lr_new:.3f})",
        flush=True,
    )
    return [
        figure("paired_check_2k_s", ours, "<= 5"),
        figure("paired_check_sklearn_cross_val_score_2k_s", theirs, "info"),
        figure("paired_check_vs_sklearn_cross_val_score", ratios(ours, theirs), "info"),
    ]
