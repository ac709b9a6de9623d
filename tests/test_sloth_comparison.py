"""Imported Sloth specs mean what Sloth's own output means.

For every Sloth example that has Sloth's generated rules beside it (in
../shared/peers/sloth, whose README names the upstream commit and the command that
produced them), the spec is imported and compiled, and the resolved model is compared
with Sloth's rules: the same objective, the same burn factors and windows for the same
period, and the same SLI error-ratio queries. The tests skip, saying why, where that
directory is absent.

What is compared is meaning, not text: slogen's rules are shaped differently on
purpose (traffic-weighted windows over recorded 5-minute rates, constants inlined;
see the comparison with Sloth in docs/importers.md), so the SLI queries are compared as parsed
PromQL, and factors as numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from slogen import promql
from slogen.api import compile_model, load
from slogen.durations import parse_duration
from slogen.importers import import_files, spec_files
from slogen.model import SLO, EventsSLI, RatioSLI
from tests.conftest import ROOT

PEERS = ROOT.parent / "shared" / "peers" / "sloth"
needs_peers = pytest.mark.skipif(
    not PEERS.is_dir(), reason=f"Sloth's examples are not here ({PEERS} is absent)"
)
EXAMPLES = PEERS / "examples"
INTEGRATION = PEERS / "test" / "integration" / "prometheus" / "testdata"
PAIRS = {
    **{
        name: (EXAMPLES / name, EXAMPLES / "_gen" / name)
        for name in (
            "getting-started.yml",
            "kubernetes-apiserver.yml",
            "home-wifi.yml",
            "raw-home-wifi.yml",
            "no-alerts.yml",
            "multifile.yml",
            "k8s-getting-started.yml",
            "contrib-slo-plugins.yml",
            "contrib-denominator-corrected.yaml",
        )
    },
    "in-base.yaml": (INTEGRATION / "in-base.yaml", INTEGRATION / "out-base.yaml.tpl"),
}
CHANGED_BY_PLUGIN = {"contrib-denominator-corrected.yaml"}
"""Sloth's output there comes from a plugin that rewrites the SLI: not importable."""

_CLAUSE = re.compile(r"slo:sli_error:ratio_rate(\w+)\{[^}]*\} > \(([0-9.e+-]+) \*")


@dataclass(frozen=True)
class SlothSLO:
    """What Sloth's generated rules say about one SLO."""

    objective: float
    days: int
    burn: frozenset[tuple[str, float, int, int]]
    """(severity, factor, long, short) for every window pair Sloth alerts on."""
    error_ratio_5m: str


def _sloth_rules(path: Path) -> dict[tuple[str, str], SlothSLO]:
    text = path.read_text().replace("{{ .version }}", "dev")
    rules: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for document in yaml.safe_load_all(text):
        if not document:
            continue
        groups = document.get("groups") or document.get("spec", {}).get("groups", [])
        for group in groups:
            for rule in group["rules"]:
                labels = rule.get("labels", {})
                key = labels.get("sloth_service"), labels.get("sloth_slo")
                if None in key:
                    key = _alert_owner(rule["expr"])
                rules.setdefault(key, []).append(rule)
    return {key: _sloth_slo(found) for key, found in rules.items()}


def _alert_owner(expr: str) -> tuple[str, str]:
    service = re.search(r'sloth_service="([^"]+)"', expr)
    slo = re.search(r'sloth_slo="([^"]+)"', expr)
    assert service and slo, expr
    return service.group(1), slo.group(1)


def _sloth_slo(rules: list[dict[str, Any]]) -> SlothSLO:
    recorded = {rule["record"]: rule["expr"] for rule in rules if "record" in rule}
    burn = set()
    for rule in rules:
        if "alert" not in rule:
            continue
        clauses = _CLAUSE.findall(rule["expr"])
        assert clauses and len(clauses) % 2 == 0, rule["expr"]
        for (short, factor), (long, _) in zip(clauses[::2], clauses[1::2], strict=True):
            burn.add(
                (
                    rule["labels"]["sloth_severity"],
                    float(factor),
                    parse_duration(long),
                    parse_duration(short),
                )
            )
    objective = re.fullmatch(r"vector\(([0-9.e-]+)\)", recorded["slo:objective:ratio"].strip())
    assert objective
    days = re.fullmatch(r"vector\((\d+)\)", recorded["slo:time_period:days"].strip())
    assert days
    return SlothSLO(
        objective=float(objective.group(1)),
        days=int(days.group(1)),
        burn=frozenset(burn),
        error_ratio_5m=recorded["slo:sli_error:ratio_rate5m"],
    )


def _imported(source: Path, scratch: Path) -> tuple[dict[tuple[str, str], SLO], list[str]]:
    result, refused = import_files("sloth", [source])
    assert not refused, refused
    for name, content in spec_files(result).items():
        (scratch / name).write_bytes(content)
    model = compile_model(load(scratch))
    slos = {(slo.service, slo.name): slo for service in model.services for slo in service.slos}
    return slos, [str(loss) for loss in result.losses]


def _canonical(query: str) -> str:
    return str(promql_parser.parse(query))


def _slogen_error_ratio_5m(slo: SLO) -> str:
    """The 5-minute error ratio the imported SLI defines, as Sloth would write it."""
    sli = slo.sli
    if isinstance(sli, EventsSLI):  # Sloth's sum(rate(sel[window])) by (...) on each side
        assert sli.errors is not None, sli
        errors, total = (
            promql.sum_by(slo.group_by, f"rate({selector.range(300)})")
            for selector in (sli.errors, sli.total)
        )
        return f"({errors})\n/\n({total})"
    assert isinstance(sli, RatioSLI) and sli.errors is not None, sli
    errors = sli.errors.replace("$window", "5m")
    total = sli.total.replace("$window", "5m")
    if total.endswith(" * 0 + 1"):  # a raw Sloth SLI: the ratio itself, total 1 per series
        return errors
    return f"({errors})\n/\n({total})"


def _burn(slo: SLO) -> frozenset[tuple[str, float, int, int]]:
    enabled = {severity.key for severity in slo.alerting.severities if severity.enabled}
    return frozenset(
        (pair.severity, float(pair.factor), pair.long, pair.short)
        for pair in slo.alerting.burn
        if pair.severity in enabled
    )


def _same_burn(
    ours: frozenset[tuple[str, float, int, int]], theirs: frozenset[tuple[str, float, int, int]]
) -> bool:
    """Equal pairs, factors equal up to Sloth's float artefacts (0.0009999999999999432)."""
    key = sorted
    return len(ours) == len(theirs) and all(
        a[0] == b[0] and a[2:] == b[2:] and a[1] == pytest.approx(b[1], rel=1e-12)
        for a, b in zip(key(ours), key(theirs), strict=True)
    )


@needs_peers
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_an_imported_sloth_spec_means_what_sloths_rules_mean(name: str, tmp_path: Path) -> None:
    source, generated = PAIRS[name]
    ours, losses = _imported(source, tmp_path)
    theirs = _sloth_rules(generated)
    assert set(ours) == set(theirs), (sorted(ours), sorted(theirs))
    for key, sloth in sorted(theirs.items()):
        slo = ours[key]
        assert float(slo.objective) == pytest.approx(sloth.objective, rel=1e-12), key
        assert slo.period == sloth.days * 86400, key
        assert _same_burn(_burn(slo), sloth.burn), (key, sorted(_burn(slo)), sorted(sloth.burn))
        same_sli = _canonical(_slogen_error_ratio_5m(slo)) == _canonical(sloth.error_ratio_5m)
        if name in CHANGED_BY_PLUGIN:
            assert not same_sli, "the plugin no longer changes the SLI: compare it"
            assert any("slo_plugins" in loss for loss in losses), losses
        else:
            assert same_sli, (key, _slogen_error_ratio_5m(slo), sloth.error_ratio_5m)


@needs_peers
def test_sloth_factors_are_the_sre_workbook_ones(tmp_path: Path) -> None:
    """A guard on the comparison itself: Sloth's 30d factors are 14.4, 6, 3 and 1."""
    theirs = _sloth_rules(PAIRS["getting-started.yml"][1])
    (sloth,) = theirs.values()
    assert sorted(factor for _, factor, _, _ in sloth.burn) == [1, 3, 6, 14.4]
    assert Fraction(2, 100) * 30 * 24 == Fraction(144, 10)
