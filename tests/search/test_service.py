"""The public service API: configured backend, access rules on documents, the CLI on top."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from search.access import AccessError, Principal
from search.query import SearchQuery
from search.service import get_backend, get_document, search
from search.indexing import index_pending
from tests.search import dataset
from tests.search.dataset import HB, ZJ


@pytest.fixture(autouse=True)
def _one_jieba(monkeypatch, segmenter):
    """CLI commands build their own App; let them reuse the session's loaded segmenter."""
    monkeypatch.setattr("search.service.default_segmenter", lambda config=None: segmenter)


@pytest.fixture
def app(home, segmenter):
    from search import service
    from suqiu.installation import Installation
    a = Installation.load(home)
    a.__dict__[service._SEG_ATTR] = segmenter  # reuse the session's jieba
    dataset.load(a.store)
    index_pending(a)
    yield a
    a.store.close()


def test_get_backend_is_built_once_per_app(app):
    assert get_backend(app) is get_backend(app) and get_backend(app).name == "embedded"


def test_department_alias_is_resolved(app):
    res = search(app, SearchQuery.create(size=50), Principal.for_department("住建局"))
    assert res.total == 5 and {h.fields["department"] for h in res.hits} == {ZJ}


def test_department_cannot_open_another_departments_record(app):
    assert get_document(app, dataset.rid("h5"), Principal.for_department(ZJ)) is None
    assert get_document(app, dataset.rid("h5"), Principal.for_department(HB))["id"] == dataset.rid("h5")


def test_missing_record_is_none(app):
    assert get_document(app, "hotline:nope", Principal.office()) is None


def test_document_text_is_masked_for_everyone(app):
    view = get_document(app, dataset.rid("h1"), Principal.office())
    assert "[手机号]" in view["content"] and "13812345678" not in json.dumps(view, ensure_ascii=False)
    assert view["address"] == "鼓楼区五四路88号 [手机号]"


def test_unanalysed_record_leaves_without_text(app):
    """One masking policy: text leaves only as the analysis stage masked it."""
    view = get_document(app, dataset.rid("h11"), Principal.office())
    assert view["pending_analysis"] and view["content"] == "" and "13900001111" not in repr(view)


def test_public_view_has_no_personal_fields(app):
    app.store.set_fields(dataset.rid("p1"), {"address": "台江区六一中路1号"}, origin="api", actor="12345")
    view = get_document(app, dataset.rid("p1"), Principal.public())
    assert "address" not in view and "requester" not in view and "replied_by" not in view
    assert all("actor" not in h for h in view["history"])


def test_public_view_has_only_public_fields(app):
    from suqiu.disclosure import PUBLIC_ANALYSIS, PUBLIC_FIELDS
    view = get_document(app, dataset.rid("p1"), Principal.public())
    assert set(view) <= {*PUBLIC_FIELDS, *app.config.classification.public_fields}
    assert set(view["analysis"]) == set(PUBLIC_ANALYSIS)   # no routing internals, no levels
    assert "department_given" not in view and "version" not in view and "satisfaction" not in view


def test_public_sees_public_records_only(app):
    assert get_document(app, dataset.rid("h1"), Principal.public()) is None        # a hotline work order
    assert get_document(app, dataset.rid("p6"), Principal.public()) is None        # 涉稳: office-only
    assert get_document(app, dataset.rid("h12"), Principal.for_department(dataset.ZJ)) is None   # its own 举报件
    assert get_document(app, dataset.rid("h13"), Principal.for_department(dataset.ZJ)) is None   # unclassified
    assert get_document(app, dataset.rid("h12"), Principal.office())["analysis"]["sensitivity"] == "report"


def test_public_view_has_no_history_of_personal_fields(app):
    """Enforced in the search layer itself, not only by the detail page: the public sees status history only."""
    rid = dataset.rid("p1")
    app.store.set_fields(rid, {"address": "鼓楼区五四路99号"}, origin="api", actor="12345")
    app.store.set_fields(rid, {"status": "replied"}, origin="api", actor="住建局")
    public = get_document(app, rid, Principal.public())
    office = get_document(app, rid, Principal.office())
    assert "address" in [h["field"] for h in office["history"]]
    assert [h["field"] for h in public["history"]] == [h["field"] for h in office["history"] if h["field"] == "status"]
    assert "五四路99号" not in json.dumps(public, ensure_ascii=False)


def test_requester_name_never_leaves(app):
    view = get_document(app, dataset.rid("h1"), Principal.office())
    assert "张三" not in json.dumps(view, ensure_ascii=False)


def test_reply_history_is_shown(app):
    app.store.set_fields(dataset.rid("p1"), {"status": "replied", "reply_text": "已联系物业，电话13700001111"},
                         origin="api", actor="住建局")
    view = get_document(app, dataset.rid("p1"), Principal.for_department(ZJ))
    assert [h["field"] for h in view["history"]] == ["status", "reply_text"]
    assert "13700001111" not in json.dumps(view, ensure_ascii=False)


def test_department_principal_needs_a_department():
    with pytest.raises(AccessError):
        Principal("department")


def test_unknown_role_is_refused():
    with pytest.raises(AccessError):
        Principal("admin")  # type: ignore[arg-type]


def test_cli_search_json(app, home):
    from suqiu.cli import app as cli
    out = CliRunner().invoke(cli, ["search", "噪音", "--district", "鼓楼区", "--from", "2024-03-01", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["total"] == 3 and set(doc) >= {"total", "hits", "facets"}
    assert doc["facets"]["district"] == [{"value": "鼓楼区", "count": 3}]


def test_cli_search_source_or_channel(app, home):
    from suqiu.cli import app as cli
    by_source = json.loads(CliRunner().invoke(cli, ["search", "--source", "review", "--json"]).stdout)
    by_channel = json.loads(CliRunner().invoke(cli, ["search", "--source", "微信", "--json"]).stdout)
    assert by_source["total"] == 2 and by_channel["total"] == 1


def test_cli_search_bad_date_is_a_clear_error(app, home):
    from suqiu.cli import app as cli
    out = CliRunner().invoke(cli, ["search", "噪音", "--from", "yesterday", "--json"])
    assert out.exit_code == 1 and "date_from" in out.output


def test_cli_index_json(app, home):
    from suqiu.cli import app as cli
    out = CliRunner().invoke(cli, ["index", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["indexed"] == 0


def test_cli_index_reports_an_unreachable_engine(app, home, monkeypatch):
    from suqiu.cli import app as cli
    monkeypatch.setenv("SUQIU_SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("SUQIU_ES_URL", "http://127.0.0.1:9")
    out = CliRunner().invoke(cli, ["index", "--json"])
    assert out.exit_code == 1 and json.loads(out.stdout)["error"]


def _profile(app, dimension, value, week="2024-W20", volume=3):
    from suqiu.store import schema
    from suqiu.store import now_local, to_db_time
    with app.store.begin() as conn:
        conn.execute(schema.profiles.insert().values(
            id=f"{dimension}:{value}:{week}", dimension=dimension, value=value, week=week, volume=volume,
            data={"top_topics": []}, updated_at=to_db_time(now_local())))


def test_department_sees_only_its_own_profile(app):
    from search.service import list_profiles
    _profile(app, "department", ZJ)
    _profile(app, "department", HB)
    _profile(app, "district", "鼓楼区")
    assert [p["value"] for p in list_profiles(app, Principal.for_department("住建局"))] == [ZJ]
    assert len(list_profiles(app, Principal.office())) == 3
    assert list_profiles(app, Principal.for_department(ZJ), dimension="district") == []


def test_cli_search_kind(app, home):
    from suqiu.cli import app as cli
    dataset.load_aggregates(app.store)
    assert index_pending(app).profiles == len(dataset.PROFILES)
    run = lambda *args: CliRunner().invoke(cli, ["search", *args, "--json"])  # noqa: E731
    topics = json.loads(run("清运", "--kind", "topic").stdout)
    assert [h["id"] for h in topics["hits"]] == ["topic:9"]
    week = json.loads(run("--kind", "profile", "--week", "2024-w23").stdout)
    assert [h["id"] for h in week["hits"]] == [dataset.pid("district", "台江区", "2024-W23")]
    both = json.loads(run("河道", "--kind", "demand", "--kind", "topic").stdout)
    assert {h["kind"] for h in both["hits"]} == {"demand", "topic"}
    assert all(h["kind"] == "demand" for h in json.loads(run("清运").stdout)["hits"])
    bad = run("--kind", "record")
    assert bad.exit_code == 2 and "kind" in bad.output  # not one of the choices


def test_cli_search_prints_profiles_readably(app, home):
    from suqiu.cli import app as cli
    dataset.load_aggregates(app.store)
    index_pending(app)
    out = CliRunner().invoke(cli, ["search", "--kind", "profile", "--dimension", "department"])
    assert out.exit_code == 0, out.output
    text = out.output.replace("\n", "")  # rich wraps long lines
    assert f"{HB} · 2024-W21 需求画像" in text and "2 件" in text
    assert "城市管理局 · 2024-W21 需求画像" in text  # stored under the alias 城管局, shown by its name
