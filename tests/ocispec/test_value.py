"""ocispec/value.py: ``==``, ``hash()`` and ``repr()`` of a :class:`Value` class are those attrs
generates for the same fields."""

import math
from collections.abc import Mapping
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from ocispec.value import Value


def _fields() -> dict[str, Any]:
    """One set of fields for both twins: a hash=False mapping, and a field out of eq and repr."""
    return {"name": attrs.field(type=str), "port": attrs.field(type=int | None, default=None),
            "words": attrs.field(type=tuple[str, ...], default=()), "ratio": attrs.field(type=float, default=0.0),
            "extra": attrs.field(type=Mapping[str, str], factory=dict, hash=False),
            "hidden": attrs.field(type=str, default="", eq=False, repr=False)}


FROZEN: dict[str, Any] = {"kw_only": True, "frozen": True, "slots": True}
Generated = attrs.make_class("Generated", _fields(), **FROZEN)
Computed = attrs.make_class("Computed", _fields(), bases=(Value,), eq=False, repr=False, **FROZEN)
Other = attrs.make_class("Other", _fields(), bases=(Value,), eq=False, repr=False, **FROZEN)


NAN = math.nan
FIELDS = st.fixed_dictionaries({
    "name": st.sampled_from(["a", "b", "web"]),
    "port": st.none() | st.integers(0, 3),
    "words": st.lists(st.sampled_from(["x", "y"]), max_size=2).map(tuple),
    "ratio": st.sampled_from([0.0, 1.5, NAN]),  # one NaN object: identical, and unequal to itself
    "extra": st.dictionaries(st.sampled_from(["k"]), st.sampled_from(["v", "w"]), max_size=1),
    "hidden": st.sampled_from(["", "h"]),
})


@given(FIELDS, FIELDS)
def test_equality_and_hash_are_what_attrs_generates(one: dict[str, object], two: dict[str, object]) -> None:
    assert (Computed(**one) == Computed(**two)) == (Generated(**one) == Generated(**two))
    assert (Computed(**one) != Computed(**two)) == (Generated(**one) != Generated(**two))
    if Computed(**one) == Computed(**two):
        assert hash(Computed(**one)) == hash(Computed(**two))


@given(FIELDS)
def test_repr_is_what_attrs_generates(fields: dict[str, object]) -> None:
    assert repr(Computed(**fields)) == repr(Generated(**fields)).replace("Generated(", "Computed(")


def test_another_class_with_the_same_fields_is_not_equal() -> None:
    assert Computed(name="a") != Other(name="a")
    assert Computed(name="a").__eq__("a") is NotImplemented


def test_a_value_is_still_frozen_and_slotted() -> None:
    value = Computed(name="a")
    try:
        value.name = "b"
    except attrs.exceptions.FrozenInstanceError:
        pass
    else:
        raise AssertionError("assignment to a frozen Value succeeded")
    assert not hasattr(value, "__dict__")


def test_hook_path_values_derive_from_value() -> None:
    """The values a hook defines get only __init__ generated (docs/performance.md)."""
    from hooks.observe import BridgeState, InterfaceInfo, JailInfo
    from hooks.plan import Attachment, Command, WriteResolvConf
    from hooks.request import Request
    from hooks.statedir import Record
    from hooks.system import Completed
    from ocispec.state import State

    for cls in (State, Record, Request, Command, WriteResolvConf, Attachment, JailInfo, BridgeState, InterfaceInfo,
                Completed):
        assert issubclass(cls, Value), cls
        assert "__eq__" not in vars(cls) and "__repr__" not in vars(cls), cls
