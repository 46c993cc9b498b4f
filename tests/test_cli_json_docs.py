"""Every command that takes ``--json`` has one documented example in the README, and it is JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer.main

from suqiu.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"^#### `suqiu ([^`]*)`\n+```json\n(.*?)\n```", re.M | re.S)


def json_commands(group: Any, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if hasattr(cmd, "commands"):   # a sub-typer (typer.core.TyperGroup)
            out += json_commands(cmd, path + " ")
        elif any("--json" in getattr(p, "opts", ()) for p in cmd.params):
            out.append(path)
    return out


def documented() -> dict[str, str]:
    section = README.read_text(encoding="utf-8").split("## JSON output", 1)[1].split("\n## ", 1)[0]
    examples: dict[str, str] = {}
    for heading, body in EXAMPLE.findall(section):
        words = heading.split()
        for n in range(len(words), 0, -1):   # the longest command path the heading starts with
            examples.setdefault(" ".join(words[:n]), body)
    return examples


def test_every_json_command_has_an_example() -> None:
    commands = json_commands(typer.main.get_command(app))
    assert len(commands) > 20
    missing = [c for c in commands if c not in documented()]
    assert not missing, missing


def test_every_example_is_one_json_document() -> None:
    bad = []
    for command, body in documented().items():
        try:
            json.loads(body)
        except ValueError as exc:
            bad.append(f"{command}: {exc}")
    assert not bad, bad
