"""Taking apart what a Prometheus answers, trusting none of it.

An answer may be a proxy's login page, a half-written body or a hostile server's
invention; every part is checked here before use, so that a bad one ends in a
:class:`~slogen.prometheus_messages.PrometheusError` that says which part was wrong,
not in a traceback. Pure functions of the bytes or JSON received: the transport that
fetches them is :mod:`slogen.prometheus_api`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from slogen.prometheus_messages import PrometheusError, printable


class Malformed(PrometheusError):
    """Part of an answer is not what the API promises; the message says which part."""


@dataclass(frozen=True)
class Sample:
    """One series of an instant vector: its labels and its value."""

    labels: tuple[tuple[str, str], ...]
    value: float

    @cached_property
    def _by_name(self) -> dict[str, str]:
        return dict(self.labels)

    def label(self, name: str) -> str:
        return self._by_name.get(name, "")


def _quote(value: object) -> str:
    return printable(repr(value), 60)


def _number(value: object, where: str) -> float:
    """A sample value: Prometheus sends a string (``"0.5"``, ``"+Inf"``, ``"NaN"``)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except (ValueError, OverflowError):
            pass
    raise Malformed(f"{where} is {_quote(value)}, not a number")


def _point(value: object, where: str) -> float:
    """``[timestamp, "value"]`` as the API writes an instant sample or a scalar."""
    if not isinstance(value, list) or len(value) != 2:
        raise Malformed(f"{where} is {_quote(value)}, not [timestamp, value]")
    _number(value[0], f"{where}[0] (the timestamp)")
    return _number(value[1], f"{where}[1]")


def _labels(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is {_quote(value)}, not an object of labels")
    for name, label in value.items():
        if not isinstance(label, str):
            raise Malformed(f"{where}.{printable(name, 60)} is {_quote(label)}, not a string")
    return value


def _sample(item: object, where: str) -> Sample:
    if not isinstance(item, dict):
        raise Malformed(f"{where} is {_quote(item)}, not a sample object")
    if "metric" not in item:
        raise Malformed(f"{where} has no metric")
    if "value" not in item:
        raise Malformed(f"{where} has no value (a histogram sample?)")
    labels = _labels(item["metric"], f"{where}.metric")
    return Sample(tuple(sorted(labels.items())), _point(item["value"], f"{where}.value"))


def samples(data: object) -> list[Sample]:
    """The samples of an instant query's ``data``: a vector, or a scalar as one sample
    without labels. PrometheusError for anything else."""
    if not isinstance(data, dict):
        raise Malformed(f"data is {_quote(data)}, not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        if not isinstance(result, list):
            raise Malformed(f"the vector result is {_quote(result)}, not a list")
        return [_sample(item, f"result[{i}]") for i, item in enumerate(result)]
    if kind == "scalar":
        return [Sample((), _point(result, "the scalar result"))]
    raise Malformed(f"resultType is {_quote(kind)}, not vector or scalar")


@dataclass(frozen=True)
class Series:
    """One series of a range query: its labels and its ``(unix seconds, value)`` points."""

    labels: tuple[tuple[str, str], ...]
    points: tuple[tuple[float, float], ...]

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")


def _timed(value: object, where: str) -> tuple[float, float]:
    """``[timestamp, "value"]`` of a range query's series, both as numbers."""
    found = _point(value, where)
    assert isinstance(value, list)  # _point checked it
    return _number(value[0], f"{where}[0] (the timestamp)"), found


def matrix(data: object) -> list[Series]:
    """The series of a range query's ``data``; PrometheusError for anything else."""
    if not isinstance(data, dict):
        raise Malformed(f"data is {_quote(data)}, not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind != "matrix" or not isinstance(result, list):
        raise Malformed(f"resultType is {_quote(kind)}, not a matrix list")
    found = []
    for i, item in enumerate(result):
        if not isinstance(item, dict) or not isinstance(item.get("values"), list):
            raise Malformed(f"result[{i}] is {_quote(item)}, not a series with values")
        labels = _labels(item.get("metric"), f"result[{i}].metric")
        where = f"result[{i}].values"
        points = tuple(_timed(point, f"{where}[{j}]") for j, point in enumerate(item["values"]))
        found.append(Series(tuple(sorted(labels.items())), points))
    return found


def strings(data: object) -> list[str]:
    """A list of strings, as the label values API answers (``null`` for none)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise Malformed(f"data is {_quote(data)}, not a list of label values")
    for i, value in enumerate(data):
        if not isinstance(value, str):
            raise Malformed(f"data[{i}] is {_quote(value)}, not a string")
    return data


def label_sets(data: object) -> list[dict[str, str]]:
    """A list of label sets, as the series API answers (``null`` for none)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise Malformed(f"data is {_quote(data)}, not a list of series")
    return [_labels(item, f"data[{i}]") for i, item in enumerate(data)]


def retention(data: object) -> str:
    """``storageRetention`` of a runtime info answer, or "" when the server does not
    report one."""
    if data is None:
        return ""
    if not isinstance(data, dict):
        raise Malformed(f"data is {_quote(data)}, not an object")
    value = data.get("storageRetention")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"storageRetention is {_quote(value)}, not a string")
    return value


def envelope(body: bytes) -> object:
    """The ``data`` of a successful answer. A refusal (``"status": "error"``) raises
    PrometheusError with the server's reason; anything that is not the API's envelope
    raises :class:`Malformed`."""
    try:
        answer = json.loads(body)
    except RecursionError:
        raise Malformed("JSON nested too deeply") from None
    except ValueError as error:  # not JSON, not UTF-8, an integer of 5,000 digits
        start = printable(body[:40].decode("utf-8", "replace"), 40)
        raise Malformed(f"not JSON ({printable(str(error), 80)}; it starts {start!r})") from None
    if not isinstance(answer, dict):
        raise Malformed(f"the answer is {_quote(answer)}, not a JSON object")
    status = answer.get("status")
    if status == "success":
        if "data" not in answer:
            raise Malformed("a success without data")
        return answer["data"]
    if status == "error" and isinstance(answer.get("error"), str):
        raise PrometheusError(f"refused: {printable(answer['error'], 300)}")
    raise Malformed(f"status is {_quote(status)}, not success or error")
