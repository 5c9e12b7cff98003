"""The run store: runs, their per-epoch metrics and their artifacts, over SQLAlchemy.

SQLite in WAL mode under TLAB_HOME/runs.db by default; any SQLAlchemy URL with TLAB_DB_URL
(a team's PostgreSQL: `postgresql+psycopg://user:pass@host/db`). The same tables
(`schema.py`, migrated by Alembic when a store opens a database) and the same behaviour on
both. Writes are single short transactions; SQLite waits up to a minute for a lock, so two
sessions training at once wait milliseconds for each other instead of failing.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from dashboard import trust
from dashboard.runs import schema
from dashboard.runs.database import engine, read_only_engine, upsert
from dashboard.runs.messages import TRAINER_GONE
from dashboard.runs.owners import owner_id, trainer_alive
from dashboard.runs.record import ACTIVE, Run, RunStatus
from dashboard.runs.schema import artifacts as artifact_rows
from dashboard.runs.schema import epochs as epoch_rows
from dashboard.runs.schema import runs as run_rows
from dashboard.runs.schema import store_files
from dashboard.settings import Settings

log = logging.getLogger(__name__)


JOB_KIND_BATCH = "batch"  # the `strategy` of a batch-prediction job (training.batch.KIND)


class RunStore:
    """`readonly`: a demo server's store. It creates and migrates nothing, and the database
    itself refuses writes (SQLite opened read-only; PostgreSQL in read-only transactions)."""

    def __init__(self, home: Path, url: str | None = None, readonly: bool = False):
        self.url, self.home = url or schema.default_url(home), home
        if readonly:
            self.engine = read_only_engine(self.url, schema.metadata)
            return
        home.mkdir(parents=True, exist_ok=True)
        self.engine = engine(self.url)
        schema.migrate(self.engine)

    def run_dir(self, run_id: str) -> Path:
        path = run_folder(self.home, run_id)
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
        """Every run (of one dataset), newest first; a row that cannot be read as a run (an
        unknown status, broken settings JSON) is left out and logged; results that do not
        parse read as none (`RunResults.from_json`). (An id is checked where a path is made
        from it: `run_dir`.)"""
        query = sa.select(run_rows).order_by(run_rows.c.created.desc())
        strategy = sa.func.coalesce(run_rows.c.strategy, "")  # a row without one is listed
        query = query.where(strategy != JOB_KIND_BATCH)  # jobs are not training runs
        if dataset_id:
            query = query.where(run_rows.c.dataset_id == dataset_id)
        return self._parsed(query)

    def batches(self, run_id: str) -> list[Run]:
        """The batch-prediction jobs of one run (`training.batch`), newest first."""
        query = sa.select(run_rows).where(run_rows.c.strategy == JOB_KIND_BATCH)
        query = query.order_by(run_rows.c.created.desc())
        return [r for r in self._parsed(query) if r.config.get("run_id") == run_id]

    def _parsed(self, query) -> list[Run]:
        found = []
        for row in self._rows(query):
            try:
                found.append(Run.from_row(row))
            except (ValueError, TypeError, ArithmeticError) as exc:
                log.warning("run row %r left out: %s", row.id, exc)
        return found

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
        if "results" in fields:
            fields["results"] = fields["results"].to_json()
        if "config" in fields:
            fields["config"] = json.dumps(fields["config"], sort_keys=True)
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
        message = TRAINER_GONE  # stored in English: pages show it with `message_text`
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

    # -- what was pushed to the shared store ----------------------------------------------------
    def record_files(self, shas: dict[str, str]) -> None:
        """The sha256 of files just pushed (home-relative path -> hash)."""
        with self.engine.begin() as db:
            for path, sha in shas.items():
                row = dict(path=path, sha256=sha, written=time.time())
                db.execute(upsert(db, store_files, row))

    def file_sha(self, path: str) -> str | None:
        rows = self._rows(sa.select(store_files.c.sha256).where(store_files.c.path == path))
        return rows[0].sha256 if rows else None


def run_folder(home: Path, run_id: str) -> Path:
    """A run's folder under TLAB_HOME/runs: `run_id` (read from the database) must be the
    form the store writes, and the folder must stay inside runs/ (`dashboard.trust`)."""
    return trust.inside(home / "runs", trust.run_id(run_id))


_stores: dict[tuple, RunStore] = {}


def open_runs(settings: Settings) -> RunStore:
    """The process's run store: runs read without the job manager's threads; shared files.
    Opened writable, it first marks runs left unfinished by a process that is gone
    "interrupted" (as the job queue does when it starts), so whatever opens the record first
    in a process (a page, the report, a worker) never shows or waits on runs nobody trains."""
    key = (settings.home, settings.db_url, settings.readonly)
    if key not in _stores:
        store = RunStore(settings.home, settings.db_url, settings.readonly)
        if not settings.readonly:
            store.mark_interrupted()
        _stores[key] = store
    return _stores[key]
