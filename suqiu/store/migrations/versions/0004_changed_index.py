"""what changed since: records.updated_at and analysis.updated_at indexed (issue 14)

Revision ID: 0004_changed_index
Revises: 0003_workbench
Create Date: 2026-12-01 20:30:00.000000

The views stage and routing read the demands changed since their last build or run; without these
indexes each read scanned the whole history (about 6 s and 14 s on a million records).
"""

from __future__ import annotations

from alembic import op

revision = '0004_changed_index'
down_revision = '0003_workbench'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_updated_at'), ['updated_at'], unique=False)
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_updated_at'))
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_updated_at'))
