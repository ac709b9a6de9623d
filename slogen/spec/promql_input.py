"""Parse the PromQL that users write in specs, so mistakes surface at load time.

A typo in a selector should be reported against the spec line that holds it, not by
promtool on a generated file the user never wrote. The parser is the in-process
``promql_parser``; promtool remains the final judge of the generated output.
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from slogen.promql import Matcher, Selector

WINDOW_PLACEHOLDER = "$window"

_OPS = {
    "MatchOp.Equal": "=",
    "MatchOp.NotEqual": "!=",
    "MatchOp.Re": "=~",
    "MatchOp.NotRe": "!~",
}
_NOT_A_SELECTOR_HINT = (
    'write a metric name with optional label matchers, such as http_requests_total{job="api"}; '
    "use the ratio SLI kind for arbitrary PromQL"
)


def parse_selector(text: str) -> Selector:
    """Parse a plain instant-vector selector; anything else raises ValueError."""
    try:
        expr = promql_parser.parse(text)
    except ValueError as error:
        raise ValueError(f"invalid PromQL selector {text!r}: {error}") from None
    if not isinstance(expr, promql_parser.VectorSelector):
        raise ValueError(
            f"expected a metric selector, got {type(expr).__name__} {text!r}; "
            + _NOT_A_SELECTOR_HINT
        )
    return selector_of(expr, text)


def selector_of(expr: promql_parser.VectorSelector, text: str) -> Selector:
    """A parsed selector as slogen's own, built from its matcher values: the parser
    prints values without escaping them again, so its text of a regex with an escaped
    dot does not read back. ``text`` is what the user wrote, for messages."""
    if expr.offset is not None or expr.at is not None:
        raise ValueError(f"{text!r} uses offset or @; a selector in a spec must read current data")
    if getattr(expr.matchers, "or_matchers", None):
        raise ValueError(f"{text!r} uses 'or' inside braces, which Prometheus 2 cannot parse")
    name = expr.name
    matchers = []
    for matcher in expr.matchers.matchers:
        if matcher.name == "__name__":
            if matcher.op != promql_parser.MatchOp.Equal or name:
                raise ValueError(f"{text!r} must name exactly one metric")
            name = matcher.value
            continue
        matchers.append(Matcher(matcher.name, _OPS[str(matcher.op)], matcher.value))
    if not name:
        raise ValueError(f"{text!r} names no metric; " + _NOT_A_SELECTOR_HINT)
    return Selector(name, tuple(matchers))


def window_query(template: str, window: str) -> str:
    """Substitute the ``$window`` placeholder of a raw query with a PromQL duration.

    Only where it stands as code: a ``$window`` inside a string literal (a label value
    such as ``{note="$window"}``) is the user's data and is left as written, so the
    series a query selects never depend on the window it is evaluated over."""
    return "".join(
        piece if literal else piece.replace(WINDOW_PLACEHOLDER, window)
        for piece, literal in _pieces(template)
    )


def _pieces(query: str) -> Iterator[tuple[str, bool]]:
    """The query cut into code and string literals (with their quotes), in order; an
    unterminated literal runs to the end (the parser reports it)."""
    quote = ""
    escaped = False
    start = 0
    for index, char in enumerate(query):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote != "`":
                escaped = True
            elif char == quote:
                yield query[start : index + 1], True
                quote, start = "", index + 1
        elif char in "\"'`":
            if index > start:
                yield query[start:index], False
            quote, start = char, index
    if start < len(query):
        yield query[start:], bool(quote)


def _in_code(query: str, text: str) -> bool:
    """True if ``text`` occurs in the query outside every string literal."""
    return any(text in piece for piece, literal in _pieces(query) if not literal)


def check_window_query(template: str) -> str:
    """Check a raw ``ratio`` query: it uses ``$window`` and parses to an instant vector."""
    if not _in_code(template, WINDOW_PLACEHOLDER):
        quoted = (
            f" (a {WINDOW_PLACEHOLDER} inside quotes is a string, kept as written)"
            if WINDOW_PLACEHOLDER in template
            else ""
        )
        raise ValueError(
            f"raw query {template!r} has no {WINDOW_PLACEHOLDER} placeholder{quoted}; write "
            f"range selectors as [{WINDOW_PLACEHOLDER}] so slogen chooses the window, "
            f"e.g. sum(rate(jobs_total[{WINDOW_PLACEHOLDER}])) for a total, "
            f"sum(rate(jobs_failed_total[{WINDOW_PLACEHOLDER}])) for errors"
        )
    if _has_comment(template):
        raise ValueError(
            f"{template!r} contains a # comment; slogen embeds the query in larger "
            "expressions, where a comment would swallow the rest of the line: remove it"
        )
    query = window_query(template, "5m")
    try:
        expr = promql_parser.parse(query)
    except ValueError as error:
        raise ValueError(f"invalid PromQL in {template!r}: {error}") from None
    if isinstance(expr, promql_parser.MatrixSelector | promql_parser.SubqueryExpr):
        raise ValueError(
            f"{template!r} returns a range vector; wrap it in a function such as "
            "rate(...) or sum_over_time(...)"
        )
    if isinstance(expr, promql_parser.NumberLiteral | promql_parser.StringLiteral):
        raise ValueError(f"{template!r} is a constant; it must return a vector of series")
    return template


def _has_comment(query: str) -> bool:
    """True if a ``#`` starts a comment, i.e. stands outside every string literal."""
    return _in_code(query, "#")


KEEPS_LABELS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
"""Aggregations that pick series and keep their labels, so no grouping label is lost."""


def labels_dropped(template: str, labels: tuple[str, ...]) -> list[str]:
    """The grouping labels a raw query's aggregations remove from its result.

    A ``ratio`` SLI grouped by ``cluster`` whose query is ``sum(rate(x[$window]))``
    returns one series without ``cluster``, so every group would silently merge into
    one. Only the outer aggregations matter; label_replace and vector matching
    clauses are not followed (those queries are taken as written).
    """
    dropped: set[str] = set()

    def visit(expr: object) -> None:
        if isinstance(expr, promql_parser.AggregateExpr):
            if expr.op and str(expr.op).lower() in KEEPS_LABELS:
                visit(expr.expr)
                return
            modifier = expr.modifier
            if modifier is None:
                dropped.update(labels)
            elif str(modifier.type).endswith("By"):
                dropped.update(set(labels) - set(modifier.labels))
            else:
                dropped.update(set(labels) & set(modifier.labels))
        elif isinstance(expr, promql_parser.BinaryExpr):
            visit(expr.lhs)
            visit(expr.rhs)
        elif isinstance(expr, promql_parser.ParenExpr | promql_parser.UnaryExpr):
            visit(expr.expr)
        elif isinstance(expr, promql_parser.Call):
            for arg in expr.args:
                visit(arg)

    visit(promql_parser.parse(window_query(template, "5m")))
    return sorted(dropped)
