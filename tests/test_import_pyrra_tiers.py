"""Pyrra's four burn-rate tiers, as Pyrra computes them and as an import keeps them.

Pyrra's figures are checked against its own expected rules: this reads
/work/shared/peers/pyrra (``../shared/peers/pyrra`` beside the checkout; its README
names the upstream commit) and skips, saying why, where that directory is absent.
The import is then held against those figures for several windows and objectives:
the compiled SLO alerts on Pyrra's tiers, with exactly the changes slogen documents
(short windows raised to 5m, tiers that cannot work left out).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from slogen.durations import format_duration, parse_duration
from slogen.importers import import_files
from slogen.importers.pyrra_alerting import PyrraTier, pyrra_tiers
from tests.conftest import ROOT

PEERS = ROOT.parent / "shared" / "peers" / "pyrra"
EXPECTED = PEERS / "derived" / "slo" / "rules_test.expected.yaml"
FIXTURES = PEERS / "derived" / "slo" / "promql_test.fixtures.yaml"
needs_peers = pytest.mark.skipif(
    not EXPECTED.is_file(),
    reason=f"Pyrra's expected rules are not here ({EXPECTED} is absent)",
)

DAY = 86400
WINDOWS = ("1d", "7d", "14d", "28d")
OBJECTIVES = ("80", "90", "95", "99", "99.9", "99.99")
_FACTOR = re.compile(r"> \((\d+(?:\.\d+)?) \* \(1-")

Tier = tuple[str, int, int, int, int]
"""(severity label, factor, long, short, for), seconds."""


def _fixture_windows() -> dict[str, int]:
    """Each Go fixture's SLO window, following ``base`` where an entry has none."""
    fixtures: dict[str, Any] = yaml.safe_load(FIXTURES.read_text())

    def window(key: str) -> int:
        entry = fixtures[key]
        own = (entry.get("spec") or {}).get("window")
        return parse_duration(str(own)) if own else window(entry["base"])

    return {key: window(key) for key in fixtures}


def _pyrras_alerts() -> dict[int, set[Tier]]:
    """The burn alerts of Pyrra's expected rule groups, per SLO window."""
    cases = yaml.safe_load(EXPECTED.read_text())
    windows = _fixture_windows()
    found: dict[int, set[Tier]] = {}
    for case in cases:
        if case["test"] != "TestObjective_Burnrates":
            continue
        for rule in case["group"]["rules"]:
            labels = rule.get("labels") or {}
            if "alert" not in rule or "long" not in labels:
                continue
            factors = set(_FACTOR.findall(rule["expr"]))
            assert len(factors) == 1, rule["expr"]
            found.setdefault(windows[case["fixture"]], set()).add(
                (
                    labels["severity"],
                    int(Fraction(factors.pop())),
                    parse_duration(labels["long"]),
                    parse_duration(labels["short"]),
                    parse_duration(rule["for"]) if rule["for"] not in ("0s", "0") else 0,
                )
            )
    return found


def _as_pyrra_says(tier: PyrraTier) -> Tier:
    return (tier.severity, tier.factor, tier.long, tier.short, tier.for_)


@needs_peers
def test_pyrra_tiers_are_pyrras_own_for_every_window_its_tests_use() -> None:
    alerts = _pyrras_alerts()
    assert set(alerts) >= {28 * DAY, 14 * DAY, 7 * DAY}, sorted(alerts)
    for window, expected in alerts.items():
        computed = {_as_pyrra_says(tier) for tier in pyrra_tiers(window)}
        assert computed == expected, format_duration(window)


@pytest.mark.parametrize(
    ("window", "name", "long", "short", "for_"),
    [
        ("28d", "fastBurn", "1h", "5m", "2m"),
        ("28d", "longTermBurn", "4d", "6h", "3h"),
        ("14d", "fastBurn", "30m", "3m", "1m"),  # 14d/8064 = 2m30s: halves round up
        ("7d", "mediumBurn", "1h30m", "8m", "4m"),  # 7d/1344 = 7m30s
        ("7d", "fastBurn", "15m", "1m", "1m"),  # 7d/20160 = 30s
        ("1d", "fastBurn", "2m", "0s", "0s"),  # 1d/8064 = 10.7s
        ("1d", "mediumBurn", "13m", "1m", "1m"),
        ("1d", "slowBurn", "51m", "4m", "2m"),
        ("1d", "longTermBurn", "3h26m", "13m", "6m"),
    ],
)
def test_pyrra_rounds_each_duration_to_the_minute_as_go_does(
    window: str, name: str, long: str, short: str, for_: str
) -> None:
    tier = next(t for t in pyrra_tiers(parse_duration(window)) if t.name == name)
    assert (tier.long, tier.short, tier.for_) == tuple(
        parse_duration(text) if text != "0s" else 0 for text in (long, short, for_)
    )


def _pyrra_file(tmp_path: Path) -> Path:
    """One Pyrra SLO per window and objective, named after both."""
    documents = [
        {
            "apiVersion": "pyrra.dev/v1alpha1",
            "kind": "ServiceLevelObjective",
            "metadata": {
                "name": _name(window, objective),
                "labels": {"pyrra.dev/service": "api", "pyrra.dev/team": "platform"},
                "annotations": {"pyrra.dev/runbook_url": "https://runbooks.example.com/api"},
            },
            "spec": {
                "target": objective,
                "window": window,
                "indicator": {
                    "ratio": {
                        "errors": {"metric": 'http_requests_total{job="api",code=~"5.."}'},
                        "total": {"metric": 'http_requests_total{job="api"}'},
                    }
                },
            },
        }
        for window in WINDOWS
        for objective in OBJECTIVES
    ]
    path = tmp_path / "pyrra.yaml"
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


def _name(window: str, objective: str) -> str:
    return f"errors-{window}-{objective.replace('.', '-')}"


def _kept(window: int, objective: Fraction) -> list[PyrraTier]:
    """The tiers slogen can alert on: windows from 5m rates, and a burn that can happen."""
    return [
        tier
        for tier in pyrra_tiers(window)
        if tier.long > max(tier.short, 300) and tier.factor * (1 - objective) < 1
    ]


def _expected_summary(window: int, objective: Fraction) -> str:
    """What Pyrra alerts on, in ``alerting_summary``'s words: per severity (critical
    pages, warning tickets), each kept tier's windows, short ones raised to 5m."""
    parts = [f"{format_duration(window)} period"]
    for severity, pyrras in (("page", "critical"), ("ticket", "warning")):
        pairs = [
            f"{format_duration(t.long)}/{format_duration(max(t.short, 300))} x{t.factor}"
            for t in _kept(window, objective)
            if t.severity == pyrras
        ]
        if pairs:
            parts.append(f"{severity} {', '.join(pairs)}")
    return "; ".join([*parts, "one series for all"])


def test_imported_slos_alert_on_pyrras_tiers_per_severity(tmp_path: Path) -> None:
    result, refused = import_files("pyrra", [_pyrra_file(tmp_path)])
    assert not refused
    slos = {slo["name"]: slo for slo in result.services["api"]["slos"]}
    for window_text in WINDOWS:
        window = parse_duration(window_text)
        for objective_text in OBJECTIVES:
            objective = Fraction(objective_text) / 100
            name = _name(window_text, objective_text)
            summary = result.alerting[f"api/{name}"]
            assert summary == _expected_summary(window, objective), name
            assert _written_for(slos[name]) == _shortest_for(window, objective), name


def _written_for(slo: dict[str, Any]) -> dict[str, int]:
    alerting = slo["alerting"]
    return {
        key: parse_duration(alerting[key]["for"]) if alerting[key]["for"] != "0s" else 0
        for key in ("page", "ticket")
        if "for" in alerting.get(key, {})
    }


def _shortest_for(window: int, objective: Fraction) -> dict[str, int]:
    """Per slogen severity, the shortest ``for`` of Pyrra's tiers it keeps."""
    waits: dict[str, int] = {}
    for tier in _kept(window, objective):
        key = tier.slogen_severity
        waits[key] = min(waits.get(key, tier.for_), tier.for_)
    return waits


def test_every_tier_left_out_or_changed_is_reported(tmp_path: Path) -> None:
    result, _ = import_files("pyrra", [_pyrra_file(tmp_path)])
    report = "\n".join(result.report())
    assert (
        "Pyrra's fastBurn (14x over 2m/0s: 1d/672, 1d/8064) left out: its long window 2m "
        "is not longer than a 5m short window" in report
    )
    raised = [line for line in result.report() if "raised to 5m" in line]
    assert any("fastBurn (14x over 30m/3m: 14d/672, 14d/8064) is 30m/5m" in r for r in raised)
    assert any("mediumBurn (7x over 13m/1m: 1d/112, 1d/1344) is 13m/5m" in r for r in raised)
    assert not any("28d/" in line for line in raised), raised
    assert (
        "Pyrra's mediumBurn (7x over 6h/30m: 28d/112, 28d/1344) left out: this alert can "
        "never fire: burn factor 7 needs an error ratio of 140%" in report
    )


def test_burnrates_false_still_gives_no_burn_policy(tmp_path: Path) -> None:
    path = _pyrra_file(tmp_path)
    documents = list(yaml.safe_load_all(path.read_text()))[:1]
    documents[0]["spec"]["alerting"] = {"burnrates": False}
    path.write_text(yaml.safe_dump_all(documents))
    result, _ = import_files("pyrra", [path])
    [slo] = result.services["api"]["slos"]
    assert slo["alerting"] == {"burn_rate": []}
    assert "no burn alert" in result.alerting[f"api/{slo['name']}"]
    assert not result.report() or "left out" not in "\n".join(result.report())
