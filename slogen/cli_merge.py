"""``slogen merge-alertmanager``: slogen's routing merged into the user's own config.

The one command that writes a file the user owns (or standard output) rather than
slogen's output tree, so its own module: amtool's verdict comes first, and an
unchanged file is not rewritten. amtool checks the merged text, so its complaints are
turned back into lines of BASE (``slogen.alertmanager_origins``); one that lies
wholly in BASE is bad input (exit 2), one in slogen's part a rejected output (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import slogen
from slogen import exit_codes
from slogen.cli_report import verified
from slogen.spec.yaml_source import read_text
from slogen.tools import ToolResult
from slogen.write import write_atomically


def add_command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    merge = commands.add_parser(
        "merge-alertmanager",
        help="merge the generated routing into your own alertmanager.yml",
        description="Insert slogen's routes, receivers, time intervals and inhibit rules "
        'into BASE under its route that matches slo_service=~".+"; everything else in '
        "BASE is kept as written (comments, key order, quoting, blank lines; "
        "indentation in the style most of the file uses). Running it again on the "
        "result changes nothing. amtool's errors name lines of BASE.",
    )
    merge.add_argument("base", metavar="BASE", help="your Alertmanager config")
    spec_args(merge)
    merge.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="where to write the result; '-' for standard output (default), "
        "BASE itself to update it in place",
    )
    merge.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip amtool (by default the result is checked and every alert routed first)",
    )


def run_merge(args: argparse.Namespace, specs: slogen.Specs) -> int:
    merged = slogen.merge_alertmanager(args.base, specs)
    if args.verify:
        verdict = _verdict(merged)
        if verdict != exit_codes.OK:
            return verdict
    if args.output == "-":
        sys.stdout.write(merged.content.decode("utf-8"))
        return exit_codes.OK
    target = Path(args.output)
    if target.is_file() and target.read_bytes() == merged.content:
        print(f"{args.output} is unchanged", file=sys.stderr)
        return exit_codes.OK
    write_atomically(target, merged.content, parents=False)
    print(f"wrote {args.output}", file=sys.stderr)
    return exit_codes.OK


def _verdict(merged: slogen.MergedConfig) -> int:
    """amtool's verdict, its complaints placed in the base: OK, BAD_INPUT when all it
    rejects is in the base, REJECTED otherwise."""
    in_base: list[bool | None] = []

    def check() -> list[ToolResult]:
        results = merged.check()
        if all(result.ok for result in results) or "check-config" not in results[0].command:
            return results
        from slogen.alertmanager_origins import located, origins  # ruamel.yaml: only here

        base = read_text(merged.base, merged.base)
        where = origins(base, merged.content.decode("utf-8"))
        first, verdict = located(results[0], where, merged.base)
        in_base.append(verdict)
        return [first, *results[1:]]

    if verified([check], "nothing was written"):
        return exit_codes.OK
    return exit_codes.BAD_INPUT if in_base == [True] else exit_codes.REJECTED
