"""One installation (one ``SUQIU_HOME``): its home directory, configuration, store and the paths of
what it generates. Every entry point loads one ``Installation`` and passes it down.

The configuration is ``$SUQIU_HOME/suqiu.toml``. A worker of a cluster has no such file: given a
shared store (``SUQIU_STORE_URL``, not SQLite) it reads the configuration published there
(``suqiu init`` on a shared store, ``suqiu publish-config``), and stops with a clear error when
none was published. Only a home on its own SQLite file falls back to the shipped defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from suqiu.config import CONFIG_NAME, Config, ConfigError, apply_env, default_config_text, home_dir, load_config
from suqiu.store import Store, default_sqlite_url


@dataclass
class Installation:
    home: Path
    config: Config

    @classmethod
    def load(cls, home: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> "Installation":
        path = home_dir(home)
        published = None if (path / CONFIG_NAME).exists() else published_config(path, environ)
        return cls(home=path, config=load_config(path, environ, published))

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
        """The open store; ``SchemaOutdated`` when its schema is older than this code (``suqiu migrate``)."""
        cfg = self.config.store
        return Store.open(self.store_url, pool_size=cfg.pool_size, max_overflow=cfg.max_overflow)

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_NAME


CONFIG_KEY = "config/suqiu.toml"   # the published configuration, a blob in the store


def published_config(home: Path, environ: dict[str, str] | None = None) -> str | None:
    """For a home without ``suqiu.toml``: the configuration published in the shared store the
    environment names; None on a SQLite store (the shipped defaults apply); ConfigError when the
    shared store has none (a worker must not run on the demo city's defaults)."""
    url = apply_env({}, environ).get("store", {}).get("url", "")
    if not url or url.startswith("sqlite"):
        return None
    store = Store.open(url)
    try:
        data = store.get_blob(CONFIG_KEY)
    finally:
        store.close()
    if data is None:
        raise ConfigError("store.url", f"{home / CONFIG_NAME} 不存在，共享数据库中也没有发布的配置：请在已配置的机器上运行 "
                          "`suqiu publish-config`（或 `suqiu init`），或把 suqiu.toml 放到此节点的 SUQIU_HOME")
    return data.decode("utf-8")


def publish_config(inst: Installation) -> bool:
    """Put this home's ``suqiu.toml`` in the store, where workers without one read it; False if absent."""
    if not inst.config_path.exists():
        return False
    inst.store.put_blob(CONFIG_KEY, inst.config_path.read_bytes())
    return True


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
