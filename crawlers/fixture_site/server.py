"""A small local web site that behaves like the sources the crawlers face.

Bound to 127.0.0.1 only. It serves, from the synthetic generator's content:

- ``/board/list?page=N`` and ``/board/thread/<id>.html``: a modern UTF-8 message board;
- ``/gbk/list.asp?page=N`` and ``/gbk/show.asp?id=<id>``: an old table-layout board in GBK;
- ``/api/v1/reviews?page=N&limit=M``: a review site's JSON API (stars on a 0–50 scale);
- ``/open311/v2/services.json``, ``/open311/v2/requests.json``: Open311 GeoReport v2, with the
  common ``page``/``page_size`` and ``updated_after`` extensions;
- ``/robots.txt`` disallowing ``/admin/``.

and misbehaves like real sites do: some pages fail once with 500 (a retry recovers), one detail page
always fails, one is broken markup, one review page is truncated JSON, one detail page is slow.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time as _time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawlers.fixture_site.content import STATUS_TEXT, Post, SiteContent, build_content
from suqiu.model import SHANGHAI

BOARD_PAGE = 15
GBK_PAGE = 20
REVIEWS_BROKEN_PAGE = 4
ROBOTS = "User-agent: *\nDisallow: /admin/\n"


def _fmt(at: Any, style: str = "iso") -> str:
    if not isinstance(at, datetime):
        return str(at or "")  # a bad date is published as it came
    if style == "cn":
        return f"{at:%Y年%m月%d日 %H:%M}"
    if style == "iso":
        return at.isoformat(timespec="seconds")
    return f"{at:%Y-%m-%d %H:%M:%S}"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_e(line)}</p>" for line in (text or "").split("\n")) or "<p></p>"


class FixtureSite:
    """The site's content, clock and counters; the HTTP server renders from it."""

    def __init__(self, content: SiteContent | None = None, now: datetime | None = None,
                 slow_s: float = 1.0, seed: int = 0) -> None:
        self.content = content or build_content(seed=seed)
        self.now = now or self.content.end
        self.slow_s = slow_s
        self.hits: Counter[str] = Counter()
        self._failed_once: set[str] = set()
        self._lock = threading.Lock()

    # ---- behaviour shared by routes
    def fail_once(self, key: str) -> bool:
        """True the first time ``key`` is asked for: a transient server error."""
        with self._lock:
            if key in self._failed_once:
                return False
            self._failed_once.add(key)
            return True

    def visible(self, posts: list[Post]) -> list[Post]:
        """Published posts, newest first."""
        return [p for p in reversed(posts) if p.visible(self.now)]

    # ---- UTF-8 board
    def board_list(self, page: int) -> str:
        posts = self.visible(self.content.board)
        pages = max(1, -(-len(posts) // BOARD_PAGE))
        chunk = posts[(page - 1) * BOARD_PAGE: page * BOARD_PAGE]
        rows = "\n".join(
            f'<li class="msg-item" data-id="{_e(p.sid)}">'
            f'<a class="msg-title" href="/board/thread/{_e(p.sid)}.html">{_e(p.item["title"] or "（无标题）")}</a>'
            f'<span class="msg-date">{_e(_fmt(p.item["received_at"], "plain")[:10])}</span>'
            f'<span class="msg-state">{STATUS_TEXT[p.status(self.now)]}</span></li>'
            for p in chunk)
        nav = []
        if page > 1:
            nav.append(f'<a class="prev" href="/board/list?page={page - 1}">上一页</a>')
        nav.append(f'<span class="cur">第{page}/{pages}页</span>')
        if page < pages:
            nav.append(f'<a class="next" href="/board/list?page={page + 1}">下一页</a>')
        return (
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>网上留言板 - 福州市</title>"
            "</head><body><header><h1>领导留言板</h1><nav><a href=\"/\">首页</a>"
            "<a href=\"/admin/login\">管理入口</a></nav></header>"
            f"<main><ul class=\"msg-list\">\n{rows}\n</ul><div class=\"pager\">{''.join(nav)}</div></main>"
            "<footer>福州市人民政府 主办</footer></body></html>")

    def board_thread(self, sid: str) -> tuple[int, str]:
        post = next((p for p in self.content.board if p.sid == sid and p.visible(self.now)), None)
        if post is None:
            return 404, "<html><body><h1>留言不存在或已删除</h1></body></html>"
        if sid in self.content.failing:
            return 500, "<html><body><h1>500 Internal Server Error</h1></body></html>"
        if sid in self.content.slow:
            _time.sleep(self.slow_s)
        if sid in self.content.broken:
            # a template error mid-render: the page stops before the message body
            return 200, (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>留言详情</title></head><body>"
                         f"<div class=\"thread\"><h2 class=\"thread-title\">{_e(post.item['title'])}</h2>"
                         "<div class=\"err\">Warning: mysql_fetch_array() expects parameter 1")
        item = post.item
        reply = ""
        if post.reply_visible(self.now):
            reply = ("<section class=\"reply\"><h3>答复</h3>"
                     f"<p class=\"reply-meta\">答复单位：<span class=\"reply-dept\">{_e(item['replied_by'])}</span>"
                     f" 答复时间：<span class=\"reply-time\">{_e(_fmt(item['replied_at'], 'plain'))}</span></p>"
                     f"<div class=\"reply-body\">{_paragraphs(item['reply_text'])}</div></section>")
        body = (
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(item['title'])} - 领导留言板</title></head><body>"
            f"<div class=\"thread\" id=\"t{_e(sid)}\"><h2 class=\"thread-title\">{_e(item['title'])}</h2>"
            "<ul class=\"thread-meta\">"
            f"<li>留言人：<span class=\"author\">{_e(item['requester'] or '匿名')}</span></li>"
            f"<li>留言时间：<span class=\"time\">{_e(_fmt(item['received_at'], 'plain'))}</span></li>"
            f"<li>所属地区：<span class=\"area\">{_e(item['district'])}</span></li>"
            f"<li>办理状态：<span class=\"state\">{STATUS_TEXT[post.status(self.now)]}</span></li>"
            f"<li>支持 <span class=\"up\">{_e(item['votes_up'] if item['votes_up'] is not None else 0)}</span>"
            f" 反对 <span class=\"down\">{_e(item['votes_down'] or 0)}</span></li></ul>"
            f"<div class=\"thread-body\">{_paragraphs(item['content'])}</div>{reply}</div>"
            "<a href=\"/board/list\">返回列表</a></body></html>")
        return 200, body

    # ---- GBK board (old table layout)
    def gbk_list(self, page: int) -> str:
        posts = self.visible(self.content.gbk_board)
        pages = max(1, -(-len(posts) // GBK_PAGE))
        chunk = posts[(page - 1) * GBK_PAGE: page * GBK_PAGE]
        rows = "".join(
            f"<tr><td>{_e(p.sid)}</td><td><a href=\"show.asp?id={_e(p.sid)}\" target=\"_blank\">"
            f"{_e(p.item['title'])}</a></td><td>{_e(_fmt(p.item['received_at'], 'plain')[:10])}</td>"
            f"<td>{STATUS_TEXT[p.status(self.now)]}</td></tr>" for p in chunk)
        nxt = f"<a href=\"list.asp?page={page + 1}\">下一页</a>" if page < pages else ""
        return (
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
            "<title>市长信箱</title></head><body><table width=\"760\" class=\"list\">"
            "<tr><th>编号</th><th>标题</th><th>时间</th><th>状态</th></tr>"
            f"{rows}</table><div class=\"pages\">共{pages}页 当前第{page}页 {nxt}</div></body></html>")

    def gbk_show(self, sid: str) -> tuple[int, str]:
        post = next((p for p in self.content.gbk_board if p.sid == sid and p.visible(self.now)), None)
        if post is None:
            return 404, "<html><body>信件不存在</body></html>"
        item = post.item
        if "gbk" + sid in self.content.broken:
            return 200, ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\"></head>"
                         "<body><table class=\"detail\"><tr><td class=\"label\">来信标题</td>"
                         f"<td id=\"subject\">{_e(item['title'])}")
        replied = post.reply_visible(self.now)
        rows = [("来信标题", "subject", _e(item["title"])),
                ("来信时间", "time", _e(_fmt(item["received_at"], "cn"))),
                ("所属区域", "area", _e(item["district"])),
                ("来信内容", "body", _e(item["content"]).replace("\n", "<br>")),
                ("办理状态", "state", STATUS_TEXT[post.status(self.now)]),
                ("答复单位", "dept", _e(item["replied_by"]) if replied else ""),
                ("答复时间", "rtime", _e(_fmt(item["replied_at"], "cn")) if replied else ""),
                ("答复内容", "reply", _e(item["reply_text"]).replace("\n", "<br>") if replied else "")]
        cells = "".join(f"<tr><td class=\"label\">{a}</td><td id=\"{b}\">{c}</td></tr>" for a, b, c in rows)
        return 200, ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
                     f"<title>{_e(item['title'])}</title></head><body><table class=\"detail\">{cells}</table>"
                     "</body></html>")

    # ---- review API
    def reviews(self, page: int, limit: int) -> tuple[int, str]:
        posts = self.visible(self.content.reviews)
        chunk = posts[(page - 1) * limit: page * limit]
        data = []
        for p in chunk:
            it = p.item
            rating = it["rating"]
            data.append({
                "review_id": p.sid,
                "shop": {"name": it["business_name"], "district": it["district"], "address": it["address"]},
                "star": None if rating is None else int(round(rating * 10)),
                "content": it["content"], "create_time": _fmt(it["received_at"], "plain"),
                "user": {"nick": it["requester"]}, "useful_count": it["votes_up"] or 0,
            })
        doc = json.dumps({"code": 0, "msg": "ok", "data": {
            "page": page, "limit": limit, "total": len(posts), "has_more": page * limit < len(posts),
            "list": data}}, ensure_ascii=False)
        if page == REVIEWS_BROKEN_PAGE and data:
            return 200, doc[: len(doc) // 2]  # the gateway cut the response short
        return 200, doc

    # ---- Open311 GeoReport v2
    def open311_request(self, post: Post) -> dict[str, Any]:
        it = post.item
        replied = post.reply_visible(self.now)
        digest = int(hashlib.sha256(post.sid.encode()).hexdigest()[:8], 16)
        return {
            "service_request_id": post.sid,
            "status": "closed" if replied else "open",
            "status_notes": it["reply_text"] if replied else None,
            "service_name": it["title"],
            "service_code": it["category_given"],
            "description": it["content"],
            "agency_responsible": it["replied_by"] if replied else it["department_given"],
            "service_notice": None,
            "requested_datetime": _fmt(it["received_at"]),
            "updated_datetime": _fmt(post.updated(self.now)),
            "expected_datetime": None,
            "address": it["address"],
            "address_id": None,
            "zipcode": "350000",
            "lat": round(26.0 + (digest % 2000) / 10000, 6),
            "long": round(119.2 + (digest // 2000 % 2000) / 10000, 6),
            "media_url": None,
        }

    def open311_requests(self, q: dict[str, str]) -> tuple[int, Any]:
        posts = [p for p in self.content.requests311 if p.visible(self.now)]
        try:
            start = datetime.fromisoformat(q["start_date"]) if q.get("start_date") else None
            end = datetime.fromisoformat(q["end_date"]) if q.get("end_date") else None
            after = datetime.fromisoformat(q["updated_after"]) if q.get("updated_after") else None
            page = int(q.get("page", "1"))
            size = min(int(q.get("page_size", "50")), 200)
        except ValueError as exc:
            return 400, [{"code": 400, "description": f"bad parameter: {exc}"}]
        if start is None and end is None and after is None:
            start = self.now.replace(microsecond=0) - timedelta(days=90)
        if start is not None:
            posts = [p for p in posts if p.visible_from >= _aware(start)]
        if end is not None:
            posts = [p for p in posts if p.visible_from <= _aware(end)]
        if after is not None:
            posts = [p for p in posts if p.updated(self.now) > _aware(after)]
        if q.get("status"):
            wanted = set(q["status"].split(","))
            posts = [p for p in posts if ("closed" if p.reply_visible(self.now) else "open") in wanted]
        if q.get("service_code"):
            codes = set(q["service_code"].split(","))
            posts = [p for p in posts if p.item["category_given"] in codes]
        posts.sort(key=lambda p: (p.updated(self.now), p.sid))
        chunk = posts[(page - 1) * size: page * size]
        return 200, [self.open311_request(p) for p in chunk]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        pass

    def _send(self, status: int, body: str | bytes, ctype: str, charset: str = "utf-8") -> None:
        data = body if isinstance(body, bytes) else body.encode(charset, errors="xmlcharrefreplace")
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset={charset}" if charset else ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False),
                   "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.server.site
        parts = urlsplit(self.path)
        path = parts.path
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        site.hits[path] += 1
        try:
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            page = 1
        if path == "/robots.txt":
            return self._send(200, ROBOTS, "text/plain")
        if path == "/":
            return self._send(200, "<html><head><meta charset=\"utf-8\"><title>测试站点</title></head><body>"
                              "<a href=\"/board/list\">领导留言板</a> <a href=\"/gbk/list.asp\">市长信箱</a>"
                              "</body></html>", "text/html")
        if path == "/board/list":
            if page == 2 and site.fail_once(self.path):
                return self._send(500, "<h1>502 Bad Gateway</h1>", "text/html")
            return self._send(200, site.board_list(page), "text/html")
        if path.startswith("/board/thread/") and path.endswith(".html"):
            status, body = site.board_thread(path.removeprefix("/board/thread/").removesuffix(".html"))
            return self._send(status, body, "text/html")
        if path == "/gbk/list.asp":
            return self._send(200, site.gbk_list(page), "text/html", "GBK")
        if path == "/gbk/show.asp":
            status, body = site.gbk_show(q.get("id", ""))
            return self._send(status, body, "text/html", "GBK")
        if path == "/api/v1/reviews":
            if page == 2 and site.fail_once(self.path):
                return self._json(500, {"code": 500, "msg": "服务繁忙，请稍后再试"})
            try:
                limit = min(50, max(1, int(q.get("limit", "20"))))
            except ValueError:
                limit = 20
            return self._json(*site.reviews(page, limit))
        if path == "/open311/v2/services.json":
            return self._json(200, site.content.services)
        if path == "/open311/v2/requests.json":
            if page == 2 and site.fail_once(self.path):
                return self._json(500, [{"code": 500, "description": "temporarily unavailable"}])
            return self._json(*site.open311_requests(q))
        if path.startswith("/open311/v2/requests/") and path.endswith(".json"):
            sid = path.removeprefix("/open311/v2/requests/").removesuffix(".json")
            post = next((p for p in site.content.requests311 if p.sid == sid and p.visible(site.now)), None)
            if post is None:
                return self._json(404, [{"code": 404, "description": "service request not found"}])
            return self._json(200, [site.open311_request(post)])
        return self._send(404, "<h1>404 Not Found</h1>", "text/html")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: FixtureSite, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.site = site


class RunningSite:
    """A started fixture site: its URL, its state (clock, hits) and how to stop it."""

    def __init__(self, site: FixtureSite, port: int = 0) -> None:
        self.site = site
        self._server = _Server(site, port)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-site", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve_fixture_site(port: int = 0, seed: int = 0, now: datetime | None = None, slow_s: float = 1.0,
                       start: date | None = None, **sizes: int) -> Iterator[RunningSite]:
    """Serve the fixture site on 127.0.0.1 (``port=0``: a free port) for the ``with`` block."""
    content = build_content(seed=seed, start=start, **sizes)
    running = RunningSite(FixtureSite(content, now=now, slow_s=slow_s), port)
    try:
        yield running
    finally:
        running.stop()
