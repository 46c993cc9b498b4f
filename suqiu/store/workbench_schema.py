"""The workbench's tables (issue 16): work orders, replies, 协办, 延期, the audit log, warning steps.

Defined on ``suqiu.store.schema.metadata`` (which imports this module last): one schema, two files.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL, Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Table,
    Text, event,
)

from suqiu.store.schema import metadata

# ---------------------------------------------------------------- the workbench: work orders (issue 16)
# one row per demand in the lifecycle (suqiu.twoway.lifecycle): what history alone answers slowly
work_orders = Table(
    "work_orders", metadata, Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("routed_at", DateTime, index=True), Column("signed_at", DateTime), Column("signed_by", String(200)),
    Column("due_at", DateTime),                              # set by an extension, a reopening or a resumption
    Column("returned_by", String(200), index=True), Column("returned_at", DateTime), Column("return_reason", Text),
    Column("suspended_at", DateTime),
    Column("supervised_at", DateTime), Column("supervised_by", String(200)), Column("supervise_note", Text),  # 督办
    Column("callback_at", DateTime), Column("callback_by", String(200)), Column("solved", Boolean),          # 回访
    Column("verify_code", String(12)),                       # given to the citizen with the receipt number
    Column("phone_tail", String(4)), Column("requester_key", String(64), index=True),  # sha256 of the phone
    Column("alerted_to", String(200)), Column("alerted_office_at", DateTime),  # critical alerts sent
    Column("updated_at", DateTime, nullable=False))
# every reply, interim (阶段性) or final (办结): the server's time, the sender's claimed time beside it
replies = Table(
    "replies", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(256), ForeignKey("records.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False), Column("text", Text, nullable=False),
    Column("department", String(200)), Column("actor", String(200)),  # department NULL: the office
    Column("at", DateTime, nullable=False), Column("claimed_at", DateTime), Column("origin", String(50), nullable=False))
# 协办: departments that read a demand beside its main department
co_handlers = Table(
    "co_handlers", metadata, Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("department", String(200), primary_key=True, index=True), Column("invited_at", DateTime, nullable=False),
    Column("invited_by", String(200)), Column("note", Text))
# 延期: a department asks for more working days, the office grants or refuses
extensions = Table(
    "extensions", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(256), ForeignKey("records.id"), nullable=False, index=True),
    Column("department", String(200), nullable=False), Column("days", Float, nullable=False),
    Column("reason", Text, nullable=False), Column("state", String(10), nullable=False, index=True),
    Column("requested_at", DateTime, nullable=False), Column("requested_by", String(200)),
    Column("decided_at", DateTime), Column("decided_by", String(200)), Column("decision_note", Text),
    Column("old_due_at", DateTime), Column("new_due_at", DateTime))
# who viewed, exported, replied to or changed which demand; append-only (triggers refuse changes)
audit_log = Table(
    "audit_log", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True), Column("actor", String(200), nullable=False),
    Column("role", String(20), nullable=False), Column("department", String(200)),
    Column("action", String(30), nullable=False, index=True), Column("record_id", String(256), index=True),
    Column("origin", String(50), nullable=False), Column("detail", Text))
# a warning's lifecycle (新 → 已确认 → 处置中 → 已解除): one row per step, the newest is its state
warning_events = Table(
    "warning_events", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
    Column("warning_id", String(40), nullable=False, index=True), Column("at", DateTime, nullable=False),
    Column("state", String(20), nullable=False), Column("actor", String(200)), Column("note", Text))
_RAISE = "SELECT RAISE(ABORT, 'audit_log is append-only')"
_APPEND_ONLY = {"sqlite": [f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log BEGIN {_RAISE}; END"
                           for op in ("UPDATE", "DELETE")],
                "postgresql": ["CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                               "RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
                               "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"]}
for _dialect, _statements in _APPEND_ONLY.items():
    for _sql in _statements:
        event.listen(audit_log, "after_create", DDL(_sql).execute_if(dialect=_dialect))

__all__ = ["work_orders", "replies", "co_handlers", "extensions", "audit_log", "warning_events"]
