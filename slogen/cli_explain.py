"""``slogen explain`` and ``slogen schema``: commands that describe rather than build.

One says what each alert of the specs means, the other what a spec file may hold;
neither writes anything or reads a server, and both print for people (or editors)
to read, so they share a module apart from the building commands.
"""

from __future__ import annotations

import argparse
import json
import sys

import slogen
from slogen import exit_codes
from slogen.cli_args import ext_str


def add_explain(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
        "--ext-str", action="append", default=[], type=ext_str, metavar="KEY=VALUE"
    )


def add_schema(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    schema = commands.add_parser("schema", help="print the JSON Schema of a spec file")
    schema.add_argument(
        "kind", choices=["service", "defaults", "routing"], nargs="?", default="service"
    )


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(schema(args.kind), indent=2, sort_keys=True))
    return exit_codes.OK


def run_explain(args: argparse.Namespace) -> int:
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
