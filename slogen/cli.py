"""The ``slogen`` command: a thin layer over the public API.

Exit codes: 0 success; 1 ``--check`` found stale output, a tool rejected it, ``lint``
found a problem, or ``gate`` found a budget spent; 2 bad input (specs, arguments, an
output directory slogen does not own); 3 a required tool (promtool) is missing, or the
Prometheus that ``lint``, ``status`` or ``gate`` asks cannot be reached, does not
answer in time, refuses a query or does not answer as the Prometheus API does.

This module is the parser and the dispatch: it reads the arguments, loads the specs,
hands them to the command's module (``cli_generate``, ``cli_merge``, ``cli_lint``,
``cli_import``, ``cli_explain``, ``cli_budget``) and turns what went wrong into an exit
code. Only ``slogen.__main__`` imports it; the command modules do not.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Final, NoReturn

import slogen
from slogen import (
    cli_budget,
    cli_explain,
    cli_generate,
    cli_import,
    cli_lint,
    cli_merge,
    cli_period_report,
    exit_codes,
)
from slogen.cli_args import spec_args
from slogen.cli_explain import schema
from slogen.errors import SpecError, ToolError
from slogen.prometheus_messages import PrometheusError
from slogen.write import check_output_location

__all__ = ["main", "schema"]

WITHOUT_SPECS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "schema": cli_explain.run_schema,
    "explain": cli_explain.run_explain,
    "import": cli_import.run_import,
}
"""Commands that load no specs the usual way (or none at all)."""
WITH_SPECS: Final[Mapping[str, Callable[[argparse.Namespace, slogen.Specs], int]]] = {
    "merge-alertmanager": cli_merge.run_merge,
    "status": cli_budget.run_status,
    "gate": cli_budget.run_gate,
    "report": cli_period_report.run_report,
    "lint": cli_lint.run_lint,
    "validate": cli_generate.run_validate,
    "check": cli_generate.run_check,
    "generate": cli_generate.run_generate,
}
"""Commands run on the specs named by their ``PATH`` arguments, once loaded."""


class _Parser(argparse.ArgumentParser):
    """argparse that never repeats an argument's value in its errors.

    A mistyped option (``--prometheus-pass=S3CRET``, ``--token S3CRET``) would
    otherwise come back in argparse's message, and from there into CI logs: the
    options are named, their values are not."""

    def error(self, message: str) -> NoReturn:
        super().error(_without_values(message))


def _without_values(message: str) -> str:
    message = re.sub(r"(-[\w-]+)=\S+", r"\1=…", message)
    head, found, rest = message.partition("unrecognized arguments: ")
    if found:
        named = [word for word in rest.split() if word.startswith("-")]
        hidden = len(rest.split()) - len(named)
        message = (
            head
            + found
            + " ".join(named)
            + (f" (and {hidden} values, not shown)" if hidden else "")
        )
    return message


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="slogen",
        description="Compile SLO specs into verified Prometheus recording and alerting rules.",
    )
    parser.add_argument("--version", action="version", version=f"slogen {slogen.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_generate.add_commands(commands, spec_args)
    cli_merge.add_command(commands, spec_args)
    cli_lint.add_command(commands, spec_args)
    cli_import.add_command(commands)
    cli_explain.add_explain(commands)
    cli_budget.add_commands(commands, spec_args)
    cli_period_report.add_command(commands, spec_args)
    cli_explain.add_schema(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_codes.BAD_INPUT if exit_.code not in (0, None) else exit_codes.OK
    try:
        with _fewer_collections():
            return int(_run(args))
    except SpecError as error:
        print(error.render("nothing was written" if _writes(args) else ""), file=sys.stderr)
        return exit_codes.BAD_INPUT
    except (ToolError, PrometheusError) as error:
        print(f"slogen: {error}", file=sys.stderr)
        return exit_codes.TOOL_MISSING
    except KeyboardInterrupt:
        print("slogen: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED


GC_FIRST_GENERATION = 100_000
"""Allocations between the cyclic collector's youngest-generation runs during a
command (Python's default is 700). A run builds hundreds of thousands of small
objects that live to its end and form no cycles, and at 700 the collector kept
walking them: a one-spec edit in 1,000 SLOs spent about a tenth of its second there."""


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector runs less often for the command, and as before after it (the
    tests run commands in their own process)."""
    before = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command would have written files, so a refusal can say it did not."""
    if args.command == "generate":
        return not args.check
    if args.command == "merge-alertmanager":
        return bool(args.output != "-")
    return bool(args.command == "import")


def _run(args: argparse.Namespace) -> int:
    if args.command in WITHOUT_SPECS:
        return WITHOUT_SPECS[args.command](args)
    if args.command == "generate":
        check_output_location(args.output, args.paths)
    specs = slogen.load(args.paths, defaults=args.defaults, ext_vars=dict(args.ext_str))
    return WITH_SPECS[args.command](args, specs)
