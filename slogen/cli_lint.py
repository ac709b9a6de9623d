"""``slogen lint``: the specs checked against what a live Prometheus keeps.

Its own module because it reads a server (with the options of
:mod:`slogen.cli_server`) but, unlike ``status`` and ``gate``, judges the specs
rather than the error budget.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import slogen
from slogen import exit_codes
from slogen.cli_server import credentials, server_args


def add_command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    lint = commands.add_parser(
        "lint",
        help="check specs against a live Prometheus: does it keep every SLO period, and "
        "does each latency threshold's bucket exist?",
    )
    server_args(lint)
    spec_args(lint)


def run_lint(args: argparse.Namespace, specs: slogen.Specs) -> int:
    from slogen.lint import LATENCY, RETENTION

    findings = slogen.lint(
        specs, args.prometheus, timeout=args.timeout, credentials=credentials(args)
    )
    for finding in findings:
        print(finding)
    latency = [f for f in findings if f.check == LATENCY]
    if not latency:
        print("no latency SLOs to check")
    short = sum(not f.ok for f in findings if f.check == RETENTION)
    if short:
        slos = "SLO has a period" if short == 1 else "SLOs have periods"
        print(f"{short} {slos} longer than Prometheus keeps data", file=sys.stderr)
    problems = sum(not f.ok for f in latency)
    if problems:
        print(f"{problems} of {len(latency)} latency SLOs have problems", file=sys.stderr)
    return exit_codes.PROBLEM_FOUND if problems or short else exit_codes.OK
