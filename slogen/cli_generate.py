"""``slogen generate``, ``validate`` and ``check``: the commands that build from the specs.

They share one path (load, compile, say what the model leaves out) and differ in what
they do with the result: nothing, promtool's verdict, or the output tree. Kept apart
from the parser and the dispatch in :mod:`slogen.cli`, and from the commands that read
a live server.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import slogen
from slogen import exit_codes
from slogen.cli_progress import progress
from slogen.cli_report import count, notes, verified
from slogen.coverage import Coverage
from slogen.write import MANIFEST


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    """``generate``, ``validate`` and ``check``, in that order."""
    generate = commands.add_parser("generate", help="write generated/ from the specs")
    spec_args(generate)
    generate.add_argument(
        "-o",
        "--output",
        default="generated",
        metavar="DIR",
        help="output directory, owned by slogen (default: generated)",
    )
    mode = generate.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the differences if DIR is stale",
    )
    generate.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip promtool (by default the rules are checked before anything is written)",
    )
    generate.add_argument(
        "--full",
        action="store_true",
        help="build every file again rather than reuse those whose recipe in DIR's "
        "manifest has not changed (the result is the same bytes)",
    )
    mode.add_argument(
        "--fail-on-change",
        action="store_true",
        help="exit 1 when DIR had to change, as a formatter in a commit hook does",
    )
    validate = commands.add_parser("validate", help="check the specs, write nothing")
    spec_args(validate)
    check = commands.add_parser(
        "check", help="run promtool on the rules and the alert unit tests the specs produce"
    )
    spec_args(check)
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when an SLO's alerts are not all proven from its raw series",
    )


def run_validate(args: argparse.Namespace, specs: slogen.Specs) -> int:
    model = slogen.validate(specs)
    slos = sum(len(s.slos) for s in model.services)
    print(f"ok: {count(len(model.services), 'service')}, {count(slos, 'SLO')}")
    notes(model)
    return exit_codes.OK


def run_check(args: argparse.Namespace, specs: slogen.Specs) -> int:
    bundle = slogen.compile(specs)
    notes(bundle.model)
    results = bundle.check() + bundle.prove()
    for result in results:
        print(result)
    unproven = proof_summary(bundle)
    if not all(r.ok for r in results):
        return exit_codes.REJECTED
    if unproven and args.strict:
        print(f"check --strict: {count(unproven, 'SLO')} not fully proven", file=sys.stderr)
        return exit_codes.PROBLEM_FOUND
    return exit_codes.OK


def run_generate(args: argparse.Namespace, specs: slogen.Specs) -> int:
    output = Path(args.output)
    with progress() as shown:
        bundle = slogen.compile(specs, reuse=None if args.full else output, progress=shown)
    notes(bundle.model)
    if args.check:
        staleness = bundle.compare(output)
        if staleness.stale:
            print(f"{output} is stale; run `slogen generate` to update it:", file=sys.stderr)
            print(staleness.report(str(output)), file=sys.stderr)
            return exit_codes.STALE
        print(f"{output} is up to date ({len(bundle.files)} files)")
        return exit_codes.OK
    checks = (
        partial(bundle.check_rules, str(output)),
        partial(bundle.check_alertmanager, str(output)),
    )
    if args.verify and not verified(checks, f"{output} was not changed"):
        return exit_codes.REJECTED
    changes = bundle.write(output)
    print(f"wrote {output}: {len(bundle.files)} files, {_counted(changes)}")
    proof_summary(bundle)
    if args.fail_on_change and changes.stale:
        print(f"{output} was out of date and has been regenerated:", file=sys.stderr)
        print(changes.report(str(output), total_lines=0, written=True), file=sys.stderr)
        if _in_git_work_tree(output):
            print(f"stage it (git add {output}) and commit again", file=sys.stderr)
        return exit_codes.STALE
    return exit_codes.OK


def proof_summary(bundle: slogen.Bundle) -> int:
    """Say which SLOs the generated proofs leave partly unproven, and which scenarios
    they could not build; returns the number of SLOs not fully proven."""
    coverage = bundle.coverage()
    unproven = [c for c in coverage if not c.proven]
    if unproven:
        print(
            f"proofs: {len(unproven)} of {count(len(coverage), 'SLO')} not fully proven:",
            file=sys.stderr,
        )
        for found in unproven:
            print(f"  {found.summary()}", file=sys.stderr)
    gaps = _gaps(coverage)
    if gaps:
        print(f"note: {len(gaps)} alert proofs could not be generated:", file=sys.stderr)
        for gap in gaps:
            print(f"  {gap}", file=sys.stderr)
    return len(unproven)


def _gaps(coverage: Sequence[Coverage]) -> list[str]:
    """Each gap once, on the SLO whose proofs have it: the SLOs proven as that one
    share its gaps, and a thousand SLOs of one key would print the lines a thousand
    times."""
    shared = Counter(found.proven_as for found in coverage if found.proven_as)
    gaps = []
    for found in coverage:
        if found.proven_as is None:
            also = shared[f"{found.service}/{found.slo}"]
            suffix = f" (and {count(also, 'SLO')} proven as it)" if also else ""
            gaps += [gap + suffix for gap in found.named_gaps()]
    return gaps


def _in_git_work_tree(path: Path) -> bool:
    """Whether ``git add`` is advice that fits; read from the tree and git's own
    variables (set in hooks), not by running git."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((folder / ".git").exists() for folder in (path.resolve(), *path.resolve().parents))


def _counted(changes: slogen.Staleness) -> str:
    """``2 created, 1 updated, 21 removed``, or ``none changed``: a file that went away
    is not counted as one that changed."""
    kinds = (("created", changes.missing), ("updated", changes.changed), ("removed", changes.extra))
    counts = [(kind, len([p for p in paths if p != MANIFEST])) for kind, paths in kinds]
    return ", ".join(f"{n} {kind}" for kind, n in counts if n) or "none changed"
