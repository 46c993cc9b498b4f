"""The headers every response carries, set in one place (pages, JSON, XML, errors, redirects, files).

Nothing a user of this app sees may be kept by a browser or a shared cache (``no-store``): demand
text, replies, figures. Only ``/static/`` (the stylesheet) may be cached. An exception no handler
caught still answers with these headers and a Chinese message; it is logged with its traceback.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("suqiu.web")

SECURITY_HEADERS: dict[str, str] = {
    # local assets only: no inline script, no third-party origin
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
NO_STORE = "no-store"
STATIC_CACHE = "public, max-age=3600"
HSTS = "max-age=31536000"
SERVER_ERROR = "服务器内部错误，请稍后再试；如持续出现请联系系统管理员。"


def response_headers(path: str, scheme: str, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    """The headers to add to a response for ``path`` that already has the header names ``present``."""
    out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()
           if k.encode("latin-1") not in present]
    if b"cache-control" not in present:
        out.append((b"cache-control", (STATIC_CACHE if path.startswith("/static/") else NO_STORE).encode("latin-1")))
    if scheme == "https" and b"strict-transport-security" not in present:
        out.append((b"strict-transport-security", HSTS.encode("latin-1")))
    return out


class SecurityHeadersMiddleware:
    """Pure ASGI (no buffering): adds the headers to the response start of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(response_headers(scope.get("path", ""), scope.get("scheme", "http"), present))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await _server_error(scope, send_with_headers)


async def _server_error(scope: Scope, send: Send) -> None:
    body = json.dumps({"detail": SERVER_ERROR}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})
