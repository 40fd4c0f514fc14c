"""poststop, and the reaper every create runs first: take a container off its network.

:func:`release` implements poststop: from the container's record (or, without one, from the names
its id implies and the leases indexed under it) it removes the pf table entry and the epair,
releases the lease and deletes the record. Every step runs whatever the others did, and "already
gone" counts as done (:func:`hooks.apply.teardown`). :func:`reap` does the same for the leftovers
of an earlier create of the same id. This module loads none of the create path's modules
(observations, requests, resolv.conf): poststop runs on every container's delete
(docs/performance.md).
"""

import ipaddress
from typing import TYPE_CHECKING

import attrs

from hooks import plan
from hooks.apply import teardown
from hooks.logbook import Logbook
from hooks.naming import anchor_name, host_ifname
from hooks.statedir import Record, StateDir
from hooks.system import Runner

if TYPE_CHECKING:
    from hooks.netconf import Networks


# A service, not a value: compared by identity, and attrs generates only __init__ (an __eq__ and a
# __repr__ cost some 0.4 ms at import, on every hook's start path: docs/performance.md).
@attrs.frozen(kw_only=True, eq=False, repr=False)
class HookContext:
    """Where the hooks act: the command runner, the state directory, the log and the host's
    networks."""

    run: Runner
    state: StateDir
    log: Logbook
    config: "Networks"


def reap(container_id: str, record: Record | None, host: HookContext, *, reason: str) -> None:
    """Remove what an earlier create or a skipped poststop left for this id (lock held)."""
    leased = host.state.leases_of(container_id)
    if record is None and not leased and not host.state.leases6_of(container_id):
        return
    host.log.info(f"removing {reason}")
    failures = _detach(container_id, record, leased, host)
    for failure in failures:
        host.log.error(failure)


def detach_steps(container_id: str, record: Record | None, leased: dict[str, ipaddress.IPv4Address],
                  host: HookContext,
                  leased6: dict[str, ipaddress.IPv6Address] | None = None) -> tuple[plan.Command, ...]:
    """The teardown for this id: a dead create's journal first, then the detach by the record,
    or by the names and leases the id implies when there is no record."""
    if record is not None:
        journal = plan.replay(record.undo) if record.state == "creating" else ()
        anchor = anchor_name(container_id) if record.ports else None
        addresses = (record.address,) + ((record.address6,) if record.address6 else ())
        return journal + plan.detach(record.host_interface, record.table, addresses, anchor)
    table: str | None = None
    found: tuple[str, ...] = ()
    for name, held in leased.items():
        network = host.config.networks.get(name)
        if network is not None:
            table, found = network.table, (str(held),)
            if leased6 and name in leased6:
                found += (str(leased6[name]),)
    anchor = anchor_name(container_id) if host.state.claims().held(container_id) else None
    return plan.detach(host_ifname(container_id), table, found, anchor)


def _detach(container_id: str, record: Record | None, leased: dict[str, ipaddress.IPv4Address],
            host: HookContext) -> list[str]:
    """Detach (see :func:`_detach_steps`), release the leases and the record; return what failed."""
    stores6 = host.state.network_leases6()  # dual-stack networks' IPv6 leases
    leased6 = {name: found for name, store in stores6.items() if (found := store.find(container_id)) is not None}
    failures = teardown(detach_steps(container_id, record, leased, host, leased6), host.run, host.log.info)
    for name, leases in host.state.network_leases().items():
        if name in leased:
            for freed in leases.release(container_id):
                host.log.info(f"released {freed} on network {name}")
    for name in leased6:
        for freed6 in stores6[name].release(container_id):
            host.log.info(f"released {freed6} on network {name}")
    if record is None or record.ports:  # no claims without ports: poststop leaves ports/ alone
        for claim in host.state.claims().release(container_id):
            host.log.info(f"released host port {claim}")
    if record is not None and record.stored:  # a cluster network's claims in the store
        from hooks import storeclaims

        failures += storeclaims.release_record(host.state, host.config.cluster, record)
    host.state.delete(container_id)
    network = host.config.networks.get(record.network) if record is not None else None
    if network is not None and network.hosts == "peers":  # its peers forget it (lock held)
        from hooks import names

        names.sync(host.state, host.log.error, network)
    return failures


def release(container_id: str, host: HookContext) -> list[str]:
    """poststop: remove the pf entry and the epair, release the lease, delete the record.

    Works from the record, or without one (the names follow from the id; leases are found by
    id). Returns the failures, which the caller logs; poststop still exits 0.
    """
    with host.state.container_lock(container_id), host.state.lock():
        record = host.state.read(container_id)
        leased = host.state.leases_of(container_id)
        if record is None and not leased:
            host.log.info("no record or lease; destroying the host end if it is there")
        return _detach(container_id, record, leased, host)
