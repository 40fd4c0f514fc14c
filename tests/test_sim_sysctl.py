"""The simulated sysctl(8) against sbin/sysctl/sysctl.c and sbin/sysctl/tests/sysctl_test.sh
(argv -> rc, out, err)."""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.program import getopt
from hooks.testing.sysctl import PROGRAM, USAGE, USAGE_13

USAGE_TEXT = USAGE + "\n"

CASES: list[tuple[str, list[tuple[str, ...]], tuple[str, ...], int, str, str]] = [
    ("read", [], ("sysctl", "net.inet.ip.forwarding"), 0, "net.inet.ip.forwarding: 0\n", ""),
    ("read -n", [], ("sysctl", "-n", "net.inet.ip.forwarding"), 0, "0\n", ""),
    ("read -n after set", [("sysctl", "net.inet.ip.forwarding=1")], ("sysctl", "-n", "net.inet.ip.forwarding"),
     0, "1\n", ""),
    ("read -e", [], ("sysctl", "-e", "net.pf.filter_local"), 0, "net.pf.filter_local=0\n", ""),
    ("read -N", [], ("sysctl", "-N", "net.pf.filter_local"), 0, "net.pf.filter_local\n", ""),
    ("read -x", [], ("sysctl", "-x", "net.link.bridge.pfil_member"),
     0, "net.link.bridge.pfil_member: 0x00000001\n", ""),
    ("read -x zero", [], ("sysctl", "-x", "net.inet.ip.forwarding"), 0, "net.inet.ip.forwarding: 0000000000\n", ""),
    # sbin/sysctl/tests/sysctl_test.sh: sysctl_by_name, _nflag, _eflag, _tflag, _dflag,
    # _tflag_dflag, _nflag_tflag_dflag (kern.ostype, "string", "Operating system type")
    ("test sysctl_by_name", [], ("sysctl", "kern.ostype"), 0, "kern.ostype: FreeBSD\n", ""),
    ("test sysctl_nflag", [], ("sysctl", "-n", "kern.ostype"), 0, "FreeBSD\n", ""),
    ("test sysctl_eflag", [], ("sysctl", "-e", "kern.ostype"), 0, "kern.ostype=FreeBSD\n", ""),
    ("test sysctl_tflag", [], ("sysctl", "-t", "kern.ostype"), 0, "kern.ostype: string\n", ""),
    ("test sysctl_dflag", [], ("sysctl", "-d", "kern.ostype"), 0, "kern.ostype: Operating system type\n", ""),
    ("test sysctl_tflag_dflag", [], ("sysctl", "-t", "-d", "kern.ostype"), 0,
     "kern.ostype: string: Operating system type\n", ""),
    ("test sysctl_tflag_dflag reversed", [], ("sysctl", "-d", "-t", "kern.ostype"), 0,
     "kern.ostype: string: Operating system type\n", ""),
    ("test sysctl_nflag_tflag_dflag", [], ("sysctl", "-n", "-t", "-d", "kern.ostype"), 0,
     "string: Operating system type\n", ""),
    ("-t integer", [], ("sysctl", "-t", "net.inet.ip.forwarding"), 0, "net.inet.ip.forwarding: integer\n", ""),
    ("-d with a value shows, sets nothing", [], ("sysctl", "-d", "kern.ostype=x"), 0,
     "kern.ostype: Operating system type\n", ""),
    ("-N and -n", [], ("sysctl", "-Nn", "net.pf.filter_local"), 1, "", USAGE_TEXT),
    ("-N and -l", [], ("sysctl", "-Nl", "net.pf.filter_local"), 1, "", USAGE_TEXT),
    ("-F", [], ("sysctl", "-F", "kern.ostype"), 1, "", "sysctl: -F: not simulated by the jailnet test host\n"),
    # parse(): name=value
    ("set", [], ("sysctl", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set again", [("sysctl", "net.inet.ip.forwarding=1")], ("sysctl", "net.inet.ip.forwarding=1"),
     0, "net.inet.ip.forwarding: 1 -> 1\n", ""),
    ("set back", [("sysctl", "net.inet.ip.forwarding=1")], ("sysctl", "net.inet.ip.forwarding=0"),
     0, "net.inet.ip.forwarding: 1 -> 0\n", ""),
    ("set -n", [], ("sysctl", "-n", "net.inet.ip.forwarding=1"), 0, "0 -> 1\n", ""),
    ("set -e", [], ("sysctl", "-e", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding=0 -> 1\n", ""),
    ("set -q", [], ("sysctl", "-q", "net.inet.ip.forwarding=1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set -N", [], ("sysctl", "-N", "net.inet.ip.forwarding=1"), 0,
     "net.inet.ip.forwarding -> net.inet.ip.forwarding\n", ""),
    ("set with a colon", [], ("sysctl", "net.inet.ip.forwarding:1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set quoted", [], ("sysctl", "net.inet.ip.forwarding='1'"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set blanks around =", [], ("sysctl", "net.inet.ip.forwarding = 1"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set hex", [], ("sysctl", "net.link.bridge.pfil_member=0x0"), 0,
     "net.link.bridge.pfil_member: 1 -> 0\n", ""),
    ("set two values", [], ("sysctl", "net.inet.ip.forwarding=1,0"), 0, "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("set truncated to int", [], ("sysctl", "net.inet.ip.forwarding=4294967297"), 0,
     "net.inet.ip.forwarding: 0 -> 1\n", ""),
    ("unknown oid", [], ("sysctl", "no.such.oid"), 1, "", "sysctl: unknown oid 'no.such.oid'\n"),
    ("unknown oid -q", [], ("sysctl", "-q", "no.such.oid"), 1, "", ""),
    ("unknown oid -i", [], ("sysctl", "-i", "no.such.oid"), 0, "", ""),
    ("unknown oid set", [], ("sysctl", "no.such.oid=1"), 1, "", "sysctl: unknown oid 'no.such.oid'\n"),
    ("leading blank is part of the name", [], ("sysctl", " kern.ostype"), 1, "",
     "sysctl: unknown oid ' kern.ostype'\n"),
    ("read only", [], ("sysctl", "kern.ostype=x"), 1, "", "sysctl: oid 'kern.ostype' is read only\n"),
    ("read only jailed", [], ("sysctl", "security.jail.jailed=0"), 1, "",
     "sysctl: oid 'security.jail.jailed' is read only\n"),
    ("invalid integer", [], ("sysctl", "net.inet.ip.forwarding=abc"), 1, "",
     "sysctl: invalid integer 'abc'\n"),
    ("trailing junk", [], ("sysctl", "net.inet.ip.forwarding=1x"), 1, "", "sysctl: invalid integer '1x'\n"),
    ("second value bad", [], ("sysctl", "net.inet.ip.forwarding=1 x"), 1, "", "sysctl: invalid integer 'x'\n"),
    ("past a long", [], ("sysctl", "net.inet.ip.forwarding=9223372036854775808"), 1, "",
     "sysctl: invalid integer '9223372036854775808'\n"),
    ("empty value", [], ("sysctl", "net.inet.ip.forwarding="), 1, "", "sysctl: empty numeric value\n"),
    ("empty quoted value", [], ("sysctl", "net.inet.ip.forwarding=''"), 1, "", "sysctl: empty numeric value\n"),
    ("node set", [], ("sysctl", "net.inet.ip=1"), 1, "", "sysctl: oid 'net.inet.ip' isn't a leaf node\n"),
    ("node read", [], ("sysctl", "net.link.bridge"), 0,
     "net.link.bridge.member_ifaddrs: 0\nnet.link.bridge.pfil_bridge: 0\nnet.link.bridge.pfil_member: 1\n", ""),
    ("-W with a set", [], ("sysctl", "-W", "net.inet.ip.forwarding=1"), 1, "",
     "sysctl: Can't set variables when using -T or -W\n" + USAGE_TEXT),
    ("-W leaves out read-only oids", [], ("sysctl", "-W", "kern.ostype", "net.inet.ip.forwarding"), 0,
     "net.inet.ip.forwarding: 0\n", ""),
    ("ostype", [], ("sysctl", "kern.ostype"), 0, "kern.ostype: FreeBSD\n", ""),
    ("osrelease", [], ("sysctl", "-n", "kern.osrelease"), 0, "14.2-RELEASE\n", ""),
    ("osreldate", [], ("sysctl", "-n", "kern.osreldate"), 0, "1402000\n", ""),
    ("machine", [], ("sysctl", "hw.machine", "hw.machine_arch"), 0, "hw.machine: amd64\nhw.machine_arch: amd64\n", ""),
    ("not jailed", [], ("sysctl", "-n", "security.jail.jailed"), 0, "0\n", ""),
    ("hostname set", [], ("sysctl", "kern.hostname=x"), 1, "",
     "sysctl: kern.hostname: setting it is not simulated by the jailnet test host\n"),
    # what jailnet runs
    ("jailnet osreldate and forwarding", [], ("sysctl", "-n", "kern.osreldate", "net.inet.ip.forwarding"), 0,
     "1402000\n0\n", ""),
    ("jailnet doctor", [], ("sysctl", "-e", "kern.osrelease", "kern.osreldate", "net.inet.ip.forwarding",
                            "net.link.bridge.pfil_member"), 0,
     "kern.osrelease=14.2-RELEASE\nkern.osreldate=1402000\nnet.inet.ip.forwarding=0\n"
     "net.link.bridge.pfil_member=1\n", ""),
    ("several names, two failures", [],
     ("sysctl", "net.inet.ip.forwarding=1", "no.such", "kern.ostype", "kern.ostype=x"), 2,
     "net.inet.ip.forwarding: 0 -> 1\nkern.ostype: FreeBSD\n",
     "sysctl: unknown oid 'no.such'\nsysctl: oid 'kern.ostype' is read only\n"),
    ("no names", [], ("sysctl",), 1, "", USAGE_TEXT),
    ("illegal option", [], ("sysctl", "-z", "kern.ostype"), 1, "", "sysctl: illegal option -- z\n" + USAGE_TEXT),
    ("-B without argument", [], ("sysctl", "-B"), 1, "", "sysctl: option requires an argument -- B\n" + USAGE_TEXT),
    ("missing -f file", [], ("sysctl", "-f", "/nonexistent/sysctl.conf"), 66, "",
     "sysctl: /nonexistent/sysctl.conf: No such file or directory\n"),
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


def test_13_has_no_F_or_l(host13: SimulatedHost) -> None:
    """The 13.x getopt string is AabB:def:hiNnoqtTwWxX."""
    result = host13(("sysctl", "-l", "kern.ostype"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "sysctl: illegal option -- l\n" + USAGE_13 + "\n")


def test_file(host: SimulatedHost, tmp_path: Path) -> None:
    """parsefile(): comments and blanks go; messages name the line."""
    host.state.root = str(tmp_path)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "sysctl.conf").write_text(
        "# forwarding\n\nnet.inet.ip.forwarding=1  # on\nno.such=1\nkern.ostype=x\n")
    result = host(("sysctl", "-f", "/etc/sysctl.conf"))
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "net.inet.ip.forwarding: 0 -> 1\n",
        "sysctl: unknown oid 'no.such' at line 4\nsysctl: oid 'kern.ostype' is read only at line 5\n")


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
    rc, out, err = PROGRAM.fault(["-n", "net.inet.ip.forwarding=1", "net.pf.filter_local=1"])
    assert (rc, out) == (2, "0\n0\n")
    assert err.count("Operation not permitted") == 2


def test_reads_are_not_mutating(host: SimulatedHost) -> None:
    assert not PROGRAM.mutating(["-n", "net.inet.ip.forwarding"])
    assert PROGRAM.mutating(["net.inet.ip.forwarding=1"])
    assert PROGRAM.mutating(["net.inet.ip.forwarding:1"])
    assert not PROGRAM.mutating(["-W", "net.inet.ip.forwarding=1"])
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
    assert getopt("sysctl", args, "AabB:def:FhilNnoqtTwWxX") == expected


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
