"""What slogen does with the user's files: the output tree, links, permissions, leftovers.

Every case runs the CLI the way a user would. A refusal is exit 2 with the path and
the reason, and leaves the disk as it was, including no staging tree beside the
output. Read-only cases work as root too: slogen treats a path with no write bit at
all as read-only whoever runs it.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import slogen
from slogen import staging
from slogen.errors import SpecError
from tests.conftest import MINIMAL_ROUTING, MINIMAL_SPEC, ROOT, CliResult, snapshot, write_spec

RunCli = Callable[..., CliResult]
"""The ``run_cli`` fixture: ``slogen ARGS`` run in-process from a directory."""

BASE_CONFIG = """\
route:
  receiver: ops
  routes:
    - matchers: ['slo_service=~".+"']
      receiver: ops
receivers:
  - name: ops
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A working directory with one spec in specs/."""
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    return tmp_path


def generate(run_cli: RunCli, cwd: Path, output: str = "out", *more: str) -> CliResult:
    return run_cli("generate", "specs", "-o", output, "--no-verify", *more, cwd=cwd)


def edit_spec(cwd: Path) -> None:
    """Change the objective, so that the next generate has something to write."""
    spec = cwd / "specs" / "shop.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5"))


def staging_dirs(directory: Path) -> list[str]:
    """slogen's temporary trees beside ``directory``."""
    prefixes = (f".{directory.name}.new-", f".{directory.name}.old-")
    return sorted(p.name for p in directory.parent.iterdir() if p.name.startswith(prefixes))


def assert_refused(result: CliResult, *phrases: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    for phrase in phrases:
        assert phrase in result.err, result.err


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``chmod a-w`` for the duration, restored after so pytest can clean up."""
    mode = stat.S_IMODE(path.stat().st_mode)
    path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        path.chmod(mode)


# -- an output directory that is a symlink ------------------------------------------


def test_symlinked_output_directory_is_updated_in_place_and_the_link_kept(
    tree: Path,
    run_cli: RunCli,
) -> None:
    (tree / "shared").mkdir()
    real = tree / "shared" / "rules"
    assert generate(run_cli, tree, "shared/rules").code == 0
    (tree / "out").symlink_to("shared/rules")
    edit_spec(tree)

    result = generate(run_cli, tree)

    assert result.code == 0, result.err
    assert (tree / "out").is_symlink() and os.readlink(tree / "out") == "shared/rules"
    assert "0.005" in (real / "prometheus" / "shop.rules.yml").read_text()
    assert staging_dirs(tree / "out") == staging_dirs(real) == []
    assert generate(run_cli, tree, "out", "--check").code == 0


def test_output_link_to_a_missing_directory_creates_it_there(tree: Path, run_cli: RunCli) -> None:
    (tree / "out").symlink_to("real")
    assert generate(run_cli, tree).code == 0
    assert (tree / "out").is_symlink() and (tree / "real" / ".slogen-manifest").is_file()


def test_output_link_into_a_missing_directory_is_refused(tree: Path, run_cli: RunCli) -> None:
    (tree / "out").symlink_to("no/such/dir")
    assert_refused(generate(run_cli, tree), "out", "no/such/dir", "does not exist")
    assert not (tree / "no").exists() and (tree / "out").is_symlink()


# -- read-only output, parent and subdirectories --------------------------------------


def test_read_only_output_directory_is_refused_and_nothing_changes(
    tree: Path,
    run_cli: RunCli,
) -> None:
    assert generate(run_cli, tree).code == 0
    edit_spec(tree)
    before = snapshot(tree / "out")
    with read_only(tree / "out"):
        result = generate(run_cli, tree)
    assert_refused(
        result, f"the output directory {tree / 'out'}", "mode 0555", "nothing was written"
    )
    assert snapshot(tree / "out") == before
    assert staging_dirs(tree / "out") == []


def test_read_only_parent_is_refused_and_nothing_is_left_beside_it(
    tree: Path,
    run_cli: RunCli,
) -> None:
    parent = tree / "build"
    parent.mkdir()
    assert generate(run_cli, tree, "build/out").code == 0
    edit_spec(tree)
    before = snapshot(parent)
    with read_only(parent):
        result = generate(run_cli, tree, "build/out")
    assert_refused(result, f"the parent directory {parent}", "mode 0555")
    assert snapshot(parent) == before and sorted(os.listdir(parent)) == ["out"]


@pytest.mark.parametrize("output", ["locked/out", "locked/a/b/out"])
def test_new_output_below_a_read_only_directory_is_refused(
    tree: Path,
    run_cli: RunCli,
    output: str,
) -> None:
    (tree / "locked").mkdir()
    with read_only(tree / "locked"):
        result = generate(run_cli, tree, output)
    assert_refused(result, str(tree / "locked"), "mode 0555")
    assert os.listdir(tree / "locked") == []


def test_read_only_directory_inside_the_output_is_refused(tree: Path, run_cli: RunCli) -> None:
    assert generate(run_cli, tree).code == 0
    edit_spec(tree)
    before = snapshot(tree / "out")
    with read_only(tree / "out" / "prometheus"):
        result = generate(run_cli, tree)
    assert_refused(result, f"the directory {tree / 'out' / 'prometheus'}", "mode 0555")
    assert snapshot(tree / "out") == before and staging_dirs(tree / "out") == []


# -- what the user put into the output directory -------------------------------------


def test_empty_directories_and_links_the_user_added_are_kept_as_they_are(
    tree: Path,
    run_cli: RunCli,
) -> None:
    outside = tree / "elsewhere"
    outside.mkdir()
    (outside / "notes.txt").write_text("outside\n")
    assert generate(run_cli, tree).code == 0
    out = tree / "out"
    (out / "overlays" / "empty").mkdir(parents=True)
    (out / "kubernetes" / "empty").mkdir()
    (out / "overlays" / "empty").chmod(0o750)
    (out / "linked-dir").symlink_to(outside)
    (out / "kubernetes" / "linked-file").symlink_to("../../elsewhere/notes.txt")
    (out / "dangling").symlink_to("no/such/file")
    edit_spec(tree)

    assert generate(run_cli, tree).code == 0

    assert (out / "overlays" / "empty").is_dir() and not os.listdir(out / "overlays" / "empty")
    assert stat.S_IMODE((out / "overlays" / "empty").stat().st_mode) == 0o750
    assert (out / "kubernetes" / "empty").is_dir()
    assert os.readlink(out / "linked-dir") == str(outside)
    assert os.readlink(out / "kubernetes" / "linked-file") == "../../elsewhere/notes.txt"
    assert os.readlink(out / "dangling") == "no/such/file"
    assert sorted(os.listdir(outside)) == ["notes.txt"]
    assert generate(run_cli, tree, "out", "--check").code == 0


def test_a_fifo_the_user_added_is_carried_over_and_never_read(tree: Path, run_cli: RunCli) -> None:
    assert generate(run_cli, tree).code == 0
    os.mkfifo(tree / "out" / "pipe")
    os.mkfifo(tree / "out" / "prometheus" / "extra.rules.yml")
    edit_spec(tree)
    assert generate(run_cli, tree, "out", "--check").code == 1
    assert generate(run_cli, tree).code == 0
    assert stat.S_ISFIFO(os.lstat(tree / "out" / "pipe").st_mode)
    assert stat.S_ISFIFO(os.lstat(tree / "out" / "prometheus" / "extra.rules.yml").st_mode)


def test_output_directory_keeps_its_mode(tree: Path, run_cli: RunCli) -> None:
    assert generate(run_cli, tree).code == 0
    (tree / "out").chmod(0o750)
    edit_spec(tree)
    assert generate(run_cli, tree).code == 0
    assert stat.S_IMODE((tree / "out").stat().st_mode) == 0o750


# -- symlinks inside the output are never followed -----------------------------------


def test_check_does_not_show_a_file_outside_through_a_link(tree: Path, run_cli: RunCli) -> None:
    secret = tree / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN\n")
    assert generate(run_cli, tree).code == 0
    rules = tree / "out" / "prometheus" / "shop.rules.yml"
    rules.unlink()
    rules.symlink_to(secret)

    result = generate(run_cli, tree, "out", "--check")

    assert result.code == 1
    assert "changed: out/prometheus/shop.rules.yml" in result.err
    assert f"a symbolic link to {secret}" in result.err
    assert "TOP-SECRET-TOKEN" not in result.err + result.out
    assert generate(run_cli, tree).code == 0
    assert not rules.is_symlink() and secret.read_text() == "TOP-SECRET-TOKEN\n"


def test_generate_does_not_write_through_a_linked_directory(tree: Path, run_cli: RunCli) -> None:
    elsewhere = tree / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "shop.rules.yml").write_text("theirs\n")
    assert generate(run_cli, tree).code == 0
    for file in (tree / "out" / "prometheus").iterdir():
        file.unlink()
    (tree / "out" / "prometheus").rmdir()
    (tree / "out" / "prometheus").symlink_to(elsewhere)

    check = generate(run_cli, tree, "out", "--check")
    assert check.code == 1 and "missing: out/prometheus/shop.rules.yml" in check.err
    assert "theirs" not in check.err

    result = generate(run_cli, tree)

    assert_refused(result, "out/prometheus", "symbolic link", "move or remove it")
    assert (elsewhere / "shop.rules.yml").read_text() == "theirs\n"
    assert sorted(os.listdir(elsewhere)) == ["shop.rules.yml"]
    assert staging_dirs(tree / "out") == []


# -- leftovers of killed runs --------------------------------------------------------


def test_leftover_staging_trees_of_this_output_are_removed(tree: Path, run_cli: RunCli) -> None:
    assert generate(run_cli, tree).code == 0
    new = tree / ".out.new-abcd1234"
    old = tree / ".out.old-k2_9zz01"
    (new / "prometheus").mkdir(parents=True)
    (new / ".slogen-manifest").write_text("# partial\n")
    (new / "prometheus" / "shop.rules.yml").write_text("half")
    old.mkdir()
    not_ours = [
        tree / ".out.new-mine",  # not mkdtemp's name
        tree / ".other.new-abcd1234",  # another output's
        tree / ".out.old-zzzz9999",  # a user's directory without a manifest
    ]
    for path in not_ours:
        path.mkdir()
        (path / "keep.txt").write_text("keep\n")

    assert generate(run_cli, tree).code == 0  # nothing to write: cleaned all the same

    assert not new.exists() and not old.exists()
    assert all((path / "keep.txt").read_text() == "keep\n" for path in not_ours)


_PAUSING_CHILD = textwrap.dedent(
    """
    import os, sys, time
    import slogen.write
    from slogen.cli import main

    def pause():
        print("paused", flush=True)
        time.sleep(120)

    if sys.argv[1] == "before-swap":
        swap = slogen.write.swap
        def paused_swap(staging, directory):
            pause()
            swap(staging, directory)
        slogen.write.swap = paused_swap
    else:
        rename = os.rename
        def paused_rename(source, target):
            rename(source, target)
            if ".old-" in os.path.basename(target):
                pause()
        os.rename = paused_rename
    sys.exit(main(["generate", "specs", "-o", "out", "--no-verify"]))
    """
)


@contextmanager
def paused_generate(cwd: Path, point: str) -> Iterator[subprocess.Popen[str]]:
    """A real ``slogen generate`` stopped mid-write at ``point``; killed on exit."""
    child = subprocess.Popen(
        [sys.executable, "-c", _PAUSING_CHILD, point],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "paused\n", "the child did not reach the write"
        yield child
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("linked", [False, True], ids=["directory", "linked"])
@pytest.mark.parametrize("point", ["before-swap", "mid-swap"])
def test_a_killed_generate_is_cleaned_up_by_the_next_run(
    tree: Path,
    run_cli: RunCli,
    point: str,
    linked: bool,
) -> None:
    real = tree / ("real" if linked else "out")
    if linked:
        (tree / "out").symlink_to("real")
    assert generate(run_cli, tree).code == 0
    (real / "kustomization.yaml").write_text("resources: []\n")
    edit_spec(tree)

    with paused_generate(tree, point) as child:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert staging_dirs(real)  # the kill left its trees behind
    if point == "mid-swap":
        assert not real.exists()

    assert generate(run_cli, tree).code == 0

    assert staging_dirs(real) == []
    assert (real / "kustomization.yaml").read_text() == "resources: []\n"
    assert generate(run_cli, tree, "out", "--check").code == 0
    assert (tree / "out").is_symlink() == linked


def test_staging_of_a_live_run_is_left_alone(
    tree: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert generate(run_cli, tree).code == 0
    edit_spec(tree)
    monkeypatch.setattr(staging, "LOCK_WAIT", 0.3)
    with paused_generate(tree, "before-swap"):
        busy = staging_dirs(tree / "out")
        result = generate(run_cli, tree)
        assert_refused(result, "another slogen run", str(tree))
        assert staging_dirs(tree / "out") == busy != []
    assert generate(run_cli, tree).code == 0
    assert staging_dirs(tree / "out") == []


# -- where the output may be ---------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "phrase"),
    [
        ("specs/gen", "inside the spec directory specs"),
        ("specs", "the output directory is the spec path specs"),
        (".", "contains the spec path specs"),
    ],
)
def test_output_overlapping_the_specs_is_refused(
    tree: Path,
    run_cli: RunCli,
    output: str,
    phrase: str,
) -> None:
    before = snapshot(tree)
    for mode in ((), ("--check",)):
        assert_refused(generate(run_cli, tree, output, *mode), phrase)
    assert snapshot(tree) == before and not (tree / "specs" / "gen").exists()


def test_api_generate_refuses_output_inside_the_specs(tree: Path) -> None:
    with pytest.raises(SpecError, match="inside the spec directory"):
        slogen.generate(tree / "specs", tree / "specs" / "gen")
    assert not (tree / "specs" / "gen").exists()


def test_current_directory_and_root_are_refused_as_output(tree: Path, run_cli: RunCli) -> None:
    (tree / "out").mkdir()
    result = run_cli("generate", "../specs", "-o", ".", "--no-verify", cwd=tree / "out")
    assert_refused(result, "it is the current directory")
    assert os.listdir(tree / "out") == []
    assert_refused(generate(run_cli, tree, "/"), "contains the spec path specs")
    bundle = slogen.compile(slogen.load(tree / "specs"))
    with pytest.raises(SpecError, match="filesystem root"):
        bundle.write("/")


def test_output_that_is_a_file_or_below_one_is_refused(tree: Path, run_cli: RunCli) -> None:
    (tree / "out").write_text("mine\n")
    assert_refused(generate(run_cli, tree), "it is a file, not a directory")
    assert_refused(generate(run_cli, tree, "out/gen"), "is a file, so no directory")
    assert (tree / "out").read_text() == "mine\n"


# -- single files: merge-alertmanager -o and import -o -------------------------------


@pytest.fixture
def merge_tree(tree: Path) -> Path:
    write_spec(tree, "specs/routing.yaml", MINIMAL_ROUTING)
    write_spec(tree, "am.yml", BASE_CONFIG)
    return tree


def merge(run_cli: RunCli, cwd: Path, output: str) -> CliResult:
    return run_cli("merge-alertmanager", "am.yml", "specs", "-o", output, "--no-verify", cwd=cwd)


def test_merge_output_that_is_a_directory_is_refused(merge_tree: Path, run_cli: RunCli) -> None:
    (merge_tree / "conf").mkdir()
    assert_refused(merge(run_cli, merge_tree, "conf"), "conf", "it is a directory")
    assert os.listdir(merge_tree / "conf") == []


def test_merge_output_in_a_missing_directory_is_refused(merge_tree: Path, run_cli: RunCli) -> None:
    result = merge(run_cli, merge_tree, "typo/am.yml")
    assert_refused(result, f"its directory {merge_tree / 'typo'} does not exist")
    assert not (merge_tree / "typo").exists()


def test_merge_output_in_a_read_only_directory_is_refused(
    merge_tree: Path, run_cli: RunCli
) -> None:
    (merge_tree / "conf").mkdir()
    with read_only(merge_tree / "conf"):
        result = merge(run_cli, merge_tree, "conf/am.yml")
    assert_refused(result, f"the directory {merge_tree / 'conf'}", "mode 0555")
    assert os.listdir(merge_tree / "conf") == []


def test_merge_into_a_read_only_file_is_refused(merge_tree: Path, run_cli: RunCli) -> None:
    live = merge_tree / "live.yml"
    live.write_text(BASE_CONFIG)
    with read_only(live):
        result = merge(run_cli, merge_tree, "live.yml")
    assert_refused(result, f"the file {live}", "mode 0444")
    assert live.read_text() == BASE_CONFIG


SLOTH_SPEC = """\
version: "prometheus/v1"
service: "checkout"
labels: {owner: payments}
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      annotations: {runbook: "https://runbooks.example.com/checkout"}
"""


@pytest.mark.parametrize("case", ["a file", "read-only"])
def test_import_into_an_unwritable_place_is_refused(
    tmp_path: Path,
    run_cli: RunCli,
    case: str,
) -> None:
    write_spec(tmp_path, "sloth.yml", SLOTH_SPEC)
    target = tmp_path / "imported"
    if case == "a file":
        target.write_text("mine\n")
        result = run_cli("import", "sloth", "sloth.yml", "-o", "imported", cwd=tmp_path)
        assert_refused(result, f"{target} is a file, not a directory")
        assert target.read_text() == "mine\n"
        return
    target.mkdir()
    with read_only(target):
        result = run_cli("import", "sloth", "sloth.yml", "-o", "imported", cwd=tmp_path)
    assert_refused(result, f"the directory {target}", "mode 0555")
    assert os.listdir(target) == []
