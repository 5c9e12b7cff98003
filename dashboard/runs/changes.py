"""What a person changes in the record by hand: a run's name, or the run itself. Like the
datasets' rename and delete, each first asks the settings whether this server may write."""

from __future__ import annotations

from dashboard.runs.store import open_runs
from dashboard.settings import Settings


def rename(settings: Settings, run_id: str, name: str) -> None:
    settings.check_writable("renaming runs")
    open_runs(settings).rename(run_id, name)


def delete(settings: Settings, run_id: str) -> None:
    settings.check_writable("deleting runs")
    open_runs(settings).delete(run_id)
