"""Versioned models of one installation, each with its training metrics, in its shared state.

Keys: ``models/<kind>/<version>/model.joblib`` beside ``meta.json`` (version, creation time,
metrics, the model file's SHA-256), and ``models/<kind>/CURRENT`` naming the version in use. The
state is the installation's (``suqiu.state``: the store, or an object store), so a model trained on
one machine is the model of every worker; ``root`` (the models directory) holds a local copy of
each version read or written here (same layout, without the ``models/`` prefix). Without a state,
``root`` itself is where the models live (one machine, or a test).

Sharp edge: loading a joblib file runs pickle, which can execute code. This store only loads bytes
whose SHA-256 matches the one recorded when it saved them, so a model is never loaded after it
was swapped, in the state or in the local copy (a changed copy is fetched again).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from suqiu.state import FsspecState, SharedState

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
CURRENT_FILE = "CURRENT"
PREFIX = "models"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
_VERSION_RE = re.compile(r"^v(\d{4,})$")


class ModelStoreError(RuntimeError):
    """A model cannot be saved or loaded; the message says which and why."""


@dataclass(frozen=True)
class ModelInfo:
    kind: str
    version: str
    path: Path          # the local copy's directory
    meta: dict[str, Any]

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.meta.get("metrics") or {})


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ModelStore:
    """Save and load versioned models of several kinds (``router``, ``sentiment``, …)."""

    def __init__(self, root: Path, state: SharedState | None = None) -> None:
        self.root = Path(root).resolve()
        self.state = state if state is not None else FsspecState(self.root.as_uri())
        self.prefix = PREFIX if state is not None else ""

    def _key(self, kind: str, *parts: str) -> str:
        if not _NAME_RE.match(kind):
            raise ModelStoreError(f"invalid model kind {kind!r}")
        for part in parts[:1]:
            if not _VERSION_RE.match(part) and part != CURRENT_FILE:
                raise ModelStoreError(f"invalid model version {part!r}")
        return "/".join(p for p in (self.prefix, kind, *parts) if p)

    def versions(self, kind: str) -> list[str]:
        base = self._key(kind) + "/"
        found = {k[len(base):].split("/")[0] for k in self.state.keys(base) if k.endswith("/" + META_FILE)}
        return sorted((v for v in found if _VERSION_RE.match(v)), key=lambda v: int(v[1:]))

    def current_version(self, kind: str) -> str | None:
        data = self.state.get(self._key(kind, CURRENT_FILE))
        version = data.decode("utf-8").strip() if data else ""
        return version if _VERSION_RE.match(version) else None

    def info(self, kind: str, version: str | None = None) -> ModelInfo | None:
        version = version or self.current_version(kind)
        if version is None:
            return None
        data = self.state.get(self._key(kind, version, META_FILE))
        if data is None:
            raise ModelStoreError(f"{kind} model {version} has no {META_FILE}")
        return ModelInfo(kind, version, self.root / kind / version, json.loads(data.decode("utf-8")))

    def save(self, kind: str, model: Any, metrics: dict[str, Any] | None = None,
             meta: dict[str, Any] | None = None, make_current: bool = True) -> ModelInfo:
        """Write a new version (the next number) and, by default, make it the current one."""
        import joblib

        existing = self.versions(kind)
        version = f"v{int(existing[-1][1:]) + 1 if existing else 1:04d}"
        buffer = io.BytesIO()
        joblib.dump(model, buffer, compress=3)
        blob = buffer.getvalue()
        record = {
            "kind": kind,
            "version": version,
            "created_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
            "sha256": _sha256(blob),
            "metrics": metrics or {},
            **(meta or {}),
        }
        self.state.put(self._key(kind, version, MODEL_FILE), blob)
        meta_bytes = json.dumps(record, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        if not self.state.put(self._key(kind, version, META_FILE), meta_bytes, create_only=True):
            raise ModelStoreError(f"{kind} model {version} was saved by someone else meanwhile; train again")
        info = ModelInfo(kind, version, self.root / kind / version, record)
        if self.prefix:
            self._cache(info, blob)
        if make_current:
            self.set_current(kind, version)
        return info

    def set_current(self, kind: str, version: str) -> None:
        if version not in self.versions(kind):
            raise ModelStoreError(f"no {kind} model {version} in {self.state.describe()}")
        self.state.put(self._key(kind, CURRENT_FILE), (version + "\n").encode("utf-8"))

    def load(self, kind: str, version: str | None = None) -> tuple[Any, ModelInfo] | None:
        """The model and its info (the current version by default); None when there is none."""
        import joblib

        info = self.info(kind, version)
        if info is None:
            return None
        blob = self._read(info)
        if _sha256(blob) != info.meta.get("sha256"):
            raise ModelStoreError(f"{kind} model {info.version} does not match its recorded checksum; "
                                  "retrain it instead of loading a changed file")
        return joblib.load(io.BytesIO(blob)), info

    def _read(self, info: ModelInfo) -> bytes:
        """The model's bytes: the local copy when it is intact, else from the state (and cached)."""
        local = info.path / MODEL_FILE
        if self.prefix and local.is_file():
            blob = local.read_bytes()
            if _sha256(blob) == info.meta.get("sha256"):
                return blob
        blob = self.state.get(self._key(info.kind, info.version, MODEL_FILE))
        if blob is None:
            raise ModelStoreError(f"{info.kind} model {info.version} has no {MODEL_FILE}")
        if self.prefix and _sha256(blob) == info.meta.get("sha256"):
            self._cache(info, blob)
        return blob

    @staticmethod
    def _cache(info: ModelInfo, blob: bytes) -> None:
        info.path.mkdir(parents=True, exist_ok=True)
        tmp = info.path / (MODEL_FILE + ".part")
        tmp.write_bytes(blob)
        tmp.replace(info.path / MODEL_FILE)
        (info.path / META_FILE).write_text(json.dumps(info.meta, ensure_ascii=False, indent=2, default=str),
                                           encoding="utf-8")
