"""Bad routing input: each case exits 2, names the file and field, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL_ROUTING, MINIMAL_SPEC, snapshot, write_spec


def _ticket(receiver: str, extra: str = "") -> str:
    return f"""\
teams:
  web:
    page:
      pagerduty: {{routing_key_file: /etc/alertmanager/secrets/web-pagerduty}}
    ticket:
      {receiver}
{extra}"""


MARKED_ROUTE = """\
route: {receiver: ops, routes: [{matchers: ['slo_service=~".+"'], receiver: ops}]}
"""
"""A base config's route with the marked route slogen's routes go under."""


def _window(interval: str) -> str:
    return _ticket(
        "slack: {api_url_file: /s, channel: '#web'}",
        f"""\
    maintenance:
      - name: release
        mute: [ticket]
        time_intervals:
          - {interval}
""",
    )


# (id, files to write under specs/ (name -> text), file:line expected, words expected)
CASES: list[tuple[str, dict[str, str], str, list[str]]] = [
    (
        "inhibit-equal-on-a-slogen-label",
        {"routing.yaml": MINIMAL_ROUTING + "inhibit_equal: [cluster, slo_service]\n"},
        "specs/routing.yaml:7:26: inhibit_equal[1]",
        ["label 'slo_service' is reserved"],
    ),
    (
        "inhibit-equal-not-a-label-name",
        {"routing.yaml": MINIMAL_ROUTING + "inhibit_equal: [data-center]\n"},
        "specs/routing.yaml:7:17: inhibit_equal[0]",
        ["data-center"],
    ),
    (
        "team-missing",
        {"routing.yaml": MINIMAL_ROUTING.replace("  web:", "  mobile:")},
        "specs/shop.yaml:2:1: team",
        ["team 'web' has no entry in specs/routing.yaml", "teams there: mobile"],
    ),
    (
        "literal-secret",
        {
            "routing.yaml": MINIMAL_ROUTING.replace(
                "routing_key_file: /etc/alertmanager/secrets/web-pagerduty",
                "routing_key: 0123456789abcdef",
            )
        },
        "specs/routing.yaml:4:19: teams.web.page.pagerduty.routing_key",
        ["'routing_key' would put a secret in the spec", "write routing_key_file"],
    ),
    (
        "slack-url-inline",
        {"routing.yaml": _ticket("slack: {api_url: 'https://hooks.slack.com/services/T0/B0/XX'}")},
        "specs/routing.yaml:6:15: teams.web.ticket.slack.api_url",
        ["'api_url' would put a secret", "write api_url_file"],
    ),
    (
        "unknown-integration",
        {"routing.yaml": _ticket("msteams: {webhook_url: 'https://example.com'}")},
        "specs/routing.yaml:6:7: teams.web.ticket.msteams",
        ["unknown receiver type 'msteams'", "pagerduty, opsgenie, slack, email, webhook"],
    ),
    (
        "webhook-token-in-url",
        {"routing.yaml": _ticket("webhook: {url: 'https://hooks.example.com/x?token=abc'}")},
        "specs/routing.yaml:6:7: teams.web.ticket.webhook",
        ["query parameter 'token' looks like a credential", "authorization.credentials_file"],
    ),
    (
        "webhook-password-in-url",
        {"routing.yaml": _ticket("webhook: {url: 'https://bot:hunter2@hooks.example.com/x'}")},
        "teams.web.ticket.webhook",
        ["carries a user or password", "basic_auth with password_file"],
    ),
    (
        "relative-secret-file",
        {"routing.yaml": _ticket("slack: {api_url_file: secrets/slack}")},
        "teams.web.ticket.slack.api_url_file",
        ["not an absolute path", "/etc/alertmanager/secrets/"],
    ),
    (
        "clock-out-of-range",
        {"routing.yaml": _window("times: [{start_time: '25:00', end_time: '26:00'}]")},
        "teams.web.maintenance[0].time_intervals[0].times[0].start_time",
        ["'25:00' is not a time of day", "HH:MM from 00:00 to 24:00"],
    ),
    (
        "span-across-midnight",
        {"routing.yaml": _window("times: [{start_time: '22:00', end_time: '02:00'}]")},
        "teams.web.maintenance[0].time_intervals[0].times[0]",
        ["start_time 22:00 is not before end_time 02:00", "two spans"],
    ),
    (
        "weekdays-backwards",
        {"routing.yaml": _window("weekdays: ['friday:monday']")},
        "teams.web.maintenance[0].time_intervals[0].weekdays[0]",
        ["'friday:monday' runs backwards"],
    ),
    (
        "weekday-misspelt",
        {"routing.yaml": _window("weekdays: [tuesdy]")},
        "weekdays[0]",
        ["'tuesdy' is not a weekday", "sunday to saturday"],
    ),
    (
        "unknown-time-zone",
        {"routing.yaml": _window("{weekdays: [monday], location: Mars/Olympus_Mons}")},
        "time_intervals[0].location",
        ["'Mars/Olympus_Mons' is not a time zone"],
    ),
    (
        "day-of-month-zero",
        {"routing.yaml": _window("days_of_month: ['0:5']")},
        "days_of_month[0]",
        ["'0' is not a day of the month"],
    ),
    (
        "always-open-window",
        {"routing.yaml": _window("location: UTC")},
        "time_intervals[0]",
        ["always open"],
    ),
    (
        "no-page-receiver",
        {"routing.yaml": "teams:\n  web:\n    ticket:\n      email: {to: web@example.com}\n"},
        "specs/routing.yaml:2:3: teams.web",
        ["team 'web' has no page receiver, but specs/shop.yaml raise page alerts"],
    ),
    (
        "team-key-typo",
        {"routing.yaml": MINIMAL_ROUTING.replace("    ticket:", "    tickte:")},
        "teams.web.tickte",
        ["unknown key 'tickte'", "did you mean 'ticket'"],
    ),
    (
        "base-missing",
        {"routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: ../am.yml}\n"},
        "specs/routing.yaml:7:16: alertmanager.base",
        ["no such file", "am.yml"],
    ),
    (
        "base-without-marked-route",
        {
            "routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n",
            "am.yml": "route: {receiver: ops}\nreceivers: [{name: ops}]\n",
        },
        "specs/am.yml:1:1: route",
        ["no route marks where slogen's alerts go", 'slo_service=~".+"'],
    ),
    (
        "base-with-inline-secret",
        {
            "routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n",
            "am.yml": (
                "global: {slack_api_url: 'https://hooks.slack.com/services/T/B/X'}\n"
                "route: {receiver: ops, routes: [{matchers: ['slo_service=~\".+\"'], "
                "receiver: ops}]}\nreceivers: [{name: ops}]\n"
            ),
        },
        "specs/am.yml:1:10: global.slack_api_url",
        ["holds a secret inline", "slack_api_url_file"],
    ),
    (
        "depends-on-unknown",
        {"shop.yaml": MINIMAL_SPEC.replace("team: web\n", "team: web\ndepends_on: [shop-db]\n")},
        "specs/shop.yaml:3:14: depends_on[0]",
        ["no service 'shop-db' among the specs", "did you mean 'shop'"],
    ),
    (
        "depends-on-itself",
        {"shop.yaml": MINIMAL_SPEC.replace("team: web\n", "team: web\ndepends_on: [shop]\n")},
        "depends_on[0]",
        ["'shop' cannot depend on itself"],
    ),
    (
        "dependency-cycle",
        {
            "shop.yaml": MINIMAL_SPEC.replace("team: web\n", "team: web\ndepends_on: [cart]\n"),
            "cart.yaml": MINIMAL_SPEC.replace("service: shop", "service: cart").replace(
                "team: web\n", "team: web\ndepends_on: [shop]\n"
            ),
        },
        "specs/cart.yaml:3:1: depends_on",
        ["dependencies form a cycle: cart -> shop -> cart"],
    ),
    (
        "same-severity-label",
        {
            "shop.yaml": MINIMAL_SPEC.replace(
                "team: web\n", "team: web\nalerting: {page: {label: ticket}}\n"
            )
        },
        "specs/shop.yaml:3:19: alerting.page.label",
        ["page and ticket alerts would both carry severity='ticket'"],
    ),
    (
        "always-open-with-empty-field",
        {"routing.yaml": _window("{times: , weekdays: , location: UTC}")},
        "time_intervals[0]",
        ["always open"],
    ),
    (
        "unquoted-clock-time",
        {"routing.yaml": _window("times: [{start_time: 10:30, end_time: '11:00'}]")},
        "times[0].start_time",
        ["got int 630", "put the value in quotes"],
    ),
    (
        "days-of-month-backwards-across-the-end",
        {"routing.yaml": _window("days_of_month: ['28:-5']")},
        "days_of_month[0]",
        ["'28:-5' runs backwards"],
    ),
    (
        "group-by-everything-and-more",
        {"routing.yaml": "group_by: ['...', alertname]\n" + MINIMAL_ROUTING},
        "specs/routing.yaml:1:1: group_by",
        ["'...' groups by every label and must be the only entry"],
    ),
    (
        "group-by-twice",
        {"routing.yaml": "group_by: [alertname, alertname]\n" + MINIMAL_ROUTING},
        "group_by",
        ["group_by lists a label twice"],
    ),
    (
        "email-without-sender",
        {"routing.yaml": _ticket("email: {to: web@example.com, smarthost: 'smtp.example.com:25'}")},
        "specs/routing.yaml:6:7: teams.web.ticket.email",
        ["this email receiver has no 'from'", "smtp_from in the global section"],
    ),
    (
        "secret-pasted-into-a-file-key",
        {"routing.yaml": _ticket("slack: {api_url_file: 'https://hooks.slack.com/T/B/SECRETX'}")},
        "teams.web.ticket.slack.api_url_file",
        ["not an absolute path"],
    ),
    (
        "severity-label-means-two-things-in-a-team",
        {
            "cart.yaml": MINIMAL_SPEC.replace("service: shop", "service: cart").replace(
                "team: web\n", "team: web\nalerting: {page: {label: ticket}, ticket: {label: x}}\n"
            )
        },
        "specs/shop.yaml:5:5: slos[0]",
        ["severity='ticket' marks ticket alerts here but page alerts of cart/availability"],
    ),
    (
        "base-with-numeric-password",
        {
            "routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n",
            "am.yml": MARKED_ROUTE
            + "receivers: [{name: ops, webhook_configs: [{url: 'http://h/x', "
            + "http_config: {basic_auth: {username: u, password: 12345678}}}]}]\n",
        },
        "specs/am.yml:2:",
        ["'password' holds a secret inline"],
    ),
    (
        "base-with-token-in-a-webhook-url",
        {
            "routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n",
            "am.yml": MARKED_ROUTE
            + "receivers: [{name: ops, webhook_configs: [{url: 'https://h/x?token=SECRETX'}]}]\n",
        },
        "specs/am.yml:2:",
        ["query parameter 'token' looks like a credential"],
    ),
    (
        "email-sender-with-a-malformed-global-section",
        {
            "routing.yaml": _ticket(
                "email: {to: web@example.com}", "alertmanager: {base: am.yml}\n"
            ),
            "am.yml": MARKED_ROUTE + "global: nonsense\nreceivers: [{name: ops}]\n",
        },
        "teams.web.ticket.email",
        ["this email receiver has no 'from'"],
    ),
    (
        "base-with-a-receiver-that-is-not-a-mapping",
        {
            "routing.yaml": MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n",
            "am.yml": MARKED_ROUTE + "receivers: [ops]\n",
        },
        "specs/am.yml:2:13: receivers[0]",
        ["expected a mapping"],
    ),
]


@pytest.fixture
def tree(tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    """A good spec tree with routing and a generated/ directory written from it."""
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    write_spec(tmp_path / "specs", "routing.yaml", MINIMAL_ROUTING)
    result = run_cli("generate", "specs", "-o", "generated", "--no-verify", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "generated" / "alertmanager" / "alertmanager.yml").is_file()
    return tmp_path


@pytest.mark.parametrize(
    ("files", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_routing_is_reported_and_changes_nothing(
    tree: Path, run_cli, files: dict[str, str], where: str, words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(tree / "generated")
    for name, text in files.items():
        (tree / "specs" / name).write_text(text)
    result = run_cli("generate", "specs", "-o", "generated", cwd=tree)
    assert result.code == 2, result.err
    assert where in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert "nothing was written" in result.err
    assert "SECRETX" not in result.err
    assert snapshot(tree / "generated") == before


def test_merge_without_routing_is_an_input_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    (tmp_path / "am.yml").write_text("route: {receiver: ops}\nreceivers: [{name: ops}]\n")
    result = run_cli("merge-alertmanager", "am.yml", "specs", "-o", "am.yml", cwd=tmp_path)
    assert result.code == 2
    assert "no routing.yaml" in result.err
    assert (tmp_path / "am.yml").read_text() == "route: {receiver: ops}\nreceivers: [{name: ops}]\n"
