"""Jsonnet specs: same validation and output as YAML, confined imports, ext vars."""

from __future__ import annotations

from pathlib import Path

import slogen
from tests.conftest import MINIMAL_SPEC, ROOT, SPECS, snapshot, write_spec

TWIN = SPECS / "_jsonnet" / "model-inference.jsonnet"


def _generated(run_cli, spec: Path, out: Path, *extra: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    result = run_cli(
        "generate", str(spec), "-o", str(out), "--defaults", str(SPECS / "defaults.yaml"), *extra
    )
    assert result.code == 0, result.err
    return {
        path: content
        for path, content in snapshot(out).items()
        if not path.startswith("alertmanager/") and path != ".slogen-manifest"
    }


def test_the_jsonnet_twin_compiles_to_the_yaml_specs_output(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # Alone in a directory, as the twin is: without the routing.yaml beside it, whose
    # receivers the SLO documents name.
    alone = tmp_path / "alone" / "model-inference.yaml"
    alone.parent.mkdir()
    alone.write_bytes((SPECS / "model-inference.yaml").read_bytes())
    from_yaml = _generated(run_cli, alone, tmp_path / "yaml")
    from_jsonnet = _generated(run_cli, TWIN, tmp_path / "jsonnet", "--ext-str", "model=ranker")
    assert sorted(from_yaml) == sorted(from_jsonnet)
    assert len(from_yaml) >= 5
    for path, content in from_yaml.items():
        # only the name of the source file, which headers and no-data alerts quote, differs
        twin = from_jsonnet[path].replace(
            b"_jsonnet/model-inference.jsonnet", b"model-inference.yaml"
        )
        twin = twin.replace(b"model-inference.jsonnet", b"model-inference.yaml")
        assert twin == content, path


def test_ext_vars_reach_the_spec_from_the_api() -> None:
    specs = slogen.load([TWIN], defaults=SPECS / "defaults.yaml", ext_vars={"model": "ranker-v2"})
    total = specs.services[0].spec.slos[0].sli.events.total  # type: ignore[union-attr]
    assert total == 'inference_requests_total{model="ranker-v2"}'


def test_a_missing_ext_var_is_a_located_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", str(TWIN), cwd=ROOT)
    assert result.code == 2
    assert (
        "model-inference.jsonnet: Jsonnet: RUNTIME ERROR: undefined external variable: model"
        in result.err
    )


def test_imports_outside_the_spec_tree_are_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "secret.libsonnet").write_text("{ team: 'stolen' }")
    write_spec(
        tmp_path / "specs", "shop.jsonnet", "(import '../secret.libsonnet') + { service: 'shop' }"
    )
    write_spec(tmp_path / "specs", "etc.jsonnet", "importstr '/etc/hostname'")
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 2
    assert (
        'specs/shop.jsonnet: Jsonnet: RUNTIME ERROR: couldn\'t open import "../secret.libsonnet"'
        in result.err
    )
    assert "is outside the spec tree specs" in result.err
    assert (
        "specs/etc.jsonnet: Jsonnet:" in result.err and "'/etc/hostname' is outside" in result.err
    )


def test_imports_inside_the_tree_and_the_helper_library_work(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(
        tmp_path / "specs",
        "lib/common.libsonnet",
        "{ runbook: 'https://runbooks.example.com/{service}/{slo}' }",
    )
    write_spec(
        tmp_path / "specs",
        "fleet.jsonnet",
        """\
        local slo = import 'slogen.libsonnet';
        local common = import 'lib/common.libsonnet';
        slo.stamp(['cart', 'search'], 'web', function(name) [
          slo.slo('availability', 99.9, slo.events(
            slo.selector('http_requests_total', {job: name, code: '5xx'}),
            slo.selector('http_requests_total', {job: name}),
          )),
        ], common)
        """,
    )
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "ok: 2 services, 2 SLOs" in result.out


def test_errors_in_a_jsonnet_spec_name_the_file_and_the_service(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    write_spec(
        tmp_path / "specs",
        "many.jsonnet",
        """\
        local slo = import 'slogen.libsonnet';
        [
          slo.service('a', 'web', [slo.slo('x', 99.9, slo.up('up{job="a"}'))], {runbook: false}),
          slo.service('b', 'web', [slo.slo('x', 0.999, slo.up('up{job="b"}'))], {runbook: false}),
        ]
        """,
    )
    (tmp_path / "generated").mkdir()
    before = snapshot(tmp_path / "generated")
    result = run_cli("generate", "specs", cwd=tmp_path)
    assert result.code == 2
    assert "specs/many.jsonnet[1]: slos[0].objective: objective is a percent" in result.err
    assert snapshot(tmp_path / "generated") == before
