"""Rule group keys that other rulers read and Prometheus refuses.

Thanos Ruler reads ``partial_response_strategy`` on a group; Prometheus' rule loader,
and so promtool, refuse any key they do not know. The deployed files carry the key
where the user asks for it; what promtool runs or checks (the proofs' rule files, the
rule files ``slogen check`` checks) is the same groups without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PARTIAL_RESPONSE = "partial_response_strategy"
PROMETHEUS_REFUSES = (PARTIAL_RESPONSE,)


def for_promtool(group: Mapping[str, object]) -> dict[str, object]:
    """The group less the keys Prometheus refuses."""
    return {key: value for key, value in group.items() if key not in PROMETHEUS_REFUSES}


def refused_by_prometheus(groups: Iterable[Mapping[str, object]]) -> bool:
    """Whether any group holds a key Prometheus refuses."""
    return any(key in group for group in groups for key in PROMETHEUS_REFUSES)


def rule_file_for_promtool(content: bytes) -> bytes | None:
    """A rule file's text with groups promtool can load, or None where it already can
    (the common case, told from the text without parsing it)."""
    if not any(key.encode() in content for key in PROMETHEUS_REFUSES):
        return None
    from slogen.render import dump_yaml
    from slogen.yaml_loader import load_fast

    data = load_fast(content)
    groups = data["groups"] if "groups" in data else data["spec"]["groups"]
    return dump_yaml({"groups": [for_promtool(group) for group in groups]})
