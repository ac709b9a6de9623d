"""The scenario search's results kept between runs (slogen/testgen/search_cache.py):
a warm run writes the bytes a cold one does without searching, and a damaged,
switched-off or unwritable cache only costs the search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import slogen
from slogen.testgen import scenarios
from slogen.testgen.search_cache import CACHE_ENV
from tests.conftest import MINIMAL_SPEC, write_spec


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The profiles searched for in this test, with the in-process memory cleared."""
    done: list[object] = []
    search = scenarios._searched

    def counted(profile: object) -> object:
        done.append(profile)
        return search(profile)  # type: ignore[arg-type]

    monkeypatch.setattr(scenarios, "_searched", counted)
    scenarios._search.cache_clear()
    yield done
    scenarios._search.cache_clear()


def _compile(directory: Path) -> dict[str, bytes]:
    scenarios._search.cache_clear()
    return dict(slogen.compile(slogen.load(directory)).files)


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    return tmp_path / "specs"


def test_a_warm_run_writes_the_same_bytes_without_searching(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[object]
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cold = _compile(specs)
    assert len(searches) == 1 and list((tmp_path / "cache").glob("scenarios-*.pickle"))
    warm = _compile(specs)
    assert warm == cold and len(searches) == 1


def test_a_damaged_cache_file_is_searched_again(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[object]
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cold = _compile(specs)
    [kept] = (tmp_path / "cache").glob("scenarios-*.pickle")
    kept.write_bytes(b"not a pickle")
    assert _compile(specs) == cold and len(searches) == 2
    assert kept.read_bytes() != b"not a pickle"


@pytest.mark.parametrize("where", ["off", "under a file"])
def test_no_cache_or_an_unwritable_one_costs_only_the_search(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[object], where: str
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, "off" if where == "off" else str(blocker / "cache"))
    first, second = _compile(specs), _compile(specs)
    assert first == second and len(searches) == 2
    assert not list(tmp_path.rglob("*.pickle")) and not list(tmp_path.rglob("*.tmp"))
