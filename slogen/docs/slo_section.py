"""One SLO's section of its service's document: SLI, objective, budget and policy,
alerts and what they mean, and the tests that prove them."""

from __future__ import annotations

from fractions import Fraction

from slogen import naming
from slogen.coverage import Coverage
from slogen.docs import budget, links
from slogen.docs import markdown as md
from slogen.docs.alerts import alerts_block
from slogen.docs.sli import describe, promql_block
from slogen.durations import format_duration
from slogen.explain import seconds
from slogen.layout import rule_file
from slogen.model import SLO, Model
from slogen.readable import percent


def slo_section(model: Model, slo: SLO, proven: Coverage) -> list[str]:
    """The SLO's part of the page, as markdown blocks; ``proven`` is what its proofs
    prove, as the proof generator decided it."""
    blocks = [f"## {links.slo_heading(slo)}"]
    if slo.description:
        blocks.append(md.text(slo.description))
    blocks += _indicator(slo)
    blocks += _objective(slo)
    blocks += _policy(slo)
    blocks += alerts_block(model, slo)
    blocks += _proofs(proven)
    return blocks


def _indicator(slo: SLO) -> list[str]:
    described = describe(slo.sli)
    records = f"`{naming.ERRORS_RATE5M}` and `{naming.TOTAL_RATE5M}`"
    if slo.group_by:
        labels = ", ".join(f"`{label}`" for label in slo.group_by)
        grouping = (
            f"One SLO per value of {labels}: each has its own error budget, burn rates "
            "and alerts, and one group's errors never spend another's budget."
        )
    else:
        grouping = "One SLO over every series the queries match (no `group_by`)."
    return [
        "### Service level indicator",
        described.words,
        md.fenced(promql_block(described), "promql"),
        f"Only two recordings read these, every minute ({records} in "
        f"{links.to_output(rule_file(slo.service))}); every longer window is summed "
        "from them.",
        grouping,
    ]


def _objective(slo: SLO) -> list[str]:
    window = format_duration(slo.period)
    outage = budget.full_outage_minutes(slo)
    unit = describe(slo.sli).unit
    span = f"a rolling {window}" if slo.calendar is None else f"each {slo.calendar.name}"
    lines = [
        f"Objective: **{percent(slo.objective)}** of {unit} good over {span}.",
        f"Error budget: {percent(slo.budget)} of {unit}, or "
        f"**{budget.decimal(outage)} minutes** of full outage per {window} "
        f"({seconds(outage * 60)}).",
    ]
    if slo.calendar is not None:
        lines.append(
            f"The budget starts afresh at 00:00 {slo.calendar.zone} on the first day of each "
            f"{slo.calendar.unit}; the burn alerts take the period as {window}, its nominal "
            "length, and the budget remaining weighs the errors so far against the whole "
            f"{slo.calendar.unit} in progress."
        )
    return ["### Objective and error budget", md.bullets(lines)]


def _bounds(state: budget.PolicyState) -> str:
    if state.low is None:
        return f"below {percent(state.high or Fraction(0))}"
    if state.high is None:
        return f"{percent(state.low)} or more"
    return f"{percent(state.low)} to {percent(state.high)}"


def _policy(slo: SLO) -> list[str]:
    rows = []
    for state in budget.POLICY_STATES:
        fired = [
            f"{policy.alert_name} ({slo.severity_label(policy.severity)})"
            + ("" if whole else f" below {percent(policy.below)}")
            for policy, whole in budget.alerts_in(state, slo)
        ]
        rows.append((state.name, _bounds(state), state.meaning, ", ".join(fired) or "none"))
    return [
        "### Error budget policy",
        md.table(("state", "budget remaining", "meaning", "alerts"), rows),
        f"What the states mean for the dashboards and the team: see {links.to_reading()}.",
    ]


POLICY_NOTE = (
    "**Error budget policy.** The dashboards colour the budget by the states in each "
    "SLO's policy table. What the team does in each (slow releases down, stop them, "
    "spend time on reliability) is for the team's error budget policy to say. Budget "
    "alerts fire only for groups still reporting data and are evaluated every 5 minutes."
)
PROOFS_NOTE = (
    "**Proofs.** Each SLO's proofs are promtool unit tests: they drive synthetic series "
    "through the generated rules and check that each alert fires, stays quiet and "
    "resets as its section says."
)


def _proofs(found: Coverage) -> list[str]:
    items = [
        f"{links.to_output(path)}: " + md.text("; ".join(names)) for path, names in found.files
    ]
    blocks = [
        "### Proofs",
        md.bullets(items) if items else "No scenario could be built for this SLO.",
    ]
    if found.proven_as is not None:
        blocks.append(
            f"Its alerts are proven with those of {md.text(found.proven_as)}: both have the "
            "same objective, period, alerting, SLI kind and grouping, so their rules from "
            "the 5m recordings on are the same rules with other names, and the proofs run "
            "once for both. This SLO's own recordings are checked on its own series."
        )
    if found.unproven is not None:
        blocks.append(
            "These proofs feed the SLO's two 5m recordings to the rules that read them, "
            "so every window, burn rate, budget and alert is proven, but not the queries "
            "that make the recordings: "
            + md.text(found.unproven)
            + ". Check those on live data with `slogen lint --prometheus URL`."
        )
    if found.gaps:
        gaps = [gap.removeprefix("not covered: ") for gap in found.gaps]
        blocks += ["Not covered:", md.bullets([md.text(gap) for gap in gaps])]
    else:
        blocks.append("Every scenario could be built: nothing is left unproven.")
    return blocks
