"""Alertmanager routing in the model: team routes, maintenance windows, the base config.

Resolving builds these from ``routing.yaml`` and checks the user's own Alertmanager
config; the generator only renders them, so it never reads a spec type and never
has a reason to refuse anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slogen import naming
from slogen.model_matchers import present
from slogen.model_receivers import Receiver

PARENT_MATCHER = present(naming.SERVICE_LABEL)
"""The matcher of the route in a user's config under which slogen's routes go: every
alert slogen generates carries that label."""

RoutePath = tuple[str | int, ...]
"""Keys and list indexes from a config's root to one route (``("route", "routes", 1)``)."""


def written_by_slogen(name: object) -> bool:
    """True for a receiver or time interval name slogen gave: merging replaces those,
    so resolving need not check what they hold and merging never keeps two."""
    return isinstance(name, str) and name.startswith(naming.ALERTMANAGER_PREFIX)


@dataclass(frozen=True)
class Timing:
    """How Alertmanager groups and repeats notifications on a route."""

    group_by: tuple[str, ...]
    group_wait: str
    group_interval: str
    repeat_interval: str


@dataclass(frozen=True)
class TimeRange:
    """A span of the day, start inclusive, end exclusive (``HH:MM``)."""

    start_time: str
    end_time: str


@dataclass(frozen=True)
class TimeInterval:
    """When a maintenance window is open, in Alertmanager's ``time_intervals`` words and
    order; a None field matches any time, and is left out of the config."""

    times: tuple[TimeRange, ...] | None = None
    weekdays: tuple[str, ...] | None = None
    days_of_month: tuple[str, ...] | None = None
    months: tuple[str, ...] | None = None
    years: tuple[str, ...] | None = None
    location: str | None = None


@dataclass(frozen=True)
class Maintenance:
    """A named time interval and the severity keys muted while it is open."""

    name: str
    mute: tuple[str, ...]
    intervals: tuple[TimeInterval, ...]


@dataclass(frozen=True)
class Team:
    """A team's route: a receiver per severity key, timing, maintenance windows."""

    name: str
    timing: Timing
    receivers: tuple[tuple[str, Receiver], ...]
    maintenance: tuple[Maintenance, ...]


@dataclass(frozen=True)
class AlertmanagerBase:
    """A user's own Alertmanager config that slogen's parts go into, already checked
    (a config with one marked route and no secret inline), so merging cannot fail.

    ``data`` is the document as read, for what resolving and the generators ask of
    it; merging works on ``text`` (slogen.alertmanager.merge), so that everything
    but slogen's part is written back as it was. Where each value was written is
    left behind with resolving: only its errors name lines.
    """

    relative: str
    """The file as the generated config's header names it."""
    data: Mapping[str, Any]
    parent: RoutePath
    """Where the route matching :data:`PARENT_MATCHER` is."""
    text: str = ""
    """The file as written: merging keeps what is not slogen's as it is."""


@dataclass(frozen=True)
class Routing:
    """Alertmanager routing for every team, and the user's base config if merging."""

    source: str
    timing: Timing
    default: Receiver
    teams: tuple[Team, ...]
    maintenance: tuple[Maintenance, ...]
    base: AlertmanagerBase | None = None
    inhibit_equal: tuple[str, ...] = ()
    """Labels every inhibition compares, beside its own (see routing.yaml)."""
