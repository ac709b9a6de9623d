"""A build step that uses slogen as a library instead of its CLI.

    python examples/build_script.py [SPECS] [OUT] [--check]

It regenerates OUT (default: generated) from SPECS (default: specs), refusing to
write when promtool or amtool reject the output, and prints one line per SLO for a
release note. With --check it writes nothing and fails when OUT is stale, as
``slogen generate --check`` does. Bad specs raise :class:`slogen.SpecError`; this
script prints it as the CLI does (with "nothing was written" where it would have
written) and exits 2, so a build log reads the same whichever one ran.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

import slogen


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Regenerate SLO output from specs.")
    parser.add_argument("specs", nargs="?", default="specs")
    parser.add_argument("output", nargs="?", default="generated")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if stale")
    args = parser.parse_args(argv)
    output = args.output
    try:
        bundle = slogen.compile(slogen.load([args.specs]))
    except slogen.SpecError as error:
        # file:line:column: field: what is wrong (hint), then the count
        print(error.render("" if args.check else "nothing was written"), file=sys.stderr)
        return 2

    if args.check:
        staleness = bundle.compare(output)
        if staleness.stale:
            print(staleness.report(output), file=sys.stderr)
            return 1
        print(f"{output} is up to date")
        return 0

    try:
        rejected = [result for result in bundle.check(output) if not result.ok]
    except slogen.ToolError as error:  # promtool or amtool is not installed
        print(f"not verified: {error}", file=sys.stderr)
        rejected = []
    if rejected:
        for result in rejected:
            print(result, file=sys.stderr)
        return 1

    changes = bundle.write(output)
    print(f"{output}: {len(changes.paths)} files changed")
    for slo in bundle.model.slos():
        print(f"{slo.service}/{slo.name}: {_percent(slo.objective)}% over {slo.period // 86400}d")
    return 0


def _percent(ratio: Fraction) -> str:
    return f"{float(ratio * 100):g}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
