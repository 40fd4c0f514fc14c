"""``jailnet gc``: remove what a crash, a killed hook or a runtime that skipped poststop left.

runj and crun run no poststop after a failed create, containerd's shim cannot run ``runj
delete`` after a failed ``runj create``, and a hook killed at its timeout never undoes anything
(docs/runtimes.md §3). gc finds, under the hooks' host-wide lock:

* records whose jail is gone (or is another jail now) — detached as poststop would detach them,
  a create that never finished through its journal;
* leases without a record whose container's jail is gone;
* host ends in group ``jailnet`` with no live record, and epairs whose description names a
  container being cleaned up (the pair a create made before it could rename it);
* addresses in a network's pf table, inside the network's subnet (or ``subnet6``), with no lease;
* on every ``peers`` network, the ``/etc/hosts`` blocks of the live containers, rewritten so that
  they no longer name containers that are gone (:mod:`hooks.names`);
* claims of host ports (``ports/``) whose container is gone, and anchors under ``jailnet/``
  (``pfctl -a jailnet -sA``) that belong to no live container: flushed.

A container whose hook is running right now (its lock is held) is left alone, so gc is safe
while containers start and stop. gc never acts blind: when an observation fails (``jls`` exits
non-zero or prints what cannot be parsed, ``ifconfig`` or ``pfctl -T show`` fails for another
reason than a missing table), what it would have shown is *unknown*, and nothing whose removal
depends on it is removed. gc says so in one line per failed observation and exits 1.
:func:`find` is pure; :func:`main` observes and applies.
"""

import argparse
import ipaddress
import json
import shlex
from collections.abc import Mapping

import attrs

from hooks import observe, plan
from hooks.apply import teardown
from hooks.console import Console
from hooks.errors import BadInput, OperationFailed
from hooks.naming import ANCHOR_PARENT, ISOLATION_ANCHOR, anchor_name, host_ifname
from hooks.netconf import Network, Networks
from hooks.statedir import Record, StateDir, jail_alive

#: What ``pfctl -a jailnet -sA`` says when there is no ``jailnet`` anchor at all (exit 1): 13.x
#: ``err(1, "DIOCGETRULESETS")`` on ENOENT, 15.0 ``errx(1, "%s", pf_strerror(ret))``
#: (sbin/pfctl/pfctl.c ``pfctl_show_anchors()``); 14.x lists nothing and exits 0.
NO_ANCHOR = ("DIOCGETRULESETS: No such file or directory", "Anchor does not exist.")


@attrs.frozen
class Leftover:
    """One thing gc removes, why, and the commands that remove it."""

    kind: str
    """``record``, ``lease``, ``interface``, ``pf-entry``, ``port`` or ``anchor``."""
    name: str
    reason: str
    steps: tuple[plan.Command, ...] = ()
    container_id: str = ""
    """For records and leases: whose state-dir entries go too."""


@attrs.frozen(kw_only=True)
class Observed:
    """What gc looked at, all read under the host-wide lock."""

    records: tuple[Record, ...]
    leases: Mapping[str, Mapping[ipaddress.IPv4Address, str]]
    """network name -> address -> container id."""
    leases6: Mapping[str, Mapping[ipaddress.IPv6Address, str]] = attrs.field(factory=dict)
    """The same for dual-stack networks' IPv6 leases."""
    jails: Mapping[str, int] | None
    """Live jails: name -> jid (``jls --libxo json name jid``); None: unknown (jls failed)."""
    busy: frozenset[str]
    """Containers whose hooks hold their lock right now."""
    interfaces: tuple[observe.InterfaceInfo, ...] | None
    """The host's interfaces (``ifconfig``); None: unknown (ifconfig failed)."""
    inside: Mapping[int, tuple[observe.InterfaceInfo, ...]] = attrs.field(factory=dict)
    """jid -> the interfaces in the live jail of a create that died (``ifconfig -j JID``): its
    epair end is there when the runtime left the jail (runj 0.1.0) and the hook died before
    naming the host end."""
    tables: Mapping[str, tuple[str, ...] | None]
    """network name -> the addresses in its pf table (absent: the table does not exist; None:
    unknown, ``pfctl -T show`` failed for another reason)."""
    claims: Mapping[str, str] = attrs.field(factory=dict)
    """Host-port claims (``tcp/8080/any``) -> the container holding each."""
    anchors: tuple[str, ...] | None = ()
    """The anchors under ``jailnet`` (``jailnet/web``); None: unknown (pfctl failed)."""
    unknown: tuple[str, ...] = ()
    """One sentence per observation that failed: what could not be seen, and why."""


def find(observed: Observed, networks: Mapping[str, Network]) -> list[Leftover]:
    """Everything that belongs to no live container (pure)."""
    found: list[Leftover] = []
    kept_hosts: set[str] = set()
    cleaned: set[str] = set()
    recorded = {r.id for r in observed.records}
    jails = observed.jails
    for record in observed.records:
        crashed = record.state == "creating"  # and nobody holds its lock: the hook died
        if record.id in observed.busy or (not crashed and (jails is None or jail_alive(record, jails))):
            kept_hosts.add(record.host_interface)  # alive, or unknown: kept
            continue
        own = (record.address,) + ((record.address6,) if record.address6 else ())
        steps = (plan.replay(record.undo) if crashed else ()) + plan.detach(
            record.host_interface, record.table, own, anchor_name(record.id) if record.ports else None)
        reason = "its createRuntime died before finishing" if crashed else f"jail {record.jail} is gone"
        found.append(Leftover("record", record.id, reason, steps, record.id))
        cleaned.add(record.id)
        for iface in observed.inside.get(record.jid, ()) if crashed else ():
            journaled = plan.destroy_epair(iface.name) in record.undo
            if "epair" in iface.groups and iface.description == record.id and not journaled:
                # Destroying the end inside the jail destroys both ends (docs/freebsd-commands.md §5).
                destroy = ("ifconfig", "-j", str(record.jid), iface.name, "destroy")
                found.append(Leftover("interface", iface.name, f"epair of {record.id} in its jail {record.jid}",
                                      (plan.Command(destroy, gone=(plan.GONE_INTERFACE,)),)))
    kept_leases: dict[str, set[str]] = {}
    families = [(name, leased, observed.leases6.get(name, {})) for name, leased in sorted(observed.leases.items())]
    families += [(name, {}, leased6) for name, leased6 in sorted(observed.leases6.items())
                 if name not in observed.leases]
    for name, leased, leased6 in families:
        holding: dict[str, list[str]] = {}
        for address4, holder in sorted(leased.items()):
            holding.setdefault(holder, []).append(str(address4))
        for address6, holder in sorted(leased6.items()):
            holding.setdefault(holder, []).append(str(address6))
        for holder, held in holding.items():
            if holder in recorded and holder not in cleaned:
                kept_leases.setdefault(name, set()).update(held)
            elif holder in cleaned:
                continue  # goes with its record
            elif holder in observed.busy or jails is None or holder in jails:
                kept_leases.setdefault(name, set()).update(held)  # alive, or unknown: kept
                kept_hosts.add(host_ifname(holder))
            else:
                network = networks.get(name)
                published = holder in observed.claims.values()
                steps = plan.detach(host_ifname(holder), network.table if network else None,
                                    tuple(held) if network else (), anchor_name(holder) if published else None)
                found.append(Leftover("lease", ", ".join(held), f"{holder} on network {name} has no jail",
                                      steps, holder))
                cleaned.add(holder)
    gone_hosts = {host_ifname(c) for c in cleaned}
    for iface in observed.interfaces or ():
        if iface.name in kept_hosts or iface.name in gone_hosts:
            continue
        if plan.GROUP in iface.groups:
            reason = "in group jailnet with no live record"
        elif "epair" in iface.groups and iface.description in cleaned and iface.name.startswith("epair"):
            reason = f"epair of {iface.description}, made before its create could name it"
        else:
            continue
        found.append(Leftover("interface", iface.name, reason,
                              (plan.Command(("ifconfig", iface.name, "destroy"), gone=(plan.GONE_INTERFACE,)),)))
    for name, addresses in sorted(observed.tables.items()):
        network = networks.get(name)
        if network is None or addresses is None:
            continue
        for entry in addresses:
            try:
                ip = ipaddress.ip_address(entry)
            except ValueError:
                continue  # a network entry (a/len): not one of ours
            ours = ip in network.subnet if ip.version == 4 else (network.subnet6 is not None and ip in network.subnet6)
            if ours and entry not in kept_leases.get(name, set()):
                command = plan.Command(("pfctl", "-t", network.table, "-T", "delete", entry), gone=(plan.GONE_TABLE,))
                found.append(Leftover("pf-entry", entry, f"in <{network.table}> with no lease", (command,)))
    found += _ports(observed, recorded, cleaned)
    return _dedupe_pf(found)


def _ports(observed: Observed, recorded: set[str], cleaned: set[str]) -> list[Leftover]:
    """Claims whose container is gone, and anchors under ``jailnet/`` that no live container
    has: a container is live while its record is kept, its hook runs, or its jail exists (all
    kept when the jails are unknown)."""
    jails = observed.jails
    if jails is None:
        return []

    def live(cid: str) -> bool:
        return (cid in recorded and cid not in cleaned) or cid in observed.busy or cid in jails

    found: list[Leftover] = []
    for claim, holder in sorted(observed.claims.items()):
        if not live(holder) and holder not in cleaned:
            found.append(Leftover("port", claim, f"claimed by {holder}, whose jail is gone",
                                  (plan.unpublish(anchor_name(holder)),), holder))
            cleaned.add(holder)
    anchors = {anchor_name(c) for c in (*recorded, *observed.busy, *jails, *observed.claims.values()) if live(c)}
    flushed = {step.argv for item in found for step in item.steps}
    for anchor in observed.anchors or ():
        if anchor == ISOLATION_ANCHOR:
            continue  # jailnet's own filter rules, not a container's
        if anchor not in anchors and plan.unpublish(anchor).argv not in flushed:
            found.append(Leftover("anchor", anchor, "no live container publishes through it",
                                  (plan.unpublish(anchor),)))
    return found


def _dedupe_pf(found: list[Leftover]) -> list[Leftover]:
    """A pf entry that a record's or lease's detach removes anyway is not listed twice."""
    covered = {step.argv for item in found if item.kind in ("record", "lease") for step in item.steps}
    return [item for item in found if item.kind != "pf-entry" or item.steps[0].argv not in covered]


def observe_host(console: Console, state: StateDir, networks: Mapping[str, Network], busy: frozenset[str],
                 leases: Mapping[str, Mapping[ipaddress.IPv4Address, str]], claims: Mapping[str, str],
                 leases6: Mapping[str, Mapping[ipaddress.IPv6Address, str]] | None = None) -> Observed:
    """Read-only probes: jails, interfaces, pf tables; records from the state dir, read while gc
    holds the lock of every container that is not ``busy``. A probe that fails leaves its part
    unknown (None) and says why in :attr:`Observed.unknown`."""
    unknown: list[str] = []
    listed = console.run(observe.JAILS)
    jails = observe.parse_jails(listed.stdout) if listed.ok else None
    if jails is None:
        unknown.append(f"cannot list the jails ({observe.failure(listed)}); kept every container whose jail "
                       "it would need")
    shown_all = console.run(("ifconfig",))
    interfaces = tuple(observe.parse_interfaces(shown_all.stdout)) if shown_all.ok else None
    if interfaces is None:
        unknown.append(f"cannot list the interfaces ({observe.failure(shown_all)}); kept stray interfaces")
    tables: dict[str, tuple[str, ...] | None] = {}
    for name, network in networks.items():
        shown = console.run(("pfctl", "-t", network.table, "-T", "show"))
        if shown.ok:
            tables[name] = tuple(observe.parse_table(shown.stdout))
        elif plan.GONE_TABLE not in shown.stderr:
            tables[name] = None
            unknown.append(f"cannot list pf table <{network.table}> ({observe.failure(shown)}); kept its entries")
    anchors: tuple[str, ...] | None = ()
    listed_anchors = console.run(("pfctl", "-a", ANCHOR_PARENT, "-sA"))
    if listed_anchors.ok:
        anchors = tuple(listed_anchors.stdout.split())
    elif any(said in listed_anchors.stderr for said in NO_ANCHOR):
        anchors = ()  # no jailnet anchor at all: nothing publishes, and pf.conf calls none
    else:
        anchors = None
        unknown.append(f"cannot list the anchors under {ANCHOR_PARENT} ({observe.failure(listed_anchors)}); "
                       "kept them")
    records = tuple(state.records())
    inside = {}
    for record in records:
        if record.state == "creating" and record.id not in busy and jails is not None and jail_alive(record, jails):
            shown = console.run(("ifconfig", "-j", str(record.jid)))
            if shown.ok:
                inside[record.jid] = tuple(observe.parse_interfaces(shown.stdout))
    return Observed(records=records, leases=leases, leases6=leases6 or {}, jails=jails, busy=busy,
                    interfaces=interfaces, inside=inside, tables=tables, claims=claims, anchors=anchors,
                    unknown=tuple(unknown))


def _store(state: StateDir, config: Networks, busy: frozenset[str], console: Console) -> list[str]:
    """With a ``[cluster]`` table (docs/multi-host.md): claim this host's gateways on every cluster
    network that does not have them yet, then reconcile this host's claims with its records; the
    failures (a store that does not answer ends it: the next gc tries again)."""
    from hooks import storeclaims
    from hooks.etcd import client_for

    assert config.cluster is not None
    client = client_for(config.cluster)
    failures = []
    try:
        for network in config.networks.values():
            if network.cluster:
                try:
                    if storeclaims.register_gateway(state, config.cluster, network, client):
                        console.out.write(f"registered the gateway of network {network.name} in the store\n")
                except BadInput as exc:  # another host holds it
                    failures.append(str(exc))
        lines, failed = storeclaims.reconcile(state, config.cluster, config.networks, busy)
    except OperationFailed as exc:
        return [*failures, str(exc)]
    console.out.write("".join(f"{line}\n" for line in lines))
    return failures + failed


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet gc [--dry-run] [--json]``: 0 when everything found was removed, 1 when a removal
    failed or an observation did (then gc removed only what did not depend on it)."""
    config = console.networks(args)
    state = console.state(args, write=True)
    failures: list[str] = []
    # Under the host-wide lock no lease is taken or given up; then every container whose hook is
    # not running is held, so none can finish or start while gc judges and removes it.
    with state.lock():
        leases = {name: found.holders() for name, found in state.network_leases().items()}
        leases6 = {name: found.holders() for name, found in state.network_leases6().items()}
        claims = state.claims().holders()
        from hooks import storeclaims  # reads a directory: with no cluster, an absent one

        tombstones = storeclaims.tombstoned(state)
        ids = (set(state.record_ids()) | {holder for held in leases.values() for holder in held.values()}
               | {holder for held6 in leases6.values() for holder in held6.values()} | set(claims.values())
               | set(tombstones))
        with state.hold_idle(ids) as busy:
            observed = observe_host(console, state, config.networks, busy, leases, claims, leases6)
            leftovers = find(observed, config.networks)
            for item in leftovers:
                if not args.dry_run:
                    failures += teardown(item.steps, console.run)
                    if item.container_id:
                        for held in state.network_leases().values():
                            held.release_all(item.container_id)
                        for held6 in state.network_leases6().values():
                            held6.release_all(item.container_id)
                        state.claims().release_all(item.container_id)
                        record = state.read(item.container_id)
                        if record is not None and record.stored:
                            failures += storeclaims.release_record(state, config.cluster, record)
                        state.delete(item.container_id)
                if not args.json:
                    verb = "would remove" if args.dry_run else "removed"
                    console.out.write(f"{verb} {item.kind} {item.name}: {item.reason}\n")
            for cid in tombstones if not args.dry_run else ():
                if cid not in busy:  # a create or poststop that died, or a store that was down
                    released, failed = storeclaims.heal(state, config.cluster, cid)
                    failures += failed
                    for key in released:
                        console.out.write(f"removed store claim {key}: its holder {cid} is gone\n")
            if config.cluster is not None and not args.dry_run:  # at boot, before any create
                failures += _store(state, config, busy, console)
            peers = [n for n in config.networks.values() if n.hosts == "peers"]
            if peers and not args.dry_run:  # blocks that still name containers that are gone
                from hooks import names

                for network in peers:  # a jail whose file cannot be written is said, not a failure of gc
                    names.sync(state, lambda said: console.err.write(f"jailnet: gc: {said}\n"), network)
    if args.json:
        report = {"dryRun": bool(args.dry_run),
                  "removed": [{"kind": i.kind, "name": i.name, "reason": i.reason,
                               "commands": [shlex.join(s.argv) for s in i.steps]} for i in leftovers],
                  "failures": failures, "unknown": list(observed.unknown)}
        console.out.write(json.dumps(report, indent=2) + "\n")
    elif not leftovers:
        console.out.write("nothing to remove\n")
    for problem in (*observed.unknown, *failures):
        console.err.write(f"jailnet: gc: {problem}\n")
    return 1 if failures or observed.unknown else 0
