"""The ``slogen`` command: a thin layer over the public API.

Exit codes: 0 success; 1 ``--check`` found stale output, a tool rejected it, ``lint``
found a problem, or ``gate`` found a budget spent; 2 bad input (specs, arguments, an
output directory slogen does not own); 3 a required tool (promtool) is missing, or the
Prometheus that ``lint``, ``status`` or ``gate`` asks cannot be reached, does not
answer in time, refuses a query or does not answer as the Prometheus API does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn

import slogen
from slogen import exit_codes
from slogen.errors import SpecError, ToolError
from slogen.prometheus_api import PrometheusError
from slogen.tools import ToolResult
from slogen.write import MANIFEST, check_output_location, write_atomically


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

    def spec_args(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "paths",
            nargs="*",
            default=["specs"],
            metavar="PATH",
            help="spec files or directories (default: specs)",
        )
        command.add_argument("--defaults", metavar="FILE", help="extra defaults file, applied last")
        command.add_argument(
            "--ext-str",
            action="append",
            default=[],
            type=_ext_str,
            metavar="KEY=VALUE",
            help="a Jsonnet external variable for std.extVar (repeatable)",
        )

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
    merge = commands.add_parser(
        "merge-alertmanager",
        help="merge the generated routing into your own alertmanager.yml",
        description="Insert slogen's routes, receivers, time intervals and inhibit rules "
        'into BASE under its route that matches slo_service=~".+"; everything else in '
        "BASE is kept. Running it again on the result changes nothing.",
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
    lint = commands.add_parser(
        "lint",
        help="check specs against a live Prometheus: does it keep every SLO period, and "
        "does each latency threshold's bucket exist?",
    )
    from slogen.cli_budget import add_commands, server_args

    server_args(lint)
    spec_args(lint)
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
    explain = commands.add_parser(
        "explain", help="what each alert means: thresholds, detection and reset times"
    )
    explain.add_argument(
        "target",
        nargs="?",
        default="",
        metavar="SERVICE[/SLO]",
        help="limit to one service or one SLO",
    )
    explain.add_argument("--specs", nargs="*", default=["specs"], metavar="PATH")
    explain.add_argument("--defaults", metavar="FILE")
    explain.add_argument(
        "--ext-str", action="append", default=[], type=_ext_str, metavar="KEY=VALUE"
    )
    add_commands(commands, spec_args)
    schema = commands.add_parser("schema", help="print the JSON Schema of a spec file")
    schema.add_argument(
        "kind", choices=["service", "defaults", "routing"], nargs="?", default="service"
    )
    return parser


def _ext_str(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_codes.BAD_INPUT if exit_.code not in (0, None) else exit_codes.OK
    try:
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


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command would have written files, so a refusal can say it did not."""
    if args.command == "generate":
        return not args.check
    if args.command == "merge-alertmanager":
        return bool(args.output != "-")
    return bool(args.command == "import")


def _run(args: argparse.Namespace) -> int:
    if args.command == "schema":
        print(json.dumps(schema(args.kind), indent=2, sort_keys=True))
        return exit_codes.OK
    if args.command == "explain":
        return _explain(args)
    if args.command == "import":
        return _import(args)
    if args.command == "generate":
        check_output_location(args.output, args.paths)
    specs = slogen.load(args.paths, defaults=args.defaults, ext_vars=dict(args.ext_str))
    if args.command == "merge-alertmanager":
        return _merge(args, specs)
    if args.command in ("status", "gate"):
        from slogen.cli_budget import run_gate, run_status

        run = run_status if args.command == "status" else run_gate
        return run(args, specs)
    if args.command == "lint":
        return _lint(args, specs)
    if args.command == "validate":
        model = slogen.validate(specs)
        slos = sum(len(s.slos) for s in model.services)
        print(f"ok: {_count(len(model.services), 'service')}, {_count(slos, 'SLO')}")
        _notes(model)
        return exit_codes.OK
    bundle = slogen.compile(specs)
    _notes(bundle.model)
    if args.command == "check":
        results = bundle.check() + bundle.prove()
        for result in results:
            print(result)
        unproven = _proof_summary(bundle)
        if not all(r.ok for r in results):
            return exit_codes.REJECTED
        if unproven and args.strict:
            print(f"check --strict: {_count(unproven, 'SLO')} not fully proven", file=sys.stderr)
            return exit_codes.PROBLEM_FOUND
        return exit_codes.OK
    output = Path(args.output)
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
    if args.verify and not _verified(checks, f"{output} was not changed"):
        return exit_codes.REJECTED
    changes = bundle.write(output)
    print(f"wrote {output}: {len(bundle.files)} files, {_counted(changes)}")
    _proof_summary(bundle)
    if args.fail_on_change and changes.stale:
        print(f"{output} was out of date and has been regenerated:", file=sys.stderr)
        print(changes.report(str(output), total_lines=0, written=True), file=sys.stderr)
        if _in_git_work_tree(output):
            print(f"stage it (git add {output}) and commit again", file=sys.stderr)
        return exit_codes.STALE
    return exit_codes.OK


def _proof_summary(bundle: slogen.Bundle) -> int:
    """Say which SLOs the generated proofs leave partly unproven, and which scenarios
    they could not build; returns the number of SLOs not fully proven."""
    coverage = bundle.coverage()
    unproven = [c for c in coverage if not c.proven]
    if unproven:
        print(
            f"proofs: {len(unproven)} of {_count(len(coverage), 'SLO')} not fully proven:",
            file=sys.stderr,
        )
        for found in unproven:
            print(f"  {found.summary()}", file=sys.stderr)
    gaps = [gap for found in coverage for gap in found.named_gaps()]  # not searched again
    if gaps:
        print(f"note: {len(gaps)} alert proofs could not be generated:", file=sys.stderr)
        for gap in gaps:
            print(f"  {gap}", file=sys.stderr)
    return len(unproven)


def _in_git_work_tree(path: Path) -> bool:
    """Whether ``git add`` is advice that fits; read from the tree and git's own
    variables (set in hooks), not by running git."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((folder / ".git").exists() for folder in (path.resolve(), *path.resolve().parents))


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _counted(changes: slogen.Staleness) -> str:
    """``2 created, 1 updated, 21 removed``, or ``none changed``: a file that went away
    is not counted as one that changed."""
    kinds = (("created", changes.missing), ("updated", changes.changed), ("removed", changes.extra))
    counts = [(kind, len([p for p in paths if p != MANIFEST])) for kind, paths in kinds]
    return ", ".join(f"{n} {kind}" for kind, n in counts if n) or "none changed"


def _notes(model: slogen.Model) -> None:
    """What the specs get that they may not expect: policies left out, routing gaps."""
    from slogen.alertmanager.config import routing_notes

    for slo in model.slos():
        for note in (*slo.notes, *slo.alerting.left_out):
            print(f"note: {slo.service}/{slo.name}: {note}", file=sys.stderr)
    for note in routing_notes(model):
        print(f"note: {note}", file=sys.stderr)


def _verified(checks: Sequence[Callable[[], list[ToolResult]]], outcome: str) -> bool:
    """The tools' verdict before anything is written; a missing tool is said and skipped."""
    results = []
    for check in checks:
        try:
            results += check()
        except ToolError as error:
            print(f"slogen: not verified: {error}", file=sys.stderr)
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(result, file=sys.stderr)
    if failed:
        print(f"promtool or amtool rejected the output; {outcome}", file=sys.stderr)
    return not failed


def _merge(args: argparse.Namespace, specs: slogen.Specs) -> int:
    merged = slogen.merge_alertmanager(args.base, specs)
    if args.verify and not _verified([merged.check], "nothing was written"):
        return exit_codes.REJECTED
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


def _lint(args: argparse.Namespace, specs: slogen.Specs) -> int:
    from slogen.cli_budget import credentials
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


def _import(args: argparse.Namespace) -> int:
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


def _explain(args: argparse.Namespace) -> int:
    from slogen.explain import explain

    specs = slogen.load(args.specs, defaults=args.defaults, ext_vars=dict(args.ext_str))
    model = slogen.compile_model(specs)
    service, _, slo = args.target.partition("/")
    chosen = [
        s
        for s in model.slos()
        if (not service or s.service == service) and (not slo or s.name == slo)
    ]
    if not chosen:
        known = ", ".join(f"{s.service}/{s.name}" for s in model.slos())
        print(f"slogen: no SLO matches {args.target!r}; known: {known}", file=sys.stderr)
        return exit_codes.BAD_INPUT
    print(explain(chosen), end="")
    return exit_codes.OK


def schema(kind: str) -> dict[str, object]:
    """The JSON Schema of a service spec, a defaults file or the routing file."""
    from pydantic import BaseModel

    from slogen.spec.models import DefaultsSpec, ServiceSpec
    from slogen.spec.routing import RoutingSpec

    models: dict[str, type[BaseModel]] = {
        "service": ServiceSpec,
        "defaults": DefaultsSpec,
        "routing": RoutingSpec,
    }
    return models[kind].model_json_schema(by_alias=True)
