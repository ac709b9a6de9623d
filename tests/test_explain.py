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
        ("page", "1h/5m", "14.4", "2%"),
        ("page", "6h/30m", "6", "5%"),
        ("ticket", "3d/6h", "1", "10%"),
    ]
    fast = slo.alerting.burn[0].figures(slo.budget)
    assert fast.threshold == Fraction("0.0144")
    assert fast.outage_detection == Fraction("51.84")  # a total outage: under a minute,
    assert fast.outage_detection + 120 < 180  # and paged (for: 2m) within three
    assert fast.detection_at_2x == 1800 and fast.detection_at_10x == 360
    assert fast.reset == 300


def test_explain_prints_the_table(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    result = run_cli("explain", "shop/availability", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "shop/availability: 99.9% over 30d" in result.out
    assert "43m12s of full outage" in result.out
    lines = result.out.splitlines()
    assert any(
        line.split()[:6] == ["page", "1h/5m", "14.4", "1.44%", "2%", "52s"] for line in lines
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
