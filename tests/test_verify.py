"""slogen.verify: promtool over a tree's rule files, as ``generate`` runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from slogen import tools, verify
from slogen.layout import rule_file

GOOD = b"groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: vector(1)\n"
BROKEN = b"groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n"


def test_a_large_tree_is_checked_in_two_runs_that_both_report(
    promtool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``SPLIT_ABOVE`` rule files, two promtools check a half each, side by side,
    even where one process works at a time: a broken file in either half fails the
    check and is named as users know it."""
    monkeypatch.setattr(verify, "workers", lambda: 1)
    count = verify.SPLIT_ABOVE + 5
    files = {rule_file(f"svc-{n:02d}"): GOOD for n in range(count)}
    files[rule_file("svc-02")] = files[rule_file(f"svc-{count - 2:02d}")] = BROKEN
    results = verify.verify(files, "generated")
    assert len(results) == 2
    assert not any(result.ok for result in results)
    shown = "\n".join(result.output for result in results)
    assert "generated/prometheus/svc-02.rules.yml" in shown
    assert f"generated/prometheus/svc-{count - 2:02d}.rules.yml" in shown

    files[rule_file("svc-02")] = files[rule_file(f"svc-{count - 2:02d}")] = GOOD
    assert [result.ok for result in verify.verify(files, "generated")] == [True, True]


def test_more_cores_check_in_more_parts_in_path_order(
    promtool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where more processes may work side by side, a run for each (with ``PER_PART``
    files at least), each told how many share the machine; the results come back in
    path order, so a broken file is reported by the run that holds it."""
    sharing: list[int] = []
    real_check = tools.check_rules

    def check_rules(files: list[Path], *, side_by_side: int = 1) -> tools.ToolResult:
        sharing.append(side_by_side)
        return real_check(files, side_by_side=side_by_side)

    monkeypatch.setattr(verify.tools, "check_rules", check_rules)
    monkeypatch.setattr(verify, "workers", lambda: 4)
    files = {rule_file(f"svc-{n:02d}"): GOOD for n in range(verify.PER_PART * 3 + 1)}
    files[rule_file("svc-30")] = BROKEN
    results = verify.verify(files, "generated")
    assert [result.ok for result in results] == [True, True, False]
    assert sharing == [3, 3, 3]
    assert "generated/prometheus/svc-30.rules.yml" in results[2].output
    checked = [[arg for arg in result.command if arg.endswith(".yml")] for result in results]
    assert checked[0][0].endswith("/svc-00.rules.yml")
    assert [len(files) for files in checked] == [11, 10, 10]
    in_order = [path for part in checked for path in part]
    assert in_order == sorted(in_order)

    files = {rule_file(f"svc-{n:03d}"): GOOD for n in range(100)}
    assert len(verify.verify(files, "generated")) == 4


def test_a_small_tree_is_checked_in_one_run(promtool: str) -> None:
    files = {rule_file(f"svc-{n}"): GOOD for n in range(3)}
    (result,) = verify.verify(files, "generated")
    assert result.ok
