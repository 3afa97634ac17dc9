"""What the report holds: sections of charts, tables and notes, the facts of its header, and
what was missing. Filled by lake_sections.py and artifacts.py, drawn by page.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ENTITIES = ("customer", "accelerometer", "step_trainer")


@dataclass
class Section:
    title: str
    intro: str = ""
    figures: list[Any] = field(default_factory=list)
    tables: list[tuple[str, Sequence[str], list[Sequence[Any]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    engine: str
    sections: list[Section] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


class Missing(Exception):
    """A table or artifact a section needs is not there: the section becomes a line of
    `Report.missing`."""


def number(value: Any) -> int:
    return int(value or 0)
