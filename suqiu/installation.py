"""One installation (one ``SUQIU_HOME``): its home directory, configuration, store and the paths of
what it generates. Every entry point loads one ``Installation`` and passes it down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from suqiu.config import CONFIG_NAME, Config, default_config_text, home_dir, load_config
from suqiu.store import Store, default_sqlite_url


@dataclass
class Installation:
    home: Path
    config: Config

    @classmethod
    def load(cls, home: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> "Installation":
        path = home_dir(home)
        return cls(home=path, config=load_config(path, environ))

    # generated data lives under the home's data directory, never beside code
    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def path(self, *parts: str, mkdir: bool = True) -> Path:
        p = self.data_dir.joinpath(*parts)
        if mkdir:  # owner only: the data directory holds the store, the outbox and the web secret
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            p.mkdir(parents=True, exist_ok=True, mode=0o700)
        return p

    @property
    def models_dir(self) -> Path:
        return self.path("models")

    @property
    def outbox_dir(self) -> Path:
        return self.path("outbox")

    @property
    def reports_dir(self) -> Path:
        return self.path("reports")

    @property
    def store_url(self) -> str:
        return self.config.store.url or default_sqlite_url(self.home)

    @cached_property
    def store(self) -> Store:
        return Store.open(self.store_url)

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_NAME


def write_default_config(home: Path, force: bool = False) -> tuple[Path, bool]:
    """Write the shipped defaults to ``home/suqiu.toml`` (owner only); never overwrite an edited file unless forced."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = home / CONFIG_NAME
    if path.exists() and not force:
        return path, False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(default_config_text())
    os.chmod(path, 0o600)  # a forced rewrite of an older, world-readable file
    return path, True
