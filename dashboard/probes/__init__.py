"""Probes: quick linear models on cached features that answer a question about the data, such
as whether a change to its labels helped (`paired`), measured fold by fold with an interval.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.probes.checks import check_edit, check_versions
from dashboard.probes.paired import PairedResult, paired_kfold, ridge_probes

__all__ = ["PairedResult", "check_edit", "check_versions", "paired_kfold", "ridge_probes"]
