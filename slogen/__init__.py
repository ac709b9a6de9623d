"""slogen: compile SLO specs into verified Prometheus recording and alerting rules.

The public API is what this module exports; everything else is internal.
"""

import importlib
from typing import TYPE_CHECKING, Any

from slogen.api import (
    Bundle,
    MergedConfig,
    compile,
    compile_model,
    gate,
    generate,
    lint,
    load,
    merge_alertmanager,
    status,
    validate,
)
from slogen.errors import Location, Problem, SlogenError, SpecError, ToolError
from slogen.model import SLO, Model, Service
from slogen.prometheus_api import BasicAuth, BearerToken, PrometheusError
from slogen.spec.jsonnet_source import JsonnetLimits
from slogen.spec.loader import Specs
from slogen.tools import ToolResult
from slogen.write import Staleness

if TYPE_CHECKING:
    from slogen.gate import Decision
    from slogen.lint import Finding
    from slogen.status import SLOStatus

__version__ = "0.1.0"

_LOADED_WHEN_ASKED = {
    "Decision": "slogen.gate",
    "Finding": "slogen.lint",
    "SLOStatus": "slogen.status",
}
"""The reading commands' results: their modules load when first asked for, so that
``slogen generate`` does not pay for what it never reads."""


def __getattr__(name: str) -> Any:
    module = _LOADED_WHEN_ASKED.get(name)
    if module is None:
        raise AttributeError(f"module 'slogen' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "SLO",
    "BasicAuth",
    "BearerToken",
    "Bundle",
    "Decision",
    "Finding",
    "JsonnetLimits",
    "Location",
    "MergedConfig",
    "Model",
    "Problem",
    "PrometheusError",
    "SLOStatus",
    "Service",
    "SlogenError",
    "SpecError",
    "Specs",
    "Staleness",
    "ToolError",
    "ToolResult",
    "__version__",
    "compile",
    "compile_model",
    "gate",
    "generate",
    "lint",
    "load",
    "merge_alertmanager",
    "status",
    "validate",
]
