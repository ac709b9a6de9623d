"""PromQL text: escaping, numbers, durations, the histogram bound pattern, and the
rendering of expression trees."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import promql_parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slogen import promql, promql_nodes
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


@pytest.mark.parametrize("name", ["job\n", "job\nx", "", "1job"])
def test_a_name_with_a_trailing_newline_is_no_name(name: str) -> None:
    """``$`` matches before a final newline: names are matched whole, so no newline
    reaches a rule's text as part of a label or metric name."""
    assert not promql.is_label_name(name)
    with pytest.raises(ValueError):
        promql.Matcher(name, "=", "x")
    with pytest.raises(ValueError):
        promql.Selector(name)


# How each bound is printed as an `le` value (see promql.number_pattern for the
# sources): Go client_golang text format, Go OpenMetrics, Python prometheus_client,
# Java client (Double.toString), and what Prometheus 3 stores after normalising.
CLIENTS = ("go", "go-openmetrics", "python", "java", "prometheus-3")
PRINTED = {
    "0.0001": ("0.0001", "0.0001", "0.0001", "1.0E-4", "0.0001"),
    "0.005": ("0.005", "0.005", "0.005", "0.005", "0.005"),
    "0.1": ("0.1", "0.1", "0.1", "0.1", "0.1"),
    "0.25": ("0.25", "0.25", "0.25", "0.25", "0.25"),
    "1": ("1", "1.0", "1.0", "1.0", "1.0"),
    "2.5": ("2.5", "2.5", "2.5", "2.5", "2.5"),
    "10": ("10", "10.0", "10.0", "10.0", "10.0"),
    "1000000": ("1e+06", "1e+06", "1e+06", "1000000.0", "1e+06"),
    "10000000": ("1e+07", "1e+07", "1e+07", "1.0E7", "1e+07"),
}
# The matcher slogen generates for each bound, as it appears in the rules.
MATCHER = {
    "0.0001": r'le=~"0\\.00010*|1(\\.0*)?[eE]-0*4"',
    "0.005": r'le=~"0\\.0050*|5(\\.0*)?[eE]-0*3"',
    "0.1": r'le=~"0\\.10*|1(\\.0*)?[eE]-0*1"',
    "0.25": r'le=~"0\\.250*|2\\.50*[eE]-0*1"',
    "1": r'le=~"1(\\.0*)?|1(\\.0*)?[eE]\\+?0*0"',
    "2.5": r'le=~"2\\.50*|2\\.50*[eE]\\+?0*0"',
    "10": r'le=~"10(\\.0*)?|1(\\.0*)?[eE]\\+?0*1"',
    "1000000": r'le=~"1000000(\\.0*)?|1(\\.0*)?[eE]\\+?0*6"',
    "10000000": r'le=~"10000000(\\.0*)?|1(\\.0*)?[eE]\\+?0*7"',
}
# Other spellings of the same number that a client could reasonably print.
ALSO = {
    "0.1": ("0.10", "1e-01", "1.0E-1"),
    "1": ("1e+00", "1.00", "1E0"),
    "10": ("1e+01", "1.0E1"),
    "1000000": ("1000000", "1.0E6", "1.0e+06"),
}
# Neighbours that must not be selected: a tenth, ten times, nearby and prefix-sharing
# numbers in every spelling above.
REJECTED = {
    "0.0001": ("0.001", "0.00001", "1e-05", "1.0E-5", "1.0E-3", "0.00011", "+Inf"),
    "0.005": ("0.05", "0.0005", "5e-04", "0.0055", "5", "5.0"),
    "0.1": ("0.01", "1", "1.0", "0.11", "10", "1e-02", "1.0E-2", "0.15"),
    "0.25": ("0.025", "2.5", "0.5", "0.255", "25", "2.5e-02"),
    "1": ("10", "10.0", "0.1", "1.5", "11", "1e+01", "1e-01", "1.0E-1", "0.0", "+Inf"),
    "2.5": ("0.25", "25", "25.0", "2", "2.05", "2.55", "2.5e+01"),
    "10": ("1", "1.0", "100", "1e+00", "1e+02", "0.1", "10.5", "101"),
    "1000000": ("100000", "1e+05", "1e+07", "10000000", "1000000.5", "1.0E7"),
    "10000000": ("1000000", "1e+06", "1.0E6", "100000000", "1e+08"),
}


def _prometheus_regex(matcher: str) -> re.Pattern[str]:
    """The value of a rendered ``le=~"..."`` matcher, anchored as Prometheus anchors it."""
    body = matcher.removeprefix('le=~"').removesuffix('"')
    return re.compile("^(?:" + body.replace("\\\\", "\\") + ")$")


@pytest.mark.parametrize("bound", sorted(PRINTED, key=float))
def test_le_matcher_table(bound: str) -> None:
    """For each bound: the generated matcher, every spelling it selects, and the
    neighbours it rejects, checked with the matcher as Prometheus applies it."""
    rendered = promql.Matcher("le", "=~", promql.number_pattern(Fraction(bound))).render()
    assert rendered == MATCHER[bound]
    regex = _prometheus_regex(rendered)
    for client, spelling in zip(CLIENTS, PRINTED[bound], strict=True):
        assert regex.match(spelling), f"{client} prints {bound} as {spelling}"
    for spelling in ALSO.get(bound, ()):
        assert regex.match(spelling), spelling
    for other in REJECTED[bound]:
        assert not regex.match(other), other
        assert float(other) != float(bound)


@pytest.mark.parametrize("bound", sorted(PRINTED, key=float))
def test_printed_spellings_are_the_bound(bound: str) -> None:
    """The table's spellings are this number and their clients' rules say so: Python's
    repr-based form and Java's switch to exponents at 1e7 and below 1e-3."""
    assert {float(s) for s in PRINTED[bound]} == {float(bound)}
    java = PRINTED[bound][CLIENTS.index("java")]
    assert ("E" in java) == (not 1e-3 <= float(bound) < 1e7)


def test_bound_pattern_selects_the_same_series_in_prometheus(tmp_path: Path, promtool: str) -> None:
    """The real PromQL engine agrees: each bound's matcher selects its spellings only."""
    spellings = {b: set(PRINTED[b]) | set(ALSO.get(b, ())) for b in PRINTED}
    series = sorted({s for values in spellings.values() for s in values} | {"0.01", "100"})
    rules, cases = [], []
    for bound in sorted(spellings):
        matcher = promql.Matcher("le", "=~", promql.number_pattern(Fraction(bound)))
        record = f"matched:bound_{bound.replace('.', '_')}"
        rules.append(f"  - record: {record}\n    expr: 'count(bucket{{{matcher.render()}}})'")
        cases.append(
            f"      - expr: {record}\n        eval_time: 1m\n"
            f"        exp_samples:\n          - labels: '{record}'\n"
            f"            value: {len(spellings[bound])}"
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


# The node renderer: a tree prints with the parentheses its meaning needs, no fewer.

a, b, c = (promql.Selector(name) for name in ("a", "b", "c"))


def _bin(op: str, left: promql.Expr, right: promql.Expr, **kw: object) -> promql.Binary:
    return promql.Binary(op, left, right, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (_bin("/", promql.sum_by(("x",), a), b), "sum by (x) (a) / b"),
        (_bin("/", _bin("-", a, b), c), "(a - b) / c"),
        (_bin("-", a, _bin("/", b, c)), "a - b / c"),
        (_bin("-", a, _bin("-", b, c)), "a - (b - c)"),
        (_bin("-", _bin("-", a, b), c), "a - b - c"),
        (_bin("*", _bin("+", a, b), _bin("+", b, c)), "(a + b) * (b + c)"),
        (_bin("and", _bin("or", a, b), c), "(a or b) and c"),
        (_bin("or", _bin("and", a, b), c), "a and b or c"),
        (_bin("or", a, _bin("unless", b, c)), "a or b unless c"),
        (_bin("and", a, _bin("unless", b, c)), "a and (b unless c)"),
        (_bin("unless", _bin("and", a, b), c), "a and b unless c"),
        (_bin(">", _bin("+", a, b), promql.Number(1)), "a + b > 1"),
        (_bin("+", _bin(">", a, b), c), "(a > b) + c"),
        (_bin("^", a, _bin("^", b, c)), "a ^ b ^ c"),
        (_bin("^", _bin("^", a, b), c), "(a ^ b) ^ c"),
        (_bin("^", promql.Number(-2), promql.Number(2)), "(-2) ^ 2"),
        (_bin("*", a, promql.Number(-1)), "a * -1"),
        (_bin("*", promql.Paren(_bin("*", a, b)), c), "(a * b) * c"),
        (promql.complement(_bin("/", a, b)), "1 - a / b"),
        (promql.complement(_bin("-", a, b)), "1 - (a - b)"),
        (_bin("-", promql.Verbatim("x + y"), a), "(x + y) - a"),
        (promql.sum_by((), promql.Verbatim("x + y")), "sum(x + y)"),
    ],
)
def test_nodes_render_with_the_parentheses_precedence_needs(tree: promql.Expr, text: str) -> None:
    assert tree.render() == text == str(tree)


def test_vector_matching_and_bool_render_after_the_operator() -> None:
    on = promql.on(("cluster", "region"))
    assert _bin("or", a, b, matching=on).render() == "a or on (cluster, region) b"
    assert _bin("*", a, b, matching=promql.on(())).render() == "a * on () b"
    assert _bin("/", a, b, matching=promql.ignoring(("le",))).render() == "a / ignoring (le) b"
    assert promql.compare_bool(a, "<", 0.5).render() == "a < bool 0.5"
    assert (
        _bin("-", a, _bin("or", b, c, matching=on), matching=on).render()
        == "a - on (cluster, region) (b or on (cluster, region) c)"
    )
    with pytest.raises(ValueError):
        promql.on(("not ok",))
    with pytest.raises(ValueError):
        _bin("+", a, b, bool_=True)


def test_numbers_in_nodes_print_via_number() -> None:
    assert promql.Number(1 - Fraction("0.999")).render() == "0.001"
    assert promql.call("clamp_max", a, Fraction(1, 100000)).render() == "clamp_max(a, 0.00001)"
    assert promql.call("vector", 1).render() == "vector(1)"
    with pytest.raises(ValueError):
        promql.Number(float("inf"))


def test_calls_ranges_subqueries_and_aggregations() -> None:
    selector = promql.Selector("m", (promql.Matcher("job", "=", 'a"b'),))
    assert selector.range(300).render() == 'm{job="a\\"b"}[5m]'
    assert promql.over_range("rate", selector, 300).render() == 'rate(m{job="a\\"b"}[5m])'
    assert promql.over_range("max_over_time", _bin("+", a, b), 3600, 60).render() == (
        "max_over_time((a + b)[1h:1m])"
    )
    assert promql.over_range("rate", "m", "$window") == "rate(m[$window])"
    with pytest.raises(ValueError):
        promql.over_range("rate", _bin("+", a, b), 300)
    with pytest.raises(ValueError):
        promql.over_range("rate", "m", "5 minutes")
    assert promql.Aggregation("max", a, ("le",), without=True).render() == "max without (le) (a)"
    assert promql.Aggregation("topk", a, ("x",), param=promql.Number(3)).render() == (
        "topk by (x) (3, a)"
    )
    label = promql.Call("label_replace", (a, *map(promql.String, ("l", 'v"', "", ""))))
    assert label.render() == 'label_replace(a, "l", "v\\"", "", "")'
    lines = promql.chain("or", [promql.Paren(_bin("and", a, b)), c], break_lines=True)
    assert lines.render() == "(a and b)\n or\nc"


def test_text_helpers_keep_returning_text() -> None:
    assert promql.sum_by(("x",), "rate(m[5m])") == "sum by (x) (rate(m[5m]))"
    assert promql.complement("a or b") == "1 - (a or b)"
    assert promql.ones_like("a") == "(a) * 0 + 1"
    assert promql.compare_bool("a", ">=", 2) == "(a) >= bool 2"


_OPS = sorted(set(promql_nodes.BINARY_OPS) - {"atan2"})
_LEAVES = st.sampled_from([a, b, c, promql.Verbatim("x + y"), promql.Verbatim("x or y")])
_TREES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.builds(_bin, st.sampled_from(_OPS), inner, inner)
        | st.builds(promql.Paren, inner)
        | st.builds(lambda e: promql.sum_by(("x",), e), inner)
    ),
    max_leaves=8,
)


def _shape_of_ast(expr: object) -> str:
    """The operator tree promql_parser reads, with parentheses dropped."""
    if isinstance(expr, promql_parser.ParenExpr):
        return _shape_of_ast(expr.expr)
    if isinstance(expr, promql_parser.BinaryExpr):
        return f"[{expr.op} {_shape_of_ast(expr.lhs)} {_shape_of_ast(expr.rhs)}]"
    if isinstance(expr, promql_parser.AggregateExpr):
        return f"[{expr.op} {_shape_of_ast(expr.expr)}]"
    return str(expr)


def _shape_of_tree(expr: promql.Expr) -> str:
    if isinstance(expr, promql.Paren):
        return _shape_of_tree(expr.expr)
    if isinstance(expr, promql.Verbatim):
        return _shape_of_ast(promql_parser.parse(expr.text))
    if isinstance(expr, promql.Binary):
        return f"[{expr.op} {_shape_of_tree(expr.left)} {_shape_of_tree(expr.right)}]"
    if isinstance(expr, promql.Aggregation):
        return f"[{expr.op} {_shape_of_tree(expr.expr)}]"
    return str(promql_parser.parse(expr.render()))


@settings(max_examples=300, deadline=None)
@given(_TREES)
def test_a_rendered_tree_parses_back_to_the_same_tree(tree: promql.Expr) -> None:
    assert _shape_of_ast(promql_parser.parse(tree.render())) == _shape_of_tree(tree)
