"""The public API around the models: InvalidDocument, structure/unstructure for other
attrs classes (later jailnet code), strictness rules, and a cheap import."""

import pickle
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest

import ocispec
from ocispec import InvalidDocument, Spec
from ocispec._convert import json_key

ROOT = Path(__file__).resolve().parents[2]


def _lines(data: object, cls: type, *, strict: bool = True) -> tuple[str, ...]:
    with pytest.raises(InvalidDocument) as info:
        ocispec.structure(data, cls, where="net.json", strict=strict)
    return info.value.lines


# A model like the ones later jailnet code will define and read with strict=True.
@attrs.frozen(kw_only=True)
class Network:
    bridge: str = attrs.field(validator=attrs.validators.matches_re(r"bridge[0-9]+"))
    mtu: int = attrs.field(default=1500, validator=attrs.validators.ge(576))
    gateway_v4: str | None = None
    dns_servers: Sequence[str] = ()
    tags: frozenset[str] = frozenset()
    weights: Mapping[str, float] = attrs.field(factory=dict, hash=False)
    first_port: int = 0
    last_port: int = 0

    def __attrs_post_init__(self) -> None:
        if self.last_port < self.first_port:
            raise ValueError("'last_port' must be >= first_port")


def test_other_attrs_classes_need_no_registration() -> None:
    data = {
        "bridge": "bridge0",
        "gatewayV4": "172.17.0.1",
        "dnsServers": ["1.1.1.1"],
        "tags": ["a", "b"],
        "weights": {"x": 1, "y": 0.5},
    }
    net = ocispec.structure(data, Network, where="net.json", strict=True)
    assert net == Network(
        bridge="bridge0",
        gateway_v4="172.17.0.1",
        dns_servers=("1.1.1.1",),
        tags=frozenset({"a", "b"}),
        weights={"x": 1, "y": 0.5},
    )
    assert isinstance(net.dns_servers, tuple)  # Sequence -> tuple, like the models
    out = ocispec.unstructure(net)
    assert out["dnsServers"] == ["1.1.1.1"]
    assert sorted(out["tags"]) == ["a", "b"]
    assert "mtu" not in out  # default omitted
    assert ocispec.structure(out, Network, where="net.json", strict=True) == net


def test_attrs_builtin_validator_messages_come_through() -> None:
    assert _lines({"bridge": "br0", "mtu": 100}, Network) == (
        "net.json.bridge: must match regex 'bridge[0-9]+' ('br0' doesn't)",
        "net.json.mtu: must be >= 576: 100",
    )


def test_cross_field_errors_are_routed_to_the_field_they_name() -> None:
    assert _lines({"bridge": "bridge0", "firstPort": 10, "lastPort": 5}, Network) == (
        "net.json.lastPort: must be >= first_port",
    )


def test_strictness_of_other_types() -> None:
    assert _lines(
        {"bridge": "bridge0", "tags": "ab", "weights": {"x": "1", "y": True}, "dnsServers": {"a": 1}, "gw": 1},
        Network,
    ) == (
        "net.json.dnsServers: expected an array, got object",
        "net.json.tags: expected an array, got str 'ab'",
        """net.json.weights["x"]: expected a number, got str '1'""",
        """net.json.weights["y"]: expected a number, got bool True""",
        "net.json: unknown field(s): gw",
    )


def test_structure_top_level_types() -> None:
    assert _lines(["bridge0"], Network) == ("net.json: expected a JSON object, got array",)
    assert _lines("x", tuple[str, ...]) == ("net.json: expected an array, got str 'x'",)
    assert _lines([1, "a", None], tuple[str, ...]) == (
        "net.json[0]: expected a string, got int 1",
        "net.json[2]: expected a string, got null",
    )
    assert ocispec.structure(["a"], tuple[str, ...], where="w") == ("a",)


def test_invalid_document() -> None:
    exc = InvalidDocument(["a: x", "b: y"])
    assert isinstance(exc, ValueError)
    assert exc.lines == ("a: x", "b: y")
    assert str(exc) == "a: x\nb: y"
    again = pickle.loads(pickle.dumps(exc))
    assert again.lines == exc.lines


def test_no_cattrs_exception_escapes() -> None:
    with pytest.raises(InvalidDocument) as info:
        ocispec.load_config('{"ociVersion": "1", "hooks": {"poststop": [{"path": 3}]}}')
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ('{"ociVersion": NaN}', "config.json: not valid JSON (NaN is not valid JSON)"),
        ('{"ociVersion": Infinity}', "config.json: not valid JSON (Infinity is not valid JSON)"),
        ("[" * 100_000, "config.json: not valid JSON (nested too deeply)"),
        (
            '\ufeff{"ociVersion": "1"}'.encode(),
            "config.json: not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0))",
        ),
        (b"{\"ociVersion\": \"\xe9\"}", "config.json: not UTF-8 text"),
        ("{} {}", "config.json: not valid JSON (Extra data: line 1 column 4 (char 3))"),
    ],
)
def test_parse_errors(raw: str | bytes, line: str) -> None:
    with pytest.raises(InvalidDocument) as info:
        ocispec.load_config(raw)
    assert info.value.lines == (line,)


def test_where_names_the_document() -> None:
    with pytest.raises(InvalidDocument) as info:
        ocispec.load_config(b"{}", where="/bundle/config.json")
    assert info.value.lines == ("/bundle/config.json.ociVersion: required field missing",)


def test_dump_needs_a_model() -> None:
    with pytest.raises(TypeError, match="dump\\(\\) takes an attrs model"):
        ocispec.dump(["not", "a", "model"])


@pytest.mark.parametrize(
    ("attr", "key"),
    [
        ("oci_version", "ociVersion"),
        ("create_runtime", "createRuntime"),
        ("vnet_interfaces", "vnetInterfaces"),
        ("ip4_addr", "ip4Addr"),
        ("enforce_statfs", "enforceStatfs"),
        ("set_hostname", "setHostname"),
        ("socket_af", "socketAf"),
        ("reserved_ports", "reservedPorts"),
        ("readonly", "readonly"),
        ("container_id", "containerID"),
        ("_private", "private"),
    ],
)
def test_json_key(attr: str, key: str) -> None:
    assert json_key(attr) == key


def test_every_model_field_spells_the_spec_key() -> None:
    keys = {json_key(a.name) for cls in (ocispec.Jail, ocispec.Allow, ocispec.Hooks) for a in attrs.fields(cls)}
    assert keys == {
        # freebsd.jail (config-freebsd.md)
        "parent", "host", "ip4", "ip4Addr", "ip6", "ip6Addr", "vnet", "interface", "vnetInterfaces",
        "sysvmsg", "sysvsem", "sysvshm", "enforceStatfs", "allow",
        # freebsd.jail.allow
        "setHostname", "rawSockets", "chflags", "mount", "quotas", "socketAf", "mlock", "reservedPorts", "suser",
        # hooks (config.md)
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    }  # fmt: skip


def test_models_are_frozen() -> None:
    spec = Spec(oci_version="1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.hostname = "x"  # type: ignore[misc]


def test_import_is_cheap() -> None:
    code = (
        "import sys, ocispec; "
        "heavy = [m for m in ('hypothesis', 'pytest', 'ocispec.tests') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
