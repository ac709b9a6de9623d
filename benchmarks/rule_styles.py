"""One SLO written in three styles (slogen's, Sloth's, Pyrra's) on one backfilled history.

The benchmarks compare the rules each style needs for the same SLO, shop/availability,
99.9% over 30 days, on the same raw counters (``tests/synthetic_history.py``), on the
real Prometheus (``tests/prometheus_harness.py``). slogen's rules are compiled from a
spec; Sloth's and Pyrra's are in ``benchmarks/styles/``, each rule commented with the
peer rule it mirrors. The "floor" is a fourth style: only the two raw 5m rates that
every style must read once a minute.

Backfilling a month of recordings is what makes such a benchmark slow, and most of it
is not needed: a rule measured at one instant reads its inputs only over its window.
So each recording is backfilled only over the span that the rules reading it cover
(``spans``), transitively: a 30d window over a 5m recording needs that recording for
30 days, a rule read by an instant selector only for the last five minutes.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import slogen
from slogen.durations import parse_duration
from tests.prometheus_harness import backfill_recordings, load_history
from tests.rule_schedule import backfill_offset_ms, last_evaluation_ms
from tests.synthetic_history import History

HERE = Path(__file__).resolve().parent
MINUTE_MS = 60_000
LOOKBACK_MS = 5 * MINUTE_MS  # an instant selector finds a sample up to 5m old
RULES_DIR = Path(tempfile.gettempdir()) / "slogen-bench-rules"
ERRORS = 'http_requests_total{job="shop", code=~"5.."}'
TOTAL = 'http_requests_total{job="shop"}'
OBJECTIVE = 0.999
PERIOD_DAYS = 30

SPEC = """\
service: shop
team: web
window: {window}
runbook: https://runbooks.example.com/{{service}}#{{slo}}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: {errors}
        total: {total}
"""
"""slogen's spec of the SLO, ``window`` left open: ``30d`` for the peers' comparison,
a calendar window to count what the period-to-date rules cost."""

# What every style must read: the raw 5m rates of errors and total, once a minute.
FLOOR = f"""\
groups:
- name: floor
  interval: 1m
  rules:
  - record: floor:errors:rate5m
    expr: sum(rate({ERRORS}[5m]))
  - record: floor:total:rate5m
    expr: sum(rate({TOTAL}[5m]))
"""
# What may follow a metric name: its matchers, then a range (or subquery) to read.
_RANGE = re.compile(r"\s*(?:\{[^}]*\})?\s*\[(?P<window>[0-9a-z]+)(?::[0-9a-z]*)?\]")
# A subquery's range and the offset of a range selector, which reach further back.
_SUBQUERY = re.compile(r"\)\s*\[(?P<window>[0-9a-z]+):[0-9a-z]*\]")
_OFFSET = re.compile(r"\s*offset\s+(?P<offset>[0-9a-z]+)")


def slogen_rules(directory: Path, window: str = f"{PERIOD_DAYS}d") -> str:
    """slogen's rule file for the benchmark SLO, compiled from ``SPEC``."""
    specs = directory / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    (specs / "shop.yaml").write_text(SPEC.format(window=window, errors=ERRORS, total=TOTAL))
    bundle = slogen.compile(slogen.load([specs]))
    return bundle.files["prometheus/shop.rules.yml"].decode()


def styles(directory: Path, window: str = f"{PERIOD_DAYS}d") -> dict[str, str]:
    """Every style's rule file text, by style name; the peers' are always 30d."""
    return {
        "floor": FLOOR,
        "slogen": slogen_rules(directory, window),
        "sloth": (HERE / "styles" / "sloth.rules.yml").read_text(),
        "pyrra": (HERE / "styles" / "pyrra.rules.yml").read_text(),
    }


@dataclass(frozen=True)
class Rule:
    """One rule with what the schedule needs to know about its group."""

    name: str  # record or alert name
    expr: str
    labels: dict[str, str]
    group: str
    interval_s: int
    is_record: bool

    @property
    def per_minute(self) -> float:
        """Evaluations a minute: a group every 5 minutes counts 1/5."""
        return 60 / self.interval_s

    @property
    def selector(self) -> str:
        """A selector for the series this recording writes (its name and labels)."""
        matchers = [f'__name__="{self.name}"'] + [f'{k}="{v}"' for k, v in self.labels.items()]
        return "{" + ", ".join(matchers) + "}"


def rules_of(text: str) -> list[Rule]:
    """The rules of a rule file in file order."""
    found = []
    for group in yaml.safe_load(text)["groups"]:
        interval = parse_duration(group.get("interval", "1m"))
        for rule in group["rules"]:
            found.append(
                Rule(
                    name=rule.get("record") or rule["alert"],
                    expr=rule["expr"],
                    labels={k: str(v) for k, v in (rule.get("labels") or {}).items()},
                    group=group["name"],
                    interval_s=interval,
                    is_record="record" in rule,
                )
            )
    return found


def reads(rule: Rule, records: set[str]) -> Iterator[tuple[str, int]]:
    """The recordings a rule reads and how far back each, in ms (5m for an instant
    selector: the lookback). A subquery in the rule reaches its range further back
    for every read (more than needed for reads outside it, never less), and an
    offset its own."""
    subquery = max(
        (parse_duration(m.group("window")) * 1000 for m in _SUBQUERY.finditer(rule.expr)),
        default=0,
    )
    for name in records - {rule.name}:
        pattern = re.compile(rf"(?<![a-zA-Z0-9_:]){re.escape(name)}(?![a-zA-Z0-9_:])")
        for match in pattern.finditer(rule.expr):
            window = _RANGE.match(rule.expr, match.end())
            reach = parse_duration(window.group("window")) * 1000 if window else LOOKBACK_MS
            offset = _OFFSET.match(rule.expr, window.end() if window else match.end())
            if offset:
                reach += parse_duration(offset.group("offset")) * 1000
            yield name, reach + subquery


def evaluation_ms(rule: Rule, rule_file: Path, at_ms: int) -> int:
    """The rule's group's last evaluation at or before ``at_ms``."""
    offset = backfill_offset_ms(rule.group, rule_file, rule.interval_s)
    return last_evaluation_ms(at_ms, offset, rule.interval_s)


def spans(
    rules: Sequence[Rule],
    rule_file: Path,
    first_ms: int,
    last_ms: int,
    measured: Collection[str] | None = None,
) -> dict[str, tuple[int, int]]:
    """From when to when each recording must exist for every rule to be measured (or
    read) at its group's evaluations from ``first_ms`` to ``last_ms``.

    A rule evaluated over ``[lo, hi]`` that reads a recording over window ``w`` needs
    it over ``[lo - w, hi]``; followed through every level until nothing grows. One
    interval more at the start makes sure the first needed evaluation is included,
    and a second more at the end the last. Only the rules named in ``measured`` (all
    when None) and what they read are needed.
    """
    records = {r.name for r in rules if r.is_record}
    need = {
        r.name: (evaluation_ms(r, rule_file, first_ms), evaluation_ms(r, rule_file, last_ms))
        for r in rules
        if measured is None or r.name in measured
    }
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.name not in need:
                continue
            lo, hi = need[rule.name]
            for name, window in reads(rule, records):
                old = need.get(name, (lo - window, hi))
                new = (min(old[0], lo - window), max(old[1], hi))
                if new != need.get(name):
                    need[name], changed = new, True
    interval = {r.name: r.interval_s * 1000 for r in rules}
    # promtool truncates --end to whole seconds: a second more keeps the last evaluation.
    return {
        name: (lo - interval[name], hi + 1000) for name, (lo, hi) in need.items() if name in records
    }


def rule_file_for(directory: Path, style: str, rules: Sequence[Rule]) -> Path:
    """A rule file path whose groups never evaluate on a scrape, nor in the last second
    before one of promtool's block boundaries.

    Group offsets hash the file path. A group on a scrape would read one more raw
    sample per series (both ends of a range count in Prometheus 2) than it does live
    almost everywhere else. And promtool ends each block's range query on the whole
    second before the boundary (it truncates to seconds), so an evaluation in that
    last second is never written: a 30d window would miss one sample per boundary.
    Block boundaries are multiples of every interval here, so both depend only on
    the offset. Such paths are skipped.
    """
    groups = {(r.group, r.interval_s * 1000) for r in rules}
    for n in range(100):
        path = directory / f"{style}-{n}.rules.yml"
        offsets = [(backfill_offset_ms(g, path, i // 1000), i) for g, i in groups]
        if all(o % math.gcd(i, MINUTE_MS) and o % i < i - 1000 for o, i in offsets):
            return path
    raise AssertionError(f"no rule file path for {style} keeps its groups off the scrapes")


@dataclass(frozen=True)
class Backfilled:
    """A data directory with the raw history and every style's recordings."""

    data: Path
    rule_files: dict[str, Path]
    rules: dict[str, list[Rule]]


def backfill_styles(
    history: History,
    texts: Mapping[str, str],
    first_ms: int,
    last_ms: int,
    workdir: Path,
    rules_dir: Path = RULES_DIR,
    measured: Mapping[str, Collection[str]] | None = None,
) -> Backfilled:
    """Load the history and backfill each style's recordings over the spans that
    measuring (or reading) its rules from ``first_ms`` to ``last_ms`` needs.

    The rule files go to ``rules_dir``, by default the same directory on every run:
    the groups' offsets hash the path, and a fixed path keeps every figure the same
    from run to run. ``measured`` names, per style, the rules that will be read (all
    when None); recordings that none of them needs are left out.
    """
    rules_dir.mkdir(parents=True, exist_ok=True)
    data = load_history(history.write_openmetrics(workdir / "history.om"), workdir, 3600)
    (workdir / "history.om").unlink()
    files, parsed = {}, {}
    for style, text in texts.items():
        rules = rules_of(text)
        rule_file = rule_file_for(rules_dir, style, rules)
        wanted = None if measured is None else measured[style]
        needed = spans(rules, rule_file, first_ms, last_ms, wanted)
        backfill_recordings(data, _keep(text, needed), rule_file, needed.__getitem__, workdir)
        files[style], parsed[style] = rule_file, rules
    return Backfilled(data, files, parsed)


def _keep(text: str, records: Collection[str]) -> str:
    """A rule file with only the named recordings (and no alerts)."""
    groups = []
    for group in yaml.safe_load(text)["groups"]:
        kept = [r for r in group["rules"] if r.get("record") in records]
        if kept:
            groups.append({**group, "rules": kept})
    return yaml.safe_dump({"groups": groups}, sort_keys=False)


def missing_recordings(
    server: Any, rules: Sequence[Rule], rule_file: Path, at_ms: int
) -> list[str]:
    """Recordings with no sample at their group's evaluation before ``at_ms``:
    promtool reports success for a rule whose inputs were missing and writes nothing."""
    missing = []
    for rule in rules:
        if rule.is_record:
            at = evaluation_ms(rule, rule_file, at_ms)
            if not server.query(f"{rule.selector}[1ms]", at):
                missing.append(f"{rule.name} at {at}")
    return missing
