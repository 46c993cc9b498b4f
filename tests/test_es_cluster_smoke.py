"""A two-node Elasticsearch cluster keeps answering searches while one node is down (yellow) and
heals when it returns (green), with the writes made meanwhile on both copies; and suqiu's own
index (shards and replicas from its configuration) keeps indexing and searching through it."""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.es_client import connect
from suqiu.installation import Installation
from suqiu.model import Analysis, build_demand
from suqiu.principals import Principal

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


def _demands(store, start: int, stop: int) -> None:
    """Records with a masked text (what the index takes), without running the NLP."""
    ids = store.upsert([build_demand({"source": "hotline", "source_id": f"GD-{i}", "channel": "电话",
                                      "received_at": "2026-11-20 09:30:00", "title": f"噪音扰民{i}",
                                      "content": f"工地夜间施工噪音扰民，第{i}号。"}) for i in range(start, stop)]).ids
    store.save_analysis([Analysis(record_id=rid, normalized_text=f"工地 噪音 {rid}", masked_title="噪音扰民",
                                  masked_text="工地夜间施工噪音扰民", tokens=["工地", "噪音"]) for rid in ids])


def test_suqiu_indexes_and_searches_through_a_node_stopped_while_indexing(es_cluster_urls, home, monkeypatch):
    from search.indexing import index_pending
    from search.query import SearchQuery
    from search.service import get_backend, search
    urls = es_cluster_urls
    prefix = f"suqiutest-{uuid.uuid4().hex[:8]}"
    for var, value in (("SUQIU_SEARCH_BACKEND", "elasticsearch"), ("SUQIU_ES_URL", ",".join(urls)),
                       ("SUQIU__SEARCH__ELASTICSEARCH__INDEX_PREFIX", prefix),
                       ("SUQIU__SEARCH__ELASTICSEARCH__SHARDS", "2"), ("SUQIU__SEARCH__ELASTICSEARCH__REPLICAS", "1")):
        monkeypatch.setenv(var, value)
    inst = Installation.load(home)
    _demands(inst.store, 0, 300)
    admin = connect(urls[0], timeout=150)
    victim = _non_master(admin, urls)
    backend = get_backend(inst)
    backend.chunk_size = 20
    index_documents, state = backend.index_documents, {"stopped": False}

    def stop_midway(docs):
        for n, doc in enumerate(docs):
            if n == 100:  # a third of the way in: the node goes down under the bulk requests
                _node("node-stop", victim, urls)
                state["stopped"] = True
            yield doc

    monkeypatch.setattr(backend, "index_documents", lambda docs: index_documents(stop_midway(docs)))
    try:
        first = index_pending(inst)
        assert state["stopped"] and first.error is None
        settings = admin.indices.get_settings(index=backend.alias)
        index_settings = next(iter(settings.values()))["settings"]["index"]
        assert (index_settings["number_of_shards"], index_settings["number_of_replicas"]) == ("2", "1")
        assert admin.cluster.health(index=backend.alias)["status"] == "yellow"
        monkeypatch.setattr(backend, "index_documents", index_documents)
        _demands(inst.store, 300, 350)                   # more arrive while the node is down
        index_pending(inst)
        assert search(inst, SearchQuery.create(text="噪音", size=5), Principal.office()).total == \
            350 - len(inst.store.pending("index", key="version"))

        _node("node-start", victim, urls)
        state["stopped"] = False
        health = admin.cluster.health(index=backend.alias, wait_for_status="green", wait_for_nodes="2", timeout="120s")
        assert health["status"] == "green"
        index_pending(inst)                               # whatever failed meanwhile is caught up
        assert inst.store.pending("index", key="version") == []
        assert search(inst, SearchQuery.create(text="噪音", size=5), Principal.office()).total == 350
        returned = connect(urls[victim - 1], timeout=60)
        returned.indices.refresh(index=backend.alias)
        assert returned.count(index=backend.alias, preference="_only_local")["count"] >= 175  # its copies
        copies = admin.cat.shards(index=backend.alias, format="json")
        assert sorted(c["prirep"] for c in copies) == ["p", "p", "r", "r"] and {c["state"] for c in copies} == {"STARTED"}
        for c in copies:
            assert int(c["docs"]) > 0
    finally:
        if state["stopped"]:
            _node("node-start", victim, urls)
        for name in admin.indices.get(index=f"{prefix}-*"):
            admin.indices.delete(index=name)
        admin.indices.delete_index_template(name=backend.alias)
        inst.store.close()
