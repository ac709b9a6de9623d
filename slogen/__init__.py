"""slogen: compile SLO specs into verified Prometheus recording and alerting rules.

The public API is what this module exports; everything else is internal.
"""

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
from slogen.gate import Decision
from slogen.lint import Finding
from slogen.model import SLO, Model, Service
from slogen.prometheus_api import BasicAuth, BearerToken, PrometheusError
from slogen.spec.jsonnet_source import JsonnetLimits
from slogen.spec.loader import Specs
from slogen.status import SLOStatus
from slogen.tools import ToolResult
from slogen.write import Staleness

__version__ = "0.1.0"

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
