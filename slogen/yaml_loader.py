"""PyYAML's C loader where PyYAML was built with libyaml: the same result as the pure
Python ``SafeLoader``, ten times faster, which a thousand SLOs' generated files need
when they are read back (specs, manifests to verify, rule files to route)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    FastLoader = yaml.SafeLoader
else:
    FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_fast(text: str | bytes) -> Any:
    """``yaml.safe_load``, with the C loader when there is one."""
    return yaml.load(text, Loader=FastLoader)
