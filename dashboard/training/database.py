"""Engines for the run store: one per database per process, SQLite tuned for several
writers, and the one statement whose SQL differs between SQLite and PostgreSQL (upsert)."""

from __future__ import annotations

import threading

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


def dispose(url: str) -> None:
    """Close this process's pooled connections to a database (before it is dropped)."""
    with _engines_lock:
        made = _engines.pop(url, None)
    if made is not None:
        made.dispose()
