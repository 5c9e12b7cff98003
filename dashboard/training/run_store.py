"""The run store: SQLite in WAL mode under TLAB_HOME/runs.db.

Runs (config, dataset, strategy, backbone, device, status, timings, results), their per-epoch
metrics and their artifacts. Every call opens a short connection with a generous busy timeout,
and writes are single short transactions, so two sessions training at once wait for each other
for milliseconds instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, name TEXT, created REAL, config_key TEXT, config TEXT,
    dataset_id TEXT, dataset_name TEXT, backbone TEXT, strategy TEXT, device TEXT,
    status TEXT, message TEXT, owner TEXT, started REAL, finished REAL,
    best_val_acc REAL, final_val_acc REAL, test_acc REAL, results TEXT
);
CREATE INDEX IF NOT EXISTS runs_key ON runs(config_key);
CREATE TABLE IF NOT EXISTS epochs (
    run_id TEXT, epoch INTEGER, phase TEXT, loss REAL, acc REAL, val_loss REAL, val_acc REAL,
    seconds REAL, images_seen INTEGER, PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT, kind TEXT, path TEXT, meta TEXT, PRIMARY KEY (run_id, kind)
);
"""


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


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
    results: dict

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Run:
        d = dict(row)
        d["config"] = json.loads(d["config"] or "{}")
        d["results"] = json.loads(d["results"] or "{}")
        d["status"] = RunStatus(d["status"])
        return cls(**d)

    @property
    def active(self) -> bool:
        return self.status.active


class RunStore:
    def __init__(self, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "runs.db"
        self.run_dirs = home / "runs"
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=60000")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield db
        finally:
            db.close()

    def run_dir(self, run_id: str) -> Path:
        path = self.run_dirs / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- runs ---------------------------------------------------------------------------------
    def create(self, config: dict, config_key: str, dataset_name: str, name: str = "") -> Run:
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (id, name, created, config_key, config, dataset_id, dataset_name,"
                " backbone, strategy, device, status, message, owner, results)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 'queued', '', ?, '{}')",
                (
                    run_id,
                    name or f"{config['strategy']} · {config['backbone']}",
                    time.time(),
                    config_key,
                    json.dumps(config, sort_keys=True),
                    config["dataset_id"],
                    dataset_name,
                    config["backbone"],
                    config["strategy"],
                    owner_id(),
                ),
            )
        return self.get(run_id)

    def get(self, run_id: str) -> Run:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        return Run.from_row(row)

    def list(self, dataset_id: str | None = None) -> list[Run]:
        query, args = "SELECT * FROM runs", ()
        if dataset_id:
            query, args = query + " WHERE dataset_id = ?", (dataset_id,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created DESC", args).fetchall()
        return [Run.from_row(r) for r in rows]

    def find(self, config_key: str, statuses: tuple[RunStatus, ...]) -> Run | None:
        marks = ",".join("?" * len(statuses))
        with self._connect() as db:
            row = db.execute(
                f"SELECT * FROM runs WHERE config_key = ? AND status IN ({marks})"
                " ORDER BY created DESC LIMIT 1",
                (config_key, *statuses),
            ).fetchone()
        return Run.from_row(row) if row else None

    def update(self, run_id: str, **fields) -> None:
        for key in ("results", "config"):
            if key in fields:
                fields[key] = json.dumps(fields[key], sort_keys=True)
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._connect() as db:
            db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id))

    def rename(self, run_id: str, name: str) -> None:
        self.update(run_id, name=name.strip()[:200] or run_id)

    def delete(self, run_id: str) -> None:
        with self._connect() as db:
            db.execute("BEGIN")
            for table, column in (("epochs", "run_id"), ("artifacts", "run_id"), ("runs", "id")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))
            db.execute("COMMIT")

    def mark_interrupted(self, alive: set[str] | None = None) -> int:
        """Unfinished runs whose owning process is gone become 'interrupted' (epochs kept)."""
        alive = alive or {owner_id()}
        n = 0
        for run in self.list():
            if run.active and run.owner not in alive and not _process_alive(run.owner):
                self.update(
                    run.id,
                    status=RunStatus.INTERRUPTED,
                    message="The server stopped before this run finished; its epochs are kept.",
                    finished=time.time(),
                )
                n += 1
        return n

    # -- epochs and artifacts -----------------------------------------------------------------
    def add_epoch(
        self, run_id: str, epoch: int, phase: str, logs: dict, seconds: float, images_seen: int
    ) -> None:
        metrics = [logs.get(k) for k in ("loss", "accuracy", "val_loss", "val_accuracy")]
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO epochs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, epoch, phase, *metrics, seconds, images_seen),
            )

    def epochs(self, run_ids: list[str]) -> dict[str, list[dict]]:
        """Every epoch of several runs in one query (no query per point)."""
        if not run_ids:
            return {}
        marks = ",".join("?" * len(run_ids))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM epochs WHERE run_id IN ({marks}) ORDER BY run_id, epoch", run_ids
            ).fetchall()
        out: dict[str, list[dict]] = {r: [] for r in run_ids}
        for row in rows:
            out[row["run_id"]].append(dict(row))
        return out

    def set_artifact(self, run_id: str, kind: str, path: str, meta: dict | None = None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?)",
                (run_id, kind, path, json.dumps(meta or {})),
            )

    def artifacts(self, run_id: str) -> dict[str, tuple[str, dict]]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM artifacts WHERE run_id = ?", (run_id,)).fetchall()
        return {r["kind"]: (r["path"], json.loads(r["meta"])) for r in rows}


def _process_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
