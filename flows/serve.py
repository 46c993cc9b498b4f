"""Run every scheduled deployment locally, without a work pool: ``python -m flows.serve``.

Each deployment runs in this process when its cron fires (Asia/Shanghai). Stopping the process
with Ctrl-C leaves the schedules active (``pause_on_shutdown=False``), so a restart resumes them.
Set SUQIU_HOME for the installation the flows work on.
"""

from __future__ import annotations

import importlib
import os

from prefect import serve
from prefect.schedules import Cron

from flows.schedules import SCHEDULES, TIMEZONE
from suqiu.logs import configure_logging


def load_flow(entrypoint: str):
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def deployments(home: str | None = None) -> list:
    home = home or os.environ.get("SUQIU_HOME")
    out = []
    for s in SCHEDULES:
        params = {"home": home, **s.parameters}
        out.append(load_flow(s.entrypoint).to_deployment(
            name=s.name, description=s.description, parameters=params,
            schedules=[Cron(s.cron, timezone=TIMEZONE)], tags=["suqiu"]))
    return out


def main() -> None:  # pragma: no cover - long-running
    configure_logging()
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":  # pragma: no cover
    main()
