"""One configuration file per installation (``$SUQIU_HOME/suqiu.toml``) plus environment overrides.

Environment overrides: ``SUQIU_STORE_URL``, ``SUQIU_SEARCH_BACKEND``, ``SUQIU_ES_URL`` and, for any
key, ``SUQIU__SECTION__KEY=value`` (value parsed as TOML when it parses, else taken as a string).
A bad file gives one ConfigError naming the key, never a traceback.
"""

from __future__ import annotations

import codecs
import os
import re
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
    """A crawlable source; ``kind`` picks the spider, ``options`` is the spider's site profile.

    ``start_url`` may begin with ``{fixture_url}``, the local fixture site's address
    (``[fixture_site]``), so tests and the demo can move it to a free port.
    """

    name: str = Field(min_length=1)
    kind: Literal["portal", "reviews", "open311"]
    start_url: str = Field(min_length=1)
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)
    # politeness: seconds between requests to the site (AutoThrottle adapts from there), retries
    download_delay: float = Field(default=1.0, ge=0)
    autothrottle: bool = True
    retries: int = Field(default=2, ge=0, le=10)
    timeout_s: float = Field(default=30, gt=0)
    max_pages: int = Field(default=0, ge=0)  # 0: no limit
    full: bool = False                       # True: ignore what is already stored, crawl everything


class FixtureSiteConfig(_Section):
    """The local fixture web site (message boards, review API, Open311) for tests and the demo."""

    host: Literal["127.0.0.1"] = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    seed: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


# Record fields an import profile may fill from a column (source and crawl_run come from elsewhere).
IMPORT_FIELDS = (
    "source_id", "channel", "url", "received_at", "title", "content", "district", "address",
    "requester_type", "requester", "category_given", "department_given", "status", "reply_text",
    "replied_at", "replied_by", "satisfaction", "votes_up", "votes_down", "rating", "business_name",
)


class StatusRule(_Section):
    """When the export has no status column (or it is empty): a non-empty ``when`` field sets ``status``."""

    when: str
    status: Literal["received", "routed", "replied", "closed", "reopened"]

    @field_validator("when")
    @classmethod
    def _known_field(cls, v: str) -> str:
        if v not in IMPORT_FIELDS:
            raise ValueError(f"unknown record field '{v}'")
        return v


class ImportProfile(_Section):
    """Maps one kind of export (CSV/XLSX) onto the record; config, not code.

    ``columns`` is {record_field: [header alias, …]}; headers compare after removing whitespace and
    folding full-width punctuation. Without a ``source_id`` column the id is a hash of
    ``id_fields`` (stable across re-exports and across CSV/XLSX of the same data).
    """

    name: str = Field(min_length=1)
    description: str = ""
    source: Literal["hotline", "portal", "review", "open311"] = "hotline"
    channel: str = ""                      # when no channel column (or it is empty)
    columns: dict[str, list[str]]
    required_headers: list[str] = Field(default_factory=list)  # all must be present to auto-match
    id_prefix: str = ""                    # namespaces ids of one export family within the source
    id_fields: list[str] = Field(default_factory=lambda: ["received_at", "title", "content"])
    date_formats: list[str] = Field(default_factory=list)  # strptime formats tried before built-ins
    value_maps: dict[str, dict[str, str]] = Field(default_factory=dict)  # field → {raw: value}
    status_rules: list[StatusRule] = Field(default_factory=list)
    sheets: str = ""                       # regex on XLSX sheet names; empty: every matching sheet
    sheet_field: str = ""                  # record field filled from the sheet name when empty
    encoding: str = ""                     # force a CSV encoding; empty: detect (UTF-8, BOM, GB18030)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _columns_known(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, aliases in v.items():
            if key not in IMPORT_FIELDS:
                raise ValueError(f"unknown record field '{key}'")
            if not aliases or not all(a.strip() for a in aliases):
                raise ValueError(f"'{key}' needs at least one non-empty header")
        if "content" not in v and "title" not in v:
            raise ValueError("maps neither 'content' nor 'title'")
        return v

    @field_validator("id_fields")
    @classmethod
    def _id_fields_known(cls, v: list[str]) -> list[str]:
        bad = [f for f in v if f not in IMPORT_FIELDS]
        if bad or not v:
            raise ValueError(f"unknown record field '{bad[0]}'" if bad else "must not be empty")
        return v

    @field_validator("value_maps")
    @classmethod
    def _maps_known(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for key in v:
            if key not in IMPORT_FIELDS:
                raise ValueError(f"unknown record field '{key}'")
        return v

    @field_validator("sheet_field")
    @classmethod
    def _sheet_field_known(cls, v: str) -> str:
        if v and v not in IMPORT_FIELDS:
            raise ValueError(f"unknown record field '{v}'")
        return v

    @field_validator("sheets")
    @classmethod
    def _sheets_regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding_known(cls, v: str) -> str:
        if v:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding '{v}'") from None
        return v


class RoutingRule(_Section):
    """A petition-office rule: a demand containing any of ``keywords`` (and all of ``require``)
    goes to ``department`` whatever the model says."""

    department: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    require: list[str] = Field(default_factory=list)


class RoutingConfig(_Section):
    confidence_threshold: float = Field(default=0.55, ge=0, le=1)
    triage_queue: str = "待人工分派"
    candidates: int = Field(default=3, ge=1, le=10)      # top candidates kept for the triage queue
    use_given_category: bool = True     # a source's category matching a department's categories wins
    keywords_override: bool = False     # departments' keywords win over the model (else: fallback only)
    rules: list[RoutingRule] = Field(default_factory=list)


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
    urgent_window_days: int = Field(default=3, ge=1)


class TopicsConfig(_Section):
    """Topic discovery (nlp/topics.py): candidates for the number of topics, picked by c_v coherence."""

    backend: Literal["nmf", "lda"] = "nmf"
    k_values: list[int] = Field(default_factory=lambda: [6, 9, 12, 15, 18], min_length=1)
    seed: int = 12345
    min_weight: float = Field(default=0.3, ge=0, lt=1)   # below: the demand is an outlier
    min_overlap: float = Field(default=0.2, ge=0, le=1)  # keyword overlap keeping a topic's id on refit
    emerging_min: int = Field(default=20, ge=1)          # unassigned demands since the fit that …
    emerging_margin: float = Field(default=0.15, ge=0, le=1)  # … exceed the fit's outlier share by this
    hotspot_gap_days: int = Field(default=14, ge=1)

    @field_validator("k_values")
    @classmethod
    def _k_at_least_two(cls, v: list[int]) -> list[int]:
        if any(k < 2 for k in v):
            raise ValueError("every candidate number of topics must be >= 2")
        return v


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
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    fixture_site: FixtureSiteConfig = Field(default_factory=FixtureSiteConfig)
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
