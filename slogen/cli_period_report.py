"""``slogen report``: each SLO over a month, an ISO week or a span, from a live Prometheus.

Thin over :func:`slogen.api.report_period`: the period's arguments are checked before the
server is asked (exit 2 with what to write instead), and the report goes to stdout
or, with ``-o DIR``, into a directory with its pictures.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import slogen
from slogen import exit_codes
from slogen.api import report_period
from slogen.cli_server import credentials, server_args
from slogen.report import output
from slogen.report.period import PeriodError, choose
from slogen.report.render_markdown import NO_PICTURES


def add_command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    command = commands.add_parser(
        "report", help="each SLO over a month, week or span: SLI, budget, incidents, pictures"
    )
    spec_args(command)
    server_args(command)
    command.add_argument("--service", action="append", default=[], help="only these services")
    command.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="a calendar month in UTC (in its own zone for a calendar SLO)",
    )
    command.add_argument(
        "--week", metavar="YYYY-Www", help="an ISO week in UTC (in its own zone for a calendar SLO)"
    )
    command.add_argument("--from", dest="start", metavar="TIME", help="ISO 8601 start (UTC)")
    command.add_argument("--to", dest="end", metavar="TIME", help="ISO 8601 end (UTC)")
    command.add_argument("-o", "--output", metavar="DIR", help="write report and pictures here")
    command.add_argument("--format", choices=output.FORMATS, default="markdown")


def run_report(args: argparse.Namespace, specs: slogen.Specs) -> int:
    try:
        period = choose(args.month, args.week, args.start, args.end)
    except PeriodError as error:
        print(f"slogen report: {error}", file=sys.stderr)
        return exit_codes.BAD_INPUT
    found = report_period(
        specs,
        args.prometheus,
        period,
        args.service,
        timeout=args.timeout,
        credentials=credentials(args),
    )
    rendered = output.render(found, args.format)
    if not rendered.drawn:
        print(f"slogen report: no pictures. {NO_PICTURES}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(rendered.text)
        return exit_codes.OK
    try:
        written = output.write(rendered, args.format, Path(args.output))
    except OSError as error:
        print(f"slogen report: cannot write {args.output}: {error}", file=sys.stderr)
        return exit_codes.BAD_INPUT
    print(f"wrote {len(written)} files to {args.output}", file=sys.stderr)
    return exit_codes.OK
