"""One logging configuration for the application: plain lines on a terminal, JSON lines when asked.

    configure_logging()                  # the CLI, `suqiu serve`, the crawl subprocess, flows/serve
    with run_context(run_id): ...        # every line logged inside carries the run's id

``SUQIU_LOG_FORMAT=json`` (or ``suqiu --log-json``) switches to one JSON object per line (time,
level, logger, message, run_id, and the exception when there is one), for a log shipper.
``SUQIU_LOG_LEVEL`` sets the level (INFO by default). Only the application's own loggers
(``suqiu``, ``nlp``, ``search``, ``reports``, ``crawlers``, ``flows``) are configured: Scrapy's
and Prefect's keep theirs. Nothing happens at import time.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime
from typing import IO, Any

APP_LOGGERS = ("suqiu", "nlp", "search", "reports", "crawlers", "flows")
PLAIN_FORMAT = "%(asctime)s %(levelname)-7s [%(run_id)s] %(name)s: %(message)s"

_RUN_ID: ContextVar[str | None] = ContextVar("suqiu_run_id", default=None)
# the run a whole process works for (a crawl child process: Scrapy's callbacks run in contexts of
# their own, so a context variable set when the spider opens is not seen by the lines after it)
_PROCESS_RUN: dict[str, str | None] = {"run_id": None}


def current_run_id() -> str | None:
    return _RUN_ID.get() or _PROCESS_RUN["run_id"]


def set_process_run(run_id: str | None) -> None:
    """The run id for lines logged outside any ``run_context`` in this process (None: no run)."""
    _PROCESS_RUN["run_id"] = run_id


def bind_run(run_id: str | None) -> Token[str | None]:
    """Make ``run_id`` the run of this context (thread, task) until ``unbind_run``."""
    return _RUN_ID.set(run_id)


def unbind_run(token: Token[str | None]) -> None:
    _RUN_ID.reset(token)


@contextmanager
def run_context(run_id: str | None) -> Iterator[None]:
    token = bind_run(run_id)
    try:
        yield
    finally:
        unbind_run(token)


class RunIdFilter(logging.Filter):
    """Puts the current run's id on every record (``-`` outside a run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = current_run_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; Chinese stays readable (no \\u escapes)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "run_id": getattr(record, "run_id", None) if getattr(record, "run_id", "-") != "-" else None,
        }
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is logged (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def wants_json(explicit: bool | None = None, environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return explicit if explicit is not None else env.get("SUQIU_LOG_FORMAT", "").strip().lower() == "json"


def configure_logging(json_lines: bool | None = None, level: str | None = None,
                      stream: IO[str] | None = None) -> logging.Handler:
    """(Re)configure the application's loggers; calling it again replaces the handler, never adds one."""
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.addFilter(RunIdFilter())
    handler.setFormatter(JsonFormatter() if wants_json(json_lines) else logging.Formatter(PLAIN_FORMAT))
    handler.set_name("suqiu")
    lvl = (level or os.environ.get("SUQIU_LOG_LEVEL") or "INFO").upper()
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "suqiu"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(lvl)
        logger.propagate = False
    return handler
