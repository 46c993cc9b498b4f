"""The configuration's sections: departments, districts, routing, tracking, topics, mail, server."""

from __future__ import annotations

import hashlib

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Point = tuple[Annotated[float, Field(ge=-180, le=180)], Annotated[float, Field(ge=-90, le=90)]]  # [lon, lat]
Window = Annotated[str, Field(pattern=r"^\d{2}-\d{2}\.\.\d{2}-\d{2}$")]   # "05-15..09-30", may wrap the year end

class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreConfig(_Section):
    # empty means the SQLite file under the data directory
    url: str = ""
    # a server's connection pool per process (PostgreSQL); SQLite ignores both
    pool_size: int = Field(default=5, ge=1, le=200)
    max_overflow: int = Field(default=10, ge=0, le=200)


class StateConfig(_Section):
    # where models, statistics, digest bodies and the web secret live: empty means in the store;
    # an fsspec URL ("s3://bucket/suqiu", "file:///srv/suqiu-state") puts them in an object store
    url: str = ""


class ElasticsearchConfig(_Section):
    url: str = "http://127.0.0.1:9200"   # a cluster: its nodes, comma-separated (the client fails over)
    index_prefix: str = "suqiu"
    timeout_s: float = Field(default=30.0, gt=0)
    shards: int = Field(default=1, ge=1, le=64)      # fixed when an index is made (a rebuild applies a change)
    replicas: int = Field(default=0, ge=0, le=10)    # copies on other nodes; applied to the live index


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
    # 时限: the limit to answer, in working days (工作日); urgent demands (high, critical) use the hours limit
    time_limit_days: float = Field(default=15, gt=0)
    urgent_time_limit_hours: float = Field(default=24, gt=0)
    category_time_limits: dict[str, float] = Field(default_factory=dict)

    @property
    def slug(self) -> str:
        """A filesystem- and URL-safe code (Open311 service_code, outbox folder): the configured
        ``code``, else derived from the name."""
        return self.code or "d" + hashlib.sha1(self.name.encode("utf-8")).hexdigest()[:8]


class District(_Section):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    streets: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    roads: list[str] = Field(default_factory=list)
    estates: list[str] = Field(default_factory=list)
    landmarks: list[str] = Field(default_factory=list)
    center: Point | None = None     # [lon, lat] (WGS-84) of the district and its places: the map, bbox search
    coordinates: dict[str, Point] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _coordinates_name_places(self) -> "District":
        known = {self.name, *self.aliases, *self.streets, *self.communities, *self.roads, *self.estates,
                 *self.landmarks}
        if unknown := [n for n in self.coordinates if n not in known]:
            raise ValueError(f"coordinates: '{unknown[0]}' is none of this district's places")
        return self


class FixtureSiteConfig(_Section):
    """The local fixture web site (message boards, review API, Open311) for tests and the demo."""

    host: Literal["127.0.0.1"] = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    seed: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


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
    # 签收: hours after routing (urgent demands: fewer); 即将超时: due within this many hours
    sign_limit_hours: float = Field(default=24, gt=0)
    urgent_sign_limit_hours: float = Field(default=2, gt=0)
    due_soon_hours: float = Field(default=24, gt=0)
    # the composite score's weights of 响应率, 解决率 and 满意率 (Beijing's 接诉即办: 10/45/45)
    rate_weights: dict[Literal["response", "resolution", "satisfaction"], float] = Field(
        default_factory=lambda: {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45})
    # urgency reasons (nlp.urgency labels) whose demands are alerted at once, beside level critical
    alert_reasons: list[str] = Field(default_factory=lambda: ["轻生风险", "群体性事件风险", "安全隐患"])
    office_email: str = ""                                # the office's alerts; empty: outbox only


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
    min_weight: float = Field(default=0.3, ge=0, lt=1)   # from here a demand belongs to its best topic …
    soft_weight: float = Field(default=0.15, ge=0, lt=1)  # … and from here when it leads the runner-up
    soft_margin: float = Field(default=2.0, ge=1)         # … by this factor; otherwise an outlier (其他)
    learn_per_group: int = Field(default=10, ge=1)        # near-duplicates of one demand the model learns from
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
    busy_timeout_s: float = Field(default=5.0, gt=0, le=60)      # see default_config.toml
    trusted_proxies: list[str] = Field(default_factory=list)
    session_idle_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    open311_posts_per_hour: int = Field(default=60, ge=1)   # requests one client token may file
    # the address people open the pages at (the digests' links); empty: http://host:port
    base_url: str = Field(default="", pattern=r"^(https?://[^\s\"'<>]+)?$")

    @property
    def public_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


class TextConfig(_Section):
    """Extra words for the segmenter's user dictionary and stop words, beside the gazetteer's."""

    demand_terms: list[str] = Field(default_factory=list)
    stop_words: list[str] = Field(default_factory=list)


class CityConfig(_Section):
    name: str = "示例市"
    # suqiu keeps every time in China Standard Time (the store, weeks, time limits); the key states it
    timezone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    geojson: str = ""   # the districts' outlines (the dashboard's map): a path, under SUQIU_HOME, or shipped


class ForecastCalendar(_Section):
    """China's calendar as forecast features (``nlp.forecast_features``): holidays and seasons."""

    spring_festival: bool = True
    post_festival_days: int = Field(default=7, ge=0, le=30)
    public_holidays: bool = True
    flood_season: list[Window] = Field(default_factory=lambda: ["05-15..09-30"])
    heating_season: list[Window] = Field(default_factory=lambda: ["11-15..03-15"])
    school_start: list[Window] = Field(default_factory=lambda: ["08-28..09-10", "02-17..03-03"])


class ForecastConfig(_Section):
    """Weekly volume forecasts (``nlp.forecast``); its settings not named here keep their defaults."""

    horizon: int = Field(default=4, ge=1, le=26)          # weeks ahead
    levels: list[Annotated[int, Field(ge=50, le=99)]] = Field(default_factory=lambda: [80, 95], min_length=1)
    calendar: ForecastCalendar = Field(default_factory=ForecastCalendar)


class ReportsConfig(_Section):
    recipients: list[str] = Field(default_factory=list)   # who gets the leaders' 月报, 季报 and 年报 by email


class ClassificationConfig(_Section):
    """分级分类 rules (``nlp.classification``): each record's publication level and sensitivity.
    A cue list left out (None) is the built-in one (``nlp.classification.BUILT_IN``)."""

    default: Literal["public", "internal", "office_only"] = "internal"
    public_sources: list[str] = Field(default_factory=lambda: ["portal", "review"])
    public_categories: list[str] = Field(default_factory=list)      # public from any source
    internal_categories: list[str] = Field(default_factory=list)    # never public
    category_sensitivity: dict[str, Literal["report", "stability", "secret"]] = Field(default_factory=dict)
    report_cues: list[str] | None = None
    report_targets: list[str] | None = None
    report_ignore: list[str] | None = None
    report_window: int = Field(default=12, ge=1, le=60)
    stability_cues: list[str] | None = None
    secret_cues: list[str] | None = None
    # what a public record shows beyond ``suqiu.disclosure.PUBLIC_FIELDS``
    public_fields: list[Literal["reply_text", "department"]] = Field(
        default_factory=lambda: ["reply_text", "department"])
