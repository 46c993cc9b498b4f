"""Small trained classifiers shared by this directory's tests (trained once per session, in < 2 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def default_config():
    import tomllib

    from suqiu.config import default_config_text, parse_config
    return parse_config(tomllib.loads(default_config_text()))


@pytest.fixture(scope="session")
def tiny_router(default_config):
    """A router model trained on the committed fixture (3 departments, 36 messages)."""
    from crawlers.importers.labelled import read_labelled
    from nlp.routing import DepartmentRules, train_router
    from nlp.training import route_docs
    data = read_labelled(FIXTURES / "routing_train.csv", "text", "label")
    docs = route_docs(default_config, data.texts)
    return train_router([d.text for d in docs], data.labels, [d.tokens for d in docs],
                        rules=DepartmentRules.from_config(default_config))


@pytest.fixture(scope="session")
def segmenter(default_config):
    from nlp.segment import Segmenter
    return Segmenter.from_config(default_config)
