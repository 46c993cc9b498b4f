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
    from nlp.routing import DepartmentRules, train_router
    from suqiu.classify_stage import prepare_texts, read_labelled
    texts, labels, _ = read_labelled(FIXTURES / "routing_train.csv", "text", "label")
    norm, tokens = prepare_texts(default_config, texts)
    return train_router(norm, labels, tokens, rules=DepartmentRules.from_config(default_config))


@pytest.fixture(scope="session")
def segmenter(default_config):
    from nlp.segment import Segmenter
    return Segmenter.from_config(default_config)
