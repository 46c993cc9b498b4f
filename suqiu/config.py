"""One configuration file per installation (``$SUQIU_HOME/suqiu.toml``) plus environment overrides.

Environment overrides: ``SUQIU_STORE_URL``, ``SUQIU_SEARCH_BACKEND``, ``SUQIU_ES_URL`` and, for any
key, ``SUQIU__SECTION__KEY=value`` (value parsed as TOML when it parses, else taken as a string).
A bad file gives one ConfigError naming the key, never a traceback.
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_NAME = "suqiu.toml"


class ConfigError(ValueError):
    """The configuration is unusable; ``key`` is the dotted path to fix."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"configuration error at '{key}': {reason}")
        self.key = key
        self.reason = reason


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreConfig(_Section):
    # empty means the SQLite file under the data directory
    url: str = ""


class ElasticsearchConfig(_Section):
    url: str = "http://127.0.0.1:9200"
    index_prefix: str = "suqiu"
    timeout_s: float = Field(default=30.0, gt=0)


class SearchConfig(_Section):
    backend: Literal["embedded", "elasticsearch"] = "embedded"
    elasticsearch: ElasticsearchConfig = Field(default_factory=ElasticsearchConfig)


class Department(_Section):
    name: str = Field(min_length=1)
    # short stable identifier (Open311 service_code); empty: derived from the name
    code: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9_-]*$")
    aliases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    email: str = ""
    contact: str = ""
    # 时限: working limit to reply, in days; urgent demands use the hours limit
    time_limit_days: float = Field(default=15, gt=0)
    urgent_time_limit_hours: float = Field(default=24, gt=0)
    category_time_limits: dict[str, float] = Field(default_factory=dict)


class District(_Section):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    streets: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    roads: list[str] = Field(default_factory=list)
    estates: list[str] = Field(default_factory=list)


class SourceConfig(_Section):
    """A crawlable source; ``kind`` picks the spider, ``options`` is the spider's site profile."""

    name: str = Field(min_length=1)
    kind: Literal["portal", "reviews", "open311"]
    start_url: str = Field(min_length=1)
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)


class ImportProfile(_Section):
    """Maps an export's headers onto record fields: ``columns`` is {record_field: [header, …]}."""

    name: str = Field(min_length=1)
    source: Literal["hotline", "portal", "review", "open311"] = "hotline"
    channel: str = ""
    columns: dict[str, list[str]]
    required_headers: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class RoutingConfig(_Section):
    confidence_threshold: float = Field(default=0.55, ge=0, le=1)
    triage_queue: str = "待人工分派"


class TrackingConfig(_Section):
    """Reply tracking: departments are ranked only on at least ``min_count`` demands."""

    min_count: int = Field(default=10, ge=1)
    default_time_limit_days: float = Field(default=15, gt=0)
    # delivery retries back off from this many minutes, doubling, up to the cap
    retry_minutes: float = Field(default=5, gt=0)
    retry_cap_minutes: float = Field(default=360, gt=0)


class WarningsConfig(_Section):
    baseline_weeks: int = Field(default=4, ge=1)
    surge_ratio: float = Field(default=2.0, gt=1)
    min_count: int = Field(default=5, ge=1)
    urgent_cluster_min: int = Field(default=3, ge=1)


class SmtpConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)  # 0: no SMTP, digests go to the outbox only
    sender: str = "12345-center@example.gov.cn"
    username: str = ""
    password: str = ""
    starttls: bool = False


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class TextConfig(_Section):
    """Extra words for the segmenter's user dictionary and stop words, beside the gazetteer's."""

    demand_terms: list[str] = Field(default_factory=list)
    stop_words: list[str] = Field(default_factory=list)


class CityConfig(_Section):
    name: str = "示例市"
    timezone: str = "Asia/Shanghai"


class Config(_Section):
    city: CityConfig = Field(default_factory=CityConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    departments: list[Department] = Field(default_factory=list)
    districts: list[District] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    import_profiles: list[ImportProfile] = Field(default_factory=list)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    warnings: WarningsConfig = Field(default_factory=WarningsConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    text: TextConfig = Field(default_factory=TextConfig)

    @field_validator("departments", "districts", "sources", "import_profiles")
    @classmethod
    def _unique_names(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise ValueError(f"[{i}].name '{item.name}' is duplicated")
            seen.add(item.name)
        return items

    @model_validator(mode="after")
    def _es_configured(self) -> "Config":
        if self.search.backend == "elasticsearch" and not self.search.elasticsearch.url:
            raise ValueError("search.elasticsearch.url is required when search.backend = 'elasticsearch'")
        return self

    def department(self, name: str) -> Department | None:
        for d in self.departments:
            if d.name == name or name in d.aliases:
                return d
        return None

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)


def default_config_text() -> str:
    return resources.files("suqiu").joinpath("default_config.toml").read_text(encoding="utf-8")


def home_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The installation directory: explicit argument, else SUQIU_HOME, else ./suqiu-home."""
    raw = explicit or os.environ.get("SUQIU_HOME") or "suqiu-home"
    return Path(raw).expanduser().resolve()


def _set_dotted(data: dict[str, Any], dotted: list[str], value: Any) -> None:
    node = data
    for part in dotted[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(".".join(dotted), "cannot override inside a non-table value")
    node[dotted[-1]] = value


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def apply_env(data: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    aliases = {
        "SUQIU_STORE_URL": ["store", "url"],
        "SUQIU_SEARCH_BACKEND": ["search", "backend"],
        "SUQIU_ES_URL": ["search", "elasticsearch", "url"],
    }
    for var, path in aliases.items():
        if env.get(var):
            _set_dotted(data, path, env[var])
    for var, raw in env.items():
        if var.startswith("SUQIU__"):
            path = [p.lower() for p in var.removeprefix("SUQIU__").split("__") if p]
            if path:
                _set_dotted(data, path, _parse_env_value(raw))
    return data


def _error_key(err: dict[str, Any]) -> str:
    parts: list[str] = []
    for p in err.get("loc", ()):
        if isinstance(p, int):
            parts[-1:] = [f"{parts[-1]}[{p}]"] if parts else [f"[{p}]"]
        else:
            parts.append(str(p))
    return ".".join(parts) or "(root)"


def parse_config(data: dict[str, Any]) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _error_key(err)
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        if msg.startswith("[") and "]" in msg:  # list validators report the index in the message
            where, _, rest = msg.partition(" ")
            key, msg = key + where, rest
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(key, msg) from None


def load_config(home: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read ``suqiu.toml`` under the home (the shipped defaults when absent) and apply overrides."""
    home = home or home_dir()
    path = home / CONFIG_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else default_config_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_config(apply_env(data, environ))
