"""The arguments every spec-reading command takes alike.

Which specs to read, an extra defaults file and Jsonnet's external variables mean the
same to ``generate``, ``lint``, ``status`` and the rest; defined once here, each
command module adds them to its own parser without importing the CLI's entry point.
"""

from __future__ import annotations

import argparse


def spec_args(command: argparse.ArgumentParser) -> None:
    """``PATH...``, ``--defaults`` and ``--ext-str``, as every spec-reading command takes them."""
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
        type=ext_str,
        metavar="KEY=VALUE",
        help="a Jsonnet external variable for std.extVar (repeatable)",
    )


def ext_str(text: str) -> tuple[str, str]:
    """One ``--ext-str KEY=VALUE`` as a pair; argparse's error for anything else."""
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value
