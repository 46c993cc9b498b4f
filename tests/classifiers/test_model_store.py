from __future__ import annotations

import pytest

from nlp.model_store import ModelStore, ModelStoreError
from nlp.routing import RouteDoc


def _docs(segmenter, texts):
    return [RouteDoc(t, tuple(segmenter.tokens(t))) for t in texts]


TEXTS = ["小区电梯坏了没人修", "公司拖欠工资", "学校乱收费", "请问怎么办理"]


def test_saved_router_reloads_and_predicts_the_same(tmp_path, tiny_router, segmenter):
    store = ModelStore(tmp_path)
    info = store.save("router", tiny_router, metrics={"macro_f1": 0.5})
    loaded, info2 = store.load("router")
    docs = _docs(segmenter, TEXTS)
    assert loaded.predict(docs) == tiny_router.predict(docs)
    assert (loaded.predict_proba(docs) == tiny_router.predict_proba(docs)).all()
    assert info2.version == info.version == "v0001"
    assert info2.metrics == {"macro_f1": 0.5}


def test_versions_increase_and_current_follows(tmp_path):
    store = ModelStore(tmp_path)
    store.save("router", {"a": 1})
    store.save("router", {"a": 2})
    assert store.versions("router") == ["v0001", "v0002"]
    assert store.current_version("router") == "v0002"
    assert store.load("router")[0] == {"a": 2}
    store.set_current("router", "v0001")
    assert store.load("router")[0] == {"a": 1}


def test_no_model_is_none(tmp_path):
    assert ModelStore(tmp_path).load("router") is None


def test_changed_model_file_is_refused(tmp_path):
    store = ModelStore(tmp_path)
    info = store.save("router", {"a": 1})
    (info.path / "model.joblib").write_bytes(b"not the saved model")
    with pytest.raises(ModelStoreError, match="checksum"):
        store.load("router")


def test_kind_and_version_cannot_escape_the_directory(tmp_path):
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelStoreError):
        store.load("../etc")
    with pytest.raises(ModelStoreError):
        store.info("router", "../../x")


def test_metadata_records_training_facts(tmp_path):
    info = ModelStore(tmp_path).save("sentiment", [1], meta={"n_docs": 3})
    assert info.meta["n_docs"] == 3
    assert len(info.meta["sha256"]) == 64
    assert info.meta["created_at"].endswith("+08:00")
