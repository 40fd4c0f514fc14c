"""The manual steps jailnet automates (docs/walkthrough.md), step by step through the executables.

Expected outputs are the walkthrough's own listings (its FreeBSD 13 host), with tabs where the
blog shows indentation; MAC addresses are random on FreeBSD, so only their shape is compared.
"""

import io
import re
from pathlib import Path

import pytest

from hooks.system import SubprocessRunner
from hooks.testing import walkthrough

SEED_HOST_IFCONFIG = """\
em0: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\toptions=481009b<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,VLAN_HWCSUM,VLAN_HWFILTER,NOMAP>
\tether 08:00:27:f3:cd:05
\tinet6 fe80::a00:27ff:fef3:cd05%em0 prefixlen 64 scopeid 0x1
\tinet 10.0.2.15 netmask 0xffffff00 broadcast 10.0.2.255
\tmedia: Ethernet autoselect (1000baseT <full-duplex>)
\tstatus: active
\tnd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>
\tinet6 ::1 prefixlen 128
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x2
\tinet 127.0.0.1 netmask 0xff000000
\tgroups: lo
\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
epair0a: flags=8963<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500
\toptions=8<VLAN_MTU>
\tether 02:7b:e0:b2:dc:0a
\tgroups: epair
\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)
\tstatus: active
\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
epair0b: flags=8862<BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\toptions=8<VLAN_MTU>
\tether 02:7b:e0:b2:dc:0b
\tgroups: epair
\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)
\tstatus: active
\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\tether 58:9c:fc:00:12:0a
\tinet 172.17.0.1 netmask 0xffff0000 broadcast 172.17.255.255
\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15
\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200
\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0
\tmember: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
\t        ifmaxaddr 0 port 3 priority 128 path cost 2000
\tgroups: bridge
\tnd6 options=9<PERFORMNUD,IFDISABLED>
"""

SEED_JAIL_IFCONFIG = """\
lo0: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384
\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>
\tgroups: lo
\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
epair0b: flags=8862<BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\toptions=8<VLAN_MTU>
\tether 02:15:7d:ce:b0:0b
\tgroups: epair
\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)
\tstatus: active
\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
"""


def shape(listing: str) -> str:
    """Replace random MAC digits, keeping epairs' fixed 02: prefix and 0a/0b suffix."""
    listing = re.sub(r"ether 02(:[0-9a-f]{2}){4}:(0[ab])", r"ether 02:xx:xx:xx:xx:\2", listing)
    return re.sub(r"ether 58:9c:fc(:[0-9a-f]{2}){3}", "ether 58:9c:fc:xx:xx:xx", listing)


@pytest.fixture
def replayed(tmp_path: Path) -> list[tuple[walkthrough.Step, object]]:
    shared = walkthrough.prepare(tmp_path)
    return walkthrough.replay(shared, SubprocessRunner(path=shared.path), io.StringIO())  # type: ignore[return-value]


def outputs(replayed: list[tuple[walkthrough.Step, object]]) -> list[tuple[str, int, str, str]]:
    return [(" ".join(step.command()), r.returncode, r.stdout, r.stderr) for step, r in replayed]  # type: ignore[attr-defined]


def test_every_step_succeeds(replayed: list[tuple[walkthrough.Step, object]]) -> None:
    assert [o[1] for o in outputs(replayed)] == [0] * len(replayed)


def test_host_steps_print_what_freebsd_prints(replayed: list[tuple[walkthrough.Step, object]]) -> None:
    got = outputs(replayed)
    assert got[0] == ("pfctl -f /etc/pf.conf", 0, "", "")
    assert got[1] == ("pfctl -e", 0, "", "pf enabled\n")
    assert got[2] == ("sysctl net.inet.ip.forwarding=1", 0, "net.inet.ip.forwarding: 0 -> 1\n", "")
    assert got[3] == ("ifconfig epair create", 0, "epair0a\n", "")
    assert got[4] == ("ifconfig bridge create", 0, "bridge0\n", "")
    assert got[5:8] == [
        ("ifconfig bridge0 inet 172.17.0.1/16", 0, "", ""),
        ("ifconfig bridge0 addm epair0a", 0, "", ""),
        ("ifconfig epair0a up", 0, "", ""),
    ]
    assert got[8][0] == "ifconfig" and shape(got[8][2]) == shape(SEED_HOST_IFCONFIG)
    # The table is only referenced by the NAT rule, so the add creates it (docs/freebsd-commands.md §3.3).
    assert got[9] == ("pfctl -t jail-nat -T add 172.17.0.2", 0, "", "1 table created.\n1/1 addresses added.\n")


def test_jail_steps_print_what_freebsd_prints(replayed: list[tuple[walkthrough.Step, object]]) -> None:
    got = outputs(replayed)
    assert got[10][0] == "jexec my-container ifconfig"
    assert shape(got[10][2]) == shape(SEED_JAIL_IFCONFIG)
    # Back on the host, epair0b has disappeared; the rest is as before.
    without_b = re.sub(r"epair0b: .*?(?=bridge0:)", "", SEED_HOST_IFCONFIG, flags=re.S)
    assert shape(got[11][2]) == shape(without_b)
    assert got[12] == ("jexec my-container ifconfig epair0b inet 172.17.0.2/16", 0, "", "")
    assert got[13] == ("jexec my-container route -4 add default 172.17.0.1", 0,
                       "add net default: gateway 172.17.0.1\n", "")
    inside = got[14][2]
    assert "epair0b: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500" in inside
    assert "\tinet 172.17.0.2 netmask 0xffff0000 broadcast 172.17.255.255\n" in inside
    assert got[15] == ("pfctl -t jail-nat -T show", 0, "   172.17.0.2\n", "")


def test_demo_command_prints_the_walkthrough(tmp_path: Path) -> None:
    out = io.StringIO()
    assert walkthrough.demo(out, keep=str(tmp_path / "demo")) == 0
    text = out.getvalue()
    assert "sam@freebsd:~$ sudo ifconfig epair create\nepair0a\n" in text
    assert "# route -4 add default 172.17.0.1\nadd net default: gateway 172.17.0.1\n" in text
    assert "16 commands run through the simulated host's executables, 0 failed." in text
