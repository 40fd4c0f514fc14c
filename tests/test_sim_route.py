"""The simulated route(8) against sbin/route/route.c and sbin/route/route_netlink.c (argv -> rc,
out, err), by release: 13.x routing socket, 14.x netlink, 15.x netlink with its error reports.

The standard host (SimulatedHost.freebsd()) has em0 at 10.0.2.15/24, lo0 at 127.0.0.1/8 and a
default route through 10.0.2.2.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, populate_rootfs
from hooks.testing.model import Route
from hooks.testing.route import PROGRAM, USAGE_JAIL, USAGE_OLD

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
NOT_FOUND_14 = "route: route has not been found: No error: 0\n"

# (id, setup, argv, exit, stdout, stderr) on FreeBSD 14.2.
CASES: list[tuple[str, list[tuple[str, ...]], tuple[str, ...], int, str, str]] = [
    # -- add (newroute(): "%s %s %s" [": gateway %s"]; " fib N" only when net.fibs > 1) -----------
    ("add default", [DELETE_DEFAULT], ("route", "add", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("-4 add default", [DELETE_DEFAULT], ("route", "-4", "add", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("-inet after the command", [DELETE_DEFAULT], ("route", "add", "-inet", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("-4 as a modifier", [DELETE_DEFAULT], ("route", "add", "-4", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("add -net 0.0.0.0/0", [DELETE_DEFAULT], ("route", "add", "-net", "0.0.0.0/0", "10.0.2.1"),
     0, "add net 0.0.0.0/0: gateway 10.0.2.1\n", ""),
    ("add default, quiet", [DELETE_DEFAULT], ("route", "-q", "add", "default", "10.0.2.1"), 0, "", ""),
    # route_ctl.c: the same gateway again is EEXIST (newroute(): "route already in table")
    ("add default exists", [], ("route", "add", "default", "10.0.2.2"),
     1, "add net default: gateway 10.0.2.2 fib 0: route already in table\n", ""),
    ("add -net 0/0 exists", [], ("route", "add", "-net", "0.0.0.0/0", "10.0.2.2"),
     1, "add net 0.0.0.0/0: gateway 10.0.2.2 fib 0: route already in table\n", ""),
    ("add exists, quiet", [], ("route", "-q", "add", "default", "10.0.2.2"), 1, "", ""),
    # route_ctl.c add_route_flags(): another gateway for the prefix is appended (multipath)
    ("add default second gateway", [], ("route", "add", "default", "10.0.2.1"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    ("add unreachable gateway", [DELETE_DEFAULT], ("route", "add", "default", "172.17.0.1"),
     1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    ("add unreachable beats exists", [], ("route", "add", "default", "172.17.0.1"),
     1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    ("add without gateway", [DELETE_DEFAULT], ("route", "add", "default"),
     1, "add net default fib 0: Invalid argument\n", ""),
    ("add over an interface prefix", [], ("route", "add", "-net", "10.0.2.0/24", "10.0.2.1"),
     1, "add net 10.0.2.0/24: gateway 10.0.2.1 fib 0: route already in table\n", ""),
    ("add network", [], ("route", "add", "-net", "192.168.0.0/16", "10.0.2.1"),
     0, "add net 192.168.0.0/16: gateway 10.0.2.1\n", ""),
    ("add host", [], ("route", "add", "192.168.1.5", "10.0.2.1"), 0, "add host 192.168.1.5: gateway 10.0.2.1\n", ""),
    ("add -host", [], ("route", "add", "-host", "192.168.1.0", "10.0.2.1"),
     0, "add host 192.168.1.0: gateway 10.0.2.1\n", ""),
    # 14.x getaddr(): inet_aton(3) and no classful guess, so a zero local part is still a host
    ("add no classful network", [], ("route", "add", "192.168.2.0", "10.0.2.1"),
     0, "add host 192.168.2.0: gateway 10.0.2.1\n", ""),
    ("add short -net", [], ("route", "add", "-net", "172.16", "10.0.2.1"),
     0, "add net 172.16: gateway 10.0.2.1\n", ""),
    ("add with netmask", [], ("route", "add", "-net", "192.168.4.0", "10.0.2.1", "255.255.254.0"),
     0, "add net 192.168.4.0: gateway 10.0.2.1\n", ""),
    ("add -netmask", [], ("route", "add", "192.168.4.0", "-netmask", "255.255.254.0", "10.0.2.1"),
     0, "add net 192.168.4.0: gateway 10.0.2.1\n", ""),
    ("add -gateway then netmask", [], ("route", "add", "-gateway", "10.0.2.1", "192.168.4.0", "255.255.254.0"),
     0, "add net 192.168.4.0: gateway 10.0.2.1\n", ""),
    ("add through loopback", [], ("route", "add", "198.18.0.1", "127.0.0.1"),
     0, "add host 198.18.0.1: gateway 127.0.0.1\n", ""),
    ("add interface route", [], ("route", "add", "-net", "10.9.0.0/16", "-interface", "em0"),
     0, "add net 10.9.0.0/16: gateway em0\n", ""),
    # sbin/route/tests/basic.sh interface_route_v4: route add 192.0.2.1 -iface epairb
    ("add -iface after the destination", [], ("route", "add", "192.0.2.1", "-iface", "em0"),
     0, "add host 192.0.2.1: gateway em0\n", ""),
    ("gateway through an interface route", [("route", "add", "-net", "10.9.0.0/16", "-interface", "em0")],
     ("route", "add", "192.168.7.0/24", "10.9.3.4"), 0, "add net 192.168.7.0/24: gateway 10.9.3.4\n", ""),
    ("add -interface missing", [], ("route", "add", "-net", "10.9.0.0/16", "-interface", "nope0"),
     65, "", "route: interface 'nope0' does not exist\n"),
    # getaddr() reads -interface when the gateway comes: afterwards it is too late
    ("-interface after the gateway", [], ("route", "add", "-net", "10.9.0.0/16", "em0", "-interface"),
     68, "", "route: bad address: em0\n"),
    ("add bad gateway", [], ("route", "add", "default", "nonsense"), 68, "", "route: bad address: nonsense\n"),
    ("add bad destination", [], ("route", "add", "nonsense", "10.0.2.1"), 68, "", "route: bad address: nonsense\n"),
    ("add bad net/bits", [], ("route", "add", "10.0.0.300/8", "10.0.2.1"), 68, "",
     "route: bad address: 10.0.0.300\n"),
    ("add bad mask length", [], ("route", "add", "10.0.0.0/33", "10.0.2.1"), 68, "",
     "route: bad mask length: 33\n"),
    ("add gateway with /len", [DELETE_DEFAULT], ("route", "add", "default", "10.0.2.1/24"), 68, "",
     "route: bad address: 10.0.2.1/24\n"),
    ("add other fib", [], ("route", "add", "default", "10.0.2.1", "-fib", "1"),
     64, "", "route: invalid fib number: 1\n"),
    ("add fib range", [], ("route", "add", "default", "10.0.2.1", "-fib", "0-1"),
     64, "", "route: invalid fib number: 0-1\n"),
    ("add fib 0", [DELETE_DEFAULT], ("route", "add", "default", "10.0.2.1", "-fib", "0"),
     0, "add net default: gateway 10.0.2.1\n", ""),
    # newroute(): one rtmsg() per FIB listed; the line for those that worked, then one per failure
    ("fib list names FIB 0 twice", [], ("route", "add", "10.5.0.0/16", "10.0.2.1", "-fib", "0,"), 1,
     "add net 10.5.0.0/16: gateway 10.0.2.1\n"
     "add net 10.5.0.0/16: gateway 10.0.2.1 fib 0: route already in table\n", ""),
    ("gateway default is 0.0.0.0", [], ("route", "add", "-net", "10.1.0.0/16", "default"), 1,
     "add net 10.1.0.0/16: gateway default fib 0: Network is unreachable\n", ""),
    ("-dst and -gateway", [], ("route", "add", "-dst", "10.4.0.0/16", "-gateway", "10.0.2.1"),
     0, "add net 10.4.0.0/16: gateway 10.0.2.1\n", ""),
    ("bad -netmask", [], ("route", "add", "-net", "10.3.0.0", "10.0.2.1", "-netmask", "garbage"),
     68, "", "route: bad address: garbage\n"),
    ("a lone dash is a bad keyword", [], ("route", "add", "-"), 64, "", "route: bad keyword: \n" + USAGE),
    ("bad metric", [], ("route", "add", "default", "10.0.2.1", "-mtu", "big"),
     64, "", "route: big: Invalid argument\n"),
    ("prefixlen without a family", [], ("route", "add", "-prefixlen", "24", "10.1.0.0", "10.0.2.1"),
     71, "", "route: prefixlen not supported in this af\n"),
    ("prefixlen out of range", [], ("route", "-4", "add", "10.1.0.0", "10.0.2.1", "-prefixlen", "33"),
     64, "", "route: 33: invalid prefixlen\n"),
    ("-prefixlen", [], ("route", "-4", "add", "10.1.0.0", "10.0.2.1", "-prefixlen", "16"),
     0, "add net 10.1.0.0: gateway 10.0.2.1\n", ""),
    # 14.x: the netlink rtmsg_nl() ignores -d and -t (route.c rtmsg(): only rtmsg_rtsock() checks)
    ("add dry run on 14", [], ("route", "-d", "add", "default", "10.0.2.2"),
     1, "add net default: gateway 10.0.2.2 fib 0: route already in table\n", ""),
    ("add bad keyword", [], ("route", "add", "-frob", "default", "10.0.2.1"),
     64, "", "route: bad keyword: frob\n" + USAGE),
    ("-j inside the words", [], ("route", "add", "-j", "j", "default", "10.0.2.1"),
     64, "", "route: bad keyword: j\n" + USAGE),
    ("add -link", [], ("route", "add", "-link", "x", "10.0.2.1"),
     1, "", "route: -link: not simulated by the jailnet test host\n"),
    ("add no destination", [], ("route", "add"), 64, "", "route: destination parameter required\n" + USAGE),
    ("add keyword missing argument", [], ("route", "add", "default", "-gateway"), 64, "", USAGE),
    ("add family mismatch", [], ("route", "add", "default", "-inet6", "10.0.2.1"), 71, "",
     "route: 10.0.2.1: hostname nor servname provided, or not known\n"),
    # -- delete ---------------------------------------------------------------------------------
    ("delete default", [], ("route", "delete", "default"), 0, "delete net default\n", ""),
    ("del default", [], ("route", "del", "default"), 0, "del net default\n", ""),
    ("delete with gateway", [], ("route", "delete", "default", "10.0.2.2"),
     0, "delete net default: gateway 10.0.2.2\n", ""),
    ("delete with other gateway", [], ("route", "delete", "default", "10.0.2.9"),
     1, "delete net default: gateway 10.0.2.9 fib 0: not in table\n", ""),
    ("delete missing", [DELETE_DEFAULT], ("route", "delete", "default"),
     1, "delete net default fib 0: not in table\n", ""),
    ("-4 delete missing", [DELETE_DEFAULT], ("route", "-4", "delete", "default"),
     1, "delete net default fib 0: not in table\n", ""),
    ("delete missing, quiet", [DELETE_DEFAULT], ("route", "-q", "delete", "default"), 1, "", ""),
    ("delete host", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "delete", "192.168.1.5"),
     0, "delete host 192.168.1.5\n", ""),
    # -- change ---------------------------------------------------------------------------------
    ("change default", [], ("route", "change", "default", "10.0.2.3"), 0, "change net default: gateway 10.0.2.3\n", ""),
    ("change missing", [DELETE_DEFAULT], ("route", "change", "default", "10.0.2.3"),
     1, "change net default: gateway 10.0.2.3 fib 0: not in table\n", ""),
    # -- get / show (route_netlink.c print_getmsg()) --------------------------------------------
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
    # rtmsg_nl_int(): warn("route has not been found"), then "return (0)"
    ("get missing default", [DELETE_DEFAULT], ("route", "get", "default"), 0, "", NOT_FOUND_14),
    ("get unroutable", [DELETE_DEFAULT], ("route", "-n", "get", "8.8.8.8"), 0, "", NOT_FOUND_14),
    ("get exact prefix missing", [], ("route", "get", "10.0.0.0/8"), 0, "", NOT_FOUND_14),
    ("get multipath default", [("route", "add", "default", "10.0.2.1")], ("route", "-n", "get", "default"), 0,
     "   route to: 0.0.0.0\ndestination: 0.0.0.0\n       mask: 0.0.0.0\n        fib: 0\n"
     "  interface: if#0\n      flags: <UP,GATEWAY,DONE,STATIC>\n" + METRICS, ""),
    # -- flush (route_netlink.c flushroutes_fib_nl(): only the family named) ---------------------
    ("flush without a family", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "flush"), 0, "", ""),
    ("flush -inet", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "flush", "-inet"), 0,
     "default              10.0.2.2             -fib 0   done\n"
     "192.168.1.5          10.0.2.1             -fib 0   done\n", ""),
    ("-4 flush", [], ("route", "-4", "flush"), 0,
     "default              10.0.2.2             -fib 0   done\n", ""),
    ("flush -n", [], ("route", "-n", "flush", "-4"), 0,
     "default              10.0.2.2             -fib 0   done\n", ""),
    ("flush quiet on 14 still prints", [], ("route", "-q", "flush", "-4"), 0,
     "default              10.0.2.2             -fib 0   done\n", ""),
    ("flush debug only", [], ("route", "-d", "flush", "-4"), 0, "", ""),
    ("flush -inet6 leaves inet", [], ("route", "flush", "-inet6"), 0, "", ""),
    ("flush word without dash", [], ("route", "flush", "inet"), 64, "", "route: bad keyword: inet\n" + USAGE),
    ("flush bad keyword keeps its dash", [], ("route", "flush", "-frob"), 64, "",
     "route: bad keyword: -frob\n" + USAGE),
    ("flush -fib without number", [], ("route", "flush", "-fib"), 64, "", "route: bad keyword: -fib\n" + USAGE),
    # -- monitor ----------------------------------------------------------------------------------
    ("monitor bad word", [], ("route", "monitor", "x"), 64, "", "route: bad keyword: x\n" + USAGE),
    ("monitor", [], ("route", "monitor"), 1, "", "route: monitor: not simulated by the jailnet test host\n"),
    # -- usage ------------------------------------------------------------------------------------
    ("no arguments", [], ("route",), 64, "", USAGE),
    ("options only", [], ("route", "-n"), 64, "", USAGE),
    ("bad command", [], ("route", "frob"), 64, "", "route: bad keyword: frob\n" + USAGE),
    ("a modifier as command", [], ("route", "inet"), 64, "", "route: bad keyword: inet\n" + USAGE),
    ("illegal option", [], ("route", "-x", "get", "default"), 64, "", "route: illegal option -- x\n" + USAGE),
    ("-j without argument", [], ("route", "-j"), 64, "", "route: option requires an argument -- j\n" + USAGE),
    # route.c main(): jail_getid() fails for a name; a number goes to jail_attach() unchecked
    ("-j unknown jail", [], ("route", "-j", "nope", "get", "default"), 1, "", "route: Jail not found\n"),
    ("-j unknown jid", [], ("route", "-j", "77", "get", "default"), 1, "", "route: Cannot attach to jail\n"),
    ("-j checked before the command", [], ("route", "-j", "nope", "frob"), 1, "", "route: Jail not found\n"),
    # -- IPv6 (sbin/route/tests/basic.sh basic_v6: "route add -6 DST GW", "route -6 delete DST") ---
    ("-6 add default unreachable", [], ("route", "-6", "add", "default", "2001:db8::1"),
     1, "add net default: gateway 2001:db8::1 fib 0: Network is unreachable\n", ""),
    ("add -6 inside the words", [], ("route", "add", "-6", "default", "2001:db8::1"),
     1, "add net default: gateway 2001:db8::1 fib 0: Network is unreachable\n", ""),
    ("-6 add default on link", [], ("route", "-6", "add", "default", "fe80::2"),
     0, "add net default: gateway fe80::2\n", ""),
    ("-6 bad gateway", [], ("route", "-6", "add", "default", "nonsense"),
     71, "", "route: nonsense: hostname nor servname provided, or not known\n"),
    ("-6 bad prefixlen", [], ("route", "-6", "add", "2001:db8::/129", "fe80::2"),
     64, "", "route: 129: invalid prefixlen\n"),
    ("-6 -host drops the prefix", [], ("route", "-6", "add", "-host", "2001:db8:2::/64", "fe80::2"),
     0, "add host 2001:db8:2::/64: gateway fe80::2\n", ""),
    ("-6 -prefixlen", [], ("route", "-6", "add", "2001:db8:1::", "-prefixlen", "64", "fe80::2"),
     0, "add net 2001:db8:1::: gateway fe80::2\n", ""),
    ("-6 scope of a missing interface", [], ("route", "-6", "add", "2001:db8:4::/64", "fe80::2%nope0"),
     71, "", "route: fe80::2%nope0: hostname nor servname provided, or not known\n"),
    # sbin/route/tests/basic.sh basic_v6 / tests/sys/net/routing/test_routing.sh: "-6j JAIL"
    ("-6j jail", [], ("route", "-6j", "nope", "add", "default", "fe80::2"), 1, "", "route: Jail not found\n"),
    ("-6 host", [], ("route", "-6", "add", "2001:db8::5", "fe80::2"), 0, "add host 2001:db8::5: gateway fe80::2\n", ""),
]


@pytest.mark.parametrize(("setup", "argv", "rc", "out", "err"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_route(host: SimulatedHost, setup: list[tuple[str, ...]], argv: tuple[str, ...], rc: int,
               out: str, err: str) -> None:
    for step in setup:
        assert host(step).returncode == 0, step
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


# -- releases: 13.x routing socket, 14.x netlink, 15.x netlink with warnx/warnc -------------------

RELEASES: list[tuple[str, list[tuple[str, ...]], tuple[str, ...], int, str, str]] = [
    # 13.x rtmsg(): EEXIST "Handled by newroute()"; ESRCH warnx; others warn("writing to routing socket")
    ("13.2-RELEASE", [], ("route", "add", "default", "10.0.2.2"), 1,
     "add net default: gateway 10.0.2.2 fib 0: route already in table\n", ""),
    ("13.2-RELEASE", [], ("route", "add", "-net", "10.5.0.0/16", "172.17.0.1"), 1,
     "add net 10.5.0.0/16: gateway 172.17.0.1 fib 0: Network is unreachable\n",
     "route: writing to routing socket: Network is unreachable\n"),
    ("13.2-RELEASE", [], ("route", "delete", "10.5.0.0/16"), 1,
     "delete net 10.5.0.0/16 fib 0: not in table\n", "route: route has not been found\n"),
    # a failed get: rtmsg() returns -1, newroute() "exit(error)" -> 255
    ("13.2-RELEASE", [DELETE_DEFAULT], ("route", "get", "default"), 255, "", "route: route has not been found\n"),
    ("13.2-RELEASE", [], ("route", "-d", "get", "default"), 0, "", ""),
    ("13.2-RELEASE", [], ("route", "-t", "get", "default"), 0, "",
     "route: read from routing socket: Bad file descriptor\n"),
    ("13.2-RELEASE", [], ("route", "-d", "add", "default", "10.0.2.2"), 0, "add net default: gateway 10.0.2.2\n", ""),
    # 13.x getaddr(): inet_network(3) and inet_makenetandmask() (classful)
    ("13.2-RELEASE", [], ("route", "add", "192.168.2.0", "10.0.2.1"), 0, "add net 192.168.2.0: gateway 10.0.2.1\n", ""),
    ("13.2-RELEASE", [], ("route", "add", "-net", "10.0.0.300/8", "10.0.2.1"), 68, "",
     "route: bad address: 10.0.0.300/8\n"),
    ("13.2-RELEASE", [("route", "add", "192.168.1.5", "10.0.2.1")], ("route", "flush"), 0,
     "default              10.0.2.2             -fib 0   done\n"
     "192.168.1.5          10.0.2.1             -fib 0   done\n", ""),
    ("13.2-RELEASE", [], ("route", "-q", "flush"), 0, "", ""),
    ("13.2-RELEASE", [], ("route", "-v", "get", "default"), 1, "",
     "route: -v: not simulated by the jailnet test host\n"),
    ("13.2-RELEASE", [], ("route", "-j", "x", "get", "default"), 64, "",
     "route: illegal option -- j\n" + USAGE_OLD + "\n"),
    ("13.2-RELEASE", [], ("route", "frob"), 64, "", "route: bad keyword: frob\n" + USAGE_OLD + "\n"),
    ("13.3-RELEASE", [], ("route", "-j", "x", "get", "default"), 1, "", "route: Jail not found\n"),
    # 15.x rtmsg_nl_int(): warnx ESRCH, warnc(e.error, "message indicates error"), error returned
    ("15.0-RELEASE", [], ("route", "add", "default", "10.0.2.2"), 1,
     "add net default: gateway 10.0.2.2 fib 0: route already in table\n",
     "route: message indicates error: File exists\n"),
    ("15.0-RELEASE", [], ("route", "add", "-net", "10.5.0.0/16", "172.17.0.1"), 1,
     "add net 10.5.0.0/16: gateway 172.17.0.1 fib 0: Network is unreachable\n",
     "route: message indicates error: Network is unreachable\n"),
    ("15.0-RELEASE", [], ("route", "delete", "10.5.0.0/16"), 1,
     "delete net 10.5.0.0/16 fib 0: not in table\n", "route: route has not been found\n"),
    ("15.0-RELEASE", [DELETE_DEFAULT], ("route", "-n", "get", "default"), 255, "", "route: route has not been found\n"),
    # newest getaddr(): "Check for bogus destination such as 10/8"
    ("15.0-RELEASE", [], ("route", "add", "10/8", "10.0.2.1"), 68, "",
     "route: malformed address, bits set after mask; 10 means 0.0.0.10\n"),
    ("14.2-RELEASE", [], ("route", "add", "10/8", "10.0.2.1"), 0, "add net 10/8: gateway 10.0.2.1\n", ""),
]


@pytest.mark.parametrize(("release", "setup", "argv", "rc", "out", "err"), RELEASES,
                         ids=[f"{r[0]} {' '.join(r[2])}" for r in RELEASES])
def test_release_differences(release: str, setup: list[tuple[str, ...]], argv: tuple[str, ...], rc: int,
                             out: str, err: str) -> None:
    host = SimulatedHost.freebsd(release)
    for step in setup:
        assert host(step).returncode == 0, step
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


# -- state effects -------------------------------------------------------------------------------


def test_routes_are_stored_classful_on_13(host13: SimulatedHost) -> None:
    host13(("route", "add", "-net", "192.168.0.0/16", "10.0.2.1"))
    host13(("route", "add", "192.168.1.5", "10.0.2.1"))
    host13(("route", "add", "-net", "10.8", "10.0.2.1"))
    host13(("route", "add", "-net", "10.1.2.3/8", "10.0.2.1"))
    host13(("route", "add", "-net", "10.9.0.0/16", "-interface", "em0"))
    host13(("route", "change", "default", "10.0.2.3"))
    assert host13.state.host.routes == [
        Route("default", "10.0.2.3", "em0"),
        Route("192.168.0.0/16", "10.0.2.1", "em0"),
        Route("192.168.1.5/32", "10.0.2.1", "em0"),
        Route("10.8.0.0/16", "10.0.2.1", "em0"),
        Route("10.0.0.0/8", "10.0.2.1", "em0"),
        Route("10.9.0.0/16", "", "em0"),
    ]
    host13(("route", "delete", "default"))
    host13(("route", "flush"))
    assert host13.state.host.routes == [Route("10.9.0.0/16", "", "em0")]


def test_routes_are_stored_without_classes_on_14(host: SimulatedHost) -> None:
    host(("route", "add", "-net", "10.8", "10.0.2.1"))  # inet_aton("10.8") is 10.0.0.8; no mask
    host(("route", "add", "-net", "10.1.2.3/8", "10.0.2.1"))
    host(("route", "add", "192.168.2.0", "10.0.2.1"))
    host(("route", "-4", "add", "10.1.0.0", "10.0.2.1", "-prefixlen", "16"))
    assert host.state.host.routes[1:] == [
        Route("10.0.0.8/32", "10.0.2.1", "em0"),
        Route("10.0.0.0/8", "10.0.2.1", "em0"),
        Route("192.168.2.0/32", "10.0.2.1", "em0"),
        Route("10.1.0.0/16", "10.0.2.1", "em0"),
    ]


def test_multipath_default(host: SimulatedHost) -> None:
    """route_ctl.c: a second gateway joins the route; delete with a gateway removes that path,
    without one the whole route."""
    assert host(("route", "add", "default", "10.0.2.1")).returncode == 0
    assert host.state.host.routes == [Route("default", "10.0.2.2", "em0"), Route("default", "10.0.2.1", "em0")]
    assert host(("route", "delete", "default", "10.0.2.2")).returncode == 0
    assert host.state.host.routes == [Route("default", "10.0.2.1", "em0")]
    assert host(("route", "add", "default", "10.0.2.3")).returncode == 0
    assert host(("route", "delete", "default")).stdout == "delete net default\n"
    assert host.state.host.routes == []


def test_dry_run_changes_nothing_on_13(host13: SimulatedHost) -> None:
    before = list(host13.state.host.routes)
    host13(("route", "-d", "delete", "default"))
    host13(("route", "-t", "add", "-net", "192.168.0.0/16", "10.0.2.1"))
    host13(("route", "-d", "flush"))
    host13(("route", "-t", "flush"))
    assert host13.state.host.routes == before


def test_dry_run_is_real_on_14(host: SimulatedHost) -> None:
    """route.c rtmsg(): with netlink, rtmsg_nl() is called whatever -d and -t say."""
    assert host(("route", "-d", "delete", "default")).returncode == 0
    assert host.state.host.routes == []
    assert host(("route", "-t", "add", "default", "10.0.2.2")).returncode == 0
    assert host.state.host.routes == [Route("default", "10.0.2.2", "em0")]


def test_gateway_on_a_down_interface_is_unreachable(host: SimulatedHost) -> None:
    host(("route", "delete", "default"))
    host(("ifconfig", "em0", "down"))
    result = host(("route", "add", "default", "10.0.2.2"))
    assert (result.returncode, result.stdout) == (
        1, "add net default: gateway 10.0.2.2 fib 0: Network is unreachable\n"
    )
    host(("ifconfig", "em0", "up"))
    assert host(("route", "add", "default", "10.0.2.2")).returncode == 0


def test_routes_go_with_their_interface(host: SimulatedHost) -> None:
    host(("ifconfig", "bridge", "create"))
    host(("ifconfig", "bridge0", "inet", "172.17.0.1/16"))
    host(("route", "add", "-net", "10.77.0.0/16", "172.17.0.9"))
    assert Route("10.77.0.0/16", "172.17.0.9", "bridge0") in host.state.host.routes
    host(("ifconfig", "bridge0", "destroy"))
    assert all(r.interface != "bridge0" for r in host.state.host.routes)


# -- jails: what jailnet runs ---------------------------------------------------------------------


def _vnet_jail(host: SimulatedHost, root: Path) -> None:
    """The walkthrough's jail: epair0b moved in and given 172.17.0.2/16."""
    host.create_jail("j", str(root), vnet=True)
    for argv in (("ifconfig", "bridge", "create"), ("ifconfig", "bridge0", "inet", "172.17.0.1/16"),
                 ("ifconfig", "epair", "create"), ("ifconfig", "bridge0", "addm", "epair0a"),
                 ("ifconfig", "epair0a", "up"), ("ifconfig", "epair0b", "vnet", "j"),
                 ("ifconfig", "-j", "j", "epair0b", "inet", "172.17.0.2/16")):
        assert host(argv).returncode == 0, argv


def test_route_j_jid_4_add_and_delete_default(host: SimulatedHost, tmp_path: Path) -> None:
    """jailnet: ``route -j JID -4 add default GW`` and its undo ``route -j JID -4 delete default``."""
    _vnet_jail(host, tmp_path / "root")
    host_routes = list(host.state.host.routes)
    jail = host.state.find_jail("j")
    assert jail is not None and jail.vnet is not None
    jid = str(jail.jid)
    result = host(("route", "-j", jid, "-4", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "add net default: gateway 172.17.0.1\n", "")
    assert jail.vnet.routes == [Route("default", "172.17.0.1", "epair0b")]
    assert host.state.host.routes == host_routes
    again = host(("route", "-j", jid, "-4", "add", "default", "172.17.0.1"))
    assert (again.returncode, again.stdout, again.stderr) == (
        1, "add net default: gateway 172.17.0.1 fib 0: route already in table\n", "")
    by_name = host(("route", "-j", "j", "-n", "get", "default"))
    assert by_name.returncode == 0 and "    gateway: 172.17.0.1\n" in by_name.stdout
    assert "  interface: epair0b\n" in by_name.stdout
    gone = host(("route", "-j", jid, "-4", "delete", "default"))
    assert (gone.returncode, gone.stdout, gone.stderr) == (0, "delete net default\n", "")
    missing = host(("route", "-j", jid, "-4", "delete", "default"))
    assert (missing.returncode, missing.stdout, missing.stderr) == (1, "delete net default fib 0: not in table\n", "")
    assert jail.vnet.routes == [] and host.state.host.routes == host_routes


def test_jexec_route_like_the_walkthrough(host: SimulatedHost, tmp_path: Path) -> None:
    """jailnet before 13.3: ``jexec JID /sbin/route -4 add default GW``."""
    root = populate_rootfs(tmp_path / "root", ("sbin/route", "sbin/ifconfig"))
    _vnet_jail(host, root)
    jid = str(host.state.find_jail("j").jid)  # type: ignore[union-attr]
    result = host(("jexec", jid, "/sbin/route", "-4", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "add net default: gateway 172.17.0.1\n", "")
    again = host(("jexec", jid, "/sbin/route", "-4", "add", "default", "172.17.0.1"))
    assert (again.returncode, again.stdout) == (
        1, "add net default: gateway 172.17.0.1 fib 0: route already in table\n"
    )


def test_jexec_route_on_13(host13: SimulatedHost, tmp_path: Path) -> None:
    root = populate_rootfs(tmp_path / "root", ("sbin/route", "sbin/ifconfig"))
    host13.create_jail("j", str(root), vnet=True)
    for argv in (("ifconfig", "epair", "create"), ("ifconfig", "epair0b", "vnet", "j"),
                 ("jexec", "j", "/sbin/ifconfig", "epair0b", "inet", "172.17.0.2/16", "up")):
        assert host13(argv).returncode == 0, argv
    ok = host13(("jexec", "1", "/sbin/route", "-4", "add", "default", "172.17.0.1"))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "add net default: gateway 172.17.0.1\n", "")
    dup = host13(("jexec", "1", "/sbin/route", "-4", "add", "default", "172.17.0.1"))
    assert (dup.returncode, dup.stdout, dup.stderr) == (
        1, "add net default: gateway 172.17.0.1 fib 0: route already in table\n", "")
    host13(("jexec", "1", "/sbin/route", "-4", "delete", "default"))
    gone = host13(("jexec", "1", "/sbin/route", "-4", "delete", "default"))
    assert (gone.returncode, gone.stdout, gone.stderr) == (
        1, "delete net default fib 0: not in table\n", "route: route has not been found\n")


def test_jail_without_gateway_network(host: SimulatedHost, tmp_path: Path) -> None:
    host.create_jail("j", str(tmp_path), vnet=True)
    result = host(("route", "-j", "j", "add", "default", "172.17.0.1"))
    assert (result.returncode, result.stdout) == (
        1, "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n"
    )


def test_dying_jail_is_not_found(host: SimulatedHost, tmp_path: Path) -> None:
    jail = host.create_jail("j", str(tmp_path), vnet=True)
    host.remove_jail("j", linger=True)
    by_name = host(("route", "-j", "j", "get", "default"))
    by_jid = host(("route", "-j", str(jail.jid), "get", "default"))
    assert (by_name.returncode, by_name.stderr) == (1, "route: Jail not found\n")
    assert (by_jid.returncode, by_jid.stderr) == (1, "route: Cannot attach to jail\n")


def test_non_vnet_jail_may_not_change_routes(host: SimulatedHost, tmp_path: Path) -> None:
    host.create_jail("j", str(tmp_path), vnet=False)
    result = host(("route", "-j", "j", "add", "-net", "10.5.0.0/16", "10.0.2.1"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "add net 10.5.0.0/16: gateway 10.0.2.1 fib 0: Operation not permitted\n", "")
    assert host(("route", "-j", "j", "get", "default")).returncode == 0  # reads the host's table
    flush = host(("route", "-j", "j", "flush", "-4"))
    assert (flush.returncode, flush.stderr) == (1, "route: RTM_DELROUTE failed:: Operation not permitted\n")


def test_non_vnet_jail_on_13(host13: SimulatedHost, tmp_path: Path) -> None:
    root = populate_rootfs(tmp_path / "root", ("sbin/route",))
    host13.create_jail("j", str(root), vnet=False)
    result = host13(("jexec", "j", "route", "add", "-net", "10.5.0.0/16", "10.0.2.1"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "route: writing to routing socket: Operation not permitted\n")
    flush = host13(("jexec", "j", "route", "flush"))
    assert (flush.returncode, flush.stderr) == (1, "route: write to routing socket: Operation not permitted\n")


# -- faults ----------------------------------------------------------------------------------

FAULTS = [
    (("route", "add", "default", "10.0.2.1"), 1,
     "add net default: gateway 10.0.2.1 fib 0: Network is unreachable\n", ""),
    (("route", "-j", "j", "-4", "add", "default", "172.17.0.1"), 1,
     "add net default: gateway 172.17.0.1 fib 0: Network is unreachable\n", ""),
    (("route", "-q", "add", "default", "10.0.2.1"), 1, "", ""),
    (("route", "delete", "default"), 1, "delete net default fib 0: not in table\n", ""),
    (("route", "add", "-net", "10.9.0.0/16", "-interface", "em9"), 1,
     "add net 10.9.0.0/16: gateway em9 fib 0: Network is unreachable\n", ""),
    (("route", "add", "nonsense", "10.0.2.1"), 68, "", "route: bad address: nonsense\n"),
    (("route", "flush", "-inet"), 1, "", "route: RTM_DELROUTE failed:: Operation not permitted\n"),
    (("route", "flush"), 0, "", ""),
]


@pytest.mark.parametrize(("argv", "rc", "out", "err"), FAULTS, ids=[" ".join(f[0]) for f in FAULTS])
def test_fault(host: SimulatedHost, argv: tuple[str, ...], rc: int, out: str, err: str) -> None:
    before = list(host.state.host.routes)
    host.fail_matching("route")
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)
    assert host.state.host.routes == before


@pytest.mark.parametrize(("args", "expected"), [
    (["-n", "get", "default"], False),
    (["show", "default"], False),
    (["-j", "j", "add", "default", "1.2.3.4"], True),
    (["-d", "delete", "default"], True),
    (["flush"], True),
    (["monitor"], False),
    (["-x", "add"], False),
])
def test_mutating(args: list[str], expected: bool) -> None:
    assert PROGRAM.mutating(args) is expected


def test_get_is_not_counted_by_faults(host: SimulatedHost) -> None:
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
