"""Alert-quality figures against the SRE Workbook's table, and where users read them."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import slogen
from slogen.explain import burn_rows
from tests.conftest import GENERATED, MINIMAL_SPEC, ROOT, write_spec


def _slo(tmp_path: Path) -> slogen.SLO:
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC)
    return next(slogen.compile_model(slogen.load(tmp_path)).slos())


def test_figures_for_99_9_over_30_days_match_the_workbook(tmp_path: Path) -> None:
    slo = _slo(tmp_path)
    rows = [(r[0], r[1], r[2], r[4]) for r in burn_rows(slo)]
    assert rows == [
        ("page", "1h/5m", "14.4", "2% (52s)"),
        ("page", "6h/30m", "6", "5% (2m10s)"),
        ("ticket", "3d/6h", "1", "10% (4m19s)"),
    ]
    fast = slo.alerting.burn[0].figures(slo.budget, 120)
    assert fast.threshold == Fraction("0.0144")
    # The Workbook's figure: a total outage spends 2% of the budget in 51.84 s.
    assert fast.workbook_outage_detection == Fraction("51.84")
    assert fast.reset == 300


def test_firing_times_are_lived_not_the_workbooks(tmp_path: Path) -> None:
    """What a real Prometheus 2.42 showed for a total outage on this SLO: pending at
    163 s, firing (for: 2m) at 283 s, where the Workbook says 52 s. The figures are the
    latest over where scrapes and evaluations fall, so 283 s lies within them."""
    slo = _slo(tmp_path)
    fast = slo.alerting.burn[0].figures(slo.budget, 120)
    assert fast.outage_firing == 431
    assert fast.workbook_outage_detection + 120 < 283 <= fast.outage_firing
    # At 2x and 10x the threshold the long window's own time (30m, 6m) still dominates.
    assert fast.firing_at_2x is not None and 1800 + 120 < fast.firing_at_2x <= 1800 + 480
    assert fast.firing_at_10x is not None and 360 + 120 < fast.firing_at_10x <= 360 + 480
    assert [r[5:8] for r in burn_rows(slo)] == [
        ("7m11s", "37m", "12m36s"),
        ("8m40s", "3h7m", "42m36s"),
        ("23m50s", "1d12h20m", "7h31m36s"),
    ]


def test_explain_prints_the_table(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    result = run_cli("explain", "shop/availability", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "shop/availability: 99.9% over 30d" in result.out
    assert "43m12s of full outage" in result.out
    lines = result.out.splitlines()
    assert any(
        line.split()[:7] == ["page", "1h/5m", "14.4", "1.44%", "2%", "(52s)", "7m11s"]
        for line in lines
    )
    assert run_cli("explain", "shop/nothing", cwd=tmp_path).code == 2


def test_every_service_has_a_docs_page() -> None:
    specs = [
        p
        for p in (ROOT / "specs").glob("*.yaml")
        if p.name not in ("defaults.yaml", "routing.yaml")
    ]
    for spec in specs:
        service = spec.stem
        page = (GENERATED / "docs" / f"{service}.md").read_text()
        assert page.startswith(f"# {service}\n")
        assert "| severity | long/short | burn rate |" in page
