"""What each exit code of the CLI means, named by meaning.

Scripts and CI jobs branch on these, so a value never changes; several meanings share
1 ("something a person should look at"), as a formatter or linter in a commit hook
uses it, and each use site names which one it means."""

from __future__ import annotations

OK = 0
STALE = 1
"""Output out of date (``generate --check``) or just regenerated (``--fail-on-change``)."""
REJECTED = 1
"""promtool or amtool rejected the output."""
PROBLEM_FOUND = 1
"""``lint`` found a problem on the live server; ``check --strict`` an SLO not fully proven."""
GATE_CLOSED = 1
"""``gate``: an error budget is spent."""
BAD_INPUT = 2
"""Specs, arguments or an output directory slogen may not write."""
TOOL_MISSING = 3
"""A required tool is missing, or Prometheus unreachable or silent past ``--timeout``."""
INTERRUPTED = 130
"""As a shell reports a command stopped by Ctrl-C (128 + SIGINT)."""
