"""The run store's tables (SQLAlchemy Core) and their migrations (Alembic).

One schema for every database the store runs on: SQLite under TLAB_HOME by default, PostgreSQL
for a team (TLAB_DB_URL). Timestamps and metrics are doubles: PostgreSQL's REAL is 4 bytes,
which would round a Unix time to about two minutes. A new column or table is a new revision in
`migrations/versions/`; `migrate` brings a database to the newest one when a store opens it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("created", sa.Double),
    sa.Column("config_key", sa.Text),
    sa.Column("config", sa.Text),
    sa.Column("dataset_id", sa.Text),
    sa.Column("dataset_name", sa.Text),
    sa.Column("backbone", sa.Text),
    sa.Column("strategy", sa.Text),
    sa.Column("device", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("message", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("started", sa.Double),
    sa.Column("finished", sa.Double),
    sa.Column("best_val_acc", sa.Double),
    sa.Column("final_val_acc", sa.Double),
    sa.Column("test_acc", sa.Double),
    sa.Column("results", sa.Text),
    sa.Column("heartbeat", sa.Double),  # the training server's last sign of life
    sa.Column("stop_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_by", sa.Text, nullable=False, server_default=""),
    sa.Index("runs_key", "config_key"),
)

epochs = sa.Table(
    "epochs",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("phase", sa.Text),
    sa.Column("loss", sa.Double),
    sa.Column("acc", sa.Double),
    sa.Column("val_loss", sa.Double),
    sa.Column("val_acc", sa.Double),
    sa.Column("seconds", sa.Double),
    sa.Column("images_seen", sa.Integer),
)

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("path", sa.Text),
    sa.Column("meta", sa.Text),
)

# The sha256 of each file pushed to the shared store, keyed by its home-relative path
# (`runs/sync.py`): what a pull is checked against.
store_files = sa.Table(
    "store_files",
    metadata,
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("written", sa.Double),
)

MIGRATIONS = Path(__file__).with_name("migrations")
_migrated: set[str] = set()
_lock = threading.Lock()


def default_url(home: Path) -> str:
    """The embedded default: SQLite under TLAB_HOME."""
    return f"sqlite:///{home / 'runs.db'}"


def alembic_config(engine: sa.Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the database to the newest revision, once per process and database."""
    url = engine.url.render_as_string(hide_password=False)
    with _lock:
        if url in _migrated:
            return
        command.upgrade(alembic_config(engine), "head")
        _migrated.add(url)


def revision(engine: sa.Engine) -> str | None:
    """The database's current revision (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
