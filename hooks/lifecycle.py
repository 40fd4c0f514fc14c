"""The imperative shell of the hooks: observe, lock, lease, plan, apply, record — and undo.

:func:`create` implements createRuntime (and prestart); poststop is :func:`hooks.detach.release`. The order of
createRuntime is the issue's: validate (done by the caller), find the jail, reap leftovers of the
same container id, ensure bridge and forwarding under the host-wide lock, lease an address,
create the epair, move it and configure the jail, resolv.conf, pf table, record. Any failure
undoes the finished steps newest first and releases the lease: runj and crun run no poststop
after a failed create (docs/runtimes.md §3).
"""

import contextlib
import os
import shlex
import time
from typing import TYPE_CHECKING

import attrs

from hooks import observe, plan
from hooks.apply import CommandFailed, apply, printed_name, rollback
from hooks.detach import HookContext, reap
from hooks.errors import OperationFailed
from hooks.leases import LeaseStore
from hooks.request import Request
from hooks.resolvconf import render
from hooks.statedir import Record
from hooks.system import Runner

if TYPE_CHECKING:
    from hooks.apply import Undo
    from hooks.leases6 import LeaseStore6
    from hooks.storeclaims import StoreClaims

RUNJ_EXT_HINT = 'ask runj for one in runj.ext.json: {"network":{"vnet":{"mode":"new"}}}'


def find_jail(request: Request, run: Runner) -> observe.JailInfo:
    """Step 2: the jail named by the container id (or ocijail's jid) must exist with its own vnet."""
    result = run(plan.jail_lookup(request.jail))
    if not result.ok:
        raise OperationFailed(f"no jail {request.jail!r} for container {request.container_id}: "
                              f"{result.describe()} (is this runj's createRuntime hook?)")
    info = observe.parse_jls(result.stdout)
    if info is None:
        raise OperationFailed(f"cannot read jls output for jail {request.jail!r}: {result.stdout.strip()!r}")
    if not info.vnet:
        raise OperationFailed(f"jail {request.jail!r} has no vnet of its own; {RUNJ_EXT_HINT}")
    return info


def _osreldate(host: HookContext, also: tuple[str, ...] = ()) -> tuple[int, list[int]]:
    """``kern.osreldate`` (cached for the boot) and, in the same sysctl call, the values of ``also``."""
    cached = host.state.osreldate()
    names = (() if cached is not None else ("kern.osreldate",)) + also
    values: list[int] = []
    if names:
        result = host.run(("sysctl", "-n", *names))
        parsed = observe.parse_sysctl_values(result.stdout, len(names)) if result.ok else None
        if parsed is None:
            raise OperationFailed(result.describe() if not result.ok else f"cannot read {' '.join(names)}")
        values = parsed
    if cached is None:
        cached = values.pop(0)
        host.state.remember_osreldate(cached)
    return cached, values


def ensure_network(request: Request, run: Runner) -> tuple[plan.Command, ...]:
    """Observe the network's bridge and plan what it lacks; an interface of that name that is
    not a bridge (say ``em0``) is never touched."""
    bridge = request.network.bridge
    result = run(("ifconfig", bridge))
    observed = observe.parse_bridge(result.returncode, result.stdout)
    if observed.exists and not observed.is_bridge:
        raise OperationFailed(f"network {request.network.name}: {bridge} exists and is not a bridge "
                              "(ifconfig shows no 'groups: bridge'); choose another bridge name")
    return plan.ensure_bridge(request.network, observed)


def _prepare(request: Request, host: HookContext, leases: LeaseStore,
             leases6: "LeaseStore6 | None" = None) -> tuple[tuple[plan.Command, ...], bool]:
    """The host-wide steps this create needs, and whether ifconfig/route take ``-j``.

    Only the first container on a network (no other leases) looks at the bridge and at
    forwarding: later ones find them made (lock held by the caller, so two first containers
    never make two bridges). On a dual-stack network the first container with an IPv6 lease
    looks too, so a network that became dual stack while containers ran gets its ``gateway6``.
    """
    cid = request.container_id
    if leases.others(cid) and (leases6 is None or leases6.others(cid)):
        osreldate, _ = _osreldate(host)
        return (), osreldate >= plan.JAIL_FLAG_OSRELDATE
    dual = request.network.dual_stack
    osreldate, values = _osreldate(host, (plan.FORWARDING, plan.FORWARDING6) if dual else (plan.FORWARDING,))
    forwarding6 = bool(values[1]) if dual else True
    pre = ensure_network(request, host.run) + plan.ensure_forwarding(bool(values[0]), forwarding6)
    return pre, osreldate >= plan.JAIL_FLAG_OSRELDATE


def _check_image(jail: observe.JailInfo) -> None:
    """Without ``-j`` (before 13.3) jexec runs the image's own ifconfig and route."""
    missing = [p for p in ("sbin/ifconfig", "sbin/route") if not os.path.isfile(os.path.join(jail.path, p))]
    if missing:
        raise OperationFailed(
            "this host's ifconfig and route have no -j (FreeBSD < 13.3), so jexec must run the image's "
            f"own, but {jail.path} has no {' or '.join('/' + m for m in missing)}; "
            "upgrade the host to 13.3 or later, or use an image that ships them")


def _already_attached(record: Record | None, jail: observe.JailInfo, host: HookContext) -> bool:
    """prestart then createRuntime for one container (ocijail): the second call finds it done."""
    if record is None or record.state != "up" or record.jid != jail.jid:
        return False
    return host.run(("ifconfig", record.host_interface)).ok


def create(request: Request, host: HookContext) -> None:
    """createRuntime: attach the container's jail to its network, or leave no trace
    (``--dry-run``: :mod:`hooks.preview`)."""
    state = host.state
    cid = request.container_id
    with state.container_lock(cid):
        jail = find_jail(request, host.run)
        egress = find_egress(request, host.run) if request.ports else None
        record = state.read(cid)
        if _already_attached(record, jail, host):
            host.log.info("already attached; nothing to do")
            return
        with contextlib.ExitStack() as held:
            held.enter_context(state.lock())
            isolate = _isolation(host)
            leases = state.leases(request.network)
            leases.check_free(cid, request.address)  # a taken static address changes nothing
            leases6 = state.leases6(request.network) if request.network.dual_stack else None
            if leases6 is not None:
                leases6.check_free(cid, request.address6)
            reap(cid, record, host, reason="leftovers of an earlier create")
            if request.ports:
                state.claims().claim(cid, request.ports)  # a port another holds changes nothing
            store = _store(request, host)
            try:
                pre, jail_flag = _prepare(request, host, leases, leases6)
                pre = ((isolate,) if isolate else ()) + pre
                if not jail_flag:
                    _check_image(jail)
                if store is not None:
                    store.register_gateway()
                    if request.ports:
                        store.claim_ports(request.ports)
                address = store.reserve4(leases, request.address) if store else leases.reserve(cid, request.address)
                address6 = None
                if leases6 is not None:
                    number = int(address) - int(request.network.subnet.network_address)
                    try:
                        address6 = (store.reserve6(leases6, request.address6, number) if store
                                    else leases6.reserve(cid, request.address6, number))
                    except BaseException:
                        leases.release(cid)
                        raise
            except BaseException:
                if request.ports:
                    state.claims().release(cid)
                for failure in store.release() if store else ():
                    host.log.error(failure)
                raise
            if not pre:
                # Nothing host-wide will change: others may lease and attach meanwhile.
                held.close()
            attached = _attach(request, host, leases, plan.Attachment(
                request=request, address=address, jail=jail, jail_flag=jail_flag, egress=egress, address6=address6),
                pre, leases6, isolate.stdin if isolate else None, store)
        if request.network.hosts == "self" and request.hosts:
            from hooks import names  # its own /etc/hosts block: one file, no command, no lock

            names.write_own(attached, host.log.error)
        elif request.network.hosts == "peers":
            from hooks import names  # every member's block: files only, no command

            with state.lock():
                names.sync(state, host.log.error, request.network)


def _store(request: Request, host: HookContext) -> "StoreClaims | None":
    """On a cluster network, the claims this create makes in the cluster's store."""
    cluster = host.config.cluster
    if not request.network.cluster or cluster is None:
        return None
    from hooks.storeclaims import StoreClaims  # only on a cluster network

    return StoreClaims(host.state, cluster, request.network, request.container_id)


def _isolation(host: HookContext) -> plan.Command | None:
    """What keeps ``jailnet/isolation`` in step with the configured networks (host-wide lock
    held): after a configuration change, the one ``pfctl`` that loads the new rules; otherwise
    nothing, and no command runs (:mod:`hooks.isolation`)."""
    networks, loaded = host.config.networks, host.state.isolation()
    if len(networks) < 2 and not loaded:
        return None  # one network: nothing to keep apart, and nothing loaded before
    from hooks import isolation  # only where there are networks to keep apart

    wanted = isolation.rules(networks)
    if wanted == loaded:
        return None
    return isolation.load(wanted, str(host.state.isolation_file) if loaded else None)


def find_egress(request: Request, run: Runner) -> str:
    """The interface published ports are reached on: the network's ``egress``, else the default
    route's (``route -n get default``, its ``interface:`` line)."""
    if request.network.egress is not None:
        return request.network.egress
    result = run(("route", "-n", "get", "default"))
    name = observe.parse_route_interface(result.stdout) if result.ok else None
    if name is None:
        said = result.describe() if not result.ok else "route -n get default names no interface"
        raise OperationFailed(f"publishing ports needs the egress interface: {said}; set egress in network "
                              f"{request.network.name}'s configuration")
    return name


def _attach(request: Request, host: HookContext, leases: LeaseStore, attachment: plan.Attachment,
            pre: tuple[plan.Command, ...], leases6: "LeaseStore6 | None" = None,
            isolation: str | None = None, store: "StoreClaims | None" = None) -> Record:
    """Steps 4-11 after the lease: apply with a journal; on any failure undo and release. Returns
    the container's record, up. ``isolation``: the rules a step of ``pre`` loaded into
    ``jailnet/isolation``, kept once the create has succeeded (:mod:`hooks.isolation`)."""
    cid, network = request.container_id, request.network
    address, jail = attachment.address, attachment.jail
    record = Record(
        id=cid, state="creating", network=network.name, address=str(address), prefixlen=network.subnet.prefixlen,
        bridge=network.bridge, table=network.table, host_interface=attachment.host_interface,
        jail_interface=attachment.jail_interface, jail=request.jail, jid=jail.jid,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), ports=tuple(p.spec() for p in request.ports),
        hostname=_hostname(request.bundle), aliases=request.aliases, root=jail.path, hosts=request.hosts,
        address6=str(attachment.address6) if attachment.address6 is not None else None,
        prefixlen6=network.subnet6.prefixlen if attachment.address6 is not None and network.subnet6 else None,
        stored=store.keys if store else (), stored_by=store.value if store else "")
    done: list[Undo] = []
    shared = 0  # the undos of bridge and forwarding: for this rollback only, never journaled

    journaled = 0  # this container's own undo commands already in its journal

    def journal(undos: "list[Undo]") -> None:
        # What a later reaper (gc, the next create) may undo: this container's own steps, one
        # appended line each. The bridge and forwarding are left alone: others may use them by then.
        nonlocal journaled
        own = [u for u in undos[shared:] if isinstance(u, tuple)]
        for undo in own[journaled:]:
            host.state.journal(cid, undo)
        journaled = len(own)

    also = f" and {attachment.address6}" if attachment.address6 is not None else ""
    host.log.info(f"leased {address}{also} on network {network.name}")
    try:
        host.state.begin(record)
        apply(pre, host.run, done, log=host.log.info)
        shared = len(done)
        epair = _create_epair(request, jail, host)
        done.append(plan.destroy_epair(epair))
        journal(done)
        text = render(cid, request.nameservers, request.search) if request.dns else None
        apply(plan.attach(attachment, epair, text), host.run, done, progress=journal, log=host.log.info)
        record = attrs.evolve(record, state="up")
        host.state.write(record)
        if store is not None:
            store.settle()  # the record names the claims now
        if isolation is not None:
            host.state.remember_isolation(isolation)
    except BaseException as exc:
        failures = rollback(done, host.run, host.log.info)
        leases.release(cid)
        if leases6 is not None:
            leases6.release(cid)
        if request.ports:
            host.state.claims().release(cid)
        if store is not None:
            failures += store.release()
        host.state.delete(cid)
        for failure in failures:
            host.log.error(f"rollback: {failure}")
        if isinstance(exc, OperationFailed):
            raise OperationFailed(f"{exc} (undone)") from None
        raise
    host.log.info(f"attached: {attachment.host_interface} in {network.bridge}, {attachment.jail_interface} "
                  f"{address}/{network.subnet.prefixlen} in jail {jail.jid}")
    return record


def _hostname(bundle: str) -> str:
    """The ``hostname`` the bundle's config.json gives the container (runtime-spec config.md
    "Hostname"), if it is a valid host name (RFC 1123); "" otherwise, or without a readable file."""
    if not bundle:
        return ""
    import json

    from hooks.hostsfile import check_alias

    try:
        with open(os.path.join(bundle, "config.json"), "rb") as handle:
            name = json.load(handle).get("hostname")
        return check_alias(name, "hostname") if isinstance(name, str) else ""
    except (OSError, ValueError, AttributeError):  # ValueError: bad JSON or BadInput; AttributeError: not an object
        return ""


def _create_epair(request: Request, jail: observe.JailInfo, host: HookContext) -> str:
    """Run the epair creation; ifconfig names the pair even when a later word fails (the pair is
    then left behind, sbin/ifconfig/ifconfig.c ``printifnamemaybe()``), and it is destroyed at once."""
    result = host.run(plan.create_epair(request, jail))
    name = printed_name(result.stdout) or ""
    made = name.startswith("epair") and name.endswith("a") and name[5:-1].isascii() and name[5:-1].isdigit()
    if not result.ok:
        if made:
            host.run(plan.destroy_epair(name))
        raise CommandFailed(result)
    if not made:
        raise OperationFailed(f"{shlex.join(result.argv)}: unexpected output {result.stdout.strip()!r}")
    host.log.info(f"{shlex.join(result.argv)}: {name}")
    return name
