"""workbench: work orders, replies, co-handlers, extensions, audit log, warning events

Revision ID: 0003_workbench
Revises: 0002_this_release
Create Date: 2026-12-01 14:15:19.039937
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_workbench'
down_revision = '0002_this_release'
branch_labels = None
depends_on = None


def _audit_log() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('record_id', sa.String(length=256), nullable=True),
    sa.Column('origin', sa.String(length=50), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_record_id'), ['record_id'], unique=False)


def _warning_events() -> None:
    op.create_table('warning_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('warning_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('warning_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_events_warning_id'), ['warning_id'], unique=False)


def _co_handlers() -> None:
    op.create_table('co_handlers',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.Column('invited_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'department')
    )
    with op.batch_alter_table('co_handlers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_handlers_department'), ['department'], unique=False)


def _extensions() -> None:
    op.create_table('extensions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('days', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('old_due_at', sa.DateTime(), nullable=True),
    sa.Column('new_due_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extensions_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extensions_state'), ['state'], unique=False)


def _replies() -> None:
    op.create_table('replies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('origin', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replies_record_id'), ['record_id'], unique=False)


def _work_orders() -> None:
    op.create_table('work_orders',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('routed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_by', sa.String(length=200), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by', sa.String(length=200), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('suspended_at', sa.DateTime(), nullable=True),
    sa.Column('supervised_at', sa.DateTime(), nullable=True),
    sa.Column('supervised_by', sa.String(length=200), nullable=True),
    sa.Column('supervise_note', sa.Text(), nullable=True),
    sa.Column('callback_at', sa.DateTime(), nullable=True),
    sa.Column('callback_by', sa.String(length=200), nullable=True),
    sa.Column('solved', sa.Boolean(), nullable=True),
    sa.Column('verify_code', sa.String(length=12), nullable=True),
    sa.Column('phone_tail', sa.String(length=4), nullable=True),
    sa.Column('requester_key', sa.String(length=64), nullable=True),
    sa.Column('alerted_to', sa.String(length=200), nullable=True),
    sa.Column('alerted_office_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id')
    )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_orders_requester_key'), ['requester_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_returned_by'), ['returned_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_routed_at'), ['routed_at'], unique=False)


# audit_log is append-only: what schema.py attaches to the table at create time, for upgraded stores
_APPEND_ONLY = {
    "sqlite": ["CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
               "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"],
    "postgresql": ["CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
                   "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"],
}


def _append_only() -> None:
    for statement in _APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _audit_log()
    _warning_events()
    _co_handlers()
    _extensions()
    _replies()
    _work_orders()
    _append_only()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_routed_at'))
        batch_op.drop_index(batch_op.f('ix_work_orders_returned_by'))
        batch_op.drop_index(batch_op.f('ix_work_orders_requester_key'))

    op.drop_table('work_orders')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replies_record_id'))

    op.drop_table('replies')
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extensions_state'))
        batch_op.drop_index(batch_op.f('ix_extensions_record_id'))

    op.drop_table('extensions')
    with op.batch_alter_table('co_handlers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_handlers_department'))

    op.drop_table('co_handlers')
    with op.batch_alter_table('warning_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_events_warning_id'))

    op.drop_table('warning_events')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_record_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
