"""The base of the frozen attrs values a hook loads: ``==``, ``hash()`` and ``repr()`` over the
attrs fields, computed when called instead of generated per class at import.

attrs writes each class's ``__eq__``, ``__hash__`` and ``__repr__`` as Python source and compiles
it when the class is defined (attr/_make.py ``_ClassBuilder``): about half a millisecond per
class, and a hook defines some twenty classes on every container's start (docs/performance.md).
A class declared ``@attrs.frozen(eq=False, repr=False)`` that derives from :class:`Value` gets
only its ``__init__`` compiled, and these three methods, which give what attrs' would:

* ``a == b``: same class, and each field with ``eq=True`` equal in turn, ``a.x == b.x and ...``
  (attr/_make.py ``_make_eq_script()``: a field equal only by identity, such as one NaN, is not);
  another class is ``NotImplemented``;
* ``hash(a)``: of the class and the fields attrs hashes (``hash=True``, or ``hash=None`` with
  ``eq=True``), so equal values hash alike;
* ``repr(a)``: ``Name(field=repr(value), ...)`` over the fields with ``repr=True``, the name as
  attrs writes it (the ``__qualname__`` after any ``<locals>.``).

tests/ocispec/test_value.py checks each against an attrs-generated twin.
"""

from typing import Any, cast

import attrs


def _fields(value: object) -> "tuple[attrs.Attribute[Any], ...]":
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
    return fields


def _same(value: Any) -> Any:
    return value


class Value:
    """Mix into a ``@attrs.frozen(eq=False, repr=False)`` class (see the module docstring)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        equal: Any = True
        for a in _fields(self):
            if a.eq:
                key = getattr(a, "eq_key", None) or _same  # Attribute.eq_key: not in attrs' stubs
                equal = key(getattr(self, a.name)) == key(getattr(other, a.name))
                if not equal:
                    return equal  # type: ignore[no-any-return]
        return equal  # type: ignore[no-any-return]

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        hashed = (getattr(self, a.name) for a in _fields(self) if a.hash or (a.hash is None and a.eq))
        return hash((type(self), *hashed))

    def __repr__(self) -> str:
        name = type(self).__qualname__.rsplit(">.", 1)[-1]
        shown = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in _fields(self) if a.repr)
        return f"{name}({shown})"
