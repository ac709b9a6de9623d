"""The alert proofs of calendar SLOs, in zones east and west of UTC.

promtool's tests start at 1970-01-01 00:00 UTC. East of UTC the calendar is past its
new year there; west of it, it is still 1969 for up to 12 hours, so the proofs of a
western zone start after its new year (``testgen.timing.calendar_lead``) and would
see the budget start afresh mid-proof without that. A calendar period's budget is
summed from 5m slices, so its budget proof runs every 5 minutes. These tests run the
proofs on the generated rules, break the budget rules and the lead, and check that
zones do not share proofs (their rules differ).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slogen
from slogen import verify
from slogen.testgen import files as proof_files
from slogen.testgen.plan import proof_plans
from tests.conftest import write_spec

SPEC = """\
service: shop
team: web
runbook: false
window: {window}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: http_requests_total{{job="shop", code=~"5.."}}
        total: http_requests_total{{job="shop"}}
"""
RULES = "prometheus/shop.rules.yml"


def _compile(directory: Path, window: str) -> slogen.Bundle:
    write_spec(directory, "shop.yaml", SPEC.format(window=window))
    return slogen.compile(slogen.load(directory))


@pytest.fixture(scope="module")
def west(tmp_path_factory: pytest.TempPathFactory) -> slogen.Bundle:
    return _compile(tmp_path_factory.mktemp("west"), "calendar month UTC-05:00")


def _budget_proof_only(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files less every proof but the one holding the budget scenario, which is
    the one the budget rules can fail."""
    return {
        path: content
        for path, content in files.items()
        if not verify.is_proof(path) or b"budget: error ratio" in content
    }


def _failures(files: dict[str, bytes]) -> list[str]:
    results = verify.prove(files)
    assert results, "no proof ran"
    return [result.output for result in results if not result.ok]


@pytest.mark.parametrize(
    "window", ["calendar month UTC-05:00", "calendar week UTC+14:00", "calendar quarter"]
)
def test_calendar_proofs_pass(tmp_path: Path, promtool: str, window: str) -> None:
    bundle = _compile(tmp_path, window)
    assert any(b"budget: error ratio" in c for p, c in bundle.files.items() if verify.is_proof(p))
    assert not _failures(dict(bundle.files))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("< 0.25 and", "< 0.4 and", id="budget-low-threshold-loose"),
        # the first sum is the errors': errors then count over the last hour only
        pytest.param("[31d])", "[1h])", id="period-errors-summed-over-an-hour"),
        pytest.param("days_in_month(", "3 * days_in_month(", id="period-length-tripled"),
    ],
)
def test_broken_calendar_budget_rules_fail_the_proofs(
    west: slogen.Bundle, promtool: str, old: str, new: str
) -> None:
    files = _budget_proof_only(dict(west.files))
    rules = files[RULES].decode()
    assert old in rules, old
    files[RULES] = rules.replace(old, new, 1).encode()
    assert _failures(files)


def test_a_western_proof_started_before_the_new_year_would_fail(
    tmp_path: Path, promtool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At UTC-01:00 promtool's time 0 is 23:00 on the last day of 1969: without the
    lead the month turns an hour into the budget proof, the budget is whole again and
    the alerts the proof expects do not fire. The lead is needed, and the proofs can
    tell."""
    monkeypatch.setattr(proof_files, "calendar_lead", lambda calendar: 0)
    bundle = _compile(tmp_path, "calendar month UTC-01:00")
    assert _failures(_budget_proof_only(dict(bundle.files)))


def test_zones_and_units_do_not_share_proofs(tmp_path: Path) -> None:
    """The rules of a calendar SLO depend on its unit and zone, so an SLO differing
    from another only there is proven on its own rules."""
    windows = ["calendar month", "calendar month UTC-05:00", "calendar week", "28d"]
    for index, window in enumerate(windows):
        spec = SPEC.format(window=window).replace("service: shop", f"service: shop{index}")
        write_spec(tmp_path, f"shop{index}.yaml", spec)
    plans = proof_plans(slogen.validate(slogen.load(tmp_path)))
    assert all(plan.proven_as is None for plan in plans.values())
