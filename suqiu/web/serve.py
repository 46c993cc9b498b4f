"""Run the web application under uvicorn (the body of ``suqiu serve``)."""

from __future__ import annotations

from suqiu.app import App


def run_server(app: App, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until interrupted; binds 127.0.0.1 unless told otherwise."""
    import uvicorn

    from suqiu.web.app import create_app
    uvicorn.run(create_app(app), host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False)
