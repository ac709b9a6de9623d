"""slogen: compile SLO specs into verified Prometheus recording and alerting rules.

The public API is what this module exports; everything else is internal.
"""

from slogen.api import (
    Bundle,
    MergedConfig,
    compile,
    compile_model,
    generate,
    load,
    merge_alertmanager,
    validate,
)
from slogen.errors import Location, Problem, SlogenError, SpecError, ToolError
from slogen.model import SLO, Model, Service
from slogen.spec.loader import Specs
from slogen.tools import ToolResult
from slogen.write import Staleness

__version__ = "0.1.0"

__all__ = [
    "SLO",
    "Bundle",
    "Location",
    "MergedConfig",
    "Model",
    "Problem",
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
    "generate",
    "load",
    "merge_alertmanager",
    "validate",
]
