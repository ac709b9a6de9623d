"""A service's rules cut into the groups its rule file deploys, and each SLO's share.

Rulers limit groups, not rules: Mimir allows 20 rules per group and 70 groups per
tenant by default, and three groups per SLO pass the second at 24 SLOs. The grouping
(:mod:`slogen.model_rule_groups`) cuts the same rules another way:

- ``per-slo``: each SLO's three stages (:mod:`slogen.rules.groups`) in groups of their
  own, as slogen always wrote them;
- ``per-service``: one group per evaluation interval: every SLO's ``sli`` rules, then
  every SLO's alerts, every minute; every SLO's ``period`` rules every 5 minutes;
- ``packed``: one stage at a time, each SLO's rules of the stage (its *chain*: 15
  or so ``sli`` recordings, 3 ``period`` ones, 3 to 6 alerts) kept whole in one group,
  chains placed first-fit in decreasing size into groups of at most
  ``max_rules_per_group`` rules. A chain longer than the limit is cut, in evaluation
  order, into groups of its own: a rule then reads the recordings of an earlier cut
  from an earlier group.

What every grouping keeps: a group holds one evaluation interval; within a group every
recording comes before the rules that read it; no rule reads a recording of another
SLO (each reading selector names its own SLO), so how SLOs share a group changes no
value. ``per-slo`` and ``packed`` put groups in stage order, so a rule reads only its
own group (earlier in it) and earlier groups: promtool, which evaluates groups in the
order given, evaluates every recording before its readers. ``per-service`` has the
budget alerts (1m group) read the budget the 5m group records after it, from that
group's previous evaluation, as every cross-group read on a live ruler does.
``docs/rulers.md`` says what that means on Prometheus, Mimir and Thanos.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slogen import naming
from slogen.model import SLO, Service
from slogen.model_rule_groups import PACKED, PER_SERVICE, RuleGroups
from slogen.ruler_keys import PARTIAL_RESPONSE
from slogen.rules.groups import STAGES, Stage, every, raw_readers, slo_stages
from slogen.rules.types import Rule, RuleGroup


@dataclass(frozen=True)
class Part:
    """One SLO's rules inside a group, in evaluation order."""

    slo: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Packed:
    """A deployed group: its name, interval (seconds) and the SLOs' parts, in order."""

    name: str
    interval: int
    parts: tuple[Part, ...]

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for part in self.parts for rule in part.rules)


@dataclass(frozen=True)
class Deployed:
    """A service's groups as its rule file deploys them, and each SLO's share of them."""

    groups: tuple[Packed, ...]
    partial_response: str | None = None

    def dicts(self, *, thanos: bool = True) -> list[Mapping[str, object]]:
        """The groups as the rule file writes them; ``thanos`` False leaves out
        Thanos' key (for Mimir, whose ruler does not read it)."""
        return [
            self._dict(group.name, group.interval, group.rules, thanos) for group in self.groups
        ]

    def slo_share(self, slo: SLO, from_recordings: bool = False) -> list[Mapping[str, object]]:
        """The groups holding the SLO's rules, with its rules alone, in the deployed
        order: the rules its proofs run. ``from_recordings`` also leaves out its two
        rules that read raw series. No rule reads another SLO's recordings, so the
        SLO's rules compute in its share what they compute among the others."""
        dropped = raw_readers(slo) if from_recordings else frozenset()
        shares: list[Mapping[str, object]] = []
        for index in self._holding.get(slo.name, ()):
            group = self.groups[index]
            mine = tuple(
                rule
                for part in group.parts
                if part.slo == slo.name
                for rule in part.rules
                if rule not in dropped
            )
            if mine:
                shares.append(self._dict(group.name, group.interval, mine, True))
        return shares

    @functools.cached_property
    def _holding(self) -> dict[str, list[int]]:
        """Each SLO's groups by index: a share reads those alone, not every group of a
        service of a thousand SLOs."""
        holding: dict[str, list[int]] = {}
        for index, group in enumerate(self.groups):
            for part in group.parts:
                found = holding.setdefault(part.slo, [])
                if not found or found[-1] != index:
                    found.append(index)
        return holding

    def _dict(
        self, name: str, interval: int, rules: tuple[Rule, ...], thanos: bool
    ) -> dict[str, Any]:
        out = RuleGroup(name, every(interval), rules).as_dict()
        if thanos and self.partial_response is not None:
            out[PARTIAL_RESPONSE] = self.partial_response
        return out


def deployed(service: Service, settings: RuleGroups) -> Deployed:
    """The service's groups under ``settings``' grouping."""
    chains = [(slo, slo_stages(slo)) for slo in service.slos]
    if settings.grouping == PER_SERVICE:
        groups = _per_service(service.name, chains)
    elif settings.grouping == PACKED:
        groups = _packed(service.name, chains, settings.max_rules_per_group)
    else:
        groups = [
            Packed(
                naming.group_name(service.name, slo.name, stage.part),
                stage.interval,
                (Part(slo.name, stage.rules),),
            )
            for slo, stages in chains
            for stage in stages
        ]
    return Deployed(tuple(groups), settings.partial_response_strategy)


Chains = list[tuple[SLO, tuple[Stage, ...]]]
"""Each SLO with its stages (:class:`slogen.rules.groups.Stage`), in spec order."""


def _per_service(service: str, chains: Chains) -> list[Packed]:
    """One group per interval, in the order the stages first use them; in each, the
    stages in their order and the SLOs in spec order."""
    by_interval: dict[int, list[Part]] = {}
    for part in STAGES:
        for slo, stages in chains:
            for stage in stages:
                if stage.part == part:
                    by_interval.setdefault(stage.interval, []).append(Part(slo.name, stage.rules))
    return [
        Packed(f"slogen:{service}:{every(interval)}", interval, tuple(parts))
        for interval, parts in by_interval.items()
    ]


def _packed(service: str, chains: Chains, limit: int) -> list[Packed]:
    """Every stage's chains packed on their own, stage after stage."""
    groups: list[Packed] = []
    for part in STAGES:
        staged = [
            (position, Part(slo.name, stage.rules), stage.interval)
            for position, (slo, stages) in enumerate(chains)
            for stage in stages
            if stage.part == part
        ]
        if not staged:
            continue
        interval = staged[0][2]
        assert all(other == interval for _, _, other in staged), f"{part} has two intervals"
        bins = _bins([(position, piece) for position, piece, _ in staged], limit)
        groups += [
            Packed(f"slogen:{service}:{part}:{number}", interval, parts)
            for number, parts in enumerate(bins, 1)
        ]
    return groups


def _bins(chains: list[tuple[int, Part]], limit: int) -> list[tuple[Part, ...]]:
    """First-fit decreasing: chains by size, largest first (spec order among equals),
    each into the first group it fits. A chain over the limit is cut into groups of
    its own, in evaluation order. Groups come out in the spec order of their first
    SLO (a cut chain's groups in cut order), their parts in spec order."""
    keyed: list[tuple[tuple[int, int], list[tuple[int, Part]]]] = []
    fitting: list[tuple[int, Part]] = []
    for position, chain in chains:
        if len(chain.rules) <= limit:
            fitting.append((position, chain))
            continue
        for cut, start in enumerate(range(0, len(chain.rules), limit)):
            piece = Part(chain.slo, chain.rules[start : start + limit])
            keyed.append(((position, cut), [(position, piece)]))
    open_bins: list[list[tuple[int, Part]]] = []
    sizes: list[int] = []
    for position, chain in sorted(fitting, key=lambda item: (-len(item[1].rules), item[0])):
        size = len(chain.rules)
        room = next((i for i, used in enumerate(sizes) if used + size <= limit), None)
        if room is None:
            room = len(open_bins)
            open_bins.append([])
            sizes.append(0)
        open_bins[room].append((position, chain))
        sizes[room] += size
    keyed += [((min(position for position, _ in b), 0), b) for b in open_bins]
    keyed.sort(key=lambda item: item[0])
    return [tuple(part for _, part in sorted(b, key=lambda item: item[0])) for _, b in keyed]
