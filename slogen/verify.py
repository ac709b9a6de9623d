"""Check generated files with the real tools: every rule file and every manifest.

Files are checked from a scratch copy; promtool's messages are rewritten to name the
files as they appear in the output tree, not the scratch paths.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import yaml

from slogen import tools
from slogen.render import dump_yaml
from slogen.rules.files import KUBERNETES_DIR, RULES_DIR


def verify(files: Mapping[str, bytes], shown_as: str = "") -> list[tools.ToolResult]:
    """Run promtool over the rule files and over the groups inside each PrometheusRule.

    ``shown_as`` is the output directory to name in messages (e.g. ``generated``).
    """
    prefix = f"{shown_as.rstrip('/')}/" if shown_as else ""
    with tempfile.TemporaryDirectory(prefix="slogen-verify-") as scratch:
        root = Path(scratch)
        names: dict[str, str] = {}
        rule_files = []
        for path, content in sorted(files.items()):
            if path.startswith(f"{RULES_DIR}/") and path.endswith(".rules.yml"):
                target = _put(root / path, content)
                names[str(target)] = prefix + path
            elif path.startswith(f"{KUBERNETES_DIR}/") and path.endswith(".yaml"):
                manifest = yaml.safe_load(content)
                groups = {"groups": manifest["spec"]["groups"]}
                target = _put(root / "manifests" / path, dump_yaml(groups))
                names[str(target)] = f"{prefix}{path} (spec.groups)"
            else:
                continue
            rule_files.append(target)
        if not rule_files:
            return []
        result = tools.check_rules(rule_files)
    output = result.output
    for scratch_path, shown in sorted(names.items(), key=lambda item: -len(item[0])):
        output = output.replace(scratch_path, shown)
    command = tuple(names.get(arg, arg) for arg in result.command)
    return [replace(result, output=output, command=command)]


def _put(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
