"""PromQL text: escaping, numbers, durations, and the histogram bound pattern."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from slogen import promql
from slogen.durations import format_duration, parse_duration, parse_seconds


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1 - Fraction("0.999"), "0.001"),
        (Fraction("14.4"), "14.4"),
        (Fraction(6), "6"),
        (Fraction(14, 15), "0.9333333333333333"),
        (Fraction(1, 100000), "0.00001"),
        (Fraction(1000000), "1000000"),
        (Fraction(0), "0"),
    ],
)
def test_numbers_print_as_shortest_plain_decimal(value: Fraction, text: str) -> None:
    assert promql.number(value) == text


def test_float_noise_never_reaches_output() -> None:
    assert promql.number(1 - 0.999) != "0.001"  # a float cannot hold 0.999 exactly
    assert promql.number(1 - Fraction("0.999")) == "0.001"  # what the model gives


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5m", 300), ("1h30m", 5400), ("28d", 28 * 86400), ("1w", 7 * 86400), ("90s", 90)],
)
def test_durations_round_trip(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("bad", ["", "5", "5 m", "1.5h", "m5", "-5m", "5M"])
def test_bad_durations_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("100ms", Fraction(1, 10)), ("2.5s", Fraction(5, 2)), (0.25, Fraction(1, 4)), ("1m", 60)],
)
def test_latency_bounds(text: str | float, seconds: Fraction) -> None:
    assert parse_seconds(text) == seconds


def test_label_values_are_escaped_not_pasted() -> None:
    matcher = promql.Matcher("path", "=", 'a"b\\c\nd')
    assert matcher.render() == 'path="a\\"b\\\\c\\nd"'


def test_label_names_are_checked() -> None:
    with pytest.raises(ValueError):
        promql.Matcher("bad-name", "=", "x")
    with pytest.raises(ValueError):
        promql.sum_by(("ok", "not ok"), "x")


# How clients spell histogram bounds: Go (strconv 'g'), Python (floatToGoString),
# Java simpleclient (Double.toString), and Prometheus 3's normalised form.
SPELLINGS = {
    "0.1": ["0.1"],
    "0.25": ["0.25"],
    "1": ["1", "1.0", "1e+00"],
    "2.5": ["2.5"],
    "10": ["10", "10.0", "1e+01"],
    "1000000": ["1e+06", "1.0e+06", "1000000.0", "1000000", "1.0E6"],
}
NOT_THE_SAME = {
    "0.1": ["0.01", "1", "0.11", "10"],
    "1": ["10", "0.1", "1.5", "11", "1e+01", "0.0"],
    "10": ["1", "100", "1.0", "1e+00", "0.1"],
    "1000000": ["100000", "1e+05", "1e+07", "10000000"],
}


@pytest.mark.parametrize("bound", sorted(SPELLINGS))
def test_bound_pattern_matches_every_spelling_and_nothing_else(bound: str) -> None:
    pattern = re.compile(promql.number_pattern(Fraction(bound)))
    for spelling in SPELLINGS[bound]:
        assert pattern.fullmatch(spelling), spelling
    for other in NOT_THE_SAME.get(bound, []):
        assert not pattern.fullmatch(other), other


def test_bound_pattern_selects_the_same_series_in_prometheus(tmp_path: Path, promtool: str) -> None:
    """The real PromQL engine agrees: each bound's matcher selects its spellings only."""
    series = sorted({s for spellings in SPELLINGS.values() for s in spellings} | {"0.01", "100"})
    rules, cases = [], []
    for bound in sorted(SPELLINGS):
        matcher = promql.Matcher("le", "=~", promql.number_pattern(Fraction(bound)))
        record = f"matched:bound_{bound.replace('.', '_')}"
        rules.append(f"  - record: {record}\n    expr: 'count(bucket{{{matcher.render()}}})'")
        cases.append(
            f"      - expr: {record}\n        eval_time: 1m\n"
            f"        exp_samples:\n          - labels: '{record}'\n"
            f"            value: {len(SPELLINGS[bound])}"
        )
    (tmp_path / "rules.yml").write_text("groups:\n- name: t\n  rules:\n" + "\n".join(rules) + "\n")
    inputs = "\n".join(
        f"      - series: 'bucket{{le=\"{s}\"}}'\n        values: '1+0x5'" for s in series
    )
    (tmp_path / "test.yml").write_text(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
        f"    input_series:\n{inputs}\n    promql_expr_test:\n" + "\n".join(cases) + "\n"
    )
    result = subprocess.run(
        [promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
