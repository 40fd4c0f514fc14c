"""Errors as lines that name the JSON path the user typed (used by :mod:`ocispec._convert`).

``config.json.hooks.createRuntime[0].timeout: must be > 0``: cattrs' exception groups and attrs'
validator messages are turned into one line per problem (cattrs ``docs/validation.md``,
``transform_error``, with paths spelt as JSON instead of Python).
"""

import json
import re
import types
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from ocispec._names import json_key


class InvalidDocument(ValueError):
    """A document (or already-parsed data) does not fit its model.

    ``lines`` holds one message per problem, each prefixed with the JSON path of the
    offending value (``state.pid: expected an integer, got str '12'``); ``str()`` is
    the lines joined by newlines.
    """

    lines: tuple[str, ...]

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = tuple(lines)
        super().__init__("\n".join(self.lines))

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __reduce__(self) -> tuple[type["InvalidDocument"], tuple[tuple[str, ...]]]:
        return (type(self), (self.lines,))


def shown(value: object) -> str:
    """How a value is shown in an error: ``str '12'``, ``bool True``, ``array``."""
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float, str)):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{type(value).__name__} {shown}"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


#: Compiled on first use (re's cache): only an error message needs it.
_NAMED = r"'([A-Za-z_][A-Za-z0-9_]*)' "


def _message(exc: BaseException) -> str:
    """The text of an exception; for ``TypeError(msg, attr, ...)`` (attrs) just msg."""
    if len(exc.args) > 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)


def _blame(exc: BaseException, cls: type) -> "attrs.Attribute[Any] | None":
    """The attribute an attrs-style message (``'name' must ...``) is about, if any."""
    match = re.match(_NAMED, _message(exc))
    if match is None or not attrs.has(cls):
        return None
    field: attrs.Attribute[Any]
    for field in attrs.fields(cls):
        if match.group(1) in (field.name, field.alias):
            return field
    return None


def _choices(type_: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal[...]`` (or ``Literal[...] | None``) type."""
    if get_origin(type_) in (Union, types.UnionType):
        members = [m for m in get_args(type_) if m is not type(None)]
    else:
        members = [type_]
    return tuple(x for m in members if get_origin(m) is Literal for x in get_args(m))


def _describe(exc: BaseException, type_: Any, name: str | None) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return "unknown field(s): " + ", ".join(sorted(exc.extra_fields))
    if isinstance(exc, cattrs.errors.CattrsError) and (choices := _choices(type_)):
        return "must be one of " + ", ".join(map(repr, choices))
    if isinstance(exc, (ValueError, TypeError)):
        text = _message(exc)
        if name is not None:
            for candidate in (name, name.lstrip("_")):
                if text.startswith(f"'{candidate}' "):
                    return text[len(candidate) + 3 :]
        return text
    return cattrs.v.format_exception(exc, type_)


def _index(index: object) -> str:
    """``[0]`` for an array index, ``["org.example.ip"]`` for an object key."""
    return f"[{json.dumps(index)}]" if isinstance(index, str) else f"[{index!r}]"


def error_lines(exc: BaseException, path: str) -> list[str]:
    """Like ``cattrs.transform_error``, but paths spell the JSON the user typed:
    ``config.json.hooks.createRuntime[0].timeout: must be > 0``;
    ``state.annotations["org.example.ip"]: expected a string, got int 5``."""
    lines: list[str] = []
    if isinstance(exc, ClassValidationError):
        attr_notes, others = exc.group_exceptions()
        for sub, note in attr_notes:
            lines += _sub_lines(sub, f"{path}.{json_key(note.name)}", note.type, note.name)
    elif isinstance(exc, IterableValidationError):
        item_notes, others = exc.group_exceptions()
        for sub, inote in item_notes:
            lines += _sub_lines(sub, f"{path}{_index(inote.index)}", inote.type, None)
    else:
        return [f"{path}: {_describe(exc, None, None)}"]
    for other in others:
        blamed = _blame(other, exc.cl) if isinstance(exc, ClassValidationError) else None
        if blamed is None:
            lines += _sub_lines(other, path, None, None)
        else:  # a cross-field validator or __attrs_post_init__ naming its field
            lines += _sub_lines(other, f"{path}.{json_key(blamed.name)}", blamed.type, blamed.name)
    return lines


def _sub_lines(exc: BaseException, path: str, type_: Any, name: str | None) -> list[str]:
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        return error_lines(exc, path)
    return [f"{path}: {_describe(exc, type_, name)}"]
