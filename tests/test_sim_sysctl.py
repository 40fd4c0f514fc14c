"""The simulated sysctl(8) against freebsd-commands.md §1.3 and §3.8 (argv -> rc, out, err)."""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.command import getopt
from hooks.testing.sysctl import COMMAND, USAGE

USAGE_TEXT = USAGE + "\n"

CASES: list[tuple[str, list[tuple[str, ...]], tuple[str, ...], int, str, str]] = [
    ("read", [], ("sysctl", "net.inet.ip.forwarding"), 0, "net.inet.ip.forwarding: 0\n", ""),
    ("read -n", [], ("sysctl", "-n", "net.inet.ip.forwarding"), 0, "0\n", ""),
    ("read -n after set", [("sysctl", "net.inet.ip.forwarding=1")], ("sysctl", "-n", "net.inet.ip.forwarding"),
     0, "1\n", ""),
    ("read -e", [], ("sysctl", "-e", "net.pf.filter_local"), 0, "net.pf.filter_local=0\n", ""),
    ("read -N", [], ("sysctl", "-N", "net.pf.filter_local"), 0, "net.pf.filter_local\n", ""),
    ("-N and -n", [], ("sysctl", "-Nn", "net.pf.filter_local"), 1, "", USAGE_TEXT),
    ("set", [], ("sysctl", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set again", [("sysctl", "net.inet.ip.forwarding=1")], ("sysctl", "net.inet.ip.forwarding=1"),
     0, "net.inet.ip.forwarding: 1 -> 1\n", ""),
    ("set -n", [], ("sysctl", "-n", "net.inet.ip.forwarding=1"), 0, "0 -> 1\n", ""),
    ("set -e", [], ("sysctl", "-e", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding=0 -> 1\n", ""),
    ("set -q", [], ("sysctl", "-q", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set hex", [], ("sysctl", "net.link.bridge.pfil_member=0x0"), 0,
     "net.link.bridge.pfil_member: 1 -> 0\n", ""),
    ("set blank after =", [], ("sysctl", "net.inet.ip.forwarding= 1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("unknown oid", [], ("sysctl", "no.such.oid"), 1, "", "sysctl: unknown oid 'no.such.oid'\n"),
    ("unknown oid -q", [], ("sysctl", "-q", "no.such.oid"), 1, "", ""),
    ("unknown oid -i", [], ("sysctl", "-i", "no.such.oid"), 0, "", ""),
    ("unknown oid set", [], ("sysctl", "no.such.oid=1"), 1, "", "sysctl: unknown oid 'no.such.oid'\n"),
    ("read only", [], ("sysctl", "kern.ostype=x"), 1, "", "sysctl: oid 'kern.ostype' is read only\n"),
    ("read only jailed", [], ("sysctl", "security.jail.jailed=0"), 1, "",
     "sysctl: oid 'security.jail.jailed' is read only\n"),
    ("invalid integer", [], ("sysctl", "net.inet.ip.forwarding=abc"), 1, "",
     "sysctl: invalid integer 'abc'\n"),
    ("trailing junk", [], ("sysctl", "net.inet.ip.forwarding=1x"), 1, "", "sysctl: invalid integer '1x'\n"),
    ("out of int range", [], ("sysctl", "net.inet.ip.forwarding=4294967296"), 1, "",
     "sysctl: invalid integer '4294967296'\n"),
    ("empty value", [], ("sysctl", "net.inet.ip.forwarding="), 1, "", "sysctl: empty numeric value\n"),
    ("node set", [], ("sysctl", "net.inet.ip=1"), 1, "", "sysctl: oid 'net.inet.ip' isn't a leaf node\n"),
    ("node read", [], ("sysctl", "net.link.bridge"), 0,
     "net.link.bridge.member_ifaddrs: 0\nnet.link.bridge.pfil_bridge: 0\nnet.link.bridge.pfil_member: 1\n", ""),
    ("ostype", [], ("sysctl", "kern.ostype"), 0, "kern.ostype: FreeBSD\n", ""),
    ("osrelease", [], ("sysctl", "-n", "kern.osrelease"), 0, "14.2-RELEASE\n", ""),
    ("osreldate", [], ("sysctl", "-n", "kern.osreldate"), 0, "1402000\n", ""),
    ("not jailed", [], ("sysctl", "-n", "security.jail.jailed"), 0, "0\n", ""),
    ("several names, two failures", [],
     ("sysctl", "net.inet.ip.forwarding=1", "no.such", "kern.ostype", "kern.ostype=x"), 2,
     "net.inet.ip.forwarding: 0 -> 1\nkern.ostype: FreeBSD\n",
     "sysctl: unknown oid 'no.such'\nsysctl: oid 'kern.ostype' is read only\n"),
    ("no names", [], ("sysctl",), 1, "", USAGE_TEXT),
    ("illegal option", [], ("sysctl", "-z", "kern.ostype"), 1, "", "sysctl: illegal option -- z\n" + USAGE_TEXT),
]


@pytest.mark.parametrize(("setup", "argv", "rc", "out", "err"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_sysctl(host: SimulatedHost, setup: list[tuple[str, ...]], argv: tuple[str, ...], rc: int,
                out: str, err: str) -> None:
    for step in setup:
        assert host(step).returncode == 0
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


def test_set_changes_the_host_vnet(host: SimulatedHost) -> None:
    host(("sysctl", "net.inet.ip.forwarding=1"))
    assert host.state.host.sysctls["net.inet.ip.forwarding"] == 1


def test_all(host: SimulatedHost) -> None:
    result = host(("sysctl", "-a"))
    assert result.returncode == 0
    assert "kern.ostype: FreeBSD\n" in result.stdout
    assert "net.inet.ip.forwarding: 0\n" in result.stdout


def test_older_release(host13: SimulatedHost) -> None:
    result = host13(("sysctl", "-n", "kern.osrelease", "kern.osreldate"))
    assert (result.returncode, result.stdout) == (0, "13.2-RELEASE\n1302000\n")


# -- inside jails (jexec) ---------------------------------------------------------------------


def _jail(host: SimulatedHost, tmp_path: Path, *, vnet: bool) -> None:
    root = populate_rootfs(tmp_path / "root", ("sbin/sysctl",))
    host.create_jail("j", str(root), vnet=vnet)


def test_vnet_jail_has_its_own_forwarding(host: SimulatedHost, tmp_path: Path) -> None:
    _jail(host, tmp_path, vnet=True)
    result = host(("jexec", "j", "sysctl", "net.inet.ip.forwarding=1"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "net.inet.ip.forwarding: 0 -> 1\n", "")
    jail = host.state.find_jail("j")
    assert jail is not None and jail.vnet is not None
    assert jail.vnet.sysctls["net.inet.ip.forwarding"] == 1
    assert host.state.host.sysctls["net.inet.ip.forwarding"] == 0
    assert host(("jexec", "j", "sysctl", "-n", "security.jail.jailed")).stdout == "1\n"


def test_non_vnet_jail_cannot_set(host: SimulatedHost, tmp_path: Path) -> None:
    _jail(host, tmp_path, vnet=False)
    host(("sysctl", "net.inet.ip.forwarding=1"))
    result = host(("jexec", "j", "sysctl", "net.inet.ip.forwarding=0"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "net.inet.ip.forwarding: 1\n", "sysctl: net.inet.ip.forwarding=0: Operation not permitted\n")
    assert host.state.host.sysctls["net.inet.ip.forwarding"] == 1
    read = host(("jexec", "j", "sysctl", "net.inet.ip.forwarding"))
    assert (read.returncode, read.stdout) == (0, "net.inet.ip.forwarding: 1\n")


# -- faults ----------------------------------------------------------------------------------


def test_fault_on_set(host: SimulatedHost) -> None:
    host.fail_matching("sysctl")
    result = host(("sysctl", "net.inet.ip.forwarding=1"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "net.inet.ip.forwarding: 0\n", "sysctl: net.inet.ip.forwarding=1: Operation not permitted\n")
    assert host.state.host.sysctls["net.inet.ip.forwarding"] == 0


def test_fault_on_two_sets_with_n() -> None:
    rc, out, err = COMMAND.fault(["-n", "net.inet.ip.forwarding=1", "net.pf.filter_local=1"])
    assert (rc, out) == (2, "0\n0\n")
    assert err.count("Operation not permitted") == 2


def test_reads_are_not_mutating(host: SimulatedHost) -> None:
    assert not COMMAND.mutating(["-n", "net.inet.ip.forwarding"])
    assert COMMAND.mutating(["net.inet.ip.forwarding=1"])
    host.fail_nth(1)
    assert host(("sysctl", "kern.ostype")).returncode == 0
    assert host(("sysctl", "net.inet.ip.forwarding=1")).returncode == 1


@pytest.mark.parametrize(("args", "expected"), [
    (["-n", "a"], ([("n", "")], ["a"], "")),
    (["-ne", "--", "-x"], ([("n", ""), ("e", "")], ["-x"], "")),
    (["-B", "10", "a"], ([("B", "10")], ["a"], "")),
    (["-B10", "a"], ([("B", "10")], ["a"], "")),
    (["-B"], ([], [], "sysctl: option requires an argument -- B")),
    (["a", "-n"], ([], ["a", "-n"], "")),
])
def test_getopt(args: list[str], expected: tuple[list[tuple[str, str]], list[str], str]) -> None:
    assert getopt("sysctl", args, "AabB:def:hiNnoqtTwWxX") == expected


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
