"""The report as one self-contained HTML page, pictures inline as SVG."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from slogen.report.figures import Report
from slogen.report.render_markdown import (
    INCIDENT_COLUMNS,
    NO_PICTURES,
    facts,
    incident_rows,
    summary_lines,
)

STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:auto}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
)
_PROLOGUE = re.compile(rb"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def inline(svg: bytes) -> str:
    """An SVG file's text without its XML prologue, to stand inside HTML."""
    return _PROLOGUE.sub(b"", svg).decode("utf-8")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows]
    return ["<table>", f"<tr>{head}</tr>", *body, "</table>"]


def as_html(report: Report, pictures: Mapping[str, Sequence[bytes]] | None) -> str:
    """The page; ``pictures`` holds each SLO's SVGs (by ``service/slo``), None when
    they could not be drawn."""
    period = report.period
    title = html.escape(f"SLO report: {period.name}")
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>From {period.iso(period.start)} to {period.iso(period.end)}.</p>",
        "<h2>Summary</h2>",
        "<ul>",
        *(f"<li>{html.escape(line.removeprefix('- '))}</li>" for line in summary_lines(report)),
        "</ul>",
    ]
    if pictures is None:
        lines.append(f"<p><em>{html.escape(NO_PICTURES)}</em></p>")
    for slo in report.slos:
        lines += [f"<h2>{html.escape(slo.name)}</h2>"]
        lines += _table(("Figure", "Value"), facts(report, slo))
        lines += [f"<figure>{inline(svg)}</figure>" for svg in (pictures or {}).get(slo.name, ())]
        if slo.incidents:
            lines += ["<p>Incidents:</p>", *_table(INCIDENT_COLUMNS, incident_rows(report, slo))]
        else:
            lines.append("<p>No burn alert fired in the period.</p>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"
