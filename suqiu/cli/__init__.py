"""The ``suqiu`` command line (DESIGN.md, command-line contract), one module per command group.

Every command honours SUQIU_HOME. Commands that report take ``--json`` and then print exactly one
JSON document on stdout; progress and messages go to stderr (``suqiu.cli.output``). A command
imports its heavy stack (NLP models, search engines, Prefect) when it runs, so ``--help`` and
quick commands stay fast.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from suqiu.logs import configure_logging
from suqiu.cli import analysis, ingest, models, quarantine, reporting, searching, setup, twoway, users

app = typer.Typer(no_args_is_help=True, add_completion=False, help="suqiu 诉求: citizen demand analytics.")


@app.callback()
def _logging(log_json: Annotated[bool, typer.Option("--log-json", help="Log JSON lines on stderr (or SUQIU_LOG_FORMAT=json).")] = False,
             log_level: Annotated[Optional[str], typer.Option(help="Log level (or SUQIU_LOG_LEVEL); default INFO.")] = None) -> None:
    """One logging configuration for every command (suqiu.logs); the run id is on every line."""
    configure_logging(json_lines=True if log_json else None, level=log_level)


for module in (setup, ingest, analysis, searching, twoway, reporting):
    module.register(app)
models.register(app)
users.register(app)
quarantine.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
