"""Stakeholder reports: one self-contained HTML file of a run or a comparison (curves,
confusion matrix, per-class table, the advisor's chart and verdict, the settings and the data
summary) that opens offline, plotly included.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.report.html import comparison_report, run_report

__all__ = ["comparison_report", "run_report"]
