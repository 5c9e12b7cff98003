"""Training: run settings, the job queue and its worker, the trainer, the run store (SQLite),
backbone-feature caches, evaluation and export, the learning-rate finder, and run charts.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.training import charts, exports, keras_file, lr_range, results
from dashboard.training.config import TrainConfig, default_config, from_dict, same_schedule
from dashboard.training.jobs import JobManager, manager

__all__ = [
    "JobManager",
    "TrainConfig",
    "charts",
    "default_config",
    "exports",
    "keras_file",
    "from_dict",
    "lr_range",
    "manager",
    "results",
    "same_schedule",
]
