"""``routing.yaml``: who receives the alerts of each team, as users write it.

Receivers cover the integrations SRE teams page and file tickets with: PagerDuty and
Opsgenie, Slack, email and webhooks. Every credential is a path to a file on the
Alertmanager host (Alertmanager reads it when it sends), so neither the specs nor the
generated config ever hold a secret. A key that would carry a secret inline is
refused with the ``*_file`` key to use instead; where Alertmanager 0.25 has no file
form (a webhook's URL), a URL that may carry a credential is refused, as is any
chat-webhook URL: :mod:`slogen.secrets` decides which.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from slogen.promql import is_label_name
from slogen.secrets import ALERTMANAGER_VERSION as ALERTMANAGER_VERSION
from slogen.secrets import chat_webhook, url_secret_reason
from slogen.spec.models import (
    Duration,
    LabelName,
    Name,
    PositiveDuration,
    SeverityName,
    Strict,
)
from slogen.spec.time_intervals import TimeIntervalSpec


def _file_path(text: str) -> str:
    # The value is not repeated: a secret pasted here by mistake must not reach CI logs.
    if not text.startswith("/"):
        raise ValueError(
            "not an absolute path; Alertmanager reads the file on its own host, so write "
            "the full path, e.g. /etc/alertmanager/secrets/pagerduty-key"
        )
    if "://" in text:
        raise ValueError(
            "looks like a URL, not a path; write the path of a file that holds it, e.g. "
            "/etc/alertmanager/secrets/slack-url"
        )
    return text


def _http_url(text: str) -> str:
    # The value is not repeated: a URL may carry a credential.
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValueError("not an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not an http(s) URL")
    return text


def _label_name(name: str) -> str:
    if name != "..." and not is_label_name(name):
        raise ValueError(f"{name!r} is not a label name (or '...' for every label)")
    return name


FilePath = Annotated[
    StrictStr,
    AfterValidator(_file_path),
    Field(examples=["/etc/alertmanager/secrets/payments-pagerduty"]),
]
HttpUrl = Annotated[StrictStr, AfterValidator(_http_url)]
Text = Annotated[StrictStr, Field(min_length=1)]
GroupLabel = Annotated[StrictStr, AfterValidator(_label_name)]


class Integration(Strict):
    """One notification integration.

    ``secret_fields`` names the inline keys it refuses (key -> the key to write
    instead); ``url_fields`` names its URL fields, each with what to do instead of
    putting a credential in it. Those URLs are written to the config as they are,
    so one that may carry a credential (see :func:`slogen.secrets.url_secret_reason`)
    is refused, without repeating it.
    """

    secret_fields: ClassVar[dict[str, str]] = {}
    url_fields: ClassVar[dict[str, str]] = {}
    send_resolved: StrictBool | None = None

    @model_validator(mode="after")
    def _no_credential_in_urls(self) -> Self:
        for field, instead in self.url_fields.items():
            url = getattr(self, field)
            why = url_secret_reason(url) if isinstance(url, str) else None
            if why is not None:
                raise ValueError(
                    f"{field}: {why}, which would be written to the config in clear text; "
                    f"{self._instead(url, instead)}"
                )
        return self

    @staticmethod
    def _instead(url: str, instead: str) -> str:
        service = chat_webhook(url)
        if service == "Slack":
            return "use the slack receiver with api_url_file, the path of a file holding the URL"
        if service is not None:
            return (
                f"slogen has no {service} receiver and Alertmanager {ALERTMANAGER_VERSION} "
                f"cannot read a webhook URL from a file (url_file came in later releases); "
                f"send to a relay that holds the {service} URL, and authenticate to it with "
                "authorization.credentials_file"
            )
        return instead


class PagerDutySpec(Integration):
    """PagerDuty Events API v2 (``routing_key_file``) or v1 (``service_key_file``)."""

    secret_fields: ClassVar[dict[str, str]] = {
        "routing_key": "routing_key_file",
        "service_key": "service_key_file",
    }
    url_fields: ClassVar[dict[str, str]] = {
        "url": "the Events API URL needs no credential: the key goes in routing_key_file "
        "or service_key_file",
    }
    routing_key_file: FilePath | None = None
    service_key_file: FilePath | None = None
    url: HttpUrl | None = None
    severity: Text | None = Field(
        default=None, description="PagerDuty's own severity field (critical, error, ...)"
    )

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if (self.routing_key_file is None) == (self.service_key_file is None):
            raise ValueError("give exactly one of routing_key_file or service_key_file")
        return self


class ResponderSpec(Strict):
    """Who Opsgenie notifies: a team, user, escalation or schedule, by name or id."""

    type: Literal["team", "teams", "user", "escalation", "schedule"]
    name: Text | None = None
    id: Text | None = None
    username: Text | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> Self:
        given = [k for k in ("name", "id", "username") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of name, id or username")
        return self


class OpsgenieSpec(Integration):
    """Opsgenie alerts API."""

    secret_fields: ClassVar[dict[str, str]] = {"api_key": "api_key_file"}
    url_fields: ClassVar[dict[str, str]] = {
        "api_url": "the API URL needs no credential: the key goes in api_key_file",
    }
    api_key_file: FilePath
    api_url: HttpUrl | None = None
    priority: Text | None = Field(default=None, examples=["P1"])
    responders: list[ResponderSpec] | None = None
    tags: Text | None = None


class SlackSpec(Integration):
    """Slack incoming webhook; the webhook URL is the secret."""

    secret_fields: ClassVar[dict[str, str]] = {"api_url": "api_url_file"}
    api_url_file: FilePath
    channel: Text | None = None
    username: Text | None = None
    title: Text | None = None
    text: Text | None = None


class EmailSpec(Integration):
    """Email through an SMTP smarthost."""

    secret_fields: ClassVar[dict[str, str]] = {"auth_password": "auth_password_file"}
    to: Text
    from_: Text | None = Field(default=None, alias="from")
    smarthost: Annotated[StrictStr, Field(pattern=r"^[^\s:]+:\d+$")] | None = Field(
        default=None, examples=["smtp.example.com:587"]
    )
    auth_username: Text | None = None
    auth_password_file: FilePath | None = None
    require_tls: StrictBool | None = None


class AuthorizationSpec(Strict):
    """An ``Authorization`` header whose credentials Alertmanager reads from a file."""

    secret_fields: ClassVar[dict[str, str]] = {"credentials": "credentials_file"}
    type: Text = "Bearer"
    credentials_file: FilePath


class BasicAuthSpec(Strict):
    """HTTP basic authentication with the password in a file."""

    secret_fields: ClassVar[dict[str, str]] = {"password": "password_file"}
    username: Text
    password_file: FilePath


class WebhookSpec(Integration):
    """A generic webhook. Alertmanager 0.25 reads its URL only inline (``amtool
    check-config`` 0.25 rejects ``url_file``), so the URL must not carry a credential:
    authenticate with ``authorization`` or ``basic_auth``. Chat webhooks (Slack,
    Discord, Teams, ...) are refused whatever their path: their URL is the secret."""

    secret_fields: ClassVar[dict[str, str]] = {
        "url_file": "url (Alertmanager 0.25 has no url_file for webhooks; keep the "
        "credential out of the URL and use authorization.credentials_file)",
        "bearer_token": "authorization.credentials_file",
        "http_config": "authorization or basic_auth (slogen writes http_config)",
    }
    url_fields: ClassVar[dict[str, str]] = {
        "url": f"Alertmanager {ALERTMANAGER_VERSION} cannot read a webhook URL from a file "
        "(url_file came in later releases); send the credential as a header with "
        "authorization.credentials_file, or use basic_auth with password_file",
    }
    url: HttpUrl
    authorization: AuthorizationSpec | None = None
    basic_auth: BasicAuthSpec | None = None
    max_alerts: Annotated[StrictInt, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_authentication(self) -> Self:
        if self.authorization is not None and self.basic_auth is not None:
            raise ValueError("give authorization or basic_auth, not both")
        return self


def _listed(value: object) -> object:
    return [value] if isinstance(value, dict) else value


def _configs(kind: type[Integration]) -> BeforeValidator:
    """Accept one config of an integration or a list of them (two Slack channels, say)."""
    return BeforeValidator(_listed, json_schema_input_type=kind | list[kind])  # type: ignore[valid-type]


AtLeastOne = Field(min_length=1)
PagerDutyConfigs = Annotated[list[PagerDutySpec], _configs(PagerDutySpec), AtLeastOne]
OpsgenieConfigs = Annotated[list[OpsgenieSpec], _configs(OpsgenieSpec), AtLeastOne]
SlackConfigs = Annotated[list[SlackSpec], _configs(SlackSpec), AtLeastOne]
EmailConfigs = Annotated[list[EmailSpec], _configs(EmailSpec), AtLeastOne]
WebhookConfigs = Annotated[list[WebhookSpec], _configs(WebhookSpec), AtLeastOne]


class ReceiverSpec(Strict):
    """Where one severity of one team goes; several integrations may be combined."""

    key_kind: ClassVar[str] = "receiver type"
    pagerduty: PagerDutyConfigs | None = None
    opsgenie: OpsgenieConfigs | None = None
    slack: SlackConfigs | None = None
    email: EmailConfigs | None = None
    webhook: WebhookConfigs | None = None

    def integrations(self) -> list[tuple[str, list[Integration]]]:
        """``(type, configs)`` for every integration given, in a fixed order."""
        found: list[tuple[str, list[Integration]]] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                found.append((name, list(value)))
        return found


def _group_by(labels: list[str]) -> list[str]:
    if "..." in labels and len(labels) > 1:
        raise ValueError("'...' groups by every label and must be the only entry")
    if len(set(labels)) != len(labels):
        raise ValueError("group_by lists a label twice")
    return labels


class TimingSpec(Strict):
    """How Alertmanager batches notifications; unset keys come from the level above."""

    group_by: Annotated[list[GroupLabel], Field(min_length=1), AfterValidator(_group_by)] | None = (
        Field(default=None, examples=[["alertname", "slo_service", "slo_name"]])
    )
    group_wait: Duration | None = None
    group_interval: PositiveDuration | None = None
    repeat_interval: PositiveDuration | None = None


class MaintenanceSpec(Strict):
    """A recurring window in which some severities are muted (still shown, not sent)."""

    name: Name
    mute: Annotated[list[SeverityName], Field(min_length=1)]
    time_intervals: Annotated[list[TimeIntervalSpec], Field(min_length=1)]


class TeamSpec(TimingSpec):
    """A team's receivers per severity, its timing and its maintenance windows."""

    page: ReceiverSpec | None = None
    ticket: ReceiverSpec | None = None
    maintenance: list[MaintenanceSpec] = Field(default_factory=list)


class AlertmanagerSpec(Strict):
    """How the config is shipped: complete, or merged into a base config the user owns."""

    base: Text | None = Field(
        default=None,
        description="path of the user's own alertmanager.yml, relative to routing.yaml; "
        'slogen\'s routes go under its route that matches slo_service=~".+"',
    )


class RoutingSpec(TimingSpec):
    """``routing.yaml`` beside the service specs."""

    default: ReceiverSpec = Field(
        default_factory=ReceiverSpec,
        description="receiver of alerts no team route takes; empty means they are dropped",
    )
    maintenance: list[MaintenanceSpec] = Field(
        default_factory=list, description="windows that apply to every team"
    )
    teams: Annotated[dict[Name, TeamSpec], Field(min_length=1)]
    inhibit_equal: list[LabelName] = Field(
        default_factory=list,
        description="labels an alert must share with the one that silences it, for every "
        "silence slogen configures: the external labels that tell one Prometheus's alerts "
        "from another's (cluster, environment, region), so a page in one never silences "
        "another's alerts",
        examples=[["cluster", "environment"]],
    )
    alertmanager: AlertmanagerSpec = Field(default_factory=AlertmanagerSpec)
