"""Published ports on the simulated FreeBSD host: ``org.jailnet.ports`` becomes the container's
rdr rules in the pf anchor ``jailnet/ID`` while it runs, its host ports are claimed, and poststop,
rollback and a refused create leave neither."""

from pathlib import Path

import pytest

from hooks.testing import HookBed

PORTS = {"org.jailnet.ports": "8080:80,5353:53/udp"}


def hairpin(rule: str, bridge: str = "jailnet0") -> str:
    """The bridge's twin of an egress rule, which tags what it redirects."""
    return rule.replace(" on em0 ", f" on {bridge} ", 1).replace(" -> ", " tag jailnet_hairpin -> ", 1)


def reflect(address: str, bridge: str = "jailnet0", gateway: str = "172.17.0.1") -> str:
    """The nat that sends a hairpinned packet to ``address`` with the gateway as its source."""
    return f"nat on {bridge} inet from any to {address} tagged jailnet_hairpin -> {gateway}"


TCP = "rdr pass on em0 inet proto tcp from any to (em0) port = http-alt -> 172.17.0.2 port 80"
UDP = "rdr pass on em0 inet proto udp from any to (em0) port = mdns -> 172.17.0.2 port 53"
#: What pfctl lists for them (sbin/pfctl/pfctl.c pfctl_show_nat(): nat rules before rdr rules;
#: pfctl_parser.c print_rule(): ports by service name, then tag and tagged before the ``->``).
WEB_RULES = [reflect("172.17.0.2"), TCP, hairpin(TCP), UDP, hairpin(UDP)]


@pytest.fixture
def bed(tmp_path: Path) -> HookBed:
    return HookBed(tmp_path)


def rules(bed: HookBed, anchor: str = "jailnet/web") -> list[str]:
    return bed.host(("pfctl", "-a", anchor, "-s", "nat")).stdout.splitlines()


def anchors(bed: HookBed) -> list[str]:
    return bed.host(("pfctl", "-a", "jailnet", "-sA")).stdout.split()


def claims(bed: HookBed) -> dict[str, str]:
    return {name: text for name, text in bed.files().items() if name.startswith("ports/")}


def test_the_rules_are_in_the_containers_anchor_while_it_runs_and_gone_after_poststop(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web", PORTS) == (0, "", "")
    assert rules(bed) == WEB_RULES
    assert anchors(bed) == ["jailnet/web"]
    assert claims(bed) == {"ports/tcp/8080/any": "web\n", "ports/udp/5353/any": "web\n",
                           "ports/ids/web": "tcp/8080/any\nudp/5353/any\n"}
    assert '"ports": [\n  "8080:80/tcp",\n  "5353:53/udp"\n ]' in bed.files()["containers/web.json"]
    bed.host.remove_jail("web")
    assert bed.hook("poststop", "web", PORTS, raw=bed.state("web", PORTS, status="stopped"))[0] == 0
    assert rules(bed) == [] and anchors(bed) == [] and claims(bed) == {}
    assert bed.hook("poststop", "web", PORTS, raw=bed.state("web", PORTS, status="stopped"))[0] == 0  # again


def test_a_host_port_another_container_publishes_is_refused_and_another_protocol_is_not(bed: HookBed) -> None:
    bed.jail("web")
    bed.jail("api")
    bed.jail("dns")
    assert bed.hook("createRuntime", "web", PORTS)[0] == 0
    before, files = bed.host.observable(), bed.files()
    bed.host.clear_log()
    code, out, err = bed.hook("createRuntime", "api", {"org.jailnet.ports": "8080:8080"})
    assert (code, out) == (2, "")
    assert err == ("jailnet: createRuntime api: annotation org.jailnet.ports: '8080:8080/tcp': host port "
                   "8080/tcp is published by container web\n")
    assert bed.mutations() == [] and bed.host.observable() == before and bed.files() == files
    assert bed.hook("createRuntime", "dns", {"org.jailnet.ports": "8080:53/udp"})[0] == 0
    dns = "rdr pass on em0 inet proto udp from any to (em0) port = http-alt -> 172.17.0.3 port 53"
    # api's refused create leased nothing: dns has the next address
    assert rules(bed, "jailnet/dns") == [reflect("172.17.0.3"), dns, hairpin(dns)]


def test_a_range_and_a_host_address(bed: HookBed) -> None:
    bed.jail("web")
    ports = {"org.jailnet.ports": "9000-9002:9100-9102,192.0.2.7:8443:443"}
    assert bed.hook("createRuntime", "web", ports)[0] == 0
    span = "rdr pass on em0 inet proto tcp from any to (em0) port 9000:9002 -> 172.17.0.2 port 9100:9102"
    host = "rdr pass on em0 inet proto tcp from any to 192.0.2.7 port = 8443 -> 172.17.0.2 port 443"
    assert rules(bed) == [reflect("172.17.0.2"), span, hairpin(span), host, hairpin(host)]


def test_a_loopback_host_address_gets_no_hairpin_and_alone_no_reflection(bed: HookBed) -> None:
    """A container's packet to 127.0.0.1 never leaves its own jail: no rule on the bridge for it."""
    bed.jail("web")
    assert bed.hook("createRuntime", "web", {"org.jailnet.ports": "127.0.0.1:8443:443"})[0] == 0
    assert rules(bed) == ["rdr pass on em0 inet proto tcp from any to 127.0.0.1 port = 8443 -> 172.17.0.2 port 443"]


def test_the_egress_key_names_the_interface_and_no_route_is_read(tmp_path: Path) -> None:
    bed = HookBed(tmp_path, config='[networks.default]\negress = "em1"\n')
    bed.jail("web")
    assert bed.hook("createRuntime", "web", {"org.jailnet.ports": "8080:80"})[0] == 0
    rule = "rdr pass on em1 inet proto tcp from any to (em1) port = http-alt -> 172.17.0.2 port 80"
    assert rules(bed) == [reflect("172.17.0.2"), rule, rule.replace(" on em1 ", " on jailnet0 ").replace(
        " -> ", " tag jailnet_hairpin -> ")]
    assert not any(i.argv[0] == "route" and "get" in i.argv for i in bed.host.log)


def test_without_ports_nothing_more_runs(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web")[0] == 0
    ran = [i.argv for i in bed.host.log]
    assert not any(argv[0] == "route" and "get" in argv for argv in ran)
    assert not any(argv[0] == "pfctl" and "-a" in argv for argv in ran)
    assert claims(bed) == {}
    bed.host.remove_jail("web")
    bed.host.clear_log()
    assert bed.hook("poststop", "web", raw=bed.state("web", status="stopped"))[0] == 0
    assert len(bed.host.log) == 2  # pfctl -T delete, ifconfig destroy: no anchor to flush


def mutating_steps(tmp_path: Path) -> int:
    probe = HookBed(tmp_path / "probe")
    probe.jail("web")
    probe.host.clear_log()
    assert probe.hook("createRuntime", "web", PORTS)[0] == 0
    return len(probe.mutations())


def test_a_fault_at_any_step_of_a_publishing_create_leaves_host_and_state_as_before(tmp_path: Path) -> None:
    steps = mutating_steps(tmp_path)
    assert steps == 10  # the first container's 9, and the anchor
    for k in range(1, steps + 1):
        bed = HookBed(tmp_path / f"k{k}")
        bed.jail("web")
        before, files = bed.host.observable(), bed.files()
        bed.host.fail_nth(k)
        code, _, err = bed.hook("createRuntime", "web", PORTS)
        assert code == 1 and err.endswith(" (undone)\n"), (k, err)
        assert bed.host.observable() == before, k
        assert bed.files() == files, k
        bed.host.clear_faults()
        assert bed.hook("createRuntime", "web", PORTS)[0] == 0
        address = bed.files()["containers/web.json"].split('"address": "')[1].split('"')[0]
        assert rules(bed) == [rule.replace("172.17.0.2", address) for rule in WEB_RULES]


def test_ls_shows_the_published_ports(bed: HookBed) -> None:
    import io
    import json

    from hooks.cli import main

    bed.jail("web")
    assert bed.hook("createRuntime", "web", {"org.jailnet.ports": "8080:80,127.0.0.1:9000-9001:9000-9001/udp"})[0] == 0
    out = io.StringIO()
    assert main(["ls"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert out.getvalue().splitlines()[1].endswith("8080->80/tcp, 127.0.0.1:9000-9001->9000-9001/udp")
    out = io.StringIO()
    assert main(["ls", "--json"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert json.loads(out.getvalue())[0]["ports"] == [
        {"hostIp": "0.0.0.0", "hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
        {"hostIp": "127.0.0.1", "hostPort": 9000, "containerPort": 9000, "protocol": "udp"},
        {"hostIp": "127.0.0.1", "hostPort": 9001, "containerPort": 9001, "protocol": "udp"}]


def test_dry_run_prints_the_rules_and_changes_nothing(bed: HookBed) -> None:
    bed.jail("web")
    before = bed.host.observable()
    code, out, err = bed.hook("createRuntime", "web", {"org.jailnet.ports": "8080:80"}, "--dry-run")
    assert (code, err) == (0, "")
    assert ("pfctl -a jailnet/web -f -\n"
            "    stdin: rdr pass on em0 inet proto tcp from any to (em0) port 8080 -> 172.17.0.2 port 80\n"
            "    stdin: rdr pass on jailnet0 inet proto tcp from any to (em0) port 8080 tag jailnet_hairpin -> "
            "172.17.0.2 port 80\n"
            "    stdin: nat on jailnet0 inet from any to 172.17.0.2 tagged jailnet_hairpin -> 172.17.0.1\n"
            "    undo: pfctl -a jailnet/web -F nat\n") in out
    assert bed.mutations() == [] and bed.host.observable() == before and claims(bed) == {}


def test_gc_flushes_anchors_no_live_container_publishes_through(bed: HookBed) -> None:
    import io

    from hooks.cli import main

    bed.jail("web")
    assert bed.hook("createRuntime", "web", PORTS)[0] == 0
    rule = "rdr pass on em0 inet proto tcp from any to (em0) port 9999 -> 172.17.0.99 port 80\n"
    assert bed.host(("pfctl", "-a", "jailnet/ghost", "-f", "-"), stdin=rule).returncode == 0
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert out.getvalue() == "removed anchor jailnet/ghost: no live container publishes through it\n"
    assert anchors(bed) == ["jailnet/web"] and rules(bed) == WEB_RULES
