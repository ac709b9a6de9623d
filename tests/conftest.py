"""Shared fixtures: the project root, a CLI runner, real tools, and spec trees."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slogen import tools
from slogen.cli import main
from tests.e2e_shop import Backfilled, backfilled_week

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"

MINIMAL_SPEC = """\
service: shop
team: web
runbook: https://runbooks.example.com/{service}/{slo}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
"""
MINIMAL_ROUTING = """\
teams:
  web:
    page:
      pagerduty: {routing_key_file: /etc/alertmanager/secrets/web-pagerduty}
    ticket:
      slack: {api_url_file: /etc/alertmanager/secrets/web-slack, channel: "#web"}
"""
"""A routing.yaml for MINIMAL_SPEC's team, with secrets as file references."""


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session", autouse=True)
def _search_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The proof search's cache between runs lives in the session's scratch space,
    not the user's ~/.cache: tests neither read a stale one nor leave one behind."""
    from slogen.run_cache import CACHE_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("search-cache")))
        yield


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``slogen ARGS`` in-process from a working directory."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def _real_tool(name: str) -> str:
    """A real tool's path; a missing one fails the test instead of skipping it."""
    try:
        return tools.locate(name)
    except tools.ToolError as error:
        pytest.fail(f"{error}; run `make tools`")


@pytest.fixture(scope="session")
def promtool() -> str:
    return _real_tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> str:
    return _real_tool("amtool")


@pytest.fixture(scope="session")
def shop_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    """The real Prometheus holding the shop's week of history and its recordings,
    built once for the end-to-end tests that only read it."""
    with backfilled_week(tmp_path_factory.mktemp("shop-week")) as backfilled:
        yield backfilled


def write_spec(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under a directory with its bytes, to prove nothing changed."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }
