"""Training, the execution: run settings, the job queue and its executors (a thread here, or
Ray), the trainer and its progress, evaluation, the `.keras` file and the other exports, the
learning-rate finder, and run charts. The record they write is `dashboard.runs`.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.training import (
    augment_preview,
    batch,
    batch_job,
    charts,
    continuation,
    exports,
    keras_file,
    lr_range,
    model_card,
    results,
)
from dashboard.training.config import TrainConfig, default_config, from_dict, same_schedule
from dashboard.training.jobs import JobManager, manager

__all__ = [
    "JobManager",
    "TrainConfig",
    "augment_preview",
    "batch",
    "batch_job",
    "charts",
    "continuation",
    "default_config",
    "exports",
    "keras_file",
    "from_dict",
    "lr_range",
    "manager",
    "model_card",
    "results",
    "same_schedule",
]
