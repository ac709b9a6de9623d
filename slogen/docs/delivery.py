"""Where a team's alerts go, by receiver name: never an address, key or file path.

An SLO document is read widely; the routing file holds paths to credentials and
addresses of people. A page names only what Alertmanager calls things (receivers,
maintenance windows) and which kinds of integration a receiver uses.
"""

from __future__ import annotations

from slogen import model as m

NO_ROUTING = "no routing.yaml"


def team(model: m.Model, name: str) -> m.Team | None:
    if model.routing is None:
        return None
    return next((t for t in model.routing.teams if t.name == name), None)


def receiver(model: m.Model, team_name: str, key: str) -> m.Receiver | None:
    """The receiver of one severity key (``page``, ``ticket``) of a team, if routed."""
    found = team(model, team_name)
    return dict(found.receivers).get(key) if found else None


def integrations(receiver: m.Receiver) -> list[str]:
    """The kinds of integration a receiver notifies: ``pagerduty``, ``slack``..."""
    return [kind for kind, _ in receiver.integrations]


def muted_by(model: m.Model, team_name: str, key: str) -> list[str]:
    """Names of the maintenance windows that mute a severity key of a team."""
    if model.routing is None:
        return []
    found = team(model, team_name)
    windows = [*model.routing.maintenance, *(found.maintenance if found else ())]
    return [window.name for window in windows if key in window.mute]
