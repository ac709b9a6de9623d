"""Errors a user can act on.

Every problem names where it is (file, line, column, field path), what is wrong and,
when we know it, what would be right. The CLI prints them and exits 2; build scripts
catch :class:`SpecError` and get the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in the user's input a problem sits; any part may be unknown."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.field:
            where += f": {self.field}"
        return where


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    location: Location
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class SlogenError(Exception):
    """Base of every error slogen raises on purpose."""


class SpecError(SlogenError):
    """The specs cannot be compiled; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.render())

    def render(self, outcome: str = "") -> str:
        """Every problem, then the count; ``outcome`` is what the caller did about them
        (the CLI says "nothing was written" where it would have written)."""
        lines = [str(p) for p in self.problems]
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found"
        lines.append(f"{summary}; {outcome}" if outcome else summary)
        return "\n".join(lines)


class ToolError(SlogenError):
    """An external tool (promtool, amtool) is missing or rejected our output."""
