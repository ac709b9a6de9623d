"""What several commands print the same way: counts, notes on the specs, tool verdicts.

``validate``, ``check``, ``generate`` and ``merge-alertmanager`` each tell the user
about the model they built and about promtool's or amtool's verdict; saying it in one
place keeps their wording alike.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import slogen
from slogen.errors import ToolError
from slogen.tools import ToolResult


def count(n: int, thing: str) -> str:
    """``1 SLO``, ``2 SLOs``."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def notes(model: slogen.Model) -> None:
    """What the specs get that they may not expect: policies left out, routing gaps."""
    from slogen.alertmanager.config import routing_notes

    for slo in model.slos():
        for note in (*slo.notes, *slo.alerting.left_out):
            print(f"note: {slo.service}/{slo.name}: {note}", file=sys.stderr)
    for note in routing_notes(model):
        print(f"note: {note}", file=sys.stderr)


def verified(checks: Sequence[Callable[[], list[ToolResult]]], outcome: str) -> bool:
    """The tools' verdict before anything is written; a missing tool is said and skipped."""
    results = []
    for check in checks:
        try:
            results += check()
        except ToolError as error:
            print(f"slogen: not verified: {error}", file=sys.stderr)
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(result, file=sys.stderr)
    if failed:
        print(f"promtool or amtool rejected the output; {outcome}", file=sys.stderr)
    return not failed
