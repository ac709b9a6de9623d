"""How ``slogen report`` turns alert spans into incidents and charges their errors."""

from __future__ import annotations

from slogen.report.collect import Counts, charged_errors, merge_burns
from slogen.report.figures import Group, Span

BURN = "SLOErrorBudgetBurn"
EU: Group = (("region", "eu"),)
US: Group = (("region", "us"),)
SEVERITIES = ("page", "ticket")


def _span(severity: str, group: Group, start: float, end: float) -> Span:
    return Span(BURN, severity, group, start, end)


def test_a_page_and_a_ticket_of_one_outage_are_one_incident_at_the_higher_severity() -> None:
    page = _span("page", EU, 600, 1800)
    ticket = _span("ticket", EU, 300, 3600)
    assert merge_burns([ticket, page], SEVERITIES) == (_span("page", EU, 300, 3600),)


def test_spans_of_other_groups_or_apart_in_time_stay_apart() -> None:
    spans = [
        _span("page", EU, 0, 600),
        _span("ticket", US, 300, 900),
        _span("ticket", EU, 1200, 1800),
    ]
    assert merge_burns(spans, SEVERITIES) == tuple(spans)


def test_a_chain_of_overlaps_merges_into_their_union() -> None:
    spans = [_span("ticket", EU, 0, 600), _span("page", EU, 500, 900), _span("x", EU, 900, 960)]
    assert merge_burns(spans, SEVERITIES) == (_span("page", EU, 0, 960),)


def test_a_grouped_incident_is_charged_its_own_groups_errors_only() -> None:
    found = {EU: Counts(40.0, 100.0), US: Counts(7.0, 900.0)}
    assert charged_errors(True, _span("page", EU, 0, 600), found) == 40.0
    assert charged_errors(True, _span("page", (("region", "ap"),), 0, 600), found) == 0.0
    assert charged_errors(False, _span("page", (), 0, 600), {(): Counts(3.0, 9.0)}) == 3.0
