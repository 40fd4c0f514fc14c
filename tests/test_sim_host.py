"""SimulatedHost itself: the invocation log, fault injection, unknown programs, the standard host."""

import copy
from pathlib import Path

from hooks.testing import SimulatedHost, populate_rootfs


def test_fail_nth_counts_only_mutating_commands_and_changes_nothing(host: SimulatedHost) -> None:
    host.fail_nth(2)
    assert host(("ifconfig", "bridge", "create")).returncode == 0  # mutating no. 1
    assert host(("ifconfig", "-l")).returncode == 0  # a listing does not count
    before = copy.deepcopy(host.state.host)
    failed = host(("ifconfig", "epair", "create", "up"))  # mutating no. 2
    assert (failed.returncode, failed.stdout, failed.stderr) == (
        1, "", "ifconfig: SIOCIFCREATE2 (epair): No space left on device\n")
    assert host.state.host == before
    assert host(("ifconfig", "epair", "create")).stdout == "epair0a\n"  # the fault fired once
    assert [(i.argv[:2], i.returncode) for i in host.log] == [
        (["ifconfig", "bridge"], 0), (["ifconfig", "-l"], 0), (["ifconfig", "epair"], 1), (["ifconfig", "epair"], 0)]


def test_fail_matching_every_time(host: SimulatedHost) -> None:
    host.fail_matching("pfctl", "-t", "*", "-T", "add", times=-1)
    for _ in range(3):
        result = host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"))
        assert (result.returncode, result.stderr) == (255, "pfctl: Operation not permitted.\n")
    assert host.state.pf.table("jail-nat") is None
    host.clear_faults()
    assert host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2")).returncode == 0


def test_faults_inside_jexec_use_the_inner_commands_error(host: SimulatedHost, tmp_path: Path) -> None:
    host.create_jail("c", str(populate_rootfs(tmp_path / "c")))
    host.fail_matching("jexec", "c", "route")
    result = host(("jexec", "c", "route", "-4", "add", "default", "10.0.0.1"))
    assert (result.returncode, result.stdout) == (
        1, "add net default: gateway 10.0.0.1 fib 0: Network is unreachable\n"
    )


def test_unknown_program_is_not_found(host: SimulatedHost) -> None:
    result = host(("/usr/sbin/ngctl", "list"))
    assert (result.returncode, result.stderr) == (127, "/usr/sbin/ngctl: No such file or directory\n")


def test_program_is_found_by_basename(host: SimulatedHost) -> None:
    assert host(("/sbin/ifconfig", "-l")).stdout == "em0 lo0\n"
    assert host.log[-1].argv == ["ifconfig", "-l"]


def test_standard_host_is_like_the_seeds(host: SimulatedHost) -> None:
    assert host(("route", "-n", "get", "default")).stdout.splitlines()[3] == "    gateway: 10.0.2.2"
    assert host(("sysctl", "-n", "net.inet.ip.forwarding")).stdout == "0\n"
    assert host(("sysctl", "-n", "kern.osreldate")).stdout == "1402000\n"
    assert host(("pfctl", "-s", "info")).stdout.startswith("Status: Disabled")
    assert host.state.has_jail_flag()
    assert not SimulatedHost.freebsd("13.2-RELEASE").state.has_jail_flag()
    assert SimulatedHost.freebsd("13.3-RELEASE").state.has_jail_flag()


def test_pf_not_loaded(host: SimulatedHost) -> None:
    bare = SimulatedHost.freebsd(pf_loaded=False)
    result = bare(("pfctl", "-s", "info"))
    assert (result.returncode, result.stderr) == (1, "pfctl: /dev/pf: No such file or directory\n")
