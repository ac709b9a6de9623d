"""Each SLO's pictures: its budget burn-down and its SLI against the objective.

matplotlib is optional (``pip install 'slogen[report]'``) and imported only here,
only when pictures are drawn. The SVG is deterministic: a fixed hash salt for its
ids, no date in its metadata, the figure built without pyplot (no global state), so
the same report draws the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slogen.report.figures import BurnDown, SLOReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH, HEIGHT = 8.0, 3.0
"""Inches; 576 x 216 points in the SVG."""
RED, ORANGE, GREEN = "#d62728", "#ff7f0e", "#2ca02c"
DAY = 86400


class NoMatplotlib(RuntimeError):
    """Pictures were asked for without matplotlib installed."""


@dataclass(frozen=True)
class Picture:
    """A drawn picture and the data it plots, for a reader to check against the report."""

    name: str
    svg: bytes
    x: tuple[float, ...]
    """Days since the period's start."""
    y: tuple[float, ...]
    """Percent: budget remaining, or the SLI to date (NaN where there was no traffic)."""


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def file_stem(slo: SLOReport) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{slo.service}-{slo.slo}")


def _days(down: BurnDown) -> tuple[float, ...]:
    start = down.times[0]
    return tuple((t - start) / DAY for t in down.times)


def burn_down(slo: SLOReport) -> Picture:
    """Budget remaining over the period, on bands of the policy states' colours."""
    down = slo.burn_down
    x, y = _days(down), tuple(100 * r for r in down.remaining)
    low = min(-10.0, min(y) - 10)

    def draw(axes: Axes) -> None:
        axes.axhspan(50, 110, color=GREEN, alpha=0.15, lw=0)
        axes.axhspan(25, 50, color=ORANGE, alpha=0.2, lw=0)
        axes.axhspan(low, 25, color=RED, alpha=0.2, lw=0)
        axes.plot(x, y, color="black", lw=1.5, gid="burn-down")
        axes.set_ylim(low, 110)
        axes.set_ylabel("budget remaining (%)")

    return Picture(f"{file_stem(slo)}-burndown.svg", _svg(slo, "error budget", draw), x, y)


def sli(slo: SLOReport) -> Picture:
    """The SLI from the period's start to each step, against the objective."""
    down = slo.burn_down
    x = _days(down)
    y = tuple(float("nan") if v is None else 100 * v for v in down.sli)
    objective = float(slo.objective) * 100

    def draw(axes: Axes) -> None:
        axes.axhline(objective, color=RED, lw=1, ls="--", gid="objective")
        axes.plot(x, y, color="#1f77b4", lw=1.5, gid="sli")
        axes.set_ylabel("SLI to date (%)")

    return Picture(f"{file_stem(slo)}-sli.svg", _svg(slo, "SLI against its objective", draw), x, y)


def _svg(slo: SLOReport, what: str, draw: Callable[[Axes], None]) -> bytes:
    try:
        import matplotlib
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure
    except ImportError:
        raise NoMatplotlib("pictures need matplotlib: pip install 'slogen[report]'") from None
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "slogen-report",
            "svg.fonttype": "path",
            "font.size": 9,
            "path.simplify": False,
        }
    ):
        figure = Figure(figsize=(WIDTH, HEIGHT))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        draw(axes)
        axes.set_title(f"{slo.name}: {what}")
        axes.set_xlabel("days since the start of the period (UTC)")
        axes.grid(True, lw=0.3)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def pictures(slo: SLOReport) -> tuple[Picture, Picture]:
    """Both of the SLO's pictures; NoMatplotlib without matplotlib."""
    return burn_down(slo), sli(slo)
