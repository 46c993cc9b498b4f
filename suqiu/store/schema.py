"""Table definitions (SQLAlchemy Core) shared by SQLite and PostgreSQL.

Times are stored naive, in Asia/Shanghai local time (the store attaches the zone on read), so
date-range filters behave the same on both engines.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
    SmallInteger, String, Table, Text, UniqueConstraint,
)

metadata = MetaData()

records = Table(
    "records", metadata,
    Column("id", String(256), primary_key=True),          # source:source_id
    Column("source", String(20), nullable=False, index=True),
    Column("source_id", String(200), nullable=False),
    Column("channel", String(50), nullable=False, default=""),
    Column("url", Text),
    Column("received_at", DateTime, nullable=False, index=True),
    Column("title", Text, nullable=False, default=""),
    Column("content", Text, nullable=False),
    Column("district", String(100), index=True),
    Column("address", Text),
    Column("requester_type", String(20), nullable=False),
    Column("requester", String(200)),
    Column("category_given", String(200)),
    Column("department_given", String(200)),
    Column("status", String(20), nullable=False, index=True),
    Column("reply_text", Text),
    Column("replied_at", DateTime),
    Column("replied_by", String(200)),
    Column("satisfaction", String(50)),
    Column("votes_up", Integer),
    Column("votes_down", Integer),
    Column("rating", Float),
    Column("business_name", String(300)),
    Column("lat", Float),                                   # the source's point (Open311), WGS-84
    Column("lon", Float),
    # counts exports carry: 转处理次数 (more than once: 推诿), 有效回复条数, 回访次数
    Column("transfer_count", Integer), Column("reply_count", Integer), Column("callback_count", Integer),
    # provenance
    Column("crawl_run", String(100)),
    Column("content_hash", String(64), nullable=False),   # everything the source said
    Column("text_hash", String(64), nullable=False),      # what NLP reads; analysis re-runs on change
    Column("version", Integer, nullable=False, default=1),  # bumped on any change; index follows it
    Column("ingested_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False, index=True),  # what changed since (views, routing)
    UniqueConstraint("source", "source_id", name="uq_records_source_id"),
)

record_history = Table(
    "record_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(256), ForeignKey("records.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("field", String(50), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("origin", String(50), nullable=False),          # import, crawl, api, reassign, routing …
    Column("actor", String(200)),
    Column("note", Text),
)

analysis = Table(
    "analysis", metadata,
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("normalized_text", Text),
    Column("masked_title", Text),
    Column("masked_text", Text),
    Column("tokens", JSON),
    Column("keywords", JSON),
    Column("places", JSON),
    Column("sentiment_score", Float),
    Column("sentiment_label", String(20), index=True),
    Column("urgency_level", String(20), index=True),
    Column("urgency_reasons", JSON),
    Column("topic_id", Integer, index=True),
    Column("topic_weight", Float),
    Column("department", String(200), index=True),
    Column("route_confidence", Float),
    Column("route_reason", String(200)),
    Column("route_candidates", JSON),
    Column("dup_group", String(256), index=True),
    Column("publication", String(20), index=True),          # 分级: public | internal | office_only (NULL: office)
    Column("sensitivity", String(20)),                       # 分类: normal | report | stability | secret
    Column("level_reasons", JSON),
    Column("updated_at", DateTime, nullable=False, index=True),
)

stage_state = Table(
    "stage_state", metadata,
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("stage", String(50), primary_key=True),
    Column("input_key", String(64), nullable=False),       # the text_hash or version the stage saw
    Column("done_at", DateTime, nullable=False),
)

quarantine = Table(
    "quarantine", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(50), nullable=False, index=True),
    Column("source_ref", Text),                            # file:row, URL, …
    Column("field", String(100)),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("run_id", String(100)),
    Column("at", DateTime, nullable=False),
    # `suqiu quarantine readmit`: the row stays, naming the record it became, when and by whom
    Column("readmitted_at", DateTime), Column("readmitted_record", String(256)), Column("readmitted_by", String(200)),
    UniqueConstraint("source", "payload_hash", "reason", name="uq_quarantine_payload"),
)

runs = Table(
    "runs", metadata,
    Column("id", String(100), primary_key=True),
    Column("kind", String(50), nullable=False, index=True),  # import, crawl, analyze, index, digest, report
    Column("source", String(100)),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(20), nullable=False),            # running, ok, failed
    Column("stats", JSON),
    Column("error", Text),
    Column("host", String(255)),                             # its process: one that died makes the run
    Column("pid", Integer),                                  # failed (interrupted), see runs.py
    Column("heartbeat_at", DateTime),                        # refreshed while it works
)

# web users (suqiu.twoway.accounts): argon2id password hashes (earlier releases: scrypt, rehashed at sign-in)
users = Table(
    "users", metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(30), nullable=False),             # office | department | public (earlier releases wrote petition_office)
    Column("department", String(200)),                      # canonical department name for role=department
    Column("display_name", String(200)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

Index("ix_records_dept_given", records.c.department_given)
Index("ix_stage_state_stage", stage_state.c.stage, stage_state.c.input_key)

__all__ = ["metadata", "records", "record_history", "analysis", "stage_state", "quarantine", "runs",
           "users", "Boolean"]

# ---------------------------------------------------------------- the two-way loop (issue 9)
# where a demand is routed: one row per record; history of changes lives in record_history
routes = Table(
    "routes", metadata,
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("department", String(200), index=True),          # canonical name; NULL in the triage queue
    Column("queue", String(20), nullable=False, index=True),  # department | triage
    Column("reason", String(50), nullable=False),             # given, rule, model, triage, reassign
    Column("confidence", Float),
    Column("routed_at", DateTime, nullable=False, index=True),
    Column("actor", String(200)),
    Column("note", Text),
)

# one digest delivery (email and/or outbox); failed ones are retried until sent, never dropped
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(200), nullable=False, index=True),
    Column("period", String(10), nullable=False),
    Column("window_start", DateTime, nullable=False),
    Column("window_end", DateTime, nullable=False),
    Column("recipient", String(300)),
    Column("subject", Text, nullable=False),
    Column("eml_path", Text, nullable=False),                # the exact message, resent as is
    Column("html_path", Text, nullable=False),
    Column("xlsx_path", Text, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("status", String(20), nullable=False, index=True),  # pending, sent, failed, outbox
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("last_attempt_at", DateTime),
    Column("next_attempt_at", DateTime),
    Column("sent_at", DateTime),
)

# which demands a department's digest carried (so each routed demand is sent once per routing)
digest_items = Table(
    "digest_items", metadata,
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), primary_key=True),
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("department", String(200), nullable=False, index=True),
)

# department API tokens: only the SHA-256 of the (high-entropy) token is stored
api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(200)),                      # NULL for the petition office
    Column("role", String(20), nullable=False),               # department | office | client
    Column("label", String(200)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
    Column("scope", JSON),                                   # a client's departments: it reads and files for them
)

__all__ += ["routes", "deliveries", "digest_items", "api_tokens"]

# ---------------------------------------------------------------- topics, profiles, hotspots, warnings (issue 6)
# one row per stable topic id; ids survive refits (matched on keyword overlap), retired ones stay
topics = Table(
    "topics", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("label", String(200), nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("weights", JSON),
    Column("coherence", Float),
    Column("size", Integer, nullable=False, default=0),
    Column("representatives", JSON),                        # record ids, best fitting first
    Column("emerging", Boolean, nullable=False, default=False),  # new in a refit after the first one
    Column("active", Boolean, nullable=False, default=True),
    Column("fit_id", String(100)),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# 需求画像: one per dimension value × ISO week; ``data`` is the plain dict the search index takes
profiles = Table(
    "profiles", metadata,
    Column("id", String(400), primary_key=True),            # dimension:value:week
    Column("dimension", String(30), nullable=False),
    Column("value", String(300), nullable=False),
    Column("week", String(10), nullable=False, index=True),
    Column("volume", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_profiles_dim_week", profiles.c.dimension, profiles.c.week)

# 热点问题: rebuilt on every topics run (a window's start moves as demands arrive)
hotspots = Table(
    "hotspots", metadata,
    Column("id", String(40), primary_key=True),
    Column("rank", Integer, nullable=False, index=True),
    Column("heat", Float, nullable=False),
    Column("topic_id", Integer, index=True),
    Column("place", String(300)),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# 预警: surges and urgent clusters with their evidence; kept (first_seen) across runs
warnings = Table(
    "warnings", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(30), nullable=False, index=True),  # surge_topic, surge_district, urgent_cluster
    Column("week", String(10), nullable=False, index=True),
    Column("subject", String(300), nullable=False),
    Column("level", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

__all__ += ["topics", "profiles", "hotspots", "warnings"]

# ---------------------------------------------------------------- near-duplicate signatures (issue 4)
# MinHash signature of each analysed record's masked text; ``params`` names the hasher settings, a
# change of settings recomputes signatures from the stored masked text.
dedup_signatures = Table(
    "dedup_signatures", metadata,
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("params", String(60), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# the LSH band hashes of each stored signature (``nlp.dup_bands``), so a text run looks up only the
# buckets of its new records instead of loading every signature (issue 14); ``written_by`` is the run
# that wrote the row (a run's own records are not history to it)
dedup_bands = Table(
    "dedup_bands", metadata,
    Column("record_id", String(256), ForeignKey("records.id"), primary_key=True),
    Column("band", SmallInteger, primary_key=True, autoincrement=False),
    Column("band_key", BigInteger, nullable=False),
    Column("written_by", Integer),
    sqlite_with_rowid=False,
)
Index("ix_dedup_bands_key", dedup_bands.c.band_key)

__all__ += ["dedup_bands", "dedup_signatures"]

# ---------------------------------------------------------------- search index bookkeeping (issue 7)
# profiles and topics in the search index: the content hash of each document the engine last
# acknowledged, so a run re-sends only what changed and deletes what left the store
index_aggregates = Table(
    "index_aggregates", metadata,
    Column("id", String(450), primary_key=True),            # profile:<dimension:value:week>, topic:<id>
    Column("kind", String(20), nullable=False, index=True),
    Column("hash", String(64), nullable=False),
    Column("indexed_at", DateTime, nullable=False),
)

# leases: one holder at a time per name (e.g. "search-index"); an expired lease counts as free
locks = Table(
    "locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(300), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("host", String(255)),                             # the holder's process: a dead local
    Column("pid", Integer),                                  # holder frees the lease at once
)

# request budgets per key and fixed window (Open311 filing per client token)
quotas = Table(
    "quotas", metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", DateTime, nullable=False),
    Column("used", Integer, nullable=False),
)

__all__ += ["index_aggregates", "locks", "quotas"]
# web sign-in: throttle counters (hashed keys, epoch seconds), live sessions (SHA-256 of the cookie's id)
login_attempts = Table(
    "login_attempts", metadata, Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False), Column("last_at", Float, nullable=False, index=True),
    Column("next_at", Float, nullable=False))
web_sessions = Table(
    "web_sessions", metadata, Column("id", String(64), primary_key=True),
    Column("username", String(100), nullable=False, index=True), Column("expires_at", DateTime, nullable=False))

__all__ += ["login_attempts", "web_sessions"]

# ---------------------------------------------------------------- dashboard and leaders' reports (issue 17)
# JSON documents by kind: "forecast" (key dimension:subject; the forecasts stage rebuilds them all) and
# "topic_pick" (每月一题, key the month such as 2026-11, the office's choice)
documents = Table(
    "documents", metadata,
    Column("kind", String(30), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
__all__ += ["documents"]

# ---------------------------------------------------------------- state every worker reaches (issue 15)
# what would otherwise live on one machine's disk: trained models, corpus statistics, the topic
# model, digest bodies, the web secret, the published configuration (``suqiu.state``)
blobs = Table(
    "blobs", metadata,
    Column("key", String(400), primary_key=True),           # a path such as models/router/v0001/model.joblib
    Column("data", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

__all__ += ["blobs"]

# the workbench's tables (issue 16) are defined beside, on this metadata: imported last, so every
# table is in ``metadata`` whoever imports the schema
from suqiu.store.workbench_schema import (  # noqa: E402
    audit_log, co_handlers, extensions, replies, warning_events, work_orders)

__all__ += ["work_orders", "replies", "co_handlers", "extensions", "audit_log", "warning_events"]
