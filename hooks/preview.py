"""``jailnet hook KIND --dry-run``: the plan a hook would apply, changing nothing, anywhere.

A dry run runs only read-only observations (``uname -s``, ``jls``, ``sysctl -n``, ``ifconfig
BRIDGE``, the state directory). What it cannot observe — no jail of that name (synthetic state
JSON), a host that is not FreeBSD, a state directory this user may not read — it assumes, and
says so in a ``# assumed:`` line above the plan:

* the jail: id ``<jid>`` and root ``<root>`` (``--jid N`` gives the id);
* the FreeBSD release: 14.2, whose ifconfig and route take ``-j`` (``--freebsd 13.2`` shows the
  ``jexec`` forms older releases need; docs/freebsd-commands.md §1);
* the bridge: absent, so the plan makes it and turns forwarding on, as for the first container
  on a network (``--bridge-present`` shows a later container's plan);
* the leases: none, so the address is the static one or the subnet's first.

An option given on the command line wins over what is observed, and is shown as given.
"""

import ipaddress
import re
import shlex
from typing import TextIO

import attrs

from hooks import observe, plan
from hooks.detach import HookContext, detach_steps
from hooks.errors import BadInput, OperationFailed
from hooks.lifecycle import ensure_network, find_egress, find_jail
from hooks.netconf import Network
from hooks.request import Request
from hooks.resolvconf import render
from hooks.statedir import StateDir
from hooks.system import Runner

#: Shown as ``<jid>``: above jail(8)'s largest jid (JAIL_MAX, 999999, sys/kern/kern_jail.c), so
#: never a real one.
ASSUMED_JID = 1_000_000
ASSUMED_ROOT = "<root>"
#: The release assumed when none can be observed: the current production release.
ASSUMED_RELEASE = "14.2"
#: The egress interface shown when neither the network names one nor the default route can be read.
ASSUMED_EGRESS = "<egress>"
_RELEASE = re.compile(r"(\d{1,2})\.(\d)")


def osreldate_of(release: str) -> int:
    """``13.2`` -> 1302000, the ``__FreeBSD_version`` of a release (sys/sys/param.h: major * 100000
    + minor * 1000 for the .0 of each); raises :class:`BadInput` for anything else."""
    match = _RELEASE.fullmatch(release)
    if match is None or not 10 <= int(match.group(1)) <= 99:
        raise BadInput(f"--freebsd: {release!r} is not a FreeBSD release such as 13.2 or 14.2")
    return int(match.group(1)) * 100000 + int(match.group(2)) * 1000


@attrs.frozen(kw_only=True)
class Given:
    """The facts the command line gives a dry run (``--jid``, ``--freebsd``, ``--bridge-present``)."""

    jid: int | None = None
    release: str | None = None
    bridge_present: bool = False

    def __attrs_post_init__(self) -> None:
        if self.jid is not None and not 1 <= self.jid < ASSUMED_JID:
            raise BadInput(f"--jid: {self.jid} is not a jail id (1 to 999999, jail(8))")
        if self.release is not None:
            osreldate_of(self.release)


def _freebsd(run: Runner) -> str | None:
    """None on FreeBSD; otherwise why not (then nothing else is worth observing)."""
    result = run(("uname", "-s"))
    if not result.ok:
        return f"uname -s: {result.describe()}"
    system = result.stdout.strip()
    return None if system == "FreeBSD" else f"this host is {system}, not FreeBSD"


def _sysctl(run: Runner, name: str) -> int | None:
    result = run(("sysctl", "-n", name))
    values = observe.parse_sysctl_values(result.stdout, 1) if result.ok else None
    return values[0] if values else None


def create(request: Request, run: Runner, state: StateDir | None, given: Given, out: TextIO,
           state_problem: str = "") -> None:
    """Print createRuntime's plan for ``request``; ``state`` None: ``state_problem`` says why it
    cannot be read."""
    assumed: list[str] = []
    not_freebsd = _freebsd(run)
    # The jail.
    jail: observe.JailInfo | None = None
    why = not_freebsd
    if not_freebsd is None:
        try:
            jail = find_jail(request, run)
        except OperationFailed as exc:
            why = str(exc)
    if given.jid is not None:
        jail = observe.JailInfo(jid=given.jid, vnet=True, path=jail.path if jail else ASSUMED_ROOT)
        assumed.append(f"jail id {given.jid} (--jid)" + ("" if jail.path != ASSUMED_ROOT else f", root {ASSUMED_ROOT}"))
    elif jail is None:
        jail = observe.JailInfo(jid=ASSUMED_JID, vnet=True, path=ASSUMED_ROOT)
        assumed.append(f"jail id <jid>, root {ASSUMED_ROOT} ({why})")
    # The release.
    if given.release is not None:
        osreldate = osreldate_of(given.release)
        assumed.append(f"FreeBSD {given.release} (--freebsd)")
    else:
        observed = None if not_freebsd else _sysctl(run, "kern.osreldate")
        if observed is None:
            osreldate = osreldate_of(ASSUMED_RELEASE)
            assumed.append(f"FreeBSD {ASSUMED_RELEASE} ({not_freebsd or 'cannot read kern.osreldate'}; "
                           "--freebsd RELEASE to choose)")
        else:
            osreldate = observed
    # The leases (the address reserve would give, and whether others hold some), then the bridge
    # and forwarding.
    others = False
    network = request.network
    address = request.address or _first(network)
    address6 = _first6(request, address) if network.dual_stack else None
    if state is not None:
        leases = state.leases(network)
        try:
            others = leases.others(request.container_id)
            address = leases.peek(request.container_id, request.address)
            if network.dual_stack:
                number = int(address) - int(network.subnet.network_address)
                address6 = state.leases6(network).peek(request.container_id, request.address6, number)
        except OSError as exc:
            state, state_problem = None, f"cannot read the leases: {exc.strerror}"
    if state is None:
        assumed.append(f"no leases ({state_problem})")
    if given.bridge_present:
        pre: tuple[plan.Command, ...] = ()
        assumed.append(f"bridge {request.network.bridge} up with the gateway, forwarding on (--bridge-present)")
    elif others:
        pre = ()
    elif not_freebsd is None:
        forwarding = _sysctl(run, plan.FORWARDING)
        forwarding6 = _sysctl(run, plan.FORWARDING6) if network.dual_stack else 1
        pre = ensure_network(request, run) + plan.ensure_forwarding(bool(forwarding), bool(forwarding6))
    else:
        pre = (plan.ensure_bridge(request.network, observe.BridgeState(exists=False))
               + plan.ensure_forwarding(False, not network.dual_stack))
        assumed.append(f"no bridge {request.network.bridge} yet, forwarding off (the first container on network "
                       f"{request.network.name}; --bridge-present for a later one)")
    egress: str | None = None
    if request.ports:
        if not_freebsd is None:
            try:
                egress = find_egress(request, run)
            except OperationFailed as exc:
                why = str(exc)
        else:
            why = not_freebsd
        if egress is None:
            egress = request.network.egress or ASSUMED_EGRESS
            assumed.append(f"egress interface {egress} ({why})")
    _write_create(request, jail, osreldate >= plan.JAIL_FLAG_OSRELDATE, pre, (address, address6), egress, assumed,
                  out)


def _first(network: Network) -> ipaddress.IPv4Address:
    """The address a network's first container gets: the subnet's first, the gateway skipped."""
    first = network.subnet.network_address + 1
    return first + 1 if first == network.gateway else first


def _first6(request: Request, address: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    """Without leases to read: the static IPv6 address, or the one with ``address``'s host number."""
    if request.address6 is not None:
        return request.address6
    network = request.network
    assert network.subnet6 is not None, "a dual-stack network"
    return network.subnet6.network_address + (int(address) - int(network.subnet.network_address))


def _write_create(request: Request, jail: observe.JailInfo, jail_flag: bool, pre: tuple[plan.Command, ...],
                  addresses: tuple[ipaddress.IPv4Address, ipaddress.IPv6Address | None], egress: str | None,
                  assumed: list[str], out: TextIO) -> None:
    attachment = plan.Attachment(request=request, address=addresses[0], jail=jail, jail_flag=jail_flag, egress=egress,
                                 address6=addresses[1])
    text = render(request.container_id, request.nameservers, request.search) if request.dns else None
    creation = plan.Command(plan.create_epair(request, jail), undo=plan.destroy_epair("epairNa"))
    out.write(f"# createRuntime plan for container {request.container_id} (epairN: the unit ifconfig prints)\n")
    out.writelines(f"# assumed: {line}\n" for line in assumed)
    for step in (*pre, creation, *plan.attach(attachment, "epairNa", text)):
        if isinstance(step, plan.WriteResolvConf):
            out.write(f"write {step.root}/etc/resolv.conf:\n")
            out.writelines(f"    {line}\n" for line in step.text.splitlines())
            out.write("    undo: restore the previous file\n")
        else:
            out.write(_shown(step.argv) + "\n")
            if step.stdin is not None:
                out.writelines(f"    stdin: {line}\n" for line in step.stdin.splitlines())
            out.write(f"    undo: {_shown(step.undo) if step.undo else '-'}\n")


def _shown(argv: tuple[str, ...]) -> str:
    """``argv`` as a shell line, the assumed jid as ``<jid>``."""
    return " ".join("<jid>" if word == str(ASSUMED_JID) else shlex.quote(word) for word in argv)


def release(container_id: str, host: HookContext, out: TextIO) -> None:
    """poststop --dry-run: the teardown commands, from the record or the id; nothing runs."""
    record = host.state.read(container_id)
    steps = detach_steps(container_id, record, host.state.leases_of(container_id), host,
                         host.state.leases6_of(container_id))
    out.write(f"# poststop plan for container {container_id}"
              f"{' (from its record)' if record else ' (no record: names from the id)'}\n")
    for step in steps:
        out.write(shlex.join(step.argv) + "\n")
    out.write("release the lease and the record\n")
