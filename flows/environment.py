"""Prefect runs fully offline on its ephemeral local API, with its state under the data directory.

Must run before ``prefect`` is imported: Prefect reads these settings when it loads.
"""

from __future__ import annotations

import os

from suqiu.installation import Installation

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # a loaded two-core machine can take longer than Prefect's 20 s default to start the local API
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def prepare_prefect(app: Installation) -> None:
    os.environ.setdefault("PREFECT_HOME", str(app.path("prefect")))
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
