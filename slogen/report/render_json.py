"""The report as JSON: every number unrounded, every time in UTC, keys sorted."""

from __future__ import annotations

import json

from slogen.report.figures import Incident, Report, SLOReport, Span


def _span(report: Report, span: Span) -> dict[str, object]:
    return {
        "alertname": span.alertname,
        "severity": span.severity,
        "group": dict(span.group),
        "start": report.period.iso(span.start),
        "end": report.period.iso(span.end),
        "start_unix": span.start,
        "seconds": span.seconds,
    }


def _incident(report: Report, found: Incident) -> dict[str, object]:
    return {
        **_span(report, found.span),
        "budget_share": found.budget_share,
        "top_contributor": None if found.top_contributor is None else dict(found.top_contributor),
    }


def slo_fields(report: Report, slo: SLOReport) -> dict[str, object]:
    """One SLO's figures, as the JSON output and the tests read them."""
    left = slo.seconds_to_exhaustion
    down = slo.burn_down
    return {
        "service": slo.service,
        "slo": slo.slo,
        "team": slo.team,
        "objective": float(slo.objective),
        "window_seconds": slo.window,
        "errors": slo.errors,
        "total": slo.total,
        "counted_from_raw_series": slo.from_raw_series,
        "period": {
            "name": slo.period.name,
            "start": slo.period.iso(slo.period.start),
            "end": slo.period.iso(slo.period.end),
            "seconds": slo.period.seconds,
            "utc_offset_seconds": slo.period.offset,
        },
        "error_ratio": slo.ratio,
        "sli": slo.sli,
        "met": slo.met,
        "budget_consumed": slo.budget_consumed,
        "budget_remaining": slo.budget_remaining,
        "burn_rate": slo.budget_consumed,
        "state": slo.state,
        "state_seconds": slo.state_seconds,
        "current_burn_rate": slo.current_burn_rate,
        "current_burn_window_seconds": slo.current_burn_window,
        "seconds_to_exhaustion": left,
        "exhausted_by": None if left is None else report.period.iso(slo.period.end + left),
        "incidents": [_incident(report, i) for i in slo.incidents],
        "alerts": [_span(report, s) for s in slo.spans],
        "pages": slo.pages,
        "tickets": slo.tickets,
        "top_contributor": None if slo.top_contributor is None else dict(slo.top_contributor),
        "burn_down": {
            "step_seconds": down.step,
            "times": list(down.times),
            "remaining": list(down.remaining),
            "sli": list(down.sli),
        },
    }


def summary(report: Report) -> dict[str, object]:
    worst = report.worst
    return {
        "services_meeting": list(report.services_meeting),
        "services_breaching": list(report.services_breaching),
        "states": report.states,
        "worst": None if worst is None else worst.name,
    }


def as_json(report: Report) -> str:
    period = report.period
    document = {
        "period": {
            "name": period.name,
            "start": period.iso(period.start),
            "end": period.iso(period.end),
            "seconds": period.seconds,
        },
        "summary": summary(report),
        "slos": [slo_fields(report, slo) for slo in report.slos],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
