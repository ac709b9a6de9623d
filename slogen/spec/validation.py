"""Turn pydantic's validation errors into problems a spec author can act on.

pydantic reports a location as a tuple that may include the names of union members
(``objective.float``) and phrases messages for programmers (``Extra inputs are not
permitted``). Here each error is pinned to the file position of the field, reworded,
and, for unknown keys, given the closest allowed key as a suggestion.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from slogen.errors import Problem, SpecError
from slogen.spec.yaml_source import Path, SourceDocument

Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], source: SourceDocument) -> Model:
    """Validate a document against a spec model or raise SpecError with located problems."""
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        raise SpecError(_problems(model, source, error)) from None


def _problems(
    model: type[BaseModel], source: SourceDocument, error: ValidationError
) -> list[Problem]:
    by_path: dict[Path, list[tuple[str, str]]] = {}
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        path = _real_path(source.data, loc)
        message, hint = _reword(model, detail, loc, path)
        messages = by_path.setdefault(path, [])
        if (message, hint) not in messages:
            messages.append((message, hint))
    problems = []
    for path, messages in by_path.items():
        location = source.locate(path)
        if len(messages) == 1:
            problems.append(Problem(location, *messages[0]))
        else:
            joined = "; or ".join(message for message, _ in messages)
            problems.append(Problem(location, f"no accepted form matches: {joined}"))
    return problems


def _real_path(data: Any, loc: tuple[Any, ...]) -> Path:
    """Drop the parts of a pydantic location that are not keys of the user's data."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if part == "[key]":
            continue
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not path_is_tag(part):
            path.append(part)  # a missing key: name it, positioned at its parent
            node = None
        else:
            continue
    return tuple(path)


def path_is_tag(part: str) -> bool:
    """pydantic's names for union members and constrained types, not user keys."""
    return part in {"str", "int", "float", "bool", "literal['page','ticket']"} or "[" in part


def _reword(
    model: type[BaseModel], detail: Any, loc: tuple[Any, ...], path: Path
) -> tuple[str, str]:
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        return _unknown_key(_model_at(model, loc[:-1]), str(loc[-1]))
    if kind == "missing":
        return f"missing required key {str(loc[-1])!r}", ""
    if kind in {"float_type", "int_type"} and isinstance(detail.get("input"), str):
        return (
            f"{message}, got the string {detail['input']!r}",
            "write the number without quotes or a % sign, e.g. 99.9",
        )
    if kind == "string_type" and type(detail.get("input")) in (int, float, bool):
        return (
            f"{message}, got {_describe(detail.get('input'))}",
            "YAML reads some unquoted text as a number or true/false (10:30 is 630, "
            "on is true); put the value in quotes",
        )
    if kind in {"string_type", "float_type", "int_type", "bool_type", "dict_type", "list_type"}:
        if path and str(path[-1]).endswith("_file"):  # maybe a secret pasted by mistake
            return f"{message}, got a {type(detail.get('input')).__name__}", ""
        return f"{message}, got {_describe(detail.get('input'))}", ""
    if kind == "literal_error":
        return f"{message}, got {_describe(detail.get('input'))}", ""
    if kind == "model_type":
        return f"expected a mapping of keys, got {_describe(detail.get('input'))}", ""
    if path and path[-1] == "objective" and kind in {"less_than", "greater_than"}:
        hint = "99.9 for 99.9% of events good"
        if kind == "less_than":
            hint += "; 100 would leave no error budget at all"
        return (
            f"objective must be a percent above 0 and below 100, got {detail.get('input')!r}",
            hint,
        )
    return message, ""


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _unknown_key(owner: type[BaseModel] | None, key: str) -> tuple[str, str]:
    """An unknown key, with the key meant where we can tell.

    A model may name the inline-secret keys it refuses (``secret_fields``: key -> the
    key to use instead) and what its keys are (``key_kind``, e.g. "receiver type").
    """
    secrets: dict[str, str] = getattr(owner, "secret_fields", {})
    if key in secrets:
        return (
            f"{key!r} would put a secret in the spec and the generated config",
            f"write {secrets[key]}: the path of a file holding it on the host that runs it",
        )
    allowed = [f.alias or name for name, f in owner.model_fields.items()] if owner else []
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    kind = getattr(owner, "key_kind", "key")
    return f"unknown {kind} {key!r}", hint + f"allowed {kind}s: " + ", ".join(allowed)


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        current = _step(current, part) or current  # a union member's tag: stay put
    for candidate in _members(current):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _step(annotation: Any, part: Any) -> Any:
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            field = candidate.model_fields.get(part) or next(
                (f for f in candidate.model_fields.values() if f.alias == part), None
            )
            if field is not None:
                return field.annotation
        origin = typing.get_origin(candidate)
        if origin in (list, tuple) and isinstance(part, int):
            return typing.get_args(candidate)[0]
        if origin is dict:
            return typing.get_args(candidate)[1]
    return None


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]
