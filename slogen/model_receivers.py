"""Receivers in the model: where one severity of one team is notified, and how.

The model holds its own copies of what ``routing.yaml`` validated, so that the
generators never read the spec's pydantic types: a change to how a receiver is
written (a new shorthand, a renamed key) stops at resolving. Every field keeps
Alertmanager's own name and order, the order the config is written in; a field
whose Python name differs from Alertmanager's key (``from``) says so in its
metadata. Credentials are only ever paths of files on the Alertmanager host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KEY = "key"
"""Metadata naming the Alertmanager key of a field whose Python name cannot be it."""


@dataclass(frozen=True, kw_only=True)
class Integration:
    """One notification integration; None fields are left out of the config."""

    send_resolved: bool | None = None


@dataclass(frozen=True, kw_only=True)
class PagerDuty(Integration):
    """PagerDuty Events API v2 (``routing_key_file``) or v1 (``service_key_file``)."""

    routing_key_file: str | None = None
    service_key_file: str | None = None
    url: str | None = None
    severity: str | None = None


@dataclass(frozen=True, kw_only=True)
class Responder:
    """Who Opsgenie notifies: a team, user, escalation or schedule."""

    type: str
    name: str | None = None
    id: str | None = None
    username: str | None = None


@dataclass(frozen=True, kw_only=True)
class Opsgenie(Integration):
    api_key_file: str
    api_url: str | None = None
    priority: str | None = None
    responders: tuple[Responder, ...] | None = None
    tags: str | None = None


@dataclass(frozen=True, kw_only=True)
class Slack(Integration):
    api_url_file: str
    channel: str | None = None
    username: str | None = None
    title: str | None = None
    text: str | None = None


@dataclass(frozen=True, kw_only=True)
class Email(Integration):
    to: str
    from_: str | None = field(default=None, metadata={KEY: "from"})
    smarthost: str | None = None
    auth_username: str | None = None
    auth_password_file: str | None = None
    require_tls: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Authorization:
    """An ``Authorization`` header whose credentials Alertmanager reads from a file."""

    type: str = "Bearer"
    credentials_file: str


@dataclass(frozen=True, kw_only=True)
class BasicAuth:
    username: str
    password_file: str


@dataclass(frozen=True, kw_only=True)
class Webhook(Integration):
    """A generic webhook; its authentication becomes Alertmanager's ``http_config``."""

    url: str
    authorization: Authorization | None = None
    basic_auth: BasicAuth | None = None
    max_alerts: int | None = None


@dataclass(frozen=True)
class Receiver:
    """An Alertmanager receiver: its name in the config and the integrations it uses,
    as ``(type, configs)`` pairs (``("slack", (...,))``) in the order they are written;
    no integrations at all is a receiver that drops what it gets."""

    name: str
    integrations: tuple[tuple[str, tuple[Integration, ...]], ...] = ()
