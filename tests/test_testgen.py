"""The generated alert proofs: they pass on the generated rules, cover every alert, and
fail when a rule is broken, so they cannot pass vacuously."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import pytest

import slogen
from slogen import verify
from slogen.durations import format_duration
from slogen.model import BurnAlert
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.oracle import Timeline
from slogen.testgen.series import (
    GAUGE_TARGETS_FALLBACK,
    GAUGE_TARGETS_MAX,
    Phase,
    gauge_targets,
)
from tests.conftest import GENERATED, MINIMAL_SPEC, write_spec


def _tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_every_generated_proof_passes(promtool: str) -> None:
    results = verify.prove(_tree(GENERATED), "generated")
    assert results, "no generated test files"
    failed = [str(r) for r in results if not r.ok]
    assert not failed, "\n\n".join(failed)


def test_every_alert_of_every_example_slo_is_covered() -> None:
    """Each burn pair has its 1.25x and 0.8x scenario, or says why not."""
    bundle = slogen.compile(slogen.load(GENERATED.parent / "specs"))
    for slo in bundle.model.slos():
        text = "\n".join(  # the SLO's own proof files: test names, then its gaps
            content.decode()
            for path, content in bundle.files.items()
            if path.startswith(f"tests/{slo.service}/{slo.name}.")
        )
        for pair in slo.alerting.burn:
            label = f"{pair.severity} {_windows(pair)}"
            for scenario in ("at 1.25x", "at 0.8x", "recovery"):
                covered = f"{slo.name}: {label} {scenario}: " in text
                skipped = f"# not covered: {label} {scenario}: " in text
                assert covered or skipped, (slo.name, label, scenario)
        if slo.alerting.no_data:
            assert f"{slo.name}: no data" in text
        if slo.alerting.budget:
            assert f"{slo.name}: budget" in text
    assert "total outage" in text and "healthy" in text


def _windows(pair: BurnAlert) -> str:
    return f"{format_duration(pair.long)}/{format_duration(pair.short)}"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> slogen.Bundle:
    """A 99.9% SLO over 30 days: the SRE Workbook's own example."""
    directory = tmp_path_factory.mktemp("small")
    write_spec(directory, "shop.yaml", MINIMAL_SPEC)
    return slogen.compile(slogen.load(directory))


def _broken(bundle: slogen.Bundle, old: str, new: str) -> dict[str, bytes]:
    rules = bundle.files["prometheus/shop.rules.yml"].decode()
    assert old in rules
    files = dict(bundle.files)
    files["prometheus/shop.rules.yml"] = rules.replace(old, new).encode()
    return files


def _outcome(files: dict[str, bytes]) -> bool:
    return all(result.ok for result in verify.prove(files))


def test_the_proofs_pass_on_intact_rules(small: slogen.Bundle, promtool: str) -> None:
    assert _outcome(dict(small.files))


BURN_5M = 'slo:burn_rate:ratio_rate5m{slo_service="shop", slo_name="availability"}'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("> 14.4", "> 144", id="page-factor-10x-too-high"),
        pytest.param("> 14.4", "> 1.44", id="page-factor-10x-too-low"),
        pytest.param("> 14.4", "> 15.5", id="page-factor-8-percent-too-high"),
        pytest.param("> 14.4", "> 13.3", id="page-factor-8-percent-too-low"),
        pytest.param("> 1 and", "> 1.08 and", id="ticket-factor-8-percent-too-high"),
        pytest.param(f" and {BURN_5M} > 14.4", "", id="short-window-dropped"),
        pytest.param("> 1 and", "> 10 and", id="ticket-factor-10x-too-high"),
        pytest.param("/ 0.001", "/ 0.01", id="budget-10x-too-large"),
        pytest.param("for: 2m", "for: 1h", id="page-for-too-long"),
        pytest.param("absent(", "absent(nonexistent) and absent(", id="no-data-never-fires"),
    ],
)
def test_a_broken_rule_fails_the_proofs(
    small: slogen.Bundle, promtool: str, old: str, new: str
) -> None:
    assert not _outcome(_broken(small, old, new))


def test_timeline_ratios_are_traffic_weighted() -> None:
    line = Timeline((Phase(3600, Fraction(10), Fraction(0)), Phase(3600, Fraction(1), Fraction(1))))
    assert line.ratio(7200, 7200) == pytest.approx(1 / 11)
    assert line.ratio(3600, 3600) == 0
    assert Timeline((Phase(600, None),)).ratio(600, 300) is None


@pytest.mark.parametrize(
    ("ratio", "at_least", "expected"),
    [
        (Fraction(9, 500), True, (2, 111)),
        (Fraction(1, 2), False, (1, 2)),
        (Fraction(1), True, (1, 1)),
        # below 1 of 200 targets: the fewest that stay at or below it
        (Fraction(4, 1000), False, (1, 250)),
        (Fraction(996, 1000), True, (249, 250)),
    ],
)
def test_gauge_targets_round_to_whole_targets(
    ratio: Fraction, at_least: bool, expected: tuple[int, int]
) -> None:
    bad, total = gauge_targets(ratio, at_least)
    assert (bad, total) == expected
    assert (Fraction(bad, total) >= ratio) if at_least else (Fraction(bad, total) <= ratio)


def _targets_by_trying_every_count(ratio: Fraction, at_least: bool) -> tuple[int, int] | None:
    """What ``gauge_targets`` promises, found the slow way: every count of targets up
    to 200 for the closest share on the asked side (the fewest on a tie), else the
    first count up to 2,000 that gives one."""

    def shares(totals: range) -> list[tuple[int, int]]:
        found = []
        for total in totals:
            bad = math.ceil(ratio * total) if at_least else math.floor(ratio * total)
            if 0 < bad < total:
                found.append((bad, total))
        return found

    near = shares(range(1, GAUGE_TARGETS_MAX + 1))
    if near:
        return min(near, key=lambda share: abs(Fraction(*share) - ratio))
    return next(iter(shares(range(GAUGE_TARGETS_MAX + 1, GAUGE_TARGETS_FALLBACK + 1))), None)


def _ratios() -> list[Fraction]:
    rng = random.Random(23)
    ratios = [Fraction(rng.randrange(1, q), q) for q in rng.choices(range(2, 10**7), k=1500)]
    ratios += [Fraction(rng.randrange(1, q), q) for q in range(2, 260)]  # exact shares
    ratios += [Fraction(1, n) for n in (199, 200, 201, 250, 1999, 2000, 2001, 10**6)]
    ratios += [1 - Fraction(1, n) for n in (199, 200, 201, 250, 1999, 2000, 2001, 10**6)]
    ratios += [Fraction(9, 500), Fraction(3, 1000), Fraction(1, 10**4) * 144]
    # beyond 200 targets, near either end: where only the fallback finds a share
    ratios += [Fraction(p, q) for q in range(201, 421) for p in (1, 2, q - 2, q - 1)]
    return ratios


def test_gauge_targets_are_what_trying_every_count_finds() -> None:
    """The closest share is solved from the ratio's continued fraction; it must be
    what trying every count of targets gives, on both sides, for ratios of every size."""
    for ratio in _ratios():
        for at_least in (True, False):
            expected = _targets_by_trying_every_count(ratio, at_least)
            if expected is None:
                with pytest.raises(NotSynthesisable):
                    gauge_targets(ratio, at_least)
            else:
                assert gauge_targets(ratio, at_least) == expected, (ratio, at_least)


@pytest.mark.parametrize("ratio", [Fraction(-1, 3), Fraction(3, 2), Fraction(301, 300)])
def test_a_ratio_outside_zero_to_one_is_no_share_of_targets(ratio: Fraction) -> None:
    for at_least in (True, False):
        with pytest.raises(NotSynthesisable):
            gauge_targets(ratio, at_least)


def test_specs_at_the_edges_generate_without_crashing(tmp_path: Path) -> None:
    """A threshold near 100% errors cannot be synthesised at 1.25x: reported, not fatal."""
    spec = MINIMAL_SPEC.replace("objective: 99.9", "objective: 93.3").replace(
        'job="shop", code=~"5.."', 'cluster=~"eu-.*", code=~"5.."'
    )
    write_spec(tmp_path, "shop.yaml", spec)
    bundle = slogen.compile(slogen.load(tmp_path))
    gaps = bundle.gaps()
    assert any("1.25x the threshold" in gap and "more than 100% errors" in gap for gap in gaps)
    text = "\n".join(c.decode() for p, c in bundle.files.items() if p.startswith("tests/"))
    assert 'cluster="eu-x"' in text  # the regex selector was satisfied, not skipped


HAPROXY_SPEC = """\
service: ingress
team: web
runbook: https://runbooks.example.com/{service}/{slo}
slos:
  - name: backends
    objective: 99
    window: 7d
    sli:
      events:
        errors: haproxy_backend_http_responses_total{code="5xx", backend!="other/openshift_default"}
        total: haproxy_backend_http_responses_total{backend!="other/openshift_default"}
"""


def test_proof_counters_add_exactly_under_promtools_arithmetic(
    tmp_path: Path, promtool: str
) -> None:
    """promtool expands ``a+bxn`` by adding ``b`` n times in floats: at 59.965 a
    minute a 7d/99% SLO's counter reached 21587.400000000045, the next phase's literal
    21587.4 read as a counter reset and the page proof failed. Every counter literal
    is a whole number now, and these proofs pass."""
    write_spec(tmp_path / "specs", "ingress.yaml", HAPROXY_SPEC)
    bundle = slogen.compile(slogen.load(tmp_path / "specs"))
    tests = {p: c for p, c in bundle.files.items() if p.startswith("tests/")}
    assert tests
    for content in tests.values():
        for line in content.decode().splitlines():
            if line.strip().startswith("values:") and "_total" in content.decode():
                for term in line.split(":", 1)[1].split():
                    for number in term.replace("x", "+").split("+"):
                        assert number in ("", "_") or float(number).is_integer(), line
    failed = [str(r) for r in verify.prove(dict(bundle.files), "ingress") if not r.ok]
    assert not failed, "\n\n".join(failed)


def test_a_fractional_counter_never_steps_back_at_a_phase_boundary() -> None:
    """Where a phase's increase cannot be whole (the request-rate guard's traffic is
    the spec's own number), each literal continues from the float promtool reached."""
    from slogen.testgen.series import _counter_values

    phases = [Phase(21600, Fraction(59965, 60000)), Phase(720, Fraction(59965, 60000), Fraction(1))]
    text = _counter_values(phases, 60, "good")
    first, second = text.split()[1:]
    start, step = (float(x) for x in first.split("x")[0].split("+"))
    for _ in range(int(first.split("x")[1])):
        start += step
    assert float(second.split("+")[0]) >= start, text


def test_a_ratio_query_with_an_escaped_regex_generates(tmp_path: Path) -> None:
    """The counter of a raw query is read from its matcher values, not reparsed from the
    parser's text, which drops the escaping of ``\\.``."""
    spec = MINIMAL_SPEC.replace(
        """      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}""",
        """      ratio:
        good: sum(rate(request_seconds_bucket{job="shop", le=~"1(\\\\.0*)?"}[$window]))
        total: sum(rate(request_seconds_count{job="shop"}[$window]))""",
    )
    write_spec(tmp_path, "shop.yaml", spec)
    bundle = slogen.compile(slogen.load(tmp_path))
    tests = "\n".join(c.decode() for p, c in bundle.files.items() if p.startswith("tests/"))
    assert 'le="1"' in tests, tests[:2000]


LATENCY = """\
service: api
team: web
runbook: false
slos:
  - name: latency
    objective: 99
    sli:
      latency:
        histogram: request_seconds{job="api"}
        threshold: 1s
    alerting:
      ticket: {enabled: false}
"""

FRESHNESS = """\
service: etl
team: data
runbook: false
slos:
  - name: fresh
    objective: 99
    sli:
      freshness:
        timestamp: last_success_timestamp_seconds{pipeline="orders"}
        max_age: 1h
    alerting:
      ticket: {enabled: false}
"""


@pytest.mark.parametrize(
    ("spec", "rules", "old", "new"),
    [
        pytest.param(
            LATENCY,
            "api",
            'le=~"1(\\\\.0*)?|1(\\\\.0*)?[eE]\\\\+?0*0"',
            'le=~"1.*"',
            id="le-too-broad",
        ),
        pytest.param(FRESHNESS, "etl", "> 3600", "> 600", id="max-age-in-the-wrong-unit"),
    ],
)
def test_sli_specific_breakage_fails_the_proofs(
    tmp_path: Path, promtool: str, spec: str, rules: str, old: str, new: str
) -> None:
    write_spec(tmp_path, f"{rules}.yaml", spec)
    bundle = slogen.compile(slogen.load(tmp_path))
    assert _outcome(dict(bundle.files))
    path = f"prometheus/{rules}.rules.yml"
    text = bundle.files[path].decode()
    assert old in text, text
    broken = dict(bundle.files)
    broken[path] = text.replace(old, new).encode()
    assert not _outcome(broken)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> slogen.Bundle:
    """The workbook SLO with a request-rate guard of 1 event per second."""
    directory = tmp_path_factory.mktemp("guarded")
    spec = MINIMAL_SPEC + "    alerting:\n      min_request_rate: 1\n"
    write_spec(directory, "shop.yaml", spec)
    return slogen.compile(slogen.load(directory))


RATE_1H = 'slo:sli_errors:rate5m{slo_service="shop", slo_name="availability"}[1h]'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(">= 1\n", ">= 2\n", id="guard-twice-too-high"),
        pytest.param(">= 1\n", ">= 0.5\n", id="guard-half-too-low"),
        pytest.param(RATE_1H, RATE_1H.replace("[1h]", "[40m]"), id="1h-window-shortened"),
        pytest.param("< 0.25 and", "< 0.4 and", id="budget-low-threshold-loose"),
        pytest.param("< 0 and", "< -0.2 and", id="budget-exhausted-threshold-late"),
    ],
)
def test_guard_window_and_budget_breakage_fails_the_proofs(
    guarded: slogen.Bundle, promtool: str, old: str, new: str
) -> None:
    text = guarded.files["prometheus/shop.rules.yml"].decode()
    assert old in text, old
    assert not _outcome(_broken(guarded, old, new))


def test_guarded_proofs_pass_intact(guarded: slogen.Bundle, promtool: str) -> None:
    assert _outcome(dict(guarded.files))


def test_groups_that_share_a_total_fail_the_proofs(tmp_path: Path, promtool: str) -> None:
    """Every scenario of a grouped SLO runs beside a second, healthy group: if each group
    were measured against the total of all groups, the burning group's ratio is diluted
    and its alerts come late or never."""
    spec = MINIMAL_SPEC.replace(
        "    objective: 99.9\n", "    objective: 99.9\n    group_by: [cluster]\n"
    )
    write_spec(tmp_path, "shop.yaml", spec)
    bundle = slogen.compile(slogen.load(tmp_path))
    tests = "".join(c.decode() for p, c in bundle.files.items() if p.startswith("tests/"))
    assert 'cluster="other"' in tests
    assert _outcome(dict(bundle.files))
    per_group = 'sum by (cluster) (rate(http_requests_total{job="shop"}[5m]))'
    everyone = (
        f'{per_group} * 0 + on () group_left () sum(rate(http_requests_total{{job="shop"}}[5m]))'
    )
    assert not _outcome(_broken(bundle, f"- expr: {per_group}\n", f"- expr: {everyone}\n"))


def test_slos_that_differ_only_in_names_and_selectors_share_one_search(tmp_path: Path) -> None:
    """The search reads the SLO's profile only; different profiles get their own."""
    from slogen.testgen.scenarios import scenarios
    from slogen.testgen.shapes import shape

    twin = MINIMAL_SPEC.replace("availability", "checkout").replace('job="shop"', 'job="cart"')
    looser = MINIMAL_SPEC.replace("availability", "browse").replace("99.9", "99.5")
    spec = MINIMAL_SPEC + twin.split("slos:\n")[1] + looser.split("slos:\n")[1]
    write_spec(tmp_path, "specs/shop.yaml", spec)
    model = slogen.compile_model(slogen.load(tmp_path / "specs"))
    found = {slo.name: scenarios(slo, shape(slo)) for slo in model.slos()}
    assert found["availability"] is found["checkout"]
    assert found["availability"][0][0].phases != found["browse"][0][0].phases


def test_a_total_outage_is_proven_after_full_windows_not_before_detection() -> None:
    """The outage starts after a healthy history as long as the severity's longest
    window, as in production; with less, a slower pair fires early and the proof
    would claim a page sooner than the fastest pair's detection time allows."""
    from slogen.testgen.scenarios import scenarios
    from slogen.testgen.shapes import shape

    model = slogen.compile_model(slogen.load(GENERATED.parent / "specs"))
    checked = 0
    for slo in model.slos():
        made, _ = scenarios(slo, shape(slo))
        for scenario in made:
            if not scenario.name.startswith("total outage"):
                continue
            fires = min((check for check in scenario.checks if check.firing), key=lambda c: c.at)
            pairs = [p for p in slo.alerting.burn if p.severity == fires.severity]
            healthy = scenario.phases[0].seconds
            assert healthy >= max(p.long for p in pairs), (slo.name, scenario.name)
            fastest = min(p.detection_seconds(Fraction(1), slo.budget) for p in pairs)
            assert fires.at - healthy >= fastest, (slo.name, scenario.name)
            # and quiet when the outage begins
            assert any(c.at == healthy and not c.firing for c in scenario.checks), scenario.name
            checked += 1
    assert checked >= 5


def test_an_outage_proof_holds_the_page_to_the_figure_explain_gives() -> None:
    """On 1m proofs the page must be firing by ``explain``'s lived figure, rounded up
    to the step: the promise made to on-call is checked by promtool, not only the
    oracle's later, margin-padded time."""
    from slogen.testgen.scenarios import scenarios
    from slogen.testgen.shapes import shape

    model = slogen.compile_model(slogen.load(GENERATED.parent / "specs"))
    checked = 0
    for slo in model.slos():
        made, _ = scenarios(slo, shape(slo))
        for scenario in made:
            if "total outage" not in scenario.name or scenario.step != 60:
                continue
            pair = min(
                (p for p in slo.alerting.burn if p.severity == "page"),
                key=lambda p: p.detection_seconds(Fraction(1), slo.budget),
            )
            for_seconds = slo.alerting.severity("page").for_seconds
            lived = pair.figures(slo.budget, for_seconds, slo.counts_traffic).outage_firing
            assert lived is not None
            start = scenario.phases[0].seconds
            due = start + -(-lived // 60) * 60
            assert any(c.at == due and c.firing for c in scenario.checks), scenario.name
            checked += 1
    assert checked >= 8
