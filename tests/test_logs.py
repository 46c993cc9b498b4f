"""One logging configuration: plain lines or JSON lines, the run id on every line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from suqiu.logs import APP_LOGGERS, configure_logging, current_run_id, run_context


@pytest.fixture
def stream():
    buf = io.StringIO()
    yield buf
    for name in APP_LOGGERS:   # leave the loggers as other tests expect them
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if h.get_name() != "suqiu"]
        logger.propagate = True


def test_plain_line_carries_the_run_id(stream) -> None:
    configure_logging(json_lines=False, stream=stream)
    with run_context("import-20261201T101010-abc123"):
        logging.getLogger("crawlers.importers.run").info("导入 %s", "x.csv")
    assert "[import-20261201T101010-abc123] crawlers.importers.run: 导入 x.csv" in stream.getvalue()


def test_outside_a_run_the_id_is_a_dash(stream) -> None:
    configure_logging(json_lines=False, stream=stream)
    logging.getLogger("nlp").warning("x")
    assert "[-] nlp: x" in stream.getvalue()


def test_json_lines_when_asked_by_the_environment(stream, monkeypatch) -> None:
    monkeypatch.setenv("SUQIU_LOG_FORMAT", "json")
    configure_logging(stream=stream)
    with run_context("crawl-1"):
        logging.getLogger("flows.ingest").info("采集 %d 页", 3)
    doc = json.loads(stream.getvalue())
    assert (doc["message"], doc["run_id"], doc["level"], doc["logger"]) == ("采集 3 页", "crawl-1", "INFO", "flows.ingest")


def test_json_line_holds_the_exception(stream) -> None:
    configure_logging(json_lines=True, stream=stream)
    try:
        raise ValueError("坏数据")
    except ValueError:
        logging.getLogger("search").exception("failed")
    assert "ValueError: 坏数据" in json.loads(stream.getvalue())["exception"]


def test_configuring_twice_keeps_one_handler(stream) -> None:
    configure_logging(stream=stream)
    configure_logging(stream=stream)
    assert len([h for h in logging.getLogger("suqiu").handlers if h.get_name() == "suqiu"]) == 1


def test_run_context_restores_the_outer_run() -> None:
    with run_context("outer"):
        with run_context("inner"):
            assert current_run_id() == "inner"
        assert current_run_id() == "outer"
    assert current_run_id() is None


def test_other_libraries_loggers_untouched(stream) -> None:
    before = list(logging.getLogger("scrapy").handlers)
    configure_logging(stream=stream)
    assert logging.getLogger("scrapy").handlers == before


def test_a_process_run_covers_lines_outside_any_context(stream) -> None:
    from suqiu.logs import set_process_run
    configure_logging(json_lines=True, stream=stream)
    set_process_run("crawl-9")
    try:
        logging.getLogger("crawlers.pipelines").info("a")
        with run_context("import-1"):
            logging.getLogger("crawlers.pipelines").info("b")
    finally:
        set_process_run(None)
    assert [json.loads(line)["run_id"] for line in stream.getvalue().splitlines()] == ["crawl-9", "import-1"]
    assert current_run_id() is None
