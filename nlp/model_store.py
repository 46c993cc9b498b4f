"""Versioned models under one installation's models directory, each with its training metrics.

Layout: ``<models_dir>/<kind>/<version>/model.joblib`` beside ``meta.json`` (version, creation time,
metrics, the model file's SHA-256), and ``<models_dir>/<kind>/CURRENT`` naming the version in use.

Sharp edge: loading a joblib file runs pickle, which can execute code. This store only loads files
that resolve inside its own directory and whose SHA-256 matches the one recorded when it saved
them, so a model is never loaded from an arbitrary path or after it was swapped on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
CURRENT_FILE = "CURRENT"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
_VERSION_RE = re.compile(r"^v(\d{4,})$")


class ModelStoreError(RuntimeError):
    """A model cannot be saved or loaded; the message says which and why."""


@dataclass(frozen=True)
class ModelInfo:
    kind: str
    version: str
    path: Path
    meta: dict[str, Any]

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.meta.get("metrics") or {})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ModelStore:
    """Save and load versioned models of several kinds (``router``, ``sentiment``, …)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _kind_dir(self, kind: str) -> Path:
        if not _NAME_RE.match(kind):
            raise ModelStoreError(f"invalid model kind {kind!r}")
        return self.root / kind

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise ModelStoreError(f"{path} is outside the models directory {self.root}")
        return resolved

    def versions(self, kind: str) -> list[str]:
        d = self._kind_dir(kind)
        if not d.is_dir():
            return []
        found = [p.name for p in d.iterdir() if p.is_dir() and _VERSION_RE.match(p.name)
                 and (p / META_FILE).exists()]
        return sorted(found, key=lambda v: int(v[1:]))

    def current_version(self, kind: str) -> str | None:
        marker = self._kind_dir(kind) / CURRENT_FILE
        if not marker.exists():
            return None
        version = marker.read_text(encoding="utf-8").strip()
        return version if _VERSION_RE.match(version) else None

    def info(self, kind: str, version: str | None = None) -> ModelInfo | None:
        version = version or self.current_version(kind)
        if version is None:
            return None
        if not _VERSION_RE.match(version):
            raise ModelStoreError(f"invalid model version {version!r}")
        path = self._inside(self._kind_dir(kind) / version)
        meta_path = path / META_FILE
        if not meta_path.exists():
            raise ModelStoreError(f"{kind} model {version} has no {META_FILE}")
        return ModelInfo(kind, version, path, json.loads(meta_path.read_text(encoding="utf-8")))

    def save(self, kind: str, model: Any, metrics: dict[str, Any] | None = None,
             meta: dict[str, Any] | None = None, make_current: bool = True) -> ModelInfo:
        """Write a new version (the next number) and, by default, make it the current one."""
        import joblib

        kind_dir = self._kind_dir(kind)
        kind_dir.mkdir(parents=True, exist_ok=True)
        existing = self.versions(kind)
        number = int(existing[-1][1:]) + 1 if existing else 1
        version = f"v{number:04d}"
        path = kind_dir / version
        path.mkdir()
        model_path = path / MODEL_FILE
        joblib.dump(model, model_path, compress=3)
        record = {
            "kind": kind,
            "version": version,
            "created_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
            "sha256": _sha256(model_path),
            "metrics": metrics or {},
            **(meta or {}),
        }
        tmp = path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, path / META_FILE)
        if make_current:
            self.set_current(kind, version)
        return ModelInfo(kind, version, path, record)

    def set_current(self, kind: str, version: str) -> None:
        if version not in self.versions(kind):
            raise ModelStoreError(f"no {kind} model {version} under {self.root}")
        marker = self._kind_dir(kind) / CURRENT_FILE
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(tmp, marker)

    def load(self, kind: str, version: str | None = None) -> tuple[Any, ModelInfo] | None:
        """The model and its info (the current version by default); None when there is none."""
        import joblib

        info = self.info(kind, version)
        if info is None:
            return None
        model_path = self._inside(info.path / MODEL_FILE)
        if not model_path.is_file():
            raise ModelStoreError(f"{kind} model {info.version} has no {MODEL_FILE}")
        if _sha256(model_path) != info.meta.get("sha256"):
            raise ModelStoreError(f"{kind} model {info.version} does not match its recorded checksum; "
                                  "retrain it instead of loading a changed file")
        return joblib.load(model_path), info
