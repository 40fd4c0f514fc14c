"""Property tests: every model survives unstructure -> JSON -> structure, with both
converters; arbitrary JSON never escapes as anything but InvalidDocument."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ocispec
from ocispec import (
    Allow,
    FreeBSD,
    Hook,
    Hooks,
    InvalidDocument,
    Jail,
    Root,
    RunjExtension,
    RunjIPv4,
    RunjNetwork,
    RunjVnet,
    Spec,
    State,
)

# from_type can't see the custom attrs validators, so say what valid values look like.
st.register_type_strategy(
    Hook,
    st.builds(
        Hook,
        path=st.text().map(lambda s: "/" + s),
        args=st.lists(st.text(), max_size=4).map(tuple),
        env=st.lists(st.text(), max_size=4).map(tuple),
        timeout=st.none() | st.integers(min_value=1),
    ),
)
# Up to three hooks of each kind: the property holds per hook, and six unbounded lists of them
# made every example of Hooks (and Spec) slow to draw without finding more.
_HOOK_LISTS = st.lists(st.from_type(Hook), max_size=3).map(tuple)
st.register_type_strategy(
    Hooks,
    st.builds(Hooks, prestart=_HOOK_LISTS, create_runtime=_HOOK_LISTS, create_container=_HOOK_LISTS,
              start_container=_HOOK_LISTS, poststart=_HOOK_LISTS, poststop=_HOOK_LISTS),
)
st.register_type_strategy(
    State,
    st.builds(
        State,
        oci_version=st.text(),
        id=st.text(min_size=1),
        status=st.sampled_from(sorted(ocispec.KNOWN_STATUSES)) | st.text(min_size=1),
        pid=st.none() | st.integers(min_value=0),
        bundle=st.text(),
        annotations=st.dictionaries(st.text(), st.text(), max_size=4),
    ),
)
st.register_type_strategy(
    Jail,
    st.builds(Jail, enforce_statfs=st.none() | st.integers(min_value=0, max_value=255)),
)

MODELS = [State, Spec, Root, Hook, Hooks, FreeBSD, Jail, Allow, RunjExtension, RunjNetwork, RunjIPv4, RunjVnet]


def _wire(obj: object) -> Any:
    return json.loads(json.dumps(ocispec.unstructure(obj)))


@pytest.mark.parametrize("strict", [False, True], ids=["RUNTIME", "OURS"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_json_round_trip(model: type, strict: bool, data: st.DataObject) -> None:
    obj = data.draw(st.from_type(model))
    wire = _wire(obj)
    assert ocispec.structure(wire, model, where="x", strict=strict) == obj


@settings(max_examples=60, deadline=None)
@given(st.from_type(State))
def test_state_dump_load(state: State) -> None:
    assert ocispec.load_state(json.dumps(ocispec.dump(state)).encode()) == state


@settings(max_examples=60, deadline=None)
@given(st.from_type(Spec))
def test_spec_dump_load(spec: Spec) -> None:
    assert ocispec.load_config(json.dumps(ocispec.dump(spec))) == spec


@settings(max_examples=60, deadline=None)
@given(st.from_type(RunjExtension))
def test_runj_extension_dump_load(ext: RunjExtension) -> None:
    assert ocispec.load_runj_extension(json.dumps(ocispec.dump(ext))) == ext


def _no_nulls_or_empties(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v is not None and v != [] and _no_nulls_or_empties(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls_or_empties(v) for v in value)
    return True


@settings(max_examples=60, deadline=None)
@given(st.from_type(Spec))
def test_unstructure_omits_defaults_and_is_plain_json(spec: Spec) -> None:
    out = ocispec.dump(spec)
    assert _no_nulls_or_empties(out)
    assert out == ocispec.unstructure(spec)
    assert json.loads(json.dumps(out)) == out  # only dicts, lists and scalars


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


def _state_like() -> st.SearchStrategy[Any]:
    keys = ["ociVersion", "id", "status", "pid", "bundle", "annotations", "root"]
    return st.dictionaries(st.sampled_from(keys), JSON, max_size=7)


def _spec_like() -> st.SearchStrategy[Any]:
    hook = st.dictionaries(st.sampled_from(["path", "args", "env", "timeout"]), JSON | st.text().map(lambda s: "/" + s))
    hooks = st.dictionaries(
        st.sampled_from(["createRuntime", "poststop", "prestart"]),
        st.lists(hook, max_size=2) | JSON,
    )
    jail = st.dictionaries(
        st.sampled_from(["vnet", "host", "ip4", "vnetInterfaces", "enforceStatfs", "allow"]),
        JSON | st.sampled_from(["new", "inherit", "disable"]),
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "ociVersion": JSON | st.text(),
            "hooks": hooks | JSON,
            "freebsd": st.fixed_dictionaries({}, optional={"jail": jail | JSON, "network": JSON}) | JSON,
            "annotations": st.dictionaries(st.text(max_size=5), JSON | st.text()) | JSON,
            "root": JSON,
        },
    )


@pytest.mark.parametrize("strict", [False, True], ids=["RUNTIME", "OURS"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_arbitrary_json_gives_model_or_invalid_document(strict: bool, data: st.DataObject) -> None:
    for model, strategy in ((State, _state_like() | JSON), (Spec, _spec_like() | JSON)):
        doc = data.draw(strategy)
        try:
            ocispec.structure(doc, model, where="doc", strict=strict)
        except InvalidDocument as exc:
            assert exc.lines
            assert all(line.startswith("doc") and ": " in line for line in exc.lines)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_arbitrary_bytes_give_state_or_invalid_document(raw: bytes) -> None:
    try:
        ocispec.load_state(raw)
    except InvalidDocument as exc:
        assert len(exc.lines) >= 1
        assert exc.lines[0].startswith("state")
