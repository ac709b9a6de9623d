"""Metric names read by a PromQL expression, from promql-parser's syntax tree."""

from __future__ import annotations

from typing import Any

import promql_parser

_WRAPPERS = (
    promql_parser.AggregateExpr,
    promql_parser.ParenExpr,
    promql_parser.UnaryExpr,
    promql_parser.SubqueryExpr,
)


def metric_names(node: Any) -> list[str]:
    """Metric names of every selector in an expression."""
    found: list[str] = []

    def visit(expr: Any) -> None:
        if isinstance(expr, promql_parser.VectorSelector):
            found.append(expr.name)
        elif isinstance(expr, promql_parser.MatrixSelector):
            visit(expr.vector_selector)
        elif isinstance(expr, promql_parser.BinaryExpr):
            visit(expr.lhs)
            visit(expr.rhs)
        elif isinstance(expr, promql_parser.Call):
            for arg in expr.args:
                visit(arg)
        elif isinstance(expr, _WRAPPERS):
            visit(expr.expr)

    visit(node)
    return found
