"""slogen.verify: promtool over a tree's rule files, as ``generate`` runs it."""

from __future__ import annotations

import pytest

from slogen import verify
from slogen.layout import rule_file

GOOD = b"groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: vector(1)\n"
BROKEN = b"groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n"


def test_a_large_tree_is_checked_in_two_runs_that_both_report(
    promtool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``SPLIT_ABOVE`` rule files, two promtools (on two cores) check a half each,
    side by side: a broken file in either half fails the check and is named as users
    know it."""
    monkeypatch.setattr(verify, "cores", lambda: 2)
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
    """On more cores, a run per core (each with ``PER_PART`` files at least); the
    results come back in path order, so a broken file is reported by the run that
    holds it."""
    monkeypatch.setattr(verify, "cores", lambda: 4)
    files = {rule_file(f"svc-{n:02d}"): GOOD for n in range(verify.PER_PART * 3 + 1)}
    files[rule_file("svc-30")] = BROKEN
    results = verify.verify(files, "generated")
    assert [result.ok for result in results] == [True, True, False]
    assert "generated/prometheus/svc-30.rules.yml" in results[2].output
    assert "svc-00.rules.yml" in " ".join(map(str, results[0].command))

    monkeypatch.setattr(verify, "cores", lambda: 3)
    files = {rule_file(f"svc-{n:03d}"): GOOD for n in range(100)}
    results = verify.verify(files, "generated")
    assert [len(result.command) - 3 for result in results] == [34, 33, 33]


def test_a_small_tree_is_checked_in_one_run(promtool: str) -> None:
    files = {rule_file(f"svc-{n}"): GOOD for n in range(3)}
    (result,) = verify.verify(files, "generated")
    assert result.ok
