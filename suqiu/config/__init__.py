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
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from suqiu.config.ingest import IMPORT_FIELDS, ImportProfile, SourceConfig, StatusRule  # noqa: F401 (re-exported)
from suqiu.config.sections import (  # noqa: F401 (re-exported)
    CityConfig, ClassificationConfig, Department, District, ElasticsearchConfig, FixtureSiteConfig, ForecastConfig,
    ReportsConfig, RoutingConfig, RoutingRule, SearchConfig, ServerConfig, SmtpConfig, StoreConfig, TextConfig,
    TopicsConfig, TrackingConfig, WarningsConfig, _Section,
)

CONFIG_NAME = "suqiu.toml"


class ConfigError(ValueError):
    """The configuration is unusable; ``key`` is the dotted path to fix."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"configuration error at '{key}': {reason}")
        self.key = key
        self.reason = reason


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
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    fixture_site: FixtureSiteConfig = Field(default_factory=FixtureSiteConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    classification: ClassificationConfig = Field(default_factory=ClassificationConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)

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

    @model_validator(mode="after")
    def _routing_rules_known(self) -> "Config":
        for i, rule in enumerate(self.routing.rules):
            if self.department(rule.department) is None:
                raise ValueError(f"@routing.rules[{i}].department unknown department '{rule.department}'")
        return self

    def department(self, name: str) -> Department | None:
        for d in self.departments:
            if d.name == name or name in d.aliases:
                return d
        return None

    def place_names(self) -> list[tuple[str, str, str]]:
        """The gazetteer: (name, level, district) for every district, alias, street, community, road,
        estate and landmark, districts first. The one list the segmenter, the place finder, topic stop words
        and search all build from."""
        out: list[tuple[str, str, str]] = []
        for d in self.districts:
            out += [(d.name, "district", d.name)] + [(a, "district", d.name) for a in d.aliases]
        for d in self.districts:
            for level, names in (("street", d.streets), ("community", d.communities), ("road", d.roads),
                                 ("estate", d.estates), ("landmark", d.landmarks)):
                out += [(n, level, d.name) for n in names]
        return out

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)

    def source_url(self, source: SourceConfig) -> str:
        """The source's start URL with ``{fixture_url}`` filled in."""
        return source.start_url.replace("{fixture_url}", self.fixture_site.url)

    def import_profile(self, name: str) -> ImportProfile | None:
        return next((p for p in self.import_profiles if p.name == name), None)


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
        elif msg.startswith("@"):  # cross-section validators name the full dotted key
            where, _, rest = msg.partition(" ")
            key, msg = where[1:], rest
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
