"""Random valid specs, every proof passing on the real promtool.

The examples cover a handful of shapes; real specs have any objective, period and
rate, and a proof that fails on one of them (a counter that reads as reset under
promtool's float sums, a check placed where the rules disagree with the oracle) is a
proof that cannot be trusted. Hypothesis draws objectives from 80% to 99.999%,
periods from 1d to 90d, odd request-rate guards and every counter SLI kind; each
drawn spec is compiled and its proofs run with ``promtool test rules``. Bounded to a
few examples (each costs seconds of promtool), derandomized so CI is repeatable.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slogen
from slogen import verify
from slogen.importers.pyrra_alerting import burn_tiers
from tests.conftest import write_spec

OBJECTIVES = st.sampled_from(["80", "90", "95", "99", "99.5", "99.9", "99.95", "99.99", "99.999"])
PERIODS = st.sampled_from(["1d", "2d", "3d", "7d", "14d", "28d", "30d", "90d"])
SHORT = {"1d": 86400, "2d": 2 * 86400, "3d": 3 * 86400}
"""Periods the built-in burn policies do not fit (their 3d window is too long, their
pages would fire below a burn rate of 1): these specs carry burn policies scaled to the
period as Pyrra scales its tiers, written as ``factor`` policies, as an import of a
short-window Pyrra SLO writes them."""
GUARDS = st.sampled_from(["0", "0.3", "0.37", "1.7", "12.5"])
SLIS = st.sampled_from(
    [
        "events:\n        errors: 'api_requests_total{code=~\"5..\"}'\n"
        "        total: api_requests_total",
        "events:\n        good: 'api_requests_total{code!~\"5..\"}'\n"
        "        total: api_requests_total",
        "latency:\n        histogram: api_request_duration_seconds\n        threshold: 250ms",
        "ratio:\n        errors: 'sum(rate(api_requests_total{code=~\"5..\"}[$window]))'\n"
        "        total: 'sum(rate(api_requests_total[$window]))'",
    ]
)


def _burn_policies(objective: str, period: str) -> str:
    if period not in SHORT:
        return ""
    policies, _ = burn_tiers(SHORT[period], Fraction(objective) / 100, lambda *_: None)
    assert policies, (objective, period)
    lines = "".join(
        f"\n        - {{severity: {p['severity']}, factor: {p['factor']}, "
        f"long: {p['long']}, short: {p['short']}}}"
        for p in policies
    )
    return f"\n      burn_rate:{lines}"


def _spec(objective: str, period: str, guard: str, sli: str) -> str:
    return f"""\
service: api
team: web
runbook: false
window: {period}
slos:
  - name: requests
    objective: {objective}
    sli:
      {sli}
    alerting:
      min_request_rate: {guard}{_burn_policies(objective, period)}
"""


@settings(
    max_examples=16,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(objective=OBJECTIVES, period=PERIODS, guard=GUARDS, sli=SLIS)
def test_random_specs_prove_their_alerts(
    tmp_path_factory: pytest.TempPathFactory,
    promtool: str,
    objective: str,
    period: str,
    guard: str,
    sli: str,
) -> None:
    specs = tmp_path_factory.mktemp("specs")
    write_spec(specs, "api.yaml", _spec(objective, period, guard, sli))
    bundle = slogen.compile(slogen.load(specs))
    proofs = {p: c for p, c in bundle.files.items() if p.startswith("tests/")}
    assert proofs, "no proof files"
    failed = [str(r) for r in verify.prove(dict(bundle.files), "api") if not r.ok]
    assert not failed, "\n\n".join(failed)
