"""Bad input: exit 2, one line naming the field and the problem, and not one command run.

Every case runs in process. The cases of :data:`THROUGH_THE_EXECUTABLE`, one or more for each
layer that validates (reading stdin, the state's fields, each kind of annotation, the command
line), run again through the real ``jailnet`` executable with the simulated host's tools on PATH
(the simulator's log must stay empty): that proves the entry point turns the same errors into
the same line and exit status, which running every case through it again would only repeat.
"""

import json
import subprocess
from pathlib import Path

import pytest

from hooks.testing import HookBed, SharedHost


def state(**fields: object) -> bytes:
    doc = {"ociVersion": "1.0.2", "id": "c1", "status": "creating", "bundle": "/b"}
    doc.update(fields)  # type: ignore[arg-type]
    return json.dumps(doc).encode()


def annotated(**annotations: str) -> bytes:
    return state(annotations=annotations)


def shown(line: str) -> str:
    """How the hook reports ``line``: after its kind, and after the container id too once the state
    has named it (the command line's own errors come from the parser, before any of that)."""
    if line.startswith("unrecognized"):
        return f"jailnet: {line}\n"
    return f"jailnet: createRuntime: {line}\n" if line.startswith("state") else f"jailnet: createRuntime c1: {line}\n"


IPV4 = "org.jailnet.ipv4"
CASES: list[tuple[str, bytes, tuple[str, ...], str]] = [
    ("malformed JSON", b"{not json", (),
     "state: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ("truncated JSON", b'{"ociVersion":"1.0.2","id":"x"', (),
     "state: not valid JSON (Expecting ',' delimiter: line 1 column 31 (char 30))"),
    ("empty stdin", b"", (), "state: not valid JSON (Expecting value: line 1 column 1 (char 0))"),
    ("not UTF-8", b'{"id":"\xff"}', (), "state: not UTF-8 text"),
    ("not an object", b"[]", (), "state: expected a JSON object, got array"),
    ("missing id", json.dumps({"ociVersion": "1", "status": "creating", "bundle": "/b"}).encode(), (),
     "state.id: required field missing"),
    ("id is a number", state(id=7), (), "state.id: expected a string, got int 7"),
    ("pid is a string", state(pid="12"), (), "state.pid: expected an integer, got str '12'"),
    ("annotations is a list", state(annotations=["a"]), (), "state.annotations: expected a JSON object, got array"),
    ("annotation value is a number", state(annotations={"a": 1}), (),
     'state.annotations["a"]: expected a string, got int 1'),
    ("id with a dot", state(id="a.b"), (),
     "state.id: 'a.b' cannot name a jail: jail names may not contain '.' (jail(8))"),
    ("id with a slash", state(id="a/b"), (),
     "state.id: 'a/b' cannot name a jail: '/' is not allowed (letters, digits, '_' and '-')"),
    ("id with a space", state(id="a b"), (),
     "state.id: 'a b' cannot name a jail: ' ' is not allowed (letters, digits, '_' and '-')"),
    ("id with NUL", state(id="a\x00b"), (), "state.id: must not contain NUL"),
    ("id starting with -", state(id="-x"), (), "state.id: '-x' must not start with '-'"),
    ("id of 300 characters", state(id="x" * 300), (), "state.id: longer than 255 characters (300)"),
    ("all-digit id", state(id="123"), (),
     "state.id: '123' cannot name a jail: an all-digit name is taken for a jid (jail(8))"),
    ("empty id", state(id=""), (), "state.id: must not be empty"),
    ("ipv4 not an address", annotated(**{IPV4: "not-an-ip"}), (),
     "annotation org.jailnet.ipv4: 'not-an-ip' is not an IPv4 address"),
    ("ipv4 outside the subnet", annotated(**{IPV4: "10.0.0.5"}), (),
     "annotation org.jailnet.ipv4: 10.0.0.5 is outside 172.17.0.0/16"),
    ("ipv4 is the network address", annotated(**{IPV4: "172.17.0.0"}), (),
     "annotation org.jailnet.ipv4: 172.17.0.0 is the network address of 172.17.0.0/16"),
    ("ipv4 is the broadcast address", annotated(**{IPV4: "172.17.255.255"}), (),
     "annotation org.jailnet.ipv4: 172.17.255.255 is the broadcast address of 172.17.0.0/16"),
    ("ipv4 is the gateway", annotated(**{IPV4: "172.17.0.1"}), (),
     "annotation org.jailnet.ipv4: 172.17.0.1 is the gateway of network default"),
    ("unknown network", annotated(**{"org.jailnet.network": "nope"}), (),
     "annotation org.jailnet.network: unknown network 'nope' (known: default)"),
    ("bad nameserver", annotated(**{"org.jailnet.nameservers": "bogus"}), (),
     "annotation org.jailnet.nameservers: 'bogus' is not an IP address"),
    ("four nameservers", annotated(**{"org.jailnet.nameservers": "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4"}), (),
     "annotation org.jailnet.nameservers: at most 3 nameservers are used (resolver(5) MAXNS), got 4"),
    ("bad search domain", annotated(**{"org.jailnet.search": "bad domain!"}), (),
     "annotation org.jailnet.search: 'bad domain!' is not a domain name"),
    ("dns other than none", annotated(**{"org.jailnet.dns": "maybe"}), (),
     "annotation org.jailnet.dns: 'maybe' is not understood (only 'none')"),
    ("ocijail jid not a number", annotated(**{"org.freebsd.jail.jid": "abc"}), (),
     "annotation org.freebsd.jail.jid: 'abc' is not a jid"),
    ("10 MB of input", state(annotations={"x": "a" * (10 << 20)}), (),
     f"state: {len(state(annotations={'x': 'a' * (10 << 20)}))} bytes, "
     "more than the 1048576 a container state may have"),
    ("a JSON string", b'"x"', (), "state: expected a JSON object, got str 'x'"),
    ("trailing garbage", b'{"a":1} x', (), "state: not valid JSON (Extra data: line 1 column 9 (char 8))"),
    ("nested too deeply", b"[" * 100000 + b"]" * 100000, (), "state: not valid JSON (nested too deeply)"),
    ("id is null", state(id=None), (), "state.id: expected a string, got null"),
    ("id with a newline", state(id="a\nb"), (),
     "state.id: 'a\\nb' cannot name a jail: '\\n' is not allowed (letters, digits, '_' and '-')"),
    ("id with a tab", state(id="a\tb"), (),
     "state.id: 'a\\tb' cannot name a jail: '\\t' is not allowed (letters, digits, '_' and '-')"),
    ("id not ASCII", state(id="ünï"), (),
     "state.id: 'ünï' cannot name a jail: 'ü' is not allowed (letters, digits, '_' and '-')"),
    ("id of 256 characters", state(id="x" * 256), (), "state.id: longer than 255 characters (256)"),
    ("status is a number", state(status=1), (), "state.status: expected a string, got int 1"),
    ("bundle missing", json.dumps({"ociVersion": "1", "id": "c1", "status": "creating"}).encode(), (),
     "state.bundle: required field missing"),
    ("bundle is a number", state(bundle=5), (), "state.bundle: expected a string, got int 5"),
    ("ociVersion missing", json.dumps({"id": "c1", "status": "creating", "bundle": "/b"}).encode(), (),
     "state.ociVersion: required field missing"),
    ("annotations is null", state(annotations=None), (), "state.annotations: expected a JSON object, got null"),
    ("ipv4 with a prefix length", annotated(**{IPV4: "172.17.0.5/16"}), (),
     "annotation org.jailnet.ipv4: '172.17.0.5/16' is not an IPv4 address"),
    ("ipv4 is IPv6", annotated(**{IPV4: "fd00::5"}), (),
     "annotation org.jailnet.ipv4: 'fd00::5' is not an IPv4 address"),
    ("empty network", annotated(**{"org.jailnet.network": ""}), (),
     "annotation org.jailnet.network: '' is not a network name (letters, digits, '.', '_', '-')"),
    ("empty nameservers", annotated(**{"org.jailnet.nameservers": ""}), (),
     "annotation org.jailnet.nameservers: empty (use org.jailnet.dns=none to skip DNS)"),
    ("search domain with an empty label", annotated(**{"org.jailnet.search": "a..b"}), (),
     "annotation org.jailnet.search: 'a..b' is not a domain name"),
    ("jid zero", annotated(**{"org.freebsd.jail.jid": "0"}), (), "annotation org.freebsd.jail.jid: '0' is not a jid"),
    ("ipv6 is IPv4", annotated(**{"org.jailnet.ipv6": "172.17.0.5"}), (),
     "annotation org.jailnet.ipv6: '172.17.0.5' is not an IPv6 address"),
    ("ipv6 with a prefix length", annotated(**{"org.jailnet.ipv6": "fd00:17::5/64"}), (),
     "annotation org.jailnet.ipv6: 'fd00:17::5/64' is not an IPv6 address"),
    ("ipv6 on an IPv4-only network", annotated(**{"org.jailnet.ipv6": "fd00:17::5"}), (),
     "annotation org.jailnet.ipv6: network default has no IPv6 subnet (subnet6)"),
    ("port zero", annotated(**{"org.jailnet.ports": "8080:0"}), (),
     "annotation org.jailnet.ports: '8080:0': container port 0 is not a port (1-65535)"),
    ("port above 65535", annotated(**{"org.jailnet.ports": "65536:80"}), (),
     "annotation org.jailnet.ports: '65536:80': host port 65536 is not a port (1-65535)"),
    ("port range reversed", annotated(**{"org.jailnet.ports": "9002-9000:9002-9000"}), (),
     "annotation org.jailnet.ports: '9002-9000:9002-9000': host port range 9002-9000 runs backwards"),
    ("port ranges of two lengths", annotated(**{"org.jailnet.ports": "9000-9002:9000-9001"}), (),
     "annotation org.jailnet.ports: '9000-9002:9000-9001': host ports 9000-9002 and container ports 9000-9001 "
     "are not ranges of one length"),
    ("port protocol", annotated(**{"org.jailnet.ports": "53:53/sctp"}), (),
     "annotation org.jailnet.ports: '53:53/sctp': protocol 'sctp' is neither tcp nor udp"),
    ("port host address", annotated(**{"org.jailnet.ports": "300.1.1.1:80:80"}), (),
     "annotation org.jailnet.ports: '300.1.1.1:80:80': host address '300.1.1.1' is not an IPv4 address"),
    ("port twice in one list", annotated(**{"org.jailnet.ports": "8080:80,8080:81"}), (),
     "annotation org.jailnet.ports: '8080:81' publishes a host port '8080:80/tcp' publishes already"),
    ("unknown annotation close to a known one", annotated(**{"org.jailnet.ipv4s": "172.17.0.9"}), (),
     "annotation org.jailnet.ipv4s: unknown (did you mean org.jailnet.ipv4?)"),
    ("unknown annotation as close to two", annotated(**{"org.jailnet.ipv": "172.17.0.9"}), (),
     "annotation org.jailnet.ipv: unknown (did you mean org.jailnet.ipv4 or org.jailnet.ipv6?)"),
    ("unknown annotation", annotated(**{"org.jailnet.color": "blue"}), (),
     "annotation org.jailnet.color: unknown (jailnet reads org.jailnet.network, org.jailnet.ipv4, "
     "org.jailnet.ipv6, org.jailnet.nameservers, org.jailnet.search, org.jailnet.dns, org.jailnet.ports, "
     "org.jailnet.aliases, org.jailnet.hosts)"),
    ("--network unknown", state(), ("--network", "nope"), "--network: unknown network 'nope' (known: default)"),
    ("unknown option", state(), ("--bogus",), "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(("raw", "args", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_in_process(tmp_path: Path, raw: bytes, args: tuple[str, ...], line: str) -> None:
    bed = HookBed(tmp_path)
    assert bed.hook("createRuntime", "c1", None, *args, raw=raw) == (2, "", shown(line))
    assert bed.host.log == []
    assert not bed.state_dir.exists()


THROUGH_THE_EXECUTABLE = (
    "malformed JSON", "empty stdin", "not UTF-8", "10 MB of input", "nested too deeply", "missing id",
    "id with NUL", "id with a newline", "ipv4 outside the subnet", "ipv6 on an IPv4-only network",
    "port host address", "bad nameserver", "unknown annotation", "ocijail jid not a number", "--network unknown",
    "unknown option",
)
EXECUTABLE_CASES = [c for c in CASES if c[0] in THROUGH_THE_EXECUTABLE]


def test_every_layer_is_also_run_through_the_executable() -> None:
    assert [c[0] for c in EXECUTABLE_CASES] == [c[0] for c in CASES if c[0] in THROUGH_THE_EXECUTABLE]
    assert len(EXECUTABLE_CASES) == len(THROUGH_THE_EXECUTABLE)  # every name is a case


@pytest.mark.parametrize(("raw", "args", "line"), [c[1:] for c in EXECUTABLE_CASES],
                         ids=[c[0] for c in EXECUTABLE_CASES])
def test_through_the_executable(tmp_path: Path, jailnet_argv: list[str], raw: bytes, args: tuple[str, ...],
                                line: str) -> None:
    shared = SharedHost.create(tmp_path / "host", serve=False)  # a command run by mistake starts it
    env = {"PATH": shared.path, "JAILNET_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.run([*jailnet_argv, "hook", "createRuntime", *args], input=raw, capture_output=True,
                          env=env, cwd=tmp_path, check=False, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr.decode()) == (2, b"", shown(line))
    assert shared.snapshot().log == []
    assert not (tmp_path / "state").exists()


def test_there_are_at_least_40_cases() -> None:
    assert len(CASES) >= 40


def test_unknown_hook_kind(bed: HookBed) -> None:
    assert bed.hook("start", "c1") == (
        2, "", "jailnet: hook kind 'start': expected createRuntime, prestart or poststop\n")
    assert bed.host.log == []


CONFIGS = [
    ("invalid TOML", "[networks\n",
     "not valid TOML (Expected ']' at the end of a table declaration (at line 1, column 10))"),
    ("unknown key", "color = 1\n", "unknown field(s): color"),
    ("mtu as a string", "[networks.x]\nbridge = 'b0'\nsubnet = '10.1.0.0/24'\nmtu = '9000'\n",
     "networks.x.mtu: expected an integer, got str '9000'"),
    ("shared bridge", "[networks.x]\nbridge = 'jailnet0'\nsubnet = '10.1.0.0/24'\n",
     "networks default and x both use bridge jailnet0"),
    ("new network without subnet", "[networks.x]\nbridge = 'b0'\n", "networks.x.subnet: required for a new network"),
    ("subnet6 not an IPv6 network", "[networks.default]\nsubnet6 = 'fd00:17::1/64'\n",
     "networks.default.subnet6: fd00:17::1/64 has host bits set"),
    ("subnet6 shorter than /64", "[networks.default]\nsubnet6 = 'fd00:17::/48'\n",
     "networks.default.subnet6: fd00:17::/48: the prefix must be /64 to /126"),
    ("subnet6 link-local", "[networks.default]\nsubnet6 = 'fe80::/64'\n",
     "networks.default.subnet6: fe80::/64 is not unicast space a network can use (ULA fc00::/7 or global)"),
    ("gateway6 outside subnet6", "[networks.default]\nsubnet6 = 'fd00:17::/64'\ngateway6 = 'fd00:18::1'\n",
     "networks.default.gateway6: fd00:18::1 is not a host address of fd00:17::/64"),
    ("gateway6 without subnet6", "[networks.default]\ngateway6 = 'fd00:17::1'\n",
     "networks.default.gateway6: set subnet6 too (gateway6 is an address in it)"),
    ("subnet6 overlap", "[networks.default]\nsubnet6 = 'fd00:17::/64'\n[networks.x]\nbridge = 'b0'\n"
     "subnet = '10.1.0.0/24'\nsubnet6 = 'fd00:17::/96'\n",
     "networks default and x overlap (fd00:17::/64, fd00:17::/96)"),
]


@pytest.mark.parametrize(("text", "line"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
@pytest.mark.parametrize("kind", ["createRuntime", "poststop"])
def test_broken_config_file(tmp_path: Path, kind: str, text: str, line: str) -> None:
    bed = HookBed(tmp_path, config=text)
    assert bed.hook(kind, "c1") == (2, "", f"jailnet: {kind} c1: {tmp_path / 'jailnet.toml'}: {line}\n")
    assert bed.host.log == []


DUAL = "[networks.default]\nsubnet6 = 'fd00:17::/64'\n"
STATIC6 = [
    ("outside subnet6", "fd00:18::5", "fd00:18::5 is outside fd00:17::/64"),
    ("the gateway", "fd00:17::1", "fd00:17::1 is the IPv6 gateway of network default"),
    ("the Subnet-Router anycast address", "fd00:17::",
     "fd00:17:: is the Subnet-Router anycast address of fd00:17::/64 (RFC 4291 2.6.1)"),
]


@pytest.mark.parametrize(("address", "line"), [c[1:] for c in STATIC6], ids=[c[0] for c in STATIC6])
def test_a_static_ipv6_address_the_network_cannot_give(tmp_path: Path, address: str, line: str) -> None:
    bed = HookBed(tmp_path, config=DUAL)
    assert bed.hook("createRuntime", "c1", {"org.jailnet.ipv6": address}) == (
        2, "", f"jailnet: createRuntime c1: annotation org.jailnet.ipv6: {line}\n")
    assert bed.host.log == []
    assert not bed.state_dir.exists()


def test_poststop_with_bad_state_is_bad_input_too(bed: HookBed) -> None:
    assert bed.hook("poststop", "c1", None, raw=state(id="a.b"))[0] == 2
    assert bed.host.log == []
