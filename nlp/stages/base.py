"""The one small protocol every analysis stage follows.

A stage has a ``name``, the stage it runs ``after`` (whose output it reads), ``has_work`` (cheap:
is anything pending?) and ``run``, which reads its own pending work from the store, writes its
results back, and returns a typed stats dataclass. Each stage is its own Prefect task.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from suqiu.installation import Installation

Progress = Callable[[int, int], None]   # (done, total)


@dataclass
class StageStats:
    """What one run of a stage did; each stage extends it with its own figures."""

    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Stage(ABC):
    """Base class of analysis stages (see the module docstring)."""

    name: ClassVar[str]
    after: ClassVar[str | None] = None

    @abstractmethod
    def has_work(self, inst: Installation) -> bool:
        """Whether a run would change anything."""

    @abstractmethod
    def run(self, inst: Installation, progress: Progress | None = None) -> StageStats:
        """Process what is pending; idempotent (a second run with nothing new changes nothing)."""
