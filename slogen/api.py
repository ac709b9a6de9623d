"""The public Python API, the one the CLI uses too.

    specs = slogen.load(["specs"])
    bundle = slogen.compile(specs)
    bundle.write("generated")
    for result in bundle.check(): print(result)

Every failure a user can fix raises :class:`slogen.SpecError` carrying the same
located messages the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from slogen import tools
from slogen import write as tree
from slogen.alertmanager.files import CONFIG_PATH, render_config
from slogen.build import build, proof_coverage
from slogen.coverage import Coverage
from slogen.errors import Location, Problem, SpecError
from slogen.gate import Decision, check_services, decide
from slogen.lint import Finding
from slogen.lint import lint as lint_model
from slogen.model import Model
from slogen.prometheus_api import DEFAULT_TIMEOUT, Credentials, Prometheus
from slogen.report import Period, Report
from slogen.report import report as read_report
from slogen.resolve import resolve
from slogen.spec.jsonnet_source import JsonnetLimits
from slogen.spec.loader import Specs
from slogen.spec.loader import load as load_specs
from slogen.spec.yaml_source import read_yaml
from slogen.status import SLOStatus
from slogen.status import status as read_status
from slogen.write import Staleness


@dataclass(frozen=True)
class Bundle:
    """Everything generated from a set of specs, in memory, keyed by relative path."""

    model: Model
    files: Mapping[str, bytes]
    proven: tuple[Coverage, ...] | None = None
    """What the proofs in ``files`` prove, when they were built with them."""
    recipes: Mapping[str, str] = field(default_factory=dict)
    """What each file was built from (``slogen.recipes``), recorded in the manifest so
    that a later run can reuse the files whose recipe has not changed."""
    reused: int = 0
    """How many units of output (a service's files, or those that read every service)
    were taken from the output directory rather than built."""
    kept: frozenset[str] = frozenset()
    """The paths of the files in those units: checked by the run that wrote them."""

    def write(self, directory: str | Path) -> Staleness:
        """Make ``directory`` hold exactly these files; returns what changed. The
        manifest records each file's recipe, so that a later
        ``compile(reuse=directory)`` takes what has not changed."""
        return tree.write(self.files, Path(directory), self.recipes)

    def compare(self, directory: str | Path) -> Staleness:
        """What differs between ``directory`` and these files (nothing is written)."""
        return tree.compare(self.files, Path(directory), self.recipes)

    def check(self, shown_as: str = "") -> list[tools.ToolResult]:
        """Run promtool on the generated rules and amtool on the Alertmanager config,
        and route every alert with amtool; each result says ok or why not.

        ``shown_as`` names the output directory in the tools' messages."""
        return self.check_rules(shown_as) + self.check_alertmanager(shown_as)

    def check_rules(self, shown_as: str = "") -> list[tools.ToolResult]:
        """``promtool check rules`` on every rule file and manifest built by this run:
        those taken from a previous run's output were checked when it wrote them
        (unless it ran with ``--no-verify``; ``slogen check`` checks everything)."""
        from slogen import verify

        built = {path: content for path, content in self.files.items() if path not in self.kept}
        return verify.verify(built, shown_as)

    def check_alertmanager(self, shown_as: str = "") -> list[tools.ToolResult]:
        """``amtool check-config``, then the route of every alert (none without routing)."""
        from slogen import verify

        if CONFIG_PATH not in self.files:
            return []
        shown = verify.prefix(shown_as) + CONFIG_PATH
        return verify.alertmanager(self.model, self.files, self.files[CONFIG_PATH], shown)

    def coverage(self) -> tuple[Coverage, ...]:
        """What the generated alert proofs prove of each SLO, in spec order: from its raw
        series, or from its 5m recordings on (and why its queries are not), and the
        scenarios that could not be built."""
        if self.proven is not None:
            return self.proven
        return proof_coverage(self.model)

    def gaps(self) -> list[str]:
        """The scenarios the generated alert proofs could not build, as
        ``service/slo: not covered: what: why``."""
        return [gap for found in self.coverage() for gap in found.named_gaps()]

    def prove(self, shown_as: str = "") -> list[tools.ToolResult]:
        """Run the generated promtool unit tests: every alert behaves as specified."""
        from slogen import verify

        return verify.prove(self.files, shown_as)


def load(
    paths: str | Path | Sequence[str | Path] = ("specs",),
    *,
    defaults: str | Path | None = None,
    ext_vars: Mapping[str, str] | None = None,
    jsonnet_limits: JsonnetLimits | None = None,
) -> Specs:
    """Load and validate spec files and directories (YAML and Jsonnet).

    ``ext_vars`` are Jsonnet external variables (``std.extVar``), as ``--ext-str``;
    ``jsonnet_limits`` bounds each Jsonnet file's time and memory (by default 10 s and
    1 GiB, evaluated in a child process)."""
    return load_specs(paths, defaults=defaults, ext_vars=ext_vars, jsonnet_limits=jsonnet_limits)


def compile_model(specs: Specs) -> Model:
    """Resolve specs into the model without generating anything."""
    return resolve(specs)


def validate(specs: Specs) -> Model:
    """Resolve specs and run every check that can reject them, as ``slogen validate``.

    Every check belongs to resolution, a base Alertmanager config's included, and
    generators are pure functions that accept any resolved model: so nothing is
    generated, the alert proofs and dashboards (most of the cost of a ``generate``)
    are not built, and grafanalib is not imported. Raises SpecError as ``compile``
    would."""
    return resolve(specs)


def compile(
    specs: Specs,
    *,
    reuse: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Bundle:
    """Resolve specs into the model and run every generator on it.

    With ``reuse``, a directory a previous run wrote: each unit of output (a service's
    files, or the files that read every service) whose recipe its manifest records,
    with its files unchanged on disk, is read from there instead of built; the bytes
    are those a full build gives. ``progress(done, total)`` is called after each unit.
    """
    model = resolve(specs)
    previous = tree.previous_outputs(Path(reuse)) if reuse is not None else None
    built = build(model, previous, progress)
    return Bundle(model, built.files, built.coverage, built.recipes, built.reused, built.kept)


def generate(
    paths: str | Path | Sequence[str | Path] = ("specs",),
    output: str | Path = "generated",
    *,
    defaults: str | Path | None = None,
) -> Staleness:
    """Load, compile and write in one call, as ``slogen generate`` does."""
    tree.check_output_location(output, paths)
    return compile(load(paths, defaults=defaults)).write(output)


def lint(
    specs: Specs,
    prometheus: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    credentials: Credentials | None = None,
) -> list[Finding]:
    """Check the specs against the Prometheus at ``prometheus`` (its base URL): it keeps
    data for at least every SLO's period (``retention`` findings), and each latency
    SLO's classic histogram has a bucket at the threshold, a native one has series.

    ``timeout`` is the deadline in seconds for each request; ``credentials`` a
    :class:`~slogen.prometheus_api.BasicAuth` or
    :class:`~slogen.prometheus_api.BearerToken` when the server wants them (never in
    the URL). Raises :class:`slogen.PrometheusError` for a URL that is not plain
    http(s), or when the server cannot be reached, does not answer in time, refuses a
    query or answers with something that is not a Prometheus API answer."""
    return lint_model(resolve(specs), prometheus, timeout, credentials)


def merge_alertmanager(base: str | Path, specs: Specs) -> MergedConfig:
    """The Alertmanager config at ``base`` with slogen's routing merged in.

    Merging the result again gives the same bytes. Raises SpecError when the specs
    have no routing.yaml or ``base`` has no route marked for slogen. Only the rule
    files are generated beside it: routing every alert needs them, nothing else.
    """
    from slogen.rules.files import rule_files

    model = resolve(specs)
    bundle = Bundle(model, rule_files(model))
    routing = model.routing
    if routing is None:
        raise SpecError(
            [
                Problem(
                    Location(str(base)),
                    "the specs have no routing.yaml, so there is nothing to merge",
                    "add routing.yaml beside the service specs",
                )
            ]
        )
    from slogen.resolve_alertmanager_base import checked_base  # ruamel.yaml: only here

    source = checked_base(read_yaml(str(base), str(base), Path(base).name, verbatim=True))
    return MergedConfig(bundle, str(base), render_config(bundle.model, routing, source))


@dataclass(frozen=True)
class MergedConfig:
    """A user's Alertmanager config with slogen's routing in it."""

    bundle: Bundle
    base: str
    content: bytes

    def check(self) -> list[tools.ToolResult]:
        """amtool's verdict on the merged config and the route of every alert."""
        from slogen import verify

        return verify.alertmanager(self.bundle.model, self.bundle.files, self.content, self.base)


def status(
    specs: Specs,
    prometheus_url: str,
    services: Sequence[str] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    credentials: Credentials | None = None,
) -> list[SLOStatus]:
    """Every SLO's SLI, budget, policy state, burn rate and firing alerts, from a live
    Prometheus that runs the generated rules; only those of ``services`` when named.

    A service the specs do not have is a SpecError, raised before the server is asked.
    :class:`slogen.PrometheusError` when the server cannot be reached, does not answer
    a request within ``timeout`` seconds, fails or answers with something else than
    the Prometheus API; ``credentials`` as for :func:`lint`."""
    model = resolve(specs)
    check_services(services, sorted(service.name for service in model.services))
    statuses = read_status(model, Prometheus(prometheus_url, timeout, credentials))
    return [s for s in statuses if not services or s.service in services]


def gate(
    specs: Specs,
    prometheus_url: str,
    services: Sequence[str] = (),
    *,
    require_data: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    credentials: Credentials | None = None,
) -> Decision:
    """May ``services`` (all, when none are named) release? Closed while any of their
    SLOs has spent its error budget, and with ``require_data`` while any has no data."""
    statuses = status(specs, prometheus_url, services, timeout=timeout, credentials=credentials)
    return decide(statuses, services, require_data=require_data)


def report_period(
    specs: Specs,
    prometheus_url: str,
    period: Period,
    services: Sequence[str] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    credentials: Credentials | None = None,
) -> Report:
    """Every SLO's SLI, budget, policy states, incidents and alerts over ``period``
    (:mod:`slogen.report.period` parses one), from a live Prometheus that runs the
    generated rules; only those of ``services`` when named. Errors as for :func:`status`."""
    model = resolve(specs)
    check_services(services, sorted(service.name for service in model.services))
    server = Prometheus(prometheus_url, timeout, credentials)
    return read_report(model, server, period, tuple(services))
