"""Check generated files with the real tools: every rule file and every manifest with
promtool, the Alertmanager config with amtool, and where each alert is routed.

Files are checked from a scratch copy; the tools' messages are rewritten to name the
files as they appear in the output tree, not the scratch paths.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from slogen import tools
from slogen.alertmanager.expectations import Expectation, expectations
from slogen.layout import is_manifest, is_proof, is_rule_file, rule_file
from slogen.model import Model
from slogen.parallel import workers
from slogen.render import dump_yaml
from slogen.ruler_keys import for_promtool, rule_file_for_promtool
from slogen.yaml_loader import load_fast


def prove(files: Mapping[str, bytes], shown_as: str = "") -> list[tools.ToolResult]:
    """Run every generated promtool unit test against the generated rules.

    Files run side by side, one promtool each, two at least and one per core up to
    ``parallel.MAX_WORKERS``; the results come back in path order.
    """
    shown_prefix = prefix(shown_as)
    tests = sorted(p for p in files if is_proof(p))
    if not tests:
        return []
    with tempfile.TemporaryDirectory(prefix="slogen-prove-") as scratch:
        root = Path(scratch)
        for path, content in files.items():
            _put(root / path, content)
        with ThreadPoolExecutor(max_workers=max(2, workers())) as pool:
            results = list(pool.map(lambda p: tools.test_rules([root / p]), tests))
    return [_shown(result, {str(root / p): shown_prefix + p for p in files}) for result in results]


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
    shown_prefix = prefix(shown_as)
    with tempfile.TemporaryDirectory(prefix="slogen-verify-") as scratch:
        root = Path(scratch)
        names: dict[str, str] = {}
        rule_files = []
        for path, content in sorted(files.items()):
            if is_rule_file(path):  # Thanos' keys out: promtool refuses them
                target = _put(root / path, rule_file_for_promtool(content) or content)
                names[str(target)] = shown_prefix + path
            elif is_manifest(path):
                if _same_groups(content, files.get(_rule_file_of(path))):
                    continue  # promtool checks these very groups in the rule file
                manifest = load_fast(content)
                groups = {"groups": [for_promtool(g) for g in manifest["spec"]["groups"]]}
                target = _put(root / "manifests" / path, dump_yaml(groups))
                names[str(target)] = f"{shown_prefix}{path} (spec.groups)"
            else:
                continue
            rule_files.append(target)
        if not rule_files:
            return []
        # promtool checks one file after another: a large tree is split in a run per
        # core (a thousand SLOs' rules and manifests: 4.6 s in one run)
        parts = _parts(rule_files)
        check = partial(tools.check_rules, side_by_side=len(parts))
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            results = list(pool.map(check, parts))
    return [_shown(result, names) for result in results]


SPLIT_ABOVE = 20
"""Up to this many rule files are checked in one run: a run per core gains nothing."""
PER_PART = 10
"""The fewest rule files a part of a split check holds."""


def _rule_file_of(manifest: str) -> str:
    return rule_file(manifest.split("/", 1)[1].removesuffix(".yaml"))


def _same_groups(manifest: bytes, rules: bytes | None) -> bool:
    """Whether the manifest's ``spec:`` holds, byte for byte, the rule file's groups
    indented under it (as the writer puts them): then checking the rule file checks
    the manifest's groups, and a thousand manifests need not be parsed again."""
    if rules is None:
        return False
    body = b"".join(line for line in rules.splitlines(keepends=True) if not line.startswith(b"#"))
    indented = b"".join(b"  " + line if line.strip() else line for line in body.splitlines(True))
    return manifest.endswith(b"\nspec:\n" + indented)


def _parts(files: list[Path]) -> list[list[Path]]:
    """``files`` in consecutive parts of nearly equal size, so the results stay in path
    order: a part for each process that may work side by side (two at least), with
    ``PER_PART`` files each at least; a small tree in one part."""
    if len(files) <= SPLIT_ABOVE:
        return [files]
    count = max(2, min(workers(), len(files) // PER_PART))
    size, larger = divmod(len(files), count)
    bounds = [index * size + min(index, larger) for index in range(count + 1)]
    return [files[start:end] for start, end in itertools.pairwise(bounds)]


def alertmanager(
    model: Model, files: Mapping[str, bytes], config: bytes, shown: str
) -> list[tools.ToolResult]:
    """``amtool check-config`` on ``config``, then amtool's route for every alert in the
    rule files among ``files``: failed if any reaches another receiver than its
    team's for its severity. ``shown`` is the config's name in messages."""
    expected = expectations(model, files)
    with tempfile.TemporaryDirectory(prefix="slogen-alertmanager-") as scratch:
        path = _put(Path(scratch) / "alertmanager.yml", config)
        checked = tools.check_config([path])
        if not checked.ok:
            return [_shown(checked, {str(path): shown})]
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(
                pool.map(lambda e: tools.route_test(path, dict(e.labels), [e.receiver]), expected)
            )
    return [_shown(checked, {str(path): shown}), _routes_summary(expected, results, shown)]


def prefix(shown_as: str) -> str:
    """``generated/`` for ``generated``: how output paths are shown in messages."""
    return f"{shown_as.rstrip('/')}/" if shown_as else ""


def _routes_summary(
    expected: list[Expectation], results: list[tools.ToolResult], shown: str
) -> tools.ToolResult:
    failed = [
        f"{e}, but amtool says: {' '.join(r.output.split()) or '(nothing)'}"
        for e, r in zip(expected, results, strict=True)
        if not r.ok
    ]
    lines = failed or [f"all {len(expected)} alerts reach their team's receiver"]
    return tools.ToolResult(
        (
            "amtool",
            "config",
            "routes",
            "test",
            f"--config.file={shown}",
            f"({len(expected)} alerts)",
        ),
        1 if failed else 0,
        "\n".join(lines),
    )


def _put(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
