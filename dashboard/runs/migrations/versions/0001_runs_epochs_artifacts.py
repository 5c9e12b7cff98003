"""runs, epochs and artifacts, as the store had them before migrations.

A database made by the store before Alembic already has these tables: they are kept (created
only where missing), and the database is stamped with this revision. A revision spells its
tables out instead of importing `schema`: it must stay what it was when the schema moves on.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
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
        if_not_exists=True,
    )
    op.create_index("runs_key", "runs", ["config_key"], if_not_exists=True)
    op.create_table(
        "epochs",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("phase", sa.Text),
        sa.Column("loss", sa.Double),
        sa.Column("acc", sa.Double),
        sa.Column("val_loss", sa.Double),
        sa.Column("val_acc", sa.Double),
        sa.Column("seconds", sa.Double),
        sa.Column("images_seen", sa.Integer),
        if_not_exists=True,
    )
    op.create_table(
        "artifacts",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("path", sa.Text),
        sa.Column("meta", sa.Text),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in ("artifacts", "epochs", "runs"):
        op.drop_table(table)
