"""End-to-end privacy audit: personal data put into titles, contents and replies never leaves the store.

One small installation runs the real pipeline (analysis with topics and 分级分类, routing, embedded
index, digests to the outbox, the weekly report, CLI ``--json`` outputs, the web pages, the XLSX
export, the department API and Open311); every artifact it emits is then read back as text (zip
members of DOCX/XLSX, MIME parts of ``.eml`` files, the FTS5 database dump, HTTP bodies) and searched
for the raw values. Each check also asserts that the artifact carries the demands that held the data
(a masking tag is there), so an artifact that simply left them out cannot pass.

Open311 is read keyless, with a client key and with a scoped client key, every endpoint and every
record id; the public role's pages are crawled (every page, record, export and aggregate it can
ask for). Neither may show a personal value, nor an office-only record (a 举报件, a 涉稳 cue); the
public and keyless Open311 no record that is not public; departments and their digests no
office-only record either.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from urllib.parse import quote
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nlp.pii import TAG_RE
from reports.audit import (
    eml_texts, find_leaks, installation_artifacts, json_text, mobile_numbers, xml_texts,
)

# --------------------------------------------------------------------------- the personal data
PASSWORDS = {"office": "office-pass-1", "zj": "zj-pass-001", "pub": "pub-pass-001"}
HOUSING = "住房和城乡建设局"
WEEK = "2026-W47"
T0 = datetime(2026, 11, 17, 9, 0)  # Tuesday of the report week (Asia/Shanghai added below)


def luhn_complete(body: str) -> str:
    """``body`` plus the Luhn check digit (a bank card number the masker must recognise)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def id_card(first17: str) -> str:
    from crawlers.synthetic import id_card_checksum
    return first17 + id_card_checksum(first17)


PII = {
    "mobile": "13912345678",
    "mobile2": "18650231947",
    "reply_mobile": "13698765432",
    "landline": "0591-87654321",
    "reply_landline": "0591-83334444",
    "id_card": id_card("35010219850612341"),
    "bank_card": luhn_complete("622202123456789012"),
    "email": "linxf1985@163.com",
    "reply_email": "wuye_banli@126.com",
    "plate": "闽A8K352",
    "title_plate": "闽AD53217",
    "name": "林晓峰",
    "contact_name": "陈建国",
    "reply_fullwidth_mobile": "１５８００５５６６７７",
}
REQUESTER = "郑美玲"          # a personal field: never shown anywhere
ADDRESS = "鼓楼区五四路88号3单元402室"


# portal messages (public channels): two public ones, a 举报件 (office-only); and a 涉稳 work order
OFFICE_ONLY_PHRASES = ("收受物业公司好处费", "到区政府门口拉横幅")


def portal_pii_demands() -> list[dict[str, Any]]:
    from suqiu.model import SHANGHAI
    t0 = T0.replace(tzinfo=SHANGHAI)
    base = {"source": "portal", "channel": "网站", "district": "鼓楼区", "category_given": "物业管理",
            "department_given": HOUSING, "requester": REQUESTER, "requester_type": "individual",
            "address": ADDRESS, "status": "received"}
    rows = [
        dict(source_id="q1", title=f"金山小区电梯坏了 电话{PII['mobile']}",
             content=f"我叫{PII['name']}，金山小区电梯故障一周，身份证号{PII['id_card']}，邮箱{PII['email']}。",
             status="replied", replied_at=t0 + timedelta(days=1), replied_by=HOUSING,
             reply_text=(f"<p>已督促物业<b>维修</b></p><script>alert(1)</script>，联系人{PII['contact_name']}"
                         f"电话{PII['reply_mobile']}，邮箱{PII['reply_email']}。")),
        dict(source_id="q2", title="金山小区电梯押金不退",
             content=f"物业收了电梯押金不退，请退到银行卡{PII['bank_card']}，车牌{PII['plate']}，"
                     f"联系人{PII['contact_name']}，手机{PII['mobile2']}。"),
        dict(source_id="q3", title="举报住建局工作人员",
             content=f"实名举报住建局工作人员收受物业公司好处费，金山小区电梯不修。我的手机{PII['mobile']}。"),
        dict(source_id="q4", source="hotline", channel="电话", title="金山小区电梯问题",
             content=f"金山小区业主准备集体上访，到区政府门口拉横幅。联系人{PII['contact_name']}，"
                     f"电话{PII['mobile2']}。"),
    ]
    return [{**base, "received_at": t0 + timedelta(hours=3 + 5 * i), **r} for i, r in enumerate(rows)]


def pii_demands() -> list[dict[str, Any]]:
    """Hand-written demands, all in the report week, each type in a title, a content and a reply."""
    from suqiu.model import SHANGHAI
    t0 = T0.replace(tzinfo=SHANGHAI)
    base = {"source": "hotline", "channel": "电话", "district": "鼓楼区", "category_given": "物业管理",
            "department_given": HOUSING, "requester": REQUESTER, "requester_type": "individual",
            "address": ADDRESS, "status": "received"}
    rows = [
        dict(source_id="p1", title=f"电梯故障老人被困 联系{PII['mobile']}",
             content=f"我叫{PII['name']}，金山小区3号楼电梯坏了三天，老人被困家中，请尽快维修。"
                     f"我的电话{PII['mobile']}，座机{PII['landline']}。"),
        dict(source_id="p2", title=f"车牌{PII['title_plate']}长期占用消防通道",
             content=f"金山小区电梯故障一直没人修，物业不管。车牌{PII['plate']}的车还堵住消防通道。"
                     f"本人身份证号{PII['id_card']}，处理结果请发邮箱{PII['email']}。"),
        dict(source_id="p3", title="物业退还押金",
             content=f"金山小区物业收了电梯维修押金不退，请退到我的银行卡{PII['bank_card']}。"
                     f"联系人：{PII['contact_name']}，手机{PII['mobile2']}。"),
        dict(source_id="p4", title=f"电梯又坏了，请回电{PII['landline']}",
             content=f"金山小区电梯再次故障，老人被困一小时。联系人{PII['contact_name']}，电话{PII['mobile2']}。"),
        # answered: the department's reply carries its own numbers and a citizen's in full-width digits
        dict(source_id="p5", title="小区电梯年检过期", status="replied",
             content=f"金山小区电梯年检过期仍在使用，存在安全隐患。我叫{PII['name']}。",
             reply_text=(f"经核查，物业已停用该电梯并联系维保单位检修，预计三日内完成。如有疑问请联系物业"
                         f"{PII['reply_mobile']}或{PII['reply_landline']}，邮箱{PII['reply_email']}；"
                         f"来电人手机{PII['reply_fullwidth_mobile']}已回访。依据《特种设备安全法》处理。"),
             replied_at=t0 + timedelta(days=2), replied_by=HOUSING, satisfaction="满意"),
        dict(source_id="p6", title=f"电梯维修太慢 车牌{PII['plate']}",
             content=f"金山小区电梯故障报修一周没人来，老人被困过两次。我的邮箱{PII['email']}，"
                     f"手机{PII['mobile']}。", status="replied",
             reply_text=f"已督促物业维修，联系人{PII['contact_name']}电话{PII['reply_mobile']}。",
             replied_at=t0 + timedelta(days=3), replied_by=HOUSING),
    ]
    out = []
    for i, r in enumerate(rows):
        item = {**base, "received_at": t0 + timedelta(hours=5 * i), **r}
        out.append(item)
    return out


# --------------------------------------------------------------------------- the installation
@dataclass
class Emitted:
    home: Path
    values: dict[str, str]                       # kind → raw value that must never appear
    artifacts: dict[str, list[str]] = field(default_factory=dict)   # artifact name → texts
    pii_ids: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    app: Any = None
    levels: dict[str, str | None] = field(default_factory=dict)   # record id → publication
    owners: dict[str, str | None] = field(default_factory=dict)

    app_profiles: list[dict[str, Any]] = field(default_factory=list)
    app_topics: list[int] = field(default_factory=list)

    def ids_at(self, *levels: str | None) -> set[str]:
        return {rid for rid, level in self.levels.items() if level in levels}

    def sees(self, reader: str, rid: str) -> bool:
        """Whether a reader may see a record: the rule every face must keep (suqiu.disclosure.grants)."""
        level, owner = self.levels.get(rid), self.owners.get(rid)
        if reader == "office":
            return True
        if reader in ("zj", "open311:scoped") and level == "internal" and owner == HOUSING:
            return True
        return level == "public" and (reader != "zj" or owner == HOUSING)


def _login(client, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = client.post("/login", data={"username": username, "password": PASSWORDS[username],
                                       "csrf_token": token, "next": "/search"}, follow_redirects=False)
    assert resp.status_code == 303, resp.text


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emitted]:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from crawlers.synthetic import generate
    from suqiu.weeks import Week
    from suqiu import cli
    from nlp.stages import run_stages
    from suqiu.installation import Installation, write_default_config
    from reports.digests import deliver_digest
    from search.indexing import index_pending
    from suqiu.model import SHANGHAI, build_demand
    from suqiu.twoway.dispatch import route_pending
    from suqiu.twoway.tokens import create_token
    from suqiu.web.application import create_app
    from suqiu.twoway.accounts import add_user
    from reports.collect import write_weekly_report

    home = tmp_path_factory.mktemp("privacy-home")
    write_default_config(home)
    app = Installation.load(home, environ={})
    values = dict(PII, requester=REQUESTER)

    # synthetic background demands (some carry PII of their own, listed in their truth)
    synthetic = list(generate(70, seed=5, start=date(2026, 10, 26), weeks=4, sources=["hotline", "portal"],
                              bad_rate=0.0, with_truth=True))
    for i, item in enumerate(synthetic):
        for kind, v in item["_truth"]["pii"].items():
            values[f"synthetic_{kind}_{i}"] = v
        if item.get("requester") and item["requester_type"] == "individual":
            values[f"synthetic_requester_{i}"] = item["requester"]
    demands = [build_demand({k: v for k, v in item.items() if not k.startswith("_")}) for item in synthetic]
    mine = [build_demand(r) for r in pii_demands() + portal_pii_demands()]
    app.store.upsert(demands + mine, origin="import")
    pii_ids = [d.id for d in mine]

    stats: dict[str, Any] = {"analyze": run_stages(app)}
    stats["route"] = route_pending(app).as_dict()
    stats["index"] = index_pending(app).as_dict()
    now = datetime(2026, 11, 22, 18, 0, tzinfo=SHANGHAI)
    out = Emitted(home=home, values=values, pii_ids=pii_ids, stats=stats)
    every = [r["id"] for r in app.store.iter_records()]
    out.levels = {rid: a.publication for rid, a in app.store.analyses(every).items()}
    out.owners = app.store.owners_of(app.config, every)
    out.app_profiles = app.store.profile_rows()
    out.app_topics = [t["id"] for t in app.store.topic_rows(include_retired=True)]

    # digests (every department that has demands) and the weekly report
    stats["digests"] = [deliver_digest(app, d.name, "week", now=now) for d in app.config.departments]
    stats["report"] = write_weekly_report(app, Week.parse(WEEK), now=now)
    out.artifacts.update(installation_artifacts(app))

    # CLI --json outputs
    runner = CliRunner()
    for args in (["search", "", "--size", "100"], ["search", "电梯", "--size", "100"], ["topics"], ["hotspots", "--top", "50"],
                 ["profiles", "--dimension", "district"], ["profiles", "--dimension", "department"],
                 ["profiles", "--dimension", "channel"], ["digest", "--department", HOUSING, "--period", "week"]):
        r = runner.invoke(cli.app, [*args, "--json", "--home", str(home)])
        assert r.exit_code == 0, (args, r.output)
        out.artifacts[f"cli:{' '.join(args)}"] = [json_text(json.loads(r.stdout))]

    # the web: pages, export, department API, Open311
    add_user(app.store, "office", PASSWORDS["office"], "office", config=app.config)
    add_user(app.store, "zj", PASSWORDS["zj"], "department", HOUSING, config=app.config)
    add_user(app.store, "pub", PASSWORDS["pub"], "public", config=app.config)
    office_token = create_token(app, None, "值班", role="office")[1]
    dept_token = create_token(app, HOUSING, "张工")[1]
    keys = {"keyless": None, "client": create_token(app, None, "市民 App", role="client")[1],
            "scoped": create_token(app, None, "住建 App", role="client", scope=[HOUSING])[1]}
    web = create_app(app)
    with TestClient(web, base_url="http://127.0.0.1") as client:
        for user in ("office", "zj", "pub"):
            client.cookies.clear()
            _login(client, user)
            _crawl_pages(client, user, out)
        client.cookies.clear()
        api = []
        for who, token in (("office", office_token), ("zj", dept_token)):
            h = {"Authorization": f"Bearer {token}"}
            for status in ("open", "answered", "all"):
                r = client.get("/api/v1/demands", params={"status": status, "limit": 500}, headers=h)
                assert r.status_code == 200, r.text
                api.append(r.text)
            for rid in pii_ids:
                r = client.get(f"/api/v1/demands/{rid}", headers=h)
                assert r.status_code == (200 if out.sees(who, rid) else 404), (who, rid, r.text)
                if r.status_code == 200:  # a 404 names the id asked for, exactly as for a missing one
                    api.append(r.text)
            out.artifacts[f"api:{who}"] = [json_text(json.loads(t)) for t in api]
            api = []
        for reader, key in keys.items():
            _crawl_open311(client, reader, key, out)
    out.app = app
    yield out
    app.store.close()


# --------------------------------------------------------------------------- crawling the faces
def _crawl_pages(client, user: str, out: Emitted) -> None:
    """Every page ``user`` can ask for: searches (every kind), details, exports, profiles, topics."""
    texts = []
    for params in ({"q": ""}, {"q": "电梯"}, {"q": "金山小区"}, {"q": "举报"}, {"q": "集体上访"},
                   {"q": "", "source": "hotline"}, {"q": "", "kind": "profile"}, {"q": "", "kind": "topic"}):
        page = client.get("/search", params={**params, "size": 100})
        assert page.status_code == 200, page.text
        texts.append(page.text)
    out.artifacts[f"web:{user}:search"] = texts + [html.unescape(t) for t in texts]
    details = []
    for rid in (sorted(out.levels) if user == "pub" else out.pii_ids):
        page = client.get(f"/records/{rid}")
        assert page.status_code == (200 if out.sees(user, rid) else 404), (user, rid, page.status_code)
        if page.status_code == 200:
            details += [page.text, html.unescape(page.text)]
    out.artifacts[f"web:{user}:detail"] = details
    exports = []
    for q in ("电梯", ""):
        export = client.get("/search/export.xlsx", params={"q": q})
        assert export.status_code == 200
        exports += xml_texts(export.content)
    out.artifacts[f"web:{user}:export.xlsx"] = exports
    if user == "pub":  # aggregates gather every channel: none is public
        pages = [client.get(f"/profiles/{quote(r['id'], safe='')}") for r in out.app_profiles]
        pages += [client.get(f"/topics/{t}") for t in out.app_topics]
        assert pages and all(p.status_code == 404 for p in pages)
        assert client.get("/", follow_redirects=True).status_code == 200
        out.artifacts["web:pub:aggregates"] = [p.text for p in pages]


def _crawl_open311(client, reader: str, key: str | None, out: Emitted) -> None:
    """Every Open311 read, as one reader, for every record id; a hidden id answers as a missing one."""
    auth = {"api_key": key} if key else {}
    texts = []
    window = {"start_date": "2026-10-01T00:00:00+08:00", "end_date": "2026-12-01T00:00:00+08:00"}
    every = sorted(out.levels)
    for path, params in (("requests.json", window), ("requests.xml", window), ("requests.json", {}),
                         ("requests.json", {"service_request_id": ",".join(every)}),
                         ("requests.xml", {"service_request_id": ",".join(every)}),
                         ("servicerequestupdates.json", window), ("servicerequestupdates.xml", window),
                         ("services.json", {})):
        r = client.get(f"/open311/v2/{path}", params={**params, **auth})
        assert r.status_code == 200, (reader, path, r.text)
        texts.append(json_text(r.json()) if path.endswith(".json") else html.unescape(r.text))
    for rid in every:
        r = client.get(f"/open311/v2/requests/{rid}.json", params=auth)
        assert r.status_code == (200 if out.sees(f"open311:{reader}", rid) else 404), (reader, rid, r.text)
        if r.status_code == 200:  # a 404 names the id asked for, exactly as for a missing one
            texts.append(json_text(r.json()))
    out.artifacts[f"open311:{reader}"] = texts


# --------------------------------------------------------------------------- the checks
def _assert_clean(emitted: Emitted, prefix: str, must_show_tags: bool = True) -> None:
    names = [n for n in emitted.artifacts if n.startswith(prefix)]
    assert names, f"no artifact named {prefix}*"
    leaks = [leak for n in names for leak in find_leaks(n, emitted.artifacts[n], emitted.values)]
    assert not leaks, "personal data left the store:\n" + "\n".join(
        f"  {lk.artifact}: {lk.kind} {lk.value!r} in …{lk.context}…" for lk in leaks[:20])
    if must_show_tags:
        shown = [n for n in names if any(TAG_RE.search(t) for t in emitted.artifacts[n])]
        assert shown, f"{prefix}: no masked demand reached these artifacts (the check proves nothing)"


def test_pipeline_ran_and_masked(emitted):
    an = emitted.stats["analyze"]
    assert an["analyzed"] >= 76
    masked = an["pii_masked"]
    for kind in ("mobile", "landline", "id_card", "bank_card", "email", "plate", "name"):
        assert masked.get(kind, 0) >= 1, (kind, masked)
    assert emitted.stats["index"]["indexed"] >= 76
    assert any(d["items"] for d in emitted.stats["digests"])


def test_embedded_index_holds_masked_text_only(emitted):
    _assert_clean(emitted, "index:embedded")


def test_digests_in_outbox_are_masked(emitted):
    housing = [n for n in emitted.artifacts if n.startswith("file:outbox/")]
    assert any(n.endswith(".eml") for n in housing) and any(n.endswith(".xlsx") for n in housing)
    _assert_clean(emitted, "file:outbox/")


def test_weekly_report_files_are_masked(emitted):
    suffixes = {Path(n).suffix for n in emitted.artifacts if n.startswith("file:reports/")}
    assert {".html", ".docx", ".xlsx"} <= suffixes
    _assert_clean(emitted, "file:reports/")


@pytest.mark.parametrize("command", ["search", "topics", "hotspots", "profiles", "digest"])
def test_cli_json_outputs_are_masked(emitted, command):
    # digest --json reports figures and paths only (its files are checked above)
    _assert_clean(emitted, f"cli:{command}", must_show_tags=command in ("search", "hotspots"))


@pytest.mark.parametrize("user", ["office", "zj", "pub"])
def test_web_pages_and_export_are_masked(emitted, user):
    _assert_clean(emitted, f"web:{user}:search")
    _assert_clean(emitted, f"web:{user}:detail")
    _assert_clean(emitted, f"web:{user}:export.xlsx")


def test_department_api_is_masked(emitted):
    _assert_clean(emitted, "api:")


@pytest.mark.parametrize("reader", ["keyless", "client", "scoped"])
def test_open311_is_masked_for_every_reader(emitted, reader):
    _assert_clean(emitted, f"open311:{reader}")


def _shown_ids(texts: list[str], ids: set[str]) -> set[str]:
    blob = "\n".join(texts)
    return {rid for rid in ids if re.search(rf"(?<![\w:%-])(?:{re.escape(rid)}|{re.escape(quote(rid, safe=''))})(?![\w-])",
                                            blob)}


@pytest.mark.parametrize("prefix,reader", [
    ("web:pub:", "pub"), ("open311:keyless", "open311:keyless"), ("open311:client", "open311:client"),
    ("open311:scoped", "open311:scoped"), ("web:zj:", "zj"), ("api:zj", "zj"),
])
def test_no_face_shows_a_record_its_reader_may_not_see(emitted, prefix, reader):
    """The public and keyless Open311: public records only; a scoped client and the department also
    the department's internal ones; nobody here an office-only or an unclassified record."""
    hidden = {rid for rid in emitted.levels if not emitted.sees(reader, rid)}
    assert emitted.ids_at("office_only") and emitted.ids_at("public") and hidden >= emitted.ids_at("office_only")
    texts = [t for n, ts in emitted.artifacts.items() if n.startswith(prefix) for t in ts]
    assert texts
    assert not _shown_ids(texts, hidden), sorted(_shown_ids(texts, hidden))[:10]
    assert not [p for p in OFFICE_ONLY_PHRASES if any(p in t for t in texts)]
    shown = _shown_ids(texts, set(emitted.levels) - hidden)
    assert shown, f"{prefix}: shows no record at all (the check proves nothing)"


def test_digests_never_carry_office_only_records(emitted):
    texts = [t for n, ts in emitted.artifacts.items() if n.startswith("file:outbox/") for t in ts]
    office_only = emitted.ids_at("office_only", None)
    assert office_only >= {"portal:q3", "hotline:q4"}
    assert not _shown_ids(texts, office_only) and not [p for p in OFFICE_ONLY_PHRASES if any(p in t for t in texts)]
    assert _shown_ids(texts, emitted.ids_at("internal"))   # the digests do list the department's demands


def test_office_sees_the_office_only_records(emitted):
    assert {"portal:q3", "hotline:q4"} <= emitted.ids_at("office_only")
    office = emitted.artifacts["web:office:detail"]
    assert all(any(p in t for t in office) for p in OFFICE_ONLY_PHRASES)


def test_public_never_sees_personal_fields(emitted):
    """The public principal sees neither the requester nor the address (nor their field labels)."""
    pages = emitted.artifacts["web:pub:detail"] + emitted.artifacts["web:pub:search"]
    assert pages and not any("答复单位" in t or "诉求人类型" in t for t in emitted.artifacts["web:pub:detail"])
    assert not any(ADDRESS in t or REQUESTER in t for t in pages)
    office = "".join(emitted.artifacts["web:office:detail"])
    assert ADDRESS.replace("402室", "") in office or "五四路" in office  # the office does see the address


def test_no_mobile_number_at_all_in_files(emitted):
    """Beyond the planted values: no 11-digit mobile number anywhere in the emitted files."""
    found = {}
    for name, texts in emitted.artifacts.items():
        if name.startswith(("file:", "index:")):
            nums = {m for t in texts for m in mobile_numbers(t)}
            if nums:
                found[name] = sorted(nums)[:5]
    assert not found, found


def test_find_leaks_detects_a_planted_value():
    """The scanner itself: a raw value in a zipped XML member, a MIME part or a split run is found."""
    values = {"mobile": "13912345678", "bank": "6222 0212 3456 7890"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:r><w:t>电话139123</w:t></w:r><w:r><w:t>45678</w:t></w:r>")
    assert [lk.kind for lk in find_leaks("docx", xml_texts(buf.getvalue()), values)] == ["mobile"]
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["Subject"] = "日报"
    msg.set_content("卡号 6222021234567890", charset="utf-8", cte="base64")
    assert {lk.kind for lk in find_leaks("eml", eml_texts(msg.as_bytes()), values)} == {"bank"}


def test_open311_is_public_and_shows_no_precise_address(emitted):
    """GET Open311 needs no key: the requester's address (a personal field) is coarsened to the district."""
    o311 = "".join(t for n, ts in emitted.artifacts.items() if n.startswith("open311:") for t in ts)
    assert "五四路88号" not in o311
    assert "鼓楼区" in o311


def test_masker_reads_full_width_raw_text():
    """Replies and addresses are masked as stored (not normalized): full-width digits must not slip by."""
    from nlp.pii import PiiMasker
    mask = PiiMasker()
    text = "来电人手机１５８００５５６６７７，座机（０５９１）８７６５４３２１，邮箱ａｂｃ１２３＠１６３．ｃｏｍ"
    assert mask(text) == "来电人手机[手机号]，座机[固话]，邮箱[邮箱]"


def test_elasticsearch_documents_hold_masked_text_only(emitted, es_url):
    """The documents ``search/documents.py`` builds, as Elasticsearch stores them (``_source``)."""
    import uuid

    from search.backends.elasticsearch import ElasticsearchBackend
    from search.mappings import index_pattern
    from search.service import get_segmenter
    from search.indexing import index_pending
    app = emitted.app
    backend = ElasticsearchBackend.from_url(es_url, f"suqiutest-privacy-{uuid.uuid4().hex[:8]}",
                                            get_segmenter(app), timeout=20)
    try:
        stats = index_pending(app, rebuild=True, backend=backend)
        assert stats.ok and stats.indexed >= 76, stats.as_dict()
        resp = backend.client.search(index=index_pattern(backend.prefix), size=1000, query={"match_all": {}})
        sources = [h["_source"] for h in resp["hits"]["hits"]]
        assert {s["id"] for s in sources} >= set(emitted.pii_ids)
        texts = [json_text(sources)]
        leaks = find_leaks("elasticsearch", texts, emitted.values)
        assert not leaks, [(lk.kind, lk.context) for lk in leaks[:10]]
        assert TAG_RE.search(texts[0])
        assert not any(k in src for src in sources for k in ("requester", "address", "normalized_text"))
    finally:
        backend.drop()
        backend.close()


# --------------------------------------------------------------------------- the real Fuzhou export
def _week_with_most_numbers(app) -> str:
    """The ISO week holding the most demands whose title or content carries a mobile number."""
    from collections import Counter

    from suqiu.weeks import Week
    weeks: Counter[str] = Counter()
    for rec in app.store.iter_records():
        if mobile_numbers(f"{rec.get('title') or ''} {rec.get('content') or ''}"):
            weeks[str(Week.of(rec["received_at"]))] += 1
    return weeks.most_common(1)[0][0]


@pytest.mark.shared_data
@pytest.mark.slow
def test_fuzhou_export_numbers_never_leave_the_store(shared_datasets, tmp_path):
    """Import the real (not anonymised) Fuzhou 12345 export and run everything that emits text."""
    from fastapi.testclient import TestClient

    from crawlers.importers.run import import_file
    from suqiu.weeks import Week
    from search.access import Principal
    from search.query import SearchQuery
    from search.service import get_document, search
    from nlp.stages import run_stages
    from suqiu.installation import Installation, write_default_config
    from reports.digests import deliver_digest
    from search.indexing import index_pending
    from suqiu.twoway.dispatch import route_pending
    from suqiu.cli.views_output import hotspots_payload, profiles_payload, topics_payload
    from suqiu.twoway.tokens import create_token
    from suqiu.web.application import create_app
    from reports.collect import write_weekly_report

    export = shared_datasets / "fuzhou12345" / "hotline_export.csv"
    source = export.read_text(encoding="utf-8")
    numbers = mobile_numbers(source)
    occurrences = sum(1 for _ in re.finditer(r"(?<!\d)1[3-9]\d{9}(?!\d)", source))
    assert len(numbers) >= 10

    home = tmp_path / "fz"
    write_default_config(home)
    app = Installation.load(home, environ={})
    try:
        imported = import_file(app.store, app.config, export)
        assert imported.balanced and imported.imported > 1000
        run_stages(app)
        route_pending(app)
        assert index_pending(app).ok
        week = _week_with_most_numbers(app)
        write_weekly_report(app, Week.parse(week), now=Week.parse(week).end)
        holders = [r["id"] for r in app.store.iter_records()
                   if mobile_numbers(" ".join(str(r.get(k) or "") for k in ("title", "content", "reply_text")))]
        # the widest Open311 view: a client scoped to every department reads the internal work orders
        key = create_token(app, None, "全量 App", role="client", scope=[d.name for d in app.config.departments])[1]
        with TestClient(create_app(app), base_url="http://127.0.0.1") as client:  # closed: replies shown
            r = client.get("/open311/v2/requests.json", params={"service_request_id": ",".join(holders),
                                                                "api_key": key})
            owners, levels = app.store.owners_of(app.config, holders), app.store.analyses(holders)
            readable = [h for h in holders if levels[h].publication == "public"
                        or (levels[h].publication == "internal" and owners[h] is not None)]
            assert r.status_code == 200 and len(r.json()) == len(readable) > 0
            open311 = [json_text(r.json())]
        # every exported demand is answered; citizens reopen the ones carrying numbers, so they are
        # open again and go into their department's next digest
        for rid in holders:
            app.store.set_fields(rid, {"status": "reopened"}, origin="api", actor="office", note="市民不满意，重新办理")
        digests = [deliver_digest(app, d.name, "week") for d in app.config.departments]
        assert sum(d["items"] for d in digests) > 0

        artifacts = installation_artifacts(app)
        artifacts["open311"] = open311
        office = Principal.office(name="audit")
        artifacts["cli:search"] = [json_text(search(app, SearchQuery.create("", size=100, page=p), office).as_dict())
                                   for p in range(1, 13)]
        artifacts["cli:topics+hotspots+profiles"] = [
            json_text(topics_payload(app)), json_text(hotspots_payload(app, 100)),
            json_text(profiles_payload(app, "district", None)), json_text(profiles_payload(app, "department", None))]
        artifacts["web:detail"] = [json_text(get_document(app, rid, office)) for rid in holders]

        left = {name: sorted(n for t in texts for n in mobile_numbers(t)) for name, texts in artifacts.items()}
        left = {k: v for k, v in left.items() if v}
        print(f"\nFuzhou export: {occurrences} mobile numbers ({len(numbers)} distinct) in the source; "
              f"{len(holders)} stored demands carry one; {len(artifacts)} artifacts scanned; "
              f"numbers left: {sum(len(v) for v in left.values())}")
        # real numbers: a failure names where they are, never the numbers themselves
        assert not left, {k: f"{len(v)} numbers, e.g. {v[0][:3]}****{v[0][-4:]}" for k, v in left.items()}
        raw = {f"n{i}": n for i, n in enumerate(sorted(numbers))}
        leaks = [lk for name, texts in artifacts.items() for lk in find_leaks(name, texts, raw)]
        assert not leaks, sorted({lk.artifact for lk in leaks})
    finally:
        app.store.close()
