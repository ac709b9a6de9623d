"""``slogen report``: each SLO over a month, a week or any span, for the people who
review them.

period (what span) -> queries (PromQL with ``@``) -> collect (figures from a live
Prometheus) -> figures (frozen values) -> render_markdown / render_html / render_json
and pictures (matplotlib, optional). :func:`report` is the entry; the CLI and
:func:`slogen.api.report_period` call it.
"""

from __future__ import annotations

from slogen.model import Model
from slogen.prometheus_api import Prometheus
from slogen.report.collect import slo_report
from slogen.report.figures import Report
from slogen.report.period import Period

__all__ = ["Period", "Report", "report"]


def report(
    model: Model, prometheus: Prometheus, period: Period, services: tuple[str, ...] = ()
) -> Report:
    """Every SLO of ``model`` (of ``services`` when named) over ``period``, in spec order."""
    slos = [
        slo
        for service in model.services
        if not services or service.name in services
        for slo in service.slos
    ]
    return Report(period, tuple(slo_report(prometheus, slo, period) for slo in slos))
