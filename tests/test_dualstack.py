"""Dual-stack networks on the simulated FreeBSD host (docs/ipv6.md): both addresses, both default
routes, both table entries and both forwarding switches while a container runs, none of them
after poststop; distinct addresses; rollback at every step; SIGKILL then gc; gc of stray v6
entries; ls, dry-run and resolv.conf."""

import io
import ipaddress
import json
from pathlib import Path

import pytest

from hooks.cli import main
from hooks.naming import host_ifname, jail_ifname
from hooks.testing import HookBed, SharedHost
from hooks.testing.runtime import FakeRunj

CONFIG = '[networks.default]\nsubnet6 = "fd00:17::/64"\n'
JID = "1"


@pytest.fixture
def bed(tmp_path: Path) -> HookBed:
    return HookBed(tmp_path, config=CONFIG)


def jail_view(bed: HookBed, cid: str = "web", jid: str = JID) -> str:
    return bed.host(("ifconfig", "-j", jid, jail_ifname(cid))).stdout


def table(bed: HookBed) -> list[str]:
    return bed.host(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()


def forwarding(bed: HookBed) -> list[str]:
    return bed.host(("sysctl", "-n", "net.inet.ip.forwarding", "net.inet6.ip6.forwarding")).stdout.split()


def default_gateway(bed: HookBed, family: str, jid: str = JID) -> str | None:
    shown = bed.host(("route", "-j", jid, "-n", "get", family, "default"))
    lines = [line.split(":", 1)[1].strip() for line in shown.stdout.splitlines() if line.strip().startswith("gateway:")]
    return lines[0] if shown.returncode == 0 and lines else None


def test_a_dual_stack_container_has_both_of_everything_while_it_runs_and_none_after(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web") == (0, "", "")
    inside = jail_view(bed)
    assert "\tinet 172.17.0.2 netmask 0xffff0000 broadcast 172.17.255.255\n" in inside
    assert "\tinet6 fd00:17::2 prefixlen 64\n" in inside  # no_dad: never tentative
    assert "tentative" not in inside
    assert default_gateway(bed, "-inet") == "172.17.0.1"
    assert default_gateway(bed, "-inet6") == "fd00:17::1"
    assert table(bed) == ["172.17.0.2", "fd00:17::2"]
    assert forwarding(bed) == ["1", "1"]
    bridge = bed.host(("ifconfig", "jailnet0")).stdout
    assert "\tinet6 fd00:17::1 prefixlen 64\n" in bridge and "tentative" not in bridge
    record = json.loads(bed.files()["containers/web.json"])
    assert (record["address"], record["address6"], record["prefixlen6"]) == ("172.17.0.2", "fd00:17::2", 64)
    assert bed.files()["networks/default/inet6/fd00:17::2"] == "web\n"
    bed.host.remove_jail("web")
    assert bed.hook("poststop", "web", raw=bed.state("web", status="stopped"))[0] == 0
    assert table(bed) == []
    assert bed.host(("ifconfig", "-g", "jailnet")).stdout == ""
    assert bed.files() == {}


def test_ten_containers_get_ten_addresses_that_carry_their_ipv4_host_numbers(bed: HookBed) -> None:
    for i in range(10):
        bed.jail(f"c{i}")
        assert bed.hook("createRuntime", f"c{i}")[0] == 0
    records = [json.loads(bed.files()[f"containers/c{i}.json"]) for i in range(10)]
    pairs = [(ipaddress.IPv4Address(r["address"]), ipaddress.IPv6Address(r["address6"])) for r in records]
    assert len({v6 for _, v6 in pairs}) == 10
    for v4, v6 in pairs:
        assert int(v6) - int(ipaddress.IPv6Address("fd00:17::")) == int(v4) - int(ipaddress.IPv4Address("172.17.0.0"))
    assert sorted(table(bed)) == sorted([str(a) for pair in pairs for a in pair])


def test_a_static_ipv6_address_is_used_and_the_next_container_steps_around_it(bed: HookBed) -> None:
    bed.jail("web")
    bed.jail("db")
    assert bed.hook("createRuntime", "web", {"org.jailnet.ipv6": "fd00:17::3"})[0] == 0
    assert bed.hook("createRuntime", "db")[0] == 0  # 172.17.0.3 would carry fd00:17::3: taken
    assert json.loads(bed.files()["containers/db.json"])["address6"] == "fd00:17::4"
    bed.jail("x")
    code, out, err = bed.hook("createRuntime", "x", {"org.jailnet.ipv6": "fd00:17::3"})
    assert (code, out) == (2, "")
    assert err == "jailnet: createRuntime x: annotation org.jailnet.ipv6: fd00:17::3 is already leased to web\n"


def test_an_ipv4_only_network_is_unchanged(tmp_path: Path) -> None:
    bed = HookBed(tmp_path)
    bed.jail("web")
    assert bed.hook("createRuntime", "web")[0] == 0
    assert "inet6 fd00" not in jail_view(bed)
    assert table(bed) == ["172.17.0.2"]
    assert json.loads(bed.files()["containers/web.json"]).get("address6") is None
    assert not any("inet6" in i.argv or "-6" in i.argv for i in bed.host.log)


def test_resolv_conf_keeps_the_hosts_ipv6_nameservers_only_on_a_dual_stack_network(tmp_path: Path) -> None:
    resolv = "nameserver 192.0.2.53\nnameserver 2001:db8::53\nnameserver fe80::1%em0\nnameserver ::1\n"
    for config, expected in ((CONFIG, ["192.0.2.53", "2001:db8::53"]), ("", ["192.0.2.53"])):
        bed = HookBed(tmp_path / str(bool(config)), config=config or None)
        Path(bed.env["JAILNET_RESOLV_CONF"]).write_text(resolv)
        root = bed.jail("web")
        assert bed.hook("createRuntime", "web")[0] == 0
        written = (root / "etc" / "resolv.conf").read_text().splitlines()
        assert [line.split()[1] for line in written if line.startswith("nameserver")] == expected


def mutations(tmp_path: Path) -> int:
    probe = HookBed(tmp_path / "probe", config=CONFIG)
    probe.jail("web")
    probe.host.clear_log()
    assert probe.hook("createRuntime", "web")[0] == 0
    return len(probe.mutations())


def test_a_fault_at_any_step_of_a_dual_stack_create_leaves_host_and_state_as_before(tmp_path: Path) -> None:
    steps = mutations(tmp_path)
    # bridge, gateway6, forwarding, epair, host end, addm, jail end, route -4, inet6, route -6, pf table, lo0
    assert steps == 12
    for k in range(1, steps + 1):
        bed = HookBed(tmp_path / f"k{k}", config=CONFIG)
        bed.jail("web")
        before, files = bed.host.observable(), bed.files()
        bed.host.fail_nth(k)
        code, _, err = bed.hook("createRuntime", "web")
        assert code == 1 and err.endswith(" (undone)\n"), (k, err)
        assert bed.host.observable() == before, k
        assert bed.files() == files, k


def test_ls_and_dry_run_show_both_addresses(bed: HookBed) -> None:
    bed.jail("web")
    code, out, _ = bed.hook("createRuntime", "web", None, "--dry-run")
    assert code == 0
    assert "ifconfig jailnet0 inet6 fd00:17::1/64 no_dad\n    undo: ifconfig jailnet0 inet6 fd00:17::1 -alias\n" in out
    assert "sysctl net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1\n" in out
    assert f"ifconfig -j 1 {jail_ifname('web')} inet6 fd00:17::2/64 no_dad\n" in out
    assert "route -j 1 -6 add default fd00:17::1\n    undo: route -j 1 -6 delete default\n" in out
    assert "pfctl -t jail-nat -T add 172.17.0.2 fd00:17::2\n" in out
    assert bed.hook("createRuntime", "web")[0] == 0
    shown = io.StringIO()
    assert main(["ls"], stdout=shown, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert "172.17.0.2/16 fd00:17::2/64" in shown.getvalue()
    shown = io.StringIO()
    assert main(["ls", "--json"], stdout=shown, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    (row,) = json.loads(shown.getvalue())
    assert (row["address6"], row["prefixlen6"]) == ("fd00:17::2", 64)


def test_gc_removes_a_stray_ipv6_entry_inside_subnet6_and_keeps_others(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web")[0] == 0
    assert bed.host(("pfctl", "-t", "jail-nat", "-T", "add", "fd00:17::99", "2001:db8::1")).returncode == 0
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert out.getvalue() == "removed pf-entry fd00:17::99: in <jail-nat> with no lease\n"
    assert table(bed) == ["172.17.0.2", "2001:db8::1", "fd00:17::2"] or set(table(bed)) == {
        "172.17.0.2", "2001:db8::1", "fd00:17::2"}


def test_gc_releases_the_leases_of_a_container_whose_jail_is_gone(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web")[0] == 0
    bed.host.remove_jail("web")
    (bed.state_dir / "containers" / "web.json").unlink()  # poststop never ran, and the record is lost
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert "removed lease 172.17.0.2, fd00:17::2: web on network default has no jail\n" in out.getvalue()
    assert table(bed) == [] and bed.files() == {}
    assert bed.host(("ifconfig", host_ifname("web"))).returncode == 1


@pytest.fixture(scope="module")
def sweep_host(tmp_path_factory: pytest.TempPathFactory) -> SharedHost:
    return SharedHost.create(tmp_path_factory.mktemp("sweep6") / "host")


# The new steps of a first dual-stack create: 2 the bridge's gateway6, 9 the jail end's inet6,
# 10 the v6 default route (the sequence is in test_a_fault_at_any_step_...).
@pytest.mark.parametrize("k", [pytest.param(k, id=f"step{k}") for k in (2, 9, 10)])
@pytest.mark.parametrize("when", ["before", "after"])
def test_sigkill_at_a_dual_stack_step_then_gc_leaves_nothing(tmp_path: Path, jailnet_argv: list[str],
                                                             sweep_host: SharedHost, when: str, k: int) -> None:
    config = tmp_path / "jailnet.toml"
    config.write_text(CONFIG)
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv, remove_on_failure=True, shared=sweep_host,
                                 env={"JAILNET_CONFIG": str(config)})
    with runj.shared.edit() as host:
        host.kill_nth(k, when=when)
    (result,) = runj.create("c1")
    assert result.returncode == -9, result
    err = io.StringIO()
    assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
    assert runj.shared(("ifconfig", "-g", "epair")).stdout == ""
    assert runj.shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
    state = tmp_path / "state"
    assert [p.relative_to(state).as_posix() for p in state.rglob("*") if p.is_file()
            and p.parent.name in ("default", "inet6", "ids", "containers") and p.name != "last_reserved"] == []
    (again,) = runj.create("c1")
    assert (again.returncode, again.stderr) == (0, "")
    v4, v6 = runj.shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()  # round robin: maybe .3
    assert v6 == f"fd00:17::{v4.rsplit('.', 1)[1]}"


def test_a_dual_stack_create_runs_two_commands_more_than_an_ipv4_one_and_poststop_none(bed: HookBed) -> None:
    """The jail end's inet6 and the v6 route: the grammar allows no fewer (one family per
    ifconfig; docs/ipv6.md). The table takes both addresses in one pfctl, at create and poststop."""
    bed.jail("first")
    assert bed.hook("createRuntime", "first")[0] == 0
    bed.jail("web")
    bed.host.clear_log()
    assert bed.hook("createRuntime", "web")[0] == 0
    assert [i.argv[0] for i in bed.host.log] == ["jls", "ifconfig", "ifconfig", "ifconfig", "ifconfig", "route",
                                                 "ifconfig", "route", "pfctl", "ifconfig"]
    bed.host.remove_jail("web")
    bed.host.clear_log()
    assert bed.hook("poststop", "web", raw=bed.state("web", status="stopped"))[0] == 0
    assert [i.argv for i in bed.host.log] == [["pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.3", "fd00:17::3"],
                                              ["ifconfig", host_ifname("web"), "destroy"]]
