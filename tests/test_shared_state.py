"""State every worker reaches: two installations on two homes (two machines) share one store, and
what one writes (models, statistics, digest bodies, the web secret, the configuration) the other
reads, with nothing copied between their disks."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.installed_models import model_store
from suqiu.config import ConfigError
from suqiu.installation import Installation, write_default_config
from suqiu.state import FsspecState, StoreState, shared_state

runner = CliRunner()


@pytest.fixture(params=["store", "memory", "file"])
def state(request, store, tmp_path):
    if request.param == "store":
        return StoreState(store)
    if request.param == "memory":
        return FsspecState(f"memory://suqiu-test-{uuid.uuid4().hex[:8]}")
    return FsspecState((tmp_path / "objects").as_uri())


def test_state_contract(state):
    assert state.get("a/b.bin") is None and state.keys("a/") == []
    assert state.put("a/b.bin", b"\x00one") and state.get("a/b.bin") == b"\x00one"
    assert state.put("a/b.bin", b"two") and state.get("a/b.bin") == b"two"
    assert not state.put("a/b.bin", b"three", create_only=True) and state.get("a/b.bin") == b"two"
    state.put("a/c/d.txt", "诉求".encode())
    state.put("ab.txt", b"x")
    assert state.keys("a/") == ["a/b.bin", "a/c/d.txt"] and state.keys("a/c/") == ["a/c/d.txt"]
    state.delete(["a/b.bin", "nope"])
    assert state.keys("a/") == ["a/c/d.txt"] and state.get("ab.txt") == b"x"


def test_a_local_object_store_is_owner_only(tmp_path):
    """``[state] url = file://…`` holds the web secret: not readable by other users of the machine."""
    from suqiu.state import FsspecState
    state = FsspecState(f"file://{tmp_path / 'state'}")
    assert state.put("web/secret_key", b"s" * 32)
    assert (tmp_path / "state" / "web" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state" / "web").stat().st_mode & 0o777 == 0o700
    assert state.get("web/secret_key") == b"s" * 32 and state.keys("web/") == ["web/secret_key"]


def test_object_store_keys_stay_inside_it(tmp_path):
    state = FsspecState((tmp_path / "objects").as_uri())
    with pytest.raises(ValueError):
        state.put("../outside", b"x")


@pytest.fixture
def workers(engine_url, tmp_path, monkeypatch):
    """Two homes (two machines) on one store: the first one's SQLite file, or PostgreSQL."""
    url = engine_url or f"sqlite:///{tmp_path / 'shared.db'}"
    monkeypatch.setenv("SUQIU_STORE_URL", url)
    homes = [tmp_path / "machine-a", tmp_path / "machine-b"]
    for h in homes:
        write_default_config(h)
    insts = [Installation.load(h) for h in homes]
    yield insts
    for inst in insts:
        inst.store.close()


def test_a_model_trained_on_one_machine_is_loaded_on_another(workers):
    a, b = workers
    model_store(a).save("router", {"weights": [1, 2, 3]}, metrics={"macro_f1": 0.7})
    assert not (b.models_dir / "router").exists()
    loaded, info = model_store(b).load("router")
    assert loaded == {"weights": [1, 2, 3]} and info.version == "v0001" and info.metrics == {"macro_f1": 0.7}
    (info.path / "model.joblib").write_bytes(b"a changed local copy")
    assert model_store(b).load("router")[0] == {"weights": [1, 2, 3]}  # fetched again, never loaded
    model_store(b).save("router", {"weights": [4]})
    assert model_store(a).current_version("router") == "v0002" and model_store(a).load("router")[0] == {"weights": [4]}


def test_digest_bodies_live_in_the_state_so_another_machine_retries_them(workers):
    from suqiu.twoway.delivery import Outgoing, enqueue, outbox_bytes
    from tests.twoway.seed import HOUSING, T0
    a, b = workers
    delivery_id = enqueue(a, Outgoing(department=HOUSING, period="day", window_start=T0, window_end=T0 + timedelta(days=1),
                                      subject="住建局诉求日报", html="<p>日报</p>", text="日报", xlsx=b"PK\x03\x04",
                                      record_ids=[]))
    row = a.store.delivery(delivery_id)
    assert not Path(row["eml_path"]).is_absolute()
    shutil.rmtree(a.data_dir / "outbox")  # machine A's disk is gone
    raw = outbox_bytes(b, row["eml_path"])
    assert b"Subject:" in raw and outbox_bytes(b, row["xlsx_path"]) == b"PK\x03\x04"


def test_the_web_secret_is_one_for_every_web_server_and_not_on_disk(workers):
    from suqiu.web.auth import load_secret
    a, b = workers
    secret = load_secret(a)
    assert len(secret) >= 32 and load_secret(b) == secret
    assert not list(a.data_dir.rglob("secret*"))


def test_keyword_statistics_are_shared(workers):
    from nlp.keywords import DocFreq
    from nlp.stages.corpus_stats import load_doc_freq, save_doc_freq
    a, b = workers
    df = DocFreq()
    df.add([["噪音", "扰民"], ["噪音"]])
    save_doc_freq(a, df)
    assert load_doc_freq(b).to_dict() == df.to_dict()


def test_a_configured_object_store_holds_the_state_instead(workers, tmp_path, monkeypatch):
    a, _ = workers
    monkeypatch.setenv("SUQIU__STATE__URL", (tmp_path / "objects").as_uri())
    inst = Installation.load(a.home)
    model_store(inst).save("sentiment", [1])
    assert (tmp_path / "objects" / "models" / "sentiment" / "v0001" / "model.joblib").is_file()
    assert inst.store.blob_keys("models/") == []
    inst.store.close()


@pytest.mark.postgres
def test_a_worker_without_configuration_reads_the_published_one_or_stops(pg_test_url, tmp_path, monkeypatch):
    from suqiu.cli import app as cli
    monkeypatch.setenv("SUQIU_STORE_URL", pg_test_url)
    office, worker = tmp_path / "office", tmp_path / "worker"
    worker.mkdir()
    with pytest.raises(ConfigError, match="publish-config"):
        Installation.load(worker)
    assert runner.invoke(cli, ["init", "--home", str(office)]).exit_code == 0  # publishes to a shared store
    config = office / "suqiu.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('name = "福州市"', 'name = "厦门市"'), encoding="utf-8")
    assert Installation.load(worker).config.city.name == "福州市"  # what init published
    assert runner.invoke(cli, ["publish-config", "--home", str(office)]).exit_code == 0
    inst = Installation.load(worker)
    assert inst.config.city.name == "厦门市" and not (worker / "suqiu.toml").exists()
    doctor = json.loads(runner.invoke(cli, ["doctor", "--json", "--home", str(worker)]).stdout)
    assert {c["name"]: c["detail"] for c in doctor["checks"]}["config"].startswith("published in the store")
    inst.store.close()


def test_a_home_on_its_own_sqlite_file_keeps_the_shipped_defaults(tmp_path):
    inst = Installation.load(tmp_path / "bare")
    assert inst.config.city.name == "福州市" and not inst.config_path.exists()


def test_migrate_moves_an_earlier_release_s_local_state_into_the_shared_one(home):
    from suqiu.cli import app as cli
    data = home / "data"
    (data / "models" / "router" / "v0001").mkdir(parents=True)
    (data / "models" / "router" / "v0001" / "model.joblib").write_bytes(b"joblib bytes")
    (data / "models" / "router" / "v0001" / "meta.json").write_text('{"version": "v0001"}', encoding="utf-8")
    (data / "models" / "router" / "CURRENT").write_text("v0001\n", encoding="utf-8")
    (data / "web").mkdir()
    (data / "web" / "secret_key").write_bytes(b"s" * 32)
    out = runner.invoke(cli, ["migrate", "--json", "--home", str(home)])
    assert out.exit_code == 0, out.output
    assert sorted(json.loads(out.stdout)["published"]) == [
        "models/router/CURRENT", "models/router/v0001/meta.json", "models/router/v0001/model.joblib", "web/secret_key"]
    inst = Installation.load(home)
    assert model_store(inst).current_version("router") == "v0001"
    assert shared_state(inst).get("web/secret_key") == b"s" * 32
    inst.store.close()
