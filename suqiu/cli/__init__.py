"""The ``suqiu`` command line (DESIGN.md, command-line contract), one module per command group.

Every command honours SUQIU_HOME. Commands that report take ``--json`` and then print exactly one
JSON document on stdout; progress and messages go to stderr (``suqiu.cli.output``). A command
imports its heavy stack (NLP models, search engines, Prefect) when it runs, so ``--help`` and
quick commands stay fast.
"""

from __future__ import annotations

import typer

from suqiu.cli import analysis, ingest, models, reporting, searching, setup, twoway, users

app = typer.Typer(no_args_is_help=True, add_completion=False, help="suqiu 诉求: citizen demand analytics.")
for module in (setup, ingest, analysis, searching, twoway, reporting):
    module.register(app)
models.register(app)
users.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
