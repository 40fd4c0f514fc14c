"""The simulated ifconfig's IPv6 (sbin/ifconfig/af_inet6.c, af_nd6.c) and the kernel code it calls
(sys/netinet6/in6.c, nd6.c, in6_ifattach.c), in process.

Each expectation names the FreeBSD function it follows; hooks/testing/ifconfig.py and
hooks/testing/interfaces.py cite the files. The simulated host has no clock: DAD never ends, so
an address DAD runs for stays ``tentative`` (see hooks/testing/interfaces.py).
"""

from pathlib import Path

import pytest

from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.ifconfig import inet_ntop6, inet_pton6
from hooks.testing.store import dump_state, load_state

E = "ifconfig: "
BAD_SLOT = E + "ioctl (SIOCDIFADDR): Can't assign requested address\n"
RELEASES = ("13.2-RELEASE", "14.2-RELEASE", "15.0-RELEASE")


def make(release: str, tmp_path: Path) -> SimulatedHost:
    """em0, lo0; bridge0 (down, IFDISABLED); epair0a/b on the host; epair1a in vnet jail j1."""
    host = SimulatedHost.freebsd(release)
    host.create_jail("j1", str(populate_rootfs(tmp_path / "j1")))
    for argv in (("ifconfig", "bridge", "create"), ("ifconfig", "epair", "create"), ("ifconfig", "epair", "create"),
                 ("ifconfig", "epair1a", "vnet", "j1")):
        assert host(argv).returncode == 0, argv
    host.clear_log()
    return host


@pytest.fixture(params=RELEASES)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> SimulatedHost:
    return make(request.param, tmp_path)


@pytest.fixture
def host14(tmp_path: Path) -> SimulatedHost:
    return make("14.2-RELEASE", tmp_path)


@pytest.fixture
def host13(tmp_path: Path) -> SimulatedHost:
    return make("13.2-RELEASE", tmp_path)


def ok(host: SimulatedHost, *argv: str) -> str:
    result = host(argv)
    assert (result.returncode, result.stderr) == (0, ""), (argv, result.stderr)
    return result.stdout


def inet6_lines(host: SimulatedHost, name: str, *jail: str) -> list[str]:
    """The inet6 and nd6 lines of ``ifconfig NAME`` (in ``jail`` through jexec, any release)."""
    text = ok(host, *(("jexec", jail[0], "/sbin/ifconfig") if jail else ("ifconfig",)), name)
    return [line[1:] for line in text.splitlines() if line.startswith(("\tinet6 ", "\tnd6 "))]


def netlink(host: SimulatedHost) -> bool:
    return host.state.osreldate >= 1400000


# -- libc: inet_pton(3), inet_ntop(3) (lib/libc/inet/) --------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("::", 0), ("::1", 1), ("fd00:198:18::1", 0xFD000198001800000000000000000001),
    ("FD00:0198:0018:0:0:0:0:1", 0xFD000198001800000000000000000001),
    ("::ffff:1.2.3.4", 0xFFFF01020304), ("1::", 1 << 112), ("::1.2.3.4", 0x01020304),
    (":1::", None), ("1::2::3", None), ("12345::", None), ("1:2:3:4:5:6:7:8:9", None), ("1:", None),
    ("::1.2.3", None), ("::01.2.3.4", None), ("::256.1.1.1", None), ("fe80::1%lo0", None), ("", None),
    ("g::", None), ("1:2:3:4:5:6:7::", 0x00010002000300040005000600070000), ("1:2:3:4:5:6:7:8::", None),
])
def test_inet_pton6(text: str, value: int | None) -> None:
    assert inet_pton6(text) == value


@pytest.mark.parametrize(("value", "text"), [
    # "(best.len == 7 && words[7] != 0x0001)" is never reached: word 6 is inside that run
    (0, "::"), (1, "::1"), (2, "::2"), (0x01020304, "::1.2.3.4"), (0xFFFF01020304, "::ffff:1.2.3.4"),
    (0xFD000198001800000000000000000001, "fd00:198:18::1"),
    (0xFE800000000000000A0027FFFEF3CD05, "fe80::a00:27ff:fef3:cd05"),
    (0x00010000000100000000000000000001, "1:0:1::1"), (0x00010000000000010000000000000001, "1:0:0:1::1"),
    (0x00010000000000010000000000010001, "1::1:0:0:1:1"),
    (0x00010002000300040005000600070008, "1:2:3:4:5:6:7:8"), (0x00010000000200030004000500060007, "1:0:2:3:4:5:6:7"),
])
def test_inet_ntop6(value: int, text: str) -> None:
    assert inet_ntop6(value) == text


# -- af_inet6.c in6_getaddr(), setifprefixlen(), in6_postproc() ------------------------------------


@pytest.mark.parametrize(("words", "err"), [
    (("inet6", "fd00::zz/64"), "fd00::zz: bad value\n"),
    (("inet6", "fd00::1/129"), "129: bad value\n"),
    (("inet6", "fd00::1/-1"), "-1: bad value\n"),
    (("inet6", "bogus/200"), "200: bad value\n"),
    (("inet6", "fd00::1", "prefixlen", "300"), "300: bad value\n"),
    (("inet6", "fe80::1%nosuch0/64"), "fe80::1%nosuch0: bad value\n"),
    (("inet6", "10.0.0.1/24"), "10.0.0.1: bad value\n"),
    (("up", "inet6", "fd00::1/64"), "inet6: bad value\n"),
    (("inet6", "inet6", "fd00::1/64"), "inet6: bad value\n"),
    (("inet6", "-alias", "fd00::1/64"), "fd00::1/64: bad value\n"),
])
def test_bad_words(host: SimulatedHost, words: tuple[str, ...], err: str) -> None:
    result = host(("ifconfig", "bridge0", *words))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", E + err)


@pytest.mark.parametrize(("words", "line13", "line14"), [
    (("fd00::1",), "fd00::1 prefixlen 64", "fd00::1 prefixlen 64"),
    (("fd00::1/48",), "fd00::1 prefixlen 48", "fd00::1 prefixlen 48"),
    (("fd00::1", "prefixlen", "56"), "fd00::1 prefixlen 56", "fd00::1 prefixlen 56"),
    (("fd00::1/48", "prefixlen", "56"), "fd00::1 prefixlen 56", "fd00::1 prefixlen 56"),
    (("fd00::1/128",), "fd00::1 prefixlen 128", "fd00::1 prefixlen 128"),
    # 14.x in6_getaddr() sets "px->plen = 128" for the address after the prefixlen word
    (("prefixlen", "56", "fd00::1"), "fd00::1 prefixlen 56", "fd00::1 prefixlen 128"),
    # 13.x in6_getprefix(): "if ((len == 0) || (len == 128))" an all-ones mask; 14.x sends 0: EINVAL
    (("fd00::1/0",), "fd00::1 prefixlen 128", None),
    (("fd00::1/abc",), "fd00::1 prefixlen 128", None),
    (("FD00:0:0::1%5/64",), "fd00::1 prefixlen 64", "fd00::1 prefixlen 64"),
])
def test_address_forms(host: SimulatedHost, words: tuple[str, ...], line13: str, line14: str | None) -> None:
    result = host(("ifconfig", "bridge0", "inet6", *words, "no_dad"))
    wanted = line14 if netlink(host) else line13
    if wanted is None:
        assert (result.returncode, result.stderr) == (1, E + "ioctl (SIOCAIFADDR): Invalid argument\n")
        assert inet6_lines(host, "bridge0") == ["nd6 options=109<PERFORMNUD,IFDISABLED,NO_DAD>"]
        return
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert inet6_lines(host, "bridge0") == [f"inet6 {wanted}", "nd6 options=101<PERFORMNUD,NO_DAD>"]


@pytest.mark.parametrize(("address", "err"), [
    ("::", "::"), ("ff02::1/64", "ff02::1"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
])
def test_special_addresses_are_not_simulated(host: SimulatedHost, address: str, err: str) -> None:
    result = host(("ifconfig", "bridge0", "inet6", address))
    wanted = E + f"{err}: not simulated by the jailnet test host (a special IPv6 address)\n"
    assert (result.returncode, result.stderr) == (1, wanted)


def test_netmask_and_broadcast_are_not_simulated_with_inet6(host: SimulatedHost) -> None:
    for word in ("netmask", "broadcast"):
        result = host(("ifconfig", "bridge0", "inet6", "fd00::1", word, "ffff::"))
        assert result.returncode == 1
        assert result.stderr.startswith(E + f"{word}: not simulated by the jailnet test host")


def test_loopback_address_elsewhere_fails_in6_setscope(host: SimulatedHost) -> None:
    # in6.c in6_control_ioctl() runs in6_setscope() first: ::1 off a loopback is EINVAL, and the
    # first request is the delete (clearaddr)
    result = host(("ifconfig", "bridge0", "inet6", "::1"))
    assert (result.returncode, result.stderr) == (1, E + "ioctl (SIOCDIFADDR): Invalid argument\n")
    assert host(("ifconfig", "lo0", "inet6", "::1", "prefixlen", "128")).returncode == 0


def test_destination_address_needs_a_loopback(host: SimulatedHost) -> None:
    result = host(("ifconfig", "bridge0", "inet6", "fd00::1/64", "fd00::2"))
    assert (result.returncode, result.stderr) == (1, E + "ioctl (SIOCAIFADDR): Invalid argument\n")
    assert host(("ifconfig", "lo0", "inet6", "fd00::1/64", "fd00::2")).returncode == 1
    assert host(("ifconfig", "lo0", "inet6", "fd00::1/128", "fd00::2")).returncode == 0


# -- notealias(), delifaddr(), addifaddr() --------------------------------------------------------


def test_alias_is_optional_and_minus_alias_removes_only_that_address(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64", "no_dad")
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::2/64")
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::3/64", "alias")
    assert inet6_lines(host, "bridge0")[:3] == ["inet6 fd00::1 prefixlen 64", "inet6 fd00::2 prefixlen 64",
                                               "inet6 fd00::3 prefixlen 64"]
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::2", "-alias")
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::3/64", "delete")
    assert inet6_lines(host, "bridge0") == ["inet6 fd00::1 prefixlen 64", "nd6 options=101<PERFORMNUD,NO_DAD>"]
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1", "remove")
    assert inet6_lines(host, "bridge0") == ["nd6 options=101<PERFORMNUD,NO_DAD>"]


@pytest.mark.parametrize("words", [
    ("fd00::9", "-alias"), ("-alias", "fd00::1"), ("-alias",), ("fd00::9", "delete"),
])
def test_removals_that_find_nothing(host: SimulatedHost, words: tuple[str, ...]) -> None:
    # af_ridreq is the add request itself: after "-alias" an address goes to the unused RIDADDR
    # slot and the delete asks for "::"; in6.c: "if (ia == NULL) { error = EADDRNOTAVAIL"
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64", "no_dad")
    result = host(("ifconfig", "bridge0", "inet6", *words))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", BAD_SLOT)
    assert "inet6 fd00::1 prefixlen 64" in inet6_lines(host, "bridge0")


def test_readding_without_alias_replaces_and_alias_may_not_change_the_prefix(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64", "no_dad")
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::2/64")
    # in6_validate_ifra(): "the prefix length of an existing ... address should not be changed"
    result = host(("ifconfig", "bridge0", "inet6", "fd00::1/48", "alias"))
    assert (result.returncode, result.stderr) == (1, E + "ioctl (SIOCAIFADDR): Invalid argument\n")
    # without alias the old one is deleted first and the new one goes to the tail
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/48")
    assert inet6_lines(host, "bridge0")[:2] == ["inet6 fd00::2 prefixlen 64", "inet6 fd00::1 prefixlen 48"]


def test_the_address_lands_on_the_name_the_loop_ended_with(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "epair0a", "inet6", "fd00::1/64", "no_dad", "up", "name", "jn0")
    assert inet6_lines(host, "jn0")[0] == "inet6 fd00::1 prefixlen 64"
    link_local = inet6_lines(host, "jn0")[1]
    assert link_local.startswith("inet6 fe80::") and "%jn0 prefixlen 64 scopeid 0x" in link_local


def test_address_given_before_a_move_fails_by_release(host: SimulatedHost) -> None:
    # 13.x SIOCDIFADDR_IN6 on the vanished name: ENXIO -> Perror "no such interface"; 14.x
    # in6_exec_nl() sends ifindex 0 and rtnl_handle_addr() answers ENOENT
    result = host(("ifconfig", "epair0b", "inet6", "fd00::1/64", "vnet", "j1"))
    text = "No such file or directory" if netlink(host) else "no such interface"
    assert (result.returncode, result.stderr) == (1, E + f"ioctl (SIOCDIFADDR): {text}\n")
    assert "epair0b" in ok(host, "jexec", "j1", "/sbin/ifconfig", "-l")


# -- ND6 flags (af_nd6.c setnd6flags(), nd6.c nd6_ifattach()/nd6_ioctl()) ---------------------------


def test_new_interfaces_get_the_kernel_defaults(host: SimulatedHost) -> None:
    assert inet6_lines(host, "bridge0") == ["nd6 options=9<PERFORMNUD,IFDISABLED>"]
    assert inet6_lines(host, "epair0a") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]
    assert inet6_lines(host, "epair1a", "j1") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]
    assert inet6_lines(host, "lo0", "j1") == ["nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>"]
    assert inet6_lines(host, "em0")[-1] == "nd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>"


@pytest.mark.parametrize(("words", "nd6"), [
    (("no_dad",), "129<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL,NO_DAD>"),
    (("no_dad", "-no_dad"), "29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"),
    (("-auto_linklocal",), "9<PERFORMNUD,IFDISABLED>"),
    (("accept_rtadv",), "2b<PERFORMNUD,ACCEPT_RTADV,IFDISABLED,AUTO_LINKLOCAL>"),
    (("-nud", "no_radr"), "68<IFDISABLED,AUTO_LINKLOCAL,NO_RADR>"),
    (("no_prefer_iface",), "a9<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL,NO_PREFER_IFACE>"),
    (("-ifdisabled",), "21<PERFORMNUD,AUTO_LINKLOCAL>"),
    (("-ifdisabled", "ifdisabled"), "29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"),
])
def test_nd6_words(host: SimulatedHost, words: tuple[str, ...], nd6: str) -> None:
    ok(host, "ifconfig", "epair0a", "inet6", *words)
    assert inet6_lines(host, "epair0a") == [f"nd6 options={nd6}"]


def test_nd6_words_need_an_inet6_socket(host: SimulatedHost) -> None:
    # af_nd6.c setnd6flags() ioctls the command's socket: without "inet6" it is AF_INET, whose
    # control hands SIOCGIFINFO_IN6 to the driver, which refuses it; only a warning
    for argv in (("ifconfig", "epair0a", "no_dad"), ("ifconfig", "epair0a", "link", "no_dad")):
        result = host(argv)
        assert (result.returncode, result.stderr) == (0, E + "ioctl(SIOCGIFINFO_IN6): Invalid argument\n")
    assert inet6_lines(host, "epair0a") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]


def test_nd6_words_after_a_rename_name_the_old_interface_on_13(host: SimulatedHost) -> None:
    # 13.x setnd6flags() names the global ifr.ifr_name, which setifname() left at the old name
    result = host(("ifconfig", "epair0a", "inet6", "name", "jn0", "no_dad"))
    if netlink(host):
        assert (result.returncode, result.stderr) == (0, "")
        assert inet6_lines(host, "jn0") == ["nd6 options=129<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL,NO_DAD>"]
    else:
        assert (result.returncode, result.stderr) == (0, E + "ioctl(SIOCGIFINFO_IN6): Device not configured\n")
        assert inet6_lines(host, "jn0") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]
    # setifmtu() copies the current name into ifr.ifr_name again
    ok(host, "ifconfig", "jn0", "inet6", "name", "jn1", "mtu", "1400", "no_dad")
    assert inet6_lines(host, "jn1") == ["nd6 options=129<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL,NO_DAD>"]


def test_nd6_words_right_after_a_create_name_the_cloner_on_13(host: SimulatedHost) -> None:
    # ifclone.c ifclonecreate() fills a local ifreq: 13.x ifr.ifr_name is still "bridge"
    result = host(("ifconfig", "bridge", "create", "inet6", "fd00::1/64", "no_dad", "name", "br6"))
    warning = "" if netlink(host) else E + "ioctl(SIOCGIFINFO_IN6): Device not configured\n"
    assert (result.returncode, result.stdout, result.stderr) == (0, "br6\n", warning)
    nd6 = "101<PERFORMNUD,NO_DAD>" if netlink(host) else "1<PERFORMNUD>"
    assert inet6_lines(host, "br6") == ["inet6 fd00::1 prefixlen 64", f"nd6 options={nd6}"]


def test_a_move_gives_fresh_flags_and_no_addresses(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "epair0b", "inet6", "fd00::2/64", "no_dad", "accept_rtadv", "up")
    ok(host, "ifconfig", "epair0b", "vnet", "j1")
    assert inet6_lines(host, "epair0b", "j1") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]
    ok(host, "ifconfig", "epair0b", "-vnet", "j1")
    assert inet6_lines(host, "epair0b") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]


# -- link-local addresses, IFDISABLED, DAD --------------------------------------------------------


@pytest.mark.parametrize(("mac", "link_local"), [
    ("02:7b:e0:b2:dc:0a", "fe80::7b:e0ff:feb2:dc0a"),
    ("08:00:27:f3:cd:05", "fe80::a00:27ff:fef3:cd05"),
    ("58:9c:fc:10:20:30", "fe80::5a9c:fcff:fe10:2030"),
])
def test_link_local_is_the_modified_eui64_of_the_mac(host: SimulatedHost, mac: str, link_local: str) -> None:
    ok(host, "ifconfig", "epair0a", "ether", mac)
    ok(host, "ifconfig", "epair0a", "inet6", "no_dad", "-ifdisabled", "up")
    index = host.state.host.interfaces["epair0a"].index
    assert inet6_lines(host, "epair0a") == [f"inet6 {link_local}%epair0a prefixlen 64 scopeid 0x{index:x}",
                                          "nd6 options=121<PERFORMNUD,AUTO_LINKLOCAL,NO_DAD>"]


def test_an_address_added_while_ifdisabled_is_not_tentative_but_the_link_local_is(host: SimulatedHost) -> None:
    ok(host, "jexec", "j1", "/sbin/ifconfig", "epair1a", "up")
    ok(host, "jexec", "j1", "/sbin/ifconfig", "epair1a", "inet6", "fd00::2/64")
    lines = inet6_lines(host, "epair1a", "j1")
    assert lines[0] == "inet6 fd00::2 prefixlen 64"
    assert lines[1].startswith("inet6 fe80::") and "%epair1a prefixlen 64 tentative scopeid 0x" in lines[1]
    assert lines[2] == "nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>"


@pytest.mark.parametrize(("words", "tentative"), [
    (("fd00::1/64",), False),  # IFDISABLED at the add: in6if_do_dad() is 0
    (("-ifdisabled", "fd00::1/64"), True),  # cleared first: DAD runs and, here, never ends
    (("-ifdisabled", "fd00::1/64", "no_dad"), False),
    (("no_dad", "-ifdisabled", "fd00::1/64"), False),
])
def test_tentative(host: SimulatedHost, words: tuple[str, ...], tentative: bool) -> None:
    ok(host, "ifconfig", "bridge0", "inet6", *words)
    assert inet6_lines(host, "bridge0")[0] == "inet6 fd00::1 prefixlen 64" + (" tentative" if tentative else "")


def test_ifdisabled_marks_every_address_tentative_and_no_dad_clears_it_on_the_way_back(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64")
    assert inet6_lines(host, "bridge0")[0] == "inet6 fd00::1 prefixlen 64"
    ok(host, "ifconfig", "bridge0", "inet6", "ifdisabled")
    assert inet6_lines(host, "bridge0")[0] == "inet6 fd00::1 prefixlen 64 tentative"
    ok(host, "ifconfig", "bridge0", "inet6", "-ifdisabled")
    assert inet6_lines(host, "bridge0")[0] == "inet6 fd00::1 prefixlen 64 tentative"  # DAD restarted
    ok(host, "ifconfig", "bridge0", "inet6", "ifdisabled", "no_dad", "-ifdisabled")
    assert inet6_lines(host, "bridge0") == ["inet6 fd00::1 prefixlen 64", "nd6 options=101<PERFORMNUD,NO_DAD>"]


def test_the_first_address_brings_the_interface_up_and_its_link_local(host: SimulatedHost) -> None:
    # in6.c in6_notify_ifa(): the first IPv6 address is the driver's SIOCSIFADDR (ether_ioctl sets
    # IFF_UP); in6_addifaddr() clears IFDISABLED; the interface is up, so in6_if_up() adds fe80::
    ok(host, "ifconfig", "epair0a", "inet6", "fd00::1/64", "no_dad")
    text = ok(host, "ifconfig", "epair0a")
    assert "<UP," in text.splitlines()[0]
    lines = inet6_lines(host, "epair0a")
    assert lines[0] == "inet6 fd00::1 prefixlen 64"
    assert lines[1].startswith("inet6 fe80::") and "%epair0a prefixlen 64 scopeid" in lines[1]
    # a bridge has no AUTO_LINKLOCAL; asking for it adds one at once (nd6_ioctl "auto_linklocal 0->1")
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::9/64", "no_dad")
    assert len(inet6_lines(host, "bridge0")) == 2
    ok(host, "ifconfig", "bridge0", "inet6", "auto_linklocal")
    assert inet6_lines(host, "bridge0")[1].startswith("inet6 fe80::")


def test_loopback_gets_its_addresses_from_an_ipv4_address_too(host: SimulatedHost) -> None:
    # the address makes loioctl() set IFF_UP; the caller's if_up() runs in6_if_up()
    ok(host, "jexec", "j1", "/sbin/ifconfig", "lo0", "inet", "127.0.0.1/8")
    assert inet6_lines(host, "lo0", "j1")[:2] == ["inet6 ::1 prefixlen 128", "inet6 fe80::1%lo0 prefixlen 64 scopeid 0x"
                                                  + ("1" if not netlink(host) else "3")]


def test_rename_follows_the_scope(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "epair0a", "inet6", "fd00::1/64", "no_dad")
    ok(host, "ifconfig", "epair0a", "name", "x0")
    assert "%x0 prefixlen 64" in inet6_lines(host, "x0")[1]


def test_destroy_and_jail_removal_drop_the_addresses(host: SimulatedHost) -> None:
    ok(host, "jexec", "j1", "/sbin/ifconfig", "epair1a", "inet6", "fd00::2/64", "no_dad")
    host.remove_jail("j1")
    assert inet6_lines(host, "epair1a") == ["nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"]


# -- status: the order of inet and inet6 lines ------------------------------------------------------


def test_netlink_lists_inet_first_13_lists_the_first_family_first(host14: SimulatedHost, host13: SimulatedHost) -> None:
    for host in (host14, host13):
        ok(host, "ifconfig", "epair0a", "inet6", "fd00::1/64", "no_dad")
        ok(host, "ifconfig", "epair0a", "inet", "10.0.0.1/24")
    lines14 = [line.split()[0] for line in ok(host14, "ifconfig", "epair0a").splitlines()[1:]]
    lines13 = [line.split()[0] for line in ok(host13, "ifconfig", "epair0a").splitlines()[1:]]
    assert lines14[:5] == ["options=8<VLAN_MTU>", "ether", "inet", "inet6", "inet6"]
    assert lines13[:5] == ["options=8<VLAN_MTU>", "ether", "inet6", "inet6", "inet"]
    assert ok(host14, "ifconfig", "em0").index("\tinet ") < ok(host14, "ifconfig", "em0").index("\tinet6 ")
    assert ok(host13, "ifconfig", "em0").index("\tinet6 ") < ok(host13, "ifconfig", "em0").index("\tinet ")


def test_family_listings(host14: SimulatedHost, host13: SimulatedHost) -> None:
    for host in (host14, host13):
        ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64", "no_dad")
        assert ok(host, "ifconfig", "-l", "inet6") == "em0 lo0 bridge0\n"
    # 14.x match_iface(): no address of the family, no block; 13.x prints the header and nd6
    assert ok(host14, "ifconfig", "epair0a", "inet6") == ""
    assert ok(host13, "ifconfig", "epair0a", "inet6") == (
        "epair0a: flags=8862<BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\toptions=8<VLAN_MTU>\n"
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n"
    )
    assert ok(host14, "ifconfig", "bridge0", "inet6") == (
        "bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\toptions=0\n"
        "\tinet6 fd00::1 prefixlen 64\n"
        "\tnd6 options=101<PERFORMNUD,NO_DAD>\n"
    )


# -- the forms jailnet runs, end to end --------------------------------------------------------------


@pytest.mark.parametrize("release", ["13.3-RELEASE", "14.2-RELEASE", "15.0-RELEASE"])
def test_the_dual_stack_production_forms(release: str, tmp_path: Path) -> None:
    host = SimulatedHost.freebsd(release)
    root = populate_rootfs(tmp_path / "c1", binaries=("sbin/ifconfig", "sbin/route"))
    jid = str(host.create_jail("c1", str(root)).jid)
    for argv, out in [
        (("ifconfig", "bridge", "create", "inet", "198.18.7.1/24", "name", "jn-br", "up"), "jn-br\n"),
        (("ifconfig", "jn-br", "inet6", "fd00:198:18::1/64", "no_dad"), ""),
        (("ifconfig", "epair", "create", "description", "c1", "vnet", jid), "epair0a\n"),
        (("ifconfig", "epair0b", "group", "jailnet", "up", "name", "jn0a"), "jn0a\n"),
        (("ifconfig", "jn-br", "addm", "jn0a"), ""),
        (("ifconfig", "-j", jid, "epair0a", "inet", "198.18.7.2/24", "up", "name", "eth0"), "eth0\n"),
        (("route", "-j", jid, "-6", "add", "default", "fd00:198:18::1"), None),
        (("ifconfig", "-j", jid, "eth0", "inet6", "fd00:198:18::2/64", "no_dad"), ""),
        (("route", "-j", jid, "-6", "add", "default", "fd00:198:18::1"), "add net default: gateway fd00:198:18::1\n"),
        (("ifconfig", "-j", jid, "lo0", "inet", "127.0.0.1/8", "up"), ""),
    ]:
        result = host(argv)
        if out is None:  # not on-link before the jail end has the prefix
            assert result.returncode == 1 and "Network is unreachable" in result.stdout, argv
            continue
        assert (result.returncode, result.stdout, result.stderr) == (0, out, ""), argv
    eth0 = inet6_lines(host, "eth0", jid)
    assert eth0[0] == "inet6 fd00:198:18::2 prefixlen 64"
    assert eth0[1].startswith("inet6 fe80::") and "%eth0 prefixlen 64 scopeid 0x" in eth0[1]
    assert eth0[2] == "nd6 options=121<PERFORMNUD,AUTO_LINKLOCAL,NO_DAD>"
    assert inet6_lines(host, "jn-br") == ["inet6 fd00:198:18::1 prefixlen 64", "nd6 options=101<PERFORMNUD,NO_DAD>"]
    assert "tentative" not in ok(host, "jexec", jid, "/sbin/ifconfig") + ok(host, "ifconfig", "jn-br")
    # teardown
    for argv in (("route", "-j", jid, "-6", "delete", "default"),
                 ("ifconfig", "jn-br", "inet6", "fd00:198:18::1", "-alias")):
        assert host(argv).returncode == 0, argv
    assert inet6_lines(host, "jn-br") == ["nd6 options=101<PERFORMNUD,NO_DAD>"]


def test_the_state_file_keeps_ipv6(host: SimulatedHost) -> None:
    ok(host, "ifconfig", "bridge0", "inet6", "fd00::1/64", "-ifdisabled", "auto_linklocal", "up")
    again = SimulatedHost(load_state(dump_state(host.state)))
    assert ok(again, "ifconfig", "bridge0") == ok(host, "ifconfig", "bridge0")
    assert "tentative" in ok(again, "ifconfig", "bridge0")
