"""Open311 GeoReport v2 wire formats: W3C datetimes, JSON and XML bodies, the error list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from suqiu.model import SHANGHAI

FORMATS = ("json", "xml")
MIN_YEAR, MAX_YEAR = 1900, 2100

_W3C = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d+)?)?(?P<tz>Z|[+-]\d{2}:\d{2}))?)?)?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C-note datetime (YYYY, YYYY-MM, YYYY-MM-DD, or with time and a mandatory zone), in
    1900–2100: outside it no demand exists and window arithmetic would overflow."""
    m = _W3C.match(value.strip().replace(" ", "+"))  # a raw '+' in a query string arrives as a space
    if not m:
        raise Open311Error(400, f"{name} 格式错误，应为 W3C 日期时间，如 2010-01-01T00:00:00Z")
    if not MIN_YEAR <= int(m["y"]) <= MAX_YEAR:
        raise Open311Error(400, f"{name} 超出可查询的日期范围（{MIN_YEAR}—{MAX_YEAR} 年）: {value}")
    try:
        y, mo, d = int(m["y"]), int(m["m"] or 1), int(m["d"] or 1)
        if m["H"] is None:
            return datetime(y, mo, d, tzinfo=SHANGHAI)
        micro = int((m["f"] or ".0")[1:7].ljust(6, "0"))
        tz = timezone.utc if m["tz"] == "Z" else timezone(
            (1 if m["tz"][0] == "+" else -1) * timedelta(hours=int(m["tz"][1:3]), minutes=int(m["tz"][4:6])))
        return datetime(y, mo, d, int(m["H"]), int(m["M"]), int(m["S"] or 0), micro, tzinfo=tz).astimezone(SHANGHAI)
    except ValueError:
        raise Open311Error(400, f"{name} 不是有效的日期时间: {value}") from None


def w3c(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _xml_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def to_xml(root: str, item: str, rows: Iterable[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for k, v in row.items():
            ET.SubElement(el, k).text = _xml_value(v)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, item, rows), status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(rows, status_code=status, media_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> Response:
    return respond(fmt if fmt in FORMATS else "json", "errors", "error",
                   [{"code": status, "description": description}], status)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(400, f"不支持的格式 .{fmt}（支持 .json 和 .xml）")


def _param(request: Request, name: str) -> str | None:
    """Optional arguments: an empty value is the same as no value."""
    v = request.query_params.get(name)
    return v.strip() if v and v.strip() else None


def _csv(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


