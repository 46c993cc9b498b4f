"""dedup bands: the near-duplicates' LSH band hashes, looked up by key (issue 14)

Revision ID: 0005_dedup_bands
Revises: 0004_changed_index
Create Date: 2026-12-01 20:00:00.000000

The table starts empty; the next text run fills it from the stored signatures (``nlp.stages.dup_store``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_dedup_bands'
down_revision = '0004_changed_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dedup_bands',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('band', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('band_key', sa.BigInteger(), nullable=False),
    sa.Column('written_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'band'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('dedup_bands', schema=None) as batch_op:
        batch_op.create_index('ix_dedup_bands_key', ['band_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dedup_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_dedup_bands_key')
    op.drop_table('dedup_bands')
