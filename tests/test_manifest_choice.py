"""``kubernetes: {manifests: false}``: a tree without PrometheusRule manifests, for a
Prometheus that loads the plain rule files; nothing else in the tree changes but the
documents' link to them, and switching it rebuilds what it touches."""

from __future__ import annotations

from pathlib import Path

import slogen
from tests.conftest import MINIMAL_SPEC, write_spec

WITHOUT = "kubernetes:\n  manifests: false\n"


def _tree(directory: Path) -> dict[str, bytes]:
    return dict(slogen.compile(slogen.load(directory)).files)


def test_no_manifests_and_nothing_else_lost(tmp_path: Path, promtool: str) -> None:
    write_spec(tmp_path / "with", "shop.yaml", MINIMAL_SPEC)
    write_spec(tmp_path / "without", "shop.yaml", MINIMAL_SPEC)
    write_spec(tmp_path / "without", "defaults.yaml", WITHOUT)
    full, lean = _tree(tmp_path / "with"), _tree(tmp_path / "without")
    assert "kubernetes/shop.yaml" in full
    assert not [path for path in lean if path.startswith("kubernetes/")]
    assert set(full) - set(lean) == {"kubernetes/shop.yaml"}
    changed = {path for path in lean if lean[path] != full[path]}
    assert changed == {"docs/shop.md"}, changed
    assert b"kubernetes/shop.yaml" not in lean["docs/shop.md"]
    bundle = slogen.compile(slogen.load(tmp_path / "without"))
    assert all(result.ok for result in bundle.check()), [str(r) for r in bundle.check()]


def test_switching_manifests_off_is_a_full_builds_bytes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    specs, out = tmp_path / "specs", tmp_path / "out"
    write_spec(specs, "shop.yaml", MINIMAL_SPEC)
    assert run_cli("generate", str(specs), "-o", str(out), "--no-verify").code == 0
    write_spec(specs, "defaults.yaml", WITHOUT)
    assert run_cli("generate", str(specs), "-o", str(out), "--no-verify").code == 0
    assert not (out / "kubernetes").exists()
    written = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".slogen-manifest"
    }
    assert written == _tree(specs)
