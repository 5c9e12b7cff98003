"""store_files: the sha256 of every file a server or worker pushed to the shared store (run
artifacts, exports, caches, advice), written after the push.

A server that pulls such a file checks its bytes against this hash and refuses a mismatch, so
whoever can write to the bucket but not to this database cannot swap a model, an export or a
cache under a run.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_files",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("written", sa.Double),
    )


def downgrade() -> None:
    op.drop_table("store_files")
