"""The events ``slogen report`` counts over a span, evaluated by promtool's engine."""

from __future__ import annotations

from pathlib import Path

import yaml

from slogen import tools
from slogen.promql import Matcher, Selector
from slogen.report.queries import _increase


def _evaluates_to(tmp_path: Path, expr: str, series: dict[str, str], value: float) -> None:
    """``expr`` at 2h over minute-apart samples of ``series`` is one sample ``value``."""
    test = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": "2h",
                        "exp_samples": [{"labels": "{}", "value": value}],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "test.yml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    result = tools.test_rules([path])
    assert result.ok, str(result)


def test_a_series_created_inside_the_span_counts_its_first_events(tmp_path: Path) -> None:
    """Over the last hour: 600 events of an old series; 155 of one created at 1h30m whose
    first scrape already read 5 (``increase`` alone would give 152.5); and one created
    and gone inside the span keeps its ``increase``, 20 extrapolated by half a scrape
    interval past its last sample to 20.5."""
    errors = Selector("errors_total", (Matcher("job", "=", "shop"),))
    expr = _increase(errors, 3600, 7200, ()).render()
    series = {
        'errors_total{job="shop", pod="old"}': "0+10x120",
        'errors_total{job="shop", pod="new"}': "_x90 5+5x30",
        'errors_total{job="shop", pod="gone"}': "_x70 0+1x20",
    }
    _evaluates_to(tmp_path, expr, series, 600 + 155 + 20.5)
