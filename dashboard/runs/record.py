"""A run as the record holds it: its status, its settings and its results, one row of the run
store read into types (`store.RunStore` reads and writes the rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from dashboard.runs.results import RunResults


class RunStatus(StrEnum):
    """A run's life: queued -> running -> finished | stopped | failed | interrupted.

    A `StrEnum`, so a status compares equal to its stored text ("finished")."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def active(self) -> bool:
        """Still waiting or training: its curves may grow."""
        return self in ACTIVE

    @property
    def has_results(self) -> bool:
        """Ended with an evaluated, exported model (a stopped run keeps what it trained)."""
        return self in (RunStatus.FINISHED, RunStatus.STOPPED)


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


@dataclass
class Run:
    id: str
    name: str
    created: float
    config_key: str
    config: dict
    dataset_id: str
    dataset_name: str
    backbone: str
    strategy: str
    device: str
    status: RunStatus
    message: str
    owner: str
    started: float | None
    finished: float | None
    best_val_acc: float | None
    final_val_acc: float | None
    test_acc: float | None
    results: RunResults | None  # None until a run ends with an evaluated model
    heartbeat: float | None = None
    stop_requested: bool = False
    created_by: str = ""

    @classmethod
    def from_row(cls, row: sa.Row) -> Run:
        d = dict(row._mapping)
        d["config"] = json.loads(d["config"] or "{}")
        d["results"] = RunResults.from_json(d["results"])
        d["status"] = RunStatus(d["status"])
        return cls(**d)

    @property
    def active(self) -> bool:
        return self.status.active
