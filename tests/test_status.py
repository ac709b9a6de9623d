"""The budget figures ``status`` derives and the decisions ``gate`` takes from them.

These are the pure parts: the policy state, the projected exhaustion, the gate's
verdict and the override record. Reading them from a real Prometheus with history
is shown in tests/test_e2e_status.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import slogen
from slogen import budget_policy
from slogen.errors import SpecError
from slogen.gate import decide, override_record
from slogen.prometheus_api import Prometheus, PrometheusError, Sample
from slogen.resolve import resolve
from slogen.status import NO_DATA, SLOStatus
from slogen.status import status as read_status
from slogen.status_report import SHORT_HISTORY_NOTE, as_json, exhaustion, history, table
from tests.conftest import CliResult
from tests.grouped_shop import GROUPED_SPEC
from tests.server_harness import free_port

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = 86400


def _status(remaining: float | None, burn: float | None = 1.0, **fields: object) -> SLOStatus:
    values: dict[str, object] = {
        "service": "checkout",
        "slo": "availability",
        "team": "payments",
        "group": (),
        "objective": Fraction(999, 1000),
        "period": 30 * DAY,
        "sli": None if remaining is None else 1 - 0.001 * (1 - remaining),
        "remaining": remaining,
        "burn_window": 3600,
        "burn_rate": burn,
        "firing": (),
    }
    values.update(fields)
    return SLOStatus(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("remaining", "state"),
    [
        (1.0, "healthy"),
        (0.5, "healthy"),
        (0.4999, "warning"),
        (0.25, "warning"),
        (0.2499, "critical"),
        (0.0, "critical"),
        (-0.01, "exhausted"),
        (None, NO_DATA),
    ],
)
def test_policy_states_follow_the_budget_alerts(remaining: float | None, state: str) -> None:
    assert _status(remaining).state == state


def test_exhaustion_is_projected_only_when_spending_outpaces_the_window() -> None:
    # Half the budget left, burning 10x: half of 30 days' budget lasts 30d * 0.5 / 10.
    assert _status(0.5, 10.0).seconds_to_exhaustion == pytest.approx(1.5 * DAY)
    assert exhaustion(_status(0.5, 10.0), NOW) == "2026-11-25 00:00 UTC"
    assert _status(0.5, 1.0).seconds_to_exhaustion is None  # sustainable: never runs out
    assert _status(0.5, None).seconds_to_exhaustion is None
    assert exhaustion(_status(-0.2, 5.0), NOW) == "spent"
    assert exhaustion(_status(0.9, 0.2), NOW) == "-"


def test_the_gate_closes_on_a_spent_budget_of_the_services_asked_about() -> None:
    healthy = _status(0.8)
    spent = _status(-0.3, service="search", slo="latency")
    unknown = _status(None, service="search", slo="availability")
    assert not decide([healthy, spent]).open
    assert decide([healthy, spent], ["checkout"]).open
    closed = decide([healthy, spent, unknown], ["search"])
    assert closed.exhausted == (spent,) and closed.without_data == (unknown,)
    assert decide([healthy, unknown]).open  # no data alone does not freeze releases
    assert not decide([healthy, unknown], require_data=True).open


def test_the_gate_refuses_a_service_that_does_not_exist() -> None:
    with pytest.raises(SpecError, match=r"--service: no service 'chekout'.*known: checkout"):
        decide([_status(0.8)], ["chekout"])


def test_an_override_is_recorded_with_what_it_overrode() -> None:
    group = (("cluster", "eu-1"),)
    decision = decide([_status(-0.3, group=group)])
    record = json.loads(override_record(decision, "CVE-2026-1234 fix", "alice", NOW))
    assert record == {
        "by": "alice",
        "overridden": ['checkout/availability{cluster="eu-1"}'],
        "reason": "CVE-2026-1234 fix",
        "services": ["checkout"],
        "time": "2026-11-23T12:00:00+00:00",
    }


def test_the_table_has_a_row_per_slo_and_group() -> None:
    rows = table([_status(0.5, 10.0, firing=("SLOErrorBudgetBurn/page",)), _status(None)], NOW)
    header, first, second = rows.splitlines()
    assert header.split()[:2] == ["SLO", "OBJECTIVE"]
    assert "99.9%/30d" in first and "50.0%" in first and "10.00x/1h" in first
    assert "SLOErrorBudgetBurn/page" in first and "2026-11-25 00:00 UTC" in first
    assert "no data" in second
    assert budget_policy.state(0.3) == "warning"


def test_the_history_is_said_where_it_is_shorter_than_the_period() -> None:
    young = _status(0.9, coverage=3 / 720)  # 3h of 30d
    assert young.short_history and young.history_seconds == pytest.approx(3 * 3600)
    assert history(young) == "3h of 30d"
    assert history(_status(0.9, coverage=0.123)) == "3d17h of 30d"  # 3d16h50m, rounded
    assert history(_status(0.9, coverage=1.0)) == "full"
    assert history(_status(0.9)) == "-"  # rules without the coverage recording
    assert not _status(0.9).short_history and not _status(0.9, coverage=1.0).short_history
    rows = table([_status(0.9, coverage=1.0), young], NOW).splitlines()
    assert "HISTORY" in rows[0] and "  full  " in rows[1] and "  3h of 30d  " in rows[2]
    assert "\n".join(rows[-2:]) == SHORT_HISTORY_NOTE and rows[-3] == ""
    assert SHORT_HISTORY_NOTE not in table([_status(0.9, coverage=1.0)], NOW)
    [fields] = json.loads(as_json([young], NOW))
    assert fields["period_coverage"] == pytest.approx(3 / 720)
    assert fields["history_seconds"] == pytest.approx(3 * 3600)


def test_the_gate_judges_a_young_slo_by_its_budget_and_names_it() -> None:
    """The remaining budget is already weighed by the coverage: a young SLO closes the
    gate only once its history has spent a whole period's budget."""
    young = _status(0.95, coverage=0.01)
    spent_young = _status(-0.5, coverage=0.01, slo="latency")
    grown = _status(0.6, coverage=1.0, slo="freshness")
    nothing = _status(None, coverage=None, slo="probe")
    assert decide([young, grown, nothing]).open
    assert decide([young, grown, nothing]).short_history == (young,)
    closed = decide([young, spent_young])
    assert not closed.open and closed.exhausted == (spent_young,)
    assert closed.short_history == (young, spent_young)


def test_a_young_slo_is_named_by_the_gate_with_its_history(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    young = _status(0.95, coverage=3 / 720)
    spent = _status(-0.5, coverage=3 / 720, service="search")
    monkeypatch.setattr("slogen.api.read_status", lambda *args: [young, spent])
    result = run_cli("gate", str(ROOT / "specs"), "--prometheus", "http://127.0.0.1:1")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "budget spent: search/availability (-50.0% left, history: 3h of 30d)",
        "short history: checkout/availability (95.0% left, history: 3h of 30d; judged as it "
        "stands, against the whole period's budget)",
    ]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts the connection and never answers: a hung Prometheus."""

    class Hang(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(10)

        def log_message(self, *args: object) -> None:
            pass

    release = threading.Event()
    server = HTTPServer(("127.0.0.1", free_port()), Hang)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_a_slow_prometheus_is_a_clear_error_after_the_timeout(silent_server: str) -> None:
    with pytest.raises(PrometheusError, match=r"no answer within 0.5s"):
        Prometheus(silent_server, timeout=0.5).query("up")


def test_an_unreachable_prometheus_exits_3_with_the_reason(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROOT

    url = f"http://127.0.0.1:{free_port()}"
    for command in ("status", "gate"):
        result = run_cli(command, str(ROOT / "specs"), "--prometheus", url, cwd=tmp_path)
        assert result.code == 3, result.err
        assert f"cannot reach Prometheus at {url}" in result.err


def test_bad_gate_arguments_are_caught_before_any_server_is_asked(run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROOT

    bad = run_cli("gate", str(ROOT / "specs"), "--prometheus", "http://x", "--timeout", "0")
    assert bad.code == 2 and "positive number of seconds" in bad.err
    typo = run_cli(
        "gate", str(ROOT / "specs"), "--prometheus", "http://127.0.0.1:1", "--service", "nope"
    )
    assert typo.code == 2 and "no service 'nope'" in typo.err


class AnsweringPrometheus:
    """Answers every query of ``status`` for ``groups`` clusters, each with a firing
    burn alert, without a server: what is counted is slogen's own work."""

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def query(self, expr: str) -> list[Sample]:
        alerts = expr.startswith("ALERTS")
        found = []
        for index in range(self.groups):
            labels = {"slo_service": "shop", "slo_name": "availability", "cluster": f"c{index}"}
            if alerts:
                labels |= {"alertname": "SLOErrorBudgetBurn", "severity": f"s{index}"}
            found.append(Sample(tuple(sorted(labels.items())), 0.5))
        return found


def test_status_work_grows_with_the_answer_not_its_square(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every label lookup is counted: a handful per sample. Matching each group's
    alerts by scanning all alerts made it groups x alerts (25 million lookups for 5,000
    groups, 31 s); benchmarks/bench_status_answer.py prints the times."""
    (tmp_path / "shop.yaml").write_text(GROUPED_SPEC)
    model = resolve(slogen.load([tmp_path]))
    lookups = 0
    label = Sample.label

    def counted(self: Sample, name: str) -> str:
        nonlocal lookups
        lookups += 1
        return label(self, name)

    monkeypatch.setattr(Sample, "label", counted)
    per_group = {}
    for groups in (500, 4000):
        lookups = 0
        statuses = read_status(model, AnsweringPrometheus(groups))  # type: ignore[arg-type]
        assert len(statuses) == groups
        per_group[groups] = lookups / groups
    assert per_group[4000] <= per_group[500] * 1.1  # linear: the same work per sample
    assert per_group[4000] < 50
    # each group gets its own alert, and only its own
    [c7] = [s for s in statuses if s.group == (("cluster", "c7"),)]
    assert c7.firing == ("SLOErrorBudgetBurn/s7",) and c7.remaining == 0.5
