"""Cluster networks: two simulated hosts claim one network's addresses in one real etcd
(hooks/storeclaims.py, docs/multi-host.md), and every way the store can fail a hook."""

import io
import json
import os
import uuid
from pathlib import Path

import pytest

from hooks.cli import main
from hooks.cluster import Endpoint
from hooks.etcd import Client
from hooks.testing import HookBed
from hooks.testing.etcdserver import EtcdServer, binary

ETCD = binary()
pytestmark = pytest.mark.skipif(ETCD is None and not os.environ.get("JAILNET_REQUIRE_ETCD"),
                                reason="no etcd on this machine (Debian: apt-get install etcd-server)")
SHARED = {"org.jailnet.network": "shared"}


def config(server: EtcdServer, prefix: str, host: str, gateway: str) -> str:
    return (f'[cluster]\nendpoints = ["{server.url}"]\nprefix = "{prefix}"\nhost = "{host}"\n'
            f'[networks.shared]\nbridge = "jailnet1"\nsubnet = "10.90.0.0/24"\ngateway = "{gateway}"\n'
            "cluster = true\n")


class Hosts:
    """Two simulated hosts, node1 and node2, sharing network ``shared`` through one etcd."""

    def __init__(self, tmp_path: Path, server: EtcdServer) -> None:
        self.prefix = f"/t{uuid.uuid4().hex[:8]}"  # each test its own keys in the module's etcd
        self.server = server
        self.node1 = HookBed(tmp_path / "node1", config=config(server, self.prefix, "node1", "10.90.0.1"))
        self.node2 = HookBed(tmp_path / "node2", config=config(server, self.prefix, "node2", "10.90.0.254"))

    def store(self) -> dict[str, str]:
        client = Client([Endpoint.parse(self.server.url, "test")])
        return client.prefix(self.prefix + "/")

    def create(self, bed: HookBed, cid: str, **annotations: str) -> tuple[int, str]:
        bed.jail(cid)
        code, _, err = bed.hook("createRuntime", cid, {**SHARED, **annotations})
        return code, err


@pytest.fixture
def hosts(tmp_path: Path, etcd: EtcdServer) -> Hosts:
    return Hosts(tmp_path, etcd)


def address_of(bed: HookBed, cid: str) -> str:
    return str(json.loads((bed.state_dir / "containers" / f"{cid}.json").read_text())["address"])


def test_two_hosts_never_hand_out_one_address_nor_a_gateway(hosts: Hosts) -> None:
    """Both hosts start their round robin at .2: node2's first pick collides and moves on."""
    placed = []
    for number in range(6):
        bed = hosts.node1 if number % 2 == 0 else hosts.node2
        assert hosts.create(bed, f"c{number}") == (0, "")
        placed.append((bed, f"c{number}", address_of(bed, f"c{number}")))
    addresses = [a for _, _, a in placed]
    assert len(set(addresses)) == 6 and not {"10.90.0.1", "10.90.0.254"} & set(addresses)
    held = hosts.store()
    for bed, cid, address in placed:
        host = "node1" if bed is hosts.node1 else "node2"
        assert json.loads(held[f"{hosts.prefix}/networks/shared/inet/{address}"]) == {"host": host, "container": cid}
    assert json.loads(held[f"{hosts.prefix}/networks/shared/inet/10.90.0.254"]) == {"host": "node2", "gateway": True}
    for bed in (hosts.node1, hosts.node2):  # every create settled: no tombstone left
        assert list((bed.state_dir / "tombstones").glob("*")) == []


def test_dual_stack_claims_both_families(tmp_path: Path, etcd: EtcdServer) -> None:
    prefix = f"/t{uuid.uuid4().hex[:8]}"
    beds = [HookBed(tmp_path / host, config=config(etcd, prefix, host, gateway) + 'subnet6 = "fd00:90::/64"\n'
                    f'gateway6 = "{gateway6}"\n')
            for host, gateway, gateway6 in (("node1", "10.90.0.1", "fd00:90::1"),
                                            ("node2", "10.90.0.254", "fd00:90::fe"))]
    for number, bed in enumerate(beds * 2):
        bed.jail(f"c{number}")
        assert bed.hook("createRuntime", f"c{number}", SHARED)[:1] == (0,)
    records = [json.loads(p.read_text()) for bed in beds for p in (bed.state_dir / "containers").glob("*.json")]
    assert len({r["address"] for r in records}) == 4 and len({r["address6"] for r in records}) == 4
    held = Client([Endpoint.parse(etcd.url, "test")]).prefix(prefix + "/networks/shared/inet6/")
    assert sorted(k.rsplit("/", 1)[1] for k in held) == sorted([*(r["address6"] for r in records), "fd00:90::1",
                                                                 "fd00:90::fe"])  # the gateways too


def test_poststop_releases_the_claim_for_any_host(hosts: Hosts) -> None:
    assert hosts.create(hosts.node1, "a", **{"org.jailnet.ipv4": "10.90.0.50"}) == (0, "")
    hosts.node1.host.remove_jail("a")
    assert hosts.node1.hook("poststop", "a", SHARED, raw=HookBed.state("a", SHARED, status="stopped"))[0] == 0
    assert f"{hosts.prefix}/networks/shared/inet/10.90.0.50" not in hosts.store()
    assert hosts.create(hosts.node2, "b", **{"org.jailnet.ipv4": "10.90.0.50"}) == (0, "")


def test_a_static_address_held_on_another_host_is_bad_input_and_touches_nothing(hosts: Hosts) -> None:
    assert hosts.create(hosts.node1, "a", **{"org.jailnet.ipv4": "10.90.0.50"}) == (0, "")
    assert hosts.create(hosts.node2, "warmup") == (0, "")  # node2's bridge and gateway are in place
    before = len(hosts.node2.mutations())
    code, err = hosts.create(hosts.node2, "b", **{"org.jailnet.ipv4": "10.90.0.50"})
    assert (code, err) == (2, "jailnet: createRuntime b: annotation org.jailnet.ipv4: 10.90.0.50 is held by node1 "
                              "(container a)\n")
    assert len(hosts.node2.mutations()) == before
    assert "containers/b.json" not in hosts.node2.files()
    assert json.loads(hosts.store()[f"{hosts.prefix}/networks/shared/inet/10.90.0.50"])["host"] == "node1"


def test_a_gateway_another_host_holds_is_bad_input(hosts: Hosts, tmp_path: Path) -> None:
    assert hosts.create(hosts.node1, "a") == (0, "")
    clash = HookBed(tmp_path / "node3", config=config(hosts.server, hosts.prefix, "node3", "10.90.0.1"))
    clash.jail("c")
    code, _, err = clash.hook("createRuntime", "c", SHARED)
    assert (code, err) == (2, "jailnet: createRuntime c: networks.shared.gateway: 10.90.0.1 is held by node1 "
                              "(its gateway): give each host its own gateway address in the subnet\n")
    assert clash.mutations() == []


def test_gc_at_boot_registers_the_gateway_before_any_create(hosts: Hosts) -> None:
    """Two hosts' first creates may race: the rc.d script's gc at boot claims each gateway first."""
    for bed in (hosts.node1, hosts.node2):
        out = io.StringIO()
        assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
        assert out.getvalue() == "registered the gateway of network shared in the store\nnothing to remove\n"
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=hosts.node1.env, run=hosts.node1.host) == 0
    assert out.getvalue() == "nothing to remove\n"  # once
    held = hosts.store()
    gateways = (f"{hosts.prefix}/networks/shared/inet/{gw}" for gw in ("10.90.0.1", "10.90.0.254"))
    assert {json.loads(held[key])["host"] for key in gateways} == {"node1", "node2"}


def test_a_failing_step_after_the_claim_releases_it(hosts: Hosts, monkeypatch: pytest.MonkeyPatch) -> None:
    assert hosts.create(hosts.node1, "first") == (0, "")
    from hooks import storeclaims

    made = []
    real = storeclaims.client_for
    monkeypatch.setattr(storeclaims, "client_for", lambda cluster: made.append(1) or real(cluster))
    hosts.node1.jail("b")
    hosts.node1.host.fail_nth(3)  # the bridge is up: 1 epair, 2 its host end, 3 addm
    code, _, err = hosts.node1.hook("createRuntime", "b", SHARED)
    assert code == 1, err
    held = hosts.store()
    assert [json.loads(v).get("container") for v in held.values()].count("b") == 0
    assert not (hosts.node1.state_dir / "tombstones" / "b.json").exists()
    assert len(made) == 1  # the claim and its release share one client, and so one time budget


def test_store_down_create_exits_1_changes_nothing_poststop_leaves_a_tombstone_gc_heals(
        tmp_path: Path) -> None:
    assert ETCD is not None
    server = EtcdServer(tmp_path / "etcd", ETCD)
    server.start()
    try:
        hosts = Hosts(tmp_path, server)
        assert hosts.create(hosts.node1, "a") == (0, "")
        server.stop()
        hosts.node1.jail("b")
        before = len(hosts.node1.mutations())
        files = hosts.node1.files()
        code, _, err = hosts.node1.hook("createRuntime", "b", SHARED)
        assert (code, err) == (1, f"jailnet: createRuntime b: etcd 127.0.0.1:{server.client_port}: connection "
                                  "refused\n")
        assert len(hosts.node1.mutations()) == before and hosts.node1.files() == files
        assert list((hosts.node1.state_dir / "tombstones").glob("*")) == []
        hosts.node1.host.remove_jail("a")
        code, _, err = hosts.node1.hook("poststop", "a", SHARED, raw=HookBed.state("a", SHARED, status="stopped"))
        assert code == 0 and "not released" in err and "connection refused" in err, err
        assert (hosts.node1.state_dir / "tombstones" / "a.json").exists()
        assert "containers/a.json" not in hosts.node1.files()  # the host side is torn down all the same
        out = io.StringIO()
        assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=hosts.node1.env, run=hosts.node1.host) == 1
        server.start()
        out = io.StringIO()
        assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=hosts.node1.env, run=hosts.node1.host) == 0
        assert f"removed store claim {hosts.prefix}/networks/shared/inet/10.90.0.2: its holder a is gone" in \
            out.getvalue()
        assert not (hosts.node1.state_dir / "tombstones" / "a.json").exists()
        assert [k for k in hosts.store() if "/inet/10.90.0.2" in k] == []
    finally:
        server.stop()


def test_sigkill_at_the_epair_of_a_cluster_create_then_gc_releases_its_claim(
        tmp_path: Path, etcd: EtcdServer, jailnet_argv: list[str]) -> None:
    """Killed at its first command after the claim (the epair made): the record (creating) and the
    tombstone name the claim, and gc releases it with the rest (tests/test_crash.py kills every
    step of a create; here the point is the claim)."""
    from hooks.testing.runtime import FakeRunj

    prefix = f"/t{uuid.uuid4().hex[:8]}"
    conf = tmp_path / "jailnet.toml"
    conf.write_text(config(etcd, prefix, "node1", "10.90.0.1"))
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv, env={"JAILNET_CONFIG": str(conf)})
    assert [r.returncode for r in runj.create("first", annotations=SHARED)] == [0]
    with runj.shared.edit() as host:
        host.kill_nth(1, when="after")  # the bridge is up: the epair is the first mutating command
    (killed,) = runj.create("b", annotations=SHARED)
    assert killed.returncode == -9, killed
    client = Client([Endpoint.parse(etcd.url, "test")])
    assert [json.loads(v)["container"] for v in client.prefix(prefix + "/networks/shared/inet/").values()
            if "container" in json.loads(v)] == ["first", "b"]
    err = io.StringIO()
    assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
    assert [json.loads(v).get("container") for v in client.prefix(prefix + "/networks/shared/inet/").values()
            if "container" in json.loads(v)] == ["first"]
    assert list((tmp_path / "state" / "tombstones").glob("*")) == []


BAD_CLUSTER = [
    ('store = "consul"\nendpoints = ["http://127.0.0.1:2379"]',
     "cluster.store: 'consul' is not a store jailnet speaks (etcd)"),
    ("endpoints = []", 'cluster.endpoints: at least one client URL, e.g. ["http://127.0.0.1:2379"]'),
    ('endpoints = ["127.0.0.1:2379"]',
     "cluster.endpoints: '127.0.0.1:2379' is not an etcd client URL (http://HOST:PORT or https://HOST:PORT)"),
    ('endpoints = ["http://h:2379"]\nprefix = "jailnet"',
     "cluster.prefix: 'jailnet' is not a key prefix (/name[/name...]: letters, digits, '_', '.', '-')"),
    ('endpoints = ["http://h:2379"]\nhost = "node_1"', "cluster.host: 'node_1' is not a host name (RFC 1123)"),
    ('endpoints = ["http://h:2379"]\ncert = "/c.pem"', "cluster.key: cert and key go together"),
    ('endpoints = ["http://h:2379"]\ncacert = "ca.pem"', "cluster.cacert: 'ca.pem' is not an absolute path"),
    ('endpoints = ["http://h:2379"]\npassword = "x"', "cluster.password: set user too"),
    ('endpoints = ["http://h:2379"]\ntimeout = 5', "cluster: unknown field(s): timeout"),
    ('endpoints = "http://h:2379"', "cluster.endpoints"),
]


@pytest.mark.parametrize(("table", "line"), BAD_CLUSTER, ids=[line.split(":")[0] + f"-{i}" for i, (_, line)
                                                              in enumerate(BAD_CLUSTER)])
def test_a_bad_cluster_table_is_bad_input_naming_the_key(tmp_path: Path, table: str, line: str) -> None:
    bed = HookBed(tmp_path, config=f"[cluster]\n{table}\n")
    code, _, err = bed.hook("createRuntime", "c1")
    assert code == 2 and err.startswith(f"jailnet: createRuntime c1: {tmp_path / 'jailnet.toml'}: {line}"), err
    assert bed.host.log == []


def test_a_cluster_network_needs_the_cluster_table(tmp_path: Path) -> None:
    bed = HookBed(tmp_path, config='[networks.shared]\nbridge = "jailnet1"\nsubnet = "10.90.0.0/24"\ncluster = true\n')
    assert bed.hook("createRuntime", "c1") == (2, "", f"jailnet: createRuntime c1: {tmp_path / 'jailnet.toml'}: "
                                               "networks.shared.cluster: needs a [cluster] table (the store where "
                                               "hosts claim the network's addresses)\n")


def store_checks(bed: HookBed, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str | None], dict[str, object]]:
    """doctor --json on ``bed`` (as root): its store.* checks by (id, network)."""
    monkeypatch.setattr("hooks.doctor.observations.effective_uid", lambda: 0)
    out = io.StringIO()
    main(["doctor", "--json"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host)
    return {(c["id"], c.get("network")): c for c in json.loads(out.getvalue())["checks"]
            if str(c["id"]).startswith("store")}


def test_doctor_checks_the_store_its_prefix_and_this_hosts_gateway(hosts: Hosts,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    found = store_checks(hosts.node1, monkeypatch)
    assert found[("store", None)]["ok"] is True
    assert str(found[("store", None)]["message"]).startswith("the cluster's store answers (etcd 3.")
    assert found[("store.gateway", "shared")]["ok"] is False  # before gc or a create: not claimed
    assert found[("store.gateway", "shared")]["fix"] == "jailnet gc    # claims it (the rc.d script runs gc at boot)"
    assert hosts.create(hosts.node1, "a") == (0, "")
    Client([Endpoint.parse(hosts.server.url, "test")]).create(f"{hosts.prefix}/someone-else", "x")
    found = store_checks(hosts.node1, monkeypatch)
    assert found[("store.gateway", "shared")]["ok"] is True
    assert found[("store.prefix", None)]["ok"] is False
    assert f"(first: {hosts.prefix}/someone-else)" in str(found[("store.prefix", None)]["message"])
    clash = HookBed(hosts.node2.state_dir.parent.parent / "node3",
                    config=config(hosts.server, hosts.prefix, "node3", "10.90.0.1"))
    found = store_checks(clash, monkeypatch)
    assert found[("store.gateway", "shared")]["message"] == "10.90.0.1 (gateway) is held by node1 (its gateway)"


def test_doctor_says_in_one_line_when_the_store_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hooks.testing.etcdserver import free_port

    port = free_port()
    bed = HookBed(tmp_path, config=f'[cluster]\nendpoints = ["http://127.0.0.1:{port}"]\n')
    found = store_checks(bed, monkeypatch)
    assert list(found) == [("store", None)]
    assert found[("store", None)]["message"] == (f"the cluster's store cannot be read: etcd 127.0.0.1:{port}: "
                                                 "connection refused")


def gc(bed: HookBed) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["gc"], stdout=out, stderr=err, environ=bed.env, run=bed.host)
    return code, out.getvalue(), err.getvalue()


def test_gc_reconciles_this_hosts_claims_with_its_records_both_ways(hosts: Hosts) -> None:
    assert hosts.create(hosts.node1, "a") == (0, "")
    assert hosts.create(hosts.node2, "b") == (0, "")
    client = Client([Endpoint.parse(hosts.server.url, "test")])
    key = f"{hosts.prefix}/networks/shared/inet/"
    ghost = json.dumps({"container": "ghost", "host": "node1"}, separators=(",", ":"), sort_keys=True)
    assert client.create(key + "10.90.0.77", ghost) is None  # node1's, with no record on node1
    assert client.create(key + "10.90.0.78", ghost.replace("node1", "node2")) is None  # node2's: not node1's to judge
    address_a = address_of(hosts.node1, "a")
    assert client.delete_if(key + address_a, client.get(key + address_a) or "")  # the store lost a's claim
    code, out, err = gc(hosts.node1)
    assert (code, err) == (0, "")
    assert f"removed store claim {key}10.90.0.77: container ghost has no record on this host\n" in out
    assert f"restored store claim {key}{address_a}: the store had lost it\n" in out
    held = hosts.store()
    assert json.loads(held[key + address_a]) == {"container": "a", "host": "node1"}
    assert key + "10.90.0.77" not in held and key + "10.90.0.78" in held
    assert gc(hosts.node1)[1] == "nothing to remove\n"  # nothing more to mend


def test_gc_cannot_mend_a_claim_another_host_took_and_says_so(hosts: Hosts) -> None:
    assert hosts.create(hosts.node1, "a") == (0, "")
    client = Client([Endpoint.parse(hosts.server.url, "test")])
    key = f"{hosts.prefix}/networks/shared/inet/{address_of(hosts.node1, 'a')}"
    assert client.delete_if(key, client.get(key) or "")
    assert client.create(key, json.dumps({"container": "x", "host": "node2"})) is None
    code, _, err = gc(hosts.node1)
    assert code == 1
    assert err == (f"jailnet: gc: store claim {key} is held by node2 (container x), not by this host as its record "
                   "says: one of the two hosts must give the address up\n")


def test_a_published_port_is_claimed_once_in_the_cluster(hosts: Hosts) -> None:
    """Ports of a cluster network are claimed in one transaction, all or none."""
    assert hosts.create(hosts.node1, "a", **{"org.jailnet.ports": "8080:80,9000-9002:9000-9002"}) == (0, "")
    held = hosts.store()
    ports = sorted(k.split("/networks/shared/ports/")[1] for k in held if "/ports/" in k)
    assert ports == ["tcp/8080", "tcp/9000", "tcp/9001", "tcp/9002"]
    code, err = hosts.create(hosts.node2, "b", **{"org.jailnet.ports": "7000:70,9002:80"})
    assert (code, err) == (2, "jailnet: createRuntime b: annotation org.jailnet.ports: '9002:80/tcp': host port "
                              "9002/tcp is published in the cluster by node1 (container a)\n")
    assert not any("tcp/7000" in k for k in hosts.store())  # all or none
    assert list((hosts.node2.state_dir / "tombstones").glob("*")) == []
    assert hosts.create(hosts.node2, "c", **{"org.jailnet.ports": "8080:80/udp"}) == (0, "")  # another protocol
    hosts.node1.host.remove_jail("a")
    assert hosts.node1.hook("poststop", "a", SHARED, raw=HookBed.state("a", SHARED, status="stopped"))[0] == 0
    assert not any("/ports/tcp/" in k for k in hosts.store())
    assert hosts.create(hosts.node2, "d", **{"org.jailnet.ports": "8080:80"}) == (0, "")
    assert hosts.create(hosts.node2, "e", **{"org.jailnet.ports": "20000-20128:20000-20128"}) == (
        2, "jailnet: createRuntime e: annotation org.jailnet.ports: 129 host ports; on a cluster network at most 128, "
        "which one etcd transaction claims\n")


def test_a_changed_gateway_is_registered_again_and_the_old_one_released(hosts: Hosts, tmp_path: Path) -> None:
    assert gc(hosts.node1)[0] == 0
    conf = tmp_path / "node1" / "jailnet.toml"
    conf.write_text(conf.read_text().replace('gateway = "10.90.0.1"', 'gateway = "10.90.0.10"'))
    code, out, err = gc(hosts.node1)
    assert (code, err) == (0, "")
    key = f"{hosts.prefix}/networks/shared/inet/"
    assert out == ("registered the gateway of network shared in the store\n"
                   f"removed store claim {key}10.90.0.1: a gateway this host no longer has\nnothing to remove\n")
    held = hosts.store()
    assert key + "10.90.0.1" not in held and json.loads(held[key + "10.90.0.10"]) == {"gateway": True, "host": "node1"}
