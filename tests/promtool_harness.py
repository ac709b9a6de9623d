"""Run generated rules under ``promtool test rules`` with hand-made series."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

import slogen

STEP = "1m"


def compile_tree(tmp_path: Path, specs: dict[str, str]) -> slogen.Bundle:
    spec_dir = tmp_path / "specs"
    spec_dir.mkdir(parents=True, exist_ok=True)
    for name, text in specs.items():
        (spec_dir / name).write_text(text)
    return slogen.compile(slogen.load([spec_dir]))


def run_promtool_test(
    promtool: str,
    tmp_path: Path,
    bundle: slogen.Bundle,
    series: dict[str, str],
    expr_tests: list[dict[str, Any]],
) -> subprocess.CompletedProcess[str]:
    """Write the bundle's rule files and one test file; return promtool's verdict."""
    rule_files = []
    for path, content in bundle.files.items():
        if path.startswith("prometheus/"):
            target = tmp_path / "out" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            rule_files.append(str(target))
    test = {
        "rule_files": rule_files,
        "evaluation_interval": STEP,
        "tests": [
            {
                "interval": STEP,
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "promql_expr_test": expr_tests,
            }
        ],
    }
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump(test, sort_keys=False))
    return subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True, check=False
    )


def expect(expr: str, at: str, *samples: tuple[str, float]) -> dict[str, Any]:
    return {
        "expr": expr,
        "eval_time": at,
        "exp_samples": [{"labels": labels, "value": value} for labels, value in samples],
    }


def generate_and_check_rules(run_cli, specs: Path, out: Path, promtool: str) -> None:  # type: ignore[no-untyped-def]
    """``slogen generate`` succeeds on ``specs``, and promtool accepts every rule file."""
    generated = run_cli("generate", str(specs), "-o", str(out))
    assert generated.code == 0, generated.err
    rules = sorted((out / "prometheus").glob("*.rules.yml"))
    assert rules
    checked = subprocess.run([promtool, "check", "rules", *rules], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
