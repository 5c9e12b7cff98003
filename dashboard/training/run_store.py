"""The run store: runs, their per-epoch metrics and their artifacts, over SQLAlchemy.

SQLite in WAL mode under TLAB_HOME/runs.db by default; any SQLAlchemy URL with TLAB_DB_URL
(a team's PostgreSQL: `postgresql+psycopg://user:pass@host/db`). The same tables
(`schema.py`, migrated by Alembic when a store opens a database) and the same behaviour on
both. Writes are single short transactions, and SQLite waits up to a minute for a lock, so two
sessions training at once wait for each other for milliseconds instead of failing with
"database is locked".
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa

from dashboard.training import schema
from dashboard.training.database import engine, upsert
from dashboard.training.schema import artifacts as artifact_rows
from dashboard.training.schema import epochs as epoch_rows
from dashboard.training.schema import runs as run_rows


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
    heartbeat: float | None = None
    stop_requested: bool = False
    created_by: str = ""

    @classmethod
    def from_row(cls, row: sa.Row) -> Run:
        d = dict(row._mapping)
        d["config"] = json.loads(d["config"] or "{}")
        d["results"] = json.loads(d["results"] or "{}")
        d["status"] = RunStatus(d["status"])
        return cls(**d)

    @property
    def active(self) -> bool:
        return self.status.active


class RunStore:
    def __init__(self, home: Path, url: str | None = None):
        home.mkdir(parents=True, exist_ok=True)
        self.url = url or schema.default_url(home)
        self.run_dirs = home / "runs"
        self.engine = engine(self.url)
        schema.migrate(self.engine)

    def run_dir(self, run_id: str) -> Path:
        path = self.run_dirs / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _rows(self, query) -> list[sa.Row]:
        with self.engine.connect() as db:
            return list(db.execute(query))

    # -- runs ---------------------------------------------------------------------------------
    def create(
        self, config: dict, config_key: str, dataset_name: str, name: str = "", by: str = ""
    ) -> Run:
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        row = dict(
            id=run_id,
            name=name or f"{config['strategy']} · {config['backbone']}",
            created=time.time(),
            config_key=config_key,
            config=json.dumps(config, sort_keys=True),
            dataset_id=config["dataset_id"],
            dataset_name=dataset_name,
            backbone=config["backbone"],
            strategy=config["strategy"],
            device="",
            status=RunStatus.QUEUED.value,
            message="",
            owner=owner_id(),
            results="{}",
            heartbeat=time.time(),
            created_by=by,
        )
        with self.engine.begin() as db:
            db.execute(run_rows.insert().values(**row))
        return self.get(run_id)

    def get(self, run_id: str) -> Run:
        rows = self._rows(sa.select(run_rows).where(run_rows.c.id == run_id))
        if not rows:
            raise KeyError(run_id)
        return Run.from_row(rows[0])

    def list(self, dataset_id: str | None = None) -> list[Run]:
        query = sa.select(run_rows).order_by(run_rows.c.created.desc())
        if dataset_id:
            query = query.where(run_rows.c.dataset_id == dataset_id)
        return [Run.from_row(r) for r in self._rows(query)]

    def find(self, config_key: str, statuses: tuple[RunStatus, ...]) -> Run | None:
        query = (
            sa.select(run_rows)
            .where(
                run_rows.c.config_key == config_key,
                run_rows.c.status.in_([str(s) for s in statuses]),
            )
            .order_by(run_rows.c.created.desc())
            .limit(1)
        )
        rows = self._rows(query)
        return Run.from_row(rows[0]) if rows else None

    def update(self, run_id: str, **fields) -> None:
        for key in ("results", "config"):
            if key in fields:
                fields[key] = json.dumps(fields[key], sort_keys=True)
        if "status" in fields:
            fields["status"] = str(fields["status"])
        with self.engine.begin() as db:
            db.execute(run_rows.update().where(run_rows.c.id == run_id).values(**fields))

    def rename(self, run_id: str, name: str) -> None:
        self.update(run_id, name=name.strip()[:200] or run_id)

    def delete(self, run_id: str) -> None:
        with self.engine.begin() as db:  # one transaction: a run goes whole or not at all
            db.execute(epoch_rows.delete().where(epoch_rows.c.run_id == run_id))
            db.execute(artifact_rows.delete().where(artifact_rows.c.run_id == run_id))
            db.execute(run_rows.delete().where(run_rows.c.id == run_id))

    def request_stop(self, run_id: str) -> None:
        """Ask whichever server trains the run to stop it (it reads this within seconds)."""
        self.update(run_id, stop_requested=True)

    def stop_requested(self, run_ids: list[str]) -> set[str]:
        query = sa.select(run_rows.c.id).where(
            run_rows.c.id.in_(run_ids), run_rows.c.stop_requested
        )
        return {row.id for row in self._rows(query)}

    def beat(self, run_ids: list[str]) -> None:
        """The training server is alive for these runs (queued or running)."""
        with self.engine.begin() as db:
            query = run_rows.update().where(run_rows.c.id.in_(run_ids))
            db.execute(query.values(heartbeat=time.time()))

    def mark_interrupted(self, alive: set[str] | None = None) -> int:
        """Unfinished runs whose trainer is gone become 'interrupted' (epochs kept): on this
        machine, when the owning process is gone; on another machine (a shared store), when
        its heartbeat is older than `STALE_S`."""
        alive = alive or {owner_id()}
        active = run_rows.c.status.in_([str(s) for s in ACTIVE])
        # Every watch sweeps every 30 s: read the active runs only, not the whole history.
        candidates = [Run.from_row(r) for r in self._rows(sa.select(run_rows).where(active))]
        gone = [r.id for r in candidates if r.owner not in alive and not trainer_alive(r)]
        if not gone:
            return 0
        message = (
            "Its trainer went away before it finished (the server, a Ray worker or its node "
            "stopped); its epochs are kept."
        )
        with self.engine.begin() as db:  # only if still active: a status set meanwhile stays
            query = run_rows.update().where(run_rows.c.id.in_(gone), active)
            done = db.execute(
                query.values(
                    status=str(RunStatus.INTERRUPTED), message=message, finished=time.time()
                )
            )
        return done.rowcount

    # -- epochs and artifacts -----------------------------------------------------------------
    def add_epoch(
        self, run_id: str, epoch: int, phase: str, logs: dict, seconds: float, images_seen: int
    ) -> None:
        keys = dict(loss="loss", acc="accuracy", val_loss="val_loss", val_acc="val_accuracy")
        row = dict(run_id=run_id, epoch=epoch, phase=phase, seconds=seconds)
        row.update(images_seen=images_seen, **{k: logs.get(v) for k, v in keys.items()})
        with self.engine.begin() as db:
            db.execute(upsert(db, epoch_rows, row))

    def epochs(self, run_ids: list[str]) -> dict[str, list[dict]]:
        """Every epoch of several runs in one query (no query per point)."""
        if not run_ids:
            return {}
        query = (
            sa.select(epoch_rows)
            .where(epoch_rows.c.run_id.in_(run_ids))
            .order_by(epoch_rows.c.run_id, epoch_rows.c.epoch)
        )
        out: dict[str, list[dict]] = {r: [] for r in run_ids}
        for row in self._rows(query):
            out[row.run_id].append(dict(row._mapping))
        return out

    def set_artifact(self, run_id: str, kind: str, path: str, meta: dict | None = None) -> None:
        row = dict(run_id=run_id, kind=kind, path=path, meta=json.dumps(meta or {}))
        with self.engine.begin() as db:
            db.execute(upsert(db, artifact_rows, row))

    def artifacts(self, run_id: str) -> dict[str, tuple[str, dict]]:
        rows = self._rows(sa.select(artifact_rows).where(artifact_rows.c.run_id == run_id))
        return {r.kind: (r.path, json.loads(r.meta)) for r in rows}


STALE_S = 60.0  # a trainer beats every few seconds; a minute without one means it is gone


def trainer_alive(run: Run) -> bool:
    """Whether the process that owns an active run still lives: by its process id on this
    machine, by its heartbeat on another."""
    host = run.owner.rpartition(":")[0]
    if host == socket.gethostname():
        return _process_alive(run.owner)
    return run.heartbeat is not None and time.time() - run.heartbeat < STALE_S


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
