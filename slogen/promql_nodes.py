"""PromQL expressions as small typed nodes, and their one rendering to text.

Generators build a tree of frozen nodes (numbers, selectors, calls, aggregations,
binary operations) and :meth:`Expr.render` prints it once. The renderer knows PromQL's
operator precedence and associativity and puts parentheses wherever the tree needs
them, so a tree can never print as an expression that means something else.
Parentheses that precedence does not need are written as :class:`Paren` nodes.

Label values, names, numbers and windows enter a tree through
:mod:`slogen.promql_text`, escaped or checked. User-written PromQL that the spec layer has
already parsed and validated enters a tree only as a :class:`Verbatim` node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from slogen.promql_text import (
    FUNCTION_NAME,
    MATCH_OPS,
    METRIC_NAME,
    Window,
    duration,
    escape_string,
    grouping,
    label_name,
    number,
    window_text,
)

# Binding strength, loosest first (Prometheus' parser): ``or`` < ``and``/``unless`` <
# comparisons < ``+ -`` < ``* / % atan2`` < unary minus < ``^`` < everything that
# needs no parentheses at all (selectors, calls, aggregations, literals, parentheses).
VERBATIM = 0
"""User text binds as loosely as anything: it is parenthesized under any operator."""
OR, AND, COMPARE, ADD, MULTIPLY, UNARY, POWER, ATOM = 1, 2, 3, 4, 5, 6, 7, 8

BINARY_OPS: dict[str, int] = {
    "or": OR,
    "and": AND,
    "unless": AND,
    "==": COMPARE,
    "!=": COMPARE,
    "<": COMPARE,
    "<=": COMPARE,
    ">": COMPARE,
    ">=": COMPARE,
    "+": ADD,
    "-": ADD,
    "*": MULTIPLY,
    "/": MULTIPLY,
    "%": MULTIPLY,
    "atan2": MULTIPLY,
    "^": POWER,
}
RIGHT_ASSOCIATIVE = frozenset({"^"})
SET_OPS = frozenset({"and", "or", "unless"})
AGGREGATIONS = frozenset(
    {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values"}
    | {"bottomk", "topk", "quantile", "limitk", "limit_ratio"}
)


class Expr:
    """A PromQL expression node. Subclasses are frozen dataclasses."""

    def binding(self) -> int:
        """How tightly the expression binds, for its parent to parenthesize it."""
        return ATOM

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()


def render(expr: Expr) -> str:
    """The text of an expression tree."""
    return expr.render()


@dataclass(frozen=True)
class Number(Expr):
    """A number literal, printed by :func:`number`."""

    value: Fraction | float | int

    def __post_init__(self) -> None:
        number(self.value)

    def binding(self) -> int:
        return UNARY if number(self.value).startswith("-") else ATOM

    def render(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class String(Expr):
    """A string literal (a ``label_replace`` argument), escaped when rendered."""

    value: str

    def render(self) -> str:
        return escape_string(self.value)


@dataclass(frozen=True)
class Matcher:
    """One label matcher; the value is kept unescaped and escaped when rendered."""

    name: str
    op: str
    value: str

    def __post_init__(self) -> None:
        label_name(self.name)
        if self.op not in MATCH_OPS:
            raise ValueError(f"unknown matcher operator {self.op!r}")

    def render(self) -> str:
        return f"{self.name}{self.op}{escape_string(self.value)}"


@dataclass(frozen=True)
class Selector(Expr):
    """An instant-vector selector: a metric name and label matchers."""

    metric: str
    matchers: tuple[Matcher, ...] = ()

    def __post_init__(self) -> None:
        if not METRIC_NAME.fullmatch(self.metric):
            raise ValueError(f"{self.metric!r} is not a valid metric name")

    def render(self) -> str:
        if not self.matchers:
            return self.metric
        return self.metric + "{" + ", ".join(m.render() for m in self.matchers) + "}"

    def named(self, metric: str) -> Selector:
        return replace(self, metric=metric)

    def having(self, *matchers: Matcher) -> Selector:
        return replace(self, matchers=self.matchers + tuple(matchers))

    def range(self, window: Window) -> RangeSelector:
        """This selector over a window: ``name{...}[5m]``."""
        return RangeSelector(self, window)

    def label_names(self) -> frozenset[str]:
        return frozenset(m.name for m in self.matchers)


@dataclass(frozen=True)
class Verbatim(Expr):
    """PromQL the user wrote, already parsed and validated by the spec layer.

    Its structure is unknown here, so it binds as loosely as anything: under an
    operator it is always parenthesized; as a function or aggregation argument it
    stands as written."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("empty PromQL")

    def binding(self) -> int:
        return VERBATIM

    def render(self) -> str:
        return self.text


@dataclass(frozen=True)
class RangeSelector(Expr):
    """A range-vector selector: ``name{...}[5m]``. Only a selector may take a range;
    a :class:`Verbatim` here must be a selector's text (an importer's)."""

    selector: Selector | Verbatim
    window: Window
    offset: int = 0
    """Seconds the window ends before the evaluation time (``offset``); 0 for none."""

    def __post_init__(self) -> None:
        window_text(self.window)
        if self.offset < 0:
            raise ValueError(f"negative offset {self.offset}")

    def render(self) -> str:
        text = f"{self.selector.render()}[{window_text(self.window)}]"
        return f"{text} offset {duration(self.offset)}" if self.offset else text


@dataclass(frozen=True)
class At(Expr):
    """A selector evaluated at a fixed time, the ``@`` modifier: ``x[30d] @ 1764547200``,
    ``x @ 1764547200``. It binds to its selector as ``offset`` does, so it never needs
    parentheses."""

    selector: RangeSelector | Selector
    at: int

    def render(self) -> str:
        return f"{self.selector.render()} @ {number(self.at)}"


@dataclass(frozen=True)
class Subquery(Expr):
    """``(expr)[window:step]``: any instant expression sampled every ``step``. The
    expression is always parenthesized, which reads the same for every kind of it."""

    expr: Expr
    window: Window
    step: int

    def __post_init__(self) -> None:
        window_text(self.window)

    def render(self) -> str:
        return f"({self.expr.render()})[{window_text(self.window)}:{duration(self.step)}]"


@dataclass(frozen=True)
class Call(Expr):
    """A function call: ``rate(x[5m])``, ``clamp_max(x, 1)``, ``time()``."""

    function: str
    args: tuple[Expr, ...] = ()

    def __post_init__(self) -> None:
        if not FUNCTION_NAME.fullmatch(self.function):
            raise ValueError(f"{self.function!r} is not a function name")

    def render(self) -> str:
        return f"{self.function}(" + ", ".join(arg.render() for arg in self.args) + ")"


@dataclass(frozen=True)
class Aggregation(Expr):
    """``op by (labels) (expr)``, ``op without (labels) (expr)``, or plain ``op(expr)``
    when there is nothing to group by; ``param`` is topk's k or quantile's φ."""

    op: str
    expr: Expr
    labels: tuple[str, ...] = ()
    without: bool = False
    param: Expr | None = None

    def __post_init__(self) -> None:
        if self.op not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {self.op!r}")
        grouping(self.labels)

    def render(self) -> str:
        args = self.expr.render()
        if self.param is not None:
            args = f"{self.param.render()}, {args}"
        if not self.labels and not self.without:
            return f"{self.op}({args})"
        return f"{self.op} {'without' if self.without else 'by'} {grouping(self.labels)} ({args})"


@dataclass(frozen=True)
class Matching:
    """Vector matching of a binary operation: ``on (labels)`` or ``ignoring (labels)``;
    ``on ()`` matches single series on both sides."""

    labels: tuple[str, ...] = ()
    ignoring: bool = False
    group_left: tuple[str, ...] | None = None
    """Many-to-one matching copying these labels from the right: ``group_left (...)``."""

    def __post_init__(self) -> None:
        grouping(self.labels)
        if self.group_left is not None:
            grouping(self.group_left)

    def render(self) -> str:
        text = f"{'ignoring' if self.ignoring else 'on'} {grouping(self.labels)}"
        if self.group_left is not None:
            text += f" group_left {grouping(self.group_left)}"
        return text


@dataclass(frozen=True)
class Binary(Expr):
    """``left op right`` with optional ``bool`` (comparisons) and vector matching.

    ``break_lines`` prints the operator on a line of its own (``left\\n or\\nright``),
    for alerts whose alternatives read better one per line."""

    op: str
    left: Expr
    right: Expr
    matching: Matching | None = None
    bool_: bool = False
    break_lines: bool = False

    def __post_init__(self) -> None:
        if self.op not in BINARY_OPS:
            raise ValueError(f"unknown binary operator {self.op!r}")
        if self.bool_ and BINARY_OPS[self.op] != COMPARE:
            raise ValueError(f"bool modifies comparisons only, not {self.op!r}")

    def binding(self) -> int:
        return BINARY_OPS[self.op]

    def render(self) -> str:
        mine = self.binding()
        right_assoc = self.op in RIGHT_ASSOCIATIVE
        left = _operand(self.left, mine, tight=right_assoc)
        right = _operand(self.right, mine, tight=not right_assoc)
        op = self.op + (" bool" if self.bool_ else "")
        if self.matching is not None:
            op += " " + self.matching.render()
        if self.break_lines:
            return f"{left}\n {op}\n{right}"
        return f"{left} {op} {right}"


def _operand(expr: Expr, parent: int, *, tight: bool) -> str:
    """An operand's text, parenthesized if it binds looser than its operator (or as
    loosely, on the side where the operator does not associate)."""
    text = expr.render()
    own = expr.binding()
    if own < parent or (tight and own == parent):
        return f"({text})"
    return text


@dataclass(frozen=True)
class Paren(Expr):
    """Parentheses the precedence does not need, kept for how the text reads."""

    expr: Expr

    def render(self) -> str:
        return f"({self.expr.render()})"


def chain(
    op: str,
    terms: Sequence[Expr],
    *,
    matching: Matching | None = None,
    break_lines: bool = False,
) -> Expr:
    """``a op b op c`` nested to the left, as PromQL reads it without parentheses."""
    if not terms:
        raise ValueError(f"nothing to join with {op!r}")
    expr = terms[0]
    for term in terms[1:]:
        expr = Binary(op, expr, term, matching, break_lines=break_lines)
    return expr
