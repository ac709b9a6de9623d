"""A Pyrra SLO with a one-day window imports with burn alerts, compiles, and passes
promtool.

An outside review imported 42 real Pyrra SLOs with ``window: 1d``: each came out
with no burn alert at all, as slogen's built-in policies (1h, 6h, 3d long windows)
were measured against a day. Pyrra's own tiers scale with the window, and the import
now keeps the three of them that 5-minute rates can compute.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import slogen
from slogen.importers import import_files, spec_files
from slogen.naming import BURN_ALERT

DAILY = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
  namespace: shop
  labels: {pyrra.dev/service: api, pyrra.dev/team: platform}
  annotations: {pyrra.dev/runbook_url: https://runbooks.example.com/api}
spec:
  target: "99.5"
  window: 1d
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="api",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="api"}'}
      grouping: [cluster]
"""


def _compiled(tmp_path: Path) -> slogen.Bundle:
    source = tmp_path / "pyrra.yaml"
    source.write_text(DAILY)
    result, refused = import_files("pyrra", [source])
    assert not refused
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, content in spec_files(result).items():
        (specs / name).write_bytes(content)
    return slogen.compile(slogen.load([specs]))


def test_a_one_day_pyrra_slo_has_burn_alerts(tmp_path: Path) -> None:
    [slo] = _compiled(tmp_path).model.slos()
    pairs = [(a.severity, a.long, a.short, a.factor) for a in slo.alerting.burn]
    assert pairs == [
        ("page", 13 * 60, 300, 7),
        ("ticket", 51 * 60, 300, 2),
        ("ticket", 3 * 3600 + 26 * 60, 13 * 60, 1),
    ]
    assert slo.alerting.severity("page").for_seconds == 60
    assert slo.alerting.severity("ticket").for_seconds == 120


def test_a_one_day_pyrra_slo_passes_promtool_check_rules(tmp_path: Path, promtool: str) -> None:
    bundle = _compiled(tmp_path)
    rules = tmp_path / "api.rules.yml"
    rules.write_bytes(bundle.files["prometheus/api.rules.yml"])
    checked = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = rules.read_text()
    assert text.count(f"alert: {BURN_ALERT}") == 2  # one per severity
    assert "slo:burn_rate:ratio_rate13m" in text and "slo:burn_rate:ratio_rate3h26m" in text
    failed = [str(result) for result in bundle.check_rules() if not result.ok]
    assert not failed, failed


def test_a_one_day_pyrra_slos_generated_proofs_pass(tmp_path: Path, promtool: str) -> None:
    """The promtool unit tests slogen writes for it: each alert fires, stays quiet and
    resets when it should, on Pyrra's windows."""
    failed = [str(result) for result in _compiled(tmp_path).prove() if not result.ok]
    assert not failed, failed
