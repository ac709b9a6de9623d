"""Where credentials hide in what users give slogen, so that none is written or printed.

slogen writes configs that are committed, reviewed and printed in CI logs, and it
prints errors about its input to the same logs. A credential in either leaks. This
module is the one place that decides what can carry one; the routing spec, the merge
into a user's Alertmanager config and the error renderer all ask it.

URLs are where credentials hide most often, in four places:

- **userinfo** (``https://user:pass@host``): any userinfo at all is refused.
- **host**: the URL of a chat webhook (Slack, Discord, Microsoft Teams, Google
  Chat, Telegram, ...) *is* the credential, whatever its path; see
  :data:`CHAT_WEBHOOKS`.
- **path**: a segment that looks random (a long mix of letters and digits, a UUID, a
  long hex string), a segment named like a credential followed by another one
  (``/key/<key>``), or ``;name=value`` path parameters.
- **query and fragment**: a query parameter is written out only when it is clearly
  harmless: its name is in :data:`HARMLESS_PARAMETERS` and its value does not look
  like a token. Everything else is refused, with a name such as ``token`` or
  ``sig`` (:func:`secret_name`) called a credential outright. A fragment is never
  sent to the server, so a webhook has no use for one, and it is where OAuth puts
  tokens: any fragment is refused.

Messages never repeat a value that could be the secret: a query parameter's name is
quoted only when it reads like a word (``?abc123def456`` is a bare token whose "name"
is the secret).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Final
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

ALERTMANAGER_VERSION: Final = "0.25"
"""The oldest Alertmanager whose config format slogen writes (Debian bookworm's)."""


@dataclass(frozen=True)
class ChatWebhook:
    """A service whose incoming-webhook URL is itself the credential.

    ``host`` matches the URL's host exactly, or any subdomain when it starts with a
    dot; ``path`` (when given) is a prefix the URL's path must start with, for hosts
    that also serve URLs that are no secret (``webexapis.com/v1/messages``).
    """

    service: str
    host: str
    path: str = ""

    def matches(self, host: str, path: str) -> bool:
        """True when a URL with this (lower-case) host and path is this service's hook."""
        if self.host.startswith("."):
            on_host = host.endswith(self.host) or host == self.host[1:]
        else:
            on_host = host == self.host
        return on_host and path.lower().startswith(self.path)


CHAT_WEBHOOKS: Final[tuple[ChatWebhook, ...]] = (
    ChatWebhook("Slack", "hooks.slack.com"),
    ChatWebhook("Slack", "hooks.slack-gov.com"),
    ChatWebhook("Discord", "discord.com"),
    ChatWebhook("Discord", ".discord.com"),
    ChatWebhook("Discord", "discordapp.com"),
    ChatWebhook("Discord", ".discordapp.com"),
    ChatWebhook("Microsoft Teams", ".webhook.office.com"),
    ChatWebhook("Microsoft Teams", "outlook.office.com"),
    ChatWebhook("Microsoft Teams", "outlook.office365.com"),
    ChatWebhook("Microsoft Teams (Power Automate workflow)", ".logic.azure.com"),
    ChatWebhook("Microsoft Teams (Power Automate workflow)", ".api.powerplatform.com"),
    ChatWebhook("Google Chat", "chat.googleapis.com"),
    ChatWebhook("Telegram", "api.telegram.org"),
    ChatWebhook("Webex", "webexapis.com", "/v1/webhooks/incoming"),
    ChatWebhook("Zapier", "hooks.zapier.com"),
    ChatWebhook("IFTTT", "maker.ifttt.com"),
    ChatWebhook("DingTalk", "oapi.dingtalk.com"),
    ChatWebhook("WeCom", "qyapi.weixin.qq.com", "/cgi-bin/webhook"),
    ChatWebhook("Feishu", "open.feishu.cn"),
    ChatWebhook("Lark", "open.larksuite.com"),
    ChatWebhook("Flock", "api.flock.com"),
    ChatWebhook("Splunk On-Call", "alert.victorops.com", "/integrations"),
    ChatWebhook("Grafana OnCall", ".grafana.net", "/integrations"),
)
"""Known hosts of webhook URLs that carry their own credential (every host is matched
whatever the path, unless a path prefix is given)."""

_SECRET_WORDS: Final = re.compile(
    r"token|secret|pass|pwd|credential|auth|key|sig|jwt|bearer|sas|session|cookie|"
    r"code|access|private|hmac|nonce|otp|cert",
    re.IGNORECASE,
)

HARMLESS_PARAMETERS: Final = frozenset(
    {
        "api-version",
        "channel",
        "cluster",
        "environment",
        "env",
        "format",
        "lang",
        "locale",
        "mode",
        "priority",
        "project",
        "region",
        "room",
        "service",
        "severity",
        "source",
        "tags",
        "team",
        "template",
        "tenant",
        "type",
        "v",
        "version",
    }
)
"""Query parameters a webhook URL may keep: they select, they do not authenticate."""

_SECRET_SEGMENTS: Final = frozenset(
    {"token", "key", "apikey", "api_key", "api-key", "secret", "password", "sig", "signature"}
)
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z_.-]{0,31}")
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX: Final = re.compile(r"[0-9a-f]{24,}", re.IGNORECASE)

SECRET_FIELD: Final = re.compile(
    r"(^|_)(url|uri|key|token|secret|password|pass|passwd|pwd|credentials?|auth|"
    r"signature|sig|jwt|bearer|cookie|session)($|_)|_file$|^file$|^authorization$",
    re.IGNORECASE,
)
"""Names of fields whose value may be a credential, or a credential pasted by mistake
(a ``*_file`` key holding the secret rather than its path)."""


def secret_name(name: str) -> bool:
    """True when a parameter or key named ``name`` reads like it holds a credential
    (``token``, ``pass``, ``pwd``, ``sig``, ``apiKey``, ``X-Amz-Signature``, ...)."""
    return _SECRET_WORDS.search(name) is not None


def secret_field(name: str) -> bool:
    """True when a spec or config field named ``name`` may hold a credential, so that
    its value must never be repeated in a message (``url``, ``api_url``,
    ``routing_key_file``, ``credentials``, ``bot_token``, ...)."""
    return SECRET_FIELD.search(name) is not None


def printable_name(name: str) -> str | None:
    """``name`` if it reads like a word and may be quoted in a message, else None: a
    bare ``?a1b2c3...`` is a token whose "name" is the secret."""
    if _WORD.fullmatch(name) and not looks_like_token(name):
        return name
    return None


def looks_like_token(text: str) -> bool:
    """True when ``text`` looks generated rather than written: a UUID, a long hex
    string, or a long run switching often between letters and digits or mixing many
    upper- and lower-case letters.

    Runs are split at ``-``, ``_`` and ``.``, so that readable names
    (``receiver-for-team1-production-2024``) are not taken for tokens.
    """
    text = unquote(text)
    if _UUID.search(text):
        return True
    for run in _HEX.findall(text):
        if re.search(r"\d", run) and re.search(r"[a-f]", run, re.IGNORECASE):
            return True
    for run in re.split(r"[-_.~]", text):
        # Switches between letters and digits: many in a random string, few in a
        # name with a number in it (alertmanager2slack, team12).
        switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(run))
        upper = sum(c.isupper() for c in run)
        lower = sum(c.islower() for c in run)
        if len(run) >= 16 and switches >= 4:
            return True
        if len(run) >= 20 and upper >= 5 and lower >= 5:
            return True
    return False


def chat_webhook(url: str) -> str | None:
    """The service whose incoming webhook ``url`` is (``"Slack"``), or None."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    for hook in CHAT_WEBHOOKS:
        if hook.matches(host, parts.path):
            return hook.service
    return None


def url_secret_reason(url: str) -> str | None:
    """Why ``url`` may carry a credential that would be written out in clear, or None.

    The reason names where (userinfo, host, path, query parameter, fragment) but never
    repeats the part that may be the secret.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "the URL cannot be parsed, so it cannot be checked for a credential"
    if "@" in parts.netloc:
        return "the URL carries a user or password"
    service = chat_webhook(url)
    if service is not None:
        return f"the URL is a {service} webhook, whose address is itself the credential"
    return _path_reason(parts.path) or _query_reason(parts.query) or _fragment_reason(parts)


def _path_reason(path: str) -> str | None:
    segments = [s for s in path.split("/") if s]
    if any(";" in s for s in segments):
        return "the URL's path has ';' parameters, which may carry a credential"
    for index, segment in enumerate(segments):
        if looks_like_token(segment):
            return "a segment of the URL's path looks like a token"
        if segment.lower() in _SECRET_SEGMENTS and index + 1 < len(segments):
            return f"the URL's path has a {segment.lower()!r} segment followed by its value"
    return None


def _query_reason(query: str) -> str | None:
    if not query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        shown = printable_name(name)
        if shown is None:
            return "the URL has a query parameter whose name looks like a token"
        if secret_name(name):
            return f"the URL's query parameter {shown!r} looks like a credential"
        if name.lower() not in HARMLESS_PARAMETERS:
            return (
                f"the URL's query parameter {shown!r} may carry a credential (only "
                f"{', '.join(sorted(HARMLESS_PARAMETERS))} are written out)"
            )
        if looks_like_token(value):
            return f"the value of the URL's query parameter {shown!r} looks like a token"
    if not parse_qsl(query, keep_blank_values=True):
        return "the URL has a query string that may carry a credential"
    return None


def _fragment_reason(parts: SplitResult) -> str | None:
    if parts.fragment:
        return (
            "the URL has a fragment (#...), which is never sent to the server and may carry a token"
        )
    return None


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({len(text)} characters)"


ALERTMANAGER_SECRET_KEYS: Final[dict[str, str | None]] = {
    "api_key": "api_key_file",
    "api_secret": None,
    "auth_password": "auth_password_file",
    "auth_secret": None,
    "bearer_token": "bearer_token_file",
    "bot_token": None,
    "client_secret": "client_secret_file",
    "credentials": "credentials_file",
    "opsgenie_api_key": "opsgenie_api_key_file",
    "password": "password_file",
    "routing_key": "routing_key_file",
    "secret_key": None,
    "service_key": "service_key_file",
    "slack_api_url": "slack_api_url_file",
    "smtp_auth_password": "smtp_auth_password_file",
    "smtp_auth_secret": None,
    "token": None,
    "user_key": None,
    "victorops_api_key": "victorops_api_key_file",
    "webhook_url": None,
    "wechat_api_secret": None,
}
"""Alertmanager's secret-typed keys, wherever they appear, with the key Alertmanager
0.25 reads the secret from a file with, or None where 0.25 has none (checked with
``amtool check-config`` 0.25: ``bot_token_file``, ``webhook_url_file``, ``token_file``,
``user_key_file``, ``api_secret_file`` and webhooks' ``url_file`` are all unknown to it)."""

ALERTMANAGER_INTEGRATION_SECRET_KEYS: Final[dict[tuple[str, str], str | None]] = {
    ("slack_configs", "api_url"): "api_url_file",
    ("discord_configs", "webhook_url"): None,
}
"""Keys that are secret only in one integration (a Slack ``api_url`` is the webhook)."""

ALERTMANAGER_PLAIN_KEYS: Final = frozenset({("victorops_configs", "routing_key")})
"""Keys named like a secret that are not one in that integration (VictorOps' routing
key picks a route, its ``api_key`` is the secret)."""


def alertmanager_secret_key(integration: str | None, key: str) -> tuple[bool, str | None]:
    """Whether ``key`` (in ``integration``, a list such as ``slack_configs``) is one of
    Alertmanager's secret keys, and the key that reads it from a file in Alertmanager
    0.25 (None where there is none)."""
    if integration is not None:
        if (integration, key) in ALERTMANAGER_PLAIN_KEYS:
            return False, None
        if (integration, key) in ALERTMANAGER_INTEGRATION_SECRET_KEYS:
            return True, ALERTMANAGER_INTEGRATION_SECRET_KEYS[(integration, key)]
    if key in ALERTMANAGER_SECRET_KEYS:
        return True, ALERTMANAGER_SECRET_KEYS[key]
    return False, None
