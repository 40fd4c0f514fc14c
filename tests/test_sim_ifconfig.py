"""The simulated ifconfig against freebsd-commands.md §1.1, §2 and §3 (in process)."""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs


@pytest.fixture
def scene(tmp_path: Path) -> SimulatedHost:
    """bridge0 (172.17.0.1/16) with member epair0a; epair0b in vnet jail j1; a free epair1;
    bridge1; a jail without vnet called plain."""
    host = SimulatedHost.freebsd()
    host.create_jail("j1", str(populate_rootfs(tmp_path / "j1")))
    host.create_jail("plain", str(tmp_path / "plain"), vnet=False)
    for argv in (
        ("ifconfig", "bridge", "create"),
        ("ifconfig", "bridge0", "inet", "172.17.0.1/16", "up"),
        ("ifconfig", "epair", "create"),
        ("ifconfig", "bridge0", "addm", "epair0a"),
        ("ifconfig", "epair0b", "vnet", "j1"),
        ("ifconfig", "epair", "create"),
        ("ifconfig", "bridge", "create"),
    ):
        assert host(argv).returncode == 0, argv
    host.clear_log()
    return host


E = "ifconfig: "
CASES = [
    # argv, exit status, stdout, stderr
    (("ifconfig", "epair", "create"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "up"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "descr", "x", "group", "jailnet"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "name", "foo"), 0, "foo\n", ""),
    (("ifconfig", "epair", "create", "name", "epair1a"), 1, "epair2a\n", E + "ioctl SIOCSIFNAME (set name): File exists\n"),
    (("ifconfig", "epair7", "create"), 0, "epair7a\n", ""),
    (("ifconfig", "epair1", "create"), 1, "", E + "interface epair1 already exists\n"),
    (("ifconfig", "epairlongername0", "create"), 1, "", E + "epairlongername0: cloning name too long\n"),
    (("ifconfig", "bridge", "create"), 0, "bridge2\n", ""),
    (("ifconfig", "bridge", "create", "name", "jailnet0"), 0, "jailnet0\n", ""),
    (("ifconfig", "bridge0", "create"), 1, "", E + "interface bridge0 already exists\n"),
    (("ifconfig", "bridge0", "create", "up"), 0, "", ""),
    (("ifconfig", "vlan0", "create"), 1, "", E + "SIOCIFCREATE2 (vlan0): Invalid argument\n"),
    (("ifconfig", "epair1a", "destroy"), 0, "", ""),
    (("ifconfig", "nosuch", "destroy"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "em0", "destroy"), 1, "", E + "SIOCIFDESTROY: Invalid argument\n"),
    (("ifconfig", "nosuch", "up"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "nosuch"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.17.0.1"), 0, "",
     E + "WARNING: setting interface address without mask is deprecated,\ndefault mask may not be correct.\n"),
    (("ifconfig", "bridge0", "inet", "1.2.3.4/33"), 1, "", E + "1.2.3.4/33: bad value (width too large)\n"),
    (("ifconfig", "bridge0", "inet", "bogus/24"), 1, "", E + "bogus: bad value\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16", "alias"), 1, "", E + "ioctl (SIOCAIFADDR): File exists\n"),
    (("ifconfig", "bridge0", "inet", "172.18.0.1/16", "-alias"), 1, "",
     E + "ioctl (SIOCDIFADDR): Can't assign requested address\n"),
    (("ifconfig", "bridge0", "addm", "epair1a"), 0, "", ""),
    (("ifconfig", "bridge0", "addm", "epair9a"), 1, "", E + "BRDGADD epair9a: No such file or directory\n"),
    (("ifconfig", "bridge0", "addm", "epair0a"), 1, "", E + "BRDGADD epair0a: File exists\n"),
    (("ifconfig", "bridge1", "addm", "epair0a"), 1, "", E + "BRDGADD epair0a: Device busy\n"),
    (("ifconfig", "nosuchbr", "addm", "epair1a"), 1, "", E + "interface nosuchbr does not exist\n"),
    (("ifconfig", "bridge0", "deletem", "epair0a"), 0, "", ""),
    (("ifconfig", "bridge0", "deletem", "epair1a"), 1, "", E + "BRDGDEL epair1a: No such file or directory\n"),
    (("ifconfig", "epair1b", "vnet", "j1"), 0, "", ""),
    (("ifconfig", "epair1b", "vnet", "1"), 0, "", ""),
    (("ifconfig", "epair1b", "vnet", "nojail"), 1, "", E + 'jail "nojail" not found\n'),
    (("ifconfig", "epair1b", "vnet", "999"), 1, "", E + "SIOCSIFVNET: Device not configured\n"),
    (("ifconfig", "epair1b", "vnet", "plain"), 1, "", E + "SIOCSIFVNET: File exists\n"),
    (("ifconfig", "epair0b", "vnet", "j1"), 1, "", E + "interface epair0b does not exist\n"),
    (("ifconfig", "epair0b", "-vnet", "j1"), 0, "", ""),
    (("ifconfig", "epair1b", "-vnet", "j1"), 1, "", E + "SIOCSIFRVNET(1, epair1b): File exists\n"),
    (("ifconfig", "epair9b", "-vnet", "j1"), 1, "", E + "SIOCSIFRVNET(1, epair9b): Device not configured\n"),
    (("ifconfig", "epair0b", "-vnet", "nojail"), 1, "", E + 'jail "nojail" not found\n'),
    (("ifconfig", "epair1a", "name", "foo"), 0, "foo\n", ""),
    (("ifconfig", "epair1a", "name", "em0"), 1, "", E + "ioctl SIOCSIFNAME (set name): File exists\n"),
    (("ifconfig", "epair1a", "name", "a" * 16), 1, "", E + "ioctl SIOCSIFNAME (set name): File name too long\n"),
    (("ifconfig", "epair1a", "name", ""), 1, "", E + "ioctl SIOCSIFNAME (set name): Invalid argument\n"),
    (("ifconfig", "epair1a", "description", "associated with jail: x"), 0, "", ""),
    (("ifconfig", "epair1a", "description", "d" * 1025), 1, "", E + "ioctl SIOCSIFDESCR (set descr): File name too long\n"),
    (("ifconfig", "epair1a", "group", "jailnet"), 0, "", ""),
    (("ifconfig", "epair1a", "group", "jailnet0"), 1, "", E + "setifgroup: group names may not end in a digit\n"),
    (("ifconfig", "-l"), 0, "em0 lo0 bridge0 epair0a epair1a epair1b bridge1\n", ""),
    (("ifconfig", "-l", "inet"), 0, "em0 lo0 bridge0\n", ""),
    (("ifconfig", "-g", "bridge"), 0, "bridge0\nbridge1\n", ""),
    (("ifconfig", "-g", "epair"), 0, "epair0a\nepair1a\nepair1b\n", ""),
    (("ifconfig", "-g", "nosuchgroup"), 0, "", ""),
    (("ifconfig", "-j", "j1", "-l"), 0, "lo0 epair0b\n", ""),
    (("ifconfig", "-j", "j1", "lo0", "inet", "127.0.0.1/8", "up"), 0, "", ""),
    (("ifconfig", "-j", "nojail", "-l"), 1, "", E + "jail not found: No such file or directory\n"),
]


@pytest.mark.parametrize(("argv", "code", "out", "err"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_ifconfig_answers_like_freebsd(scene: SimulatedHost, argv: tuple[str, ...], code: int, out: str, err: str) -> None:
    result = scene(argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)
    assert [i.argv for i in scene.log] == [list(argv)]
    assert scene.log[0].returncode == code


def test_option_j_is_unknown_before_13_3(host13: SimulatedHost) -> None:
    result = host13(("ifconfig", "-j", "x", "-l"))
    assert result.returncode == 1
    assert result.stderr.startswith("ifconfig: illegal option -- j\nusage: ifconfig ")
    assert "[-j jail]" not in result.stderr


def test_name_taken_by_vnet_move_target(scene: SimulatedHost) -> None:
    # if_vmove_loan: EEXIST when the name already exists inside the jail.
    assert scene(("ifconfig", "epair1b", "name", "epair0b")).stdout == "epair0b\n"
    result = scene(("ifconfig", "epair0b", "vnet", "j1"))
    assert (result.returncode, result.stderr) == (1, "ifconfig: SIOCSIFVNET: File exists\n")


def test_destroying_host_end_destroys_jail_end(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "epair0a", "destroy")).returncode == 0
    assert scene(("ifconfig", "-j", "j1", "-l")).stdout == "lo0\n"
    assert "epair0a" not in scene(("ifconfig", "-l")).stdout
    assert scene(("ifconfig", "bridge0")).stdout.count("member:") == 0


def test_destroying_jail_end_from_inside_destroys_both(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "-j", "j1", "epair0b", "destroy")).returncode == 0
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 epair1a epair1b bridge1\n"


def test_unit_is_held_while_an_end_lives_in_a_jail(scene: SimulatedHost) -> None:
    # epair0b is in j1 and epair0a was renamed: unit 0 is still reserved (§2.4).
    scene(("ifconfig", "epair0a", "name", "jn-host"))
    scene(("ifconfig", "epair1a", "destroy"))
    assert scene(("ifconfig", "epair", "create")).stdout == "epair1a\n"
    assert scene(("ifconfig", "epair", "create")).stdout == "epair2a\n"


def test_move_clears_addresses_membership_groups_and_up(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1b", "inet", "10.9.0.2/24", "group", "jailnet", "description", "kept", "up"))
    scene(("ifconfig", "bridge1", "addm", "epair1b"))
    assert scene(("ifconfig", "epair1b", "vnet", "j1")).returncode == 0
    block = scene(("ifconfig", "-j", "j1", "epair1b")).stdout
    assert block.splitlines()[0] == "epair1b: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
    assert "\tdescription: kept\n" in block
    assert "inet " not in block and "\tgroups: epair\n" in block
    assert "member:" not in scene(("ifconfig", "bridge1")).stdout


def test_rename_keeps_bridge_membership(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "epair0a", "name", "jn0123456789a")).stdout == "jn0123456789a\n"
    assert "\tmember: jn0123456789a flags=143<" in scene(("ifconfig", "bridge0")).stdout
    assert scene(("ifconfig", "jn0123456789a", "destroy")).returncode == 0
    assert "member:" not in scene(("ifconfig", "bridge0")).stdout


def test_words_apply_left_to_right_and_a_late_failure_leaks_the_epair(scene: SimulatedHost) -> None:
    result = scene(("ifconfig", "epair", "create", "group", "jailnet", "name", "em0", "up"))
    assert (result.returncode, result.stdout) == (1, "epair2a\n")
    block = scene(("ifconfig", "epair2a")).stdout
    assert "\tgroups: epair jailnet\n" in block  # applied before the failing word
    assert "<UP," not in block  # never reached


def test_address_without_alias_replaces_the_first_and_brings_it_up(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "inet", "10.1.0.1/24"))
    scene(("ifconfig", "epair1a", "inet", "10.2.0.1/24", "alias"))
    scene(("ifconfig", "epair1a", "inet", "10.3.0.1/16"))
    block = scene(("ifconfig", "epair1a")).stdout
    assert block.splitlines()[0].startswith("epair1a: flags=1008843<UP,")
    inet = [line for line in block.splitlines() if line.startswith("\tinet ")]
    assert inet == [
        "\tinet 10.3.0.1 netmask 0xffff0000 broadcast 10.3.255.255",
        "\tinet 10.2.0.1 netmask 0xffffff00 broadcast 10.2.0.255",
    ]


def test_new_vnet_loopback_gets_ipv6_when_brought_up(scene: SimulatedHost) -> None:
    before = scene(("ifconfig", "-j", "j1", "lo0")).stdout
    assert before == (
        "lo0: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384\n"
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
        "\tgroups: lo\n"
        "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
    )
    scene(("ifconfig", "-j", "j1", "lo0", "inet", "127.0.0.1/8", "up"))
    assert scene(("ifconfig", "-j", "j1", "lo0")).stdout == (
        "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n"
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
        "\tinet6 ::1 prefixlen 128\n"
        "\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1\n"
        "\tinet 127.0.0.1 netmask 0xff000000\n"
        "\tgroups: lo\n"
        "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
    )


def test_removed_jail_returns_the_epair_end_down_and_bare(scene: SimulatedHost) -> None:
    scene(("ifconfig", "-j", "j1", "epair0b", "inet", "172.17.0.2/16"))
    scene.remove_jail("j1")
    assert scene(("ifconfig", "-l")).stdout.split()[-1] == "epair0b"
    block = scene(("ifconfig", "epair0b")).stdout
    assert "<UP," not in block and "inet " not in block


def test_dying_jail_keeps_the_end_until_reaped(scene: SimulatedHost) -> None:
    scene.remove_jail("j1", linger=True)
    assert "epair0b" not in scene(("ifconfig", "-l")).stdout
    assert scene(("jls", "-j", "j1", "jid")).returncode == 1
    assert scene(("jls", "-d", "-j", "j1", "dying")).stdout == "true\n"
    # Destroying the host end reaches into the dying jail's vnet (§2.1).
    assert scene(("ifconfig", "epair0a", "destroy")).returncode == 0
    scene.reap("j1")
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 epair1a epair1b bridge1\n"


def test_interfaces_created_inside_a_vnet_die_with_it(scene: SimulatedHost) -> None:
    # epair0b (moved in from the host) holds the name unit 0 would get: if_epair.c
    # epair_handle_unit refuses with EEXIST and does not try another unit (§1.1).
    failed = scene(("ifconfig", "-j", "j1", "epair", "create"))
    assert (failed.returncode, failed.stderr) == (1, "ifconfig: interface epair already exists\n")
    assert scene(("ifconfig", "-j", "j1", "epair0b", "name", "eth0")).stdout == "eth0\n"
    assert scene(("ifconfig", "-j", "j1", "epair", "create")).stdout == "epair0a\n"
    scene.remove_jail("j1")
    # eth0 goes home under its current name; the pair made inside is destroyed (§2.2).
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 epair0a epair1a epair1b bridge1 eth0\n"


def test_status_of_a_member_on_13_matches_the_seed(host13: SimulatedHost) -> None:
    for argv in (("ifconfig", "epair", "create"), ("ifconfig", "bridge", "create"),
                 ("ifconfig", "bridge0", "addm", "epair0a"), ("ifconfig", "epair0a", "up")):
        host13(argv)
    block = host13(("ifconfig", "epair0a")).stdout.splitlines()
    assert block[0] == "epair0a: flags=8963<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500"
    assert block[2].startswith("\tether 02:") and block[2].endswith(":0a")
    assert host13(("ifconfig", "epair0b")).stdout.splitlines()[2][-3:] == ":0b"


def test_group_listing_and_mtu(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "group", "jailnet", "mtu", "9000"))
    assert scene(("ifconfig", "-g", "jailnet")).stdout == "epair1a\n"
    assert " mtu 9000\n" in scene(("ifconfig", "epair1a")).stdout.splitlines()[0] + "\n"
    assert scene(("ifconfig", "epair1a", "mtu", "abc")).stderr == "ifconfig: mtu abc: invalid\n"


ERRORS = [c for c in CASES if c[1] != 0]


@pytest.mark.parametrize(("argv", "code", "out", "err"), ERRORS, ids=[" ".join(c[0])[:60] for c in ERRORS])
def test_error_paths_through_the_executables(
    scene: SimulatedHost, through_executables: Callable[..., Completed], argv: tuple[str, ...], code: int, out: str, err: str
) -> None:
    result = through_executables(scene, argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)


def test_two_interfaces_may_come_home_with_one_name(scene: SimulatedHost, tmp_path: Path) -> None:
    # Both jails renamed their end eth0; when they die both come back as eth0 (if.c, §2.2).
    scene.create_jail("j2", str(populate_rootfs(tmp_path / "j2")))
    scene(("ifconfig", "epair1b", "vnet", "j2"))
    scene(("ifconfig", "-j", "j1", "epair0b", "name", "eth0"))
    scene(("ifconfig", "-j", "j2", "epair1b", "name", "eth0"))
    scene.remove_jail("j1")
    scene.remove_jail("j2")
    # The first comes home into the ifindex epair0b left free, the second gets the next one.
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 epair0a epair1a eth0 bridge1 eth0\n"
    assert scene(("ifconfig", "epair1a", "destroy")).returncode == 0  # takes its own eth0 along
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 epair0a eth0 bridge1\n"
    assert scene(("ifconfig", "eth0", "destroy")).returncode == 0
    assert scene(("ifconfig", "-l")).stdout == "em0 lo0 bridge0 bridge1\n"
