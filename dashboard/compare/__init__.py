"""Compare: runs side by side (curves with seed bands, time to a target, head-to-head of
pretrained against scratch), the experiments that queue such runs, and their figures.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.compare import charts, experiments
from dashboard.compare.head_to_head import HeadToHead, head_to_head, pretrained_vs_scratch_groups
from dashboard.compare.metrics import (
    HEADERS,
    X_AXES,
    default_target,
    headed,
    mean_std_band,
    metrics_csv,
    seed_groups,
    smooth,
    summary_rows,
    to_target,
    with_elapsed,
)

__all__ = [
    "HEADERS",
    "X_AXES",
    "HeadToHead",
    "charts",
    "default_target",
    "experiments",
    "head_to_head",
    "headed",
    "mean_std_band",
    "metrics_csv",
    "pretrained_vs_scratch_groups",
    "seed_groups",
    "smooth",
    "summary_rows",
    "to_target",
    "with_elapsed",
]
