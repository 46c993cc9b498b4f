"""State every worker reaches: trained models, corpus statistics, the topic model, digest bodies and
the web secret, by key (a path such as ``models/router/CURRENT``), never only on one machine's disk.

By default the blobs live in the store (table ``blobs``), so a worker that reaches the store
reaches them; with ``[state] url`` set they live in an object store through fsspec
(``s3://bucket/suqiu`` with s3fs installed, ``file:///srv/suqiu-state``, ``memory://…``). Local
files under the data directory stay as a cache of what was read or written here, never the only
copy. The installation's configuration is published to the store itself (``publish_config``):
``[state] url`` is part of it, so it cannot live behind that URL.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from suqiu.installation import Installation
from suqiu.store import Store


class SharedState(ABC):
    """Blobs by key; every worker of one installation sees the same ones."""

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The blob, or None when there is none."""

    @abstractmethod
    def put(self, key: str, data: bytes, create_only: bool = False) -> bool:
        """Store the blob (replacing it); with ``create_only`` keep an existing one and return False."""

    @abstractmethod
    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, sorted."""

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> None:
        """Remove these blobs (absent ones are ignored)."""

    @abstractmethod
    def describe(self) -> str:
        """Where the blobs are, for ``suqiu doctor``."""

    def pull(self, key: str, path: Path) -> bool:
        """Copy one blob to a local file (a cache); False when there is no such blob."""
        data = self.get(key)
        if data is None:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        return True

    def push_dir(self, directory: Path, prefix: str) -> list[str]:
        """Every file under ``directory`` as ``prefix/<relative path>``; the keys written."""
        written = []
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            key = f"{prefix}/{path.relative_to(directory).as_posix()}"
            self.put(key, path.read_bytes())
            written.append(key)
        return written

    def pull_dir(self, prefix: str, directory: Path) -> int:
        """Every blob under ``prefix/`` as a file under ``directory``; how many."""
        keys = self.keys(prefix + "/")
        for key in keys:
            self.pull(key, directory / key[len(prefix) + 1:])
        return len(keys)


class StoreState(SharedState):
    """Blobs in the store's ``blobs`` table (the default)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> bytes | None:
        return self.store.get_blob(key)

    def put(self, key: str, data: bytes, create_only: bool = False) -> bool:
        return self.store.put_blob(key, data, create_only=create_only)

    def keys(self, prefix: str) -> list[str]:
        return self.store.blob_keys(prefix)

    def delete(self, keys: Iterable[str]) -> None:
        self.store.delete_blobs(list(keys))

    def describe(self) -> str:
        return f"in the store ({self.store.engine.dialect.name}, table blobs)"


class FsspecState(SharedState):
    """Blobs as objects under an fsspec URL (one object per key).

    Sharp edge: ``create_only`` looks before it writes, which object stores cannot do atomically;
    the state that needs it (the web secret) is written once, when the installation is set up.
    """

    def __init__(self, url: str, **options: Any) -> None:
        from fsspec.core import url_to_fs
        self.url = url.rstrip("/")
        self.fs, self.root = url_to_fs(self.url, **options)
        self.root = self.root.rstrip("/")

    def _path(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"state key {key!r} must be a relative path")
        return f"{self.root}/{key}"

    def get(self, key: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._path(key))
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes, create_only: bool = False) -> bool:
        path = self._path(key)
        if create_only and self.fs.exists(path):
            return False
        if self._local:
            _write_private(Path(path), data)
        else:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(path, data)
        return True

    @property
    def _local(self) -> bool:
        """A directory on this machine (``file://``): written owner-only like the store's own files."""
        protocol = self.fs.protocol
        return bool({"file", "local"} & set(protocol if isinstance(protocol, (tuple, list)) else (protocol,)))

    def keys(self, prefix: str) -> list[str]:
        base = self._path(prefix.rsplit("/", 1)[0]) if "/" in prefix else self.root
        if not self.fs.exists(base):
            return []
        found = (p[len(self.root) + 1:] for p in self.fs.find(base))
        return sorted(k for k in (f.lstrip("/") for f in found) if k.startswith(prefix) and not k.endswith(".part"))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            try:
                self.fs.rm_file(self._path(key))
            except FileNotFoundError:
                pass

    def describe(self) -> str:
        return f"object store {self.url}"


def _write_private(path: Path, data: bytes) -> None:
    """The web secret and digest bodies are as private as the database: 0700 folders, 0600 files,
    written whole under a temporary name (never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(part, path)


def shared_state(inst: Installation) -> SharedState:
    """The installation's shared state: ``[state] url`` when set, else the store."""
    url = inst.config.state.url
    return FsspecState(url) if url else StoreState(inst.store)


def publish_local_files(inst: Installation) -> list[str]:
    """What an earlier release kept only on this machine (trained models, the web secret) into the
    shared state, under its path below the data directory; keys already there are kept as they are.
    The keyword statistics need no copy (rebuilt from the stored tokens), nor the views (rebuilt)."""
    state, data = shared_state(inst), inst.data_dir
    found = [p for p in sorted((data / "models").glob("*/v*/*")) + sorted((data / "models").glob("*/CURRENT"))
             if p.parts[-3 if p.name != "CURRENT" else -2] != "topics" and not p.name.endswith(".part")]
    found.append(data / "web" / "secret_key")
    return [key for key, path in ((p.relative_to(data).as_posix(), p) for p in found if p.is_file())
            if state.put(key, path.read_bytes(), create_only=True)]
