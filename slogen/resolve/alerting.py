"""One SLO's alerts from its merged settings: severities, burn and budget policies,
no-data and vanished alerts, each problem reported where its setting was written."""

from __future__ import annotations

from fractions import Fraction

from slogen import model as m
from slogen.durations import parse_duration
from slogen.errors import Location, Problem
from slogen.resolve.burn_policies import burn_alert, severities_left_without_burn
from slogen.resolve.layers import Layers, Setting
from slogen.spec.models import percent_fraction


def alerting(
    layers: Layers,
    period: int,
    objective: Fraction | None,
    slo_where: Location,
    problems: list[Problem],
) -> m.Alerting | None:
    """The SLO's alerts, or None once a problem is found (every one is still reported,
    so a spec is fixed in one round)."""
    found_before = len(problems)
    severities = tuple(
        m.Severity(
            key=key,
            label=layers.values[(key, "label")].value if (key, "label") in layers.values else key,
            enabled=layers.get(key, "enabled").value,
            for_seconds=parse_duration(layers.get(key, "for").value),
        )
        for key in m.SEVERITY_KEYS
    )
    enabled = {s.key for s in severities if s.enabled}
    if severities[0].label == severities[1].label:
        set_here = ("page", "label") if ("page", "label") in layers.values else ("ticket", "label")
        problems.append(
            Problem(
                layers.get(*set_here).where(),
                f"page and ticket alerts would both carry severity={severities[0].label!r}",
                "give each severity its own label value, so routing can tell them apart",
            )
        )
    burn_setting = layers.get("burn_rate")
    burn = []
    left_out: list[str] = []
    for index, policy in enumerate(burn_setting.value):
        if policy["severity"] not in enabled:
            continue
        alert = burn_alert(
            policy,
            period,
            objective,
            Setting(policy, burn_setting.source, (*burn_setting.path, index)),
            slo_where,
            problems,
            left_out,
        )
        if alert is not None:
            burn.append(alert)
    wanted = {policy["severity"] for policy in burn_setting.value} & enabled
    left_out += severities_left_without_burn(wanted, burn)
    budget_setting = layers.get("budget_remaining")
    budget = []
    for index, policy in enumerate(budget_setting.value):
        below = percent_fraction(policy["below"])
        if below >= 1:
            problems.append(
                Problem(
                    budget_setting.source.locate((*budget_setting.path, index, "below")),
                    "a budget_remaining threshold of 100% would always fire",
                    "use a share below 100%, such as 25%",
                )
            )
        elif policy["severity"] in enabled:
            budget.append(m.BudgetAlert(policy["severity"], below))
    problems.extend(_budget_collisions(budget_setting))
    no_data = None
    no_data_severity = layers.get("no_data", "severity").value
    if layers.get("no_data", "enabled").value and no_data_severity in enabled:
        no_data = m.NoDataAlert(
            no_data_severity, parse_duration(layers.get("no_data", "after").value)
        )
    vanished = None
    vanished_severity = layers.get("vanished", "severity").value
    if layers.get("vanished", "enabled").value and vanished_severity in enabled:
        vanished = m.VanishedAlert(vanished_severity)
    rate_setting = layers.get("min_request_rate")
    if len(problems) > found_before:
        return None
    return m.Alerting(
        severities=severities,
        burn=tuple(burn),
        budget=tuple(sorted(budget, key=lambda b: -b.below)),
        no_data=no_data,
        vanished=vanished,
        min_request_rate=Fraction(repr(rate_setting.value)),
        left_out=tuple(left_out),
    )


def _budget_collisions(setting: Setting) -> list[Problem]:
    """budget_remaining policies that would make the same alert: a 0% threshold makes
    SLOErrorBudgetExhausted and any other SLOErrorBudgetLow, so one severity may have
    one of each (ticket below 25% and ticket below 0% is fine), but not two of one."""
    problems = []
    first: dict[tuple[bool, str], int] = {}
    for index, policy in enumerate(setting.value):
        alert = m.BudgetAlert(policy["severity"], percent_fraction(policy["below"]))
        if alert.below >= 1:
            continue  # refused on its own
        key = (alert.exhausted, alert.severity)
        if key not in first:
            first[key] = index
            continue
        kind = "at 0%" if alert.exhausted else "above 0%"
        problems.append(
            Problem(
                setting.source.locate((*setting.path, index)),
                f"budget_remaining[{first[key]}] is a {alert.severity} threshold "
                f"{kind} too: both would be one {alert.severity} {alert.alert_name} alert",
                "give each severity at most one threshold above 0% (SLOErrorBudgetLow) "
                "and one at 0% (SLOErrorBudgetExhausted), for example ticket below 25% "
                "and ticket below 0%",
            )
        )
    return problems
