"""Sloth alert labels whose values are Go templates, and why each is left out.

Prometheus expands ``{{ $labels.cluster_id }}`` in the labels of Sloth's alerts; slogen's
label values are literal. Service labels, SLO labels and per-severity labels all meet
the question, so the answer, and its wording in the report, is given once here.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_ONE_LABEL = re.compile(r"\{\{-?\s*(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*-?\}\}")
"""A template that is one series label, as Sloth users write it in alert labels."""


def templated(key: str, value: str, group_by: Collection[str], whose: str) -> str | None:
    """Why a label whose value is a Go template is left out; None for a plain value.

    Prometheus expands ``{{ $labels.cluster_id }}`` in Sloth's alert labels, while
    slogen's label values are literal (it escapes ``{{``): carried over, every alert
    would show the template's text. A copy of a ``group_by`` label under its own name is
    redundant, as slogen's alerts carry the group_by labels already."""
    if "{{" not in value:
        return None
    template = f"alert label {key}: {value!r} is a template"
    match = _ONE_LABEL.fullmatch(value.strip())
    if match is None:
        return f"{template} other than one series label; slogen alert labels are static; left out"
    label = match[1]
    if label in group_by and label == key:
        return (
            f"{template} of the series label {key}, a group_by label of {whose}, which "
            "slogen's alerts carry already; dropped as redundant"
        )
    if label in group_by:
        return (
            f"{template}; slogen alert labels are static, and its alerts carry {label} (a "
            f"group_by label of {whose}) but cannot copy it to {key}; left out (match on "
            f"{label} instead)"
        )
    return (
        f"{template}; slogen alert labels are static, and {label} is not a group_by label "
        f"of {whose}; left out"
    )
