"""Files that used to crash the importer (issue 18, item 10): a binary file named .csv, a 20 MB cell.

A file that cannot be imported ends in one Chinese error, exit code 1 and no traceback, and its
run is recorded as failed with the reason (never left ``running``). A row with an oversized cell
is quarantined with that reason while the file's good rows are imported.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.importers.import_profiles import NoProfileMatch
from crawlers.importers.readers import CELL_CHAR_LIMIT, ImportFileError
from crawlers.importers.run import import_file
from tests.importers.conftest import HEADER

ROOT = Path(__file__).resolve().parents[2]


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUQIU_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "suqiu.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def _import_runs(app) -> list[dict]:
    return [r for r in app.store.recent_runs(50) if r["kind"] == "import"]


def _random_bytes(n: int, seed: int, low: int = 0) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(n))


@pytest.mark.parametrize("payload", [
    pytest.param(_random_bytes(20_000, 18), id="random-bytes"),
    pytest.param(_random_bytes(20_000, 19, low=0x80), id="high-bytes-no-nul"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50, id="pdf"),
    pytest.param(b"\x1f\x8b\x08\x00" + _random_bytes(4000, 20), id="gzip"),
    pytest.param(b"SQLite format 3\x00" + bytes(4000), id="sqlite"),
])
def test_a_binary_file_named_csv_is_one_chinese_error_and_a_failed_run(home, app, tmp_path, payload):
    path = tmp_path / "导出.csv"
    path.write_bytes(payload)
    r = _cli(home, "import", str(path))
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "Error:" not in r.stderr
    assert "不是文本" in r.stderr and "导出.csv" in r.stderr
    runs = _import_runs(app)
    assert [r["status"] for r in runs] == ["failed"]
    assert "不是文本" in runs[0]["error"]
    assert app.store.count() == 0


def test_a_binary_file_is_refused_before_any_profile_is_tried(home, app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(_random_bytes(5000, 21))
    with pytest.raises(ImportFileError, match="不是文本"):
        import_file(app.store, app.config, path)


def test_status_after_a_binary_import_shows_no_running_run(home, app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(_random_bytes(5000, 22))
    _cli(home, "import", str(path))
    doc = json.loads(_cli(home, "status", "--json").stdout)
    assert [r["status"] for r in doc["runs"] if r["kind"] == "import"] == ["failed"]


def test_a_run_finishes_even_when_its_error_holds_undecodable_bytes(app, tmp_path):
    """A header of undecodable bytes that is still text: no profile fits, the run says so."""
    path = tmp_path / "x.csv"
    path.write_bytes("工单编号,来电时间,".encode("utf-8") + b"\xff\xfe\xfa" + "诉求内容\n1,2,3\n".encode("utf-8"))
    with pytest.raises(NoProfileMatch):
        import_file(app.store, app.config, path)
    (run,) = _import_runs(app)
    assert run["status"] == "failed" and "\\udcff" in run["error"]


def test_a_text_csv_in_gb18030_is_not_taken_for_binary(app, write_csv):
    path = write_csv([HEADER, "G1,2026-11-20 09:00,噪音,夜间施工噪音扰民,鼓楼区,已受理,"], encoding="gb18030")
    assert import_file(app.store, app.config, path).new == 1


# --------------------------------------------------------------------------- oversized cells
def _file_with_big_cell(tmp_path: Path, big: str) -> Path:
    lines = [HEADER,
             "B1,2026-11-20 09:00,噪音,楼下工地夜间施工噪音扰民,鼓楼区,已受理,",
             f"B2,2026-11-20 10:00,超长,{big},鼓楼区,已受理,",
             "B3,2026-11-21 09:00,停水,小区停水三天无人处理,仓山区,已受理,"]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("big", [pytest.param("x" * (20 * 1024 * 1024), id="20MB-ascii"),
                                 pytest.param("长" * (20 * 1024 * 1024 // 3), id="20MB-chinese")])
def test_a_20mb_cell_quarantines_its_row_and_imports_the_rest(app, tmp_path, big):
    stats = import_file(app.store, app.config, _file_with_big_cell(tmp_path, big))
    assert (stats.rows_read, stats.new, stats.quarantined, stats.balanced) == (3, 2, 1, True)
    assert dict(stats.quarantined_by_reason) == {"cell_too_large": 1}
    assert app.store.get("hotline:B1") and app.store.get("hotline:B3") and app.store.get("hotline:B2") is None
    (q,) = app.store.quarantined()
    assert q["reason"].startswith("cell_too_large") and "诉求内容" in q["reason"] and f"{len(big):,}" in q["reason"]
    assert len(q["payload"]) < 20_000, "the quarantine keeps a cut of the cell, not 20 MB"
    run = next(r for r in app.store.recent_runs() if r["kind"] == "import")
    assert run["status"] == "ok"


def test_a_cell_just_under_the_limit_is_judged_by_the_model(app, tmp_path):
    stats = import_file(app.store, app.config, _file_with_big_cell(tmp_path, "y" * (CELL_CHAR_LIMIT - 10)))
    assert dict(stats.quarantined_by_reason) == {"too_long": 1} and stats.new == 2


def test_the_cli_reports_the_big_cell_and_exits_0(home, tmp_path):
    r = _cli(home, "import", str(_file_with_big_cell(tmp_path, "x" * (20 * 1024 * 1024))), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["new"] == 2 and doc["quarantined_by_reason"] == {"cell_too_large": 1}

