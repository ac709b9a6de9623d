"""slogen in a repository's workflow: the --check report, the CI recipe in
examples/ci/, the build-script example, and what validate costs to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from slogen.write import Staleness
from tests.conftest import MINIMAL_ROUTING, MINIMAL_SPEC, ROOT, SPECS, snapshot, write_spec
from tests.tool_free_path import path_without_tools

RECIPE = ROOT / "examples" / "ci" / "regenerate.sh"
BUILD_SCRIPT = ROOT / "examples" / "build_script.py"
SLOGEN = Path(sys.executable).with_name("slogen")
HEAVY = ("grafanalib", "_jsonnet", "slogen.testgen", "slogen.grafana.dashboards", "slogen.verify")


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def user_repo(path: Path, *, routing: bool = False) -> Path:
    """A throwaway repository with one spec committed, as a user's would be."""
    write_spec(path, "specs/shop.yaml", MINIMAL_SPEC)
    if routing:
        write_spec(path, "specs/routing.yaml", MINIMAL_ROUTING)
    git("init", "--quiet", "--initial-branch=main", cwd=path)
    git("config", "user.name", "Test", cwd=path)
    git("config", "user.email", "test@example.com", cwd=path)
    git("add", "specs", cwd=path)
    git("commit", "--quiet", "-m", "specs", cwd=path)
    return path


def loosen(repo: Path) -> None:
    spec = repo / "specs" / "shop.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5"))


# --- generate --check -------------------------------------------------------------


def test_check_lists_every_stale_file_then_a_diff(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    assert run_cli("generate", "specs", "-o", "out", "--no-verify", cwd=tmp_path).code == 0
    loosen(tmp_path)
    (tmp_path / "out" / "docs" / "shop.md").unlink()
    before = snapshot(tmp_path / "out")

    result = run_cli("generate", "specs", "-o", "out", "--check", cwd=tmp_path)
    again = run_cli("generate", "specs", "-o", "out", "--check", cwd=tmp_path)

    assert result.code == 1 and again.err == result.err  # deterministic
    lines = result.err.splitlines()
    lines = lines[lines.index("out is stale; run `slogen generate` to update it:") :]
    listed = lines[1 : lines.index("diff excerpts (out/ on disk -> what the specs generate):")]
    assert "missing: out/docs/shop.md" in listed
    assert "changed: out/prometheus/shop.rules.yml" in listed
    paths = [line.split(": ", 1)[1] for line in listed]
    assert paths == sorted(paths)
    assert "    --- prometheus/shop.rules.yml (on disk)" in lines
    assert any(line.startswith("    -") and "/ 0.001" in line for line in lines)
    assert any(line.startswith("    +") and "/ 0.005" in line for line in lines)
    assert snapshot(tmp_path / "out") == before


def test_report_is_bounded_however_much_changed() -> None:
    """A defaults change rewrites every file: the list stays whole, the excerpt short."""
    changed = tuple(f"tests/s{i:02}.test.yml" for i in range(40))
    diff = "".join(f"-old {n} {'x' * 300}\n+new {n}\n" for n in range(50))
    staleness = Staleness((), changed, ("docs/gone.md",), dict.fromkeys(changed, diff))

    lines = staleness.report("generated").splitlines()

    assert len([line for line in lines if line.startswith("changed: ")]) == 40
    assert "not generated any more: generated/docs/gone.md" in lines
    excerpt = [line for line in lines if line.startswith("    ") and "more diff" not in line]
    assert len(excerpt) == 120
    assert max(len(line) for line in lines) <= 4 + 160
    assert lines[-1] == "... diffs of 34 more changed files not shown"
    assert staleness.report("generated", total_lines=0).splitlines() == lines[:41]


def test_fail_on_change_exits_1_only_when_it_wrote(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    args = ("generate", "specs", "-o", "out", "--no-verify", "--fail-on-change")
    first = run_cli(*args, cwd=tmp_path)
    assert first.code == 1 and "created: out/prometheus/shop.rules.yml" in first.err
    assert "git add" not in first.err, "outside a git work tree there is nothing to stage"
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert run_cli("generate", "specs", "-o", "out", "--check", cwd=tmp_path).code == 0
    write_spec(tmp_path, "specs/cart.yaml", MINIMAL_SPEC.replace("shop", "cart"))
    assert run_cli(*args, cwd=tmp_path).code == 1
    (tmp_path / "specs" / "cart.yaml").unlink()
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC.replace("99.9", "99.5"))
    changed = run_cli(*args, cwd=tmp_path)
    assert changed.code == 1
    said = changed.err.splitlines()
    assert "updated: out/prometheus/shop.rules.yml" in said, changed.err
    assert "removed: out/prometheus/cart.rules.yml" in said, changed.err
    assert not any(line.startswith(("missing:", "changed:")) for line in said), changed.err


def test_fail_on_change_in_git_says_to_stage(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    args = ("generate", "specs", "-o", "out", "--no-verify", "--fail-on-change")
    first = run_cli(*args, cwd=tmp_path)
    assert first.code == 1
    assert "stage it (git add out) and commit again" in first.err


def test_check_and_fail_on_change_exclude_each_other(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    both = ("generate", "specs", "-o", "out", "--check", "--fail-on-change")
    done = run_cli(*both, cwd=tmp_path)
    assert done.code == 2
    assert "not allowed with argument" in done.err
    assert not (tmp_path / "out").exists()


# --- validate: cheap to start, as strict as generate --------------------------------


def test_validate_imports_no_generator_or_tool_runner() -> None:
    probe = (
        "import sys\nfrom slogen.cli import main\n"
        f"assert main(['validate', {str(SPECS)!r}]) == 0\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_validate_rejects_what_only_the_alertmanager_generator_can(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    write_spec(tmp_path, "specs/routing.yaml", MINIMAL_ROUTING + "alertmanager: {base: am.yml}\n")
    write_spec(tmp_path, "specs/am.yml", "route: {receiver: ops}\nreceivers: [{name: ops}]\n")
    validated = run_cli("validate", "specs", cwd=tmp_path)
    generated = run_cli("generate", "specs", "--no-verify", cwd=tmp_path)
    assert validated.code == generated.code == 2
    assert "no route marks where slogen's alerts go" in validated.err
    assert validated.err.replace("found\n", "found; nothing was written\n") == generated.err


# --- the CI recipe -----------------------------------------------------------------


def run_recipe(repo: Path, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RECIPE)],
        cwd=repo,
        env={**os.environ, "PATH": path, "SLOGEN": str(SLOGEN), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_ci_recipe_verifies_and_commits_only_what_changed(tmp_path: Path, promtool: str) -> None:
    repo = user_repo(tmp_path / "repo", routing=True)
    path = os.environ["PATH"]

    first = run_recipe(repo, path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "SUCCESS" in first.stdout + first.stderr  # promtool's unit tests ran
    assert git("log", "-1", "--format=%s", cwd=repo).strip() == "Regenerate generated from specs"
    assert "generated/alertmanager/alertmanager.yml" in git("ls-files", cwd=repo)
    assert git("status", "--porcelain", cwd=repo) == ""

    unchanged = run_recipe(repo, path)
    assert unchanged.returncode == 0 and "generated is up to date" in unchanged.stdout
    assert len(git("log", "--format=%h", cwd=repo).split()) == 2

    loosen(repo)
    git("commit", "--quiet", "-am", "loosen", cwd=repo)
    checked = run_recipe(repo, path, COMMIT="0")
    assert checked.returncode == 1 and "not committed (COMMIT=0)" in checked.stderr
    assert len(git("log", "--format=%h", cwd=repo).split()) == 3
    committed = run_recipe(repo, path)
    assert committed.returncode == 0, committed.stderr
    assert "0.005" in git("show", "HEAD:generated/prometheus/shop.rules.yml", cwd=repo)
    assert git("status", "--porcelain", cwd=repo) == ""


def test_ci_recipe_refuses_to_run_without_the_tools(tmp_path: Path) -> None:
    repo = user_repo(tmp_path / "repo")
    result = run_recipe(repo, path_without_tools(tmp_path))
    assert result.returncode == 3
    assert "promtool not found on PATH" in result.stderr
    assert not (repo / "generated").exists()
    assert len(git("log", "--format=%h", cwd=repo).split()) == 1


def test_github_workflow_runs_the_recipe() -> None:
    workflow = (ROOT / "examples" / "ci" / "github-actions.yml").read_text()
    assert "ci/regenerate.sh specs generated" in workflow
    assert "slogen generate specs -o generated --check" in workflow
    assert "contents: write" in workflow


# --- the build-script example ---------------------------------------------------------


def build_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_build_script_writes_checks_and_summarises(tmp_path: Path, promtool: str) -> None:
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    written = build_script(cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "shop/availability: 99.9% over 30d" in written.stdout
    assert "not verified" not in written.stderr
    assert build_script("--check", cwd=tmp_path).returncode == 0
    loosen(tmp_path)
    stale = build_script("specs", "generated", "--check", cwd=tmp_path)
    assert stale.returncode == 1 and "changed: generated/prometheus/shop.rules.yml" in stale.stderr


def test_build_script_errors_read_as_the_cli_s(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC.replace("objective", "objectiv"))
    script = build_script(cwd=tmp_path)
    cli = run_cli("generate", cwd=tmp_path)
    assert script.returncode == cli.code == 2
    assert script.stderr == cli.err
    assert "specs/shop.yaml:6:5: slos[0].objectiv: unknown key 'objectiv'" in script.stderr


# --- start-up benchmark ----------------------------------------------------------------


def test_startup_benchmark_runs_and_validate_stays_light() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_startup.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "slogen validate specs" in done.stdout
    assert "heavy modules imported by validate: none" in done.stdout
