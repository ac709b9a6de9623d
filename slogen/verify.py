"""Check generated files with the real tools: every rule file and every manifest.

Files are checked from a scratch copy; promtool's messages are rewritten to name the
files as they appear in the output tree, not the scratch paths.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import yaml

from slogen import tools
from slogen.render import dump_yaml
from slogen.rules.files import KUBERNETES_DIR, RULES_DIR
from slogen.testgen.files import TESTS_DIR


def prove(files: Mapping[str, bytes], shown_as: str = "") -> list[tools.ToolResult]:
    """Run every generated promtool unit test against the generated rules.

    Files run two at a time, one promtool each, and the results come back in path order.
    """
    prefix = f"{shown_as.rstrip('/')}/" if shown_as else ""
    tests = sorted(p for p in files if p.startswith(f"{TESTS_DIR}/") and p.endswith(".test.yml"))
    if not tests:
        return []
    with tempfile.TemporaryDirectory(prefix="slogen-prove-") as scratch:
        root = Path(scratch)
        for path, content in files.items():
            _put(root / path, content)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda p: tools.test_rules([root / p]), tests))
    return [_shown(result, {str(root / p): prefix + p for p in files}) for result in results]


def _shown(result: tools.ToolResult, names: Mapping[str, str]) -> tools.ToolResult:
    """The result with scratch paths replaced by the names users know."""
    output = result.output
    for scratch_path, shown in sorted(names.items(), key=lambda item: -len(item[0])):
        output = output.replace(scratch_path, shown)
    command = tuple(names.get(arg, arg) for arg in result.command)
    return replace(result, output=output, command=command)


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
    return [_shown(result, names)]


def _put(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
