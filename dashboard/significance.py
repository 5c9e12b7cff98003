"""What a validation set can resolve: shared by the Compare page and the advisor's ladder check.

An accuracy measured on n images has a standard error of sqrt(p(1 - p) / n); differences
smaller than that (and never less than one image) are noise, not a verdict. A model "learnt"
only if its best validation accuracy rose clearly above the class prior, the accuracy of always
answering the most common class: by more than two standard errors, since the best of many
epochs is itself inflated by noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


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
