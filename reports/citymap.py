"""The city's district outlines for the dashboard's map: the GeoJSON file ``[city] geojson`` names.

The name is an absolute path, a path under ``SUQIU_HOME``, or the name of a file shipped in
``reports/geo/`` (the sample city's schematic outline, ``fuzhou-demo.geojson``). The file must be a
FeatureCollection whose features carry their district's name in ``properties.name``; the names
are matched with the configured districts so the map says which it cannot draw.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from suqiu.installation import Installation

SHIPPED = Path(__file__).resolve().parent / "geo"
MAX_BYTES = 20 * 1024 * 1024


class MapError(ValueError):
    """The configured GeoJSON is missing or not a FeatureCollection of named districts."""


def geojson_path(app: Installation) -> Path | None:
    """Where the configured file is, or None when none is configured."""
    name = app.config.city.geojson.strip()
    if not name:
        return None
    raw = Path(name).expanduser()
    for candidate in ((raw,) if raw.is_absolute() else (app.home / raw, SHIPPED / raw.name)):
        if candidate.is_file():
            return candidate
    raise MapError(f"city.geojson: '{name}' 不存在（在 {app.home} 下或随附地图中都找不到）")


def load_geojson(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_BYTES:
        raise MapError(f"city.geojson: {path} 超过 {MAX_BYTES // 1024 // 1024} MB")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MapError(f"city.geojson: {path} 不是有效的 GeoJSON：{exc}") from None
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list) or not features:
        raise MapError(f"city.geojson: {path} 不是含区县要素的 FeatureCollection")
    for i, f in enumerate(features):
        if not isinstance(f, dict) or not str((f.get("properties") or {}).get("name") or "").strip():
            raise MapError(f"city.geojson: {path} 的第 {i + 1} 个要素没有 properties.name（区县名）")
    return data


def region_names(data: dict[str, Any]) -> list[str]:
    return [str(f["properties"]["name"]) for f in data["features"]]


def map_info(app: Installation) -> dict[str, Any]:
    """What the dashboard needs to know about the map before it fetches the outlines."""
    try:
        path = geojson_path(app)
        if path is None:
            return {"available": False, "note": "未配置城市地图（[city] geojson），仅显示表格"}
        data = load_geojson(path)
    except MapError as exc:
        return {"available": False, "note": str(exc)}
    regions = region_names(data)
    return {"available": True, "url": "/dashboard/city.geojson", "regions": regions,
            "missing": [d.name for d in app.config.districts if d.name not in regions],
            "note": str((data.get("properties") or {}).get("note", ""))}
