"""slogen.tools: how the external tools are run."""

from __future__ import annotations

from pathlib import Path

import pytest

from slogen import tools


def test_check_rules_reports_promtools_verdict(tmp_path: Path, promtool: str) -> None:
    good = tmp_path / "good.yml"
    good.write_text("groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: vector(1)\n")
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n")
    assert tools.check_rules([good]).ok
    result = tools.check_rules([good, bad])
    assert not result.ok
    assert "bad.yml" in result.output


def test_checks_side_by_side_share_the_cores_unless_the_user_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks run side by side on a large tree: each gets its share of the cores and a
    lazier collector, a check alone gets Go's defaults, and a user's own Go settings
    win. In promtool's place, a script that prints the environment it was given."""
    printer = tmp_path / "print-environment"
    printer.write_text("#!/bin/sh\nexec env\n")
    printer.chmod(0o755)
    monkeypatch.setenv("SLOGEN_PROMTOOL", str(printer))
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.setenv("SLOGEN_TEST_MARK", "kept")
    monkeypatch.setattr(tools, "cores", lambda: 4)
    half = "GOMAXPROCS=2"
    given = tools.check_rules([], side_by_side=2).output.splitlines()
    assert {half, "GOGC=400", "SLOGEN_TEST_MARK=kept"} <= set(given)

    alone = tools.check_rules([]).output.splitlines()
    assert "SLOGEN_TEST_MARK=kept" in alone
    assert not any(line.startswith(("GOMAXPROCS=", "GOGC=")) for line in alone)

    monkeypatch.setenv("GOGC", "50")
    given = tools.check_rules([], side_by_side=2).output.splitlines()
    assert {"GOGC=50", half} <= set(given)
    assert "GOGC=400" not in given

    monkeypatch.setattr(tools, "cores", lambda: 6)
    monkeypatch.delenv("GOGC")
    thirds = tools.check_rules([], side_by_side=3).output.splitlines()
    assert "GOMAXPROCS=2" in thirds
