"""Where a report goes: the chosen format on stdout, or into a directory with its
pictures beside it (``report.md`` and its SVG files, ``report.html`` with them inline,
``report.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slogen.report import pictures as drawing
from slogen.report.figures import Report
from slogen.report.render_html import as_html
from slogen.report.render_json import as_json
from slogen.report.render_markdown import as_markdown

FORMATS = ("markdown", "html", "json")
SUFFIX = {"markdown": "md", "html": "html", "json": "json"}


@dataclass(frozen=True)
class Rendered:
    """The report's text and, by file name, the pictures to write beside it."""

    text: str
    files: dict[str, bytes]
    drawn: bool


def render(report: Report, form: str) -> Rendered:
    """The report in ``form``; pictures for Markdown and HTML when matplotlib is there."""
    if form == "json":
        return Rendered(as_json(report), {}, True)
    if not drawing.available():
        text = as_markdown(report, None) if form == "markdown" else as_html(report, None)
        return Rendered(text, {}, False)
    drawn = {slo.name: drawing.pictures(slo) for slo in report.slos}
    files = {p.name: p.svg for found in drawn.values() for p in found}
    if form == "markdown":
        names = {name: [p.name for p in found] for name, found in drawn.items()}
        return Rendered(as_markdown(report, names), files, True)
    svgs = {name: [p.svg for p in found] for name, found in drawn.items()}
    return Rendered(as_html(report, svgs), files, True)


def write(rendered: Rendered, form: str, directory: Path) -> list[Path]:
    """The report and its pictures in ``directory`` (made if missing); the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / f"report.{SUFFIX[form]}"]
    written[0].write_text(rendered.text, encoding="utf-8")
    for name, content in sorted(rendered.files.items()):
        (directory / name).write_bytes(content)
        written.append(directory / name)
    return written
