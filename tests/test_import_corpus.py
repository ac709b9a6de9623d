"""A corpus of real-world-shaped Sloth, Pyrra and OpenSLO specs, imported, compiled,
checked by promtool and proven.

Migration is how users arrive at slogen: they bring a repository of another tool's
specs and run ``slogen import``. The tools' own examples are tidy; real repositories
are not. They group queries ``by (request_host)`` or ``by (cluster_id, namespace)``,
keep one ``PrometheusServiceLevel`` per SLO with several files per service, run
background jobs at 80-93% where Sloth's fastest windows cannot fire, copy series
labels into alert labels with templates (``'{{ .Labels.cluster_id }}'``), put the
runbook in a ``runbook_url`` annotation, give Pyrra SLOs one- and seven-day windows,
and quote OpenSLO targets (``target: '0.99'``). An import that only works on the
examples fails such users on their first command, or worse, imports an SLO that
alerts fleet-wide where the source alerted per host.

The specs under ``tests/data/import_corpus/<format>/`` were written for this test, in
the shapes found in public repositories; none is a copy. For each format the whole
directory is imported in one run, as ``slogen import`` does, and:

1. nothing is refused, and the specs written compile;
2. every generated rule file passes ``promtool check rules``;
3. the generated proofs pass ``promtool test rules``, no proof file is empty, every
   SLO has scenarios, and the SLOs whose queries are not one counter are proven from
   their 5m recordings on (and said so), never left without proofs;
4. each SLO alerts as the source tool did: Sloth's four windows, Pyrra's tiers, the
   OpenSLO period, objective and burn-rate conditions, with the grouping the source
   gave, and what slogen leaves out reported;
5. templated labels never reach the rules as literals, and runbook URLs reach the
   SLO's runbook.

Each SLO's proofs run on its own rule groups, so proving the corpus costs about the
same however its SLOs are spread over services.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import pytest
import yaml

import slogen
from slogen import importers
from slogen.durations import format_duration, parse_duration
from slogen.importers.pyrra_alerting import PyrraTier, pyrra_tiers
from slogen.model import BASE_WINDOW, SLO

CORPUS = Path(__file__).resolve().parent / "data" / "import_corpus"
FORMATS = ("openslo", "pyrra", "sloth")
DAY = 86400
MINIMUM_SLOS = 40

FROM_RECORDINGS = {
    "sloth": {
        ("ingress-nginx", "requests-latency"),  # errors are _count minus one _bucket
        ("payments", "authorisation-errors"),  # a raw error ratio
        ("public-endpoints", "probe-success"),  # a raw error ratio of a gauge
    },
    "pyrra": {
        ("orders-consumer", "orders-consumer-latency"),  # latencyNative
        ("prometheus", "prometheus-query-latency"),  # latencyNative
    },
    "openslo": set(),
}
"""The SLOs whose series promtool's notation cannot write (queries that are not one
counter, native histograms): their proofs start at the 5m recordings."""

Key = tuple[str, str]
"""(service, slo) as the compiled model names an SLO."""


class Pair(NamedTuple):
    """One burn-rate window pair as a tool alerts on it; seconds."""

    severity: str
    factor: Fraction
    long: int
    short: int

    def windows(self) -> str:
        return f"{format_duration(self.long)}/{format_duration(self.short)}"


# --- the import, once per format ---------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    """One format's corpus, imported in one run and compiled."""

    result: importers.Imported
    bundle: slogen.Bundle

    def slos(self) -> dict[Key, SLO]:
        return {(slo.service, slo.name): slo for slo in self.bundle.model.slos()}

    def reported(self, file: Path, field: str = "") -> str:
        """Every loss the import reported for ``file`` (Pyrra's name ``file:line``),
        at ``field`` when given, one per line."""
        return "\n".join(
            loss.message
            for loss in self.result.losses
            if loss.file.split(":")[0] == str(file) and (not field or loss.field == field)
        )


def _files(format: str) -> list[Path]:
    return sorted((CORPUS / format).glob("*.yaml"))


def _import(format: str, scratch: Path) -> Compiled:
    result, refused = importers.import_files(format, _files(format))
    assert not refused, "\n".join(str(problem) for problem in refused)
    specs = scratch / "specs"
    specs.mkdir()
    for name, content in importers.spec_files(result).items():
        (specs / name).write_bytes(content)
    return Compiled(result, slogen.compile(slogen.load([specs])))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Compiled]:
    """Each format is imported and compiled once for all the tests of the module."""
    built: dict[str, Compiled] = {}

    def get(format: str) -> Compiled:
        if format not in built:
            built[format] = _import(format, tmp_path_factory.mktemp(format))
        return built[format]

    return get


# --- what the source files say, read here without slogen's importers ---------------


class Source(Protocol):
    """What every format's source says of one SLO."""

    @property
    def file(self) -> Path: ...
    @property
    def key(self) -> Key: ...
    @property
    def objective(self) -> Fraction: ...
    @property
    def period(self) -> int: ...
    @property
    def runbook(self) -> str | None: ...


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    """Each object of a file, the items of a ``kubectl get -o yaml`` List one by one."""
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if isinstance(document, dict) and document.get("kind") == "List":
            yield from document["items"]
        elif isinstance(document, dict):
            yield document


@dataclass(frozen=True)
class SlothSLO:
    file: Path
    where: str
    """``slos[0]``: where the importer reports it."""
    key: Key
    objective: Fraction
    period: int
    group_by: tuple[str, ...]
    disabled: frozenset[str]
    runbook: str | None
    templated: tuple[str, ...]
    """The fields of alert labels whose values are templates."""


_BY = re.compile(r"\bby\s*\(([^)]*)\)")
SLOTH_PERIOD = 30 * DAY
"""Sloth's --default-slo-period; the corpus was written for it."""
SLOTH_WINDOWS = (
    Pair("page", Fraction("14.4"), 3600, 300),
    Pair("page", Fraction(6), 6 * 3600, 1800),
    Pair("ticket", Fraction(3), DAY, 2 * 3600),
    Pair("ticket", Fraction(1), 3 * DAY, 6 * 3600),
)
"""Sloth's built-in windows for 30 days (2%/1h, 5%/6h, 10%/1d, 10%/3d)."""


def _sloth_field(node: Mapping[str, Any], snake: str) -> Any:
    """A key as ``prometheus/v1`` spells it, or as the CRD does (``errorQuery``)."""
    head, *rest = snake.split("_")
    return node.get(snake, node.get(head + "".join(word.title() for word in rest)))


def _sloth_by(query: str) -> tuple[str, ...]:
    """The labels a Sloth query groups by; every ``by`` in it must agree."""
    found = [
        tuple(label.strip() for label in by.split(",") if label.strip())
        for by in _BY.findall(query)
    ]
    assert len({frozenset(by) for by in found}) <= 1, query
    return found[0] if found else ()


def _sloth_runbook(places: Sequence[Mapping[str, Any]]) -> str | None:
    for place in places:
        annotations = place.get("annotations") or {}
        for key in ("runbook_url", "runbook"):
            if annotations.get(key):
                return str(annotations[key])
    return None


def _sloth_slo(path: Path, service: str, index: int, slo: Mapping[str, Any]) -> SlothSLO:
    sli = slo["sli"]
    events, raw = sli.get("events"), sli.get("raw")
    query = (
        _sloth_field(events, "error_query") if events else _sloth_field(raw, "error_ratio_query")
    )
    alerting = slo.get("alerting") or {}
    severities = {key: _sloth_field(alerting, f"{key}_alert") or {} for key in ("page", "ticket")}
    where = f"slos[{index}]"
    places = {"alerting": alerting, **{f"alerting.{k}_alert": v for k, v in severities.items()}}
    templated = tuple(
        f"{where}.{place}.labels.{label}"
        for place, node in places.items()
        for label, value in (node.get("labels") or {}).items()
        if "{{" in str(value)
    )
    return SlothSLO(
        file=path,
        where=where,
        key=(service, slo["name"]),
        objective=Fraction(str(slo["objective"])) / 100,
        period=SLOTH_PERIOD,
        group_by=_sloth_by(query),
        disabled=frozenset(key for key, node in severities.items() if node.get("disable")),
        runbook=_sloth_runbook([alerting, *severities.values()]),
        templated=templated,
    )


def sloth_slos() -> list[SlothSLO]:
    found = []
    for path in _files("sloth"):
        for document in _documents(path):
            body = document if document.get("version") == "prometheus/v1" else document["spec"]
            found += [
                _sloth_slo(path, body["service"], index, slo)
                for index, slo in enumerate(body["slos"])
            ]
    return found


@dataclass(frozen=True)
class PyrraSLO:
    file: Path
    key: Key
    objective: Fraction
    period: int
    indicator: str
    group_by: tuple[str, ...]
    runbook: str | None


PYRRA_SEVERITY = {"critical": "page", "warning": "ticket"}
"""slogen's severity for each of Pyrra's tier severities."""


def pyrra_slos() -> list[PyrraSLO]:
    found = []
    for path in _files("pyrra"):
        for document in _documents(path):
            metadata, spec = document["metadata"], document["spec"]
            labels = metadata.get("labels") or {}
            [(indicator, body)] = spec["indicator"].items()
            found.append(
                PyrraSLO(
                    file=path,
                    key=(
                        labels.get("pyrra.dev/service") or labels["app.kubernetes.io/name"],
                        metadata["name"],
                    ),
                    objective=Fraction(spec["target"]) / 100,
                    period=parse_duration(spec["window"]),
                    indicator=indicator,
                    group_by=tuple(body.get("grouping") or ()),
                    runbook=(metadata.get("annotations") or {}).get("pyrra.dev/runbook_url"),
                )
            )
    return found


def pyrra_expected(slo: PyrraSLO) -> tuple[set[Pair], list[PyrraTier]]:
    """Pyrra's tiers for the SLO's window as slogen keeps them (short windows raised to
    5m), and those left out: a long window of 5m or less, or a factor the target rules
    out (more than 100% errors needed)."""
    kept, left_out = set(), []
    for tier in pyrra_tiers(slo.period):
        if tier.long <= BASE_WINDOW or tier.factor * (1 - slo.objective) >= 1:
            left_out.append(tier)
            continue
        short = max(tier.short, BASE_WINDOW)
        kept.add(Pair(PYRRA_SEVERITY[tier.severity], Fraction(tier.factor), tier.long, short))
    return kept, left_out


@dataclass(frozen=True)
class OpenSLO:
    file: Path
    key: Key
    target: object
    """As the file writes it (a quoted string in the corpus)."""
    objective: Fraction
    period: int
    conditions: frozenset[tuple[str, Fraction, int]]
    """(severity, burn rate, lookback window) of every burnrate condition it refers to."""
    runbook: str | None


OPENSLO_SEVERITY = {"critical": "page", "warning": "ticket"}


def _openslo_objects() -> dict[tuple[str, str], tuple[Path, dict[str, Any]]]:
    return {
        (obj["kind"], obj["metadata"]["name"]): (path, obj)
        for path in _files("openslo")
        for obj in _documents(path)
    }


def openslo_slos() -> list[OpenSLO]:
    objects = _openslo_objects()

    def condition(name: str) -> tuple[str, Fraction, int]:
        spec = objects[("AlertCondition", name)][1]["spec"]
        burn = spec["condition"]
        return (
            OPENSLO_SEVERITY[spec["severity"]],
            Fraction(str(burn["threshold"])),
            parse_duration(burn["lookbackWindow"]),
        )

    found = []
    for (kind, name), (path, obj) in objects.items():
        if kind != "SLO":
            continue
        spec = obj["spec"]
        policies = [
            objects[("AlertPolicy", p["alertPolicyRef"])][1] for p in spec.get("alertPolicies", [])
        ]
        conditions = frozenset(
            condition(c["conditionRef"]) for p in policies for c in p["spec"]["conditions"]
        )
        objectives = spec["objectives"]
        for objective in objectives:
            slo = name if len(objectives) == 1 else f"{name}-{objective['displayName']}"
            found.append(
                OpenSLO(
                    file=path,
                    key=(spec["service"], slo),
                    target=objective["target"],
                    objective=Fraction(str(objective["target"])),
                    period=parse_duration(spec["timeWindow"][0]["duration"]),
                    conditions=conditions,
                    runbook=(obj["metadata"].get("annotations") or {}).get("runbook_url"),
                )
            )
    return found


SOURCES: dict[str, Callable[[], Sequence[Source]]] = {
    "openslo": openslo_slos,
    "pyrra": pyrra_slos,
    "sloth": sloth_slos,
}


def _burn(slo: SLO) -> set[Pair]:
    """The window pairs an SLO alerts on, of its enabled severities."""
    enabled = {severity.key for severity in slo.alerting.severities if severity.enabled}
    return {
        Pair(pair.severity, pair.factor, pair.long, pair.short)
        for pair in slo.alerting.burn
        if pair.severity in enabled
    }


# --- the corpus is what it claims to be --------------------------------------------


def test_the_corpus_has_the_shapes_real_repositories_have() -> None:
    """A guard on the corpus itself, so that trimming it cannot quietly drop what
    the other tests are about."""
    sloth, pyrra, openslo = sloth_slos(), pyrra_slos(), openslo_slos()
    assert len(sloth) + len(pyrra) + len(openslo) >= MINIMUM_SLOS
    assert {s.objective * 100 for s in sloth} >= {
        Fraction(n) for n in ("80", "85", "90", "93", "95", "99", "99.5", "99.9", "99.95", "99.99")
    }
    assert any(s.group_by == ("cluster_id", "namespace") for s in sloth)
    assert any(s.disabled == {"page"} for s in sloth) and any(
        s.disabled == {"ticket"} for s in sloth
    )
    assert any(s.templated for s in sloth)
    services = {s.key[0]: {t.file for t in sloth if t.key[0] == s.key[0]} for s in sloth}
    assert max(len(files) for files in services.values()) >= 3, "one CR per SLO, several files"
    assert {s.period for s in pyrra} == {DAY, 7 * DAY, 28 * DAY}
    assert {s.indicator for s in pyrra} == {"ratio", "latency", "latencyNative", "bool_gauge"}
    assert all(isinstance(s.target, str) for s in openslo)
    assert any(s.conditions for s in openslo)


# --- 1-3: imports, compiles, passes promtool, proven -------------------------------


@pytest.mark.parametrize("format", FORMATS)
def test_every_slo_of_the_corpus_is_imported(
    format: str, corpus: Callable[[str], Compiled]
) -> None:
    compiled = corpus(format)
    assert set(compiled.slos()) == {source.key for source in SOURCES[format]()}
    assert set(compiled.result.alerting) == {f"{s}/{n}" for s, n in compiled.slos()}


@pytest.mark.parametrize("format", FORMATS)
def test_the_generated_rules_pass_promtool_check_rules(
    format: str, corpus: Callable[[str], Compiled], promtool: str
) -> None:
    bundle = corpus(format).bundle
    services = {slo.service for slo in bundle.model.slos()}
    assert {f"prometheus/{s}.rules.yml" for s in services} <= set(bundle.files)
    checked = bundle.check_rules()
    assert checked, "no rule file was checked"
    failed = [str(result) for result in checked if not result.ok]
    assert not failed, "\n\n".join(failed)


def _proof_files(bundle: slogen.Bundle) -> dict[str, Any]:
    return {
        path: yaml.safe_load(content)
        for path, content in bundle.files.items()
        if path.startswith("tests/") and path.endswith(".test.yml")
    }


@pytest.mark.parametrize("format", FORMATS)
def test_every_slo_has_proofs_and_they_pass(
    format: str, corpus: Callable[[str], Compiled], promtool: str
) -> None:
    """A proof file without tests prints SUCCESS and proves nothing; an SLO without
    scenarios is not proven at all. SLOs whose queries promtool cannot feed are
    proven from their 5m recordings on, and the coverage says which."""
    bundle = corpus(format).bundle
    proofs = _proof_files(bundle)
    empty = [path for path, document in proofs.items() if not document.get("tests")]
    assert not empty, empty
    coverage = {(c.service, c.slo): c for c in bundle.coverage()}
    assert all(c.alerts and c.scenarios > 0 for c in coverage.values()), coverage
    from_recordings = {key for key, c in coverage.items() if c.unproven is not None}
    assert from_recordings == FROM_RECORDINGS[format]
    proven = bundle.prove()
    assert len(proven) == len(proofs)
    failed = [str(result) for result in proven if not result.ok]
    assert not failed, "\n\n".join(failed)


# --- 4: alerting as the source tool's -----------------------------------------------


def test_imported_sloth_slos_alert_on_sloths_windows(corpus: Callable[[str], Compiled]) -> None:
    """Sloth's four 30-day windows, less those the objective rules out (a factor
    times the budget of 100% or more never fires, though Sloth writes it) and those
    of a disabled severity; grouped by the labels of the queries' ``by``."""
    compiled = corpus("sloth")
    slos = compiled.slos()
    left_out_somewhere = 0
    for source in sloth_slos():
        slo = slos[source.key]
        fires = [p for p in SLOTH_WINDOWS if p.factor * (1 - source.objective) < 1]
        expected = {p for p in fires if p.severity not in source.disabled}
        assert _burn(slo) == expected, source.key
        assert (slo.objective, slo.period) == (source.objective, source.period), source.key
        assert slo.group_by == source.group_by, source.key
        disabled = {s.key for s in slo.alerting.severities if not s.enabled}
        assert disabled == source.disabled, source.key
        reported = compiled.reported(source.file, f"{source.where}.objective")
        never = [p for p in SLOTH_WINDOWS if p not in fires]
        for pair in never:
            assert f"{pair.windows()} {pair.severity}" in reported, (source.key, reported)
        assert bool(never) == bool(reported), (source.key, reported)
        left_out_somewhere += bool(never)
    assert left_out_somewhere, "no objective of the corpus rules out a Sloth window"


def test_imported_pyrra_slos_alert_on_pyrras_tiers(corpus: Callable[[str], Compiled]) -> None:
    """Pyrra's tiers for each window: critical pages, warning tickets, its factors
    and long windows, short windows raised to 5m, tiers that 5-minute rates or the
    target cannot serve left out and reported; grouped by Pyrra's grouping."""
    compiled = corpus("pyrra")
    slos = compiled.slos()
    for source in pyrra_slos():
        slo = slos[source.key]
        kept, left_out = pyrra_expected(source)
        assert _burn(slo) == kept, source.key
        assert (slo.objective, slo.period) == (source.objective, source.period), source.key
        assert slo.group_by == source.group_by, source.key
        reported = compiled.reported(source.file)
        for tier in left_out:
            assert f"Pyrra's {tier.name} (" in reported, (source.key, tier)


def test_imported_openslo_slos_keep_period_objective_and_burn_conditions(
    corpus: Callable[[str], Compiled],
) -> None:
    """Quoted targets read as the number they hold, the rolling window as the
    period, and each burnrate condition as a pair of that burn rate and long window."""
    slos = corpus("openslo").slos()
    for source in openslo_slos():
        slo = slos[source.key]
        assert (slo.objective, slo.period) == (source.objective, source.period), source.key
        assert slo.alerting.burn, source.key
        if source.conditions:
            burned = {(p.severity, p.factor, p.long) for p in slo.alerting.burn}
            assert burned == source.conditions, source.key


# --- 5: templated labels and runbooks ----------------------------------------------


def _rule_texts(bundle: slogen.Bundle) -> Iterator[tuple[str, str]]:
    """(file, text) of every rule expression and rule label value."""
    for path, content in bundle.files.items():
        if not (path.startswith("prometheus/") and path.endswith(".rules.yml")):
            continue
        for group in yaml.safe_load(content)["groups"]:
            for rule in group["rules"]:
                yield path, rule["expr"]
                yield from ((path, str(value)) for value in (rule.get("labels") or {}).values())


@pytest.mark.parametrize("format", FORMATS)
def test_templated_labels_never_reach_the_rules_as_literals(
    format: str, corpus: Callable[[str], Compiled]
) -> None:
    """No rule label or expression holds a template: Prometheus does not expand
    labels, so every alert would carry ``{{ .Labels.cluster_id }}`` as its value.
    (Annotations do hold slogen's own ``{{ $labels.x }}``, which Prometheus expands.)
    Every templated label of the source is reported instead."""
    compiled = corpus(format)
    literal = [(path, text) for path, text in _rule_texts(compiled.bundle) if "{{" in text]
    assert not literal, literal
    go_templates = [
        path
        for path, content in compiled.bundle.files.items()
        if path.startswith("prometheus/") and b".Labels." in content
    ]
    assert not go_templates, go_templates
    if format == "sloth":
        templated = [(s.file, field) for s in sloth_slos() for field in s.templated]
        assert templated
        for file, field in templated:
            assert "template" in compiled.reported(file, field), (file, field)


@pytest.mark.parametrize("format", FORMATS)
def test_runbook_urls_reach_the_slos_runbook(
    format: str, corpus: Callable[[str], Compiled]
) -> None:
    slos = corpus(format).slos()
    sources = SOURCES[format]()
    assert any(source.runbook for source in sources)
    for source in sources:
        assert slos[source.key].runbook_url == source.runbook, source.key
