"""A process pool that hands every worker one ready-made NLP object (a segmenter, the text stage).

With the ``fork`` start method the object (tokenizer dictionary already loaded) is inherited for
free; when other threads are running (a Prefect task runner, a progress display) forking is not
safe, so the pool falls back to ``forkserver`` and each worker receives a pickled copy that
rebuilds its tokenizer lazily (about a second per worker). The text stage was a fifth slower so.
A thread of our own that works only while holding ``quiet()`` (a stage lease's heartbeat) is marked
``fork_safe``: the pool forks beside it, holding ``quiet()`` itself, so the thread holds no lock then.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_worker_obj: Any = None  # one per worker process, set by the pool initializer


def _init_worker(obj: Any) -> None:
    global _worker_obj, _QUIET
    _worker_obj = obj
    _QUIET = threading.Lock()   # a forked worker's copy was held by the forking thread


def _call(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_worker_obj, item)


def _call_packed(args: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    return _call(*args)


_QUIET = threading.Lock()
_FORK_SAFE = "_suqiu_fork_safe"


def quiet() -> AbstractContextManager[bool]:
    """Held by a ``fork_safe`` thread while it works, and by the pool while it forks."""
    return _QUIET


def fork_safe(thread: threading.Thread) -> threading.Thread:
    """Mark ``thread`` as one that does its work only under ``quiet()``."""
    setattr(thread, _FORK_SAFE, True)
    return thread


def start_method() -> str:
    me = threading.current_thread()
    others = [t for t in threading.enumerate() if t is not me and not getattr(t, _FORK_SAFE, False)]
    if "fork" in mp.get_all_start_methods() and not others:
        return "fork"
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


class WorkerPool(Generic[T]):
    """``map(fn, items)`` runs ``fn(obj, item)`` in worker processes, results in input order."""

    def __init__(self, obj: T, workers: int, method: str | None = None) -> None:
        self.obj = obj
        self.workers = max(1, workers)
        self.method = method or start_method()
        self._pool: Any = None

    def __enter__(self) -> "WorkerPool[T]":
        ctx = mp.get_context(self.method)
        if self.method == "fork":
            # forked workers inherit every object of this process; frozen, their garbage collector
            # never walks (and so never copies) the pages holding them
            gc.freeze()
        try:
            with _QUIET:   # a fork-safe thread holds no lock while its process is copied
                self._pool = ctx.Pool(self.workers, initializer=_init_worker, initargs=(self.obj,))
        finally:
            if self.method == "fork":
                gc.unfreeze()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            if exc[0] is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None

    def map_async(self, fn: Callable[[T, Any], R], items: Iterable[Any]) -> "mp.pool.AsyncResult[list[R]]":
        """Start ``fn`` over ``items`` now; ``.get()`` on the handle returns the results in order."""
        if self._pool is None:
            raise RuntimeError("WorkerPool.map_async outside its `with` block")
        return self._pool.map_async(_call_packed, [(fn, item) for item in items], chunksize=1)

    def map(self, fn: Callable[[T, Any], R], items: Iterable[Any]) -> Iterator[R]:
        if self._pool is None:
            raise RuntimeError("WorkerPool.map outside its `with` block")
        return self._pool.imap(_call_packed, ((fn, item) for item in items))
