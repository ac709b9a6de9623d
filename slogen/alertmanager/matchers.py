"""Alertmanager matcher text, kept importable here for the tools that quote labels.

The functions live in :mod:`slogen.model_matchers`: resolving needs them too, and it
may not import a generator.
"""

from __future__ import annotations

from slogen.model_matchers import any_of as any_of
from slogen.model_matchers import equal as equal
from slogen.model_matchers import normalise as normalise
from slogen.model_matchers import present as present
from slogen.model_matchers import quote as quote
