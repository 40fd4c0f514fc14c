"""A cluster network's addresses, published ports and gateways claimed in the cluster's store,
so that hosts sharing the network never hand out one twice (docs/multi-host.md).

A claim is the key ``PREFIX/networks/NET/inet/ADDRESS`` (``inet6`` for IPv6,
``ports/PROTOCOL/PORT`` for a published port), created only if absent
(:meth:`hooks.etcd.Client.create`), whose value names the holder: this host and the container,
or this host alone for its gateway. The local lease files stay what they are on one host, and the round robin picks the
address; the store only says whether another host holds it. When it does, the address is passed
over (and, at the first collision, every address the store holds on the network, in one range
request); a static address another host holds is bad input.

Nothing is claimed that a tombstone does not name first. ``<state>/tombstones/<id>.json`` lists
the keys (and this host's value) that the store may hold for a container that has no record
that is up: written before each claim and before a poststop's releases, removed once the record
is up (it names its claims then, :attr:`Record.stored`) or once the releases are done. A create
killed or failing halfway, or a store down at poststop, so leaves a tombstone, and ``jailnet gc``
releases what it names: a key is deleted only while it holds this host's value, so releasing a
claim that was never made, or that another host has made since, changes nothing.
"""

import contextlib
import ipaddress
import json
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hooks import files
from hooks.cluster import Cluster, describe
from hooks.errors import BadInput, OperationFailed
from hooks.etcd import MAX_TXN_OPS, StoreUnreachable, client_for

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from hooks.etcd import Client
    from hooks.leases import Leases, LeaseStore
    from hooks.leases6 import LeaseStore6
    from hooks.netconf import Network
    from hooks.ports import Published
    from hooks.statedir import Record, StateDir

A = TypeVar("A", ipaddress.IPv4Address, ipaddress.IPv6Address)

TOMBSTONES = "tombstones"
GATEWAY_MARK = "store-gateway"


def tombstone_path(state: "StateDir", container_id: str) -> Path:
    return state.path / TOMBSTONES / f"{container_id}.json"


def read_tombstone(path: Path) -> list[tuple[str, str]]:
    """The (key, value) pairs a tombstone names; :class:`OperationFailed` for a damaged one."""
    try:
        pairs = json.loads(path.read_text())
        return [(str(p["key"]), str(p["value"])) for p in pairs]
    except (ValueError, TypeError, KeyError) as exc:
        raise OperationFailed(f"damaged tombstone {path}: {exc}") from None


def _write_tombstone(state: "StateDir", container_id: str, pairs: list[tuple[str, str]]) -> None:
    path = tombstone_path(state, container_id)
    if not pairs:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(mode=0o700, exist_ok=True)
    text = json.dumps([{"key": k, "value": v} for k, v in pairs], indent=1) + "\n"
    files.replace(path, text.encode(), mode=0o600, durable=True)


def release(state: "StateDir", cluster: Cluster, container_id: str, pairs: list[tuple[str, str]],
            client: "Client | None" = None) -> list[str]:
    """Delete each claim while it holds its value, tombstone first; the failures (the tombstone
    then stays, for gc). ``client``: the hook's own, so that its waits stay within one budget."""
    if not pairs:
        return []
    _write_tombstone(state, container_id, pairs)
    client = client or client_for(cluster)
    left, failures = [], []
    for key, value in pairs:
        try:
            client.delete_if(key, value)
        except OperationFailed as exc:  # StoreUnavailable, StoreError
            left.append((key, value))
            failures.append(f"store claim {key} not released: {exc} (a tombstone keeps it for jailnet gc)")
    _write_tombstone(state, container_id, left)
    return failures


class StoreClaims:
    """The claims one createRuntime makes for its container (host-wide lock held)."""

    def __init__(self, state: "StateDir", cluster: Cluster, network: "Network", container_id: str) -> None:
        self.state = state
        self.cluster = cluster
        self.network = network
        self.container_id = container_id
        self.client = client_for(cluster)
        self.value = cluster.holder(container_id)
        self.pairs: list[tuple[str, str]] = []
        """The claims this create holds, or may hold (those the tombstone names)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.pairs)

    def _take(self, family: str, address: object) -> str | None:
        """Claim ``address``: None when this container holds it now, else who does."""
        key = self.cluster.key(self.network.name, family, address)
        self.pairs.append((key, self.value))
        _write_tombstone(self.state, self.container_id, self.pairs)
        try:
            held = self.client.create(key, self.value)
        except StoreUnreachable:  # the request never left: nothing to release
            self.pairs.pop()
            _write_tombstone(self.state, self.container_id, self.pairs)
            raise
        if held is None or held == self.value:  # made now, or by an earlier create of this id
            return None
        self.pairs.pop()
        _write_tombstone(self.state, self.container_id, self.pairs)
        return describe(held)

    def _taken(self, family: str) -> set[str]:
        """Every address the store holds on the network (one range request)."""
        prefix = self.cluster.key(self.network.name, family, "")
        return {key[len(prefix):] for key in self.client.prefix(prefix)}

    def register_gateway(self) -> None:
        """This host's gateways on the network, claimed before its first address (:func:`register_gateway`)."""
        register_gateway(self.state, self.cluster, self.network, self.client)

    def claim_ports(self, ports: "Sequence[Published]") -> None:
        """Claim the host ports of ``ports`` cluster-wide, one transaction for all (a port of the
        network is published by one container in the cluster, as Docker's swarm reserves a
        published port on every node): ``PREFIX/networks/NET/ports/PROTOCOL/PORT``. A port
        another container holds is bad input, and none is claimed."""
        wanted = {self.cluster.key(self.network.name, "ports", f"{p.protocol}/{port}"): p
                  for p in ports for port in range(p.host_port, p.host_end + 1)}
        keys = list(wanted)
        if len(keys) > MAX_TXN_OPS:
            raise BadInput(f"annotation org.jailnet.ports: {len(keys)} host ports; on a cluster network at most "
                           f"{MAX_TXN_OPS}, which one etcd transaction claims")
        self.pairs += [(key, self.value) for key in keys]
        _write_tombstone(self.state, self.container_id, self.pairs)
        for attempt in range(2):  # a second round only for keys an earlier create of this id holds
            try:
                held = self.client.create_all(keys, self.value)
            except StoreUnreachable:  # the request never left: the first round made nothing
                if attempt == 0:
                    self.pairs = [pair for pair in self.pairs if pair[0] not in wanted]
                    _write_tombstone(self.state, self.container_id, self.pairs)
                raise
            foreign = {k: v for k, v in held.items() if v != self.value}
            if foreign:  # nothing made by this round; the rollback releases what an earlier made
                key, value = min(foreign.items())
                protocol, port = key.split("/")[-2:]
                raise BadInput(f"annotation org.jailnet.ports: {wanted[key].spec()!r}: host port {port}/{protocol} "
                               f"is published in the cluster by {describe(value)}")
            keys = [k for k in keys if k not in held]
            if not held or not keys:
                return

    def reserve4(self, leases: "LeaseStore", static: ipaddress.IPv4Address | None) -> ipaddress.IPv4Address:
        """The local lease (round robin), claimed in the store; passed over while another host
        holds it. On any failure the local lease is released again."""
        return self._reserve(leases, "inet", static, lambda avoid: leases.reserve(self.container_id, static, avoid))

    def reserve6(self, leases6: "LeaseStore6", static: ipaddress.IPv6Address | None,
                 number: int) -> ipaddress.IPv6Address:
        return self._reserve(leases6, "inet6", static,
                             lambda avoid: leases6.reserve(self.container_id, static, number, avoid))

    def _reserve(self, leases: "Leases[A]", family: str, static: A | None, pick: "_Pick[A]") -> A:
        avoid: set[A] = set()
        try:
            address = pick(avoid)
            while (held := self._take(family, address)) is not None:
                leases.release(self.container_id)
                if static is not None:
                    raise BadInput(f"annotation {leases.annotation}: {address} is held by {held}")
                if not avoid:
                    avoid |= {leases.parse(a) for a in self._taken(family) if _is_address(a)}
                avoid.add(address)
                address = pick(avoid)
        except BaseException:
            leases.release(self.container_id)
            raise
        return address

    def release(self) -> list[str]:
        """Rollback: release what this create claimed."""
        return release(self.state, self.cluster, self.container_id, self.pairs, self.client)

    def settle(self) -> None:
        """The record is up and names the claims: the tombstone is no longer needed."""
        _write_tombstone(self.state, self.container_id, [])


def gateways(network: "Network") -> list[tuple[str, str, object]]:
    """A cluster network's gateway addresses on this host: (configuration key, family, address)."""
    found: list[tuple[str, str, object]] = [("gateway", "inet", network.gateway)]
    if network.gateway6 is not None:
        found.append(("gateway6", "inet6", network.gateway6))
    return found


def register_gateway(state: "StateDir", cluster: Cluster, network: "Network", client: "Client") -> bool:
    """Claim this host's gateway (and ``gateway6``) on ``network`` with the host as holder, once:
    a mark in the state directory remembers it. No container, on any host, may get it then.
    ``jailnet gc``, which the rc.d script runs at boot before jails start, registers every
    cluster network's gateways, and a create registers its network's if gc has not. True when
    this call claimed them."""
    mark = state.path / "networks" / network.name / GATEWAY_MARK
    wanted = "".join(f"{cluster.key(network.name, family, address)}\n" for _, family, address in gateways(network))
    with contextlib.suppress(OSError):
        if mark.read_text() == wanted:  # registered, and the gateways have not changed since
            return False
    for name, family, address in gateways(network):
        key = cluster.key(network.name, family, address)
        held = client.create(key, cluster.gateway_holder())
        if held is not None and held != cluster.gateway_holder():
            raise BadInput(f"networks.{network.name}.{name}: {address} is held by {describe(held)}: "
                           "give each host its own gateway address in the subnet")
    mark.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    files.replace(mark, wanted.encode(), mode=0o600, durable=False)
    return True


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


if TYPE_CHECKING:
    from collections.abc import Callable

    _Pick = Callable[[set[A]], A]


def release_record(state: "StateDir", cluster: Cluster | None, record: "Record") -> list[str]:
    """poststop: release the claims the record names (tombstone first); the failures."""
    if not record.stored:
        return []
    if cluster is None:
        pairs = [(key, record.stored_by) for key in record.stored]
        _write_tombstone(state, record.id, pairs)
        return [f"store claims {', '.join(record.stored)} not released: the configuration has no [cluster] "
                "(a tombstone keeps them for jailnet gc)"]
    return release(state, cluster, record.id, [(key, record.stored_by) for key in record.stored])


def tombstoned(state: "StateDir") -> list[str]:
    """The ids with a tombstone: store claims that may be held without a record that is up."""
    try:
        return sorted(p.name[:-5] for p in (state.path / TOMBSTONES).iterdir() if p.name.endswith(".json"))
    except FileNotFoundError:
        return []


def heal(state: "StateDir", cluster: Cluster | None, container_id: str) -> tuple[list[str], list[str]]:
    """gc (the container's lock held, its hook not running): release what its tombstone names,
    unless its record is up and names the claims itself. (released keys, failures)"""
    path = tombstone_path(state, container_id)
    if not path.exists():  # released already, by the teardown of its record
        return [], []
    record = state.read(container_id)
    if record is not None and record.state == "up":
        _write_tombstone(state, container_id, [])  # the create finished: its record names them
        return [], []
    try:
        pairs = read_tombstone(path)
    except OperationFailed as exc:  # said, and left for an administrator: gc goes on
        return [], [str(exc)]
    if cluster is None:
        return [], [f"tombstone {path}: the configuration has no [cluster] to release its claims in"]
    failures = release(state, cluster, container_id, pairs)
    return [key for key, _ in pairs] if not failures else [], failures


def _holder_of(value: str) -> dict[str, object]:
    try:
        found = json.loads(value)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def reconcile(state: "StateDir", cluster: Cluster, networks: "Mapping[str, Network]",
              busy: "Collection[str]") -> tuple[list[str], list[str]]:
    """gc, both ways (host-wide lock held; tombstones already released): this host's claims in the
    store that no local record names are released, and the claims of this host's records and
    gateways that the store lost are made again; a claim another host holds instead is a failure
    gc cannot mend. Containers whose hook runs (``busy``) are left alone. (lines, failures)"""
    client = client_for(cluster)
    held = client.prefix(f"{cluster.prefix}/networks/")
    records = {r.id: r for r in state.records()}
    ours = {cluster.key(n.name, family, address): cluster.gateway_holder()
            for n in networks.values() if n.cluster for _, family, address in gateways(n)}
    for record in records.values():
        if record.state == "up" and record.id not in busy:
            ours.update((key, record.stored_by) for key in record.stored)
    lines: list[str] = []
    failures: list[str] = []
    for key, value in sorted(held.items()):
        holder = _holder_of(value)
        if holder.get("host") != cluster.host or key in ours or holder.get("container") in busy:
            continue
        dying = records.get(str(holder.get("container")))
        if dying is not None and dying.state == "creating":  # a create that died: its teardown releases it
            continue
        if client.delete_if(key, value):
            what = "a gateway this host no longer has" if holder.get("gateway") else \
                f"container {holder.get('container')} has no record on this host"
            lines.append(f"removed store claim {key}: {what}")
    for key, value in sorted(ours.items()):
        if held.get(key) == value:
            continue
        if key in held:
            failures.append(f"store claim {key} is held by {describe(held[key])}, not by this host as its record "
                            "says: one of the two hosts must give the address up")
        elif client.create(key, value) is None:
            lines.append(f"restored store claim {key}: the store had lost it")
    return lines, failures
