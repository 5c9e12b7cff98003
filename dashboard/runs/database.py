"""Engines for the run store: one per database per process, SQLite tuned for several
writers, and the one statement whose SQL differs between SQLite and PostgreSQL (upsert)."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def upsert(db: sa.Connection, table: sa.Table, row: dict):
    """INSERT, or UPDATE the row with the same primary key (SQLite and PostgreSQL alike)."""
    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**row)
    keys = [c.name for c in table.primary_key]
    changed = {k: v for k, v in row.items() if k not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=changed)


_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def engine(url: str) -> sa.Engine:
    """One engine (and connection pool) per database per process."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = _create_engine(url)
        return _engines[url]


def _create_engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    made = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(made, "connect")
    def _pragmas(connection, _record) -> None:
        # WAL: readers never block the writer; a minute's wait for a lock instead of an error.
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=60000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return made


def read_only_engine(url: str, metadata: sa.MetaData) -> sa.Engine:
    """An engine that cannot write, for a read-only (demo) server: SQLite opened with
    `mode=ro` (a database not made yet reads as empty tables in memory), PostgreSQL with every
    transaction read-only. One per database per process, like `engine`."""
    key = f"ro:{url}"
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _create_read_only_engine(url, metadata)
        return _engines[key]


def _create_read_only_engine(url: str, metadata: sa.MetaData) -> sa.Engine:
    if not url.startswith("sqlite"):
        options = {"options": "-c default_transaction_read_only=on"}
        return sa.create_engine(url, pool_pre_ping=True, connect_args=options)
    path = sa.engine.make_url(url).database
    if not path or not Path(path).is_file():
        made = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
        metadata.create_all(made)  # in memory: nothing on disk
        return made
    uri = f"sqlite:///file:{path}?mode=ro&uri=true"
    return sa.create_engine(uri, connect_args={"timeout": 60})


def dispose(url: str) -> None:
    """Close this process's pooled connections to a database (before it is dropped)."""
    with _engines_lock:
        made = [_engines.pop(k, None) for k in (url, f"ro:{url}")]
    for engine_ in made:
        if engine_ is not None:
            engine_.dispose()
