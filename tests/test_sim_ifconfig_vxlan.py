"""The simulated ifconfig's vxlan(4) against sbin/ifconfig/ifvxlan.c and sys/net/if_vxlan.c (in process).

Each expectation names the FreeBSD function it follows; hooks/testing/ifconfig.py and
hooks/testing/interfaces.py cite the files.
"""

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost
from hooks.testing.store import dump_state, load_state

E = "ifconfig: "
#: vm-bhyve's and jailnet's form: the vxlan words right after ``create``, the generic ones after.
GROUP = ("vxlanid", "42", "vxlanlocal", "192.0.2.10", "vxlangroup", "239.1.1.42", "vxlandev", "em0")
UNICAST = ("vxlanid", "108", "vxlanlocal", "192.168.100.1", "vxlanremote", "192.168.100.2")


def run(host: SimulatedHost, *argv: str) -> Completed:
    return host(("ifconfig", *argv))


def block(host: SimulatedHost, name: str, *options: str) -> str:
    result = run(host, *options, name)
    assert result.returncode == 0, result.stderr
    return result.stdout


def header(host: SimulatedHost, name: str) -> str:
    return block(host, name).splitlines()[0]


def names(host: SimulatedHost) -> str:
    return run(host, "-l").stdout


# -- 1. the one-shot create -------------------------------------------------------------------------


def test_one_shot_create_prints_the_chosen_name_and_runs(host: SimulatedHost) -> None:
    # ifvxlan.c: the params gathered; ifconfig.c: "name" fires the create, setifname() prints
    result = run(host, "vxlan", "create", *GROUP, "name", "vx42", "description", "jailnet vxlan", "mtu", "1450", "up")
    assert (result.returncode, result.stdout, result.stderr) == (0, "vx42\n", "")
    assert header(host, "vx42") == (
        "vx42: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1450")
    text = block(host, "vx42")
    assert "\tdescription: jailnet vxlan\n" in text and "\tgroups: vxlan\n" in text
    assert names(host) == "em0 lo0 vx42\n"


def test_create_prints_the_unit_only_when_the_kernel_chose_it(host: SimulatedHost) -> None:
    assert run(host, "vxlan", "create", *UNICAST).stdout == "vxlan0\n"
    assert run(host, "vxlan5", "create", *GROUP).stdout == ""  # the name did not change
    assert run(host, "vxlan", "create").stdout == "vxlan1\n"  # only clone words: deferred callback
    assert run(host, "vxlan1", "create") == Completed(("ifconfig", "vxlan1", "create"), 1, "",
                                                     E + "interface vxlan1 already exists\n")
    # a renamed vxlan keeps its unit (if_clone.c ifc_alloc_unit)
    assert run(host, "vxlan0", "name", "vx0").stdout == "vx0\n"
    assert run(host, "vxlan", "create").stdout == "vxlan2\n"


@pytest.mark.parametrize(("words", "mtu"), [
    (("vxlanid", "1", "vxlanremote", "192.0.2.2"), 1450),  # IPv4: 1500 - 14 - 16 - 20
    (("vxlanid", "1", "vxlangroup", "ff05::42"), 1430),  # IPv6: 1500 - 14 - 16 - 40
    (("vxlanid", "1"), 1470),  # no destination yet
])
def test_mtu_follows_the_destination_family(host: SimulatedHost, words: tuple[str, ...], mtu: int) -> None:
    assert run(host, "vxlan", "create", *words).returncode == 0
    assert header(host, "vxlan0").endswith(f" mtu {mtu}")


def test_setting_the_remote_later_recomputes_the_mtu_unless_one_was_set(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", "vxlanid", "1")
    assert run(host, "vxlan0", "vxlanremote", "192.0.2.2").returncode == 0  # VXLAN_CMD_SET_REMOTE_ADDR
    assert header(host, "vxlan0").endswith(" mtu 1450")
    run(host, "vxlan", "create", "vxlanid", "2", "mtu", "9000")  # VXLAN_FLAG_USER_MTU
    assert run(host, "vxlan1", "vxlanremote", "192.0.2.2").returncode == 0
    assert header(host, "vxlan1").endswith(" mtu 9000")


@pytest.mark.parametrize(("mtu", "ok"), [("72", True), ("1500", True), ("9000", True), ("65437", True),
                                         ("71", False), ("46", False), ("65438", False)])
def test_mtu_range(host: SimulatedHost, mtu: str, ok: bool) -> None:
    # vxlan_ioctl SIOCSIFMTU: ETHERMIN..VXLAN_MAX_MTU; if.c refuses below IF_MINMTU (72) first
    run(host, "vxlan", "create", *UNICAST)
    result = run(host, "vxlan0", "mtu", mtu)
    if ok:
        assert result.returncode == 0 and header(host, "vxlan0").endswith(f" mtu {mtu}")
    else:
        assert (result.returncode, result.stderr) == (1, E + "ioctl SIOCSIFMTU (set mtu): Invalid argument\n")


def test_numbers_take_strtoul_forms(host: SimulatedHost) -> None:
    assert run(host, "vxlan", "create", "vni", "0x2a", "vxlanremote", "192.0.2.2").returncode == 0
    assert "\tvxlan vni 42 " in block(host, "vxlan0")
    assert run(host, "vxlan", "create", "vxlanid", "052", "vxlanremote", "192.0.2.2").returncode == 0
    assert "\tvxlan vni 42 " in block(host, "vxlan1")


# -- 2. userland errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "stderr"), [
    (("vxlanid", "16777216"), "invalid network identifier: 16777216"),
    (("vxlanid", "abc"), "invalid network identifier: abc"),
    (("vxlanid", ""), "invalid network identifier: "),
    (("vxlanid", "42x"), "invalid network identifier: 42x"),
    (("vxlanlocal", "no.such.host"),
     "error in parsing local address string: hostname nor servname provided, or not known"),
    (("vxlanremote", "300.1.1.1"),
     "error in parsing remote address string: hostname nor servname provided, or not known"),
    (("vxlangroup", "bogus"), "error in parsing group address string: hostname nor servname provided, or not known"),
    (("vxlanlocal", "239.1.1.1"), "local address cannot be multicast"),
    (("vxlanremote", "239.1.1.1"), "remote address cannot be multicast"),
    (("vxlanremote", "ff05::1"), "remote address cannot be multicast"),
    (("vxlangroup", "192.0.2.2"), "group address must be multicast"),
    (("vxlanlocal", "192.0.2.1", "vxlanremote", "2001:db8::2"), "cannot mix IPv4 and IPv6 addresses"),
    (("vxlanlocal", "2001:db8::1", "vxlangroup", "239.1.1.1"), "cannot mix IPv4 and IPv6 addresses"),
    (("vxlanlocal", "192.0.2.1", "vxlanlocal", "2001:db8::1"), "cannot specify both local IPv4 and IPv6 addresses"),
    (("vxlanremote", "192.0.2.1", "vxlanremote", "2001:db8::1"), "cannot specify both remote IPv4 and IPv6 addresses"),
    (("vxlanlocalport", "65535"), "invalid local port: 65535"),
    (("vxlanremoteport", "-1"), "invalid remote port: -1"),
    (("vxlanportrange", "20000", "10000"), "invalid port range"),
    (("vxlanportrange", "x", "10000"), "invalid port range minimum: x"),
    (("vxlanttl", "257"), "invalid TTL value: 257"),
    (("vxlantimeout", "4294967296"), "invalid timeout value: 4294967296"),
    (("vxlanmaxaddr", "z"), "invalid maxaddr value: z"),
])
def test_parser_errors_exit_1_and_create_nothing(host: SimulatedHost, words: tuple[str, ...], stderr: str) -> None:
    result = run(host, "vxlan", "create", *words, "name", "vx0", "up")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", E + stderr + "\n")
    assert names(host) == "em0 lo0\n"


@pytest.mark.parametrize(("words", "stderr"), [
    (("vxlanid",), "'vxlanid' requires argument"),
    (("vxlanid", "1", "vxlangroup"), "'vxlangroup' requires argument"),
    (("vxlanportrange", "10000"), "'vxlanportrange' requires 2 arguments"),
])
def test_a_missing_argument_fails_before_the_create(host: SimulatedHost, words: tuple[str, ...], stderr: str) -> None:
    # ifconfig.c ifconfig_ioctl(): NEXTARG/NEXTARG2 checks come before the callback runs
    result = run(host, "vxlan", "create", *words)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", E + stderr + "\n")
    assert names(host) == "em0 lo0\n"


def test_limits_the_kernel_ignores_at_create(host: SimulatedHost) -> None:
    # vxlan_set_user_config(): a TTL of 256 arrives as 0 (uint8_t); a backwards range is ignored
    assert run(host, "vxlan", "create", *UNICAST, "vxlanttl", "256", "vxlanlocalport", "0").returncode == 0
    assert "ttl 0\n" in block(host, "vxlan0", "-v")
    assert "\tvxlan vni 108 local 192.168.100.1:0 remote 192.168.100.2:4789\n" in block(host, "vxlan0")


# -- 3. UP but not RUNNING ---------------------------------------------------------------------------

NOT_RUNNING = [
    ("vxlanlocal", "192.0.2.10", "vxlangroup", "239.1.1.42"),  # "invalid virtual network identifier"
    ("vxlanid", "42", "vxlanlocal", "192.0.2.10"),  # "destination address type is not supported"
    ("vxlanid", "42", "vxlanremote", "0.0.0.0"),  # "no valid destination address specified"
    ("vxlanid", "42", "vxlanremote", "192.0.2.2", "vxlandev", "em0"),  # "can only specify interface with a group"
    ("vxlanid", "42", "vxlangroup", "239.1.1.42", "vxlandev", "em9"),  # "multicast interface %s does not exist"
    ("vxlanid", "42", "vxlanlocal", "2001:db8::1", "vxlanlocal", "2001:db8::1", "vxlanremoteport", "0",
     "vxlanremote", "2001:db8::2"),  # "remote port not specified"
]


@pytest.mark.parametrize("words", NOT_RUNNING)
def test_up_without_a_valid_config_is_up_not_running_and_exits_0(host: SimulatedHost, words: tuple[str, ...]) -> None:
    # vxlan_ioctl_ifflags(): vxlan_init() fails on vxlan_valid_init_config()/setup_socket(), returns 0
    result = run(host, "vxlan", "create", *words, "up")
    assert (result.returncode, result.stdout, result.stderr) == (0, "vxlan0\n", "")
    assert "<UP,BROADCAST,SIMPLEX,MULTICAST>" in header(host, "vxlan0")


def test_another_up_retries_vxlan_init(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", "vxlanlocal", "192.0.2.10", "vxlanremote", "192.0.2.20", "up")
    assert "RUNNING" not in header(host, "vxlan0")
    assert "\tvxlan vni" not in block(host, "vxlan0")  # vxlan_status: nothing while the VNI is unset
    assert run(host, "vxlan0", "vxlanid", "7").returncode == 0  # not running: SET_VNI is allowed
    assert "RUNNING" not in header(host, "vxlan0")
    assert run(host, "vxlan0", "up").returncode == 0
    assert "<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP>" in header(host, "vxlan0")


def test_an_address_runs_vxlan_init_and_down_tears_it_down(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *UNICAST)
    assert "flags=8802<BROADCAST,SIMPLEX,MULTICAST>" in header(host, "vxlan0")
    # ether_ioctl SIOCSIFADDR: IFF_UP and if_init()
    assert run(host, "vxlan0", "inet", "10.9.0.1/24").returncode == 0
    assert "<UP,BROADCAST,RUNNING," in header(host, "vxlan0")
    assert run(host, "vxlan0", "down").returncode == 0
    assert "flags=8802<BROADCAST,SIMPLEX,MULTICAST>" in header(host, "vxlan0")


def test_sockets_one_vni_per_socket_and_port_clashes(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *UNICAST, "up")
    run(host, "vxlan", "create", *UNICAST, "up")  # same local:port, same VNI -> EEXIST
    assert "RUNNING" not in header(host, "vxlan1")
    run(host, "vxlan", "create", "vxlanid", "109", *UNICAST[2:], "up")  # shares the socket
    assert "RUNNING" in header(host, "vxlan2")
    run(host, "vxlan", "create", "vxlanid", "5", "vxlangroup", "239.1.1.5", "up")  # *:4789 EADDRINUSE
    assert "RUNNING" not in header(host, "vxlan3")
    run(host, "vxlan", "create", "vxlanid", "5", "vxlangroup", "239.1.1.5", "vxlanlocalport", "4790", "up")
    assert "RUNNING" in header(host, "vxlan4")


def test_destroying_the_vxlandev_tears_the_vxlan_down(host: SimulatedHost) -> None:
    run(host, "epair", "create")
    run(host, "vxlan", "create", "vxlanid", "42", "vxlangroup", "239.1.1.42", "vxlandev", "epair0a", "up")
    assert "RUNNING" in header(host, "vxlan0")
    run(host, "epair0a", "destroy")  # vxlan_ifdetach_event()
    assert "<UP,BROADCAST,SIMPLEX,MULTICAST>" in header(host, "vxlan0")


# -- 4. post-create words on a running vxlan ----------------------------------------------------------


@pytest.mark.parametrize(("words", "stderr"), [
    (("vxlanid", "43"), "VXLAN_CMD_SET_VNI: Device busy"),
    (("vni", "43"), "VXLAN_CMD_SET_VNI: Device busy"),
    (("vxlanlocal", "192.0.2.11"), "VXLAN_CMD_SET_LOCAL_ADDR: Device busy"),
    (("vxlangroup", "239.1.1.43"), "VXLAN_CMD_SET_REMOTE_ADDR: Device busy"),
    (("vxlanremote", "192.0.2.2"), "VXLAN_CMD_SET_REMOTE_ADDR: Device busy"),
    (("vxlanlocalport", "4790"), "VXLAN_CMD_SET_LOCAL_PORT: Device busy"),
    (("vxlanremoteport", "4790"), "VXLAN_CMD_SET_REMOTE_PORT: Device busy"),
    (("vxlanportrange", "20000", "30000"), "VXLAN_CMD_SET_PORT_RANGE: Device busy"),
    (("vxlandev", "em0"), "VXLAN_CMD_SET_MULTICAST_IF: Device busy"),
    (("vxlantimeout", "86401"), "VXLAN_CMD_SET_FTABLE_TIMEOUT: Invalid argument"),
    (("vxlanmaxaddr", "2001"), "VXLAN_CMD_SET_FTABLE_MAX: Invalid argument"),
    (("up", "vxlanid", "16777216"), "invalid network identifier: 16777216"),
])
def test_config_words_on_a_running_vxlan_fail(host: SimulatedHost, words: tuple[str, ...], stderr: str) -> None:
    run(host, "vxlan", "create", *GROUP, "up")
    result = run(host, "vxlan0", *words)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", E + stderr + "\n")
    assert "\tvxlan vni 42 local 192.0.2.10:4789 group 239.1.1.42:4789\n" in block(host, "vxlan0")


def test_words_that_apply_while_running_and_after_down(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *GROUP, "up")
    assert run(host, "vxlan0", "vxlanttl", "8", "-vxlanlearn", "vxlantimeout", "60", "vxlanflushall").returncode == 0
    assert "\t\tconfig: nolearning portrange 10000-65535 ttl 8\n\t\tftable: cnt 0 max 2000 timeout 60\n" in block(
        host, "vxlan0", "-v")
    assert run(host, "vxlan0", "down", "vxlanid", "43", "up").returncode == 0
    assert "\tvxlan vni 43 " in block(host, "vxlan0") and "RUNNING" in header(host, "vxlan0")


def test_a_vxlan_word_after_up_in_the_create_line_does_not_restart(host: SimulatedHost) -> None:
    # the note's ordering pitfall: `create up vxlanid 42` runs vxlan_init without a VNI first
    result = run(host, "vxlan", "create", "vxlanremote", "192.0.2.2", "up", "vxlanid", "42")
    assert (result.returncode, result.stdout) == (0, "vxlan0\n")
    assert "<UP,BROADCAST,SIMPLEX,MULTICAST>" in header(host, "vxlan0")
    assert "\tvxlan vni 42 local : remote 192.0.2.2:4789\n" in block(host, "vxlan0")


def test_vxlan_words_on_another_interface_are_stored_and_forgotten(host: SimulatedHost) -> None:
    # vxlan_exists() fails on em0, so the value only goes into params
    assert run(host, "em0", "vxlanid", "5") == Completed(("ifconfig", "em0", "vxlanid", "5"), 0, "", "")
    assert run(host, "em0", "vxlanflush").stderr == E + "VXLAN_CMD_FLUSH: Invalid argument\n"


# -- 5. the status line ------------------------------------------------------------------------------


def test_status_block_order(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *GROUP, "up")
    lines = block(host, "vxlan0").splitlines()
    assert lines[1] == "\toptions=80020<JUMBO_MTU,LINKSTATE>"
    assert lines[2].startswith("\tether ")
    assert lines[3:7] == [
        "\tgroups: vxlan",
        "\tvxlan vni 42 local 192.0.2.10:4789 group 239.1.1.42:4789",
        "\tmedia: Ethernet autoselect (autoselect <full-duplex>)",
        "\tstatus: active",
    ]
    assert block(host, "vxlan0", "-v").splitlines()[5:7] == [
        "\t\tconfig: learning portrange 10000-65535 ttl 64", "\t\tftable: cnt 0 max 2000 timeout 1200"]


@pytest.mark.parametrize(("words", "line"), [
    (UNICAST, "\tvxlan vni 108 local 192.168.100.1:4789 remote 192.168.100.2:4789\n"),
    (("vxlanid", "7", "vxlanlocal", "2001:db8::1", "vxlangroup", "ff05::7", "vxlanlocalport", "8472"),
     "\tvxlan vni 7 local [2001:db8::1]:8472 group [ff05::7]:4789\n"),
    (("vxlanid", "0", "vxlanremote", "192.0.2.2"), "\tvxlan vni 0 local : remote 192.0.2.2:4789\n"),
    (("vxlanid", "9"), "\tvxlan vni 9 local : remote :\n"),
])
def test_status_line(host: SimulatedHost, words: tuple[str, ...], line: str) -> None:
    run(host, "vxlan", "create", *words)
    assert line in block(host, "vxlan0")


# -- 6. destroy, bridges, releases ---------------------------------------------------------------------


def test_destroy_and_its_bridge_membership(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *GROUP, "up")
    assert run(host, "bridge", "create", "name", "br0", "addm", "vxlan0", "up").stdout == "br0\n"
    text = block(host, "br0")
    assert " mtu 1450\n" in text  # the first member defines the bridge's MTU
    assert "\tmember: vxlan0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n" in text
    assert "PROMISC" in header(host, "vxlan0")
    assert run(host, "vxlan0", "destroy") == Completed(("ifconfig", "vxlan0", "destroy"), 0, "", "")
    assert "member:" not in block(host, "br0")
    assert run(host, "vxlan0", "destroy").stderr == E + "interface vxlan0 does not exist\n"


def test_bridge_mtu_rule_14_and_later_sets_the_new_member(host: SimulatedHost) -> None:
    run(host, "epair", "create")
    run(host, "bridge", "create", "addm", "epair0a")
    run(host, "vxlan", "create", *GROUP)
    assert run(host, "bridge0", "addm", "vxlan0").returncode == 0
    assert header(host, "vxlan0").endswith(" mtu 1500")
    run(host, "vxlan0", "vxlanremote", "239.1.1.43")  # VXLAN_FLAG_USER_MTU latched: stays 1500
    assert header(host, "vxlan0").endswith(" mtu 1500")


def test_bridge_mtu_rule_13_refuses_a_member_with_another_mtu(host13: SimulatedHost) -> None:
    run(host13, "epair", "create")
    run(host13, "bridge", "create", "addm", "epair0a")
    run(host13, "vxlan", "create", *GROUP)
    result = run(host13, "bridge0", "addm", "vxlan0")
    assert (result.returncode, result.stderr) == (1, E + "BRDGADD vxlan0: Invalid argument\n")
    assert run(host13, "vxlan0", "mtu", "1500", "up").returncode == 0
    assert run(host13, "bridge0", "addm", "vxlan0").returncode == 0
    assert header(host13, "vxlan0") == (
        "vxlan0: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500")


def test_vxlan_survives_the_state_file(host: SimulatedHost) -> None:
    run(host, "vxlan", "create", *GROUP, "name", "vx42", "up")
    restored = SimulatedHost(load_state(dump_state(host.state)))
    assert block(restored, "vx42") == block(host, "vx42")
    assert run(restored, "vx42", "vxlanid", "1").stderr == E + "VXLAN_CMD_SET_VNI: Device busy\n"
