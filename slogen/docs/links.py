"""Where SLO documents live and how they point at each other and at the other output.

Links are relative, so they work wherever the output directory is browsed: on GitHub
or GitLab, in a checkout, or unpacked from an archive.
"""

from __future__ import annotations

from slogen import naming
from slogen.docs import markdown
from slogen.model import SLO

INDEX = "README.md"
"""The index is a README so that GitHub and GitLab show it when the folder is opened."""


def page(service: str) -> str:
    """A service's page, relative to the docs directory."""
    return f"{service}.md"


def output(path: str) -> str:
    """Another generated file (``prometheus/x.rules.yml``), seen from the docs directory."""
    return f"../{path}"


def to_output(path: str) -> str:
    """A markdown link from the docs directory to another generated file."""
    return f"[`{path}`]({output(path)})"


READING = "Reading this page"
"""The heading of what every SLO section of a page shares, said once."""


def to_reading() -> str:
    """A link from an SLO's section to its page's shared notes."""
    return f"[{READING.lower()}](#{markdown.anchor(READING)})"


def slo_heading(slo: SLO) -> str:
    return f"SLO: {slo.name}"


def slo_anchor(slo: SLO) -> str:
    """``#slo-requests-availability``: the SLO's section on its service's page."""
    return "#" + markdown.anchor(slo_heading(slo))


def panel_url(slo: SLO, panel: str) -> str | None:
    """The service dashboard opened on one panel of the SLO, as its alerts link it
    (without the alert's group, which only a firing alert knows); None without
    ``grafana_url``."""
    if slo.dashboard_url is None:
        return None
    return f"{slo.dashboard_url}?viewPanel={naming.panel_id(slo.position, panel)}"
