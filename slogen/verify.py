"""Check a generated tree with the real tools: every rule file and every manifest."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from slogen import tools
from slogen.render import dump_yaml
from slogen.rules.files import KUBERNETES_DIR, RULES_DIR


def verify(files: Mapping[str, bytes]) -> list[tools.ToolResult]:
    """Run promtool over the rule files and over the groups inside each PrometheusRule."""
    with tempfile.TemporaryDirectory(prefix="slogen-verify-") as scratch:
        root = Path(scratch)
        rule_files = []
        for path, content in sorted(files.items()):
            if path.startswith(f"{RULES_DIR}/") and path.endswith(".rules.yml"):
                rule_files.append(_put(root / path, content))
            elif path.startswith(f"{KUBERNETES_DIR}/") and path.endswith(".yaml"):
                manifest = yaml.safe_load(content)
                groups = {"groups": manifest["spec"]["groups"]}
                extracted = root / "from-manifests" / Path(path).name
                rule_files.append(_put(extracted, dump_yaml(groups)))
        if not rule_files:
            return []
        return [tools.check_rules(rule_files)]


def _put(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
