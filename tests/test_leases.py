"""hooks.leases: host-local-style leases on disk, a model-based state machine, and concurrency."""

import ipaddress
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from hooks.errors import BadInput
from hooks.leases import LAST, LeaseStore, PoolExhausted, leases4
from hooks.netconf import Network
from hooks.statedir import StateDir

A = ipaddress.IPv4Address


def network(name: str = "net0", subnet: str = "10.77.0.0/29", gateway: str | None = None) -> Network:
    net = ipaddress.IPv4Network(subnet)
    return Network(name=name, bridge="jailnet9", subnet=net,
                   gateway=A(gateway) if gateway else net.network_address + 1,
                   table="jail-nat", nameservers=(), search=())


TINY = network()                      # 10.77.0.0/29: .2 .3 .4 .5 .6 usable, .1 gateway
WIDE = network("wide", "10.88.0.0/24")


def on_disk(store: LeaseStore) -> dict[str, A]:
    """Read the directory as host-local keeps it: file name = address, first line = holder."""
    found: dict[str, A] = {}
    if not store.directory.exists():
        return found
    for path in store.directory.iterdir():
        try:
            address = A(path.name)
        except ValueError:
            continue
        holder = path.read_text().split("\n")[0]
        assert holder not in found, f"{holder} holds two leases"
        found[holder] = address
    return found


# --- reserve ---------------------------------------------------------------------------------

def test_the_state_dir_places_the_store_under_networks(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    assert store.directory == tmp_path / "networks" / "wide"
    assert store.network == WIDE


def test_automatic_addresses_skip_network_and_gateway(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    assert store.reserve("c1") == A("10.88.0.2")
    assert store.reserve("c2") == A("10.88.0.3")
    assert (store.directory / "10.88.0.2").read_text() == "c1\n"
    assert (store.directory / "10.88.0.2").stat().st_mode & 0o777 == 0o600
    assert (store.directory / LAST).read_text() == "10.88.0.3\n"


def test_a_gateway_in_the_middle_is_skipped(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(network(subnet="10.77.0.0/29", gateway="10.77.0.3"))
    assert [store.reserve(f"c{i}") for i in range(5)] == [A(f"10.77.0.{n}") for n in (1, 2, 4, 5, 6)]


def test_tiny_pool_skips_broadcast_then_exhausts(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(TINY)
    got = [store.reserve(f"c{i}") for i in range(5)]
    assert got == [A(f"10.77.0.{n}") for n in range(2, 7)]
    with pytest.raises(PoolExhausted) as info:
        store.reserve("c5")
    assert str(info.value) == "network net0: no free address left in 10.77.0.0/29"
    assert info.value.exit_code == 1
    with pytest.raises(PoolExhausted):
        store.peek("c5")
    assert store.reserve("c3") == A("10.77.0.5")  # a holder still gets its own


def test_slash_30_has_one_address(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(network(subnet="10.77.0.0/30"))
    assert store.reserve("c1") == A("10.77.0.2")
    with pytest.raises(PoolExhausted):
        store.reserve("c2")


def test_round_robin_after_release(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(TINY)
    for i in range(3):
        store.reserve(f"c{i}")                          # .2 .3 .4
    assert store.release("c1") == [A("10.77.0.3")]
    assert store.reserve("c3") == A("10.77.0.5")       # not .3, just released
    assert store.reserve("c4") == A("10.77.0.6")
    assert store.reserve("c5") == A("10.77.0.3")       # wrapped around to the free one
    with pytest.raises(PoolExhausted):
        store.reserve("c6")


def test_round_robin_survives_a_damaged_last_reserved(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(TINY)
    store.reserve("c0")
    for junk in ("garbage\n", "192.0.2.1\n", ""):
        (store.directory / LAST).write_text(junk)
        assert store.peek("new") == A("10.77.0.3")     # from the start, skipping the leased .2


def test_static_address(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    assert store.reserve("c1", A("10.88.0.50")) == A("10.88.0.50")
    assert store.find("c1") == A("10.88.0.50")
    assert not (store.directory / LAST).exists()        # statics do not move the round-robin
    assert store.reserve("c2") == A("10.88.0.2")


def test_automatic_skips_a_static_lease(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(TINY)
    store.reserve("s", A("10.77.0.2"))
    assert store.reserve("c1") == A("10.77.0.3")


def test_taken_static_names_the_holder(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    store.reserve("web", A("10.88.0.50"))
    with pytest.raises(BadInput) as info:
        store.reserve("db", A("10.88.0.50"))
    assert str(info.value) == "annotation org.jailnet.ipv4: 10.88.0.50 is already leased to web"
    with pytest.raises(BadInput) as info:
        store.peek("db", A("10.88.0.50"))                # the dry run says the same
    assert str(info.value) == "annotation org.jailnet.ipv4: 10.88.0.50 is already leased to web"
    assert store.holders() == {A("10.88.0.50"): "web"}


def test_repeated_reserve_is_stable(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    first = store.reserve("c1")
    assert store.reserve("c1") == first
    assert store.reserve("c1", first) == first
    assert store.holders() == {first: "c1"}
    store.reserve("s", A("10.88.0.9"))
    assert store.reserve("s") == A("10.88.0.9")         # an automatic request keeps the static one


def test_a_different_static_moves_the_lease(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    old = store.reserve("c1")
    assert store.reserve("c1", A("10.88.0.40")) == A("10.88.0.40")
    assert store.holders() == {A("10.88.0.40"): "c1"}
    assert not (store.directory / str(old)).exists()


def test_release_is_tolerant(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    assert store.release("nobody") == []                # no directory at all
    store.reserve("c1")
    assert store.release("nobody") == []
    assert store.release("c1") == [A("10.88.0.2")]
    assert store.release("c1") == []
    assert store.holders() == {}


def test_release_drops_only_the_holders_leases(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    store.reserve("c1")
    store.reserve("c2")
    store.reserve("c3", A("10.88.0.99"))
    assert leases4(store.directory).release("c2") == [A("10.88.0.3")]  # no network needed
    assert store.holders() == {A("10.88.0.2"): "c1", A("10.88.0.99"): "c3"}


def test_peek_claims_nothing(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    assert store.peek("c1") == A("10.88.0.2")
    assert store.peek("c1", A("10.88.0.70")) == A("10.88.0.70")
    assert not store.directory.exists()
    store.reserve("c0")
    before = sorted(os.listdir(store.directory))
    assert store.peek("c1") == A("10.88.0.3")
    assert store.peek("c0") == A("10.88.0.2")           # what reserve would say: its own
    assert sorted(os.listdir(store.directory)) == before
    assert store.reserve("c1") == A("10.88.0.3")        # peek agreed with reserve


def test_holders_ignores_foreign_files(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    store.reserve("c1")
    (store.directory / ".last_reserved.123").write_text("x")
    (store.directory / "README").write_text("x")
    assert leases4(store.directory).holders() == {A("10.88.0.2"): "c1"}
    assert leases4(tmp_path / "absent").holders() == {}


def test_leases_of_across_networks(tmp_path: Path) -> None:
    StateDir(tmp_path).leases(WIDE).reserve("c1")
    StateDir(tmp_path).leases(TINY).reserve("c1", A("10.77.0.4"))
    StateDir(tmp_path).leases(TINY).reserve("c2")
    StateDir(tmp_path).leases(network("empty", "10.66.0.0/24")).directory.mkdir(parents=True)
    assert StateDir(tmp_path).leases_of("c1") == {"net0": A("10.77.0.4"), "wide": A("10.88.0.2")}
    assert list(StateDir(tmp_path).leases_of("c1")) == ["net0", "wide"]          # sorted by network
    assert StateDir(tmp_path).leases_of("c2") == {"net0": A("10.77.0.2")}
    assert StateDir(tmp_path).leases_of("c9") == {}
    assert StateDir(tmp_path / "nothing-here").leases_of("c1") == {}


# --- model-based state machine (hypothesis RuleBasedStateMachine: the store against a dict) ---

IDS_LIST = [f"c{i}" for i in range(8)]
IDS = st.sampled_from(IDS_LIST)
USABLE = [A(f"10.77.0.{n}") for n in range(2, 7)]
STATICS = st.sampled_from(USABLE)


class LeaseMachine(RuleBasedStateMachine):
    """Drive the real on-disk store and a dict model with the same operations."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp: tempfile.TemporaryDirectory[str] | None = None
        self.model: dict[str, A] = {}
        self.last: A | None = None
        """The last address handed out automatically (``last_reserved``)."""

    @initialize()
    def setup(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.store = StateDir(Path(self.tmp.name)).leases(TINY)

    def teardown(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()

    @rule(cid=IDS)
    def reserve_auto(self, cid: str) -> None:
        peeked: A | None
        try:
            peeked = self.store.peek(cid)
        except PoolExhausted:
            peeked = None
        try:
            ip = self.store.reserve(cid)
        except PoolExhausted:
            assert cid not in self.model and len(self.model) == len(USABLE)
            assert peeked is None
            return
        assert ip == peeked
        if cid in self.model:
            assert ip == self.model[cid]                   # repeated reserve is stable
            return
        # Round-robin: the first free address after the last one handed out, so a just-released
        # address comes back only once the others after the pointer are taken.
        start = 0 if self.last is None else USABLE.index(self.last) + 1
        order = USABLE[start:] + USABLE[:start]
        assert ip == next(a for a in order if a not in self.model.values())
        self.model[cid] = ip
        self.last = ip

    @rule(cid=IDS, ip=STATICS)
    def reserve_static(self, cid: str, ip: A) -> None:
        owner = next((c for c, a in self.model.items() if a == ip), None)
        if owner is not None and owner != cid:
            message = f"annotation org.jailnet.ipv4: {ip} is already leased to {owner}"
            for call in (self.store.peek, self.store.reserve):
                try:
                    call(cid, ip)
                except BadInput as exc:
                    assert str(exc) == message
                else:
                    raise AssertionError(f"{call.__name__} gave away {ip} held by {owner}")
            return
        assert self.store.peek(cid, ip) == ip
        assert self.store.reserve(cid, ip) == ip
        self.model[cid] = ip

    @rule(cid=IDS)
    def release(self, cid: str) -> None:
        released = self.store.release(cid)
        expected = self.model.pop(cid, None)
        assert released == ([] if expected is None else [expected])

    @precondition(lambda self: self.tmp is not None)
    @rule(cid=IDS)
    def find(self, cid: str) -> None:
        assert self.store.find(cid) == self.model.get(cid)

    @invariant()
    def disk_matches_model(self) -> None:
        if self.tmp is None:
            return
        disk = on_disk(self.store)
        assert disk == self.model
        assert len(set(disk.values())) == len(disk)                 # no address twice
        index = self.store.directory / "ids"
        indexed = {p.name: A(p.read_text().strip()) for p in index.iterdir()} if index.exists() else {}
        assert indexed == self.model                                # the index names exactly the leases
        for cid in IDS_LIST:
            assert self.store.others(cid) == bool(set(self.model) - {cid})
        assert all(TINY.usable(ip) is None for ip in disk.values())  # never network/gateway/broadcast
        assert StateDir(Path(self.tmp.name)).leases_of("c0") == (
            {"net0": self.model["c0"]} if "c0" in self.model else {})


TestLeaseMachine = LeaseMachine.TestCase
TestLeaseMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


# --- concurrency: 20 processes under the host-wide lock --------------------------------------

WORKER = """
import ipaddress, sys
from pathlib import Path
from hooks.netconf import Network
from hooks.statedir import StateDir

state, cid = Path(sys.argv[1]), sys.argv[2]
net = Network(name="busy", bridge="jailnet9", subnet=ipaddress.IPv4Network("10.55.0.0/24"),
              gateway=ipaddress.IPv4Address("10.55.0.1"), table="jail-nat", nameservers=(), search=())
sys.stdin.read()  # wait until every worker is started, then go together
with StateDir(state).lock():
    print(StateDir(state).leases(net).reserve(cid))
"""


def test_twenty_processes_get_twenty_distinct_addresses(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), f"c{i}"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=root)
        for i in range(20)
    ]
    results = []
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()                                 # the starting gun
    for proc in procs:
        assert proc.stdout is not None and proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 0, err
        results.append(A(out.strip()))
    assert len(set(results)) == 20
    assert sorted(results) == [A(f"10.55.0.{n}") for n in range(2, 22)]
    store_dir = tmp_path / "networks" / "busy"
    assert leases4(store_dir).holders() == {ip: f"c{i}" for i, ip in enumerate(results)}


def test_the_state_dir_finds_every_networks_leases(tmp_path: Path) -> None:
    """StateDir owns the layout: gc and doctor read networks that are not configured any more."""
    state = StateDir(tmp_path)
    assert state.network_leases() == {}
    state.leases(WIDE).reserve("c1")
    state.leases(TINY).reserve("c2")
    found = state.network_leases()
    assert list(found) == ["net0", "wide"]
    assert {name: leases.holders() for name, leases in found.items()} == {
        "net0": {A("10.77.0.2"): "c2"}, "wide": {A("10.88.0.2"): "c1"}}
    assert found["wide"].release("c1") == [A("10.88.0.2")] and state.leases_of("c1") == {}


# --- the index ---------------------------------------------------------------------------------

def test_find_and_release_read_no_other_lease(tmp_path: Path) -> None:
    """The hot path is O(1): with every other lease file unreadable, a container still finds,
    keeps and releases its own."""
    store = StateDir(tmp_path).leases(WIDE)
    mine = store.reserve("mine")
    for n in range(40):
        store.reserve(f"c{n}")
    for path in store.directory.iterdir():
        if path.name not in (str(mine), "ids", LAST):
            path.write_text("garbage that is not an id\n")
    assert store.find("mine") == mine and store.reserve("mine") == mine
    assert store.others("mine") and store.others("nobody-else")
    assert store.release("mine") == [mine] and store.find("mine") is None
    assert not (store.directory / "ids" / "mine").exists()


def test_a_stale_index_entry_counts_for_nothing(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    address = store.reserve("a")
    (store.directory / str(address)).write_text("b\n")      # the lease says another holder
    assert store.find("a") is None
    (store.directory / "ids" / "a").write_text("not an address\n")
    assert store.find("a") is None
    assert store.release("a") == [] and not (store.directory / "ids" / "a").exists()


def test_a_directory_from_before_the_index_is_scanned(tmp_path: Path) -> None:
    """State written by a jailnet without the index (an upgrade while containers run)."""
    store = StateDir(tmp_path).leases(WIDE)
    store.directory.mkdir(parents=True)
    (store.directory / "10.88.0.7").write_text("old\n")
    assert store.find("old") == A("10.88.0.7") and store.others("new")
    assert store.release("old") == [A("10.88.0.7")] and store.holders() == {}


def test_release_all_finds_a_lease_the_index_misses(tmp_path: Path) -> None:
    """A create killed between claiming an address and indexing it: gc's full scan frees it."""
    store = StateDir(tmp_path).leases(WIDE)
    store.reserve("other")
    (store.directory / "10.88.0.9").write_text("killed\n")
    assert store.release("killed") == []
    assert store.release_all("killed") == [A("10.88.0.9")]
    assert set(store.holders().values()) == {"other"}


def test_lease_directories_are_root_only(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases(WIDE)
    store.reserve("a")
    assert {p.name: p.stat().st_mode & 0o777 for p in (store.directory, store.directory / "ids")} == {
        "wide": 0o700, "ids": 0o700}


# --- IPv6 leases (dual-stack networks, docs/ipv6.md) ---------------------------------------------

DUAL = Network(
    name="dual", bridge="jailnet9", subnet=ipaddress.IPv4Network("10.88.0.0/24"), gateway=A("10.88.0.1"),
    table="jail-nat", nameservers=(), search=(), subnet6=ipaddress.IPv6Network("fd00:88::/120"),
    gateway6=ipaddress.IPv6Address("fd00:88::1"))


def test_ipv6_leases_live_in_the_networks_inet6_directory(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    store = state.leases6(DUAL)
    assert store.directory == tmp_path / "networks" / "dual" / "inet6"
    assert store.reserve("c1", None, 2) == ipaddress.IPv6Address("fd00:88::2")
    assert state.leases6_of("c1") == {"dual": ipaddress.IPv6Address("fd00:88::2")}
    assert state.leases_of("c1") == {}  # the IPv4 directory does not take inet6/ for a lease
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700


@settings(max_examples=50, deadline=None)
@given(numbers=st.lists(st.integers(min_value=-5, max_value=300), max_size=30),
       statics=st.sets(st.integers(min_value=2, max_value=255), max_size=5))
def test_ipv6_addresses_are_distinct_and_never_the_anycast_or_gateway(numbers: list[int], statics: set[int]) -> None:
    """Whatever host numbers come in (some out of the /120, some taken by statics), every
    container gets its own address inside subnet6, the embedded one whenever it is free."""
    with tempfile.TemporaryDirectory() as tmp:
        store = StateDir(Path(tmp)).leases6(DUAL)
        base = int(ipaddress.IPv6Address("fd00:88::"))
        taken: dict[ipaddress.IPv6Address, str] = {}
        for i, number in enumerate(sorted(statics)):
            static = ipaddress.IPv6Address(base + number)
            if static != DUAL.gateway6:
                taken[store.reserve(f"s{i}", static, 0)] = f"s{i}"
        for i, number in enumerate(numbers):
            free = ipaddress.IPv6Address(base + number)
            embedded_free = 0 < number < 256 and free not in taken and free != DUAL.gateway6
            got = store.reserve(f"c{i}", None, number)
            assert got not in taken and got in DUAL.subnet6
            assert got not in (DUAL.subnet6.network_address, DUAL.gateway6)
            if embedded_free:
                assert got == free
            taken[got] = f"c{i}"
        assert store.holders() == taken


def test_a_static_ipv6_address_another_holds_is_refused(tmp_path: Path) -> None:
    store = StateDir(tmp_path).leases6(DUAL)
    static = ipaddress.IPv6Address("fd00:88::9")
    assert store.reserve("c1", static, 0) == static
    with pytest.raises(BadInput, match="org.jailnet.ipv6: fd00:88::9 is already leased to c1"):
        store.reserve("c2", static, 0)
    with pytest.raises(BadInput, match="already leased to c1"):
        store.check_free("c2", static)
    assert store.peek("c2", None, 9) == ipaddress.IPv6Address("fd00:88::a")
    assert store.release("c1") == [static] and store.holders() == {}
