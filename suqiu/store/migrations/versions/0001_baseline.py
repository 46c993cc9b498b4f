"""Baseline: the schema of the previous release (commit ab81252, ``suqiu/schema.py`` there).

A database the previous release made has exactly these tables; ``suqiu migrate`` stamps it at
this revision and upgrades it from here. Frozen: never edit it to follow ``schema.py``.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (  # in the order they are created (a table after the ones it refers to)
    "api_tokens", "deliveries", "hotspots", "index_aggregates", "locks", "profiles", "quarantine", "records",
    "runs", "topics", "users", "warnings", "analysis", "dedup_signatures", "digest_items", "record_history",
    "routes", "stage_state",
)


def _tokens_deliveries_hotspots() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('window_end', sa.DateTime(), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('eml_path', sa.Text(), nullable=False),
    sa.Column('html_path', sa.Text(), nullable=False),
    sa.Column('xlsx_path', sa.Text(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_deliveries_department'), 'deliveries', ['department'], unique=False)
    op.create_index(op.f('ix_deliveries_status'), 'deliveries', ['status'], unique=False)
    op.create_table('hotspots',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('heat', sa.Float(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_hotspots_rank'), 'hotspots', ['rank'], unique=False)
    op.create_index(op.f('ix_hotspots_topic_id'), 'hotspots', ['topic_id'], unique=False)


def _index_state_locks_profiles_quarantine() -> None:
    op.create_table('index_aggregates',
    sa.Column('id', sa.String(length=450), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('indexed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_index_aggregates_kind'), 'index_aggregates', ['kind'], unique=False)
    op.create_table('locks',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=300), nullable=False),
    sa.Column('acquired_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('profiles',
    sa.Column('id', sa.String(length=400), nullable=False),
    sa.Column('dimension', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_profiles_dim_week', 'profiles', ['dimension', 'week'], unique=False)
    op.create_index(op.f('ix_profiles_week'), 'profiles', ['week'], unique=False)
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('source_ref', sa.Text(), nullable=True),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.String(length=100), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'payload_hash', 'reason', name='uq_quarantine_payload')
    )
    op.create_index(op.f('ix_quarantine_source'), 'quarantine', ['source'], unique=False)


def _records_runs() -> None:
    op.create_table('records',
    sa.Column('id', sa.String(length=256), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('requester_type', sa.String(length=20), nullable=False),
    sa.Column('requester', sa.String(length=200), nullable=True),
    sa.Column('category_given', sa.String(length=200), nullable=True),
    sa.Column('department_given', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('replied_by', sa.String(length=200), nullable=True),
    sa.Column('satisfaction', sa.String(length=50), nullable=True),
    sa.Column('votes_up', sa.Integer(), nullable=True),
    sa.Column('votes_down', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Float(), nullable=True),
    sa.Column('business_name', sa.String(length=300), nullable=True),
    sa.Column('crawl_run', sa.String(length=100), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ingested_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'source_id', name='uq_records_source_id')
    )
    op.create_index('ix_records_dept_given', 'records', ['department_given'], unique=False)
    op.create_index(op.f('ix_records_district'), 'records', ['district'], unique=False)
    op.create_index(op.f('ix_records_received_at'), 'records', ['received_at'], unique=False)
    op.create_index(op.f('ix_records_source'), 'records', ['source'], unique=False)
    op.create_index(op.f('ix_records_status'), 'records', ['status'], unique=False)
    op.create_table('runs',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_runs_kind'), 'runs', ['kind'], unique=False)


def _topics_users_warnings() -> None:
    op.create_table('topics',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=True),
    sa.Column('coherence', sa.Float(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('representatives', sa.JSON(), nullable=True),
    sa.Column('emerging', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('fit_id', sa.String(length=100), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('users',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('warnings',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_warnings_kind'), 'warnings', ['kind'], unique=False)
    op.create_index(op.f('ix_warnings_week'), 'warnings', ['week'], unique=False)


def _analysis_signatures_digest_items() -> None:
    op.create_table('analysis',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('normalized_text', sa.Text(), nullable=True),
    sa.Column('masked_title', sa.Text(), nullable=True),
    sa.Column('masked_text', sa.Text(), nullable=True),
    sa.Column('tokens', sa.JSON(), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=True),
    sa.Column('places', sa.JSON(), nullable=True),
    sa.Column('sentiment_score', sa.Float(), nullable=True),
    sa.Column('sentiment_label', sa.String(length=20), nullable=True),
    sa.Column('urgency_level', sa.String(length=20), nullable=True),
    sa.Column('urgency_reasons', sa.JSON(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('topic_weight', sa.Float(), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('route_confidence', sa.Float(), nullable=True),
    sa.Column('route_reason', sa.String(length=200), nullable=True),
    sa.Column('route_candidates', sa.JSON(), nullable=True),
    sa.Column('dup_group', sa.String(length=256), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id')
    )
    op.create_index(op.f('ix_analysis_department'), 'analysis', ['department'], unique=False)
    op.create_index(op.f('ix_analysis_dup_group'), 'analysis', ['dup_group'], unique=False)
    op.create_index(op.f('ix_analysis_sentiment_label'), 'analysis', ['sentiment_label'], unique=False)
    op.create_index(op.f('ix_analysis_topic_id'), 'analysis', ['topic_id'], unique=False)
    op.create_index(op.f('ix_analysis_urgency_level'), 'analysis', ['urgency_level'], unique=False)
    op.create_table('dedup_signatures',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('params', sa.String(length=60), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id')
    )
    op.create_table('digest_items',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('delivery_id', 'record_id')
    )
    op.create_index(op.f('ix_digest_items_department'), 'digest_items', ['department'], unique=False)


def _history_routes_stage_state() -> None:
    op.create_table('record_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('field', sa.String(length=50), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=50), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_record_history_record_id'), 'record_history', ['record_id'], unique=False)
    op.create_table('routes',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('queue', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=50), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('routed_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id')
    )
    op.create_index(op.f('ix_routes_department'), 'routes', ['department'], unique=False)
    op.create_index(op.f('ix_routes_queue'), 'routes', ['queue'], unique=False)
    op.create_index(op.f('ix_routes_routed_at'), 'routes', ['routed_at'], unique=False)
    op.create_table('stage_state',
    sa.Column('record_id', sa.String(length=256), nullable=False),
    sa.Column('stage', sa.String(length=50), nullable=False),
    sa.Column('input_key', sa.String(length=64), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'stage')
    )
    op.create_index('ix_stage_state_stage', 'stage_state', ['stage', 'input_key'], unique=False)


def upgrade() -> None:
    _tokens_deliveries_hotspots()
    _index_state_locks_profiles_quarantine()
    _records_runs()
    _topics_users_warnings()
    _analysis_signatures_digest_items()
    _history_routes_stage_state()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
