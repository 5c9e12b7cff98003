"""The strategy advisor: measure how a dataset looks through a backbone (size, similarity to
ImageNet), place it in the tutorial's four quadrants, and check the advice against runs.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.advisor import charts, ladder
from dashboard.advisor.advice import (
    LARGE_PER_CLASS,
    WHY,
    WORDS,
    Advice,
    Signal,
    all_stored,
    measure,
    size_of,
    stored,
)

__all__ = [
    "LARGE_PER_CLASS",
    "WHY",
    "WORDS",
    "Advice",
    "Signal",
    "all_stored",
    "charts",
    "ladder",
    "measure",
    "size_of",
    "stored",
]
