"""``slogen status`` and ``slogen gate``: the error budget, read from a live Prometheus.

Kept apart from the rest of the CLI because these two read a server rather than
write files; they share its spec arguments and exit codes, and with ``lint`` the
server options of :mod:`slogen.cli_server`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import slogen
from slogen import exit_codes
from slogen.cli_server import PASSWORD_ENV, TOKEN_ENV, credentials, server_args
from slogen.gate import Decision, override_record, slo_label
from slogen.prometheus_messages import printable
from slogen.status import SLOStatus
from slogen.status_report import LABEL_WIDTH, as_json, history, table

__all__ = ["PASSWORD_ENV", "TOKEN_ENV", "add_commands", "run_gate", "run_status"]
"""``PASSWORD_ENV`` and ``TOKEN_ENV`` live in :mod:`slogen.cli_server`; named here too,
where tests have long found them."""


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


def run_status(args: argparse.Namespace, specs: slogen.Specs) -> int:
    statuses = slogen.status(
        specs,
        args.prometheus,
        args.service,
        timeout=args.timeout,
        credentials=credentials(args),
    )
    now = datetime.now(UTC)
    print(as_json(statuses, now) if args.json else table(statuses, now))
    return exit_codes.OK


def run_gate(args: argparse.Namespace, specs: slogen.Specs) -> int:
    decision = slogen.gate(
        specs,
        args.prometheus,
        args.service,
        require_data=args.require_data,
        timeout=args.timeout,
        credentials=credentials(args),
    )
    _explain(decision)
    if decision.open:
        print(f"gate open: {', '.join(decision.services)} may release")
        return exit_codes.OK
    if not args.override:
        closed = sorted({status.service for status in decision.closing})
        print(f"gate closed: {', '.join(closed)} may not release", file=sys.stderr)
        print("  (--override REASON opens it for an exception the policy allows)", file=sys.stderr)
        return exit_codes.GATE_CLOSED
    record = override_record(decision, args.override, _who(), datetime.now(UTC))
    if args.override_log:
        try:
            with Path(args.override_log).open("a", encoding="utf-8") as log:
                log.write(record + "\n")
        except OSError as error:
            print(
                f"slogen: cannot log the override: {error}; the gate stays closed", file=sys.stderr
            )
            return exit_codes.BAD_INPUT
    print(f"gate overridden: {record}", file=sys.stderr)
    return exit_codes.OK


def _explain(decision: Decision) -> None:
    if decision.without_data and len(decision.without_data) == decision.slos:
        print(
            "warning: no SLO has data; is this the Prometheus that runs slogen's rules?",
            file=sys.stderr,
        )
    for status in decision.exhausted:
        print(f"budget spent: {_label(status)} ({_left(status)})", file=sys.stderr)
    for status in decision.short_history:
        if status not in decision.exhausted:
            print(
                f"short history: {_label(status)} ({_left(status)}; judged as it stands, "
                "against the whole period's budget)",
                file=sys.stderr,
            )
    for status in decision.without_data:
        verdict = "closes the gate" if decision.require_data else "not counted"
        print(f"no data: {_label(status)} ({verdict})", file=sys.stderr)


def _label(status: SLOStatus) -> str:
    """The SLO and its group, whose label values came from the server: escaped."""
    return printable(slo_label(status), LABEL_WIDTH)


def _left(status: SLOStatus) -> str:
    """``-400.0% left``, and the history when it is shorter than the period."""
    left = f"{status.remaining:.1%} left"
    return f"{left}, history: {history(status)}" if status.short_history else left


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
