"""What a validation set can resolve: shared by the Compare page, the advisor's ladder check
and every accuracy a page shows with its interval.

An accuracy measured on n images carries a 95% Wilson score interval (`wilson`): unlike
p ± 1.96 standard errors it stays inside 0-100% and is honest at 0 or n right. Two figures whose
intervals overlap are "within noise": the page names no winner between them.

An accuracy measured on n images has a standard error of sqrt(p(1 - p) / n); differences
smaller than that (and never less than one image) are noise, not a verdict. A model "learnt"
only if its best validation accuracy rose clearly above the class prior, the accuracy of always
answering the most common class: by more than two standard errors, since the best of many
epochs is itself inflated by noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dashboard.i18n import _, percent

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval


def wilson(accuracy: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (Wilson 1927; Newcombe 1998's method 3) of an accuracy
    measured on `n` images; (0, 1) with none."""
    if n <= 0:
        return 0.0, 1.0
    p = min(max(accuracy, 0.0), 1.0)
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return max(0.0, (centre - half) / scale), min(1.0, (centre + half) / scale)


def interval_text(accuracy: float, n: int) -> str:
    """ "65.2–89.5%": an accuracy's 95% Wilson interval on n images, for a table cell."""
    low, high = wilson(accuracy, n)
    return f"{percent(low)}–{percent(high)}"


def accuracy_help(accuracy: float, n: int) -> str:
    """What one accuracy on n images can tell, for the caption beside it."""
    return _("95% interval {interval} on {n} images (Wilson)").format(
        interval=interval_text(accuracy, n), n=n
    )


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two intervals share any value: their figures are within noise of each other."""
    return a[0] <= b[1] and b[0] <= a[1]


def resolution(accuracy: float, n_val: int) -> float:
    """One standard error of an accuracy measured on n_val images, at least one image."""
    if n_val <= 0:
        return 0.0
    return max(math.sqrt(accuracy * (1 - accuracy) / n_val), 1.0 / n_val)


def class_prior(val_counts: Sequence[int]) -> float:
    """Validation accuracy of always predicting the most common class."""
    total = sum(val_counts)
    return max(val_counts) / total if total else 0.0


def learnt_threshold(prior: float, n_val: int) -> float:
    """The best validation accuracy above which a run has learnt something."""
    return prior + 2 * resolution(prior, n_val)


def learnt(best_accuracy: float | None, prior: float, n_val: int) -> bool:
    return best_accuracy is not None and best_accuracy > learnt_threshold(prior, n_val)
