"""What a piece of code does with SQLite's write lock, observed on an engine (tests only).

``write_spans``: every write transaction with the rows it wrote (rows, not seconds: a bound on the
lock's holding that does not depend on the machine's speed). ``nested_checkouts``: connections a
thread took from the pool while it held a write transaction on another one (with the pool full of
requests queued for that lock, such a checkout waits for them while they wait for it).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class Span:
    rows: int = 0
    statements: int = 0
    tables: set[str] = field(default_factory=set)


@contextmanager
def write_spans(engine: Engine) -> Iterator[list[Span]]:
    """The write transactions committed on ``engine`` meanwhile, each with its rows written."""
    spans: list[Span] = []
    open_: dict[int, Span] = {}

    def executed(conn: Any, cursor: Any, statement: str, _p: Any, _c: Any, _m: bool) -> None:
        verb = statement.lstrip()[:16].upper()
        if verb.startswith("BEGIN IMMEDIATE"):
            open_[id(conn)] = Span()
        elif verb.startswith(WRITES):
            span = open_.setdefault(id(conn), Span())
            span.statements += 1
            span.rows += max(cursor.rowcount, 0)
            span.tables.add(statement.split()[2 if verb.startswith(("INSERT", "DELETE")) else 1].strip('"'))

    def ended(conn: Any) -> None:
        span = open_.pop(id(conn), None)
        if span is not None and span.statements:
            spans.append(span)

    listeners = [("after_cursor_execute", executed), ("commit", ended), ("rollback", ended)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        yield spans
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)


@contextmanager
def nested_checkouts(engine: Engine) -> Iterator[list[str]]:
    """Stacks of pool checkouts made by a thread that held a write transaction at the time."""
    found: list[str] = []
    holding: dict[int, int] = {}   # thread id → transactions holding the write lock

    def executed(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        if statement.lstrip()[:15].upper() == "BEGIN IMMEDIATE":
            holding[threading.get_ident()] = holding.get(threading.get_ident(), 0) + 1

    def ended(conn: Any) -> None:
        if conn.get_execution_options().get("suqiu_write") and holding.get(threading.get_ident()):
            holding[threading.get_ident()] -= 1

    def checkout(*_a: Any) -> None:
        if holding.get(threading.get_ident()):
            found.append("".join(traceback.format_stack(limit=14)))

    listeners = [(engine, "after_cursor_execute", executed), (engine, "commit", ended),
                 (engine, "rollback", ended), (engine.pool, "checkout", checkout)]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield found
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
