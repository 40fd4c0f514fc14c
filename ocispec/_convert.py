"""The only module that knows JSON spelling and how strict to be.

Models (``ocispec.state``, ``ocispec.config``, ``ocispec.runj``) are plain frozen attrs
classes with snake_case attributes. This module turns JSON-shaped data into them and
back (cattrs ``docs/validation.md`` and ``docs/customizing.md``: one converter at the edge,
models free of serialization rules):

* keys are camelCase (:func:`json_key`: ``oci_version`` <-> ``ociVersion``);
* nothing is coerced: ``str``, ``int``, ``float`` and ``bool`` must arrive as exactly
  that JSON type (a bool is never an int, ``1`` is never ``"1"``); sequences and sets
  must be JSON arrays (a string is never split into characters); mappings and attrs
  classes must be JSON objects;
* every attrs validator of a class runs, not just the first that fails, and its
  message is kept (``'timeout' must be > 0`` becomes ``...timeout: must be > 0``);
* errors become lines that name the JSON path the user typed
  (``config.json.hooks.createRuntime[0].timeout: must be > 0``), raised as
  :class:`InvalidDocument`; cattrs exceptions never escape :func:`structure`;
* unstructuring omits attributes equal to their default, and produces only dicts,
  lists and scalars.

Two converters share these rules and differ only in unknown keys:

* :data:`RUNTIME` ignores them: documents written by runtimes and users
  (state JSON, ``config.json``, ``runj.ext.json``), which may carry anything;
* :data:`OURS` rejects them (``...: unknown field(s): foo``): jailnet's own files,
  where an unknown key is a typo.

Any attrs class works with both converters without registration (the hooks are
factories keyed on ``attrs.has``), so code elsewhere in jailnet can call
``ocispec.structure(data, MyClass, where=..., strict=True)`` for its own models.
"""

import json
from collections.abc import Callable, Mapping, MutableSet
from typing import Any, NoReturn, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import (
    is_any_set,
    is_mapping,
    is_mutable_sequence,
    is_sequence,
    iterable_unstructure_factory,
)
from cattrs.errors import (
    BaseValidationError,
    IterableValidationError,
    IterableValidationNote,
    StructureHandlerNotFoundError,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ocispec._errors import InvalidDocument, error_lines, shown
from ocispec._names import json_key

T = TypeVar("T")

__all__ = [
    "ours",
    "RUNTIME",
    "InvalidDocument",
    "error_lines",
    "json_key",
    "make_converter",
    "parse_json",
    "structure",
    "unstructure",
]


# --- JSON spelling ---------------------------------------------------------------

def _renames(cls: type) -> dict[str, Any]:
    return {a.name: override(rename=json_key(a.name)) for a in attrs.fields(cls)}


# --- strict structuring hooks ------------------------------------------------------


def _exact(accept: tuple[type, ...], what: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        if isinstance(value, bool) and bool not in accept:
            raise TypeError(f"expected {what}, got {shown(value)}")
        if not isinstance(value, accept):
            raise TypeError(f"expected {what}, got {shown(value)}")
        return value

    return hook


def _arrays_only(type_: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Sequences and sets: a JSON array, element by element (errors per index)."""
    args = get_args(type_)
    elem: Any = args[0] if args else Any
    origin = get_origin(type_) or type_
    make: Callable[[list[Any]], Any]
    if is_any_set(type_):
        make = set if origin in (set, MutableSet) else frozenset
    elif is_mutable_sequence(type_):
        make = list
    else:  # tuple[X, ...], Sequence[X]: immutable, like the models
        make = tuple
    elem_hook = None if elem is Any else conv.get_structure_hook(elem)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected an array, got {shown(value)}")
        if elem_hook is None:
            return make(list(value))
        out: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                out.append(elem_hook(item, elem))
            except Exception as exc:  # collected, reported per index
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring {type_} @ index {index}", index, elem),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return make(out)

    return hook


def _objects_only(type_: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Mappings: a JSON object with string keys; values checked one by one."""
    args = get_args(type_)
    key_type: Any = args[0] if len(args) == 2 else Any
    val_type: Any = args[1] if len(args) == 2 else Any
    key_hook = None if key_type is Any else conv.get_structure_hook(key_type)
    val_hook = None if val_type is Any else conv.get_structure_hook(val_type)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a JSON object, got {shown(value)}")
        out: dict[Any, Any] = {}
        errors: list[Exception] = []
        for key, item in value.items():
            try:
                k = key if key_hook is None else key_hook(key, key_type)
                out[k] = item if val_hook is None else val_hook(item, val_type)
            except Exception as exc:  # collected, reported per key
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring mapping value @ key {key!r}", key, val_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return out

    return hook


def _validated(conv: cattrs.Converter, a: "attrs.Attribute[Any]") -> Callable[[Any, Any], Any]:
    """Structure one attribute, then run its attrs validator right away.

    cattrs only validates in ``cls(**kwargs)``, after every field structured, and
    attrs stops at the first failing validator (attrs ``docs/init.md``, "Validators").
    Running each validator inside the field's own hook reports every failing field
    with its path. Validators that need the instance (cross-field checks) cannot run
    here (there is none yet); they run, as usual, when the class is built.
    """
    validator = a.validator
    if validator is None:
        raise ValueError(f"{a.name} has no validator")
    hook: Callable[[Any, Any], Any] | None = None

    def structure_and_validate(value: Any, type_: Any) -> Any:
        nonlocal hook
        if hook is None:  # looked up lazily: the class graph may be recursive
            hook = conv.get_structure_hook(type_)
        result = hook(value, type_)
        try:
            validator(None, a, result)
        except (ValueError, TypeError):
            raise
        except Exception:  # needs the instance: __init__ reruns it
            pass
        return result

    return structure_and_validate


def _attrs_structure(cls: type, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """attrs classes: a JSON object with camelCase keys; all field validators run."""
    attrs.resolve_types(cls)
    overrides: dict[str, Any] = {}
    for a in attrs.fields(cls):
        early = a.init and a.validator is not None and a.converter is None and a.type is not None
        overrides[a.name] = override(
            rename=json_key(a.name), struct_hook=_validated(conv, a) if early else None
        )
    build: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, conv, **overrides)

    def hook(value: Any, type_: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a JSON object, got {shown(value)}")
        return build(value, type_)

    return hook


def make_converter(*, forbid_extra_keys: bool) -> cattrs.Converter:
    """A converter with jailnet's JSON rules; ``forbid_extra_keys`` is the only knob."""
    c = cattrs.Converter(forbid_extra_keys=forbid_extra_keys, detailed_validation=True)
    c.register_structure_hook(str, _exact((str,), "a string"))
    c.register_structure_hook(int, _exact((int,), "an integer"))
    c.register_structure_hook(float, _exact((int, float), "a number"))
    c.register_structure_hook(bool, _exact((bool,), "true or false"))
    c.register_structure_hook_factory(lambda t: is_sequence(t) or is_any_set(t), _arrays_only)
    c.register_structure_hook_factory(is_mapping, _objects_only)
    c.register_structure_hook_factory(attrs.has, _attrs_structure)

    c.register_unstructure_hook_factory(
        lambda t: is_sequence(t) or is_any_set(t),
        lambda t, conv: iterable_unstructure_factory(t, conv, unstructure_to=list),
    )
    c.register_unstructure_hook_factory(
        attrs.has,
        lambda cls, conv: make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **_renames(cls)),
    )
    return c


RUNTIME: cattrs.Converter = make_converter(forbid_extra_keys=False)
"""For documents written by runtimes and users (state, config.json, runj.ext.json):
unknown keys are ignored, as the spec ("MAY include additional properties") and runj
do."""

_ours: cattrs.Converter | None = None


def ours() -> cattrs.Converter:
    """The converter for jailnet's own files: an unknown key is an error (``unknown field(s): foo``).
    Built on first use, as ``OURS``: a create writes its record but reads none, and a converter
    costs some 1.5 ms to build on a hook's start path (docs/performance.md)."""
    global _ours
    if _ours is None:
        _ours = make_converter(forbid_extra_keys=True)
    return _ours


def __getattr__(name: str) -> Any:
    """``OURS``, built on first use (module ``__getattr__``, PEP 562)."""
    if name == "OURS":
        return ours()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the API the package re-exports ------------------------------------------------


def parse_json(raw: bytes | bytearray | memoryview | str, where: str) -> object:
    """Decode UTF-8 (for bytes) and parse strict JSON (no NaN/Infinity)."""
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidDocument([f"{where}: not UTF-8 text"]) from None

    def no_constants(name: str) -> NoReturn:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=no_constants)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise InvalidDocument([f"{where}: not valid JSON ({exc})"]) from None
    except RecursionError:
        raise InvalidDocument([f"{where}: not valid JSON (nested too deeply)"]) from None


def structure(data: object, cls: type[T], *, where: str, strict: bool = False) -> T:
    """Build ``cls`` from already-parsed JSON data, or raise :class:`InvalidDocument`.

    ``strict=False`` uses :data:`RUNTIME` (unknown keys ignored), ``strict=True``
    :data:`OURS` (unknown keys are errors). ``where`` prefixes every error line.
    """
    converter = ours() if strict else RUNTIME
    try:
        result: T = converter.structure(data, cls)
    except StructureHandlerNotFoundError:
        raise  # a programming error (unsupported type), not a bad document
    except (BaseValidationError, cattrs.errors.CattrsError, TypeError, ValueError, KeyError) as exc:
        raise InvalidDocument(error_lines(exc, where)) from None
    return result


def unstructure(obj: object) -> Any:
    """Turn a model into JSON-ready data (dicts, lists, scalars), omitting defaults. The two
    converters differ only in what they read, so :data:`RUNTIME` writes for both."""
    return RUNTIME.unstructure(obj)
