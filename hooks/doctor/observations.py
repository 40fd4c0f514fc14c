"""What doctor looks at: the records of what it saw (:class:`Observations`) and the read-only
probes that fill them (:func:`gather`), run through the console's runner.

The probes (programs by name, looked up on PATH as in :mod:`hooks.plan`)::

    uname -s                    first: on anything but FreeBSD nothing else is probed
    sysctl -e kern.osrelease kern.osreldate net.inet.ip.forwarding net.link.bridge.pfil_member
                                and net.inet6.ip6.forwarding when a dual-stack network is checked
    pfctl -s info               /dev/pf missing, or "Status: Enabled|Disabled"
    pfctl -sn                   the main ruleset's translation rules and its nat-anchor calls
    pfctl -a ANCHOR -sn         the rules of each anchor a nat-anchor call reaches
    pfctl -a ANCHOR -sA         the children of a wildcard call (nat-anchor "ANCHOR/*")
    pfctl -t TABLE -T show      per table: exit 0, or 255 "Table does not exist."
    pfctl -sr                   the main ruleset's filter rules: is anchor "jailnet/*" called?
    route -n get default        its "  interface: em0" line names the egress interface
    ifconfig BRIDGE             per network: exists, is a bridge, gateway address, UP
    jls --libxo json name jid   only when the state dir holds records or leases

docs/freebsd-commands.md §3 registers each form and §4 the outputs read. ``sysctl -e`` prints
``name=value``, so one call reads every value even when ``net.link.bridge.*`` is absent
(if_bridge not loaded yet: sysctl prints the others, warns ``unknown oid`` and exits 1; sysctl(8),
sbin/sysctl/sysctl.c ``parse()``).

:func:`effective_uid` and :func:`owner_of` are the seams tests replace (on this module, where
:func:`gather` looks them up).
"""

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from hooks import observe, plan
from hooks.console import Console
from hooks.errors import OperationFailed
from hooks.naming import ANCHOR_PARENT
from hooks.netconf import Network
from hooks.statedir import MODE as STATE_MODE
from hooks.statedir import Record, StateDir

if TYPE_CHECKING:
    from hooks.cluster import Cluster
    from hooks.doctor.storeview import StoreView

#: sbin/pfctl/pfctl.c ``main()``: ``err(1, "%s", pf_device)`` when pf.ko is not loaded.
NO_PF = "/dev/pf: No such file or directory"
SYSCTLS = ("kern.osrelease", "kern.osreldate", "net.inet.ip.forwarding", "net.link.bridge.pfil_member")
FORWARDING6 = "net.inet6.ip6.forwarding"
#: What ``uname -s`` prints on FreeBSD (usr.bin/uname/uname.c: the ``kern.ostype`` sysctl).
FREEBSD = "FreeBSD"
_STATUS = re.compile(r"^Status: (Enabled|Disabled)\b")


@attrs.frozen(kw_only=True)
class PfView:
    """What pfctl says."""

    device: Literal["present", "missing", "unreadable"]
    """``/dev/pf``: present, missing (pf.ko not loaded), or pfctl failed otherwise (not root)."""
    error: str = ""
    enabled: bool = False
    nat_rules: tuple[str, ...] = ()
    """The translation rules in effect: ``pfctl -sn`` lines, and those of every anchor its
    ``nat-anchor`` calls reach (:func:`translation_rules`)."""
    tables: tuple[tuple[str, bool | None], ...] = ()
    """Table name -> exists (None: ``-T show`` failed for another reason); probed only for the
    tables a loaded NAT rule translates."""
    filter_rules: tuple[str, ...] | None = ()
    """The main ruleset's filter rules and anchor calls (``pfctl -sr``); None: it failed."""

    def table(self, name: str) -> bool | None:
        """Whether table ``name`` exists (None: unknown or not probed)."""
        return dict(self.tables).get(name)


@attrs.frozen(kw_only=True)
class Lease:
    """One lease file: ``networks/<network>/<address>`` holding the container id."""

    network: str
    address: str
    holder: str


@attrs.frozen(kw_only=True)
class StateView:
    """The state directory: its inode, and the records and leases in it."""

    path: str
    exists: bool
    is_dir: bool = True
    owner: int = 0
    mode: int = STATE_MODE
    error: str = ""
    records: tuple[Record, ...] = ()
    damaged: tuple[str, ...] = ()
    """One sentence per record that cannot be read."""
    leases: tuple[Lease, ...] = ()


@attrs.frozen(kw_only=True)
class Observations:
    """Everything doctor looked at, read-only."""

    euid: int
    system: str = "FreeBSD"
    """What ``uname -s`` printed, or why it could not be run; only ``FreeBSD`` is probed further."""
    osrelease: str | None = None
    osreldate: int | None = None
    forwarding: int | None = None
    forwarding6: int | None = None
    """``net.inet6.ip6.forwarding``, read only when a dual-stack network is checked."""
    pfil_member: int | None = None
    sysctl_error: str = ""
    pf: PfView
    egress: str | None = None
    egress_error: str = ""
    bridges: tuple[tuple[str, observe.BridgeState], ...] = ()
    """Bridge name -> what ``ifconfig BRIDGE`` showed."""
    state: StateView
    jails: tuple[tuple[str, int], ...] | None = None
    """Live jails (name, jid); None when not listed (no records) or jls failed."""
    jails_error: str = ""
    overlays: tuple[tuple[str, tuple[str, ...] | None, bool], ...] = ()
    """For each network with ``vxlan`` whose bridge exists: (network, the overlay interface's
    flags, None when it does not exist, whether the bridge lists it as a member)."""
    store: "StoreView | None" = None
    """The cluster's store (:mod:`hooks.doctor.storeview`), read only with a ``[cluster]`` table."""

    def bridge(self, name: str) -> observe.BridgeState | None:
        """What ``ifconfig NAME`` showed (None: not probed)."""
        return dict(self.bridges).get(name)


def effective_uid() -> int:
    """The uid doctor runs as (a seam: tests replace it)."""
    return os.geteuid()


def owner_of(info: os.stat_result) -> int:
    """The uid that owns a file (a seam: tests that cannot run as root map their own uid to 0)."""
    return info.st_uid


def parse_sysctl_e(stdout: str) -> dict[str, str]:
    """``sysctl -e a b``: ``name=value`` lines (sysctl.8 ``-e``)."""
    found = {}
    for line in stdout.splitlines():
        name, eq, value = line.partition("=")
        if eq:
            found[name.strip()] = value.strip()
    return found


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _observe_pf(console: Console, tables: Sequence[str]) -> PfView:
    info = console.run(("pfctl", "-s", "info"))
    if not info.ok:
        if NO_PF in info.stderr:
            return PfView(device="missing")
        return PfView(device="unreadable", error=info.describe())
    status = _STATUS.match(info.stdout)
    rules = translation_rules(console) or ()
    found: list[tuple[str, bool | None]] = []
    for table in (t for t in tables if any(nat_rule_for(line, t) for line in rules)):
        shown = console.run(("pfctl", "-t", table, "-T", "show"))
        found.append((table, True if shown.ok else (False if plan.GONE_TABLE in shown.stderr else None)))
    shown = console.run(("pfctl", "-sr"))
    filter_rules = tuple(line.strip() for line in shown.stdout.splitlines() if line.strip()) if shown.ok else None
    return PfView(device="present", enabled=bool(status and status.group(1) == "Enabled"), nat_rules=rules,
                  filter_rules=filter_rules,
                  tables=tuple(found))


def _observe_state(path: Path) -> StateView:
    try:
        info = path.stat()
    except FileNotFoundError:
        return StateView(path=str(path), exists=False)
    except OSError as exc:
        return StateView(path=str(path), exists=True, error=f"cannot stat: {exc.strerror}")
    view = StateView(path=str(path), exists=True, is_dir=stat.S_ISDIR(info.st_mode), owner=owner_of(info),
                     mode=stat.S_IMODE(info.st_mode))
    if not view.is_dir:
        return view
    state = StateDir(path)
    records: list[Record] = []
    damaged: list[str] = []
    try:
        for container_id in state.record_ids():
            try:
                record = state.read(container_id)
            except OperationFailed as exc:
                damaged.append(str(exc))
                continue
            if record is not None:
                records.append(record)
        leases = []
        for name, held in state.network_leases().items():
            for address, holder in sorted(held.holders().items()):
                leases.append(Lease(network=name, address=str(address), holder=holder))
    except OSError as exc:
        return attrs.evolve(view, error=f"cannot read: {exc.strerror}")
    return attrs.evolve(view, records=tuple(records), damaged=tuple(damaged), leases=tuple(leases))


def gather(console: Console, nets: Sequence[Network], state_path: Path, cluster: "Cluster | None" = None,
           ) -> Observations:
    """Run the read-only probes of the module docstring (its ``euid``: :func:`effective_uid`);
    with ``cluster``, read its store too."""
    euid = effective_uid()
    uname = console.run(("uname", "-s"))
    system = uname.stdout.strip() if uname.ok else f"uname -s failed: {uname.describe()}"
    if system != FREEBSD:
        return Observations(euid=euid, system=system or "uname -s printed nothing", pf=PfView(device="unreadable"),
                            state=StateView(path=str(state_path), exists=False))
    sysctl = console.run(("sysctl", "-e", *SYSCTLS, *((FORWARDING6,) if any(n.dual_stack for n in nets) else ())))
    values = parse_sysctl_e(sysctl.stdout)
    route = console.run(("route", "-n", "get", "default"))
    egress = observe.parse_route_interface(route.stdout) if route.ok else None
    pf = _observe_pf(console, list(dict.fromkeys(n.table for n in nets)))
    bridges = []
    shown_bridges = {}
    for network in nets:
        shown = console.run(("ifconfig", network.bridge))
        bridges.append((network.bridge, observe.parse_bridge(shown.returncode, shown.stdout)))
        shown_bridges[network.bridge] = shown.stdout
    overlays = []
    for network in nets:  # the bridge's member list and the vxlan interface's flags
        bridge_state = dict(bridges).get(network.bridge)
        if network.overlay is not None and bridge_state is not None and bridge_state.exists:
            shown = console.run(("ifconfig", network.overlay.interface))
            overlays.append((network.name, observe.interface_flags(shown.stdout) if shown.ok else None,
                             f"\tmember: {network.overlay.interface} " in shown_bridges[network.bridge]))
    state = _observe_state(state_path)
    jails: tuple[tuple[str, int], ...] | None = None
    jails_error = ""
    if state.records or state.leases:
        listed = console.run(observe.JAILS)
        parsed = observe.parse_jails(listed.stdout) if listed.ok else None
        if parsed is None:
            jails_error = observe.failure(listed)
        else:
            jails = tuple(sorted(parsed.items()))
    return Observations(
        euid=euid, osrelease=values.get("kern.osrelease"), osreldate=_integer(values.get("kern.osreldate")),
        forwarding=_integer(values.get("net.inet.ip.forwarding")), forwarding6=_integer(values.get(FORWARDING6)),
        pfil_member=_integer(values.get("net.link.bridge.pfil_member")),
        sysctl_error="" if sysctl.ok else sysctl.describe(), pf=pf,
        egress=egress, egress_error="" if route.ok else route.describe(),
        bridges=tuple(bridges), overlays=tuple(overlays), state=state, jails=jails, jails_error=jails_error,
        store=_observe_store(cluster) if cluster is not None else None)


def _observe_store(cluster: "Cluster") -> "StoreView":
    from hooks.doctor.storeview import observe_store  # only with a [cluster] table

    return observe_store(cluster)


#: A translation-anchor call as pfctl prints it (sbin/pfctl/pfctl_parser.c ``print_rule()``):
#: ``nat-anchor "NAME" all``, ``nat-anchor "NAME/*" all``; inside an anchor the name is relative.
_NAT_ANCHOR = re.compile(r'^\s*nat-anchor "([^"]+)"')
#: How far doctor follows anchor calls: pf allows deeper nesting, pf.conf files rarely do.
MAX_ANCHORS = 64


def translation_rules(console: Console) -> tuple[str, ...] | None:
    """The nat rules pf evaluates: the main ruleset's, then those of every anchor reached through
    ``nat-anchor`` calls, breadth first (None when ``pfctl -sn`` fails). The calls themselves are
    among them, as pfctl prints them. The anchors under ``jailnet/`` are not read: they are the
    containers' own (``jailnet/ID``, a published port's reflection nat), never a network's NAT rule,
    and ``jailnet gc`` flushes any other.

    ``pfctl -a '*' -sn`` is meant to print all of it, but before 15.0 its recursion follows only the
    last part of a call's path and never resets its path buffer, so it drops and misplaces rules
    (sbin/pfctl/pfctl.c ``pfctl_show_nat()``). Per anchor is exact on every release:
    ``pfctl -a NAME -sn`` for a call ``nat-anchor "NAME"``; for ``nat-anchor "NAME/*"`` the children
    listed by ``pfctl -a NAME -sA``, and not NAME's own rules, which a wildcard call does not
    evaluate (sys/netpfil/pf/pf_lb.c ``pf_step_into_translation_anchor()``).
    """
    main = console.run(("pfctl", "-sn"))
    if not main.ok:
        return None
    rules: list[str] = []
    queue: list[tuple[str, str]] = [("", main.stdout)]
    seen: set[str] = set()
    while queue:
        anchor, text = queue.pop(0)
        for line in text.splitlines():
            call = _NAT_ANCHOR.match(line)
            if call is None:
                if line.strip():
                    rules.append(line.strip())
                continue
            rules.append(line.strip())
            path = _anchor_path(anchor, call.group(1))
            if path is None or path.startswith(f"{ANCHOR_PARENT}/"):
                continue
            if path.endswith("/*") or path == "*":
                base = path[:-2] if path != "*" else ""
                listed = console.run(("pfctl", "-a", base, "-sA")) if base else console.run(("pfctl", "-sA"))
                targets = [n.strip() for n in listed.stdout.splitlines() if n.strip()] if listed.ok else []
            else:
                targets = [path]
            for target in targets:
                if target in seen or len(seen) >= MAX_ANCHORS:
                    continue
                seen.add(target)
                shown = console.run(("pfctl", "-a", target, "-sn"))
                if shown.ok:
                    queue.append((target, shown.stdout))
    return tuple(rules)


def _anchor_path(anchor: str, called: str) -> str | None:
    """The absolute path of an anchor that ``anchor`` calls as ``called``: relative to the caller,
    ``/`` for the root, ``..`` one level up (pf.conf(5) "ANCHORS"); None for a path above the root."""
    parts = [] if called.startswith("/") else [p for p in anchor.split("/") if p]
    for part in called.strip("/").split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) or None


def nat_rule_for(line: str, table: str, family: str = "inet") -> bool:
    """Is ``line`` (``pfctl -sn``) a nat rule translating ``from <table>`` for ``family``
    (``inet`` or ``inet6``)? ``no nat`` is not. A rule without a family word translates both
    (pfctl_parser.c ``print_rule()`` prints ``inet``/``inet6`` only when the rule has one)."""
    words = line.split()
    if words[:1] != ["nat"] or "from" not in words:
        return False
    before = words[:words.index("from")]
    if ("inet" in before or "inet6" in before) and family not in before:
        return False
    after = words[words.index("from") + 1:]
    return after[:1] == [f"<{table}>"]
