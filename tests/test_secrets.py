"""No value that can carry a credential is written or printed.

Each hostile input is refused with exit code 2, a message naming the file, the field
and the ``*_file`` key (or other way) to use instead, and the secret appears in no
output: not stdout, not stderr, not any file written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from slogen.secrets import chat_webhook, looks_like_token, url_secret_reason
from tests.conftest import MINIMAL_ROUTING, MINIMAL_SPEC, write_spec

SECRET = "Zq8sEcReTvAlUe7w"
"""Stands for the credential in every hostile input; it must never come out again."""

PAGE = "      pagerduty: {routing_key_file: /etc/alertmanager/secrets/web-pagerduty}\n"


def _routing(ticket: str, page: str = PAGE) -> str:
    return f"teams:\n  web:\n    page:\n{page}    ticket:\n      {ticket}\n"


def _webhook(url: str) -> str:
    return _routing(f"webhook: {{url: '{url}'}}")


MARKED = """\
route: {receiver: ops, routes: [{matchers: ['slo_service=~".+"'], receiver: ops}]}
"""


def _base(receiver: str) -> str:
    return MARKED + f"receivers:\n  - name: ops\n    {receiver}\n"


def _outputs(root: Path, inputs: set[Path]) -> str:
    """The text of every file under ``root`` that is not one of the inputs."""
    texts = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path not in inputs:
            texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def _assert_refused(
    tmp_path: Path, result, inputs: set[Path], where: list[str], words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, result.err
    for word in [*where, *words]:
        assert word in result.err, result.err
    assert SECRET not in result.out
    assert SECRET not in result.err
    assert SECRET not in _outputs(tmp_path, inputs)


def _generate(tmp_path: Path, run_cli, routing: str, spec: str = MINIMAL_SPEC):  # type: ignore[no-untyped-def]
    inputs = {
        write_spec(tmp_path / "specs", "shop.yaml", spec),
        write_spec(tmp_path / "specs", "routing.yaml", routing),
    }
    return run_cli("generate", "specs", "-o", "generated", cwd=tmp_path), inputs


# (id, routing.yaml, words expected besides the file and the field)
SPEC_CASES: list[tuple[str, str, str, list[str]]] = [
    (
        "slack-webhook-as-generic-webhook",
        _webhook(f"https://hooks.slack.com/services/T0AAA/B0BBB/{SECRET}"),
        "teams.web.ticket.webhook",
        ["url: the URL is a Slack webhook", "slack receiver with api_url_file"],
    ),
    (
        "discord-webhook",
        _webhook(f"https://discord.com/api/webhooks/123/{SECRET}"),
        "teams.web.ticket.webhook",
        ["Discord webhook", "url_file came in later", "authorization.credentials_file"],
    ),
    (
        "discordapp-webhook",
        _webhook(f"https://canary.discordapp.com/api/webhooks/123/{SECRET}"),
        "teams.web.ticket.webhook",
        ["Discord webhook", "authorization.credentials_file"],
    ),
    (
        "teams-webhook-office-com",
        _webhook(f"https://contoso.webhook.office.com/webhookb2/{SECRET}/IncomingWebhook/x/y"),
        "teams.web.ticket.webhook",
        ["Microsoft Teams webhook", "authorization.credentials_file"],
    ),
    (
        "teams-outlook-office-com",
        _webhook(f"https://outlook.office.com/webhook/{SECRET}/IncomingWebhook/x"),
        "teams.web.ticket.webhook",
        ["Microsoft Teams webhook", "authorization.credentials_file"],
    ),
    (
        "teams-logic-azure-workflow",
        _webhook(
            "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/"
            f"paths/invoke?api-version=2016-06-01&sp=x&sv=1.0&sig={SECRET}"
        ),
        "teams.web.ticket.webhook",
        ["Power Automate workflow", "authorization.credentials_file"],
    ),
    (
        "google-chat-webhook",
        _webhook(f"https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token={SECRET}"),
        "teams.web.ticket.webhook",
        ["Google Chat webhook"],
    ),
    (
        "telegram-bot-url",
        _webhook(f"https://api.telegram.org/bot{SECRET}/sendMessage"),
        "teams.web.ticket.webhook",
        ["Telegram webhook"],
    ),
    (
        "fragment",
        _webhook(f"https://hooks.example.com/alerts#access_token={SECRET}"),
        "teams.web.ticket.webhook",
        ["has a fragment", "authorization.credentials_file"],
    ),
    (
        "unknown-query-parameter",
        _webhook(f"https://hooks.example.com/alerts?x={SECRET}"),
        "teams.web.ticket.webhook",
        ["query parameter 'x' may carry a credential", "authorization.credentials_file"],
    ),
    (
        "bare-token-as-query",
        _webhook(f"https://hooks.example.com/alerts?{SECRET}"),
        "teams.web.ticket.webhook",
        ["query parameter whose name looks like a token"],
    ),
    (
        "token-like-value-of-a-harmless-parameter",
        _webhook(f"https://hooks.example.com/alerts?channel=a{SECRET}1"),
        "teams.web.ticket.webhook",
        ["value of the URL's query parameter 'channel' looks like a token"],
    ),
    (
        "token-in-path",
        _webhook(f"https://mattermost.example.com/hooks/{SECRET}abc123"),
        "teams.web.ticket.webhook",
        ["segment of the URL's path looks like a token", "authorization.credentials_file"],
    ),
    (
        "uuid-in-path",
        _webhook("https://oncall.example.com/integrations/4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6/"),
        "teams.web.ticket.webhook",
        ["segment of the URL's path looks like a token"],
    ),
    (
        "key-segment-in-path",
        _webhook(f"https://maker.example.com/trigger/alert/with/key/{SECRET[:6]}"),
        "teams.web.ticket.webhook",
        ["path has a 'key' segment followed by its value"],
    ),
    (
        "path-parameters",
        _webhook(f"https://hooks.example.com/alerts;jsessionid={SECRET}"),
        "teams.web.ticket.webhook",
        ["path has ';' parameters"],
    ),
    (
        "user-without-password",
        _webhook(f"https://{SECRET}@hooks.example.com/alerts"),
        "teams.web.ticket.webhook",
        ["carries a user or password", "basic_auth with password_file"],
    ),
    (
        "password-without-user",
        _webhook(f"https://:{SECRET}@hooks.example.com/alerts"),
        "teams.web.ticket.webhook",
        ["carries a user or password"],
    ),
    (
        "pagerduty-url-with-token",
        _routing(
            "email: {to: web@example.com, from: am@example.com}",
            "      pagerduty: {routing_key_file: /etc/pd, "
            f"url: 'https://events.example.com/v2/enqueue?token={SECRET}'}}\n",
        ),
        "teams.web.page.pagerduty",
        ["url: the URL's query parameter 'token' looks like a credential", "routing_key_file"],
    ),
    (
        "opsgenie-api-url-with-apikey",
        _routing(
            "opsgenie: {api_key_file: /etc/og, "
            f"api_url: 'https://api.example.com/v2/?apiKey={SECRET}'}}"
        ),
        "teams.web.ticket.opsgenie",
        ["api_url: the URL's query parameter 'apiKey' looks like a credential", "api_key_file"],
    ),
    (
        "number-as-routing-key-file",
        _routing("email: {to: web@example.com, from: am@example.com}").replace(
            "/etc/alertmanager/secrets/web-pagerduty", "8817360091234567"
        ),
        "teams.web.page.pagerduty.routing_key_file",
        ["got an int (value not shown)"],
    ),
    (
        "url-as-api-url-file",
        _routing(f"slack: {{api_url_file: '/https://hooks.slack.com/services/T/B/{SECRET}'}}"),
        "teams.web.ticket.slack.api_url_file",
        ["looks like a URL, not a path", "/etc/alertmanager/secrets/"],
    ),
    (
        "url-written-as-a-key",
        _routing(f"slack: {{'https://hooks.slack.com/services/T/B/{SECRET}'}}"),
        "teams.web.ticket.slack.<not shown>",
        ["looks like a URL or a token, so it is not repeated here", "api_url_file"],
    ),
    (
        "number-as-webhook-url",
        _webhook("x").replace("url: 'x'", "url: 88173600912345678"),
        "teams.web.ticket.webhook.url",
        ["got an int (value not shown)"],
    ),
    (
        "webhook-url-not-http",
        _webhook(f"ftp://hooks.example.com/{SECRET}"),
        "teams.web.ticket.webhook.url",
        ["not an http(s) URL"],
    ),
    (
        "secret-as-a-team-name",
        MINIMAL_ROUTING.replace("  web:", f"  'hooks.slack.com/services/T/B/{SECRET}':"),
        "teams.<not shown>",
        [],
    ),
]


@pytest.mark.parametrize(
    ("routing", "field", "words"), [c[1:] for c in SPEC_CASES], ids=[c[0] for c in SPEC_CASES]
)
def test_routing_secret_is_refused_and_never_repeated(
    tmp_path: Path, run_cli, routing: str, field: str, words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    result, inputs = _generate(tmp_path, run_cli, routing)
    _assert_refused(tmp_path, result, inputs, ["specs/routing.yaml:", field], words)
    assert not (tmp_path / "generated").exists()


@pytest.mark.parametrize("name", ["pass", "pwd", "jwt", "bearer", "sas", "sig", "token", "apikey"])
def test_credential_query_parameter_names_are_refused(tmp_path: Path, run_cli, name: str) -> None:  # type: ignore[no-untyped-def]
    result, inputs = _generate(
        tmp_path, run_cli, _webhook(f"https://hooks.example.com/alerts?{name}={SECRET}")
    )
    _assert_refused(
        tmp_path,
        result,
        inputs,
        ["specs/routing.yaml:6:7: teams.web.ticket.webhook"],
        [f"query parameter {name!r} looks like a credential", "authorization.credentials_file"],
    )


def test_harmless_urls_are_accepted(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    routing = _routing(
        "webhook: {url: 'https://tickets.example.com/api/v2/receiver-for-team1-production"
        "?format=json&team=web', authorization: {credentials_file: /etc/t}}"
    )
    result, _ = _generate(tmp_path, run_cli, routing)
    assert result.code == 0, result.err
    config = (tmp_path / "generated" / "alertmanager" / "alertmanager.yml").read_text()
    assert "?format=json&team=web" in config


def test_a_long_name_says_what_is_too_long_without_echoing_it(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    spec = MINIMAL_SPEC.replace("name: availability", "name: " + "a" * 10_000)
    result, _ = _generate(tmp_path, run_cli, MINIMAL_ROUTING, spec)
    assert result.code == 2, result.err
    assert "specs/shop.yaml:5:5: slos[0].name: name is too long: 10000 characters" in result.err
    assert "at most 63 characters" in result.err
    assert "items" not in result.err
    assert len(result.err) < 400, result.err


def test_a_long_secret_key_in_a_spec_is_not_echoed(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    routing = _routing("email: {to: web@example.com, from: am@example.com}").replace(
        "routing_key_file: /etc/alertmanager/secrets/web-pagerduty", f"routing_key: {SECRET}"
    )
    result, inputs = _generate(tmp_path, run_cli, routing)
    _assert_refused(
        tmp_path,
        result,
        inputs,
        ["specs/routing.yaml:4:19: teams.web.page.pagerduty.routing_key"],
        ["would put a secret", "routing_key_file"],
    )


# (id, receiver lines of the base config, field, words expected)
BASE_CASES: list[tuple[str, str, str, list[str]]] = [
    (
        "slack-webhook-in-a-webhook-config",
        f"webhook_configs: [{{url: 'https://hooks.slack.com/services/T/B/{SECRET}'}}]",
        "receivers[0].webhook_configs[0].url",
        ["receiver 'ops', in webhook_configs[0]: 'url'", "Slack webhook", "api_url_file"],
    ),
    (
        "teams-webhook-in-a-webhook-config",
        f"webhook_configs: [{{url: 'https://x.webhook.office.com/webhookb2/{SECRET}'}}]",
        "receivers[0].webhook_configs[0].url",
        ["Microsoft Teams webhook", "http_config.authorization.credentials_file"],
    ),
    (
        "pwd-in-a-webhook-url",
        f"webhook_configs: [{{url: 'https://h.example.com/x?pwd={SECRET}'}}]",
        "receivers[0].webhook_configs[0].url",
        ["query parameter 'pwd' looks like a credential", "url_file came in later"],
    ),
    (
        "fragment-in-a-webhook-url",
        f"webhook_configs: [{{url: 'https://h.example.com/x#{SECRET}'}}]",
        "receivers[0].webhook_configs[0].url",
        ["has a fragment", "http_config.authorization.credentials_file"],
    ),
    (
        "user-in-a-proxy-url",
        "webhook_configs: [{url: 'https://h.example.com/x', "
        f"http_config: {{proxy_url: 'http://u:{SECRET}@proxy:3128'}}}}]",
        "receivers[0].webhook_configs[0].http_config.proxy_url",
        ["'proxy_url': the URL carries a user or password"],
    ),
    (
        "discord-webhook-url",
        f"discord_configs: [{{webhook_url: 'https://discord.com/api/webhooks/1/{SECRET}'}}]",
        "receivers[0].discord_configs[0].webhook_url",
        ["'webhook_url' holds a secret inline", "Alertmanager 0.25 cannot read webhook_url"],
    ),
    (
        "slack-api-url",
        f"slack_configs: [{{api_url: 'https://hooks.slack.com/services/T/B/{SECRET}'}}]",
        "receivers[0].slack_configs[0].api_url",
        ["receiver 'ops', in slack_configs[0]: 'api_url' holds", "use api_url_file"],
    ),
    (
        "pagerduty-routing-key",
        f"pagerduty_configs: [{{routing_key: {SECRET}}}]",
        "receivers[0].pagerduty_configs[0].routing_key",
        ["'routing_key' holds a secret inline", "use routing_key_file"],
    ),
    (
        "pagerduty-service-key",
        f"pagerduty_configs: [{{service_key: {SECRET}}}]",
        "receivers[0].pagerduty_configs[0].service_key",
        ["'service_key' holds a secret inline", "use service_key_file"],
    ),
    (
        "opsgenie-api-key",
        f"opsgenie_configs: [{{api_key: {SECRET}}}]",
        "receivers[0].opsgenie_configs[0].api_key",
        ["'api_key' holds a secret inline", "use api_key_file"],
    ),
    (
        "email-auth-password",
        f"email_configs: [{{to: a@example.com, auth_password: {SECRET}}}]",
        "receivers[0].email_configs[0].auth_password",
        ["'auth_password' holds a secret inline", "use auth_password_file"],
    ),
    (
        "basic-auth-password",
        "webhook_configs: [{url: 'https://h.example.com/x', "
        f"http_config: {{basic_auth: {{username: u, password: {SECRET}}}}}}}]",
        "receivers[0].webhook_configs[0].http_config.basic_auth.password",
        ["'password' holds a secret inline", "use password_file"],
    ),
    (
        "authorization-credentials",
        "webhook_configs: [{url: 'https://h.example.com/x', "
        f"http_config: {{authorization: {{credentials: {SECRET}}}}}}}]",
        "receivers[0].webhook_configs[0].http_config.authorization.credentials",
        ["'credentials' holds a secret inline", "use credentials_file"],
    ),
    (
        "telegram-bot-token",
        f"telegram_configs: [{{bot_token: {SECRET}, chat_id: 1}}]",
        "receivers[0].telegram_configs[0].bot_token",
        ["'bot_token' holds a secret inline", "Alertmanager 0.25 cannot read bot_token"],
    ),
    (
        "pushover-token",
        f"pushover_configs: [{{user_key_file: /etc/u, token: {SECRET}}}]",
        "receivers[0].pushover_configs[0].token",
        ["'token' holds a secret inline", "Alertmanager 0.25 cannot read token"],
    ),
    (
        "secret-written-as-a-key",
        f"webhook_configs: [{{'https://hooks.slack.com/services/T/B/{SECRET}': x}}]",
        "receivers[0].webhook_configs[0]",
        ["a key here looks like a URL or a token (not repeated here)", "*_file"],
    ),
]


@pytest.mark.parametrize(
    ("receiver", "field", "words"), [c[1:] for c in BASE_CASES], ids=[c[0] for c in BASE_CASES]
)
def test_merge_refuses_a_base_config_holding_a_secret(
    tmp_path: Path, run_cli, receiver: str, field: str, words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    inputs = {
        write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC),
        write_spec(tmp_path / "specs", "routing.yaml", MINIMAL_ROUTING),
        write_spec(tmp_path, "am.yml", _base(receiver)),
    }
    before = (tmp_path / "am.yml").read_text()
    result = run_cli("merge-alertmanager", "am.yml", "specs", "-o", "am.yml", cwd=tmp_path)
    _assert_refused(tmp_path, result, inputs, ["am.yml:", field], words)
    assert (tmp_path / "am.yml").read_text() == before


def test_generate_with_a_base_holding_a_secret_writes_nothing(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    routing = MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n"
    inputs = {
        write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC),
        write_spec(tmp_path / "specs", "routing.yaml", routing),
        write_spec(
            tmp_path / "specs",
            "am.yml",
            _base(f"webhook_configs: [{{url: 'https://discord.com/api/webhooks/1/{SECRET}'}}]"),
        ),
    }
    result = run_cli("generate", "specs", "-o", "generated", cwd=tmp_path)
    _assert_refused(
        tmp_path,
        result,
        inputs,
        ["specs/am.yml:", "receivers[0].webhook_configs[0].url"],
        ["Discord webhook", "credentials_file"],
    )
    assert not (tmp_path / "generated").exists()


def test_merge_keeps_what_is_no_secret(tmp_path: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """VictorOps' routing_key picks a route (its api_key is the secret), and a receiver
    slogen wrote is replaced, not copied, so neither stops a merge."""
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    write_spec(tmp_path / "specs", "routing.yaml", MINIMAL_ROUTING)
    write_spec(
        tmp_path,
        "am.yml",
        _base("victorops_configs: [{api_key_file: /etc/vo, routing_key: ops-team}]")
        + "  - name: slogen/web/page\n"
        + f"    webhook_configs: [{{url: 'https://hooks.slack.com/services/T/B/{SECRET}'}}]\n",
    )
    result = run_cli("merge-alertmanager", "am.yml", "specs", "-o", "merged.yml", cwd=tmp_path)
    assert result.code == 0, result.err
    checked = subprocess.run(
        [amtool, "check-config", str(tmp_path / "merged.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    merged = (tmp_path / "merged.yml").read_text()
    assert "routing_key: ops-team" in merged
    assert SECRET not in merged


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T/B/x",
        "https://HOOKS.SLACK.COM./services/T/B/x",
        "https://discordapp.com/api/webhooks/1/x",
        "https://x.webhook.office.com/webhookb2/x",
        "https://outlook.office365.com/webhook/x",
        "https://prod.westus.logic.azure.com/workflows/x",
        "https://x.environment.api.powerplatform.com/powerautomate/x",
    ],
)
def test_chat_webhook_hosts_are_known_whatever_the_path(url: str) -> None:
    assert chat_webhook(url) is not None
    assert url_secret_reason(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://tickets.example.com/api/alertmanager",
        "http://127.0.0.1:9093/web/page",
        "https://webexapis.com/v1/messages",
        "https://events.pagerduty.com/v2/enqueue",
        "https://h.example.com/x?format=json",
    ],
)
def test_plain_urls_pass(url: str) -> None:
    assert url_secret_reason(url) is None


def test_readable_names_are_not_tokens() -> None:
    assert not looks_like_token("receiver-for-team1-production-2024")
    assert not looks_like_token("AlertmanagerWebhookReceiver")
    assert not looks_like_token("alertmanager2slack")
    assert looks_like_token("xi8eo1h5ppgjxmhdkr5ysr8m3w")
    assert looks_like_token("xoxb-1234567890-AbCdEfGhIjKlMnOpQrStUvWx")
    assert looks_like_token("4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6")
