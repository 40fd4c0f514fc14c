"""The container lifecycle against FreeBSD's real tools: createRuntime, ``jail -r``, poststop.

Runs the installed ``jailnet`` executable as runj runs a hook: the state JSON on stdin (compact,
no trailing newline), the hook entry's ``env`` as the whole environment, and checks the host and
the jail with the real ``ifconfig``, ``route``, ``pfctl``, ``sysctl`` and ``jls``. conftest.py
decides whether this host may run it, makes the jails and cleans up; the network is the
test-only ``jnettest`` (bridge ``jnettest0``, 198.18.42.0/24, table ``jnettest-nat``). No test
sends a packet, so no NAT rule is loaded.

Output formats are parsed as docs/freebsd-commands.md §4 describes them. Nothing here was run on
FreeBSD when it was written; "[NV]" marks the expectations least certain.
"""

import functools
import ipaddress
import json
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hooks.naming import host_ifname, jail_ifname

pytestmark = pytest.mark.freebsd

# The test-only network of conftest.py's configuration file.
NETWORK = "jnettest"
BRIDGE = "jnettest0"
SUBNET = ipaddress.IPv4Network("198.18.42.0/24")
GATEWAY = "198.18.42.1"
TABLE = "jnettest-nat"
NAMESERVER = "192.0.2.53"
SEARCH = "jnettest.invalid"
TEST_RANGE = ipaddress.IPv4Network("198.18.0.0/15")
PATH = "/sbin:/bin:/usr/sbin:/usr/bin"
FIRST = "198.18.42.2"
"""The first automatic address of a fresh state directory: after the gateway, .1."""

JailFactory = Callable[..., str]
Env = Mapping[str, str]


# --- running things ---------------------------------------------------------------------------


@functools.cache
def jailnet_executable() -> str:
    """The installed console script: beside this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "jailnet"
    found = str(beside) if beside.exists() else shutil.which("jailnet")
    if found is None:
        pytest.fail("no jailnet executable; install the project: .venv/bin/pip install -e '.[test]'", pytrace=False)
    return found


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, env={"PATH": PATH, "LC_ALL": "C"},
                          timeout=60, check=False)


def explain(result: subprocess.CompletedProcess[str], env: Env | None = None) -> str:
    text = f"{shlex.join(result.args)}: exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    if env is not None and log_file(env).exists():
        text += "\njailnet log:\n" + log_file(env).read_text()
    return text


def ok(*argv: str) -> str:
    """Run a command that must succeed; its stdout."""
    result = run(*argv)
    assert result.returncode == 0, explain(result)
    return result.stdout


def eventually(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Wait for ``check``: a removed jail's vnet, and what is in it, can take a moment to go."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"still not true after {timeout}s: {what}"
        time.sleep(0.2)


def log_file(env: Env) -> Path:
    return Path(env["JAILNET_STATE_DIR"]).parent / "jailnet.log"


@dataclass(frozen=True)
class Container:
    """A container as runj makes it: the jail is named by the id; its root is ``<bundle>/root``."""

    id: str
    root: Path

    @property
    def bundle(self) -> Path:
        return self.root.parent

    @property
    def host_end(self) -> str:
        return host_ifname(self.id)

    @property
    def jail_end(self) -> str:
        return jail_ifname(self.id)


def new_container(make_jail: JailFactory, *, vnet: bool = True) -> Container:
    cid = make_jail(vnet=vnet)
    return Container(cid, Path(ok("jls", "-j", cid, "path").strip()))


def jailless_container(tmp_path: Path) -> Container:
    """An id with no jail (a runtime that calls the hook for a jail that is not there)."""
    cid = f"jnt-{secrets.token_hex(4)}"
    return Container(cid, tmp_path / "bundles" / cid / "root")


def state_json(container: Container, status: str, annotations: Mapping[str, str] | None) -> str:
    """What runj writes on a hook's stdin (state/state.go ``Output``; ``pid`` and an empty
    ``annotations`` are omitted: runj's ``omitempty``)."""
    doc: dict[str, object] = {"ociVersion": "1.0.2-runj-dev", "id": container.id, "status": status,
                              "bundle": str(container.bundle)}
    if annotations:
        doc["annotations"] = dict(annotations)
    return json.dumps(doc, separators=(",", ":"))


def hook(env: Env, kind: str, container: Container, *, annotations: Mapping[str, str] | None = None,
         network_option: bool = True) -> subprocess.CompletedProcess[str]:
    """``jailnet hook KIND [--network jnettest]`` as runj runs a hook entry."""
    argv = [jailnet_executable(), "hook", kind]
    if network_option and kind != "poststop":
        argv += ["--network", NETWORK]
    argv += ["--log-file", str(log_file(env))]
    status = "creating" if kind == "createRuntime" else "stopped"
    return subprocess.run(argv, input=state_json(container, status, annotations), env=dict(env), cwd="/",
                          capture_output=True, text=True, timeout=120, check=False)


def create(env: Env, container: Container, **options: Any) -> None:
    result = hook(env, "createRuntime", container, **options)
    assert (result.returncode, result.stderr) == (0, ""), explain(result, env)


def poststop(env: Env, container: Container) -> None:
    result = hook(env, "poststop", container)
    assert (result.returncode, result.stderr) == (0, ""), explain(result, env)


def jailnet(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([jailnet_executable(), *args], env=dict(env), cwd="/", capture_output=True, text=True,
                          timeout=120, check=False)


def jailnet_json(env: Env, *args: str) -> Any:
    result = jailnet(env, *args)
    assert result.returncode == 0, explain(result, env)
    return json.loads(result.stdout)


def listing(env: Env) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = jailnet_json(env, "ls", "--json")
    return rows


# --- reading the host -------------------------------------------------------------------------


@dataclass
class Interface:
    """One block of ``ifconfig`` output (sbin/ifconfig/ifconfig.c ``status()``)."""

    name: str
    flags: set[str]
    inet: list[str] = field(default_factory=list)
    """IPv4 addresses as ``A/P``, from ``inet A netmask 0xHEX …`` lines."""
    inet6: list[str] = field(default_factory=list)
    """IPv6 addresses as ``A/P`` with their flags after a space (``tentative``), from
    ``inet6 A prefixlen P [flags] [scopeid 0xN]`` lines (af_inet6.c ``in6_status()``)."""
    members: list[str] = field(default_factory=list)
    description: str = ""
    groups: list[str] = field(default_factory=list)


_HEADER = re.compile(r"^([^\s:]+): flags=[0-9a-fA-F]+<([^>]*)>")
_INET = re.compile(r"^\tinet (\S+) netmask 0x([0-9a-fA-F]+)")
_MEMBER = re.compile(r"^\tmember: (\S+) ")
_INET6 = re.compile(r"^\tinet6 (\S+) prefixlen (\d+)(.*)$")


def parse_ifconfig(stdout: str) -> dict[str, Interface]:
    found: dict[str, Interface] = {}
    current: Interface | None = None
    for line in stdout.splitlines():
        if header := _HEADER.match(line):
            current = found[header.group(1)] = Interface(header.group(1), set(filter(None, header.group(2).split(","))))
        elif current is None:
            continue
        elif inet := _INET.match(line):
            current.inet.append(f"{inet.group(1)}/{bin(int(inet.group(2), 16)).count('1')}")
        elif inet6 := _INET6.match(line):
            flags = " ".join(w for w in inet6.group(3).split() if w not in ("scopeid",) and not w.startswith("0x"))
            current.inet6.append(f"{inet6.group(1)}/{inet6.group(2)}" + (f" {flags}" if flags else ""))
        elif member := _MEMBER.match(line):
            current.members.append(member.group(1))
        elif line.startswith("\tdescription: "):
            current.description = line[len("\tdescription: "):]
        elif line.startswith("\tgroups: "):
            current.groups = line[len("\tgroups: "):].split()
    return found


def ifconfig(*args: str) -> dict[str, Interface]:
    return parse_ifconfig(ok("ifconfig", *args))


def host_interfaces() -> list[str]:
    """``ifconfig -l``: one line, names separated by spaces (sbin/ifconfig/ifconfig.c ``list_interfaces``)."""
    return sorted(ok("ifconfig", "-l").split())


def jail_interfaces(jail: str) -> list[str]:
    return sorted(ok("ifconfig", "-j", jail, "-l").split())


def table() -> set[str] | None:
    """``pfctl -t jnettest-nat -T show``: three spaces and an address per line (docs/freebsd-commands.md §4); None when
    the table does not exist (exit 255, ``pfctl: Table does not exist.``)."""
    shown = run("pfctl", "-t", TABLE, "-T", "show")
    if shown.returncode != 0:
        assert "Table does not exist" in shown.stderr, explain(shown)
        return None
    return {line.strip() for line in shown.stdout.splitlines() if line.strip() and not line.startswith("\t")}


def default_route(jail: str) -> dict[str, str]:
    """The ``gateway:`` and ``interface:`` lines of ``route -j J -n get default`` [NV: route -j
    with get; the line format is route.c's ``print_getmsg``]."""
    out = ok("route", "-j", jail, "-n", "get", "default")
    return dict(re.findall(r"^\s*(gateway|interface): (\S+)\s*$", out, re.MULTILINE))


def forwarding() -> str:
    return ok("sysctl", "-n", "net.inet.ip.forwarding").strip()


def leases(env: Env) -> dict[str, str]:
    """``<state>/networks/jnettest/<address>`` files and the ids they hold."""
    directory = Path(env["JAILNET_STATE_DIR"]) / "networks" / NETWORK
    found = {}
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        try:
            ipaddress.IPv4Address(path.name)
        except ValueError:
            continue  # last_reserved, temporary files
        found[path.name] = path.read_text().strip()
    return found


def records(env: Env) -> list[str]:
    directory = Path(env["JAILNET_STATE_DIR"]) / "containers"
    return sorted(p.name for p in directory.glob("*.json")) if directory.is_dir() else []


def bridge_state() -> tuple[int, list[str], list[str], bool]:
    """Whether the bridge exists, its addresses and members, and whether it is up."""
    shown = run("ifconfig", BRIDGE)
    if shown.returncode != 0:
        return shown.returncode, [], [], False
    bridge = parse_ifconfig(shown.stdout)[BRIDGE]
    return 0, sorted(bridge.inet), sorted(bridge.members), "UP" in bridge.flags


def snapshot(env: Env) -> dict[str, object]:
    """Everything a hook could change on the host and in its state directory."""
    return {"host interfaces": host_interfaces(), "bridge": bridge_state(), "pf table": table(),
            "forwarding": forwarding(), "leases": leases(env), "records": records(env)}


def assert_detached(env: Env, container: Container, address: str) -> None:
    """Nothing of the container is left: epair (both ends), bridge membership, pf entry,
    lease and record. The bridge itself stays, as Docker's docker0 does."""
    eventually(lambda: run("ifconfig", container.host_end).returncode != 0, f"{container.host_end} is destroyed")
    assert "does not exist" in run("ifconfig", container.host_end).stderr
    eventually(lambda: container.jail_end not in host_interfaces(), f"{container.jail_end} is not on the host")
    assert run("ifconfig", container.jail_end).returncode != 0
    assert container.host_end not in bridge_state()[2]
    assert address not in (table() or set())
    assert address not in leases(env)
    assert f"{container.id}.json" not in records(env)
    assert all(row["id"] != container.id for row in listing(env))


# --- the lifecycle ----------------------------------------------------------------------------


def test_create_attaches_the_jail_and_poststop_removes_everything(jnet_env: Env, make_jail: JailFactory) -> None:
    c = new_container(make_jail)
    before = host_interfaces()
    assert BRIDGE not in before  # conftest removes it after every test: this create makes it

    create(jnet_env, c)

    # The host: the bridge carries the gateway address and the host end.
    bridge = ifconfig(BRIDGE)[BRIDGE]
    assert "UP" in bridge.flags and "bridge" in bridge.groups, bridge
    assert bridge.inet == [f"{GATEWAY}/24"], bridge
    assert bridge.members == [c.host_end], bridge
    host_end = ifconfig(c.host_end)[c.host_end]
    assert "UP" in host_end.flags and "jailnet" in host_end.groups, host_end
    assert host_end.description == c.id and host_end.inet == [], host_end
    assert c.jail_end not in host_interfaces()  # it is in the jail's vnet

    # The jail: its end with the address, lo0 with 127.0.0.1, the default route.
    inside = ifconfig("-j", c.id)
    assert inside[c.jail_end].inet == [f"{FIRST}/24"] and "UP" in inside[c.jail_end].flags, inside[c.jail_end]
    assert "127.0.0.1/8" in inside["lo0"].inet and "UP" in inside["lo0"].flags, inside["lo0"]
    assert default_route(c.id) == {"gateway": GATEWAY, "interface": c.jail_end}

    # NAT table, DNS, forwarding, and jailnet's own view.
    assert table() == {FIRST}
    resolv = c.root / "etc" / "resolv.conf"
    assert resolv.is_file() and not resolv.is_symlink()
    lines = resolv.read_text().splitlines()
    assert f"nameserver {NAMESERVER}" in lines and f"search {SEARCH}" in lines, lines
    assert forwarding() == "1"
    [row] = listing(jnet_env)
    assert {k: row[k] for k in ("id", "network", "address", "prefixlen", "hostInterface", "jailInterface", "jail",
                                "alive", "state")} == {
        "id": c.id, "network": NETWORK, "address": FIRST, "prefixlen": 24, "hostInterface": c.host_end,
        "jailInterface": c.jail_end, "jail": c.id, "alive": True, "state": "up"}
    assert row["jid"] == int(ok("jls", "-j", c.id, "jid"))

    ok("jail", "-r", c.id)  # what runj delete does before it runs poststop
    poststop(jnet_env, c)

    assert_detached(jnet_env, c, FIRST)
    assert bridge_state() == (0, [f"{GATEWAY}/24"], [], True)
    eventually(lambda: host_interfaces() == sorted([*before, BRIDGE]), "the host has its interfaces and the bridge")


def test_annotations_choose_the_network_and_a_static_address(jnet_env: Env, make_jail: JailFactory) -> None:
    c = new_container(make_jail)
    create(jnet_env, c, annotations={"org.jailnet.network": NETWORK, "org.jailnet.ipv4": "198.18.42.50"},
           network_option=False)

    assert ifconfig("-j", c.id)[c.jail_end].inet == ["198.18.42.50/24"]
    assert table() == {"198.18.42.50"}
    assert leases(jnet_env) == {"198.18.42.50": c.id}

    ok("jail", "-r", c.id)
    poststop(jnet_env, c)
    assert_detached(jnet_env, c, "198.18.42.50")


def test_a_static_address_leased_to_another_container_exits_2_and_changes_nothing(
        jnet_env: Env, make_jail: JailFactory) -> None:
    first, second = new_container(make_jail), new_container(make_jail)
    static = {"org.jailnet.ipv4": "198.18.42.50"}
    create(jnet_env, first, annotations=static)
    before, inside = snapshot(jnet_env), jail_interfaces(second.id)

    refused = hook(jnet_env, "createRuntime", second, annotations=static)

    assert refused.returncode == 2, explain(refused, jnet_env)
    assert f"198.18.42.50 is already leased to {first.id}" in refused.stderr
    assert snapshot(jnet_env) == before
    assert jail_interfaces(second.id) == inside
    assert run("ifconfig", second.host_end).returncode != 0


def test_ten_containers_get_ten_distinct_addresses(jnet_env: Env, make_jail: JailFactory) -> None:
    containers = [new_container(make_jail) for _ in range(10)]

    # Started five at a time, as a runtime may: the host-wide lock makes one bridge, and leases
    # never collide.
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda c: hook(jnet_env, "createRuntime", c), containers))
    for result in results:
        assert (result.returncode, result.stderr) == (0, ""), explain(result, jnet_env)

    addresses = {}
    for c in containers:
        [address] = ifconfig("-j", c.id)[c.jail_end].inet
        addresses[c.id] = address
        assert default_route(c.id)["gateway"] == GATEWAY
    assert len(set(addresses.values())) == 10, addresses
    for address in addresses.values():
        interface = ipaddress.IPv4Interface(address)
        assert interface.network == SUBNET and str(interface.ip) != GATEWAY, address
    assert table() == {a.split("/")[0] for a in addresses.values()}
    assert bridge_state()[2] == sorted(c.host_end for c in containers)
    assert {row["id"]: f"{row['address']}/{row['prefixlen']}" for row in listing(jnet_env)} == addresses

    for c in containers:
        ok("jail", "-r", c.id)
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda c: hook(jnet_env, "poststop", c), containers))
    for result in results:
        assert (result.returncode, result.stderr) == (0, ""), explain(result, jnet_env)
    for c in containers:
        assert_detached(jnet_env, c, addresses[c.id].split("/")[0])
    assert table() == set()
    assert bridge_state()[2] == []


@pytest.mark.parametrize("case", ["jail without vnet", "no such jail"])
def test_create_for_a_jail_it_cannot_use_exits_1_and_changes_nothing(
        jnet_env: Env, make_jail: JailFactory, tmp_path: Path, case: str) -> None:
    if case == "jail without vnet":
        c = new_container(make_jail, vnet=False)
        expected = f"jail {c.id!r} has no vnet of its own"
    else:
        c = jailless_container(tmp_path)
        expected = f"no jail {c.id!r} for container {c.id}"  # jls -j fails: 'jls: jail "…" not found'
    before = snapshot(jnet_env)

    failed = hook(jnet_env, "createRuntime", c)

    assert failed.returncode == 1, explain(failed, jnet_env)
    assert expected in failed.stderr, failed.stderr
    assert snapshot(jnet_env) == before


def test_a_create_that_fails_half_way_is_undone(jnet_env: Env, make_jail: JailFactory) -> None:
    c = new_container(make_jail)
    # Put an interface with the jail end's name into the jail first. createRuntime then makes the
    # epair, names the host end, adds it to the bridge it has just made, and fails renaming the
    # jail end (``ifconfig -j J epairNa inet A/P up name jn…b``: SIOCSIFNAME "File exists",
    # sbin/ifconfig/ifconfig.c ``setifname()``). Everything before must be undone.
    blocker = ok("ifconfig", "epair", "create").strip()
    assert re.fullmatch(r"epair[0-9]+a", blocker), blocker
    blocker_host = blocker[:-1] + "b"
    ok("ifconfig", blocker_host, "description", f"{c.id}-blocker")  # jnt-…: the sweep destroys it
    ok("ifconfig", blocker, "name", c.jail_end)
    ok("ifconfig", c.jail_end, "vnet", c.id)
    before, inside = snapshot(jnet_env), jail_interfaces(c.id)

    failed = hook(jnet_env, "createRuntime", c)

    assert failed.returncode == 1, explain(failed, jnet_env)
    assert "File exists" in failed.stderr and "(undone)" in failed.stderr, failed.stderr
    assert snapshot(jnet_env) == before  # no bridge, epair, pf entry, lease or record; forwarding as it was
    assert jail_interfaces(c.id) == inside
    ok("ifconfig", blocker_host, "destroy")


def test_poststop_is_idempotent(jnet_env: Env, make_jail: JailFactory, tmp_path: Path) -> None:
    c = new_container(make_jail)
    create(jnet_env, c)
    ok("jail", "-r", c.id)
    poststop(jnet_env, c)
    assert_detached(jnet_env, c, FIRST)
    after = snapshot(jnet_env)

    poststop(jnet_env, c)  # everything already gone counts as done: exit 0, nothing on stderr
    assert snapshot(jnet_env) == after
    poststop(jnet_env, jailless_container(tmp_path))  # never created at all
    assert snapshot(jnet_env) == after


def _belongs_to_the_test(item: Mapping[str, Any], container: Container) -> bool:
    """Whether something ``jailnet gc`` would remove is this test's (else it is the host's)."""
    if item["kind"] == "record":
        return bool(item["name"] == container.id)
    if item["kind"] in ("lease", "pf-entry"):
        return ipaddress.IPv4Address(item["name"]) in TEST_RANGE
    return bool(item["kind"] == "interface" and item["name"] == container.host_end)


def test_gc_removes_what_a_skipped_poststop_left(jnet_env: Env, make_jail: JailFactory) -> None:
    c = new_container(make_jail)
    create(jnet_env, c)
    ok("jail", "-r", c.id)  # and no poststop, as when a runtime dies between the two

    [row] = listing(jnet_env)
    assert (row["id"], row["alive"]) == (c.id, False)
    preview = jailnet_json(jnet_env, "gc", "--dry-run", "--json")
    # gc removes every host end in group jailnet that has no record in *its* state directory.
    # With a test state directory, a host running jailnet containers of its own would lose theirs.
    foreign = [item for item in preview["removed"] if not _belongs_to_the_test(item, c)]
    if foreign:
        pytest.skip(f"jailnet gc with a test state dir would remove this host's own jailnet objects: {foreign}")
    assert preview["dryRun"] is True
    assert [(i["kind"], i["name"]) for i in preview["removed"]] == [("record", c.id)]
    assert run("ifconfig", c.host_end).returncode == 0  # a dry run removes nothing

    report = jailnet_json(jnet_env, "gc", "--json")

    assert (report["dryRun"], report["failures"]) == (False, [])
    assert [(i["kind"], i["name"]) for i in report["removed"]] == [("record", c.id)]
    assert_detached(jnet_env, c, FIRST)
    assert jailnet_json(jnet_env, "gc", "--json")["removed"] == []


def test_doctor_json_parses_and_finds_the_network_made(jnet_env: Env, make_jail: JailFactory) -> None:
    c = new_container(make_jail)
    create(jnet_env, c)
    before = snapshot(jnet_env)

    result = jailnet(jnet_env, "doctor", "--network", NETWORK, "--json")

    # 1 is "not ready": no NAT rule uses <jnettest-nat> (none is loaded), and pf may be disabled.
    assert result.returncode in (0, 1), explain(result, jnet_env)
    report = json.loads(result.stdout)
    assert set(report) == {"ready", "checks", "fixed"} and report["fixed"] == []
    checks = {(check["id"], check["network"]): check for check in report["checks"]}
    for check in report["checks"]:
        assert set(check) == {"id", "network", "ok", "severity", "message", "details", "fix", "fixable"}, check
        if check["ok"]:
            assert check["fix"] is None, check
    expected_ok: Iterable[tuple[str, str | None]] = [
        ("root", None), ("freebsd", None), ("pf.loaded", None), ("forwarding", None), ("bridge", NETWORK),
        ("statedir", None), ("consistency", None)]
    for key in expected_ok:
        assert key in checks and checks[key]["ok"] is True, (key, checks.get(key))
    assert snapshot(jnet_env) == before  # doctor only reads


# --- dual stack (docs/ipv6.md) -------------------------------------------------------------------

NETWORK6, BRIDGE6 = "jnettest6", "jnettest1"
"""conftest.py's dual-stack network: 198.18.43.0/24 and fd00:198:18:43::/64 on bridge jnettest1."""


def default_route6(jail: str) -> dict[str, str]:
    """``route -j J -n get -inet6 default``: its ``gateway:`` and ``interface:`` lines [NV]."""
    out = ok("route", "-j", jail, "-n", "get", "-inet6", "default")
    return dict(re.findall(r"^\s*(gateway|interface): (\S+)\s*$", out, re.MULTILINE))


def test_a_dual_stack_container_has_both_addresses_routes_and_entries_and_none_after(
        jnet_env: Env, make_jail: JailFactory) -> None:
    """The jail end's IPv6 address is usable at once (never ``tentative``: ``no_dad``), beside its
    link-local one; the bridge carries gateway6; both forwarding switches are on."""
    c = new_container(make_jail)
    create(jnet_env, c, annotations={"org.jailnet.network": NETWORK6}, network_option=False)

    bridge = ifconfig(BRIDGE6)[BRIDGE6]
    assert bridge.inet == ["198.18.43.1/24"] and bridge.inet6 == ["fd00:198:18:43::1/64"], bridge
    inside = ifconfig("-j", c.id)[c.jail_end]
    assert inside.inet == ["198.18.43.2/24"], inside
    assert "fd00:198:18:43::2/64" in inside.inet6, inside  # no "tentative" after it
    assert all(" " not in a for a in inside.inet6 if not a.startswith("fe80:")), inside
    assert default_route6(c.id) == {"gateway": "fd00:198:18:43::1", "interface": c.jail_end}
    assert default_route(c.id)["gateway"] == "198.18.43.1"
    assert table() == {"198.18.43.2", "fd00:198:18:43::2"}
    assert ok("sysctl", "-n", "net.inet.ip.forwarding", "net.inet6.ip6.forwarding").split() == ["1", "1"]
    [row] = listing(jnet_env)
    assert (row["address6"], row["prefixlen6"]) == ("fd00:198:18:43::2", 64)

    ok("jail", "-r", c.id)
    poststop(jnet_env, c)
    assert table() in (None, set())
    assert c.host_end not in host_interfaces()
    assert listing(jnet_env) == []
