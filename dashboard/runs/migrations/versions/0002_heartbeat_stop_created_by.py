"""runs: a heartbeat from the server that trains it, a stop request any server can set, and
who started it.

With one store shared by several servers (PostgreSQL), a server cannot tell from a process id
on another machine whether a run's trainer is alive, nor reach that trainer's Stop event: the
heartbeat and the stop request go through the store.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("heartbeat", sa.Double))
    op.add_column(
        "runs", sa.Column("stop_requested", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("runs", sa.Column("created_by", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:  # SQLite drops columns by copying the table
        for column in ("created_by", "stop_requested", "heartbeat"):
            batch.drop_column(column)
