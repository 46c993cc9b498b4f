"""A two-node Elasticsearch cluster keeps answering searches while one node is down (yellow) and
heals when it returns (green), with the writes made meanwhile on both copies."""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.es_client import connect

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

SCRIPT = Path(__file__).parent / "provision" / "elasticsearch.sh"
DOCS = ["工地 夜间 施工 噪音 扰民", "小区 路灯 损坏", "广场舞 音响 噪音", "道路 积水 严重"]


def _node(action: str, number: int, urls: list[str]) -> None:
    """node-stop / node-start through the provisioning script (node N serves HTTP on BASE+N)."""
    base = urlsplit(urls[0]).port - 1
    subprocess.run([str(SCRIPT), action, str(number)], check=True, timeout=240,
                   env={**os.environ, "SUQIU_ES_CLUSTER_HTTP_BASE": str(base)})


def _non_master(client, urls: list[str]) -> int:
    """The 1-based number of the node that is not the elected master (the one the cluster can lose)."""
    master = client.cat.master(format="json")[0]["node"]
    for node in client.nodes.info(metric="http")["nodes"].values():
        if node["name"] != master:
            address = node["http"]["publish_address"].rsplit("/", 1)[-1]
            return 1 + [urlsplit(u).netloc for u in urls].index(address)
    raise AssertionError(f"no node besides the master {master}")


def _hits(client, index: str, text: str, **kw) -> list[str]:
    res = client.search(index=index, query={"match": {"text_seg": text}}, **kw)
    return sorted(h["_id"] for h in res["hits"]["hits"])


def test_search_survives_a_node_down_and_cluster_heals(es_cluster_urls):
    urls = es_cluster_urls
    victim = _non_master(connect(urls[0]), urls)
    survivor = connect(urls[2 - victim], timeout=150)  # above the 120 s health wait below
    name = f"suqiutest-cluster-{uuid.uuid4().hex[:8]}"
    survivor.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 1},
                            mappings={"properties": {"text_seg": {"type": "text", "analyzer": "whitespace"}}})
    stopped = False
    try:
        for i, text in enumerate(DOCS):
            survivor.index(index=name, id=str(i), document={"text_seg": text})
        survivor.indices.refresh(index=name)
        assert survivor.cluster.health(index=name, wait_for_status="green", timeout="60s")["status"] == "green"
        copies = survivor.cat.shards(index=name, format="json")
        assert sorted(c["prirep"] for c in copies) == ["p", "r"] and len({c["node"] for c in copies}) == 2

        _node("node-stop", victim, urls)
        stopped = True
        health = survivor.cluster.health(index=name, wait_for_nodes="1", timeout="60s")
        assert health["status"] == "yellow" and health["unassigned_shards"] == 1
        assert _hits(survivor, name, "噪音") == ["0", "2"]
        survivor.index(index=name, id="4", document={"text_seg": "噪音 投诉 无人 处理"}, refresh=True)
        assert _hits(survivor, name, "噪音") == ["0", "2", "4"]

        _node("node-start", victim, urls)
        stopped = False
        health = survivor.cluster.health(index=name, wait_for_status="green", wait_for_nodes="2", timeout="120s")
        assert health["status"] == "green" and health["unassigned_shards"] == 0
        # the returning node's own copy has the write it missed
        returned = connect(urls[victim - 1], timeout=60)
        assert _hits(returned, name, "噪音", preference="_only_local") == ["0", "2", "4"]
    finally:
        if stopped:
            _node("node-start", victim, urls)
        survivor.indices.delete(index=name)
