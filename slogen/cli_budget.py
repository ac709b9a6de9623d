"""``slogen status`` and ``slogen gate``: the error budget, read from a live Prometheus.

Kept apart from the rest of the CLI because these two read a server rather than
write files; they share its spec arguments and exit codes.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import slogen
from slogen.gate import Decision, override_record, slo_label
from slogen.prometheus_api import DEFAULT_TIMEOUT, PrometheusError, check_url
from slogen.status import SLOStatus
from slogen.status_report import as_json, history, table

GATE_CLOSED = 1
"""``gate``'s exit code when a budget is spent: the pipeline step fails."""


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    status = commands.add_parser(
        "status", help="every SLO's SLI, budget, policy state and alerts from a live Prometheus"
    )
    spec_args(status)
    server_args(status)
    status.add_argument("--service", action="append", default=[], help="only these services")
    status.add_argument("--json", action="store_true", help="JSON instead of a table")
    gate = commands.add_parser(
        "gate", help="exit 1 while a service's error budget is spent (a release freeze)"
    )
    spec_args(gate)
    server_args(gate)
    gate.add_argument(
        "--service", action="append", default=[], help="the services releasing (default: all)"
    )
    gate.add_argument(
        "--require-data",
        action="store_true",
        help="also close the gate for an SLO Prometheus has no data for",
    )
    gate.add_argument(
        "--override",
        metavar="REASON",
        help="open the gate anyway, for an exception the policy allows; logged",
    )
    gate.add_argument(
        "--override-log",
        metavar="FILE",
        help="append a JSON line per override to FILE (it is always printed on stderr)",
    )


def server_args(command: argparse.ArgumentParser) -> None:
    """``--prometheus URL`` and ``--timeout``, alike for every command that reads a live
    server (``lint`` too)."""
    command.add_argument(
        "--prometheus",
        required=True,
        type=_url,
        metavar="URL",
        help="base URL of the Prometheus running slogen's rules, e.g. http://localhost:9090",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"per query (default {DEFAULT_TIMEOUT:g})",
    )


def _url(text: str) -> str:
    try:
        return check_url(text)
    except PrometheusError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def run_status(args: argparse.Namespace, specs: slogen.Specs) -> int:
    statuses = slogen.status(specs, args.prometheus, args.service, timeout=args.timeout)
    now = datetime.now(UTC)
    print(as_json(statuses, now) if args.json else table(statuses, now))
    return 0


def run_gate(args: argparse.Namespace, specs: slogen.Specs) -> int:
    decision = slogen.gate(
        specs,
        args.prometheus,
        args.service,
        require_data=args.require_data,
        timeout=args.timeout,
    )
    _explain(decision)
    if decision.open:
        print(f"gate open: {', '.join(decision.services)} may release")
        return 0
    if not args.override:
        closed = sorted({status.service for status in decision.closing})
        print(f"gate closed: {', '.join(closed)} may not release", file=sys.stderr)
        print("  (--override REASON opens it for an exception the policy allows)", file=sys.stderr)
        return GATE_CLOSED
    record = override_record(decision, args.override, _who(), datetime.now(UTC))
    if args.override_log:
        try:
            with Path(args.override_log).open("a", encoding="utf-8") as log:
                log.write(record + "\n")
        except OSError as error:
            print(
                f"slogen: cannot log the override: {error}; the gate stays closed", file=sys.stderr
            )
            return 2
    print(f"gate overridden: {record}", file=sys.stderr)
    return 0


def _explain(decision: Decision) -> None:
    if decision.without_data and len(decision.without_data) == decision.slos:
        print(
            "warning: no SLO has data; is this the Prometheus that runs slogen's rules?",
            file=sys.stderr,
        )
    for status in decision.exhausted:
        print(f"budget spent: {slo_label(status)} ({_left(status)})", file=sys.stderr)
    for status in decision.short_history:
        if status not in decision.exhausted:
            print(
                f"short history: {slo_label(status)} ({_left(status)}; judged as it stands, "
                "against the whole period's budget)",
                file=sys.stderr,
            )
    for status in decision.without_data:
        verdict = "closes the gate" if decision.require_data else "not counted"
        print(f"no data: {slo_label(status)} ({verdict})", file=sys.stderr)


def _left(status: SLOStatus) -> str:
    """``-400.0% left``, and the history when it is shorter than the period."""
    left = f"{status.remaining:.1%} left"
    return f"{left}, history: {history(status)}" if status.short_history else left


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
