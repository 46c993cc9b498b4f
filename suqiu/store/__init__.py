"""The store: the only door to SQL, split by concern (one mixin per module).

    store = Store.open(url)          # SQLite by default, PostgreSQL for a cluster
    store.upsert(demands)            # records.py: demands and their history
    store.pending("classify", after="analyze")   # analysis.py: stage state, analysis rows
    store.owner_of(config, record_id)            # routes.py: routes and owner-aware listings
    store.replies_of(record_id)                  # workorders.py: replies, co-handlers, extensions
    store.audit({...})                           # audit.py: the append-only audit log, warnings' states

No other module imports SQLAlchemy (an import-linter contract in the test command checks it).
"""

from __future__ import annotations

from suqiu.store.accounts import AccountsMixin
from suqiu.store.analysis import CHANGE_MARGIN
from suqiu.store.blobs import BlobsMixin
from suqiu.store.dedup import DedupMixin
from suqiu.store.audit import AuditMixin
from suqiu.store.deliveries import DeliveriesMixin
from suqiu.store.engine import StoreBusy, default_sqlite_url, from_db_time, now_local, to_db_time
from suqiu.store.migrations import SchemaOutdated
from suqiu.store.quarantine import QuarantineMixin
from suqiu.store.quotas import QuotasMixin
from suqiu.store.records import HistoryMixin, UpsertStats, demand_from_row, text_hash
from suqiu.store.reporting import ReportingMixin
from suqiu.store.routes import TRIAGE, DemandFilter, RoutesMixin
from suqiu.store.runs import RunsMixin
from suqiu.store.search_state import INDEX_STAGE, SearchStateMixin
from suqiu.store.views import OUTLIER, ViewsMixin
from suqiu.store.workorders import WorkOrdersMixin


class Store(WorkOrdersMixin, RoutesMixin, HistoryMixin, SearchStateMixin, RunsMixin, DeliveriesMixin, AccountsMixin,
            ViewsMixin, ReportingMixin, QuotasMixin, QuarantineMixin, AuditMixin, BlobsMixin, DedupMixin):
    """All database access for one installation; one instance per process."""

    @classmethod
    def open(cls, url: str, pool_size: int = 5, max_overflow: int = 10) -> "Store":
        """The store at ``url``; an empty database is created at the newest schema revision, one at an
        older revision raises ``SchemaOutdated`` (whose message says to run ``suqiu migrate``)."""
        store = cls(url, pool_size=pool_size, max_overflow=max_overflow)
        store.create_schema()
        return store


__all__ = ["Store", "CHANGE_MARGIN", "SchemaOutdated", "StoreBusy", "UpsertStats", "DemandFilter", "TRIAGE", "INDEX_STAGE", "OUTLIER",
           "default_sqlite_url",
           "demand_from_row", "from_db_time", "now_local", "text_hash", "to_db_time"]
