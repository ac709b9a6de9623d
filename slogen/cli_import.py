"""``slogen import``: another tool's SLO specs turned into slogen specs the user owns.

The only command that writes spec files; its checks (both halves of an import or
neither, no spec silently replaced) are about the user's files, not slogen's output,
so it is kept apart from the building commands.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slogen import exit_codes
from slogen.write import write_atomically


def add_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imports = commands.add_parser(
        "import", help="turn another tool's SLO specs into slogen specs you then own"
    )
    from slogen.importers import FORMATS

    imports.add_argument("format", choices=FORMATS, metavar="FORMAT", help=", ".join(FORMATS))
    imports.add_argument("files", nargs="+", metavar="FILE")
    imports.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write")
    imports.add_argument("--team", help="team of every imported service (else from labels)")
    imports.add_argument(
        "--force", action="store_true", help="replace spec files that already exist in DIR"
    )
    imports.add_argument(
        "--sloth-period",
        metavar="DURATION",
        help="the --default-slo-period Sloth ran with (sloth only; default 30d)",
    )


def run_import(args: argparse.Namespace) -> int:
    from slogen.importers import defined_elsewhere, import_files, spec_files, summary
    from slogen.importers.sloth import check_period

    if args.sloth_period is not None:
        if args.format != "sloth":
            print("slogen: --sloth-period applies to sloth imports only", file=sys.stderr)
            return exit_codes.BAD_INPUT
        try:
            check_period(args.sloth_period)
        except ValueError as error:
            print(f"slogen: --sloth-period {args.sloth_period!r}: {error}", file=sys.stderr)
            return exit_codes.BAD_INPUT
    output = Path(args.output)
    beside = output / "defaults.yaml"
    result, refused = import_files(
        args.format,
        args.files,
        team=args.team,
        defaults=beside if beside.is_file() else None,
        sloth_period=args.sloth_period,
    )
    files = spec_files(result)
    twice = defined_elsewhere(result, output)
    if twice:
        for problem in twice:
            print(f"{problem}; nothing written", file=sys.stderr)
        return exit_codes.BAD_INPUT
    if refused:  # a partial import would leave the user to sort out which half landed
        for line in result.report():
            print(f"not carried over: {line}", file=sys.stderr)
        for problem in refused:
            print(str(problem), file=sys.stderr)
        print(
            f"{len(refused)} problem{'s' if len(refused) != 1 else ''} found; nothing was written",
            file=sys.stderr,
        )
        return exit_codes.BAD_INPUT
    existing = sorted(str(output / name) for name in files if (output / name).exists())
    if existing and not args.force:
        print(f"slogen: would replace {', '.join(existing)}; nothing written", file=sys.stderr)
        print(
            "  (the imported specs are yours once written; --force replaces them)", file=sys.stderr
        )
        return exit_codes.BAD_INPUT
    for name, content in files.items():
        write_atomically(output / name, content)
        service = name.removesuffix(".yaml")
        print(f"wrote {output / name}: {summary(result, service)}")
        for slo, alerts in result.alerting.items():
            if slo.startswith(f"{service}/"):
                print(f"  {slo} alerts on: {alerts}")
    for note in result.notes.values():
        print(f"note: {note}", file=sys.stderr)
    for line in result.report():
        print(f"not carried over: {line}", file=sys.stderr)
    return exit_codes.OK
