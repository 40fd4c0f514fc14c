"""The simulated ifconfig against sbin/ifconfig/ifconfig.c and the kernel code it calls (in process).

Each expectation names the FreeBSD function it follows; hooks/testing/ifconfig.py cites the files.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.ifconfig import fault, inet_aton, mutating

E = "ifconfig: "
NOT_SIMULATED = "not simulated by the jailnet test host"
NO_MASK = E + "WARNING: setting interface address without mask is deprecated,\ndefault mask may not be correct.\n"


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


def block(host: SimulatedHost, name: str, *jail: str) -> str:
    """``ifconfig NAME`` (inside ``jail`` when given)."""
    result = host(("ifconfig", *(("-j", jail[0]) if jail else ()), name))
    assert result.returncode == 0, result.stderr
    return result.stdout


def inet_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("\tinet ")]


def names(host: SimulatedHost, *jail: str) -> str:
    return host(("ifconfig", *(("-j", jail[0]) if jail else ()), "-l")).stdout


CASES = [
    # argv, exit status, stdout, stderr
    # -- main(): the interface name and the create / -vnet special cases
    (("ifconfig", "nosuch"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "nosuch", "up"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "nosuch", "destroy"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "nosuchbr", "addm", "epair1a"), 1, "", E + "interface nosuchbr does not exist\n"),
    (("ifconfig", "nosuch", "inet", "create"), 1, "", E + "interface nosuch does not exist\n"),
    (("ifconfig", "epairlongername0", "create"), 1, "", E + "epairlongername0: cloning name too long\n"),
    (("ifconfig", "epairlongername0", "-vnet", "j1"), 1, "", E + "epairlongername0: interface name too long\n"),
    (("ifconfig", "bridge0", "create"), 1, "", E + "interface bridge0 already exists\n"),
    (("ifconfig", "bridge0", "plumb"), 1, "", E + "interface bridge0 already exists\n"),
    (("ifconfig", "bridge0", "create", "up"), 0, "", ""),
    (("ifconfig", "bridge0", "create", "inet", "172.17.0.1/16"), 0, "", ""),
    (("ifconfig", "bridge0", "up", "create"), 1, "", E + "create: bad value\n"),
    (("ifconfig", "bridge0", "inet", "create"), 1, "", E + "create: bad value\n"),
    # -- create: SIOCIFCREATE2 and the name printed at exit
    (("ifconfig", "epair", "create"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "plumb"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "up"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "descr", "x", "group", "jailnet"), 0, "epair2a\n", ""),
    (("ifconfig", "epair", "create", "name", "foo"), 0, "foo\n", ""),
    (("ifconfig", "epair", "create", "name", "a1", "name", "a2"), 0, "a2\n", ""),
    (("ifconfig", "epair", "create", "name", "epair1a"), 1, "epair2a\n",
     E + "ioctl SIOCSIFNAME (set name): File exists\n"),
    (("ifconfig", "epair", "create", "up", "inet", "10.0.0.1/24"), 1, "epair2a\n", E + "inet: bad value\n"),
    (("ifconfig", "epair", "create", "create"), 1, "epair2a\n", E + "SIOCIFCREATE2 (epair2a): Invalid argument\n"),
    (("ifconfig", "epair7", "create"), 0, "epair7a\n", ""),
    (("ifconfig", "epair1", "create"), 1, "", E + "interface epair1 already exists\n"),
    (("ifconfig", "epair9a", "create"), 1, "", E + "SIOCIFCREATE2 (epair9a): Invalid argument\n"),
    (("ifconfig", "epair0a", "create"), 1, "", E + "interface epair0a already exists\n"),
    (("ifconfig", "bridge", "create"), 0, "bridge2\n", ""),
    (("ifconfig", "bridge7", "create"), 0, "", ""),
    (("ifconfig", "bridge7", "create", "name", "br7"), 0, "br7\n", ""),
    (("ifconfig", "bridge1", "create"), 1, "", E + "interface bridge1 already exists\n"),
    (("ifconfig", "bridge07", "create"), 1, "", E + "SIOCIFCREATE2 (bridge07): Invalid argument\n"),
    (("ifconfig", "bridge32768", "create"), 1, "", E + "SIOCIFCREATE2 (bridge32768): No space left on device\n"),
    (("ifconfig", "bridgex", "create"), 1, "", E + "SIOCIFCREATE2 (bridgex): Invalid argument\n"),
    (("ifconfig", "bridge", "create", "name", "jailnet0"), 0, "jailnet0\n", ""),
    (("ifconfig", "lo", "create"), 0, "lo1\n", ""),
    (("ifconfig", "foo0", "create"), 1, "", E + "SIOCIFCREATE2 (foo0): Invalid argument\n"),
    (("ifconfig", "vlan0", "create"), 1, "", E + f"vlan0: creating vlan interfaces is {NOT_SIMULATED}\n"),
    # -- destroy: SIOCIFDESTROY
    (("ifconfig", "epair1a", "destroy"), 0, "", ""),
    (("ifconfig", "epair1b", "unplumb"), 0, "", ""),
    (("ifconfig", "em0", "destroy"), 1, "", E + "SIOCIFDESTROY: Invalid argument\n"),
    (("ifconfig", "lo0", "destroy"), 1, "", E + "SIOCIFDESTROY: Invalid argument\n"),
    (("ifconfig", "epair1a", "destroy", "up"), 1, "", E + "ioctl (SIOCGIFFLAGS): no such interface\n"),
    (("ifconfig", "epair1a", "destroy", "mtu", "1400"), 1, "",
     E + "ioctl SIOCSIFMTU (set mtu): Device not configured\n"),
    # -- the address family: once, right after the name (or right after a create)
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16"), 0, "", ""),
    (("ifconfig", "bridge0", "172.17.0.1/16"), 0, "", ""),
    (("ifconfig", "bridge0", "up", "inet", "172.17.0.1/16"), 1, "", E + "inet: bad value\n"),
    (("ifconfig", "bridge0", "inet", "inet", "172.17.0.1/16"), 1, "", E + "inet: bad value\n"),
    (("ifconfig", "epair1a", "up", "ether", "02:00:00:00:00:01"), 1, "", E + "ether: bad value\n"),
    (("ifconfig", "epair1a", "ether", "02:00:00:00:00:01"), 0, "", ""),
    (("ifconfig", "epair1a", "link", "2:0:0:0:0:1", "up"), 0, "", ""),
    (("ifconfig", "epair1a", "lladdr", "random"), 0, "", ""),
    (("ifconfig", "epair1a", "ether", "zz"), 1, "", E + "malformed link-level address\n"),
    (("ifconfig", "epair1a", "ether", "02:00:00:00:01"), 1, "", E + "ioctl (SIOCAIFADDR): Invalid argument\n"),
    (("ifconfig", "lo0", "ether", "02:00:00:00:00:01"), 1, "", E + "ioctl (SIOCAIFADDR): Invalid argument\n"),
    (("ifconfig", "epair1a", "ether", "02:00:00:00:00:01", "netmask", "255.0.0.0"), 1, "",
     E + "can't set link-level netmask or broadcast\n"),
    (("ifconfig", "bridge0", "af_bridge", "up"), 0, "", E + "interface bridge0 cannot change af_bridge addresses!\n"),
    (("ifconfig", "epair1a", "ether", "-alias"), 1, "", E + "ioctl (SIOCDIFADDR): Inappropriate ioctl for device\n"),
    (("ifconfig", "epair1a", "ether", "-alias", "02:00:00:00:00:01"), 1, "",
     E + "can't set link-level netmask or broadcast\n"),
    (("ifconfig", "bridge0", "af_bridge", "10.0.0.1", "-alias"), 0, "",
     E + "interface bridge0 cannot change af_bridge addresses!\n"),
    (("ifconfig", "lo0", "inet6", "::2"), 0, "", ""),
    (("ifconfig", "epair", "create", "inet6", "up"), 0, "epair2a\n", ""),
    (("ifconfig", "bridge0", "up", "inet6", "fd00::1"), 1, "", E + "inet6: bad value\n"),
    (("ifconfig", "bridge0", "inet6", "inet6", "fd00::1"), 1, "", E + "inet6: bad value\n"),
    (("ifconfig", "bridge0", "inet6", "fd00::1/129"), 1, "", E + "129: bad value\n"),
    (("ifconfig", "bridge0", "inet6", "bogus/200"), 1, "", E + "200: bad value\n"),
    (("ifconfig", "bridge0", "inet6", "bogus/64"), 1, "", E + "bogus: bad value\n"),
    (("ifconfig", "bridge0", "inet6", "fd00::1", "-alias"), 1, "",
     E + "ioctl (SIOCDIFADDR): Can't assign requested address\n"),
    # -- af_inet.c in_getaddr(): A/len, inet_aton(3), no resolver
    (("ifconfig", "bridge0", "inet", "1.2.3.4/33"), 1, "", E + "1.2.3.4/33: bad value (width too large)\n"),
    (("ifconfig", "bridge0", "inet", "1.2.3.4/24x"), 1, "", E + "1.2.3.4/24x: bad value (width invalid)\n"),
    (("ifconfig", "bridge0", "inet", "1.2.3.4/"), 1, "", E + "1.2.3.4/: bad value (width invalid)\n"),
    (("ifconfig", "bridge0", "inet", "1.2.3.4/-1"), 1, "", E + "1.2.3.4/-1: bad value (width invalid)\n"),
    (("ifconfig", "bridge0", "inet", "bogus/24"), 1, "", E + "bogus: bad value\n"),
    (("ifconfig", "bridge0", "inet", "256.1.1.1/24"), 1, "", E + "256.1.1.1: bad value\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1", "netmask", "bogus"), 1, "", E + "bogus: bad value\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16", "broadcast", "x"), 1, "", E + "x: bad value\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16", "172.17.0.9", "x"), 1, "", E + "x: bad value\n"),
    (("ifconfig", "bridge0", "inet", "-alias", "172.17.0.1/16"), 1, "", E + "172.17.0.1/16: bad value\n"),
    (("ifconfig", "bridge0", "inet", "172.17.0.1"), 0, "", NO_MASK),
    (("ifconfig", "lo0", "inet", "127.0.0.1"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.17.0.1", "netmask", "255.255.0.0"), 0, "", ""),
    (("ifconfig", "bridge0", "netmask", "255.255.0.0"), 1, "", E + "ioctl (SIOCAIFADDR): Invalid argument\n"),
    # -- notealias(), delifaddr(), addifaddr()
    (("ifconfig", "bridge0", "inet", "172.17.0.1/16", "alias"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.18.0.1/16", "add"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.17.0.1", "-alias"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.17.0.1", "delete"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.17.0.1", "remove"), 0, "", ""),
    (("ifconfig", "bridge0", "-alias", "172.17.0.1"), 0, "", ""),
    (("ifconfig", "bridge0", "inet", "172.18.0.1/16", "-alias"), 1, "",
     E + "ioctl (SIOCDIFADDR): Can't assign requested address\n"),
    (("ifconfig", "epair1a", "-alias"), 0, "", ""),
    # the address is set after the move: 14.x in_delete_first_nl() finds no such interface and says
    # "no previous address", the add then fails (13.x: test_deferred_address_after_a_move_on_13)
    (("ifconfig", "epair1a", "inet", "10.0.0.1/24", "vnet", "j1"), 1, "",
     E + "ioctl (SIOCAIFADDR): no such interface\n"),
    # -- the word loop: arguments, commands that are not simulated
    (("ifconfig", "epair1a", "mtu"), 1, "", E + "'mtu' requires argument\n"),
    (("ifconfig", "epair1a", "up", "name"), 1, "", E + "'name' requires argument\n"),
    (("ifconfig", "bridge0", "static", "epair0a"), 1, "", E + "'static' requires 2 arguments\n"),
    (("ifconfig", "bridge0", "stp"), 1, "", E + "'stp' requires argument\n"),
    (("ifconfig", "bridge0", "stp", "epair0a"), 1, "",
     E + f"stp: {NOT_SIMULATED} (sbin/ifconfig/ifbridge.c bridge_cmds[])\n"),
    (("ifconfig", "epair1a", "rxcsum"), 1, "",
     E + f"rxcsum: {NOT_SIMULATED} (sbin/ifconfig/ifconfig.c basic_cmds[])\n"),
    (("ifconfig", "epair1a", "-vlandev"), 1, "",
     E + f"-vlandev: {NOT_SIMULATED} (sbin/ifconfig/ifvlan.c vlan_cmds[])\n"),
    (("ifconfig", "epair", "create", "vlan", "5"), 1, "",
     E + f"vlan: {NOT_SIMULATED} (sbin/ifconfig/ifvlan.c vlan_cmds[])\n"),
    (("ifconfig", "epair", "create", "media", "auto"), 1, "epair2a\n",
     E + f"media: {NOT_SIMULATED} (sbin/ifconfig/ifmedia.c media_cmds[])\n"),
    (("ifconfig", "epair1a", "tunnel", "1.1.1.1", "2.2.2.2"), 1, "",
     E + f"tunnel: {NOT_SIMULATED} (sbin/ifconfig/ifconfig.c basic_cmds[])\n"),
    # -- flags, description, metric, mtu
    (("ifconfig", "epair1a", "up", "down"), 0, "", ""),
    (("ifconfig", "epair1a", "-arp", "promisc", "link0", "debug"), 0, "", ""),
    (("ifconfig", "epair1a", "description", "associated with jail: x"), 0, "", ""),
    (("ifconfig", "epair1a", "description", "d" * 1023), 0, "", ""),
    (("ifconfig", "epair1a", "description", "d" * 1024), 1, "",
     E + "ioctl SIOCSIFDESCR (set descr): File name too long\n"),
    (("ifconfig", "epair1a", "metric", "5"), 0, "", ""),
    (("ifconfig", "epair1a", "mtu", "9000"), 0, "", ""),
    (("ifconfig", "epair1a", "mtu", "65535"), 0, "", ""),
    (("ifconfig", "epair1a", "mtu", "65536"), 1, "", E + "ioctl SIOCSIFMTU (set mtu): Invalid argument\n"),
    (("ifconfig", "epair1a", "mtu", "71"), 1, "", E + "ioctl SIOCSIFMTU (set mtu): Invalid argument\n"),
    (("ifconfig", "epair1a", "mtu", "abc"), 1, "", E + "ioctl SIOCSIFMTU (set mtu): Invalid argument\n"),
    (("ifconfig", "epair0a", "mtu", "1400"), 1, "", E + "ioctl SIOCSIFMTU (set mtu): Operation not supported\n"),
    (("ifconfig", "em0", "mtu", "9216"), 0, "", ""),
    (("ifconfig", "em0", "mtu", "9217"), 1, "", E + "ioctl SIOCSIFMTU (set mtu): Invalid argument\n"),
    # -- name: SIOCSIFNAME and ifname_update()
    (("ifconfig", "epair1a", "name", "foo"), 0, "foo\n", ""),
    (("ifconfig", "epair1a", "name", "epair1a"), 0, "epair1a\n", ""),
    (("ifconfig", "epair1a", "name", "em0"), 1, "", E + "ioctl SIOCSIFNAME (set name): File exists\n"),
    (("ifconfig", "epair1a", "name", "a" * 16), 1, "", E + "ioctl SIOCSIFNAME (set name): File name too long\n"),
    (("ifconfig", "epair1a", "name", "a" * 15), 0, "a" * 15 + "\n", ""),
    (("ifconfig", "epair1a", "name", ""), 1, "", E + "ioctl SIOCSIFNAME (set name): Invalid argument\n"),
    (("ifconfig", "epair1a", "name", "x0", "name", "em0"), 1, "x0\n",
     E + "ioctl SIOCSIFNAME (set name): File exists\n"),
    # -- groups (ifgroup.c)
    (("ifconfig", "epair1a", "group", "jailnet"), 0, "", ""),
    (("ifconfig", "epair1a", "group", "epair"), 0, "", ""),
    (("ifconfig", "epair1a", "-group", "jailnet"), 0, "", ""),
    (("ifconfig", "epair1a", "group", "jailnet0"), 1, "", E + "setifgroup: group names may not end in a digit\n"),
    (("ifconfig", "epair1a", "-group", "jailnet0"), 1, "", E + "unsetifgroup: group names may not end in a digit\n"),
    (("ifconfig", "epair1a", "group", "g" * 16), 1, "", E + "setifgroup: group name too long\n"),
    (("ifconfig", "epair1a", "destroy", "group", "x"), 1, "", E + " SIOCAIFGROUP: Device not configured\n"),
    # -- bridges (ifbridge.c, if_bridge.c bridge_ioctl_add/del)
    (("ifconfig", "bridge0", "addm", "epair1a"), 0, "", ""),
    (("ifconfig", "bridge0", "addm", "epair9a"), 1, "", E + "BRDGADD epair9a: No such file or directory\n"),
    (("ifconfig", "bridge0", "addm", "epair0a"), 1, "", E + "BRDGADD epair0a: File exists\n"),
    (("ifconfig", "bridge1", "addm", "epair0a"), 1, "", E + "BRDGADD epair0a: Device busy\n"),
    (("ifconfig", "bridge0", "addm", "bridge1"), 1, "", E + "BRDGADD bridge1: Invalid argument\n"),
    (("ifconfig", "bridge0", "addm", "lo0"), 1, "", E + "BRDGADD lo0: Invalid argument\n"),
    (("ifconfig", "epair1a", "addm", "epair1b"), 1, "", E + "BRDGADD epair1b: Invalid argument\n"),
    (("ifconfig", "bridge0", "deletem", "epair0a"), 0, "", ""),
    (("ifconfig", "bridge0", "deletem", "epair1a"), 1, "", E + "BRDGDEL epair1a: No such file or directory\n"),
    # -- vnet / -vnet (if.c if_vmove_loan, if_vmove_reclaim)
    (("ifconfig", "epair1b", "vnet", "j1"), 0, "", ""),
    (("ifconfig", "epair1b", "vnet", "1"), 0, "", ""),
    (("ifconfig", "epair1b", "vnet", "nojail"), 1, "", E + 'jail "nojail" not found\n'),
    (("ifconfig", "epair1b", "vnet", "999"), 1, "", E + "SIOCSIFVNET: Device not configured\n"),
    (("ifconfig", "epair1b", "vnet", "plain"), 1, "", E + "SIOCSIFVNET: File exists\n"),
    (("ifconfig", "epair1b", "vnet", "j1", "up"), 1, "", E + "ioctl (SIOCGIFFLAGS): no such interface\n"),
    (("ifconfig", "epair0b", "vnet", "j1"), 1, "", E + "interface epair0b does not exist\n"),
    (("ifconfig", "epair0b", "-vnet", "j1"), 0, "", ""),
    (("ifconfig", "epair0b", "-vnet", "j1", "up"), 0, "", ""),
    (("ifconfig", "epair0b", "-vnet"), 1, "", E + "'-vnet' requires argument\n"),
    (("ifconfig", "epair1b", "-vnet", "j1"), 1, "", E + "SIOCSIFRVNET(1, epair1b): Device not configured\n"),
    (("ifconfig", "epair9b", "-vnet", "j1"), 1, "", E + "SIOCSIFRVNET(1, epair9b): Device not configured\n"),
    (("ifconfig", "epair9b", "-vnet", "plain"), 1, "", E + "SIOCSIFRVNET(2, epair9b): Device not configured\n"),
    (("ifconfig", "em0", "-vnet", "plain"), 1, "", E + "SIOCSIFRVNET(2, em0): File exists\n"),
    (("ifconfig", "epair0b", "-vnet", "nojail"), 1, "", E + 'jail "nojail" not found\n'),
    # -- listings
    (("ifconfig", "-l"), 0, "em0 lo0 bridge0 epair0a epair1a epair1b bridge1\n", ""),
    (("ifconfig", "-l", "inet"), 0, "em0 lo0 bridge0\n", ""),
    (("ifconfig", "-l", "ether"), 0, "em0 bridge0 epair0a epair1a epair1b bridge1\n", ""),
    (("ifconfig", "-l", "af_bridge"), 0, "\n", ""),
    (("ifconfig", "-l", "-u"), 0, "em0 lo0 bridge0\n", ""),
    (("ifconfig", "-l", "-d"), 0, "epair0a epair1a epair1b bridge1\n", ""),
    (("ifconfig", "-g", "bridge"), 0, "bridge0\nbridge1\n", ""),
    (("ifconfig", "-g", "epair"), 0, "epair0a\nepair1a\nepair1b\n", ""),
    (("ifconfig", "-g", "nosuchgroup"), 0, "", ""),
    (("ifconfig", "-g", "all", "-Z"), 0, "em0\nlo0\nbridge0\nepair0a\nepair1a\nepair1b\nbridge1\n", ""),
    (("ifconfig", "-C"), 0, "bridge epair lo\n", ""),
    (("ifconfig", "-j", "j1", "-l"), 0, "lo0 epair0b\n", ""),
    (("ifconfig", "-j", "1", "-l"), 0, "lo0 epair0b\n", ""),
    (("ifconfig", "-j", "plain", "-l"), 0, "em0 lo0 bridge0 epair0a epair1a epair1b bridge1\n", ""),
    (("ifconfig", "-j", "j1", "lo0", "inet", "127.0.0.1/8", "up"), 0, "", ""),
    (("ifconfig", "-j", "nojail", "-l"), 1, "", E + "jail not found: No such file or directory\n"),
    (("ifconfig", "-j", "99", "-l"), 1, "", E + "cannot attach to jail: Invalid argument\n"),
    (("ifconfig", "-a", "bogus"), 1, "",
     E + "Address family 'bogus' unknown.\n" + "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-a", "bridge0"), 1, "",
     E + "Address family 'bridge0' unknown.\n" + "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-l", "-a"), 1, "", "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-l", "inet", "inet"), 1, "", "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-d", "-u"), 1, "", "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-G", "epair"), 1, "", "usage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-Z"), 1, "", E + "illegal option -- Z\nusage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-j"), 1, "", E + "option requires an argument -- j\nusage: ifconfig [-j jail] [-f type:format]"),
    (("ifconfig", "-D"), 1, "", E + f"-D: {NOT_SIMULATED}\n"),
]


@pytest.mark.parametrize(("argv", "code", "out", "err"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_ifconfig_answers_like_freebsd(
    scene: SimulatedHost, argv: tuple[str, ...], code: int, out: str, err: str
) -> None:
    result = scene(argv)
    if err.startswith(("usage:", E + "illegal", E + "option", E + "Address family")):
        # usage(): the whole synopsis follows; its first line is enough here
        assert (result.returncode, result.stdout) == (code, out)
        assert result.stderr.startswith(err)
        assert result.stderr.endswith("[-d] [-m] [-u] [-v]\n")
    else:
        assert (result.returncode, result.stdout, result.stderr) == (code, out, err)
    assert [i.argv for i in scene.log] == [list(argv)]
    assert scene.log[0].returncode == code


# -- the issue-8 cases: the address family only right after the name or the create ---------------


def test_family_after_a_rename_is_an_address_and_the_rename_stays(host: SimulatedHost) -> None:
    host(("ifconfig", "epair", "create"))
    result = host(("ifconfig", "epair0a", "name", "x0", "inet", "10.0.0.2/24", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (1, "x0\n", "ifconfig: inet: bad value\n")
    x0 = block(host, "x0")
    assert "<UP," not in x0 and inet_lines(x0) == []
    assert host(("ifconfig", "epair0a")).stderr == "ifconfig: interface epair0a does not exist\n"


def test_family_after_create_and_rename_fails_leaving_the_bridge_bare(host: SimulatedHost) -> None:
    result = host(("ifconfig", "bridge", "create", "name", "br0", "inet", "10.0.0.1/24", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (1, "br0\n", "ifconfig: inet: bad value\n")
    br0 = block(host, "br0")
    assert inet_lines(br0) == [] and "<UP," not in br0


def test_family_right_after_create_is_honoured(host: SimulatedHost) -> None:
    result = host(("ifconfig", "bridge", "create", "inet", "10.0.0.1/24", "name", "br0",
                   "description", "jailnet network default", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "br0\n", "")
    br0 = block(host, "br0")
    # no member yet, so no link (LOWER_UP)
    assert br0.startswith("br0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n")
    assert "\tdescription: jailnet network default\n" in br0
    assert inet_lines(br0) == ["\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255"]


def test_family_right_after_the_name_then_a_rename(host: SimulatedHost) -> None:
    host(("ifconfig", "epair", "create"))
    result = host(("ifconfig", "epair0a", "inet", "10.0.0.2/24", "name", "x0", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "x0\n", "")
    x0 = block(host, "x0")
    assert x0.startswith("x0: flags=1008843<UP,")
    assert inet_lines(x0) == ["\tinet 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255"]


def test_epair_created_straight_into_a_jail(host: SimulatedHost, tmp_path: Path) -> None:
    jail = host.create_jail("c1", str(populate_rootfs(tmp_path / "c1")))
    result = host(("ifconfig", "epair", "create", "description", "ID", "vnet", str(jail.jid)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "epair0a\n", "")
    assert names(host, "c1") == "lo0 epair0a\n"
    assert "\tdescription: ID\n" in block(host, "epair0a", "c1")
    assert names(host) == "em0 lo0 epair0b\n"


def test_host_end_renamed_grouped_and_up_in_one_go(host: SimulatedHost) -> None:
    host(("ifconfig", "epair", "create"))
    result = host(("ifconfig", "epair0b", "name", "jn0a", "description", "ID", "group", "jailnet", "mtu", "1400", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "jn0a\n", "")
    jn0a = block(host, "jn0a")
    assert jn0a.startswith("jn0a: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1400\n")
    assert "\tdescription: ID\n" in jn0a and "\tgroups: epair jailnet\n" in jn0a
    assert host(("ifconfig", "-g", "jailnet")).stdout == "jn0a\n"


@pytest.mark.parametrize("release", ["13.3-RELEASE", "14.2-RELEASE", "15.0-RELEASE"])
def test_the_production_command_forms(release: str, tmp_path: Path) -> None:
    """Every ifconfig argv jailnet's plan uses (hooks/plan.py), create and teardown."""
    host = SimulatedHost.freebsd(release)
    jid = str(host.create_jail("c1", str(populate_rootfs(tmp_path / "c1"))).jid)
    steps: list[tuple[tuple[str, ...], str]] = [
        (("ifconfig", "bridge", "create", "inet", "10.88.0.1/16", "name", "jn-br", "description",
          "jailnet network default", "mtu", "1450", "up"), "jn-br\n"),
        (("ifconfig", "epair", "create", "description", "c1", "vnet", jid), "epair0a\n"),
        (("ifconfig", "epair0b", "name", "jn0a", "description", "c1", "group", "jailnet", "mtu", "1450", "up"),
         "jn0a\n"),
        (("ifconfig", "-j", jid, "epair0a", "inet", "10.88.0.2/16", "name", "eth0", "mtu", "1450", "up"), "eth0\n"),
        (("ifconfig", "-j", jid, "lo0", "inet", "127.0.0.1/8", "up"), ""),
        (("ifconfig", "jn-br", "addm", "jn0a"), ""),
        (("ifconfig", "jn-br", "inet", "10.89.0.1/16", "alias"), ""),
        (("ifconfig", "jn-br", "inet", "10.89.0.1", "-alias"), ""),
        (("ifconfig", "jn-br", "down"), ""),
        (("ifconfig", "jn-br", "up"), ""),
    ]
    for argv, out in steps:
        result = host(argv)
        assert (result.returncode, result.stdout, result.stderr) == (0, out, ""), argv
    for argv in (("ifconfig",), ("ifconfig", "-j", jid), ("ifconfig", "jn-br"), ("ifconfig", "-l"),
                 ("ifconfig", "-g", "jailnet")):
        assert host(argv).returncode == 0, argv
    assert host(("ifconfig", "-g", "jailnet")).stdout == "jn0a\n"
    assert names(host, "c1") == "lo0 eth0\n"
    eth0 = block(host, "eth0", "c1")
    assert " mtu 1450\n" in eth0.splitlines()[0] + "\n" and "<UP," in eth0
    assert inet_lines(eth0) == ["\tinet 10.88.0.2 netmask 0xffff0000 broadcast 10.88.255.255"]
    br = block(host, "jn-br")
    assert inet_lines(br) == ["\tinet 10.88.0.1 netmask 0xffff0000 broadcast 10.88.255.255"]
    assert "\tmember: jn0a flags=143<" in br
    # teardown
    for argv, out in [
        (("ifconfig", "jn-br", "deletem", "jn0a"), ""),
        (("ifconfig", "jn0a", "name", "epair0b"), "epair0b\n"),
        (("ifconfig", "epair0b", "destroy"), ""),
        (("ifconfig", "jn-br", "destroy"), ""),
    ]:
        result = host(argv)
        assert (result.returncode, result.stdout, result.stderr) == (0, out, ""), argv
    assert names(host) == "em0 lo0\n"
    assert names(host, "c1") == "lo0\n"


def test_bridge_member_address_is_refused_on_15(tmp_path: Path) -> None:
    host = SimulatedHost.freebsd("15.0-RELEASE")
    host(("ifconfig", "bridge", "create"))
    host(("ifconfig", "epair", "create"))
    host(("ifconfig", "bridge0", "addm", "epair0a"))
    result = host(("ifconfig", "epair0a", "inet", "10.0.0.1/24"))
    assert (result.returncode, result.stderr) == (1, "ifconfig: ioctl (SIOCAIFADDR): Invalid argument\n")


# -- the deferred address -------------------------------------------------------------------------


def test_address_without_alias_replaces_the_first_and_brings_it_up(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "inet", "10.1.0.1/24"))
    scene(("ifconfig", "epair1a", "inet", "10.2.0.1/24", "alias"))
    scene(("ifconfig", "epair1a", "inet", "10.3.0.1/16"))
    text = block(scene, "epair1a")
    assert text.splitlines()[0].startswith("epair1a: flags=1008843<UP,")
    # delifaddr() deletes the first (10.1.0.1); in_aifaddr_ioctl() appends the new one
    assert inet_lines(text) == [
        "\tinet 10.2.0.1 netmask 0xffffff00 broadcast 10.2.0.255",
        "\tinet 10.3.0.1 netmask 0xffff0000 broadcast 10.3.255.255",
    ]


def test_alias_of_a_present_address_replaces_it(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "bridge0", "inet", "172.17.0.1/24", "alias")).returncode == 0
    assert inet_lines(block(scene, "bridge0")) == ["\tinet 172.17.0.1 netmask 0xffffff00 broadcast 172.17.0.255"]


@pytest.mark.parametrize(("words", "expected"), [
    (("10.1/8",), "10.0.0.1 netmask 0xff000000"),
    (("0x0a000002/8",), "10.0.0.2 netmask 0xff000000"),
    (("012.0.0.3/8",), "10.0.0.3 netmask 0xff000000"),
    (("10.0.0.4", "netmask", "0xffff0000"), "10.0.0.4 netmask 0xffff0000"),
    (("10.0.0.5", "netmask", "255.255.255.0"), "10.0.0.5 netmask 0xffffff00"),
    (("netmask", "255.255.255.0", "10.0.0.6"), "10.0.0.6 netmask 0xffffff00"),
    (("10.0.0.7/24", "netmask", "255.0.0.0"), "10.0.0.7 netmask 0xff000000"),
    (("10.0.0.8/32",), "10.0.0.8 netmask 0xffffffff"),
])
def test_address_forms(scene: SimulatedHost, words: tuple[str, ...], expected: str) -> None:
    result = scene(("ifconfig", "epair1a", *words))
    assert (result.returncode, result.stderr) == (0, "")
    assert inet_lines(block(scene, "epair1a"))[0].startswith("\tinet " + expected)


@pytest.mark.parametrize(("word", "first"), [("10.0.0.1", "0x0a000001"), ("172.16.0.1", "0xac100001"),
                                             ("192.168.0.1", "0xc0a80001")])
def test_classful_default_mask(scene: SimulatedHost, word: str, first: str) -> None:
    result = scene(("ifconfig", "epair1a", word))
    assert result.stderr == NO_MASK
    masks = {"0x0a000001": "0xff000000", "0xac100001": "0xffff0000", "0xc0a80001": "0xffffff00"}
    assert f" netmask {masks[first]} " in inet_lines(block(scene, "epair1a"))[0]


@pytest.mark.parametrize(("text", "value"), [
    ("1.2.3.4", 0x01020304), ("10.1", 0x0A000001), ("1.2.3", 0x01020003), ("16909060", 0x01020304),
    ("0x7f.1", 0x7F000001), ("017.0.0.1", 0x0F000001), ("1.2.3.4 tail", 0x01020304),
    ("1.2.3.256", None), ("1.2.3.4.5", None), ("08.1.1.1", None), ("0x", None), ("", None), ("a.b", None),
    ("1.2.3.4x", None), ("1.16777216", None),
])
def test_inet_aton(text: str, value: int | None) -> None:
    assert inet_aton(text) == value


def test_minus_alias_without_address_deletes_the_first(scene: SimulatedHost, host13: SimulatedHost) -> None:
    assert scene(("ifconfig", "bridge0", "-alias")).returncode == 0
    assert inet_lines(block(scene, "bridge0")) == []
    # 14.x in_delete_first_nl() finds nothing and says 0; 13.x SIOCDIFADDR says EADDRNOTAVAIL
    assert scene(("ifconfig", "bridge0", "-alias")).returncode == 0
    host13(("ifconfig", "bridge", "create"))
    failed = host13(("ifconfig", "bridge0", "-alias"))
    assert (failed.returncode, failed.stderr) == (1, "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n")


def test_words_apply_left_to_right_and_a_late_failure_leaks_the_epair(scene: SimulatedHost) -> None:
    result = scene(("ifconfig", "epair", "create", "group", "jailnet", "name", "em0", "up"))
    assert (result.returncode, result.stdout) == (1, "epair2a\n")
    text = block(scene, "epair2a")
    assert "\tgroups: epair jailnet\n" in text  # applied before the failing word
    assert "<UP," not in text  # never reached


def test_the_address_lands_after_every_other_word(scene: SimulatedHost) -> None:
    # the deferred SIOCAIFADDR happens on the name the loop ended with
    result = scene(("ifconfig", "epair1a", "10.5.0.1/24", "name", "n1", "description", "d", "up"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "n1\n", "")
    assert inet_lines(block(scene, "n1")) == ["\tinet 10.5.0.1 netmask 0xffffff00 broadcast 10.5.0.255"]


# -- flags, metric, promiscuous mode --------------------------------------------------------------


def test_flag_words_and_metric(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "-arp", "link0", "debug", "staticarp", "metric", "7"))
    header = block(scene, "epair1a").splitlines()[0]
    assert header == ("epair1a: flags=10898c6<BROADCAST,DEBUG,RUNNING,NOARP,SIMPLEX,LINK0,MULTICAST,STATICARP,"
                      "LOWER_UP> metric 7 mtu 1500")
    scene(("ifconfig", "epair1a", "arp", "-link0", "-debug", "-staticarp", "metric", "0"))
    assert block(scene, "epair1a").splitlines()[0] == (
        "epair1a: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500")


def test_promisc_word_and_bridge_membership(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "promisc"))
    assert "<BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,PPROMISC," in block(scene, "epair1a")
    scene(("ifconfig", "epair1a", "-promisc"))
    assert "PROMISC" not in block(scene, "epair1a")
    # a bridge keeps its member promiscuous when the user's bit goes
    scene(("ifconfig", "epair0a", "promisc"))
    scene(("ifconfig", "epair0a", "-promisc"))
    assert "PROMISC," in block(scene, "epair0a") and "PPROMISC" not in block(scene, "epair0a")


def test_loopback_brought_up_gets_its_ipv6_addresses_and_runs(scene: SimulatedHost) -> None:
    # if_loop.c loioctl does nothing for SIOCSIFFLAGS but the link state; but if_up() runs
    # in6_if_up(), in6_ifattach() adds ::1 (in6_ifattach_loopback) and that first IPv6 address
    # reaches loioctl as SIOCSIFADDR (in6.c in6_notify_ifa), which sets RUNNING.
    scene(("ifconfig", "-j", "j1", "lo0", "up"))
    assert block(scene, "lo0", "j1") == (
        "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n"
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
        "\tinet6 ::1 prefixlen 128\n"
        "\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x3\n"
        "\tgroups: lo\n"
        "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
    )


# -- mtu and bridges ------------------------------------------------------------------------------


def test_first_member_gives_the_bridge_its_mtu_later_members_take_it(scene: SimulatedHost) -> None:
    scene(("ifconfig", "bridge1", "mtu", "9000"))
    scene(("ifconfig", "epair1a", "mtu", "1450"))
    scene(("ifconfig", "epair1b", "mtu", "9000"))
    assert scene(("ifconfig", "bridge1", "addm", "epair1a")).returncode == 0
    assert " mtu 1450\n" in block(scene, "bridge1").splitlines()[0] + "\n"
    assert scene(("ifconfig", "bridge1", "addm", "epair1b")).returncode == 0
    assert " mtu 1450\n" in block(scene, "epair1b").splitlines()[0] + "\n"
    # the bridge's own MTU carries its members along
    assert scene(("ifconfig", "bridge1", "mtu", "1400")).returncode == 0
    assert " mtu 1400\n" in block(scene, "epair1a").splitlines()[0] + "\n"


# -- renames and the listing order ----------------------------------------------------------------


def test_rename_keeps_bridge_membership_and_place(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "epair0a", "name", "jn0123456789a")).stdout == "jn0123456789a\n"
    assert "\tmember: jn0123456789a flags=143<" in block(scene, "bridge0")
    assert names(scene) == "em0 lo0 bridge0 jn0123456789a epair1a epair1b bridge1\n"
    assert scene(("ifconfig", "jn0123456789a", "destroy")).returncode == 0
    assert "member:" not in block(scene, "bridge0")


def test_rename_to_the_same_name_differs_by_release(host13: SimulatedHost) -> None:
    host13(("ifconfig", "epair", "create"))
    result = host13(("ifconfig", "epair0a", "name", "epair0a"))
    # 13.x ifhwioctl SIOCSIFNAME: ifunit(new_name) finds the interface itself
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "ifconfig: ioctl SIOCSIFNAME (set name): File exists\n"
    )


def test_listing_follows_attach_order_not_ifindex(host: SimulatedHost) -> None:
    for argv in (("ifconfig", "epair", "create"), ("ifconfig", "bridge", "create"), ("ifconfig", "epair0a", "destroy"),
                 ("ifconfig", "epair", "create")):
        host(argv)
    # the new epair0 reuses unit 0 and the ifindexes the old one left (3, 4) but is appended to the list
    assert names(host) == "em0 lo0 bridge0 epair0a epair0b\n"
    host(("ifconfig", "bridge0", "addm", "epair0a"))
    assert "\t        ifmaxaddr 0 port 3 priority 128 path cost 2000\n" in block(host, "bridge0")


def test_wildcard_unit_skips_a_name_already_taken(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "name", "bridge2"))
    assert scene(("ifconfig", "bridge", "create")).stdout == "bridge3\n"


# -- vnet moves, jails, ifindexes -----------------------------------------------------------------


def test_name_taken_by_vnet_move_target(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "epair1b", "name", "epair0b")).stdout == "epair0b\n"
    result = scene(("ifconfig", "epair0b", "vnet", "j1"))
    assert (result.returncode, result.stderr) == (1, "ifconfig: SIOCSIFVNET: File exists\n")


def test_vnet_from_inside_a_jail_sees_no_jails(scene: SimulatedHost) -> None:
    result = scene(("ifconfig", "-j", "j1", "epair0b", "vnet", "plain"))
    assert (result.returncode, result.stderr) == (1, 'ifconfig: jail "plain" not found\n')
    result = scene(("ifconfig", "-j", "j1", "epair0b", "vnet", "2"))
    assert (result.returncode, result.stderr) == (1, "ifconfig: SIOCSIFVNET: Device not configured\n")


def test_destroying_host_end_destroys_jail_end(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "epair0a", "destroy")).returncode == 0
    assert names(scene, "j1") == "lo0\n"
    assert "epair0a" not in names(scene)
    assert block(scene, "bridge0").count("member:") == 0


def test_destroying_jail_end_from_inside_destroys_both(scene: SimulatedHost) -> None:
    assert scene(("ifconfig", "-j", "j1", "epair0b", "destroy")).returncode == 0
    assert names(scene) == "em0 lo0 bridge0 epair1a epair1b bridge1\n"


def test_unit_is_held_while_an_end_lives_in_a_jail(scene: SimulatedHost) -> None:
    # epair0b is in j1 and epair0a was renamed: unit 0 is still reserved (if_clone.c ifc_free_unit)
    scene(("ifconfig", "epair0a", "name", "jn-host"))
    scene(("ifconfig", "epair1a", "destroy"))
    assert scene(("ifconfig", "epair", "create")).stdout == "epair1a\n"
    assert scene(("ifconfig", "epair", "create")).stdout == "epair2a\n"


def test_move_clears_addresses_membership_groups_and_up(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1b", "inet", "10.9.0.2/24", "group", "jailnet", "description", "kept", "up"))
    scene(("ifconfig", "bridge1", "addm", "epair1b"))
    assert scene(("ifconfig", "epair1b", "vnet", "j1")).returncode == 0
    text = block(scene, "epair1b", "j1")
    assert text.splitlines()[0] == (
        "epair1b: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
    )
    assert "\tdescription: kept\n" in text
    assert "inet " not in text and "\tgroups: epair\n" in text
    assert "member:" not in block(scene, "bridge1")


def test_ifindex_is_global_on_14_and_per_vnet_on_13(
    scene: SimulatedHost, host13: SimulatedHost, tmp_path: Path
) -> None:
    before = block(scene, "lo0", "j1")
    assert before == (
        "lo0: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384\n"
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
        "\tgroups: lo\n"
        "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
    )
    scene(("ifconfig", "-j", "j1", "lo0", "inet", "127.0.0.1/8", "up"))
    # 14.x: one ifindex table (if.c ifindex_table): j1's lo0 took index 3 after em0 and lo0.
    # The netlink listing sorts inet before inet6 (ifconfig_netlink.c cmp_ifaddr), as real
    # 14.x listings of lo0 show.
    assert block(scene, "lo0", "j1") == (
        "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n"
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
        "\tinet 127.0.0.1 netmask 0xff000000\n"
        "\tinet6 ::1 prefixlen 128\n"
        "\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x3\n"
        "\tgroups: lo\n"
        "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
    )
    # 13.x: one table per vnet (V_ifindex_table): a jail's lo0 is index 1; a moved end is
    # re-indexed in the jail
    jail = host13.create_jail("old", str(populate_rootfs(tmp_path / "old")))
    host13(("ifconfig", "bridge", "create"))
    host13(("ifconfig", "epair", "create"))
    host13(("jexec", "old", "ifconfig", "lo0", "inet", "127.0.0.1/8", "up"))
    assert "\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1\n" in host13(("jexec", "old", "ifconfig", "lo0")).stdout
    host13(("ifconfig", "epair0b", "vnet", str(jail.jid)))
    host13(("ifconfig", "bridge0", "addm", "epair0a"))
    assert "ifmaxaddr 0 port 4 " in block(host13, "bridge0")  # em0 1, lo0 2, bridge0 3, epair0a 4
    # inside the jail epair0b got index 2 (after lo0), which a bridge there shows as its port
    for argv in (("ifconfig", "bridge", "create"), ("ifconfig", "bridge0", "addm", "epair0b")):
        assert host13(("jexec", "old", *argv)).returncode == 0
    assert "ifmaxaddr 0 port 2 " in host13(("jexec", "old", "ifconfig", "bridge0")).stdout


def test_deferred_address_after_a_move_on_13(host13: SimulatedHost, tmp_path: Path) -> None:
    host13.create_jail("old", str(populate_rootfs(tmp_path / "old")))
    host13(("ifconfig", "epair", "create"))
    result = host13(("ifconfig", "epair0a", "inet", "10.0.0.1/24", "vnet", "old"))
    # 13.x delifaddr(): SIOCDIFADDR on a name that is gone -> ENXIO -> Perrorc
    assert (result.returncode, result.stderr) == (1, "ifconfig: ioctl (SIOCDIFADDR): no such interface\n")


def test_removed_jail_returns_the_epair_end_down_and_bare(scene: SimulatedHost) -> None:
    scene(("ifconfig", "-j", "j1", "epair0b", "inet", "172.17.0.2/16"))
    scene.remove_jail("j1")
    assert names(scene).split()[-1] == "epair0b"
    text = block(scene, "epair0b")
    assert "<UP," not in text and "inet " not in text


def test_dying_jail_keeps_the_end_until_reaped(scene: SimulatedHost) -> None:
    scene.remove_jail("j1", linger=True)
    assert "epair0b" not in names(scene)
    assert scene(("jls", "-j", "j1", "jid")).returncode == 1
    assert scene(("jls", "-d", "-j", "j1", "dying")).stdout == "true\n"
    # Destroying the host end reaches into the dying jail's vnet (if_epair.c epair_clone_destroy).
    assert scene(("ifconfig", "epair0a", "destroy")).returncode == 0
    scene.reap("j1")
    assert names(scene) == "em0 lo0 bridge0 epair1a epair1b bridge1\n"


def test_interfaces_created_inside_a_vnet_die_with_it(scene: SimulatedHost) -> None:
    # epair0b (moved in from the host) holds the name unit 0 would get: if_epair.c
    # epair_handle_unit refuses with EEXIST and does not try another unit.
    failed = scene(("ifconfig", "-j", "j1", "epair", "create"))
    assert (failed.returncode, failed.stderr) == (1, "ifconfig: interface epair already exists\n")
    assert scene(("ifconfig", "-j", "j1", "epair0b", "name", "eth0")).stdout == "eth0\n"
    assert scene(("ifconfig", "-j", "j1", "epair", "create")).stdout == "epair0a\n"
    scene.remove_jail("j1")
    # eth0 goes home under its current name, to the end of the list; the pair made inside is destroyed
    assert names(scene) == "em0 lo0 bridge0 epair0a epair1a epair1b bridge1 eth0\n"


def test_two_interfaces_may_come_home_with_one_name(scene: SimulatedHost, tmp_path: Path) -> None:
    # Both jails renamed their end eth0; when they die both come back as eth0 (if.c if_attach_internal).
    scene.create_jail("j2", str(populate_rootfs(tmp_path / "j2")))
    scene(("ifconfig", "epair1b", "vnet", "j2"))
    scene(("ifconfig", "-j", "j1", "epair0b", "name", "eth0"))
    scene(("ifconfig", "-j", "j2", "epair1b", "name", "eth0"))
    scene.remove_jail("j1")
    scene.remove_jail("j2")
    assert names(scene) == "em0 lo0 bridge0 epair0a epair1a bridge1 eth0 eth0\n"
    assert scene(("ifconfig", "epair1a", "destroy")).returncode == 0  # takes its own eth0 along
    assert names(scene) == "em0 lo0 bridge0 epair0a bridge1 eth0\n"
    assert scene(("ifconfig", "eth0", "destroy")).returncode == 0
    assert names(scene) == "em0 lo0 bridge0 bridge1\n"


# -- listings by release --------------------------------------------------------------------------


def test_family_listing_filters_interfaces_on_14_not_on_13(scene: SimulatedHost, host13: SimulatedHost) -> None:
    listed = scene(("ifconfig", "-a", "inet")).stdout
    names = [line.split(":")[0] for line in listed.splitlines() if not line.startswith("\t")]
    assert names == ["em0", "lo0", "bridge0"]
    assert "\tether" not in listed and "\tgroups" not in listed
    assert scene(("ifconfig", "epair1a", "inet")).stdout == ""
    host13(("ifconfig", "epair", "create"))
    listed13 = host13(("ifconfig", "-a", "inet")).stdout
    assert [line.split(":")[0] for line in listed13.splitlines() if not line.startswith("\t")] == [
        "em0", "lo0", "epair0a", "epair0b"]
    assert host13(("ifconfig", "epair0a", "inet")).stdout == (
        "epair0a: flags=8862<BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n\toptions=8<VLAN_MTU>\n")
    assert host13(("ifconfig", "-l", "link")).stdout == "em0 lo0 epair0a epair0b\n"
    assert host13(("ifconfig", "-l", "ether")).stdout == "em0 epair0a epair0b\n"


def test_group_listing_with_a_and_patterns(scene: SimulatedHost) -> None:
    scene(("ifconfig", "epair1a", "group", "jailnet"))
    listed = scene(("ifconfig", "-a", "-g", "jail*")).stdout
    assert listed.startswith("epair1a: ") and listed.count("flags=") == 1
    excluded = scene(("ifconfig", "-a", "-G", "epair")).stdout
    assert [line.split(":")[0] for line in excluded.splitlines() if not line.startswith("\t")] == [
        "em0", "lo0", "bridge0", "bridge1"]
    assert scene(("ifconfig", "-g", "jailnet")).stdout == "epair1a\n"


def test_status_of_a_member_on_13_matches_the_walkthrough(host13: SimulatedHost) -> None:
    for argv in (("ifconfig", "epair", "create"), ("ifconfig", "bridge", "create"),
                 ("ifconfig", "bridge0", "addm", "epair0a"), ("ifconfig", "epair0a", "up")):
        host13(argv)
    lines = block(host13, "epair0a").splitlines()
    assert lines[0] == "epair0a: flags=8963<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500"
    assert lines[2].startswith("\tether 02:") and lines[2].endswith(":0a")
    assert block(host13, "epair0b").splitlines()[2][-3:] == ":0b"


def test_option_j_is_unknown_before_13_3(host13: SimulatedHost) -> None:
    result = host13(("ifconfig", "-j", "x", "-l"))
    assert result.returncode == 1
    assert result.stderr.startswith("ifconfig: illegal option -- j\nusage: ifconfig ")
    assert "[-j jail]" not in result.stderr


def test_bridge_link_state_follows_its_members(scene: SimulatedHost) -> None:
    assert block(scene, "bridge1").startswith("bridge1: flags=8802<BROADCAST,SIMPLEX,MULTICAST> ")
    scene(("ifconfig", "bridge1", "addm", "epair1a"))
    assert block(scene, "bridge1").startswith("bridge1: flags=1008802<BROADCAST,SIMPLEX,MULTICAST,LOWER_UP> ")


# -- the host's hooks -----------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "changes"), [
    ((), False), (("-l",), False), (("-l", "inet"), False), (("-a",), False), (("-g", "epair"), False),
    (("-C",), False), (("em0",), False), (("em0", "inet"), False), (("-j", "1", "-l"), False),
    (("-j", "1", "lo0"), False), (("epair", "create"), True), (("em0", "up"), True),
    (("-j", "1", "lo0", "inet", "127.0.0.1/8", "up"), True), (("bridge0", "inet", "10.0.0.1/24"), True),
])
def test_mutating(argv: tuple[str, ...], changes: bool) -> None:
    assert mutating(argv) is changes


@pytest.mark.parametrize(("argv", "stderr"), [
    (("epair", "create", "description", "x"), "ifconfig: SIOCIFCREATE2 (epair): No space left on device\n"),
    (("-j", "3", "epair0a", "inet", "10.0.0.2/24", "name", "eth0"), "ifconfig: ioctl (SIOCAIFADDR): File exists\n"),
    (("epair0b", "name", "jn0a"), "ifconfig: ioctl SIOCSIFNAME (set name): File exists\n"),
    (("br0", "addm", "jn0a"), "ifconfig: BRDGADD jn0a: Device busy\n"),
    (("br0", "up"), "ifconfig: up: Device busy\n"),
])
def test_fault_texts(argv: tuple[str, ...], stderr: str) -> None:
    assert fault(argv) == (1, "", stderr)


ERRORS = [c for c in CASES if c[1] != 0 and not c[3].startswith(("usage:", E + "illegal", E + "option", E + "Address"))]


@pytest.mark.parametrize(("argv", "code", "out", "err"), ERRORS, ids=[" ".join(c[0])[:60] for c in ERRORS])
def test_error_paths_through_the_executables(
    scene: SimulatedHost,
    through_executables: Callable[..., Completed],
    argv: tuple[str, ...],
    code: int,
    out: str,
    err: str,
) -> None:
    result = through_executables(scene, argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)
