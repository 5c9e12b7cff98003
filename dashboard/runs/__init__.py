"""Runs, the record: every run's settings, status, epochs, artifacts and results in one store
(SQLite, or PostgreSQL in team mode), its schema and migrations, the heartbeat and stop
requests that connect a trainer to every server (`watch`), and the hashes of the files runs
share through the shared store (`sync`), and what a run's status and stored messages say in
the reader's language (`messages`).

Reading runs starts nothing: `open_runs` is the process's store, with no thread of its own. The
machinery that trains (`dashboard.training`) writes here; pages read here through the glue.
Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.runs import database, schema, sync
from dashboard.runs.changes import delete, rename
from dashboard.runs.messages import (
    CACHE_OFF,
    NOT_STARTED,
    RAY_CANCELLED,
    RAY_DIED,
    SERVER_STOPPED,
    TRAINER_GONE,
    USER_STOPPED,
    message_text,
    status_text,
)
from dashboard.runs.owners import owner_id, trainer_alive
from dashboard.runs.record import ACTIVE, Run, RunStatus
from dashboard.runs.results import (
    Calibration,
    ClassScores,
    ExportCheck,
    RunResults,
    SplitScores,
)
from dashboard.runs.store import JOB_KIND_BATCH, RunStore, open_runs, run_folder
from dashboard.runs.watch import BEAT_S, RunWatch

__all__ = [
    "JOB_KIND_BATCH",
    "ACTIVE",
    "BEAT_S",
    "CACHE_OFF",
    "ClassScores",
    "Calibration",
    "ExportCheck",
    "NOT_STARTED",
    "RAY_CANCELLED",
    "RAY_DIED",
    "Run",
    "RunResults",
    "RunStatus",
    "RunStore",
    "RunWatch",
    "SERVER_STOPPED",
    "SplitScores",
    "TRAINER_GONE",
    "USER_STOPPED",
    "database",
    "delete",
    "message_text",
    "open_runs",
    "owner_id",
    "rename",
    "run_folder",
    "schema",
    "status_text",
    "sync",
    "trainer_alive",
]
