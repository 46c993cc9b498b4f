"""The search contract on the real Elasticsearch (SUQIU_TEST_ES_URL)."""

import pytest

from tests.search.contract import SearchContract


@pytest.mark.elasticsearch
class TestElasticsearchContract(SearchContract):
    backend_kind = "elasticsearch"
