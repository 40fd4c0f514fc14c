"""The simulated route(8) against freebsd-commands.md §1.7 (argv -> rc, out, err) and route.c.

The standard host (SimulatedHost.freebsd()) has em0 at 10.0.2.15/24, lo0 at 127.0.0.1/8 and a
default route through 10.0.2.2.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.model import Route
from hooks.testing.route import COMMAND, USAGE_JAIL, USAGE_OLD

USAGE = USAGE_JAIL + "\n"
DELETE_DEFAULT = ("route", "delete", "default")

GET_DEFAULT = (
    "   route to: default\n"
    "destination: default\n"
    "       mask: default\n"
    "    gateway: 10.0.2.2\n"
    "        fib: 0\n"
    "  interface: em0\n"
    "      flags: <UP,GATEWAY,DONE,STATIC>\n"
    " recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n"
    "       0         0         0         0      1500         1         0 \n"
)
METRICS = (
    " recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n"
    "       0         0         0         0      1500         1         0 \n"
)

CASES: list[tuple[str, list[tuple[str, ...]], tuple[str, ...], int, str, str]] = [
    # -- add --------------------------------------------------------------------------------------
    ("add default", [DELETE_DEFAULT], ("route", "add", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("-4 add default", [DELETE_DEFAULT], ("route", "-4", "add", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("add -net 0.0.0.0/0", [DELETE_DEFAULT], ("route", "add", "-net", "0.0.0.0/0", "10.0.2.1"),
     0, "add net 0.0.0.0/0: gateway 10.0.2.1\n", ""),
    ("add default, quiet", [DELETE_DEFAULT], ("route", "-q", "add", "default", "10.0.2.1"), 0, "", ""),
    ("add default exists", [], ("route", "add", "default", "10.0.2.1"),
     1, "add net default: gateway 10.0.2.1 fib 0: route already in table\n", ""),
    ("add -net 0/0 exists", [], ("route", "add", "-net", "0.0.0.0/0", "10.0.2.1"),
     1, "add net 0.0.0.0/0: gateway 10.0.2.1 fib 0: route already in table\n", ""),
    ("add exists, quiet", [], ("route", "-q", "add", "default", "10.0.2.1"), 1, "", ""),
    ("add unreachable gateway", [DELETE_DEFAULT], ("route", "add", "default", "172.17.0.1"),
     1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    ("add unreachable beats exists", [], ("route", "add", "default", "172.17.0.1"),
     1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    ("add without gateway", [DELETE_DEFAULT], ("route", "add", "default"),
     1, "add net default fib 0: Invalid argument\n", ""),
    ("add network", [], ("route", "add", "-net", "192.168.0.0/16", "10.0.2.1"),
     0, "add net 192.168.0.0/16: gateway 10.0.2.1\n", ""),
    ("add host", [], ("route", "add", "192.168.1.5", "10.0.2.1"), 0, "add host 192.168.1.5: gateway 10.0.2.1\n", ""),
    ("add -host", [], ("route", "add", "-host", "192.168.1.0", "10.0.2.1"),
     0, "add host 192.168.1.0: gateway 10.0.2.1\n", ""),
    ("add classful network", [], ("route", "add", "192.168.2.0", "10.0.2.1"),
     0, "add net 192.168.2.0: gateway 10.0.2.1\n", ""),
    ("add short network", [], ("route", "add", "-net", "172.16", "10.0.2.1"),
     0, "add net 172.16: gateway 10.0.2.1\n", ""),
    ("add with netmask", [], ("route", "add", "-net", "192.168.4.0", "10.0.2.1", "255.255.254.0"),
     0, "add net 192.168.4.0: gateway 10.0.2.1\n", ""),
    ("add through loopback", [], ("route", "add", "198.18.0.1", "127.0.0.1"),
     0, "add host 198.18.0.1: gateway 127.0.0.1\n", ""),
    ("add interface route", [], ("route", "add", "-net", "10.9.0.0/16", "-interface", "em0"),
     0, "add net 10.9.0.0/16: gateway em0\n", ""),
    ("gateway through an interface route", [("route", "add", "-net", "10.9.0.0/16", "-interface", "em0")],
     ("route", "add", "192.168.7.0/24", "10.9.3.4"), 0, "add net 192.168.7.0/24: gateway 10.9.3.4\n", ""),
    ("add -interface missing", [], ("route", "add", "-net", "10.9.0.0/16", "-interface", "nope0"),
     65, "", "route: interface 'nope0' does not exist\n"),
    ("add bad gateway", [], ("route", "add", "default", "nonsense"), 68, "", "route: bad address: nonsense\n"),
    ("add bad destination", [], ("route", "add", "nonsense", "10.0.2.1"), 68, "", "route: bad address: nonsense\n"),
    ("add other fib", [], ("route", "add", "default", "10.0.2.1", "-fib", "1"),
     64, "", "route: invalid fib number: 1\n"),
    ("add dry run", [], ("route", "-d", "add", "default", "10.0.2.1"), 0, "add net default: gateway 10.0.2.1\n", ""),
    ("add bad keyword", [], ("route", "add", "-frob", "default", "10.0.2.1"),
     64, "", "route: bad keyword: frob\n" + USAGE),
    ("add no destination", [], ("route", "add"), 64, "", "route: destination parameter required\n" + USAGE),
    ("add keyword missing argument", [], ("route", "add", "default", "-gateway"), 64, "", USAGE),
    # -- delete -------------------------------------------------------------------------------
    ("delete default", [], ("route", "delete", "default"), 0, "delete net default\n", ""),
    ("del default", [], ("route", "del", "default"), 0, "del net default\n", ""),
    ("delete with gateway", [], ("route", "delete", "default", "10.0.2.2"),
     0, "delete net default: gateway 10.0.2.2\n", ""),
    ("delete with other gateway", [], ("route", "delete", "default", "10.0.2.9"),
     1, "delete net default: gateway 10.0.2.9 fib 0: not in table\n", ""),
    ("delete missing", [DELETE_DEFAULT], ("route", "delete", "default"),
     1, "delete net default fib 0: not in table\n", ""),
    ("delete missing, quiet", [DELETE_DEFAULT], ("route", "-q", "delete", "default"), 1, "", ""),
    ("delete host", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "delete", "192.168.1.5"),
     0, "delete host 192.168.1.5\n", ""),
    # -- change -------------------------------------------------------------------------------
    ("change default", [], ("route", "change", "default", "10.0.2.3"), 0, "change net default: gateway 10.0.2.3\n", ""),
    ("change missing", [DELETE_DEFAULT], ("route", "change", "default", "10.0.2.3"),
     1, "change net default: gateway 10.0.2.3 fib 0: not in table\n", ""),
    # -- get / show ---------------------------------------------------------------------------
    ("get default", [], ("route", "get", "default"), 0, GET_DEFAULT, ""),
    ("show default", [], ("route", "show", "default"), 0, GET_DEFAULT, ""),
    ("get -n default", [], ("route", "-n", "get", "default"), 0,
     GET_DEFAULT.replace("default", "0.0.0.0"), ""),
    ("get remote address", [], ("route", "get", "8.8.8.8"), 0,
     GET_DEFAULT.replace("   route to: default", "   route to: 8.8.8.8"), ""),
    ("get connected address", [], ("route", "get", "10.0.2.77"), 0,
     "   route to: 10.0.2.77\ndestination: 10.0.2.0\n       mask: 255.255.255.0\n        fib: 0\n"
     "  interface: em0\n      flags: <UP,DONE,PINNED>\n" + METRICS, ""),
    ("get host route", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "get", "192.168.1.5"), 0,
     "   route to: 192.168.1.5\ndestination: 192.168.1.5\n    gateway: 10.0.2.1\n        fib: 0\n"
     "  interface: em0\n      flags: <UP,GATEWAY,HOST,DONE,STATIC>\n" + METRICS, ""),
    ("get exact network", [("route", "add", "-net", "192.168.0.0/16", "10.0.2.1")],
     ("route", "get", "-net", "192.168.0.0/16"), 0,
     "   route to: 192.168.0.0\ndestination: 192.168.0.0\n       mask: 255.255.0.0\n    gateway: 10.0.2.1\n"
     "        fib: 0\n  interface: em0\n      flags: <UP,GATEWAY,DONE,STATIC>\n" + METRICS, ""),
    ("get missing default", [DELETE_DEFAULT], ("route", "get", "default"),
     1, "", "route: route has not been found\n"),
    ("get unroutable", [DELETE_DEFAULT], ("route", "-n", "get", "8.8.8.8"),
     1, "", "route: route has not been found\n"),
    # -- flush --------------------------------------------------------------------------------
    ("flush", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "flush"), 0,
     "default              10.0.2.2             -fib 0   done\n"
     "192.168.1.5          10.0.2.1             -fib 0   done\n", ""),
    ("flush quiet", [], ("route", "-q", "flush"), 0, "", ""),
    ("flush debug only", [], ("route", "-d", "flush"), 0, "", ""),
    ("flush to /dev/null", [], ("route", "-t", "flush"), 0, "default              10.0.2.2             -fib 0   done\n", ""),
    ("flush -inet6 leaves inet", [], ("route", "flush", "-inet6"), 0, "", ""),
    # -- usage ----------------------------------------------------------------------------------
    ("no arguments", [], ("route",), 64, "", USAGE),
    ("options only", [], ("route", "-n"), 64, "", USAGE),
    ("bad command", [], ("route", "frob"), 64, "", "route: bad keyword: frob\n" + USAGE),
    ("illegal option", [], ("route", "-x", "get", "default"), 64, "", "route: illegal option -- x\n" + USAGE),
    ("-j without argument", [], ("route", "-j"), 64, "", "route: option requires an argument -- j\n" + USAGE),
    ("-j unknown jail", [], ("route", "-j", "nope", "get", "default"),
     1, "", "route: jail not found: No such file or directory\n"),
    # -- IPv6 -----------------------------------------------------------------------------------
    ("-6 add default unreachable", [], ("route", "-6", "add", "default", "2001:db8::1"),
     1, "add net default: gateway 2001:db8::1 fib 0: Network is unreachable\n", ""),
    ("-6 add default on link", [], ("route", "-6", "add", "default", "fe80::2"),
     0, "add net default: gateway fe80::2\n", ""),
    ("-6 bad gateway", [], ("route", "-6", "add", "default", "nonsense"),
     71, "", "route: nonsense: hostname nor servname provided, or not known\n"),
]


@pytest.mark.parametrize(("setup", "argv", "rc", "out", "err"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_route(host: SimulatedHost, setup: list[tuple[str, ...]], argv: tuple[str, ...], rc: int,
               out: str, err: str) -> None:
    for step in setup:
        assert host(step).returncode == 0, step
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


# -- the stderr line differs by release (routing socket < 14, netlink 14.x, 15.x) ---------------

RELEASES = [
    ("13.2-RELEASE", ("route", "add", "default", "10.0.2.1"), 1,
     "add net default: gateway 10.0.2.1 fib 0: route already in table\n", ""),
    ("15.0-RELEASE", ("route", "add", "default", "10.0.2.1"), 1,
     "add net default: gateway 10.0.2.1 fib 0: route already in table\n",
     "route: message indicates error: File exists\n"),
    ("13.2-RELEASE", ("route", "add", "-net", "10.5.0.0/16", "172.17.0.1"), 1,
     "add net 10.5.0.0/16: gateway 172.17.0.1 fib 0: Network is unreachable\n",
     "route: writing to routing socket: Network is unreachable\n"),
    ("15.0-RELEASE", ("route", "add", "-net", "10.5.0.0/16", "172.17.0.1"), 1,
     "add net 10.5.0.0/16: gateway 172.17.0.1 fib 0: Network is unreachable\n",
     "route: message indicates error: Network is unreachable\n"),
    ("13.2-RELEASE", ("route", "delete", "10.5.0.0/16"), 1,
     "delete net 10.5.0.0/16 fib 0: not in table\n", "route: route has not been found\n"),
    ("15.0-RELEASE", ("route", "delete", "10.5.0.0/16"), 1,
     "delete net 10.5.0.0/16 fib 0: not in table\n", "route: route has not been found\n"),
    ("13.2-RELEASE", ("route", "-j", "x", "get", "default"), 64, "",
     "route: illegal option -- j\n" + USAGE_OLD + "\n"),
    ("13.2-RELEASE", ("route", "frob"), 64, "", "route: bad keyword: frob\n" + USAGE_OLD + "\n"),
]


@pytest.mark.parametrize(("release", "argv", "rc", "out", "err"), RELEASES,
                         ids=[f"{r[0]} {' '.join(r[1])}" for r in RELEASES])
def test_release_differences(release: str, argv: tuple[str, ...], rc: int, out: str, err: str) -> None:
    host = SimulatedHost.freebsd(release)
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


# -- state effects -------------------------------------------------------------------------------


def test_routes_are_stored(host: SimulatedHost) -> None:
    host(("route", "add", "-net", "192.168.0.0/16", "10.0.2.1"))
    host(("route", "add", "192.168.1.5", "10.0.2.1"))
    host(("route", "add", "-net", "10.8", "10.0.2.1"))
    host(("route", "add", "-net", "10.1.2.3/8", "10.0.2.1"))
    host(("route", "add", "-net", "10.9.0.0/16", "-interface", "em0"))
    host(("route", "change", "default", "10.0.2.3"))
    assert host.state.host.routes == [
        Route("default", "10.0.2.3", "em0"),
        Route("192.168.0.0/16", "10.0.2.1", "em0"),
        Route("192.168.1.5/32", "10.0.2.1", "em0"),
        Route("10.8.0.0/16", "10.0.2.1", "em0"),
        Route("10.0.0.0/8", "10.0.2.1", "em0"),
        Route("10.9.0.0/16", "", "em0"),
    ]
    host(("route", "delete", "default"))
    host(("route", "flush"))
    assert host.state.host.routes == [Route("10.9.0.0/16", "", "em0")]


def test_dry_run_changes_nothing(host: SimulatedHost) -> None:
    before = list(host.state.host.routes)
    host(("route", "-d", "delete", "default"))
    host(("route", "-t", "add", "-net", "192.168.0.0/16", "10.0.2.1"))
    host(("route", "-d", "flush"))
    host(("route", "-t", "flush"))
    assert host.state.host.routes == before


def test_gateway_on_a_down_interface_is_unreachable(host: SimulatedHost) -> None:
    host(("route", "delete", "default"))
    host(("ifconfig", "em0", "down"))
    result = host(("route", "add", "default", "10.0.2.2"))
    assert (result.returncode, result.stdout) == (1, "add net default: gateway 10.0.2.2 fib 0: Network is unreachable\n")
    host(("ifconfig", "em0", "up"))
    assert host(("route", "add", "default", "10.0.2.2")).returncode == 0


def test_routes_go_with_their_interface(host: SimulatedHost) -> None:
    host(("ifconfig", "bridge", "create"))
    host(("ifconfig", "bridge0", "inet", "172.17.0.1/16"))
    host(("route", "add", "-net", "10.77.0.0/16", "172.17.0.9"))
    assert Route("10.77.0.0/16", "172.17.0.9", "bridge0") in host.state.host.routes
    host(("ifconfig", "bridge0", "destroy"))
    assert all(r.interface != "bridge0" for r in host.state.host.routes)


# -- jails -----------------------------------------------------------------------------------


def _vnet_jail(host: SimulatedHost, root: Path) -> None:
    """The seed walkthrough's jail: epair0b moved in and given 172.17.0.2/16."""
    host.create_jail("j", str(root), vnet=True)
    for argv in (("ifconfig", "bridge", "create"), ("ifconfig", "bridge0", "inet", "172.17.0.1/16"),
                 ("ifconfig", "epair", "create"), ("ifconfig", "bridge0", "addm", "epair0a"),
                 ("ifconfig", "epair0a", "up"), ("ifconfig", "epair0b", "vnet", "j"),
                 ("ifconfig", "-j", "j", "epair0b", "inet", "172.17.0.2/16")):
        assert host(argv).returncode == 0, argv


def test_route_j_adds_in_the_jail_vnet(host: SimulatedHost, tmp_path: Path) -> None:
    _vnet_jail(host, tmp_path / "root")
    host_routes = list(host.state.host.routes)
    result = host(("route", "-j", "j", "-4", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "add net default: gateway 172.17.0.1\n", "")
    jail = host.state.find_jail("j")
    assert jail is not None and jail.vnet is not None
    assert jail.vnet.routes == [Route("default", "172.17.0.1", "epair0b")]
    assert host.state.host.routes == host_routes
    by_jid = host(("route", "-j", str(jail.jid), "-n", "get", "default"))
    assert by_jid.returncode == 0 and "    gateway: 172.17.0.1\n" in by_jid.stdout
    assert "  interface: epair0b\n" in by_jid.stdout


def test_jexec_route_like_the_seed(host: SimulatedHost, tmp_path: Path) -> None:
    root = populate_rootfs(tmp_path / "root", ("sbin/route", "sbin/ifconfig"))
    _vnet_jail(host, root)
    result = host(("jexec", "j", "route", "-4", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "add net default: gateway 172.17.0.1\n", "")
    again = host(("jexec", "j", "route", "-4", "add", "default", "172.17.0.1"))
    assert (again.returncode, again.stdout) == (1, "add net default: gateway 172.17.0.1 fib 0: route already in table\n")


def test_jail_without_gateway_network(host: SimulatedHost, tmp_path: Path) -> None:
    host.create_jail("j", str(tmp_path), vnet=True)
    result = host(("route", "-j", "j", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout) == (1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n")


def test_non_vnet_jail_may_not_change_routes(host: SimulatedHost, tmp_path: Path) -> None:
    host.create_jail("j", str(tmp_path), vnet=False)
    result = host(("route", "-j", "j", "add", "-net", "10.5.0.0/16", "10.0.2.1"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "add net 10.5.0.0/16: gateway 10.0.2.1 fib 0: Operation not permitted\n", "")
    assert host(("route", "-j", "j", "get", "default")).returncode == 0  # reads the host's table


def test_non_vnet_jail_on_13(host13: SimulatedHost, tmp_path: Path) -> None:
    root = populate_rootfs(tmp_path / "root", ("sbin/route",))
    host13.create_jail("j", str(root), vnet=False)
    result = host13(("jexec", "j", "route", "add", "-net", "10.5.0.0/16", "10.0.2.1"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "route: writing to routing socket: Operation not permitted\n")


# -- faults ----------------------------------------------------------------------------------

FAULTS = [
    (("route", "add", "default", "10.0.2.1"), 1, "add net default: gateway 10.0.2.1 fib 0: Network is unreachable\n", ""),
    (("route", "-j", "j", "-4", "add", "default", "172.17.0.1"), 1,
     "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    (("route", "-q", "add", "default", "10.0.2.1"), 1, "", ""),
    (("route", "delete", "default"), 1, "delete net default fib 0: not in table\n", ""),
    (("route", "flush"), 1, "", "route: write to routing socket: Operation not permitted\n"),
]


@pytest.mark.parametrize(("argv", "rc", "out", "err"), FAULTS, ids=[" ".join(f[0]) for f in FAULTS])
def test_fault(host: SimulatedHost, argv: tuple[str, ...], rc: int, out: str, err: str) -> None:
    before = list(host.state.host.routes)
    host.fail_matching("route")
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)
    assert host.state.host.routes == before


def test_get_is_not_mutating(host: SimulatedHost) -> None:
    assert not COMMAND.mutating(["-n", "get", "default"])
    assert COMMAND.mutating(["-j", "j", "add", "default", "1.2.3.4"])
    host.fail_nth(1)
    assert host(("route", "get", "default")).returncode == 0
    assert host(("route", "delete", "default")).returncode == 1


ERRORS = [c for c in CASES if c[3] != 0]


@pytest.mark.parametrize(("setup", "argv", "rc", "out", "err"), [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_error_paths_through_the_executables(host: SimulatedHost, through_executables: Callable[..., Completed],
                                             setup: list[tuple[str, ...]], argv: tuple[str, ...], rc: int,
                                             out: str, err: str) -> None:
    for step in setup:
        assert host(step).returncode == 0, step
    result = through_executables(host, argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)
