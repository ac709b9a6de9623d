"""Model arithmetic against the SRE Workbook's table, and settings that cannot work."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import slogen
from slogen.model import SLO, burn_factor
from tests.conftest import MINIMAL_SPEC, write_spec

DAY = 86400
HOUR = 3600


def _slo(tmp_path: Path, text: str) -> SLO:
    write_spec(tmp_path, "shop.yaml", text)
    return next(slogen.compile(slogen.load([tmp_path])).model.slos())


@pytest.mark.parametrize(
    ("spent", "long", "factor"),
    [("2", HOUR, "14.4"), ("5", 6 * HOUR, "6"), ("10", 3 * DAY, "1")],
)
def test_workbook_factors_at_30_days(spent: str, long: int, factor: str) -> None:
    assert burn_factor(Fraction(spent) / 100, 30 * DAY, long) == Fraction(factor)


@pytest.mark.parametrize(
    ("spent", "long", "factor"),
    [("2", HOUR, "13.44"), ("5", 6 * HOUR, "5.6"), ("10", 3 * DAY, Fraction(14, 15))],
)
def test_factors_derived_for_28_days(spent: str, long: int, factor: str | Fraction) -> None:
    assert burn_factor(Fraction(spent) / 100, 28 * DAY, long) == Fraction(factor)


def test_resolved_slo_uses_default_policies_and_period(tmp_path: Path) -> None:
    slo = _slo(tmp_path, MINIMAL_SPEC)
    assert slo.period == 30 * DAY
    assert slo.objective == Fraction(999, 1000)
    assert slo.budget == Fraction(1, 1000)
    pairs = [(a.severity, a.long, a.short, a.factor) for a in slo.alerting.burn]
    assert pairs == [
        ("page", HOUR, 300, Fraction("14.4")),
        ("page", 6 * HOUR, 1800, Fraction(6)),
        ("ticket", 3 * DAY, 6 * HOUR, Fraction(1)),
    ]
    assert [(b.severity, b.below) for b in slo.alerting.budget] == [
        ("ticket", Fraction(1, 4)),
        ("ticket", Fraction(0)),  # a spent budget is policy, not an emergency
    ]
    assert slo.alert_windows == (300, 1800, HOUR, 6 * HOUR, 3 * DAY)


def test_total_outage_pages_within_about_two_minutes_on_the_fast_pair(tmp_path: Path) -> None:
    slo = _slo(tmp_path, MINIMAL_SPEC)
    fast = slo.alerting.burn[0]
    # At 100% errors, 2% of a 30d budget at 99.9% is spent in 0.0144 * 1h = 51.84s.
    assert fast.detection_seconds(Fraction(1), slo.budget) == Fraction("51.84")


def test_overrides_layer_defaults_service_and_slo(tmp_path: Path) -> None:
    write_spec(tmp_path, "defaults.yaml", "window: 28d\nalerting:\n  page: {for: 1m}\n")
    text = MINIMAL_SPEC.replace(
        "team: web\n", "team: web\nalerting:\n  ticket: {for: 1h}\n  min_request_rate: 0.5\n"
    ).replace(
        "    objective: 99.9\n",
        "    objective: 99.9\n    alerting:\n      page: {label: critical}\n",
    )
    slo = _slo(tmp_path, text)
    assert slo.period == 28 * DAY
    page, ticket = slo.alerting.severity("page"), slo.alerting.severity("ticket")
    assert (page.label, page.for_seconds) == ("critical", 60)
    assert (ticket.label, ticket.for_seconds) == ("ticket", HOUR)
    assert slo.alerting.min_request_rate == Fraction(1, 2)
    assert slo.alerting.burn[0].factor == Fraction("13.44")


def test_disabled_severity_drops_its_alerts(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace("team: web\n", "team: web\nalerting:\n  page: {enabled: false}\n")
    slo = _slo(tmp_path, text)
    assert {a.severity for a in slo.alerting.burn} == {"ticket"}
    assert [b.severity for b in slo.alerting.budget] == ["ticket", "ticket"]
    text = MINIMAL_SPEC.replace("team: web\n", "team: web\nalerting:\n  ticket: {enabled: false}\n")
    slo = _slo(tmp_path, text)
    assert {a.severity for a in slo.alerting.burn} == {"page"}
    assert slo.alerting.budget == () and slo.alerting.no_data is None


def test_tier_gives_the_objective(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace("team: web\n", "team: web\ntier: critical\n").replace(
        "    objective: 99.9\n", ""
    )
    assert _slo(tmp_path, text).objective == Fraction(9995, 10000)


def test_budget_has_no_float_noise(tmp_path: Path) -> None:
    slo = _slo(tmp_path, MINIMAL_SPEC.replace("99.9", "99.95"))
    assert slo.budget == Fraction(5, 10000)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("    window: 1h\n", "long window 1h is not shorter than the SLO period 1h"),
        ("    objective: 0\n", "above 0 and below 100, got 0"),
        ("    objective: 100.5\n", "above 0 and below 100, got 100.5"),
    ],
)
def test_impossible_settings_are_rejected(tmp_path: Path, edit: str, message: str) -> None:
    text = MINIMAL_SPEC.replace(
        "    objective: 99.9\n", edit if "objective" in edit else "    objective: 99.9\n" + edit
    )
    write_spec(tmp_path, "shop.yaml", text)
    with pytest.raises(slogen.SpecError) as error:
        slogen.compile(slogen.load([tmp_path]))
    assert message in str(error.value)


def test_built_in_policies_a_low_objective_rules_out_are_left_out_and_said(
    tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    """At 90% the built-in 1h/5m page (14.4x) would need 144% errors: it is left out
    with a note, and the rest still alerts and passes its proofs. A policy the user
    wrote is still refused (see test_spec_errors)."""
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC.replace("99.9", "90"))
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    note = "built-in page policy 1h/5m left out: this alert can never fire"
    assert f"note: shop/availability: {note}" in result.err
    slo = next(slogen.compile_model(slogen.load(tmp_path / "specs")).slos())
    assert [(p.severity, p.long) for p in slo.alerting.burn] == [
        ("page", 6 * HOUR),
        ("ticket", 3 * DAY),
    ]
    assert "Built-in page policy 1h/5m left out" in (tmp_path / "out/docs/shop.md").read_text()
    explained = run_cli("explain", "--specs", "specs", cwd=tmp_path)
    assert f"note: {note}" in explained.out
    checked = run_cli("check", "specs", cwd=tmp_path)
    assert checked.code == 0, checked.out + checked.err


LATENCY = MINIMAL_SPEC.replace(
    '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
    '        total: http_requests_total{job="shop"}\n',
    "      latency:\n        histogram: {histogram}\n        threshold: {threshold}\n",
)


@pytest.mark.parametrize(
    ("histogram", "threshold", "noted"),
    [
        ("http_request_duration_seconds", "100", True),
        ("http_request_duration_seconds_bucket", "10.5", True),
        ("http_request_duration_seconds", "10", False),
        ("http_request_duration_seconds", "100s", False),
        ("http_request_duration_seconds", "2.5", False),
        ("http_request_duration_seconds", "100ms", False),
        ("http_request_duration_milliseconds", "100", False),
    ],
)
def test_a_bare_large_threshold_on_a_seconds_histogram_is_noted(
    tmp_path: Path, run_cli, histogram: str, threshold: str, noted: bool
) -> None:  # type: ignore[no-untyped-def]
    spec = LATENCY.replace("{histogram}", histogram + '{job="shop"}').replace(
        "{threshold}", threshold
    )
    write_spec(tmp_path, "specs/shop.yaml", spec)
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    note = f"means {threshold} seconds; write {threshold}ms for milliseconds, or {threshold}s"
    assert (note in result.err) is noted, result.err
    assert (note in run_cli("explain", "--specs", "specs", cwd=tmp_path).out) is noted


@pytest.mark.parametrize(("objective", "noted"), [("99.999", True), ("99.99", False)])
def test_a_budget_shorter_than_the_pages_for_is_noted(
    tmp_path: Path, run_cli, objective: str, noted: bool
) -> None:  # type: ignore[no-untyped-def]
    """At 99.999% over 30d the budget is 25.9s of outage, less than the page's 2m."""
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC.replace("99.9", objective))
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    note = "less than the page's `for` (2m): an outage spends it all before the page can fire"
    assert (note in result.err) is noted, result.err
    if noted:
        assert "the whole error budget is 25.9s of full outage per 30d" in result.err


def test_a_severity_left_with_no_burn_policy_is_said_outright(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """At 80% both built-in pages (14.4x, 6x) need more than 100% errors."""
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC.replace("99.9", "80"))
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "note: shop/availability: no page burn alert at all" in result.err
    slo = next(slogen.compile_model(slogen.load(tmp_path / "specs")).slos())
    assert {p.severity for p in slo.alerting.burn} == {"ticket"}
