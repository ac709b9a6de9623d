"""Turn pydantic's validation errors into problems a spec author can act on.

pydantic reports a location as a tuple that may include the names of union members
(``objective.float``) and phrases messages for programmers (``Extra inputs are not
permitted``). Here each error is pinned to the file position of the field, reworded,
and, for unknown keys, given the closest allowed key as a suggestion.

No message repeats a value that could be a credential: the value of a field named
like one (``url``, ``api_url``, ``*_file``, ``routing_key``, ``token``, ``password``,
``credentials``, ...; see :func:`slogen.secrets.secret_field`), a value or key that
looks like a URL carrying one or like a token, whatever the error (wrong type,
unknown key, bad URL, a validator's own message). Long values are cut.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from slogen.errors import Location, Problem, SpecError
from slogen.secrets import looks_like_token, secret_field, shorten, url_secret_reason
from slogen.spec.yaml_source import KeyPath, SourceDocument, format_path

HIDDEN = "<not shown>"
"""What stands in a message for a value or key that could be a credential."""

LONG = 60
"""Values longer than this many characters are cut in messages."""

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
    by_path: dict[KeyPath, list[tuple[str, str]]] = {}
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        path = _real_path(source.data, loc)
        message, hint = _reword(model, detail, loc, path)
        messages = by_path.setdefault(path, [])
        if (message, hint) not in messages:
            messages.append((message, hint))
    problems = []
    for path, messages in by_path.items():
        location = _location(source, path)
        if len(messages) == 1:
            problems.append(Problem(location, *messages[0]))
        else:
            joined = "; or ".join(message for message, _ in messages)
            problems.append(Problem(location, f"no accepted form matches: {joined}"))
    return problems


def _location(source: SourceDocument, path: KeyPath) -> Location:
    """Where ``path`` is, with any key that could be a credential left out of the
    field path (a URL pasted as a key, say): the line and column still point at it."""
    location = source.locate(path)
    safe = tuple(_safe_key(part) if isinstance(part, str) else part for part in path)
    return dataclasses.replace(location, field=format_path(safe))


def _secret_key(key: str) -> bool:
    """True for a key that is probably a value pasted where a key belongs, and could
    be a credential: a URL, or something that looks like a token."""
    return "://" in key or looks_like_token(key)


def _safe_key(key: str) -> str:
    if _secret_key(key):
        return HIDDEN
    return shorten(key, LONG)


def _hidden(detail: Any, path: KeyPath) -> bool:
    """True when the error's input must not be repeated: the field may hold a
    credential, or the input looks like one."""
    names = [part for part in path if isinstance(part, str)]
    if names and secret_field(names[-1]):
        return True
    loc = [part for part in detail.get("loc", ()) if isinstance(part, str)]
    if loc and secret_field(loc[-1]):
        return True
    value = detail.get("input")
    if isinstance(value, str):
        return _secret_key(value) or ("://" in value and url_secret_reason(value) is not None)
    return False


def _scrub(message: str, value: Any, hidden: bool) -> str:
    """``message`` without ``value`` in it where that could leak a credential, and with
    a long ``value`` cut."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return message
    text = str(value)
    if hidden:
        if len(text) < 4:  # too short to be a credential, and too likely to be a word
            return message
        return message.replace(repr(value), HIDDEN).replace(text, HIDDEN)
    if len(text) > LONG:
        return message.replace(repr(value), repr(shorten(text, 24))).replace(
            text, shorten(text, 24)
        )
    return message


def _real_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
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
    model: type[BaseModel], detail: Any, loc: tuple[Any, ...], path: KeyPath
) -> tuple[str, str]:
    hidden = _hidden(detail, path)
    message, hint = _reword_raw(model, detail, loc, path, hidden)
    return _scrub(message, detail.get("input"), hidden), _scrub(hint, detail.get("input"), hidden)


def _reword_raw(
    model: type[BaseModel], detail: Any, loc: tuple[Any, ...], path: KeyPath, hidden: bool
) -> tuple[str, str]:
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = detail.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(_model_at(model, loc[:-1]), str(loc[-1]))
    if kind == "missing":
        return f"missing required key {str(loc[-1])!r}", ""
    if kind in _LENGTH_KINDS:
        return _length(detail, path, hidden), ""
    if hidden and kind in _TYPE_KINDS:  # maybe a secret pasted by mistake
        return f"{message}, got {_kind_of(value)} (value not shown)", ""
    if kind in {"float_type", "int_type"} and isinstance(value, str):
        return (
            f"{message}, got the string {_quoted(value)}",
            "write the number without quotes or a % sign, e.g. 99.9",
        )
    if kind == "string_type" and type(value) in (int, float, bool):
        return (
            f"{message}, got {_describe(value)}",
            "YAML reads some unquoted text as a number or true/false (10:30 is 630, "
            "on is true); put the value in quotes",
        )
    if kind in _TYPE_KINDS or kind == "literal_error":
        return f"{message}, got {_describe(value, hidden)}", ""
    if kind == "model_type":
        return f"expected a mapping of keys, got {_describe(value, hidden)}", ""
    if path and path[-1] == "objective" and kind in {"less_than", "greater_than"}:
        hint = "99.9 for 99.9% of events good"
        if kind == "less_than":
            hint += "; 100 would leave no error budget at all"
        return (
            f"objective must be a percent above 0 and below 100, got {_describe_bare(value)}",
            hint,
        )
    return message, ""


_TYPE_KINDS = frozenset(
    {"string_type", "float_type", "int_type", "bool_type", "dict_type", "list_type"}
)
_LENGTH_KINDS = frozenset({"too_long", "too_short", "string_too_long", "string_too_short"})


def _length(detail: Any, path: KeyPath, hidden: bool) -> str:
    """A length error that says what is too long or short, by how much, and in what
    (characters, entries), rather than pydantic's "at most 63 items"."""
    value = detail.get("input")
    context = detail.get("ctx") or {}
    names = [part for part in path if isinstance(part, str)]
    what = _safe_key(names[-1]) if names else "the value"
    unit = "character" if isinstance(value, str) else "entry"
    if "max_length" in context:
        wrong, limit = "too long", f"at most {_count(context['max_length'], unit)}"
    else:
        wrong, limit = "too short", f"at least {_count(context.get('min_length', 1), unit)}"
    message = f"{what} is {wrong}: {limit} allowed"
    if isinstance(value, str | list | dict | tuple):
        message = f"{what} is {wrong}: {_count(len(value), unit)}, {limit} allowed"
    if isinstance(value, str) and value and not hidden:
        shown = repr(value) if len(value) <= LONG else f"{value[:24]!r}..."
        message += f": {shown}"
    return message


def _count(number: int, unit: str) -> str:
    """``1 character``, ``63 characters``, ``0 entries``."""
    if number == 1:
        return f"1 {unit}"
    return f"{number} {unit.removesuffix('y') + 'ies' if unit.endswith('y') else unit + 's'}"


def _quoted(value: str, limit: int = 24) -> str:
    """``value`` quoted for a message, cut when long."""
    if len(value) > LONG:
        return f"{value[:limit]!r}... ({len(value)} characters)"
    return repr(value)


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _describe_bare(value: Any) -> str:
    return _quoted(value) if isinstance(value, str) else shorten(repr(value), LONG)


def _describe(value: Any, hidden: bool = False) -> str:
    if value is None:
        return "nothing (null)"
    if hidden:
        return f"{_kind_of(value)} (value not shown)"
    if isinstance(value, str):
        return f"str {_quoted(value)}"
    text = repr(value)
    if len(text) > LONG:
        text = text[: LONG - 3] + "..."
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
    kind = getattr(owner, "key_kind", "key")
    if _secret_key(key):
        return (
            f"an unknown {kind} that looks like a URL or a token, so it is not repeated here",
            "a value written where a key belongs? Secrets go in a file named by a *_file "
            f"key; allowed {kind}s: " + ", ".join(allowed),
        )
    if len(key) > LONG:
        return f"unknown {kind} {_quoted(key)}", f"allowed {kind}s: " + ", ".join(allowed)
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
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
