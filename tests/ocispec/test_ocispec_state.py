"""State JSON: real runtimes' documents parse; malformed ones give exact error lines."""

import json
from collections.abc import Callable

import pytest

import ocispec
from ocispec import KNOWN_STATUSES, InvalidDocument, State, load_state

RUNJ_ID = "8f9b2c0e4d6a1b3c5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4d5e"
LAB_ANNOTATIONS = {"org.example.jail.net": "vnet", "com.example.test": "yes"}

REAL_STATES = {
    # runj v0.1.0 createRuntime: status "creating", pid = runj-entrypoint's host pid.
    "state-runj-0.1.0-createRuntime.json": State(
        oci_version="1.0.2-runj-dev",
        id=RUNJ_ID,
        status="creating",
        pid=1234,
        bundle=f"/var/lib/containerd/io.containerd.runtime.v2.task/default/{RUNJ_ID}",
        annotations={"jailnet.ip": "172.17.0.5", "jailnet.ports": "8080:80/tcp"},
    ),
    # runj poststop: stale status and pid from the (already deleted) state dir.
    "state-runj-0.1.0-poststop-created.json": State(
        oci_version="1.0.2-runj-dev",
        id="web1",
        status="created",
        pid=1234,
        bundle="/home/user/bundles/web1",
        annotations={"jailnet.ip": "172.17.0.5"},
    ),
    "state-runj-0.1.0-poststop-running.json": State(
        oci_version="1.0.2-runj-dev", id="web1", status="running", pid=1234, bundle="/home/user/bundles/web1"
    ),
    # runc 1.1.5: no annotations key when the config has none; no pid key in poststop.
    "state-runc-1.1.5-createRuntime.json": State(
        oci_version="1.0.2-dev", id="L-runc", status="creating", pid=9950, bundle="/srv/lab/bundle"
    ),
    "state-runc-1.1.5-poststop.json": State(
        oci_version="1.0.2-dev", id="L-runc", status="stopped", bundle="/srv/lab/bundle"
    ),
    # crun 1.8.1: ociVersion "1.0", extra "root" key, "created" in createRuntime.
    "state-crun-1.8.1-createRuntime.json": State(
        oci_version="1.0",
        id="L-crun",
        status="created",
        pid=10174,
        bundle="/srv/lab/bundle",
        annotations=LAB_ANNOTATIONS,
    ),
    # crun 1.8.1 startContainer: non-standard "starting", pid 0, bundle "/".
    "state-crun-1.8.1-startContainer.json": State(
        oci_version="1.0", id="L-crun", status="starting", pid=0, bundle="/", annotations=LAB_ANNOTATIONS
    ),
    # ocijail: pid omitted when stopped; jid as a string annotation.
    "state-ocijail-poststop.json": State(
        oci_version="1.0.2",
        id="buildah-ctr-1",
        status="stopped",
        bundle="/var/db/containers/storage/zfs-containers/abc/userdata",
        annotations={"org.freebsd.jail.jid": "5"},
    ),
}


@pytest.mark.parametrize("name", sorted(REAL_STATES))
def test_real_runtime_states_parse(name: str, fixture_bytes: Callable[[str], bytes]) -> None:
    raw = fixture_bytes(name)
    assert not raw.endswith(b"\n"), "runtimes send no trailing newline"
    assert load_state(raw) == REAL_STATES[name]
    assert load_state(raw.decode()) == REAL_STATES[name]  # str input too


def test_runj_create_runtime_values(fixture_bytes: Callable[[str], bytes]) -> None:
    state = load_state(fixture_bytes("state-runj-0.1.0-createRuntime.json"))
    assert state.id == RUNJ_ID
    assert state.status == "creating"
    assert state.pid == 1234
    assert state.annotations["jailnet.ip"] == "172.17.0.5"


def test_absent_pid_and_annotations_have_defaults(fixture_bytes: Callable[[str], bytes]) -> None:
    state = load_state(fixture_bytes("state-runc-1.1.5-poststop.json"))
    assert state.pid is None
    assert state.annotations == {}


def test_pid_zero_is_not_absent(fixture_bytes: Callable[[str], bytes]) -> None:
    state = load_state(fixture_bytes("state-crun-1.8.1-startContainer.json"))
    assert state.pid == 0
    assert ocispec.dump(state)["pid"] == 0


def test_crun_extra_root_key_is_ignored(fixture_bytes: Callable[[str], bytes]) -> None:
    raw = json.loads(fixture_bytes("state-crun-1.8.1-createRuntime.json"))
    assert raw["root"] == "rootfs"
    assert "root" not in ocispec.dump(load_state(json.dumps(raw)))


def test_known_statuses() -> None:
    assert KNOWN_STATUSES == {"creating", "created", "running", "stopped"}
    assert load_state(
        '{"ociVersion":"1.0","id":"c","status":"starting","bundle":"/"}'
    ).status not in KNOWN_STATUSES


def test_state_is_frozen_and_hashable() -> None:
    state = REAL_STATES["state-crun-1.8.1-createRuntime.json"]
    with pytest.raises(AttributeError):
        state.id = "other"  # type: ignore[misc]
    assert hash(state) == hash(load_state(json.dumps(ocispec.dump(state))))


def test_dump_matches_runtime_shape(fixture_bytes: Callable[[str], bytes]) -> None:
    # Same keys and values as runj's own output (key order may differ: cattrs emits
    # fields that have defaults after the required ones).
    raw = fixture_bytes("state-runj-0.1.0-poststop-created.json")
    assert ocispec.dump(load_state(raw)) == json.loads(raw)
    # Defaults are omitted, never written as null/empty.
    assert ocispec.dump(REAL_STATES["state-runc-1.1.5-poststop.json"]) == json.loads(
        fixture_bytes("state-runc-1.1.5-poststop.json")
    )


GOOD = {"ociVersion": "1.0.2", "id": "c1", "status": "creating", "pid": 42, "bundle": "/b"}


def _with(**changes: object) -> str:
    doc: dict[str, object] = {**GOOD, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not _DROP})


_DROP = object()


def _lines(raw: str | bytes, **kwargs: str) -> tuple[str, ...]:
    with pytest.raises(InvalidDocument) as info:
        load_state(raw, **kwargs)
    return info.value.lines


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(_with(id=_DROP), ["state.id: required field missing"], id="missing-id"),
        pytest.param(_with(ociVersion=_DROP), ["state.ociVersion: required field missing"], id="missing-ociVersion"),
        pytest.param(_with(status=_DROP), ["state.status: required field missing"], id="missing-status"),
        pytest.param(_with(bundle=_DROP), ["state.bundle: required field missing"], id="missing-bundle"),
        pytest.param(_with(pid="12"), ["state.pid: expected an integer, got str '12'"], id="pid-string"),
        pytest.param(_with(pid=-1), ["state.pid: must be >= 0"], id="pid-negative"),
        pytest.param(_with(pid=True), ["state.pid: expected an integer, got bool True"], id="pid-true"),
        pytest.param(_with(pid=1.5), ["state.pid: expected an integer, got float 1.5"], id="pid-float"),
        pytest.param(_with(pid=None), [], id="pid-null-is-absent"),
        pytest.param(_with(status=3), ["state.status: expected a string, got int 3"], id="status-int"),
        pytest.param(_with(status=""), ["state.status: must not be empty"], id="status-empty"),
        pytest.param(_with(id=""), ["state.id: must not be empty"], id="id-empty"),
        pytest.param(_with(id=None), ["state.id: expected a string, got null"], id="id-null"),
        pytest.param(
            _with(annotations=["a=b"]),
            ["state.annotations: expected a JSON object, got array"],
            id="annotations-list",
        ),
        pytest.param(
            _with(annotations={"org.freebsd.jail.jid": 5, "ok": "yes"}),
            ['state.annotations["org.freebsd.jail.jid"]: expected a string, got int 5'],
            id="annotation-value-int",
        ),
        pytest.param(
            _with(annotations={"a": None, "b": ["x"], "c": {"d": "e"}}),
            [
                'state.annotations["a"]: expected a string, got null',
                'state.annotations["b"]: expected a string, got array',
                'state.annotations["c"]: expected a string, got object',
            ],
            id="annotation-values-not-strings",
        ),
        pytest.param("", ["state: not valid JSON (Expecting value: line 1 column 1 (char 0))"], id="empty"),
        pytest.param(
            '{"ociVersion": "1.0",',
            ["state: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 22 (char 21))"],
            id="truncated",
        ),
        pytest.param(_with(pid=float("nan")), ["state: not valid JSON (NaN is not valid JSON)"], id="nan"),
        pytest.param("[]", ["state: expected a JSON object, got array"], id="array"),
        pytest.param('"state"', ["state: expected a JSON object, got str 'state'"], id="string"),
        pytest.param("null", ["state: expected a JSON object, got null"], id="null"),
        pytest.param(b"\xff\xfe{}", ["state: not UTF-8 text"], id="not-utf8"),
        pytest.param(
            json.dumps({"id": 1, "status": 3, "pid": "12", "bundle": "/b", "annotations": {"a": 5}}),
            [
                "state.ociVersion: required field missing",
                "state.id: expected a string, got int 1",
                "state.status: expected a string, got int 3",
                "state.pid: expected an integer, got str '12'",
                'state.annotations["a"]: expected a string, got int 5',
            ],
            id="several-errors",
        ),
        pytest.param(
            _with(id="", status="", pid=-7),
            ["state.id: must not be empty", "state.status: must not be empty", "state.pid: must be >= 0"],
            id="several-validator-errors",
        ),
    ],
)
def test_error_lines(raw: str | bytes, expected: list[str]) -> None:
    if not expected:
        load_state(raw)
        return
    assert _lines(raw) == tuple(expected)


def test_where_prefixes_every_line() -> None:
    assert _lines(_with(pid="1", id=_DROP), where="stdin") == (
        "stdin.id: required field missing",
        "stdin.pid: expected an integer, got str '1'",
    )


def test_invalid_document_shape() -> None:
    with pytest.raises(InvalidDocument) as info:
        load_state(_with(pid=-1, status=7))
    exc = info.value
    assert isinstance(exc, ValueError)
    assert exc.lines == ("state.status: expected a string, got int 7", "state.pid: must be >= 0")
    assert str(exc) == "\n".join(exc.lines)
    assert exc.__cause__ is None and exc.__suppress_context__  # no cattrs traceback attached


def test_model_validators_apply_to_direct_construction() -> None:
    with pytest.raises(ValueError, match="'pid' must be >= 0"):
        State(oci_version="1", id="x", status="s", bundle="/", pid=-1)
    with pytest.raises(ValueError, match="'status' must not be empty"):
        State(oci_version="1", id="x", status="", bundle="/")
