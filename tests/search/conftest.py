"""Search fixtures: one segmenter per session, one indexed copy of the dataset per backend and class."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.search import dataset


@pytest.fixture(scope="session")
def segmenter() -> Any:
    """jieba loads its dictionary once for the whole session (about two seconds)."""
    from search.segmentation import default_segmenter
    from suqiu.config import load_config
    seg = default_segmenter(load_config(Path("/nonexistent-suqiu-home")))
    seg.search_tokens("预热")
    return seg


def unique_prefix() -> str:
    """Every test run (and every class) writes to its own indices, so parallel runs never collide."""
    return f"suqiutest-{uuid.uuid4().hex[:10]}"


def new_app(root: Path, **env: str) -> Any:
    from suqiu.installation import Installation, write_default_config
    home = root / "home"
    write_default_config(home)
    return Installation.load(home, environ=env)


def make_test_backend(app: Any, kind: str, segmenter: Any, es_url: str | None = None) -> Any:
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend
        from search.service import embedded_path
        return EmbeddedBackend(embedded_path(app), segmenter)
    from search.backends.elasticsearch import ElasticsearchBackend
    return ElasticsearchBackend.from_url(es_url, unique_prefix(), segmenter, timeout=20)


@pytest.fixture(params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend(request: pytest.FixtureRequest, app: Any, segmenter: Any) -> Iterator[Any]:
    """A fresh backend of each kind for the module's ``app`` fixture (the test runs once per kind)."""
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    b = make_test_backend(app, request.param, segmenter, es_url)
    yield b
    b.drop()
    b.close()


@pytest.fixture(scope="class")
def indexed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, segmenter: Any) -> Iterator[Any]:
    """(app, backend) with the shared dataset (demands, profiles, topics) loaded and indexed, for the
    class's ``backend_kind``."""
    kind = request.cls.backend_kind
    es_url = request.getfixturevalue("es_url") if kind == "elasticsearch" else None
    app = new_app(tmp_path_factory.mktemp(f"search-{kind}"))
    dataset.load(app.store)
    dataset.load_aggregates(app.store)
    backend = make_test_backend(app, kind, segmenter, es_url)
    from search.indexing import index_pending
    stats = index_pending(app, backend=backend)
    assert stats.ok, stats.as_dict()
    try:
        yield app, backend
    finally:
        backend.drop()
        backend.close()
        app.store.close()
