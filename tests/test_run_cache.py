"""Results kept between runs (slogen/run_cache.py): a warm run writes the bytes a
cold one does without searching for proofs or parsing unchanged specs, an edited or
broken spec is read afresh, and a damaged, switched-off or unwritable cache only
costs the work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import slogen
from slogen import run_cache
from slogen.errors import SpecError
from slogen.resolve import services
from slogen.run_cache import CACHE_ENV
from slogen.spec import loader
from slogen.testgen import scenarios
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


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The spec files parsed (not read back from the cache) in this test."""
    done: list[str] = []
    parse = loader._parsed

    def counted(model: object, text: str, display: str, relative: str) -> object:
        done.append(relative)
        return parse(model, text, display, relative)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_parsed", counted)
    return done


def test_unchanged_specs_are_read_back_and_an_edited_one_is_parsed(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    write_spec(specs, "cart.yaml", MINIMAL_SPEC.replace("service: shop", "service: cart"))
    cold = _compile(specs)
    assert sorted(parses) == ["cart.yaml", "shop.yaml"]
    assert _compile(specs) == cold and len(parses) == 2
    write_spec(specs, "cart.yaml", MINIMAL_SPEC.replace("service: shop", "service: carts"))
    edited = _compile(specs)
    assert parses[2:] == ["cart.yaml"] and "prometheus/carts.rules.yml" in edited


def test_a_spec_with_problems_is_reported_on_every_run(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    write_spec(specs, "shop.yaml", MINIMAL_SPEC.replace("objective: 99.9", "objective: 120"))
    for _ in range(2):
        with pytest.raises(SpecError, match=r"shop\.yaml:6"):
            slogen.load(specs)
    assert parses == ["shop.yaml", "shop.yaml"]


def test_a_defaults_edit_resolves_every_service_again(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolved service is read back while its file and every defaults file beneath
    it are unchanged; editing defaults.yaml changes what every service resolves to."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    resolved: list[str] = []
    resolve = services._ServiceContext.resolve

    def counted(self: services._ServiceContext, problems: list[object]) -> object:
        resolved.append(self.file.spec.service)
        return resolve(self, problems)  # type: ignore[arg-type]

    monkeypatch.setattr(services._ServiceContext, "resolve", counted)
    write_spec(specs, "cart.yaml", MINIMAL_SPEC.replace("service: shop", "service: cart"))
    cold = _compile(specs)
    assert sorted(resolved) == ["cart", "shop"]
    assert _compile(specs) == cold and len(resolved) == 2
    write_spec(specs, "defaults.yaml", "window: 28d\n")
    warm = _compile(specs)
    assert sorted(resolved[2:]) == ["cart", "shop"] and warm != cold


def test_a_cache_another_user_could_write_is_not_used(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[object]
) -> None:
    """A pickle runs code when loaded: a directory others may write to (a shared /tmp
    path) is neither read nor written."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE_ENV, str(shared))
    first, second = _compile(specs), _compile(specs)
    assert first == second and len(searches) == 2 and not list(shared.iterdir())


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", homeless)
    assert run_cache.cache_directory({}) is None
    assert run_cache.cache_directory({"XDG_CACHE_HOME": "/x"}) == Path("/x/slogen")


def test_a_result_that_does_not_pickle_is_returned_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    unpicklable = run_cache.remembered("test", "key", lambda: lambda: 1)
    assert unpicklable() == 1
    assert not [p for p in (tmp_path / "cache").iterdir()]
