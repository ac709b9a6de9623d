"""slogen names for the names other tools use.

Every importer turns service, SLO and team names into ones the spec accepts
(``NAME_PATTERN``, at most 63 characters), so they share one way of doing it.
"""

from __future__ import annotations

import re
from typing import Any

from slogen.spec.models import NAME_PATTERN

NAME = re.compile(NAME_PATTERN)
MAX_LENGTH = 63


def is_name(text: str) -> bool:
    """Whether ``text`` is already a slogen name."""
    return bool(NAME.match(text)) and len(text) <= MAX_LENGTH


def slug(text: Any, *, single_hyphens: bool = False) -> str:
    """A slogen name for any text: lowercase, runs of other characters as ``-``, cut to
    63 characters; ``single_hyphens`` also folds ``--`` into one."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", str(text).lower()).strip("-")
    if single_hyphens:
        cleaned = re.sub(r"-{2,}", "-", cleaned)
    return cleaned[:MAX_LENGTH].strip("-") or "unnamed"
