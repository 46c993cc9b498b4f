"""Each stored code has one Chinese name everywhere it shows (suqiu.labels is the only table)."""

from __future__ import annotations

import re
from pathlib import Path

from suqiu import labels

ROOT = Path(__file__).resolve().parents[1]


def test_urgency_levels_have_distinct_names():
    assert len(set(labels.URGENCY.values())) == len(labels.URGENCY) == 4
    assert labels.URGENCY["low"] == "一般" and labels.URGENCY["medium"] == "较急"


def test_digest_weekly_report_and_pages_use_the_one_table():
    from reports import digest, weekly
    from suqiu.web import present
    assert digest.URGENCY_LABEL is labels.URGENCY
    assert present.URGENCY is labels.URGENCY and present.STATUS is labels.STATUS
    assert weekly.URGENCY is labels.URGENCY and weekly.SOURCE is labels.SOURCE


def test_no_other_module_spells_out_a_level_table():
    """A dict literal mapping a stored level code to Chinese outside suqiu/labels.py is a second owner."""
    pattern = re.compile(r'"(low|medium|high|critical)"\s*:\s*"[\u4e00-\u9fff]')
    offenders = [str(p.relative_to(ROOT)) for d in ("suqiu", "nlp", "search", "reports", "crawlers", "flows")
                 for p in (ROOT / d).rglob("*.py") if p.name != "labels.py" and pattern.search(p.read_text("utf-8"))]
    assert not offenders, offenders


def test_label_falls_back_to_the_code():
    assert labels.label(labels.STATUS, "routed") == "已分派"
    assert labels.label(labels.STATUS, "mystery") == "mystery" and labels.label(labels.STATUS, None) == "—"


def test_every_forecast_warning_kind_has_a_name():
    from nlp.forecast_views import subjects_of
    dims = {dim for dim, _key, _label in subjects_of({"district": "鼓楼区", "owner": "教育局", "topic_id": 3}, {})}
    assert dims == {"city", "district", "department", "topic"}
    assert all(f"forecast_{dim}" in labels.WARNING_KIND for dim in dims)
