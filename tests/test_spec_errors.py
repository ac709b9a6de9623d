"""Bad input: every kind gives the file, the line, the field, exit 2, and no output change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SPEC, snapshot, write_spec


def _edit(old: str, new: str) -> str:
    assert old in MINIMAL_SPEC
    return MINIMAL_SPEC.replace(old, new)


# (case id, spec text, expected line, expected field, words the message must contain)
CASES = [
    (
        "unknown-key",
        _edit("    objective: 99.9", "    objectiv: 99.9"),
        6,
        "slos[0].objectiv",
        ["unknown key 'objectiv'", "did you mean 'objective'"],
    ),
    (
        "promql-typo",
        _edit(
            'errors: http_requests_total{job="shop", code=~"5.."}',
            'errors: http_requests_total{job="shop"',
        ),
        9,
        "slos[0].sli.events.errors",
        ["invalid PromQL selector"],
    ),
    (
        "not-a-selector",
        _edit('total: http_requests_total{job="shop"}', "total: rate(http_requests_total[5m])"),
        10,
        "slos[0].sli.events.total",
        ["expected a metric selector", "ratio"],
    ),
    (
        "objective-out-of-range",
        _edit("objective: 99.9", "objective: 100"),
        6,
        "slos[0].objective",
        ["above 0 and below 100", "100 would leave no error budget"],
    ),
    (
        "objective-as-string",
        _edit("objective: 99.9", 'objective: "99.9"'),
        6,
        "slos[0].objective",
        ["number"],
    ),
    (
        "bad-duration",
        _edit("    objective: 99.9", "    objective: 99.9\n    window: 28 days"),
        7,
        "slos[0].window",
        ["not a duration", "28d"],
    ),
    (
        "long-window-not-below-period",
        _edit("    objective: 99.9", "    objective: 99.9\n    window: 6h"),
        5,
        "slos[0]",
        ["long window 6h is not shorter than the SLO period 6h", "inherited"],
    ),
    (
        "short-not-below-long",
        _edit(
            "    objective: 99.9",
            "    objective: 99.9\n    alerting:\n      burn_rate:\n"
            "        - {severity: page, budget_spent: 2%, long: 1h, short: 2h}",
        ),
        9,
        "slos[0].alerting.burn_rate[0]",
        ["short window 2h is not shorter than long window 1h"],
    ),
    (
        "alert-that-cannot-fire",
        _edit(
            "    objective: 99.9",
            "    objective: 90\n    alerting:\n      burn_rate:\n"
            "        - {severity: page, budget_spent: 2%, long: 1h, short: 5m}",
        ),
        9,
        "slos[0].alerting.burn_rate[0]",
        ["can never fire", "more than 100%"],
    ),
    (
        "errors-and-good",
        _edit("        total:", '        good: http_requests_total{code="200"}\n        total:'),
        8,
        "slos[0].sli.events",
        ["exactly one of 'errors' or 'good'"],
    ),
    (
        "two-sli-kinds",
        _edit("    sli:\n", '    sli:\n      up:\n        metric: up{job="shop"}\n'),
        7,
        "slos[0].sli",
        ["exactly one SLI kind", "events, up"],
    ),
    (
        "unknown-sli-kind",
        _edit("      events:", "      event:"),
        8,
        "slos[0].sli.event",
        ["unknown key 'event'", "did you mean 'events'"],
    ),
    (
        "reserved-label",
        _edit("    objective: 99.9", "    objective: 99.9\n    group_by: [severity]"),
        7,
        "slos[0].group_by[0]",
        ["reserved"],
    ),
    (
        "bad-label-name",
        _edit("team: web", "team: web\nlabels: {9lives: x}"),
        3,
        "labels.9lives",
        ["not a valid Prometheus label name"],
    ),
    (
        "latency-threshold",
        _edit(
            '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "      latency:\n        histogram: http_request_duration_seconds\n"
            "        threshold: fast",
        ),
        10,
        "slos[0].sli.latency.threshold",
        ["not a latency bound", "100ms"],
    ),
    (
        "ratio-without-window",
        _edit(
            '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "      ratio:\n        errors: sum(rate(failed_total[5m]))\n"
            "        total: sum(rate(all_total[$window]))",
        ),
        9,
        "slos[0].sli.ratio.errors",
        ["no $window placeholder"],
    ),
    (
        "ratio-loses-group-labels",
        _edit(
            "    objective: 99.9\n    sli:\n      events:\n"
            '        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "    objective: 99.9\n    group_by: [cluster]\n    sli:\n      ratio:\n"
            "        errors: sum by (cluster) (rate(failed_total[$window]))\n"
            "        total: sum(rate(all_total[$window]))",
        ),
        11,
        "slos[0].sli.ratio.total",
        ["aggregates away the group_by labels ['cluster']", "sum by (cluster)"],
    ),
    (
        "duplicate-slo-name",
        MINIMAL_SPEC + MINIMAL_SPEC.split("slos:\n", 1)[1],
        11,
        "slos[1].name",
        ["unique", "'availability' is already used by slos[0]"],
    ),
    (
        "duplicate-yaml-key",
        _edit("team: web", "team: web\nteam: ops"),
        3,
        "team",
        ["duplicate key 'team'"],
    ),
    (
        "yaml-syntax",
        _edit("slos:", "slos: [\n"),
        None,
        "",
        ["invalid YAML"],
    ),
    (
        "no-objective",
        _edit("    objective: 99.9\n", ""),
        5,
        "slos[0]",
        ["no objective", "tier"],
    ),
    (
        "no-runbook",
        _edit("runbook: https://runbooks.example.com/{service}/{slo}\n", ""),
        4,
        "slos[0]",
        ["no runbook", "runbook: false"],
    ),
    (
        "runbook-placeholder",
        _edit("{service}/{slo}", "{team}/{slo}"),
        3,
        "runbook",
        ["unknown placeholders ['team']"],
    ),
    (
        "missing-total",
        _edit('        total: http_requests_total{job="shop"}\n', ""),
        8,
        "slos[0].sli.events.total",
        ["missing required key 'total'"],
    ),
    (
        "zero-window",
        _edit("    objective: 99.9", "    objective: 99.9\n    window: 0d"),
        7,
        "slos[0].window",
        ["is zero", "longer than 0s"],
    ),
    (
        "objective-as-ratio",
        _edit("objective: 99.9", "objective: 0.999"),
        6,
        "slos[0].objective",
        ["objective is a percent", "write 99.9"],
    ),
    (
        "objective-with-percent-sign",
        _edit("objective: 99.9", "objective: 99.9%"),
        6,
        "slos[0].objective",
        ["got the string '99.9%'", "without quotes or a % sign"],
    ),
    (
        "budget-spent-as-fraction",
        _edit(
            "    objective: 99.9",
            "    objective: 99.9\n    alerting:\n      burn_rate:\n"
            "        - {severity: page, budget_spent: 0.02, long: 1h, short: 5m}",
        ),
        9,
        "slos[0].alerting.burn_rate[0]",
        ["burn rate 0.144", "write 2% (or 2), not 0.02"],
    ),
    (
        "typo-in-optional-block",
        _edit("    objective: 99.9", "    objective: 99.9\n    alerting:\n      pag: {for: 1m}"),
        8,
        "slos[0].alerting.pag",
        ["unknown key 'pag'", "did you mean 'page'", "allowed keys: page, ticket"],
    ),
    (
        "guard-on-gauge-sli",
        _edit(
            '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            '      up:\n        metric: up{job="shop"}\n    alerting:\n      min_request_rate: 1',
        ),
        11,
        "slos[0].alerting.min_request_rate",
        ["no meaning for a up SLI"],
    ),
    (
        "latency-grouped-by-le",
        _edit(
            "    sli:\n      events:\n"
            '        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "    group_by: [le]\n    sli:\n      latency:\n"
            "        histogram: http_request_duration_seconds\n        threshold: 1s",
        ),
        5,
        "slos[0]",
        ["cannot group by 'le'"],
    ),
    (
        "runbook-double-braces",
        _edit("{service}/{slo}", "{{service}}/{slo}"),
        3,
        "runbook",
        ["braces left after substitution"],
    ),
    (
        "empty-label-value",
        _edit("team: web", "team: web\nlabels: {env: ''}"),
        3,
        "labels.env",
        ["must not be empty"],
    ),
    (
        "boolean-key",
        _edit("team: web", "team: web\nlabels: {on: call}"),
        3,
        "labels",
        ["key 'on' is not a string", "quote it"],
    ),
    (
        "tab-indentation",
        _edit("    objective: 99.9", "\tobjective: 99.9"),
        6,
        "",
        ["invalid YAML", "tabs"],
    ),
    (
        "recursive-alias",
        _edit("team: web", "team: web\nlabels: &l [*l]"),
        3,
        "labels[0]",
        ["alias refers to a value that contains it"],
    ),
    (
        "infinite-threshold",
        _edit(
            '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "      latency:\n        histogram: http_request_duration_seconds\n"
            "        threshold: .inf",
        ),
        10,
        "slos[0].sli.latency.threshold",
        ["finite"],
    ),
    (
        "comment-in-raw-query",
        _edit(
            '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
            '        total: http_requests_total{job="shop"}',
            "      ratio:\n        errors: 'sum(rate(failed_total[$window])) # failures'\n"
            "        total: sum(rate(all_total[$window]))",
        ),
        9,
        "slos[0].sli.ratio.errors",
        ["# comment"],
    ),
    (
        "budget-low-twice-for-one-severity",
        _edit(
            "    objective: 99.9",
            "    objective: 99.9\n    alerting:\n      budget_remaining:\n"
            "        - {severity: ticket, below: 25%}\n"
            "        - {severity: ticket, below: 0%}\n"
            "        - {severity: ticket, below: 10%}",
        ),
        11,
        "slos[0].alerting.budget_remaining[2]",
        [
            "budget_remaining[0] is a ticket threshold above 0% too",
            "one ticket SLOErrorBudgetLow alert",
            "one threshold above 0% (SLOErrorBudgetLow) and one at 0%",
        ],
    ),
    (
        "budget-exhausted-twice-for-one-severity",
        _edit(
            "    objective: 99.9",
            "    objective: 99.9\n    alerting:\n      budget_remaining:\n"
            "        - {severity: page, below: 0%}\n"
            "        - {severity: ticket, below: 0%}\n"
            "        - {severity: page, below: 0}",
        ),
        11,
        "slos[0].alerting.budget_remaining[2]",
        ["budget_remaining[0] is a page threshold at 0% too", "one page SLOErrorBudgetExhausted"],
    ),
    (
        "bad-service-name",
        _edit("service: shop", "service: Shop_Front"),
        1,
        "service",
        ["not a valid name", "lowercase letters, digits and '-'"],
    ),
]


@pytest.fixture
def tree(tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    """A spec tree with one good spec and a generated/ directory written from it."""
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    result = run_cli("generate", "specs", "-o", "generated", cwd=tmp_path)
    assert result.code == 0, result.err
    return tmp_path


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_spec_is_reported_and_changes_nothing(
    tree: Path, run_cli, text: str, line: int | None, field: str, words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(tree / "generated")
    (tree / "specs" / "shop.yaml").write_text(text)

    result = run_cli("generate", "specs", "-o", "generated", cwd=tree)

    assert result.code == 2, result.err
    first = result.err.splitlines()[0]
    where = "specs/shop.yaml" + (f":{line}:" if line is not None else ":")
    assert first.startswith(where), first
    assert f": {field}: " in first or not field, first
    for word in words:
        assert word in result.err, result.err
    assert "nothing was written" in result.err
    assert snapshot(tree / "generated") == before


def test_validate_reports_the_same_problems(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tree / "specs" / "shop.yaml").write_text(_edit("objective: 99.9", "objective: 0"))
    result = run_cli("validate", "specs", cwd=tree)
    assert result.code == 2
    assert "specs/shop.yaml:6:" in result.err and "above 0 and below 100" in result.err


def test_read_only_commands_do_not_speak_of_writing(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tree / "specs" / "shop.yaml").write_text(_edit("objective: 99.9", "objective: 0"))
    for command in (("validate", "specs"), ("generate", "specs", "--check"), ("explain",)):
        result = run_cli(*command, cwd=tree)
        assert result.code == 2, result.err
        assert result.err.splitlines()[-1] == "1 problem found", (command, result.err)


def test_every_problem_is_reported_at_once(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    broken = _edit("objective: 99.9", "objective: 100").replace(
        "team: web", "team: web\ntier: gold"
    )
    (tree / "specs" / "shop.yaml").write_text(broken)
    write_spec(tree / "specs", "other.yaml", "service: other\n")
    result = run_cli("validate", "specs", cwd=tree)
    assert result.code == 2
    assert "specs/shop.yaml:3:" in result.err and "tier" in result.err
    assert "slos[0].objective" in result.err
    assert "specs/other.yaml" in result.err and "missing required key 'team'" in result.err
    assert "problems found" in result.err


def test_duplicate_service_names_name_both_files(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tree / "specs", "again.yaml", MINIMAL_SPEC)
    result = run_cli("generate", "specs", "-o", "generated", cwd=tree)
    assert result.code == 2
    assert "specs/shop.yaml:1:" in result.err and "specs/again.yaml" in result.err


def test_defaults_file_errors_name_that_file(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tree / "specs", "defaults.yaml", "alerting:\n  page: {for: soon}\n")
    result = run_cli("validate", "specs", cwd=tree)
    assert result.code == 2
    assert result.err.startswith("specs/defaults.yaml:2:"), result.err
    assert "alerting.page.for" in result.err


def test_missing_path_is_an_input_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", "nowhere", cwd=tmp_path)
    assert result.code == 2
    assert "nowhere: no such file or directory" in result.err


def test_output_directory_not_owned_by_slogen_is_not_replaced(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    mine = tree / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = run_cli("generate", "specs", "-o", "mine", cwd=tree)
    assert result.code == 2
    assert "refusing to write output" in result.err
    assert (mine / "notes.txt").read_text() == "keep me"


def test_nested_defaults_file_is_an_error(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tree / "specs" / "team-a", "defaults.yaml", "window: 7d\n")
    result = run_cli("validate", "specs", cwd=tree)
    assert result.code == 2
    assert "specs/team-a/defaults.yaml: defaults.yaml is only read at the top" in result.err


def test_a_file_given_alone_brings_its_defaults(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    text = _edit("runbook: https://runbooks.example.com/{service}/{slo}\n", "")
    (tree / "specs" / "shop.yaml").write_text(text)
    write_spec(tree / "specs", "defaults.yaml", "runbook: https://r.example.com/{slo}\n")
    result = run_cli("validate", "specs/shop.yaml", cwd=tree)
    assert result.code == 0, result.err


def test_merge_keys_may_be_overridden(tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    text = MINIMAL_SPEC + (
        "  - <<: &base {objective: 99, sli: {up: {metric: up}}}\n"
        "    name: probe-a\n"
        "  - <<: *base\n"
        "    name: probe-b\n"
        "    objective: 99.5\n"
    )
    (tree / "specs" / "shop.yaml").write_text(text)
    result = run_cli("validate", "specs", cwd=tree)
    assert result.code == 0, result.err
    assert "3 SLOs" in result.out


def test_unusable_promtool_is_a_clean_tool_error(
    tree: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLOGEN_PROMTOOL", str(tree / "no-such-promtool"))
    result = run_cli("check", "specs", cwd=tree)
    assert result.code == 3
    assert "cannot run" in result.err and "Traceback" not in result.err
