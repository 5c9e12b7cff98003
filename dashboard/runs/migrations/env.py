"""Alembic's entry for the run store: the engine comes from the caller (`schema.migrate`), or
from TLAB_DB_URL / TLAB_HOME for `alembic` on the command line."""

from __future__ import annotations

from alembic import context

from dashboard.runs import schema
from dashboard.settings import Settings


def engine():
    given = context.config.attributes.get("engine")
    if given is not None:
        return given
    import sqlalchemy as sa

    settings = Settings.from_env()
    return sa.create_engine(settings.db_url or schema.default_url(settings.home))


with engine().begin() as connection:
    context.configure(connection=connection, target_metadata=schema.metadata)
    context.run_migrations()
