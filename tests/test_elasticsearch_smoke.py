"""The test command's Elasticsearch is a real server reached through the official 8.x client."""

import uuid

import elasticsearch
import pytest

from search.es_client import connect, server_version

pytestmark = pytest.mark.elasticsearch


def test_client_major_matches_server(es_url):
    client = connect(es_url)
    assert server_version(client).split(".")[0] == str(elasticsearch.__versionstr__).split(".")[0] == "8"


def test_index_search_delete(es_url):
    client = connect(es_url)
    name = f"smoke-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, mappings={"properties": {
        "text_seg": {"type": "text", "analyzer": "whitespace"}, "district": {"type": "keyword"}}})
    try:
        client.index(index=name, id="1", document={"text_seg": "工地 噪音 扰民", "district": "仓山区"})
        client.index(index=name, id="2", document={"text_seg": "路灯 损坏", "district": "鼓楼区"})
        client.indices.refresh(index=name)
        res = client.search(index=name, query={"match": {"text_seg": "噪音"}},
                            aggs={"d": {"terms": {"field": "district"}}})
        assert [h["_id"] for h in res["hits"]["hits"]] == ["1"]
        assert res["aggregations"]["d"]["buckets"][0]["key"] == "仓山区"
    finally:
        client.indices.delete(index=name)
    assert not client.indices.exists(index=name)
