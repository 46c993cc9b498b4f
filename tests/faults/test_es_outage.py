"""Elasticsearch dies while ``suqiu index`` runs, then comes back: the index catches up (issue 18,
deliverable 5).

The drill has its own throw-away single-node Elasticsearch on a port of its own, started through
``tests/provision/elasticsearch.sh`` (the shared one on 9200 is never touched), killed with SIGKILL
as soon as the first batch is acknowledged, and restarted on the data it had.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from suqiu.store.locks import holder
from tests.faults.drills import ROOT, act_midway, cli, running_runs, runs_of, seed_home, stage_done
from tests.twoway.test_delivery import free_port

pytestmark = [pytest.mark.slow, pytest.mark.elasticsearch]

SCRIPT = ROOT / "tests" / "provision" / "elasticsearch.sh"
N = 6000


class ThrowAwayNode:
    def __init__(self) -> None:
        self.port = free_port()
        self.run_dir = Path(f"/tmp/suqiu-es-drill-{self.port}")
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SUQIU_ES_PORT": str(self.port), "SUQIU_ES_RUN": str(self.run_dir),
                    "ES_JAVA_OPTS": "-Xms384m -Xmx384m"}

    def start(self, keep_data: bool = False) -> None:
        env = {**self.env, **({"SUQIU_ES_KEEP_DATA": "1"} if keep_data else {})}
        out = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=400)
        if out.returncode != 0:
            message = f"the throw-away Elasticsearch did not start: {out.stderr[-2000:]}"
            pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no flush, no goodbye."""
        pid = int((self.run_dir / "es.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        (self.run_dir / "es.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=self.env, capture_output=True, timeout=120)
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def node() -> Iterator[ThrowAwayNode]:
    if not shutil.which("java"):
        pytest.skip("no java: the throw-away Elasticsearch needs the JDK `make test` installs")
    es = ThrowAwayNode()
    es.start()
    yield es
    es.stop()


def test_elasticsearch_killed_midway_then_back_the_index_catches_up(tmp_path: Path, node: ThrowAwayNode):
    inst = seed_home(tmp_path / "home", N, analysed=True)
    url = inst.store_url
    env = {"SUQIU_SEARCH_BACKEND": "elasticsearch", "SUQIU_ES_URL": node.url,
           "SUQIU__SEARCH__ELASTICSEARCH__TIMEOUT_S": "10"}

    during = act_midway(inst.home, ["index"], lambda: 0 < stage_done(url, "index") < N, node.kill, **env)
    assert during.returncode == 1, during.stderr[-2000:]
    assert "搜索引擎不可用" in during.stderr
    done = stage_done(url, "index")
    assert 0 < done < N, "what the engine acknowledged is marked, the rest stays pending"
    (run,) = runs_of(url, "index")
    assert run["status"] == "failed" and run["error"]
    assert holder(inst.store, "search-index") is None, "the run gave the lock back"

    down = cli(inst.home, "index", **env)
    assert down.returncode == 1 and stage_done(url, "index") == done, "while it is down nothing more is marked"

    node.start(keep_data=True)
    back = cli(inst.home, "index", "--json", **env)
    assert back.returncode == 0, back.stdout + back.stderr[-2000:]
    stats = json.loads(back.stdout)
    assert stats["indexed"] == N - done and stats["in_index"] == N, stats
    assert stage_done(url, "index") == N
    found = json.loads(cli(inst.home, "search", "", "--json", **env).stdout)
    assert found["total"] == N
    assert running_runs(url) == []
