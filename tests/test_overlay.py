"""The network key ``vxlan`` (hooks/overlay.py): its validation, and the vxlan(4) interface the
first create on the network makes with the bridge (hooks/plan.py ``overlay``)."""

import json
from pathlib import Path

import pytest

from hooks import configfile, plan
from hooks.errors import BadInput
from hooks.netconf import DnsDefaults, Network
from hooks.observe import BridgeState
from hooks.testing import HookBed

RESOLVER = DnsDefaults.from_text("nameserver 192.0.2.53\n")
BASE = '[networks.shared]\nbridge = "jailnet1"\nsubnet = "10.90.0.0/24"\n'


def shared(vxlan: str, more: str = "") -> Network:
    return configfile.parse(BASE + f"vxlan = {vxlan}\n" + more, where="t", resolver=RESOLVER).network("shared", "t")


def test_a_multicast_overlay_is_made_with_the_bridge_and_added_to_it() -> None:
    network = shared('{ id = 42, local = "192.0.2.10", group = "239.1.1.42", dev = "em0" }')
    assert network.mtu == 1450  # every member of the bridge takes the overlay's MTU
    assert plan.ensure_bridge(network, BridgeState(exists=False)) == (
        plan.Command(("ifconfig", "bridge", "create", "inet", "10.90.0.1/24", "description", "jailnet network shared",
                      "mtu", "1450", "up", "name", "jailnet1"), undo=("ifconfig", "jailnet1", "destroy"), creates=True),
        plan.Command(("ifconfig", "vxlan", "create", "vxlanid", "42", "vxlanlocal", "192.0.2.10", "vxlangroup",
                      "239.1.1.42", "vxlandev", "em0", "description", "jailnet network shared", "mtu", "1450", "up",
                      "name", "jnx42"), undo=("ifconfig", "jnx42", "destroy"), creates=True),
        plan.Command(("ifconfig", "jailnet1", "addm", "jnx42"), undo=("ifconfig", "jailnet1", "deletem", "jnx42")),
    )


def test_a_unicast_overlay_over_ipv6_and_a_given_mtu() -> None:
    network = shared('{ id = 7, local = "2001:db8::10", remote = "2001:db8::11" }', "mtu = 1400\n")
    steps = plan.overlay(network)
    assert steps[0].argv == ("ifconfig", "vxlan", "create", "vxlanid", "7", "vxlanlocal", "2001:db8::10", "vxlanremote",
                             "2001:db8::11", "description", "jailnet network shared", "mtu", "1400", "up", "name",
                             "jnx7")
    assert shared('{ id = 7, local = "2001:db8::10", remote = "2001:db8::11" }').mtu == 1430


def test_an_existing_bridge_gets_no_second_overlay() -> None:
    network = shared('{ id = 42, local = "192.0.2.10", remote = "192.0.2.11" }')
    assert all(step.argv[1] != "vxlan" for step in plan.ensure_bridge(network, BridgeState(exists=True, up=True)))


@pytest.mark.parametrize(("vxlan", "line"), [
    ('{ id = 16777216, local = "192.0.2.10", group = "239.1.1.42" }',
     "networks.shared.vxlan.id: 16777216 is not a VXLAN network identifier (0 to 16777215)"),
    ('{ id = 42, local = "192.0.2.10" }', "networks.shared.vxlan: give group (multicast) or remote (unicast), one of "
                                          "the two"),
    ('{ id = 42, local = "192.0.2.10", group = "192.0.2.11" }',
     "networks.shared.vxlan.group: 192.0.2.11 is not a multicast address"),
    ('{ id = 42, local = "192.0.2.10", remote = "239.1.1.42" }',
     "networks.shared.vxlan.remote: 239.1.1.42 is a multicast address: use group"),
    ('{ id = 42, local = "192.0.2.10", remote = "192.0.2.11", dev = "em0" }',
     "networks.shared.vxlan.dev: only with a group (the kernel refuses a multicast interface for a unicast remote)"),
    ('{ id = 42, local = "192.0.2.10", group = "ff05::42" }',
     "networks.shared.vxlan: local 192.0.2.10 and ff05::42 are not of one address family"),
    ('{ id = 42, local = "em0", group = "239.1.1.42" }', "networks.shared.vxlan.local: 'em0' is not an IP address"),
    ('{ id = 42, local = "192.0.2.10", group = "239.1.1.42", ttl = 3 }', "networks.shared.vxlan"),
])
def test_a_bad_overlay_is_bad_input_naming_the_key(vxlan: str, line: str) -> None:
    with pytest.raises(BadInput) as info:
        shared(vxlan)
    assert str(info.value).startswith(f"t: {line}"), str(info.value)


def test_two_networks_may_not_share_a_vni() -> None:
    text = (BASE + 'vxlan = { id = 42, local = "192.0.2.10", remote = "192.0.2.11" }\n'
            '[networks.other]\nbridge = "jailnet2"\nsubnet = "10.91.0.0/24"\n'
            'vxlan = { id = 42, local = "192.0.2.10", remote = "192.0.2.12" }\n')
    with pytest.raises(BadInput, match="^t: networks other and shared both use vxlan id 42$"):
        configfile.parse(text, where="t", resolver=RESOLVER)


# --- on the simulated host -----------------------------------------------------------------------

VXLAN = BASE + 'vxlan = { id = 42, local = "192.0.2.10", group = "239.1.1.42", dev = "em0" }\n'
ON_SHARED = {"org.jailnet.network": "shared"}


def test_the_first_create_makes_the_overlay_on_the_bridge_and_every_member_takes_its_mtu(tmp_path: Path) -> None:
    bed = HookBed(tmp_path, config=VXLAN)
    for cid in ("a", "b"):
        bed.jail(cid)
        assert bed.hook("createRuntime", cid, ON_SHARED) == (0, "", "")
    made = [argv for argv in bed.mutations() if argv[:3] == ["ifconfig", "vxlan", "create"]]
    assert len(made) == 1  # the second create finds the bridge, and the overlay on it
    vxlan = bed.host(("ifconfig", "jnx42")).stdout
    assert "RUNNING" in vxlan.splitlines()[0] and " mtu 1450\n" in vxlan.splitlines()[0] + "\n"
    assert "\tvxlan vni 42 local 192.0.2.10:4789 group 239.1.1.42:4789\n" in vxlan
    bridge = bed.host(("ifconfig", "jailnet1")).stdout
    assert "\tmember: jnx42 " in bridge
    for cid in ("a", "b"):  # the host ends on the bridge, and the jail ends, share the MTU
        record = json.loads((bed.state_dir / "containers" / f"{cid}.json").read_text())
        assert " mtu 1450\n" in bed.host(("ifconfig", record["hostInterface"])).stdout.splitlines()[0] + "\n"


@pytest.mark.parametrize("k", [2, 3])  # 2: the vxlan create; 3: its addm (1 is the bridge)
def test_a_fault_at_an_overlay_step_leaves_the_host_as_before(tmp_path: Path, k: int) -> None:
    bed = HookBed(tmp_path, config=VXLAN)
    bed.jail("a")
    before = bed.host(("ifconfig", "-l")).stdout
    bed.host.fail_nth(k)
    code, _, err = bed.hook("createRuntime", "a", ON_SHARED)
    assert code == 1 and "(undone)" in err, err
    assert bed.host(("ifconfig", "-l")).stdout == before
    assert bed.files() == {}
    assert bed.hook("createRuntime", "a", ON_SHARED) == (0, "", "")


def overlay_check(bed: HookBed, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[dict[str, object]]:
    import io

    from hooks.cli import main

    monkeypatch.setattr("hooks.doctor.observations.effective_uid", lambda: 0)
    out = io.StringIO()
    main(["doctor", "--json", *args], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host)
    return [c for c in json.loads(out.getvalue())["checks"] if c["id"] == "overlay"]


def test_doctor_checks_the_overlay_runs_on_the_bridge_and_fixes_what_one_command_undoes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bed = HookBed(tmp_path, config=VXLAN)
    assert overlay_check(bed, monkeypatch) == []  # no bridge yet: the bridge check speaks
    bed.jail("a")
    assert bed.hook("createRuntime", "a", ON_SHARED)[0] == 0
    (check,) = overlay_check(bed, monkeypatch)
    assert (check["ok"], check["message"]) == (True, "jnx42 runs, a member of jailnet1")
    assert bed.host(("ifconfig", "jailnet1", "deletem", "jnx42")).returncode == 0
    (check,) = overlay_check(bed, monkeypatch, "--fix")
    assert check["ok"] is True  # after --fix: addm
    assert bed.host(("ifconfig", "jnx42", "destroy")).returncode == 0
    (check,) = overlay_check(bed, monkeypatch)
    assert check["message"] == "jnx42, the vxlan interface that joins this network's hosts, does not exist"
    (check,) = overlay_check(bed, monkeypatch, "--fix")
    assert check["ok"] is True and "\tmember: jnx42 " in bed.host(("ifconfig", "jailnet1")).stdout


def test_doctor_says_when_the_kernel_left_the_overlay_not_running(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bed = HookBed(tmp_path, config=VXLAN.replace('dev = "em0"', 'dev = "em9"'))  # no such interface
    bed.jail("a")
    assert bed.hook("createRuntime", "a", ON_SHARED)[0] == 0  # ifconfig exits 0 all the same
    (check,) = overlay_check(bed, monkeypatch)
    assert check["ok"] is False and str(check["message"]).startswith("jnx42 is not RUNNING: the kernel refused")
