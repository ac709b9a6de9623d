"""Where each generated file lives in the output tree.

Generators link to one another's files (a proof names the rule file it runs, an SLO
document links the dashboard and the manifest, the run checks rule files with
promtool), so the paths are decided here, below every generator, and no generator
has to import another to know where it writes.
"""

from __future__ import annotations

from slogen.durations import format_duration

RULES_DIR = "prometheus"
KUBERNETES_DIR = "kubernetes"
MIMIR_DIR = "mimir"
GRAFANA_DIR = "grafana"
TESTS_DIR = "tests"
DOCS_DIR = "docs"

FROM_RECORDINGS = "from-5m"
"""The name part of the proofs that start at the 5m recordings, and of their rule file."""


def rule_file(service: str) -> str:
    """A service's rules: ``prometheus/<service>.rules.yml``."""
    return f"{RULES_DIR}/{service}.rules.yml"


def manifest_file(service: str) -> str:
    """The same groups as a ``PrometheusRule``: ``kubernetes/<service>.yaml``."""
    return f"{KUBERNETES_DIR}/{service}.yaml"


def mimir_rule_file(service: str) -> str:
    """The same groups for ``mimirtool rules load`` (``namespace: <service>``):
    ``mimir/<service>.yaml``, written when ``rule_groups.mimirtool`` is on."""
    return f"{MIMIR_DIR}/{service}.yaml"


def dashboard_file(name: str) -> str:
    """A dashboard, a service's or the overview: ``grafana/<name>.json``."""
    return f"{GRAFANA_DIR}/{name}.json"


def _stem(service: str, slo: str, from_recordings: bool) -> str:
    return f"{TESTS_DIR}/{service}/{slo}" + (f".{FROM_RECORDINGS}" if from_recordings else "")


def proof_file(service: str, slo: str, step: int, from_recordings: bool = False) -> str:
    """An SLO's proofs at one evaluation step:
    ``tests/<service>/<slo>[.from-5m].<step>.test.yml``."""
    return f"{_stem(service, slo, from_recordings)}.{format_duration(step)}.test.yml"


def proof_rule_file(service: str, slo: str, from_recordings: bool = False) -> str:
    """The rules an SLO's proofs run when the service's rule file holds other SLOs too,
    or when the proofs feed the 5m recordings (then without the two rules that read
    raw series, so that the proofs can feed those recordings)."""
    return f"{_stem(service, slo, from_recordings)}.rules.yml"


def recording_check_file(service: str) -> str:
    """The check of every SLO's two raw recordings of a service, on its own series:
    ``tests/<service>.recordings.test.yml`` (beside the service's directory of proofs,
    so no SLO name can collide with it)."""
    return f"{TESTS_DIR}/{service}.recordings.test.yml"


def recording_rule_file(service: str) -> str:
    """The rules that check runs: each SLO's two raw recordings, as deployed."""
    return f"{TESTS_DIR}/{service}.recordings.rules.yml"


def is_rule_file(path: str) -> bool:
    return path.startswith(f"{RULES_DIR}/") and path.endswith(".rules.yml")


def is_manifest(path: str) -> bool:
    return path.startswith(f"{KUBERNETES_DIR}/") and path.endswith(".yaml")


def is_proof(path: str) -> bool:
    return path.startswith(f"{TESTS_DIR}/") and path.endswith(".test.yml")
