"""Training: run settings, the job queue and its worker, the trainer, the run store (SQLite),
backbone-feature caches, evaluation and export, the learning-rate finder, and run charts.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.training import charts, deploy, export, lr_range, results, sync
from dashboard.training.config import TrainConfig, default_config, from_dict, same_schedule
from dashboard.training.features import (
    FEATURE_SPLITS,
    cache_sizes,
    cached_array,
    clear_caches,
    labels,
    pooled_model,
    pretrained_weights_id,
    split_features,
)
from dashboard.training.jobs import JobManager, manager
from dashboard.training.run_store import Run, RunStatus, RunStore, open_runs

__all__ = [
    "FEATURE_SPLITS",
    "JobManager",
    "Run",
    "RunStatus",
    "RunStore",
    "TrainConfig",
    "cache_sizes",
    "cached_array",
    "charts",
    "clear_caches",
    "default_config",
    "deploy",
    "export",
    "from_dict",
    "labels",
    "lr_range",
    "open_runs",
    "manager",
    "pooled_model",
    "pretrained_weights_id",
    "results",
    "same_schedule",
    "split_features",
    "sync",
]
