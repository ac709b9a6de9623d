"""Rule groupings for rulers that limit groups (``rule_groups`` in defaults.yaml).

The guarantees of :mod:`slogen.rules.packing` are checked on the dependency graph of
the rules it really writes, read back from the rule files: each expression is parsed
and every selector of a recorded series is matched to the rule that records it.
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

import slogen
from slogen import verify
from tests.conftest import MINIMAL_SPEC, write_spec
from tests.random_specs import write_random_specs

IDENTITY = ("slo_service", "slo_name")

SECOND_SLO = """\
  - name: checkout
    objective: 99
    sli:
      events:
        errors: http_requests_total{job="shop", handler="/checkout", code=~"5.."}
        total: http_requests_total{job="shop", handler="/checkout"}
"""


def _settings(grouping: str, limit: int | None = None, **more: object) -> str:
    lines = ["rule_groups:", f"  grouping: {grouping}"]
    if limit is not None:
        lines.append(f"  max_rules_per_group: {limit}")
    lines += [f"  {key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


def _compile(directory: Path, settings: str | None) -> slogen.Bundle:
    (directory / "defaults.yaml").unlink(missing_ok=True)
    if settings is not None:
        (directory / "defaults.yaml").write_text(settings)
    return slogen.compile(slogen.load([directory]))


@pytest.fixture(scope="module")
def random_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded random set of 60 SLOs over every SLI kind, period and alerting option."""
    directory = tmp_path_factory.mktemp("random")
    write_random_specs(directory, slos=60)
    return directory


def _rule_files(files: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    return {
        path: yaml.safe_load(content)["groups"]
        for path, content in files.items()
        if path.startswith("prometheus/")
    }


def _reads(expr: str) -> list[tuple[str, dict[str, str]]]:
    """Every selector of an expression: its metric name and equality matchers."""
    found: list[tuple[str, dict[str, str]]] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            equal = {
                m.name: m.value
                for m in node.matchers.matchers
                if str(m.op) == str(promql_parser.MatchOp.Equal)
            }
            found.append((node.name, equal))
        elif isinstance(node, promql_parser.MatrixSelector):
            visit(node.vector_selector)
        elif isinstance(node, promql_parser.BinaryExpr):
            visit(node.lhs)
            visit(node.rhs)
        elif isinstance(node, promql_parser.Call):
            for arg in node.args:
                visit(arg)
        elif hasattr(node, "expr"):  # aggregations, parentheses, subqueries, unary minus
            visit(node.expr)

    visit(promql_parser.parse(expr))
    return found


def _key(rule: dict[str, Any]) -> tuple[str, str, str]:
    labels = rule.get("labels", {})
    return (rule.get("record") or rule["alert"], labels["slo_service"], labels["slo_name"])


def _backward_reads(groups: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Reads of a recording that is not earlier in the reader's group or in an earlier
    group (promtool's order), as (reader group, reader, recording); asserts on the
    way that every reading selector names the reader's own SLO and a written series."""
    written = {}
    for g, group in enumerate(groups):
        for r, rule in enumerate(group["rules"]):
            if "record" in rule:
                written.setdefault(_key(rule), (g, r))
    recorded = {name for name, _, _ in written}
    backward = []
    for g, group in enumerate(groups):
        for r, rule in enumerate(group["rules"]):
            me = _key(rule)
            for name, matchers in _reads(rule["expr"]):
                if name not in recorded:
                    continue  # a raw series
                assert tuple(matchers.get(label) for label in IDENTITY) == me[1:], (me, name)
                at = written[(name, *me[1:])]
                if at == (g, r):
                    continue  # first-seen reads its own earlier value
                if at[0] > g or (at[0] == g and at[1] > r):
                    backward.append((group["name"], me[0], name))
    return backward


def _by_rule(groups: list[dict[str, Any]]) -> dict[tuple[object, ...], tuple[str, str]]:
    """Each rule (its name and every label) with its group's name and interval."""
    return {
        (_key(rule)[0], *sorted(rule.get("labels", {}).items())): (group["name"], group["interval"])
        for group in groups
        for rule in group["rules"]
    }


@pytest.mark.parametrize("limit", [20, 12, 4])
def test_packed_groups_keep_the_limit_the_order_and_the_chains(
    random_tree: Path, limit: int
) -> None:
    per_slo = _rule_files(_compile(random_tree, None).files)
    packed = _rule_files(_compile(random_tree, _settings("packed", limit)).files)
    assert per_slo.keys() == packed.keys()
    cut = 0
    for path, groups in packed.items():
        assert all(len(group["rules"]) <= limit for group in groups), path
        assert _backward_reads(groups) == [], path
        before, after = _by_rule(per_slo[path]), _by_rule(groups)
        rules = [yaml.safe_dump(rule) for group in groups for rule in group["rules"]]
        deployed = [yaml.safe_dump(rule) for group in per_slo[path] for rule in group["rules"]]
        assert Counter(rules) == Counter(deployed)  # the same rules, only regrouped
        for rule, (_, interval) in after.items():
            assert interval == before[rule][1]  # no interval merged into another
        # a chain (one SLO's rules of one stage) that fits stays in one group
        chains: dict[str, set[str]] = {}
        for rule, (name, _) in after.items():
            chains.setdefault(before[rule][0], set()).add(name)
        for chain, names in chains.items():
            size = sum(1 for rule in before if before[rule][0] == chain)
            assert len(names) == 1 or size > limit, (chain, names)
            cut += len(names) > 1
        # first-fit: no two whole groups of a stage would fit into one
        for one, other in itertools.combinations(groups, 2):
            stage = one["name"].split(":")[2]
            if stage != other["name"].split(":")[2] or _holds_a_cut(one, other, before, limit):
                continue
            assert len(one["rules"]) + len(other["rules"]) > limit, (one["name"], other["name"])
    assert (cut > 0) == (limit < 15), "the small limits must cut the 15-rule sli chains"


def _holds_a_cut(
    one: dict[str, Any],
    other: dict[str, Any],
    before: dict[tuple[object, ...], tuple[str, str]],
    limit: int,
) -> bool:
    """Whether either group is a piece of a chain longer than the limit."""
    for group in (one, other):
        first = group["rules"][0]
        chain = before[(_key(first)[0], *sorted(first.get("labels", {}).items()))][0]
        if sum(1 for rule in before.values() if rule[0] == chain) > limit:
            return True
    return False


def test_per_service_groups_are_one_per_interval_in_evaluation_order(random_tree: Path) -> None:
    files = _rule_files(_compile(random_tree, _settings("per-service")).files)
    for path, groups in files.items():
        service = path.removeprefix("prometheus/").removesuffix(".rules.yml")
        assert [g["name"] for g in groups] == [f"slogen:{service}:1m", f"slogen:{service}:5m"]
        # the only reads against promtool's order: budget alerts read the budget
        # remaining the 5m group records, as every read across groups does live
        backward = set(_backward_reads(groups))
        assert backward <= {
            (f"slogen:{service}:1m", alert, "slo:error_budget_remaining:ratio")
            for alert in ("SLOErrorBudgetLow", "SLOErrorBudgetExhausted")
        }


def test_the_default_and_an_explicit_per_slo_write_the_same_bytes(tmp_path: Path) -> None:
    write_spec(tmp_path / "a", "shop.yaml", MINIMAL_SPEC + SECOND_SLO)
    write_spec(tmp_path / "b", "shop.yaml", MINIMAL_SPEC + SECOND_SLO)
    default = _compile(tmp_path / "a", None).files
    explicit = _compile(tmp_path / "b", _settings("per-slo")).files
    assert dict(default) == dict(explicit)


def test_per_service_and_packed_rules_pass_promtool_and_mimirtools_shape(
    random_tree: Path, promtool: str, tmp_path: Path
) -> None:
    for grouping, limit in (("per-service", None), ("packed", 20)):
        files = dict(_compile(random_tree, _settings(grouping, limit, mimirtool="true")).files)
        results = verify.verify(files)
        assert results and all(r.ok for r in results), "\n".join(map(str, results))
        mimir = {p: c for p, c in files.items() if p.startswith("mimir/")}
        assert len(mimir) == len(_rule_files(files))
        for path, content in mimir.items():
            service = path.removeprefix("mimir/").removesuffix(".yaml")
            document = yaml.safe_load(content)
            assert set(document) == {"namespace", "groups"} and document["namespace"] == service
            rules = yaml.safe_load(files[f"prometheus/{service}.rules.yml"])["groups"]
            assert document["groups"] == rules
            plain = tmp_path / f"{grouping}-{service}.yml"
            plain.write_text(yaml.safe_dump({"groups": document["groups"]}))
            checked = subprocess.run(
                [promtool, "check", "rules", str(plain)], capture_output=True, text=True
            )
            assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not any(p.startswith("mimir/") for p in _compile(random_tree, None).files)


def _outcome(files: dict[str, bytes]) -> bool:
    results = verify.prove(files)
    return bool(results) and all(result.ok for result in results)


def test_packed_proofs_pass_and_catch_a_broken_rule(tmp_path: Path, promtool: str) -> None:
    """One SLO: the proofs run the deployed packed file itself, so breaking it must fail
    them (the page factor 8% too high, as in ``test_testgen``)."""
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC)
    files = dict(_compile(tmp_path, _settings("packed", 20)).files)
    deployed = files["prometheus/shop.rules.yml"].decode()
    assert "slogen:shop:sli:1" in deployed and "shop/availability.rules.yml" not in files
    assert _outcome(files)
    assert "> 14.4" in deployed
    assert not _outcome(
        {**files, "prometheus/shop.rules.yml": deployed.replace("> 14.4", "> 15.5").encode()}
    )


def test_shared_groups_prove_each_slos_share_as_deployed(tmp_path: Path, promtool: str) -> None:
    """Two SLOs in one per-service group: each proof runs its share, the deployed
    groups with its rules alone in deployed order; a broken share fails."""
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC + SECOND_SLO)
    files = dict(_compile(tmp_path, _settings("per-service")).files)
    deployed = yaml.safe_load(files["prometheus/shop.rules.yml"])["groups"]
    for slo in ("availability", "checkout"):
        share = yaml.safe_load(files[f"tests/shop/{slo}.rules.yml"])["groups"]
        mine = [
            {**group, "rules": [r for r in group["rules"] if r["labels"]["slo_name"] == slo]}
            for group in deployed
        ]
        assert share == [group for group in mine if group["rules"]]
    checks = yaml.safe_load(files["tests/shop.recordings.rules.yml"])["groups"]
    assert [group["name"] for group in checks] == ["slogen:shop:1m"]
    assert _outcome(files)
    share = files["tests/shop/availability.rules.yml"].decode()
    assert "> 14.4" in share
    broken = {
        **files,
        "tests/shop/availability.rules.yml": share.replace("> 14.4", "> 15.5").encode(),
    }
    assert not _outcome(broken)


def test_thanos_partial_response_is_on_every_group_and_off_where_promtool_runs(
    tmp_path: Path, promtool: str
) -> None:
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC)
    settings = _settings("packed", 20, mimirtool="true", partial_response_strategy="abort")
    files = dict(_compile(tmp_path, settings).files)
    for path in ("prometheus/shop.rules.yml", "kubernetes/shop.yaml"):
        document = yaml.safe_load(files[path])
        groups = document["groups"] if "groups" in document else document["spec"]["groups"]
        assert {group["partial_response_strategy"] for group in groups} == {"abort"}, path
    for path, content in files.items():
        if path.startswith(("mimir/", "tests/")):
            assert b"partial_response_strategy" not in content, path
    assert "tests/shop/availability.rules.yml" in files  # promtool cannot run the deployed file
    assert all(result.ok for result in verify.verify(files))
    assert _outcome(files)


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        pytest.param(_settings("bogus"), "rule_groups.grouping", id="unknown-grouping"),
        pytest.param(_settings("packed", 0), "rule_groups.max_rules_per_group", id="zero-limit"),
        pytest.param(
            "rule_groups: {grouping: packed, max_rules_per_group: '20'}\n",
            "rule_groups.max_rules_per_group",
            id="limit-as-text",
        ),
        pytest.param(
            _settings("per-service", 20), "applies only to grouping: packed", id="limit-unread"
        ),
        pytest.param(
            _settings("packed", partial_response_strategy="ignore"),
            "rule_groups.partial_response_strategy",
            id="thanos-strategy",
        ),
        pytest.param(
            _settings("packed", mimirtool="yes please"), "rule_groups.mimirtool", id="mimirtool"
        ),
        pytest.param("rule_groups: {grouping: packed, limit: 20}\n", "limit", id="unknown-key"),
    ],
)
def test_bad_settings_are_refused_where_written(
    tmp_path: Path,
    run_cli,
    settings: str,
    said: str,  # type: ignore[no-untyped-def]
) -> None:
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC)
    (tmp_path / "defaults.yaml").write_text(settings)
    result = run_cli("validate", str(tmp_path))
    assert result.code == 2, result.out + result.err
    assert "defaults.yaml" in result.err and said in result.err, result.err
