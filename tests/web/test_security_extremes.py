"""Well-formed extremes never give a 5xx (issue 18, item 9).

Found open: ``/search?to=9999-12-31``, ``topic=`` a 40-digit number and the same on the export were
500s. Here every query parameter of every GET endpoint of the pages and the department API (found
from the application's routes, so a new endpoint is covered the day it is added) gets each of
many extreme values, and then seeded random mixtures of them, as the office and as a department.
Open311 is tested by its own suite.
"""

from __future__ import annotations

import random
import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute

from suqiu.twoway.tokens import create_token
from suqiu.web.search_form import FILTER_PARAMS
from tests.web.conftest import login
from tests.web.routes import api_routes
from tests.web.seed import HB

FORTY_DIGITS = "1234567890" * 4
EXTREMES: tuple[str, ...] = (
    "", " ", "0", "-1", "1", "2", "10000", "99999999", FORTY_DIGITS, "-" + FORTY_DIGITS, "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "1e308", "1e400", "NaN", "inf", "-inf", "0x10", "1_000",
    "9999-12-31", "0001-01-01", "9999-12-31T23:59:59", "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999+00:00", "2024-02-30", "2024-13-01", "1899-12-31",
    "2099-01-01", "1970-01-01", "２０２４-０１-０１", "٢٠٢٤-٠١-٠١", "2024-01-01T25:00:00", "10000-01-01",
    "\x00", "%00", "'; DROP TABLE records;--", '"unclosed', "OR", "- - -", "-", "|", "a" * 5000, "噪音" * 1000,
    "\u202e噪音", "<script>alert(1)</script>", "../../etc/passwd", "null", "true", "[]", "{}", "demand", "topic",
    "profile", "relevance", "time", "heat", HB,
)
# parameters the pages read from the query string themselves (not declared to FastAPI)
SEARCH_PARAMS = ("q", "kind", "from", "to", "overdue", "sort", "page", "size", *FILTER_PARAMS)
READ_BY_HAND = {"/search": SEARCH_PARAMS, "/search/export.xlsx": SEARCH_PARAMS,
                "/records/{record_id:path}": ("back",), "/profiles/{profile_id:path}": ("back",),
                "/topics/{topic_id:int}": ("back",)}
PATH_SAMPLES = {"int": ("1", "0", FORTY_DIGITS, "9223372036854775808"),
                "path": ("hotline:1001", "x", "hotline:" + FORTY_DIGITS, "..%2F..%2Fetc")}
SKIP_PREFIXES = ("/open311/", "/static")


def _get_routes(api) -> list[APIRoute]:
    return [r for r in api_routes(api) if "GET" in r.methods and not r.path.startswith(SKIP_PREFIXES)]


def _params(route: APIRoute) -> tuple[str, ...]:
    declared = tuple(p.alias for p in route.dependant.query_params)
    return tuple(dict.fromkeys(declared + READ_BY_HAND.get(route.path, ())))


def _fill(path: str, value: str | None = None) -> str:
    """The route's path with its parameters filled: with ``value`` where it fits the converter
    (digits for ``int``), else with an ordinary sample."""
    def one(m: re.Match) -> str:
        conv = "int" if m.group(2) == "int" else "path"
        if value is not None and value.strip() and (conv == "path" or re.fullmatch(r"\d+", value)):
            return quote(value, safe="")
        return PATH_SAMPLES[conv][0]
    return re.sub(r"\{(\w+)(?::(\w+))?\}", one, path)


@pytest.fixture(scope="module")
def tokens(seeded_app) -> dict[str, str]:
    app = seeded_app[0]
    return {"office": create_token(app, None, "值班", role="office")[1], "hb": create_token(app, HB)[1]}


def _headers(path: str, who: str, tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"} if path.startswith("/api/") else {}


@pytest.mark.parametrize("who", ["office"])
def test_every_parameter_of_every_get_endpoint_survives_every_extreme(web_app, client, tokens, who) -> None:
    login(client, who)
    failures = []
    routes = _get_routes(web_app)
    assert {"/search", "/search/export.xlsx", "/api/v1/demands"} <= {r.path for r in routes}
    for route in routes:
        cases = [(_fill(route.path), {name: value}) for name in _params(route) for value in EXTREMES]
        if "{" in route.path:   # the path parameters get every extreme too
            cases += [(_fill(route.path, value), {}) for value in EXTREMES + PATH_SAMPLES["int"]]
        for url, params in cases:
            r = client.get(url, params=params, headers=_headers(url, who, tokens), follow_redirects=False)
            if r.status_code >= 500:
                failures.append((url[:60], str(params)[:60], r.status_code))
    assert not failures, f"{len(failures)} 5xx answers, e.g. {failures[:10]}"


@pytest.mark.parametrize("who", ["office", "hb"])
def test_random_mixtures_of_extremes_never_give_5xx(web_app, client, tokens, who) -> None:
    login(client, who)
    rng = random.Random(18)
    routes = _get_routes(web_app)
    failures = []
    for _ in range(300):
        route = rng.choice(routes)
        url = _fill(route.path, rng.choice(EXTREMES + PATH_SAMPLES["path"]))
        names = _params(route)
        chosen = rng.sample(names, k=min(len(names), rng.randint(1, 6))) if names else []
        params = [(n, rng.choice(EXTREMES)) for n in chosen for _ in range(rng.randint(1, 2))]
        r = client.get(url, params=params, headers=_headers(url, who, tokens), follow_redirects=False)
        if r.status_code >= 500:
            failures.append((url[:60], params, r.status_code))
    assert not failures, f"{len(failures)} 5xx answers, e.g. {failures[:5]}"


@pytest.mark.parametrize("path", ["/search", "/search/export.xlsx"])
@pytest.mark.parametrize("query", [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"topic": FORTY_DIGITS},
                                   {"from": "0001-01-01", "to": "9999-12-31"}, {"page": "9" * 30}])
def test_the_reported_extremes_are_400_in_chinese_or_a_valid_result(client, path, query) -> None:
    login(client, "office")
    r = client.get(path, params=query)
    assert r.status_code in (200, 400), r.status_code
    if r.status_code == 400:
        assert re.search(r"[\u4e00-\u9fff]", r.text)
        assert "Traceback" not in r.text


def test_dates_past_the_calendar_are_clamped_and_a_huge_topic_is_refused_in_chinese(client) -> None:
    login(client, "office")
    everything = client.get("/search", params={"q": "噪音"})
    for bounds in ({"to": "9999-12-31"}, {"from": "0001-01-01"}, {"from": "0001-01-01T00:00:00+14:00"},
                   {"from": "0001-01-01", "to": "9999-12-31T23:59:59-12:00"}):
        r = client.get("/search", params={"q": "噪音", **bounds})
        assert r.status_code == 200 and "工地噪音" in r.text, bounds          # "no limit", not an error
        assert r.text.count('class="hit"') == everything.text.count('class="hit"')
    r = client.get("/search", params={"from": "9999-12-31", "q": "噪音"})
    assert r.status_code == 200 and "工地噪音" not in r.text                 # after everything: nothing
    r = client.get("/search", params={"topic": FORTY_DIGITS})
    assert r.status_code == 400 and "主题" in r.text


def test_the_query_model_clamps_for_both_backends() -> None:
    from search.query import EARLIEST, LATEST, QueryError, SearchQuery
    q = SearchQuery.create("", date_from="0001-01-01", date_to="9999-12-31")
    assert (q.filters.received_from, q.filters.received_to) == (EARLIEST, LATEST)
    q = SearchQuery.create("", date_from="9999-12-31T23:59:59.999999+00:00")
    assert q.filters.received_from == LATEST
    with pytest.raises(QueryError) as exc:
        SearchQuery.create("", topic=FORTY_DIGITS)
    assert exc.value.field == "topic"
    with pytest.raises(QueryError):
        SearchQuery.create("", date_from="9999-12-31", date_to="9999-12-31")   # both clamp to the end: empty


def test_the_search_still_finds_with_wide_but_valid_dates(client) -> None:
    login(client, "office")
    r = client.get("/search", params={"from": "1900-01-01", "to": "2199-12-31", "q": "噪音"})
    assert r.status_code == 200 and "工地噪音" in r.text


@pytest.mark.parametrize("kind", ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_extreme_bounds_run_on_both_backends(request, seeded_app, kind) -> None:
    """The clamped bounds are dates every engine accepts: the same answer as no bound at all."""
    import uuid

    from search.backends.elasticsearch import ElasticsearchBackend
    from search.indexing import IndexStats, build_documents
    from search.query import SearchQuery
    from search.service import get_backend, get_segmenter, search
    from suqiu.principals import Principal
    app, ids = seeded_app
    if kind == "embedded":
        backend = get_backend(app)
    else:
        backend = ElasticsearchBackend.from_url(request.getfixturevalue("es_url"),
                                                f"suqiutest-{uuid.uuid4().hex[:10]}", get_segmenter(app), timeout=20)
        backend.ensure_ready()
        backend.index_documents([d for d in build_documents(app, list(ids.values()), IndexStats(backend=kind), {})
                                 if d is not None])
        backend.refresh()
    try:
        office = Principal.office()
        plain = search(app, SearchQuery.create("噪音"), office, backend=backend).total
        assert plain >= 2
        for bounds in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"},
                       {"date_from": "0001-01-01T00:00:00+14:00", "date_to": "9999-12-31T23:59:59-12:00"}):
            assert search(app, SearchQuery.create("噪音", **bounds), office, backend=backend).total == plain, bounds
        assert search(app, SearchQuery.create("噪音", date_from="9999-12-31"), office, backend=backend).total == 0
    finally:
        if kind == "elasticsearch":
            backend.drop()
            backend.close()
