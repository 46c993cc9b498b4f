"""Run the web application under uvicorn (the body of ``suqiu serve``)."""

from __future__ import annotations

import uvicorn

from suqiu.installation import Installation
from suqiu.logs import configure_logging
from suqiu.web.application import create_app


def run_server(app: Installation, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until interrupted; binds 127.0.0.1 unless told otherwise."""
    configure_logging()
    # proxy headers are applied by the app itself, for ``server.trusted_proxies`` only (uvicorn's
    # own default would trust 127.0.0.1, so any local process could forge a client address)
    uvicorn.run(create_app(app), host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False)
