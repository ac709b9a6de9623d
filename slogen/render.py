"""Deterministic YAML bytes: sorted keys, no line wrapping, block style for multi-line text.

The same model must give the same bytes on every machine, so that a CI job can
commit ``generated/`` and ``--check`` can compare it byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from slogen.spec.yaml_source import PlainScalar
from slogen.yaml_writer import Unsupported, write_yaml

if TYPE_CHECKING:
    _BaseDumper = yaml.SafeDumper
else:  # the C dumper when PyYAML was built with libyaml: same output, much faster
    _BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):
    """Safe dumper that writes multi-line strings as literal blocks, and never anchors
    or aliases: a file a person reads or edits spells every value out."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_plain(dumper: yaml.SafeDumper, value: PlainScalar) -> yaml.ScalarNode:
    return dumper.represent_scalar(value.tag, str(value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(PlainScalar, _represent_plain)


def _pyyaml(data: Any, dumper: type[yaml.SafeDumper] = _Dumper) -> str:
    """PyYAML's text for ``data``: the reference :mod:`slogen.yaml_writer` matches."""
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
        indent=2,
    )


def _pyyaml_item(value: Any) -> str:
    """PyYAML's spelling of one scalar, as the item of a list."""
    return _pyyaml([value])


def dump_yaml(data: Any, header: str = "") -> bytes:
    """YAML text for ``data`` with an optional comment header, as UTF-8 bytes.

    The same bytes as PyYAML's dump with the options in :func:`_pyyaml`; written by
    :mod:`slogen.yaml_writer` where it can, which is several times faster."""
    try:
        body = write_yaml(data, _pyyaml_item)
    except Unsupported:
        body = _pyyaml(data)
    lines = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    text = "\n".join(lines) + ("\n" if lines else "") + body
    return text.encode("utf-8")
