"""Consents: a person's permission for one partner and purpose, with expiry.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("consent_id", sa.String(32), primary_key=True),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(63), nullable=False),
        sa.Column("purpose", sa.String(50), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
    )
    op.create_index("ix_consents_subject_key", "consents", ["subject_key"])


def downgrade() -> None:
    op.drop_table("consents")
