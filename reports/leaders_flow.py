"""One leaders' report end to end, as the CLI, the Prefect flow and the demo run it: write the
files, then mail them when asked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.leaders_collect import write_leaders_report
from reports.leaders_mail import mail_report
from reports.periods import Period
from suqiu.installation import Installation


def run_leaders_report(app: Installation, period: Period, out: str | Path | None = None,
                       email: bool = False) -> dict[str, Any]:
    """The report's files, its 每月一题 candidates, and what the mail did (``skipped`` unless ``email``)."""
    files = write_leaders_report(app, period, out)
    meta = json.loads(Path(files["topics"]).read_text(encoding="utf-8"))
    mail = mail_report(app, period, files, meta["summary"]) if email else {"status": "skipped", "reason": "未要求发送"}
    return {"period": str(period), "kind": period.kind, "files": files, "summary": meta["summary"],
            "candidates": meta["candidates"], "mail": mail}
