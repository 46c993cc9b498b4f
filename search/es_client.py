"""Connecting to Elasticsearch 8.x and reading its version.

The integ-test server the tests use lacks the ``GET /`` root endpoint, so health and version come
from ``_cluster/health`` and ``_nodes`` (present in every distribution), never ``ping()``/``info()``.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch


def connect(url: str, timeout: float = 30.0) -> Elasticsearch:
    """A client of one node or of a cluster (``url`` lists its nodes, comma-separated): a request to
    a node that is down is retried on another."""
    hosts = [u.strip() for u in url.split(",") if u.strip()]
    return Elasticsearch(hosts, request_timeout=timeout, retry_on_timeout=True, max_retries=3)


def server_version(client: Elasticsearch) -> str:
    client.cluster.health(wait_for_status="yellow", timeout="5s")
    nodes = client.nodes.info(node_id="_local", filter_path="nodes.*.version")["nodes"]
    return next(iter(nodes.values()))["version"]
