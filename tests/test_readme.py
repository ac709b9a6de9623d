"""The README's set-up commands work from a fresh clone, as a new user runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make generate" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_generate_from_a_fresh_clone(tmp_path: Path) -> None:
    """Clone the committed tree, run `make generate` (it creates its own venv), and find
    generated/ exactly as committed."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        ["make", "generate"], cwd=clone, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (clone / ".venv" / "bin" / "slogen").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "generated"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == "", "make generate changed committed output:\n" + status.stdout
