"""Certificates: what a person chose to disclose, their revocation status bit.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("certificate_id", sa.String(36), primary_key=True),
        sa.Column("subject_key", sa.String(64)),
        sa.Column("disclose", sa.String(10), nullable=False),
        sa.Column("claims", sa.JSON()),
        sa.Column("credential", sa.JSON()),
        sa.Column("key_id", sa.String(300), nullable=False),
        sa.Column("status_list", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
        sa.UniqueConstraint("status_list", "status_index", name="uq_certificates_status"),
    )
    op.create_index("ix_certificates_subject_key", "certificates", ["subject_key"])


def downgrade() -> None:
    op.drop_table("certificates")
