"""config.json and runj.ext.json: real-world documents parse; malformed ones give exact
error lines naming the JSON path."""

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

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
    load_config,
    load_runj_extension,
)

# --- fixtures that must parse ---------------------------------------------------------


def test_runj_v010_config_with_freebsd_network(fixture_bytes: Callable[[str], bytes]) -> None:
    spec = load_config(fixture_bytes("config-runj-0.1.0-network.json"))
    assert spec == Spec(
        oci_version="1.0.2-runj-dev",
        root=Root(path="root"),
        hostname="web1",
        annotations={"jailnet.ip": "172.17.0.5", "jailnet.ports": "8080:80/tcp"},
        hooks=Hooks(
            create_runtime=(
                Hook(
                    path="/usr/local/bin/jailnet",
                    args=("jailnet", "up", "--bridge", "bridge0"),
                    env=("PATH=/sbin:/bin:/usr/sbin:/usr/bin",),
                    timeout=30,
                ),
            ),
            poststop=(Hook(path="/usr/local/bin/jailnet", args=("jailnet", "down")),),
        ),
        freebsd=FreeBSD(
            network=RunjNetwork(
                ipv4=RunjIPv4(mode="new", addr=("127.0.0.2",)),
                vnet=RunjVnet(mode="new", interfaces=("epair0b",)),
            )
        ),
    )


def test_runtime_spec_130_config_with_every_jail_field(fixture_bytes: Callable[[str], bytes]) -> None:
    spec = load_config(fixture_bytes("config-spec-1.3.0-freebsd-jail.json"))
    assert spec.oci_version == "1.3.0"
    assert spec.root == Root(path="rootfs", readonly=True)
    assert spec.hostname == "slartibartfast"
    assert spec.annotations == {}
    assert spec.hooks == Hooks(
        prestart=(Hook(path="/usr/local/libexec/prestart", args=("prestart",)),),
        create_runtime=(Hook(path="/usr/local/bin/jailnet", args=("jailnet", "up"), timeout=10),),
        create_container=(Hook(path="/usr/local/libexec/cc"),),
        start_container=(Hook(path="/bin/true", args=("true",)),),
        poststart=(Hook(path="/usr/bin/logger", args=("logger", "started"), env=("A=b",)),),
        poststop=(Hook(path="/usr/local/bin/jailnet", args=("jailnet", "down")),),
    )
    assert spec.freebsd == FreeBSD(
        jail=Jail(
            parent="pod1",
            host="new",
            ip4="new",
            ip4_addr=("127.0.0.2",),
            ip6="disable",
            ip6_addr=("::1",),
            vnet="new",
            interface="lo1",
            vnet_interfaces=("epair0b", "epair1b"),
            sysvmsg="new",
            sysvsem="inherit",
            sysvshm="disable",
            enforce_statfs=1,
            allow=Allow(
                set_hostname=True,
                raw_sockets=True,
                chflags=False,
                mount=("tmpfs", "nullfs"),
                quotas=False,
                socket_af=True,
                mlock=True,
                reserved_ports=False,
                suser=True,
            ),
        )
    )


def test_runj_docs_jail_example_ip4_new_is_accepted(fixture_bytes: Callable[[str], bytes]) -> None:
    # runj docs/oci.md uses "ip4": "new". config-freebsd.md's prose only describes
    # inherit/disable, but schema SharingMode (and Go FreeBSDSharing) allows "new".
    spec = load_config(fixture_bytes("config-runj-docs-freebsd-jail.json"))
    assert spec.freebsd is not None
    assert spec.freebsd.jail == Jail(
        host="new",
        ip4="new",
        ip4_addr=("127.0.0.2",),
        ip6="new",
        ip6_addr=("::1",),
        vnet="new",
        vnet_interfaces=("epair0b",),
        enforce_statfs=1,
    )


def test_runc_spec_linux_config_unknown_sections_ignored(fixture_bytes: Callable[[str], bytes]) -> None:
    spec = load_config(fixture_bytes("config-runc-spec-linux.json"))
    assert spec == Spec(oci_version="1.0.2-dev", root=Root(path="rootfs", readonly=True), hostname="runc")
    assert ocispec.dump(spec) == {
        "ociVersion": "1.0.2-dev",
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "runc",
    }


def test_runj_ext_vnet(fixture_bytes: Callable[[str], bytes]) -> None:
    ext = load_runj_extension(fixture_bytes("runj-ext-vnet.json"))
    assert ext == RunjExtension(network=RunjNetwork(vnet=RunjVnet(mode="new")))
    assert ocispec.dump(ext) == {"network": {"vnet": {"mode": "new"}}}


def test_runj_ext_full_ignores_unknown_keys(fixture_bytes: Callable[[str], bytes]) -> None:
    ext = load_runj_extension(fixture_bytes("runj-ext-full.json"))
    assert ext == RunjExtension(
        network=RunjNetwork(
            ipv4=RunjIPv4(mode="inherit", addr=("10.0.0.2", "10.0.0.3")),
            vnet=RunjVnet(mode="new", interfaces=("epair0b",)),
        )
    )


def test_runj_ext_strict_rejects_unknown_keys(fixture_bytes: Callable[[str], bytes]) -> None:
    data = json.loads(fixture_bytes("runj-ext-full.json"))
    with pytest.raises(InvalidDocument) as info:
        ocispec.structure(data, RunjExtension, where="runj.ext.json", strict=True)
    assert info.value.lines == ("runj.ext.json: unknown field(s): comment",)


def test_minimal_config() -> None:
    assert load_config('{"ociVersion": "1.3.0"}') == Spec(oci_version="1.3.0")


def test_nulls_for_optional_objects_mean_absent() -> None:
    spec = load_config('{"ociVersion": "1", "hostname": null, "hooks": null, "freebsd": {"jail": null}}')
    assert spec == Spec(oci_version="1", freebsd=FreeBSD())


# --- golden error lines ---------------------------------------------------------------

BASE: dict[str, Any] = {
    "ociVersion": "1.3.0",
    "root": {"path": "rootfs"},
    "hooks": {
        "createRuntime": [{"path": "/usr/local/bin/jailnet", "args": ["jailnet", "up"], "timeout": 5}],
        "poststop": [{"path": "/usr/local/bin/jailnet", "args": ["jailnet", "down"]}],
    },
    "freebsd": {"jail": {"vnet": "new", "vnetInterfaces": ["epair0b"], "enforceStatfs": 2}},
}


def _edit(*edits: tuple[str, Any]) -> str:
    """BASE with ``("a.b[0].c", value)`` edits applied; value ``...`` deletes the key."""
    doc = copy.deepcopy(BASE)
    for path, value in edits:
        node: Any = doc
        parts = path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = parts[-1]
        if value is ...:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return json.dumps(doc)


CASES = [
    (_edit(("ociVersion", ...)), ["config.json.ociVersion: required field missing"], "missing-ociVersion"),
    (_edit(("ociVersion", 1)), ["config.json.ociVersion: expected a string, got int 1"], "ociVersion-int"),
    (_edit(("hostname", 7)), ["config.json.hostname: expected a string, got int 7"], "hostname-int"),
    (_edit(("root.path", ...)), ["config.json.root.path: required field missing"], "root-path-missing"),
    (
        _edit(("root.readonly", "yes")),
        ["config.json.root.readonly: expected true or false, got str 'yes'"],
        "readonly-str",
    ),
    (_edit(("root.readonly", 1)), ["config.json.root.readonly: expected true or false, got int 1"], "readonly-int"),
    (
        _edit(("annotations", {"a": 1})),
        ['config.json.annotations["a"]: expected a string, got int 1'],
        "annotation-int",
    ),
    (_edit(("annotations", ["a"])), ["config.json.annotations: expected a JSON object, got array"], "annotations-list"),
    (
        _edit(("hooks.createRuntime[0].args", "jailnet up")),
        ["config.json.hooks.createRuntime[0].args: expected an array, got str 'jailnet up'"],
        "args-string",
    ),
    (
        _edit(("hooks.createRuntime[0].args", ["jailnet", 1])),
        ["config.json.hooks.createRuntime[0].args[1]: expected a string, got int 1"],
        "args-element-int",
    ),
    (
        _edit(("hooks.createRuntime[0].env", "PATH=/bin")),
        ["config.json.hooks.createRuntime[0].env: expected an array, got str 'PATH=/bin'"],
        "env-string",
    ),
    (
        _edit(("hooks.createRuntime[0].timeout", 0)),
        ["config.json.hooks.createRuntime[0].timeout: must be > 0"],
        "timeout-0",
    ),
    (
        _edit(("hooks.createRuntime[0].timeout", -3)),
        ["config.json.hooks.createRuntime[0].timeout: must be > 0"],
        "timeout-negative",
    ),
    (
        _edit(("hooks.createRuntime[0].timeout", True)),
        ["config.json.hooks.createRuntime[0].timeout: expected an integer, got bool True"],
        "timeout-true",
    ),
    (
        _edit(("hooks.createRuntime[0].timeout", "5")),
        ["config.json.hooks.createRuntime[0].timeout: expected an integer, got str '5'"],
        "timeout-string",
    ),
    (
        _edit(("hooks.poststop[0].path", "jailnet")),
        ["config.json.hooks.poststop[0].path: must be an absolute path"],
        "relative-hook-path",
    ),
    (
        _edit(("hooks.poststop[0].path", "")),
        ["config.json.hooks.poststop[0].path: must be an absolute path"],
        "empty-hook-path",
    ),
    (
        _edit(("hooks.poststop[0].path", ...)),
        ["config.json.hooks.poststop[0].path: required field missing"],
        "missing-hook-path",
    ),
    (
        _edit(("hooks.poststop", {"path": "/x"})),
        ["config.json.hooks.poststop: expected an array, got object"],
        "hooks-kind-object",
    ),
    (
        _edit(("hooks.poststop", ["/usr/local/bin/jailnet"])),
        ["config.json.hooks.poststop[0]: expected a JSON object, got str '/usr/local/bin/jailnet'"],
        "hook-entry-string",
    ),
    (_edit(("hooks", [])), ["config.json.hooks: expected a JSON object, got array"], "hooks-array"),
    (
        _edit(("freebsd.jail.vnet", "disable")),
        ["config.json.freebsd.jail.vnet: must be one of 'new', 'inherit'"],
        "vnet-disable",
    ),
    (
        _edit(("freebsd.jail.host", "disable")),
        ["config.json.freebsd.jail.host: must be one of 'new', 'inherit'"],
        "host-disable",
    ),
    (
        _edit(("freebsd.jail.vnet", True)),
        ["config.json.freebsd.jail.vnet: must be one of 'new', 'inherit'"],
        "vnet-true",
    ),
    (
        _edit(("freebsd.jail.ip4", "shared")),
        ["config.json.freebsd.jail.ip4: must be one of 'new', 'inherit', 'disable'"],
        "ip4-bad",
    ),
    (
        _edit(("freebsd.jail.sysvshm", "NEW")),
        ["config.json.freebsd.jail.sysvshm: must be one of 'new', 'inherit', 'disable'"],
        "sysvshm-case",
    ),
    (
        _edit(("freebsd.jail.vnetInterfaces", "epair0b")),
        ["config.json.freebsd.jail.vnetInterfaces: expected an array, got str 'epair0b'"],
        "vnetInterfaces-string",
    ),
    (
        _edit(("freebsd.jail.ip4Addr", "10.0.0.2")),
        ["config.json.freebsd.jail.ip4Addr: expected an array, got str '10.0.0.2'"],
        "ip4Addr-string",
    ),
    (
        _edit(("freebsd.jail.enforceStatfs", "2")),
        ["config.json.freebsd.jail.enforceStatfs: expected an integer, got str '2'"],
        "enforceStatfs-string",
    ),
    (
        _edit(("freebsd.jail.enforceStatfs", 256)),
        ["config.json.freebsd.jail.enforceStatfs: must be between 0 and 255"],
        "enforceStatfs-range",
    ),
    (
        _edit(("freebsd.jail.allow", {"mount": "tmpfs", "rawSockets": "true"})),
        [
            "config.json.freebsd.jail.allow.rawSockets: expected true or false, got str 'true'",
            "config.json.freebsd.jail.allow.mount: expected an array, got str 'tmpfs'",
        ],
        "allow-types",
    ),
    (
        _edit(("freebsd.network", {"ipv4": {"mode": "shared", "addr": "1.2.3.4"}, "vnet": {"mode": "disable"}})),
        [
            "config.json.freebsd.network.ipv4.mode: must be one of 'new', 'inherit', 'disable'",
            "config.json.freebsd.network.ipv4.addr: expected an array, got str '1.2.3.4'",
            "config.json.freebsd.network.vnet.mode: must be one of 'new', 'inherit'",
        ],
        "runj-network",
    ),
    (
        _edit(
            ("hostname", 7),
            ("hooks.createRuntime[0].args", "jailnet up"),
            ("hooks.createRuntime[0].timeout", 0),
            ("hooks.poststop[0].path", "jailnet"),
            ("hooks.poststop[0].timeout", True),
            ("freebsd.jail.vnet", "disable"),
            ("freebsd.jail.vnetInterfaces", "epair0b"),
            ("freebsd.jail.enforceStatfs", "2"),
        ),
        [
            "config.json.hostname: expected a string, got int 7",
            "config.json.hooks.createRuntime[0].args: expected an array, got str 'jailnet up'",
            "config.json.hooks.createRuntime[0].timeout: must be > 0",
            "config.json.hooks.poststop[0].path: must be an absolute path",
            "config.json.hooks.poststop[0].timeout: expected an integer, got bool True",
            "config.json.freebsd.jail.vnet: must be one of 'new', 'inherit'",
            "config.json.freebsd.jail.vnetInterfaces: expected an array, got str 'epair0b'",
            "config.json.freebsd.jail.enforceStatfs: expected an integer, got str '2'",
        ],
        "several-errors",
    ),
    (
        _edit(
            ("hooks.createRuntime[0].timeout", 0),
            ("hooks.createRuntime[0].path", "rel"),
            ("hooks.poststop[0].path", "x"),
        ),
        [
            "config.json.hooks.createRuntime[0].path: must be an absolute path",
            "config.json.hooks.createRuntime[0].timeout: must be > 0",
            "config.json.hooks.poststop[0].path: must be an absolute path",
        ],
        "several-validator-errors",
    ),
    (
        "{",
        ["config.json: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"],
        "not-json",
    ),
    ("[1]", ["config.json: expected a JSON object, got array"], "not-object"),
]


@pytest.mark.parametrize(("raw", "expected"), [pytest.param(r, e, id=i) for r, e, i in CASES])
def test_config_error_lines(raw: str, expected: list[str]) -> None:
    with pytest.raises(InvalidDocument) as info:
        load_config(raw)
    assert info.value.lines == tuple(expected)


def test_base_document_is_valid() -> None:
    load_config(_edit())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            '{"network": {"vnet": {"mode": "disable"}}}',
            ["runj.ext.json.network.vnet.mode: must be one of 'new', 'inherit'"],
            id="vnet-disable",
        ),
        pytest.param(
            '{"network": {"vnet": {"interfaces": "epair0b"}}}',
            ["runj.ext.json.network.vnet.interfaces: expected an array, got str 'epair0b'"],
            id="interfaces-string",
        ),
        pytest.param(
            '{"network": ["vnet"]}',
            ["runj.ext.json.network: expected a JSON object, got array"],
            id="network-array",
        ),
        pytest.param(b"\xc3\x28", ["runj.ext.json: not UTF-8 text"], id="not-utf8"),
    ],
)
def test_runj_ext_error_lines(raw: str | bytes, expected: list[str]) -> None:
    with pytest.raises(InvalidDocument) as info:
        load_runj_extension(raw)
    assert info.value.lines == tuple(expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"ociVersion": "1", "process": {}},
            ["cfg: unknown field(s): process"],
            id="top-level",
        ),
        pytest.param(
            {"ociVersion": "1", "hooks": {"createRuntime": [{"path": "/x", "foo": 1, "bar": 2}]}},
            ["cfg.hooks.createRuntime[0]: unknown field(s): bar, foo"],
            id="nested",
        ),
        pytest.param(
            {"ociVersion": "1", "hooks": {"create_runtime": []}, "freebsd": {"jail": {"vnet_interfaces": []}}},
            [
                "cfg.hooks: unknown field(s): create_runtime",
                "cfg.freebsd.jail: unknown field(s): vnet_interfaces",
            ],
            id="snake-case-is-not-the-json-key",
        ),
        pytest.param(
            {"hostname": 1, "foo": 2},
            [
                "cfg.ociVersion: required field missing",
                "cfg.hostname: expected a string, got int 1",
                "cfg: unknown field(s): foo",
            ],
            id="with-other-errors",
        ),
    ],
)
def test_ours_rejects_unknown_keys(data: object, expected: list[str]) -> None:
    with pytest.raises(InvalidDocument) as info:
        ocispec.structure(data, Spec, where="cfg", strict=True)
    assert info.value.lines == tuple(expected)


def test_runtime_ignores_the_same_unknown_keys() -> None:
    data = {"ociVersion": "1", "process": {}, "hooks": {"createRuntime": [{"path": "/x", "foo": 1}]}}
    assert ocispec.structure(data, Spec, where="cfg") == Spec(
        oci_version="1", hooks=Hooks(create_runtime=(Hook(path="/x"),))
    )


def test_hook_validators_apply_to_direct_construction() -> None:
    with pytest.raises(ValueError, match="'timeout' must be > 0"):
        Hook(path="/x", timeout=0)
    with pytest.raises(ValueError, match="'path' must be an absolute path"):
        Hook(path="x")
    with pytest.raises(ValueError, match="'enforce_statfs' must be between 0 and 255"):
        Jail(enforce_statfs=-1)
