"""Probes: quick linear models on cached features that answer a question about the data:
whether a change to its labels helped (`paired`), measured fold by fold with an interval, and
what more images of each class would buy (`curve`), forecast from nested subsamples.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.probes import charts
from dashboard.probes.checks import check_edit, check_versions, learning_curves
from dashboard.probes.curve import ClassCurve, Curves, Forecast, class_curves, forecast
from dashboard.probes.paired import (
    FOLDS,
    PairedResult,
    fold_count,
    paired_kfold,
    ridge_probes,
    stratified_folds,
)

__all__ = [
    "FOLDS",
    "ClassCurve",
    "Curves",
    "Forecast",
    "PairedResult",
    "charts",
    "check_edit",
    "check_versions",
    "class_curves",
    "fold_count",
    "forecast",
    "learning_curves",
    "paired_kfold",
    "ridge_probes",
    "stratified_folds",
]
