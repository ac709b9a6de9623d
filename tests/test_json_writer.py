"""The indented JSON writer against ``json.dumps(indent=2, sort_keys=True)``."""

from __future__ import annotations

import enum
import itertools
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

import slogen
from slogen.grafana import compat
from slogen.json_writer import dumps_indented
from tests.conftest import SPECS
from tests.random_documents import nested

TEXTS = ["", "a", "é", '"', "\\", "\n", "\t", "\x00", "\u2028", "😀", "</script>", "null"]
NUMBERS = [0, -1, 10**30, 0.0, -0.0, 0.1, 1e-07, 1e300, 2.5, float("inf"), float("-inf")]


def _value(rng: random.Random, depth: int) -> Any:
    return nested(rng, depth, max_depth=5, dict_below=0.25, list_below=0.45, key=_text, leaf=_leaf)


def _leaf(rng: random.Random) -> Any:
    return rng.choice([_text(rng), rng.choice(NUMBERS), rng.choice([True, False, None])])


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(TEXTS) for _ in range(rng.randrange(0, 4)))


def test_same_text_as_json_dumps() -> None:
    rng = random.Random(4)
    for _ in range(3000):
        document = _value(rng, 0)
        assert dumps_indented(document) == json.dumps(document, indent=2, sort_keys=True)
    assert dumps_indented(float("nan")) == json.dumps(float("nan")) == "NaN"


def test_every_generated_dashboard_reads_back_to_its_own_bytes() -> None:
    bundle = slogen.compile(slogen.load([SPECS]))
    dashboards = {p: c for p, c in bundle.files.items() if p.endswith(".json")}
    assert len(dashboards) >= 5
    for path, content in dashboards.items():
        assert (dumps_indented(json.loads(content), width=100) + "\n").encode() == content, path


def test_with_a_width_short_containers_share_a_line_and_the_data_is_the_same() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        document = _value(rng, 0)
        width = rng.choice([0, 20, 60, 100])
        text = dumps_indented(document, width=width)
        assert json.loads(text) == json.loads(json.dumps(document)), text
        for line in text.splitlines():
            # a line over the width opens or closes a container, or holds one scalar
            if len(line) > width and line.strip().removesuffix(",") not in ("}", "]"):
                assert line.endswith(("{", "[")) or _one_scalar(line), line


def test_with_a_width_exactly_the_containers_that_fit_share_a_line() -> None:
    """Against the rule written plainly: a container goes on one line when its
    ``json.dumps`` form fits after what precedes it, with room for a comma."""
    rng = random.Random(6)
    for _ in range(2000):
        document = _value(rng, 0)
        width = rng.choice([0, 20, 60, 100])
        assert dumps_indented(document, width=width) == _by_the_rule(document, width, 0, 0)
    for document in (list(range(40)), {"k": list(range(5))}, [{"a": 1}] * 30):
        assert dumps_indented(document, width=100) == _by_the_rule(document, 100, 0, 0)
    # the shortest object and list of their size fit exactly: none is refused unseen
    assert dumps_indented({"": 0}, width=8) == '{"": 0}'
    assert dumps_indented([0, 0, 0], width=10) == "[0, 0, 0]"


def _by_the_rule(node: Any, width: int, indent: int, lead: int) -> str:
    """``node`` written at ``indent``, after ``lead`` characters on its line."""
    if isinstance(node, (dict, list, tuple)):
        line = json.dumps(node, sort_keys=True, separators=(", ", ": "))
        if lead + len(line) <= width - 1 or not node:
            return line
        inner = "\n" + " " * (indent + 2)
        if isinstance(node, dict):
            items = [
                f"{_spelled(k)}: "
                + _by_the_rule(v, width, indent + 2, indent + 4 + len(_spelled(k)))
                for k, v in sorted(node.items())
            ]
            return "{" + inner + ("," + inner).join(items) + "\n" + " " * indent + "}"
        items = [_by_the_rule(v, width, indent + 2, indent + 2) for v in node]
        return "[" + inner + ("," + inner).join(items) + "\n" + " " * indent + "]"
    return json.dumps(node)


def _spelled(key: Any) -> str:
    """A key as ``json.dumps`` writes it: ``true`` for True, ``"1.5"`` for 1.5."""
    return json.dumps({key: 0})[1:-4]


def test_each_object_goes_through_default_once() -> None:
    """An object nested in containers that are tried on one line and do not fit is
    still converted once: a dashboard's panels are grafanalib objects."""
    seen: list[str] = []

    class Panel:
        def __init__(self, title: str) -> None:
            self.title = title

    def convert(panel: Panel) -> dict[str, Any]:
        seen.append(panel.title)
        return {"title": panel.title, "fields": list(range(30))}

    panels = [Panel(f"p{n}") for n in range(3)]
    text = dumps_indented({"a": {"b": panels}}, default=convert, width=100)
    assert sorted(seen) == ["p0", "p1", "p2"]
    assert json.loads(text)["a"]["b"][2]["title"] == "p2"


def _one_scalar(line: str) -> bool:
    """A line that is one value, or one key and its value, and no container but an
    empty one."""
    body = line.strip().removesuffix(",")
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        (value,) = json.loads("{" + body + "}").values()
    return not isinstance(value, (dict, list)) or not value


def test_dashboards_are_what_json_dumps_made_of_grafanalib_s_objects() -> None:
    from grafanalib._gen import DashboardEncoder

    from slogen.grafana.dashboards import dashboard_json, overview_dashboard, service_dashboard

    model = slogen.validate(slogen.load([SPECS]))
    built = [overview_dashboard(model), *map(service_dashboard, model.services)]
    for dashboard in built:
        plain = json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder))
        _same_but_unset(json.loads(dashboard_json(dashboard)), plain)
    # where the defaults are looked for matters: a stat panel keeps a fillOpacity of 0
    stat = {"gridPos": {}, "type": "stat", "fieldConfig": {"defaults": {"custom": {}}}}
    with pytest.raises(AssertionError):
        _same_but_unset(stat, {**stat, "fieldConfig": {"defaults": {"custom": {"fillOpacity": 0}}}})


def _same_but_unset(ours: Any, plain: Any, where: str = "", kind: str = "") -> None:
    """``ours`` is ``plain`` but for fields left out where grafanalib wrote null, or
    the value Grafana gives the field when absent *there*: a panel's own defaults on a
    panel, a query's on a query, a time series' line style in its ``custom``; a row
    keeps only a row's fields."""
    if isinstance(plain, dict):
        if "gridPos" in plain and "type" in plain:
            where, kind = "panel", plain["type"]
        assert set(ours) <= set(plain)
        unset = _UNSET.get((where, kind), _UNSET.get((where, ""), {}))
        for key, value in plain.items():
            if key in ours:
                _same_but_unset(ours[key], value, f"{where}.{key}" if where else "", kind)
            elif not (kind == "row" and where == "panel" and key not in compat.ROW_FIELDS):
                assert value is None or (key in unset and value == unset[key]), (where, key)
    elif isinstance(plain, list):
        assert len(ours) == len(plain)
        for mine, theirs in zip(ours, plain, strict=True):
            _same_but_unset(mine, theirs, where, kind)
    else:
        assert ours == plain


_UNSET: dict[tuple[str, str], dict[str, Any]] = {
    ("panel", ""): compat.PANEL_DEFAULTS,
    ("panel.fieldConfig", ""): {"overrides": []},
    ("panel.fieldConfig.defaults", ""): compat.FIELD_DEFAULTS,
    ("panel.fieldConfig.defaults.custom", "timeseries"): compat.GRAPH_DEFAULTS,
    ("panel.targets", ""): compat.TARGET_DEFAULTS,
}
"""What may be left out, by where it sits and the panel's type."""


def test_objects_go_through_default() -> None:
    class Panel:
        def __init__(self, title: str) -> None:
            self.title = title

    data = {"panels": (Panel("b"), {"title": "c", "legacy": 1}), "n": 1.5}
    got = dumps_indented(
        data,
        default=lambda panel: {"title": panel.title},
    )
    expected = {"panels": [{"title": "b"}, {"title": "c", "legacy": 1}], "n": 1.5}
    assert got == json.dumps(expected, indent=2, sort_keys=True)


class Colour(enum.IntEnum):
    RED = 1


class Name(enum.StrEnum):
    SHOP = "shop"


class Row(dict):  # type: ignore[type-arg]
    pass


class Text(str):
    pass


ODD_DOCUMENTS = [
    {"a": (1, 2)},
    {1: "a", 2: "b"},
    {True: 1, False: 0},
    {None: 1},
    {1.5: "x", float("nan"): "y"},
    {"c": Colour.RED, "n": Name.SHOP, Name.SHOP: [Colour.RED]},
    Row(b=Row(a=1)),
    [Row(), (), []],
    {"inf": [float("inf"), float("-inf"), float("nan")], "long": "x" * 30},
    {Text(""): 0},  # a str subclass key is written by its value, here in 4 characters
    [{Text(""): {None: Text("x")}}],
]


@pytest.mark.parametrize("document", ODD_DOCUMENTS)
def test_what_json_dumps_writes_is_written_the_same(document: Any) -> None:
    assert dumps_indented(document) == json.dumps(document, indent=2, sort_keys=True)


@pytest.mark.parametrize("width", [0, 8, 12, 100])
@pytest.mark.parametrize("document", ODD_DOCUMENTS)
def test_what_json_dumps_writes_is_written_the_same_on_one_line(document: Any, width: int) -> None:
    assert dumps_indented(document, width=width) == _by_the_rule(document, width, 0, 0)


def test_without_the_c_encoder_the_lines_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python built without json's accelerator (or with one that takes other
    arguments) writes through ``JSONEncoder``, to the same text."""
    rng = random.Random(7)
    documents = [_value(rng, 0) for _ in range(300)] + ODD_DOCUMENTS
    expected = [dumps_indented(document, width=60) for document in documents]
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    assert [dumps_indented(document, width=60) for document in documents] == expected


class Fresh(dict):  # type: ignore[type-arg]
    """A mapping whose values are made anew each time its items are read."""

    def items(self):  # type: ignore[no-untyped-def]
        return [(key, Boxed(value)) for key, value in super().items()]


class Boxed:
    def __init__(self, value: int) -> None:
        self.value = value


def test_an_object_made_on_the_fly_is_not_taken_for_a_freed_one() -> None:
    """Objects a mapping makes as it is read are freed after use, and their ids given
    to the next ones: the converted form of one must not be served for another."""
    document = [Fresh(a=n) for n in range(5)]
    text = dumps_indented(document, default=lambda boxed: boxed.value, width=100)
    assert json.loads(text) == [{"a": n} for n in range(5)]


@pytest.mark.parametrize("document", [{"a": {1, 2}}, b"x", {"a": object()}, {(1,): 1}])
def test_what_json_dumps_cannot_write_is_refused(document: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(document, sort_keys=True)
    with pytest.raises(TypeError):
        dumps_indented(document)


class Token:
    pass


def test_default_is_asked_in_the_order_json_dumps_asks() -> None:
    """A converter may number what it converts (or fail on the first it cannot): it must
    be asked in sorted key order, as ``json.dumps`` asks it, however the line is fitted."""
    document = {"b": Token(), "a": [Token(), {"d": Token(), "c": Token()}]}
    expected = json.loads(json.dumps(document, default=_numbering(), sort_keys=True))
    for width in (None, 0, 30, 100):
        assert json.loads(dumps_indented(document, default=_numbering(), width=width)) == expected


def _numbering() -> Callable[[object], int]:
    """A converter that answers 0, 1, 2, ... in the order it is asked."""
    calls = itertools.count()
    return lambda _: next(calls)
