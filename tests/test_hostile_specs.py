"""Hostile specs: each is refused with a located problem, in bounded time and memory,
and nothing is written; never a traceback, never a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slogen
from slogen.errors import SpecError
from slogen.spec import jsonnet_source
from tests.conftest import MINIMAL_SPEC, write_spec


def _specs(tmp_path: Path, text: str, name: str = "shop.yaml") -> Path:
    write_spec(tmp_path / "specs", name, text)
    return tmp_path


def _refused(run_cli, tree: Path, where: str, *words: str) -> str:  # type: ignore[no-untyped-def]
    """Run ``generate`` without promtool, as the riskiest path: exit 2, the problem
    at ``where`` with ``words``, and no output directory."""
    result = run_cli("generate", "specs", "-o", "out", "--no-verify", cwd=tree)
    assert result.code == 2, result.err
    assert where in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert "Traceback" not in result.err
    assert "nothing was written" in result.err
    assert not (tree / "out").exists()
    return str(result.err)


def _with(text: str) -> str:
    """MINIMAL_SPEC with service-level keys added after ``team`` (line 3 on)."""
    return MINIMAL_SPEC.replace("team: web\n", "team: web\n" + text)


# --- 1. bounded time and memory for Jsonnet -------------------------------------------


@pytest.fixture
def tight_limits(monkeypatch: pytest.MonkeyPatch) -> jsonnet_source.JsonnetLimits:
    limits = jsonnet_source.JsonnetLimits(seconds=1.5, memory_mib=256)
    monkeypatch.setattr(jsonnet_source, "DEFAULT_LIMITS", limits)
    return limits


def test_a_jsonnet_loop_stops_at_the_deadline(tmp_path: Path, run_cli, tight_limits) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, "local f(n) = f(n + 1) tailstrict; f(0)", "loop.jsonnet")
    started = time.monotonic()
    _refused(run_cli, tree, "specs/loop.jsonnet: ", "did not finish within 1.5 s")
    assert time.monotonic() - started < 10


def test_a_jsonnet_memory_bomb_is_stopped(tmp_path: Path, run_cli, tight_limits) -> None:  # type: ignore[no-untyped-def]
    bomb = "std.length(std.makeArray(100000000, function(i) [i]))"
    tree = _specs(tmp_path, bomb, "bomb.jsonnet")
    _refused(run_cli, tree, "specs/bomb.jsonnet: ", "used more than 256 MiB")


def test_one_child_serves_the_files_after_one_that_failed(
    tmp_path: Path, run_cli, tight_limits
) -> None:  # type: ignore[no-untyped-def]
    _specs(tmp_path, "local f(n) = f(n + 1) tailstrict; f(0)", "a-loop.jsonnet")
    _specs(tmp_path, "{ service: 'b', team: 'web' }", "b.jsonnet")
    err = _refused(run_cli, tmp_path, "specs/a-loop.jsonnet: ", "did not finish")
    assert "specs/b.jsonnet:" in err and "missing required key 'slos'" in err


def test_a_fifo_imported_by_jsonnet_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, "import 'pipe.libsonnet'", "shop.jsonnet")
    os.mkfifo(tree / "specs" / "pipe.libsonnet")
    _refused(run_cli, tree, "specs/shop.jsonnet: ", "'pipe.libsonnet' is a named pipe (FIFO)")


def test_a_directory_imported_by_jsonnet_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, "importstr 'lib'", "shop.jsonnet")
    (tree / "specs" / "lib").mkdir()
    _refused(run_cli, tree, "specs/shop.jsonnet: ", "'lib' is a directory")


def test_a_fifo_given_as_a_spec_file_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(tmp_path / "shop.yaml")
    result = run_cli("validate", "shop.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "shop.yaml: is a named pipe (FIFO), not a regular file" in result.err


def test_a_fifo_or_device_in_a_spec_directory_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC)
    os.mkfifo(tree / "specs" / "pipe.yaml")
    (tree / "specs" / "zero.jsonnet").symlink_to("/dev/zero")
    err = _refused(run_cli, tree, "specs/pipe.yaml: is a named pipe (FIFO)")
    assert "specs/zero.jsonnet: is a character device" in err


# --- 2. no tracebacks from depth or size ------------------------------------------------


def test_deeply_nested_yaml_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, _with("labels: " + "[" * 500 + "]" * 500 + "\n"))
    _refused(run_cli, tree, "specs/shop.yaml:3:", "nested more than 100 levels deep")


def test_deeply_nested_block_yaml_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    deep = "".join("  " * level + "k:\n" for level in range(300)) + "  " * 300 + "v\n"
    tree = _specs(tmp_path, deep)
    _refused(run_cli, tree, "specs/shop.yaml:", "nested more than 100 levels deep")


def test_deeply_nested_jsonnet_output_is_an_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    deep = "local d(n) = if n == 0 then {} else { x: d(n - 1) }; d(200)"
    tree = _specs(tmp_path, deep, "deep.jsonnet")
    _refused(run_cli, tree, "specs/deep.jsonnet: ", "nested more than 100 levels deep")


def test_a_large_file_names_the_size_limit_not_aliases(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC + "# " + "x" * (11 * 2**20) + "\n")
    err = _refused(run_cli, tree, "specs/shop.yaml: the file is 11.0 MiB, over the 10 MiB limit")
    assert "alias" not in err


def test_many_values_without_aliases_name_the_value_limit(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, _with("labels_list: [" + "1," * 100_001 + "]\n"))
    err = _refused(run_cli, tree, "specs/shop.yaml:3:", "holds more than 100000 values")
    assert "alias" not in err


def test_an_alias_bomb_names_aliases(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level, name in enumerate("bcdefg"):
        previous = "abcdefg"[level]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    tree = _specs(tmp_path, bomb)
    _refused(run_cli, tree, "specs/shop.yaml:", "aliases expand the document to more than 100000")


# --- 3. silent or late wrongs --------------------------------------------------------------


RATIO_SPEC = """\
service: shop
team: web
runbook: false
slos:
  - name: jobs
    objective: 99
    sli:
      ratio:
        errors: sum(rate(jobs_total{note="$window", state="failed"}[$window]))
        total: sum(rate(jobs_total[$window]))
"""


def test_window_inside_a_string_literal_is_left_alone(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, RATIO_SPEC)
    result = run_cli("generate", "specs", "-o", "out", cwd=tree)
    assert result.code == 0, result.err
    rules = (tree / "out" / "prometheus" / "shop.rules.yml").read_text()
    assert 'jobs_total{note="$window", state="failed"}[5m]' in rules


def test_a_window_only_inside_quotes_is_no_placeholder(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, RATIO_SPEC.replace("[$window]))\n", "[5m]))\n", 1))
    _refused(
        run_cli,
        tree,
        "specs/shop.yaml:9:9: slos[0].sli.ratio.errors: ",
        "has no $window placeholder (a $window inside quotes is a string",
    )


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("window: 300y\n", ":3:1: window: ", "'300y' is longer than 5y (1825d)"),
        ("window: 6y\n", ":3:1: window: ", "the longest SLO period (window)"),
        ("window: 30m\n", ":3:1: window: ", "'30m' is shorter than 1h"),
        ("window: 99999999999999999999y\n", ":3:1: window: ", "longer than 5y"),
        ("alerting: {page: {for: 2d}}\n", ":3:19: alerting.page.for: ", "longest alert `for`"),
        ("alerting: {page: {for: 300y}}\n", ":3:19: alerting.page.for: ", "longer than 1d"),
        (
            "alerting: {burn_rate: [{severity: page, budget_spent: 2, long: 300y, short: 5m}]}\n",
            ":3:58: alerting.burn_rate[0].long: ",
            "the longest alert window",
        ),
        (
            "alerting: {burn_rate: [{severity: page, budget_spent: 2, long: 1h, short: 300y}]}\n",
            ":3:68: alerting.burn_rate[0].short: ",
            "the longest alert window",
        ),
        ("alerting: {no_data: {after: 300y}}\n", ":3:22: alerting.no_data.after: ", "1d"),
    ],
    ids=["300y", "6y", "30m", "huge", "for-2d", "for-300y", "long", "short", "no-data-after"],
)
def test_durations_prometheus_cannot_use_are_refused(
    tmp_path: Path, run_cli, text: str, where: str, words: str
) -> None:  # type: ignore[no-untyped-def]
    _refused(run_cli, _specs(tmp_path, _with(text)), f"specs/shop.yaml{where}", words)


def test_a_routing_duration_over_prometheus_range_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC)
    write_spec(
        tree / "specs",
        "routing.yaml",
        "teams:\n  web:\n    page: {webhook: {url: 'http://x'}}\nrepeat_interval: 300y\n",
    )
    _refused(
        run_cli,
        tree,
        "specs/routing.yaml:4:1: repeat_interval: ",
        "longer than 292y (106580d), the longest duration",
    )


FRESHNESS = "      freshness: {timestamp: last_success_timestamp_seconds, max_age: 300y}\n"
LATENCY = "      latency: {histogram: http_request_duration_seconds, threshold: %s}\n"
SLI_LINES = (
    "      events:\n"
    '        errors: http_requests_total{job="shop", code=~"5.."}\n'
    '        total: http_requests_total{job="shop"}\n'
)


@pytest.mark.parametrize(
    ("sli", "words"),
    [
        (FRESHNESS, "longest freshness max_age"),
        (LATENCY % "0", "greater than zero"),
        (LATENCY % "-1", "greater than zero"),
        (LATENCY % ".inf", "finite number"),
        (LATENCY % ".nan", "finite number"),
        (LATENCY % f'"{"9" * 400}h"', "outside 1ns to 5y"),
        (LATENCY % '"0.0000000000001"', "outside 1ns to 5y"),
    ],
    ids=["max-age", "zero", "negative", "inf", "nan", "huge", "tiny"],
)
def test_sli_bounds_are_refused(tmp_path: Path, run_cli, sli: str, words: str) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC.replace(SLI_LINES, sli))
    _refused(run_cli, tree, "specs/shop.yaml:8:", words)


@pytest.mark.parametrize("objective", ["100", "0", "1.0e+400", ".nan", "-.inf"])
def test_objective_edges_are_refused(tmp_path: Path, run_cli, objective: str) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC.replace("objective: 99.9", f"objective: {objective}"))
    _refused(run_cli, tree, "specs/shop.yaml:6:5: slos[0].objective: ", "above 0 and below 100")


def test_a_non_utf8_spec_is_located_with_a_hint(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_bytes(
        MINIMAL_SPEC.replace("team: web", "team: caf\xe9").encode("latin-1")
    )
    _refused(
        run_cli,
        tmp_path,
        "specs/shop.yaml:2:10: byte 0xe9 is not valid UTF-8",
        "save the file as UTF-8",
    )


def test_a_control_character_is_located(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    tree = _specs(tmp_path, MINIMAL_SPEC.replace("team: web", "team: w\x07eb"))
    _refused(run_cli, tree, "specs/shop.yaml:2:8: character U+0007 is not allowed")


# --- 4. fuzzing the loader -----------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["5m", "300y", "$window", 'x{a="$window"}[$window]', "99.9", "1e400"])
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
_LINES = MINIMAL_SPEC.splitlines(keepends=True)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """MINIMAL_SPEC with a line replaced, dropped or doubled, or bytes spliced in."""
    lines = list(_LINES)
    index = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["replace", "drop", "double", "splice"]))
    if action == "replace":
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        key = lines[index].strip().split(":")[0]
        value = yaml.safe_dump(draw(_DOCUMENTS), default_flow_style=True).strip()
        lines[index] = f"{indent}{key}: {value}\n"
    elif action == "drop":
        del lines[index]
    elif action == "double":
        lines.insert(index, lines[index])
    text = "".join(lines).encode("utf-8")
    if action == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.binary(max_size=8)) + text[at:]
    return text


def _load(tmp_path: Path, content: bytes) -> None:
    """Load and validate; a SpecError or a result, nothing else, and soon."""
    spec = tmp_path / "fuzz" / "shop.yaml"
    spec.parent.mkdir(exist_ok=True)
    spec.write_bytes(content)
    started = time.monotonic()
    try:
        slogen.validate(slogen.load([spec]))
    except SpecError as error:
        assert error.problems
    assert time.monotonic() - started < 10


_FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(document=_DOCUMENTS)
def test_random_documents_give_a_spec_error_or_a_result(tmp_path: Path, document: object) -> None:
    _load(tmp_path, yaml.safe_dump(document).encode("utf-8"))


@_FUZZ
@given(content=st.binary(max_size=200))
def test_random_bytes_give_a_spec_error(tmp_path: Path, content: bytes) -> None:
    _load(tmp_path, content)


@_FUZZ
@given(content=_mutated())
def test_mutated_specs_give_a_spec_error_or_a_result(tmp_path: Path, content: bytes) -> None:
    _load(tmp_path, content)
