"""slogen as a pre-commit hook, installed by repository URL with the real pre-commit.

pre-commit clones the hook's repository at a commit and installs it into its own
virtual environment from PyPI, as it would for a user. The repository is this
checkout's working tree committed into a throwaway repository, so uncommitted work
is what gets tested; PRE_COMMIT_HOME stays in the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import MINIMAL_SPEC, ROOT, write_spec
from tests.tool_free_path import path_without_tools

PRE_COMMIT = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "pre-commit"
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def init_repo(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--initial-branch=main", cwd=path)
    git("config", "user.name", "Test", cwd=path)
    git("config", "user.email", "test@example.com", cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)


def publish_checkout(target: Path) -> str:
    """Commit this checkout's package, as it is on disk, into a new repository;
    returns the commit pre-commit is pointed at."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    files = [p for p in listed.splitlines() if p.startswith("slogen/") or p in PACKAGE_FILES]
    init_repo(target)
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("add", "--all", cwd=target)
    git("commit", "--quiet", "--no-verify", "-m", "slogen under test", cwd=target)
    return git("rev-parse", "HEAD", cwd=target).strip()


def commit(repo: Path, env: dict[str, str], message: str) -> tuple[int, str]:
    """Exit code of ``git commit`` and what its hooks said (git sends it all to stderr)."""
    done = subprocess.run(
        ["git", "commit", "--quiet", "-m", message],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def commits(repo: Path) -> int:
    done = subprocess.run(
        ["git", "rev-list", "--count", "--all"], cwd=repo, capture_output=True, text=True
    )
    return int(done.stdout.strip() or 0)


@needs_git
def test_hook_fails_a_spec_change_until_generated_is_staged(tmp_path: Path) -> None:
    assert PRE_COMMIT.exists(), f"{PRE_COMMIT} is missing; install the dev extra"
    revision = publish_checkout(tmp_path / "slogen")
    repo = tmp_path / "user"
    init_repo(repo)
    write_spec(repo, "specs/shop.yaml", MINIMAL_SPEC)
    config = {
        "repos": [
            {
                "repo": str(tmp_path / "slogen"),
                "rev": revision,
                "hooks": [{"id": "slogen-generate"}],
            }
        ]
    }
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    promtool_binary = shutil.which("promtool")
    assert promtool_binary is not None, "run `make tools`"
    tools = str(Path(promtool_binary).parent)
    without_tools = path_without_tools(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": without_tools,
    }
    installed = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # First commit, on a machine without promtool: the hook writes generated/, says
    # the output is unverified, and fails the commit because it changed files.
    git("add", "specs", ".pre-commit-config.yaml", cwd=repo)
    code, said = commit(repo, env, "add the shop SLO")
    assert code != 0, said
    assert "slogen generate" in said and "Failed" in said, said
    assert "not verified: promtool not found" in said, said
    assert "created: generated/prometheus/shop.rules.yml" in said, said
    assert "git add generated" in said
    assert (repo / "generated" / "prometheus" / "shop.rules.yml").is_file()
    assert commits(repo) == 0

    git("add", "generated", cwd=repo)
    code, said = commit(repo, env, "add the shop SLO")
    assert code == 0, said
    assert commits(repo) == 1

    # From here on promtool and amtool are on PATH, so the hook verifies the output.
    env["PATH"] = os.pathsep.join([tools, without_tools])
    spec = repo / "specs" / "shop.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5"))
    git("add", "specs", cwd=repo)
    code, said = commit(repo, env, "loosen the shop SLO")
    assert code != 0, said
    assert "updated: generated/prometheus/shop.rules.yml" in said, said
    assert "not verified" not in said, said
    assert "shop.rules.yml" in git("diff", "--name-only", cwd=repo)  # rewritten, unstaged
    assert commits(repo) == 1

    # Committing again without staging generated/ fails again; staging it passes.
    code, said = commit(repo, env, "loosen the shop SLO")
    assert code != 0, said
    git("add", "generated", cwd=repo)
    code, said = commit(repo, env, "loosen the shop SLO")
    assert code == 0, said
    assert "Passed" in said, said
    assert commits(repo) == 2
    assert git("status", "--porcelain", cwd=repo) == ""
    rules = (repo / "generated" / "prometheus" / "shop.rules.yml").read_text()
    assert "0.005" in rules  # the committed output is the loosened objective's

    # The package pre-commit installed (a wheel, not this checkout) carries its type
    # hints: strict mypy checks the build-script example against it.
    (hook_python,) = (tmp_path / "pre-commit-home").glob("repo*/py_env-*/bin/python")
    typed = subprocess.run(
        [
            str(PRE_COMMIT.with_name("mypy")),
            "--strict",
            "--no-incremental",
            "--python-executable",
            str(hook_python),
            str(ROOT / "examples" / "build_script.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert typed.returncode == 0, typed.stdout


def test_hook_definitions_name_commands_the_cli_has() -> None:
    """Each hook's entry is a real slogen command with its flags, scoped to the
    specs and the output, and never given the staged file names as paths."""
    from slogen.cli import _parser

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"slogen-generate", "slogen-check"}
    for hook in hooks:
        program, *arguments = hook["entry"].split()
        assert program == "slogen" and hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["files"] == "^(specs|generated)/"
        _parser().parse_args([*arguments, *hook["args"]])  # exits on an unknown flag
