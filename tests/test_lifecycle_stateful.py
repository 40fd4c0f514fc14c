"""A hypothesis state machine: containers come and go, hooks fail at random steps, poststop is
repeated or skipped — and the simulated host always holds exactly the containers that are up."""

import ipaddress
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hooks.naming import host_ifname
from hooks.testing import HookBed

CONFIG = """
[networks.backend]
bridge = "jailnet1"
subnet = "10.88.0.0/28"
"""
SUBNETS = {"default": ipaddress.IPv4Network("172.17.0.0/16"), "backend": ipaddress.IPv4Network("10.88.0.0/28")}
BRIDGES = {"default": "jailnet0", "backend": "jailnet1"}
IDS = st.sampled_from(["a", "b", "c", "d", "e"])
NETWORKS = st.sampled_from(["default", "backend"])


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.bed = HookBed(Path(self.tmp.name), config=CONFIG)
        self.up: dict[str, tuple[str, str]] = {}  # id -> (network, address): attached, jail alive
        self.stale: dict[str, tuple[str, str]] = {}  # attached, jail gone, poststop skipped
        self.jails: set[str] = set()

    def teardown(self) -> None:
        self.tmp.cleanup()

    def _new_jail(self, cid: str) -> None:
        if cid not in self.jails:
            self.bed.jail(cid)
            self.jails.add(cid)

    def _attached(self, cid: str, network: str) -> None:
        lease = [k for k, v in self.bed.files().items()
                 if k.startswith(f"networks/{network}/") and "/ids/" not in k and v == f"{cid}\n"]
        assert len(lease) == 1, lease
        self.up[cid] = (network, lease[0].rsplit("/", 1)[1])
        self.stale.pop(cid, None)

    @rule(cid=IDS, network=NETWORKS, octet=st.none() | st.integers(min_value=2, max_value=14))
    def create(self, cid: str, network: str, octet: int | None) -> None:
        self._new_jail(cid)
        annotations = {"org.jailnet.network": network}
        static = None
        if octet is not None:
            static = str(SUBNETS[network].network_address + octet)
            annotations["org.jailnet.ipv4"] = static
        taken = {addr for c, (net, addr) in {**self.up, **self.stale}.items() if net == network and c != cid}
        code, _, err = self.bed.hook("createRuntime", cid, annotations)
        if cid in self.up:
            assert code == 0, err  # already attached: a no-op
            return
        if static in taken:
            assert code == 2 and "already leased" in err
            return
        assert code == 0, err
        self._attached(cid, network)

    @rule(cid=IDS, k=st.integers(min_value=1, max_value=10))
    def create_with_a_fault(self, cid: str, k: int) -> None:
        if cid in self.up or cid in self.stale:
            return
        self._new_jail(cid)
        before = self.bed.host.observable()
        self.bed.host.fail_nth(k)
        code, _, err = self.bed.hook("createRuntime", cid)
        self.bed.host.clear_faults()
        if code == 0:  # the fault fell after the last step
            self._attached(cid, "default")
            return
        assert code == 1, err
        assert self.bed.host.observable() == before

    @precondition(lambda self: bool(self.up))
    @rule(data=st.data())
    def stop(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.up)))
        self.bed.host.remove_jail(cid)
        self.jails.discard(cid)
        assert self.bed.hook("poststop", cid) == (0, "", "")
        del self.up[cid]

    @precondition(lambda self: bool(self.up))
    @rule(data=st.data())
    def lose_the_poststop(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.up)))
        self.bed.host.remove_jail(cid)
        self.jails.discard(cid)
        self.stale[cid] = self.up.pop(cid)

    @rule(cid=IDS)
    def poststop_again(self, cid: str) -> None:
        if cid in self.up or cid in self.stale:
            return
        before, files = self.bed.host.observable(), self.bed.files()
        assert self.bed.hook("poststop", cid)[0] == 0
        assert self.bed.host.observable() == before and self.bed.files() == files

    @invariant()
    def host_holds_exactly_the_attached_containers(self) -> None:
        h = self.bed.host
        attached = {**self.up, **self.stale}
        assert set(h(("ifconfig", "-g", "jailnet")).stdout.split()) == {host_ifname(c) for c in attached}
        for network, bridge in BRIDGES.items():
            status = h(("ifconfig", bridge))
            members = {line.split()[1] for line in status.stdout.splitlines() if line.startswith("\tmember: ")}
            assert members == {host_ifname(c) for c, (net, _) in attached.items() if net == network}
        table = h(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
        assert sorted(table) == sorted(addr for _, addr in attached.values())
        assert len(set(table)) == len(table)
        files = self.bed.files()
        leases = {k for k in files if k.startswith("networks/") and "/ids/" not in k}
        assert leases == {f"networks/{net}/{addr}" for net, addr in attached.values()}
        index = {k: v for k, v in files.items() if "/ids/" in k}  # the index names exactly the leases
        assert index == {f"networks/{net}/ids/{cid}": f"{addr}\n" for cid, (net, addr) in attached.items()}
        names = h(("ifconfig", "-l")).stdout.split()
        assert len(names) == len(set(names))
        h.clear_log()


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(max_examples=25, stateful_step_count=15, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])
