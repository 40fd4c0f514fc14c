"""``jailnet doctor``: check that this host is ready for jailnet, say how to fix what is not, and
with ``--fix`` apply the fixes that are safe and reversible.

Functional core, imperative shell: :func:`gather` runs read-only probes through the runner into
:class:`Observations`; :func:`diagnose` (pure) turns them into :class:`Finding` values; :func:`main`
prints them and, with ``--fix``, applies the fixable ones, says what it did and checks again.

The probes (programs by name, looked up on PATH as in :mod:`hooks.plan`)::

    uname -s                    first: on anything but FreeBSD nothing else is probed
    sysctl -e kern.osrelease kern.osreldate net.inet.ip.forwarding net.link.bridge.pfil_member
    pfctl -s info               /dev/pf missing, or "Status: Enabled|Disabled"
    pfctl -sn                   the main ruleset's translation rules and its nat-anchor calls
    pfctl -a ANCHOR -sn         the rules of each anchor a nat-anchor call reaches
    pfctl -a ANCHOR -sA         the children of a wildcard call (nat-anchor "ANCHOR/*")
    pfctl -t TABLE -T show      per table: exit 0, or 255 "Table does not exist."
    route -n get default        its "  interface: em0" line names the egress interface
    ifconfig BRIDGE             per network: exists, is a bridge, gateway address, UP
    jls --libxo json name jid   only when the state dir holds records or leases

docs/freebsd-commands.md §3 registers each form and §4 the outputs read. ``sysctl -e`` prints
``name=value``, so one call reads every value even when ``net.link.bridge.*`` is absent
(if_bridge not loaded yet: sysctl prints the others, warns ``unknown oid`` and exits 1; sysctl(8),
sbin/sysctl/sysctl.c ``parse()``).

Sources: pfctl(8) (``-s info``, ``-s nat``, ``-e``, ``-t -T``), pf.conf(5) (``table <t> persist``,
``nat on IF inet from <t> to any -> (IF)``, rules in order: translation before filtering),
sysctl(8), if_bridge(4) (``net.link.bridge.pfil_member``: pf filters on the member interfaces),
rc.conf(5) (``pf_enable``, ``gateway_enable``), route(8), the manual steps jailnet automates
(docs/walkthrough.md, steps 1-2: the NAT rule and forwarding).

Fix policy: doctor applies only fixes that change no configuration file and that one command
undoes — ``sysctl net.inet.ip.forwarding=1`` (``=0``), the bridge (``ifconfig BR destroy``, ``-alias``,
``down``), ``pfctl -e`` (``pfctl -d``) but only when a ruleset with translation rules is loaded,
and the state directory (``mkdir``/``chmod 700``). It never edits pf.conf or rc.conf, never loads
a ruleset (``pfctl -f``) and never loads a kernel module (``kldload pf`` is a host policy
decision; ``service pf start`` loads pf.conf with it). Bridge and forwarding fixes run under
the hooks' host-wide lock, as a first container's create does (two bridges never race).
"""

import argparse
import contextlib
import json
import os
import re
import shlex
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import attrs

from hooks import observe, plan
from hooks.apply import run_command
from hooks.console import Console
from hooks.errors import BadInput, OperationFailed
from hooks.leases import holders
from hooks.netconf import Network, Networks
from hooks.statedir import Record, StateDir, jail_alive

Severity = Literal["error", "warning", "info"]

#: __FreeBSD_version of 13.3, the first release whose ifconfig and route take ``-j`` (as lifecycle).
JAIL_FLAG_OSRELDATE = 1303000
#: sbin/pfctl/pfctl.c ``main()``: ``err(1, "%s", pf_device)`` when pf.ko is not loaded.
NO_PF = "/dev/pf: No such file or directory"
SYSCTLS = ("kern.osrelease", "kern.osreldate", "net.inet.ip.forwarding", "net.link.bridge.pfil_member")
#: What ``uname -s`` prints on FreeBSD (usr.bin/uname/uname.c: the ``kern.ostype`` sysctl).
FREEBSD = "FreeBSD"
STATE_MODE = 0o700

_STATUS = re.compile(r"^Status: (Enabled|Disabled)\b")
_INTERFACE = re.compile(r"^\s*interface: (\S+)\s*$", re.M)
_RC_PF = '# at boot: pf_enable="YES" in /etc/rc.conf (sysrc pf_enable=YES)'
_RC_GATEWAY = '# at boot: gateway_enable="YES" in /etc/rc.conf (sysrc gateway_enable=YES)'


# --- fixes -----------------------------------------------------------------------------------


@attrs.frozen
class RunCommand:
    """Run a host command through the runner."""

    argv: tuple[str, ...]
    creates: bool = False
    """It clones an interface: when it fails part-way, the clone it printed is destroyed
    (:attr:`hooks.plan.Command.creates`)."""

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


@attrs.frozen
class MakeStateDir:
    """Create the state directory, mode 0700 (as the hooks' StateDir.ensure() does)."""

    path: str

    @property
    def text(self) -> str:
        return f"mkdir -p -m 700 {shlex.quote(self.path)}"


@attrs.frozen
class RestrictStateDir:
    """``chmod 700`` the state directory."""

    path: str

    @property
    def text(self) -> str:
        return f"chmod 700 {shlex.quote(self.path)}"


Action = RunCommand | MakeStateDir | RestrictStateDir


@attrs.frozen(kw_only=True)
class Finding:
    """The outcome of one check: what was found and, when it is not ok, how to fix it."""

    id: str
    """Stable check id (README "jailnet doctor"): ``pf.nat``, ``bridge``, ..."""
    ok: bool
    severity: Severity
    """How bad it is when not ok: ``error`` makes the host not ready; ``warning`` and ``info`` do not."""
    message: str
    network: str | None = None
    """The network the check is about (None: host-wide)."""
    details: tuple[str, ...] = ()
    fix: str | None = None
    """Shell commands or pf.conf lines, one a line; ``#`` lines are comments (valid in both)."""
    actions: tuple[Action, ...] = ()
    """What ``--fix`` runs; empty when the fix is not safe to apply automatically."""

    @property
    def fixable(self) -> bool:
        """True when ``--fix`` would apply :attr:`actions`."""
        return not self.ok and bool(self.actions)


# --- observations ----------------------------------------------------------------------------


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

    def bridge(self, name: str) -> observe.BridgeState | None:
        """What ``ifconfig NAME`` showed (None: not probed)."""
        return dict(self.bridges).get(name)


# --- the pure core ---------------------------------------------------------------------------


def diagnose(observations: Observations, config: Networks, networks: Sequence[str]) -> list[Finding]:
    """Every check for ``networks`` (names in ``config``), in the order they are printed."""
    obs = observations
    if obs.system != FREEBSD:
        return [_os(obs)]
    nets = [config.networks[name] for name in networks]
    findings = [_root(obs), _freebsd(obs), _egress(obs), *_pf(obs, nets), _forwarding(obs)]
    findings += [f for f in (_bridge(obs, n) for n in nets) if f is not None]
    findings += [_pfil(obs), _state_dir(obs), _consistency(obs, nets)]
    return findings


def ready(findings: Sequence[Finding]) -> bool:
    """The host is ready when no error-severity check fails (warnings and info do not count)."""
    return all(f.ok for f in findings if f.severity == "error")


def _os(obs: Observations) -> Finding:
    """Not FreeBSD: one failure, and no checks that would only repeat it (no jails, no pf)."""
    return Finding(id="os", ok=False, severity="error",
                   message=f"this host is not FreeBSD ({obs.system}): jailnet's hooks need FreeBSD's vnet jails, "
                   "ifconfig, route and pfctl",
                   fix="# run jailnet on FreeBSD 13.3 or later; elsewhere only its simulated host runs (jailnet demo)")


def _root(obs: Observations) -> Finding:
    if obs.euid == 0:
        return Finding(id="root", ok=True, severity="error", message="running as root")
    return Finding(id="root", ok=False, severity="error",
                   message=f"not running as root (euid {obs.euid}): the hooks run as root, and doctor needs "
                   "root to read pf and to fix anything",
                   fix="# run it as root: sudo jailnet doctor (or doas)")


def _freebsd(obs: Observations) -> Finding:
    if obs.osreldate is None:
        return Finding(id="freebsd", ok=False, severity="warning",
                       message=f"cannot read kern.osreldate ({obs.sysctl_error or 'no value'})")
    release = f"FreeBSD {obs.osrelease or '?'} (kern.osreldate {obs.osreldate})"
    if obs.osreldate >= JAIL_FLAG_OSRELDATE:
        return Finding(id="freebsd", ok=True, severity="warning",
                       message=f"{release}: ifconfig -j and route -j configure jails from the host")
    return Finding(id="freebsd", ok=False, severity="warning",
                   message=f"{release} is older than 13.3: ifconfig and route have no -j, so jailnet runs the "
                   "image's /sbin/ifconfig and /sbin/route with jexec; container images must ship them",
                   fix="# upgrade the host to FreeBSD 13.3 or later, or use images that ship /sbin/ifconfig and "
                   "/sbin/route")


def _egress(obs: Observations) -> Finding:
    if obs.egress is not None:
        return Finding(id="egress", ok=True, severity="warning",
                       message=f"default route leaves through {obs.egress}")
    return Finding(id="egress", ok=False, severity="warning",
                   message=f"no default route ({obs.egress_error or 'no interface in route -n get default'}): "
                   "containers can reach only this host and its networks",
                   fix='# add a default route (defaultrouter="..." in /etc/rc.conf), then name its interface '
                   "in the NAT rule")


#: A translation-anchor call as pfctl prints it (sbin/pfctl/pfctl_parser.c ``print_rule()``):
#: ``nat-anchor "NAME" all``, ``nat-anchor "NAME/*" all``; inside an anchor the name is relative.
_NAT_ANCHOR = re.compile(r'^\s*nat-anchor "([^"]+)"')
#: How far doctor follows anchor calls: pf allows deeper nesting, pf.conf files rarely do.
MAX_ANCHORS = 64


def translation_rules(console: Console) -> tuple[str, ...] | None:
    """The nat rules pf evaluates: the main ruleset's, then those of every anchor reached through
    ``nat-anchor`` calls, breadth first (None when ``pfctl -sn`` fails).

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
            path = _anchor_path(anchor, call.group(1))
            if path is None:
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


def nat_rule_for(line: str, table: str) -> bool:
    """Is ``line`` (``pfctl -sn``) a nat rule translating ``from <table>``? ``no nat`` is not."""
    words = line.split()
    if words[:1] != ["nat"] or "from" not in words:
        return False
    after = words[words.index("from") + 1:]
    return after[:1] == [f"<{table}>"]


def pf_conf_lines(table: str, egress: str | None) -> tuple[str, str]:
    """The walkthrough's rule for ``table`` on the egress interface (docs/walkthrough.md step 1),
    and its table line."""
    iface = egress or "EGRESS"
    return f"table <{table}> persist", f"nat on {iface} inet from <{table}> to any -> ({iface})"


def _pf(obs: Observations, nets: Sequence[Network]) -> list[Finding]:
    pf = obs.pf
    if pf.device == "unreadable":
        return [Finding(id="pf.loaded", ok=False, severity="error", message=f"pf: cannot check ({pf.error})",
                        fix="# run it as root" if obs.euid != 0 else None)]
    loaded = pf.device == "present"
    found = [Finding(id="pf.loaded", ok=loaded, severity="error",
                     message="pf loaded (/dev/pf)" if loaded else "pf: not loaded (no /dev/pf)",
                     fix=None if loaded else f"kldload pf\n{_RC_PF}")]
    if pf.enabled:
        found.append(Finding(id="pf.enabled", ok=True, severity="error", message="pf enabled"))
    else:
        fix = f"pfctl -e\n{_RC_PF}"
        if loaded and not pf.nat_rules:
            fix = f"# no translation rules are loaded: load pf.conf first (pfctl -f /etc/pf.conf)\n{fix}"
        found.append(Finding(
            id="pf.enabled", ok=False, severity="error",
            message="pf: not enabled" + ("" if loaded else " (pf is not loaded)"), fix=fix,
            actions=(RunCommand(("pfctl", "-e")),) if loaded and pf.nat_rules else ()))
    tables: dict[str, list[Network]] = {}
    for network in nets:
        tables.setdefault(network.table, []).append(network)
    for table, users in tables.items():
        rule = next((line for line in pf.nat_rules if nat_rule_for(line, table)), None)
        if rule is not None:
            found.append(Finding(id="pf.nat", ok=True, severity="error", network=users[0].name,
                                 message=f"pf NAT rule for <{table}>: {rule.strip()}"))
        else:
            found.append(Finding(id="pf.nat", ok=False, severity="error", network=users[0].name,
                                 message=f"pf: no NAT rule for <{table}>",
                                 fix=_nat_fix(table, obs, [u.name for u in users])))
        if loaded and rule is not None:
            exists = pf.table(table)
            if exists:
                found.append(Finding(id="pf.table", ok=True, severity="warning", network=users[0].name,
                                     message=f"pf table <{table}> exists"))
            else:
                said = "does not exist yet" if exists is False else "cannot be listed"
                found.append(Finding(
                    id="pf.table", ok=False, severity="warning", network=users[0].name,
                    message=f"pf: table <{table}> {said}: declare it persist so that it exists before the "
                    "first container",
                    fix=f"# in /etc/pf.conf, above the nat rule, then: pfctl -f /etc/pf.conf\n"
                    f"table <{table}> persist"))
    return found


def _nat_fix(table: str, obs: Observations, networks: Sequence[str]) -> str:
    """pf.conf lines for the rule, with how to load them; never applied by ``--fix``."""
    lines = ["# add to /etc/pf.conf (the table line near the top, the nat line before any pass/block rule),",
             "# then load it: pfctl -f /etc/pf.conf"]
    if obs.egress is None:
        lines.append("# EGRESS: the interface of your default route (route -n get default names it)")
    lines += pf_conf_lines(table, obs.egress)
    leased = sorted({lease.address for lease in obs.state.leases if lease.network in networks},
                    key=lambda a: tuple(int(p) for p in a.split(".")))
    if leased:
        lines.append(f"# a reload may empty <{table}>; put the running containers back: pfctl -t {table} -T add "
                     + " ".join(leased))
    return "\n".join(lines)


def _forwarding(obs: Observations) -> Finding:
    if obs.forwarding is None:
        return Finding(id="forwarding", ok=False, severity="error",
                       message=f"cannot read net.inet.ip.forwarding ({obs.sysctl_error or 'no value'})")
    if obs.forwarding:
        return Finding(id="forwarding", ok=True, severity="error",
                       message=f"IP forwarding on (net.inet.ip.forwarding={obs.forwarding})")
    return Finding(id="forwarding", ok=False, severity="error",
                   message="IP forwarding off (net.inet.ip.forwarding=0): the host does not route the "
                   "containers' packets",
                   fix=f"sysctl net.inet.ip.forwarding=1\n{_RC_GATEWAY}",
                   actions=(RunCommand(("sysctl", "net.inet.ip.forwarding=1")),))


def _bridge(obs: Observations, network: Network) -> Finding | None:
    observed = obs.bridge(network.bridge)
    if observed is None:
        return None
    gateway = f"{network.gateway}/{network.subnet.prefixlen}"
    where = f"bridge {network.bridge} (network {network.name})"
    if observed.exists and not observed.is_bridge:
        return Finding(id="bridge", ok=False, severity="error", network=network.name,
                       message=f"{where}: {network.bridge} exists and is not a bridge (no 'groups: bridge')",
                       fix=f"# choose another bridge name: [networks.{network.name}] bridge = \"...\" in the "
                       "jailnet configuration file")
    commands = plan.ensure_bridge(network, observed)
    if not commands:
        return Finding(id="bridge", ok=True, severity="error", network=network.name,
                       message=f"{where}: {gateway}, up")
    if not observed.exists:
        problem = "does not exist"
    else:
        problems = []
        if str(network.gateway) not in observed.addresses:
            problems.append(f"no address {gateway}")
        if not observed.up:
            problems.append("down")
        problem = ", ".join(problems)
    return Finding(id="bridge", ok=False, severity="error", network=network.name, message=f"{where}: {problem}",
                   fix="\n".join(shlex.join(c.argv) for c in commands),
                   actions=tuple(RunCommand(c.argv, c.creates) for c in commands))


def _pfil(obs: Observations) -> Finding:
    value = obs.pfil_member
    if value is None:
        text = ("net.link.bridge.pfil_member is not there: if_bridge is not loaded yet (creating the first "
                "bridge loads it)") if "unknown oid" in obs.sysctl_error else \
            f"cannot read net.link.bridge.pfil_member ({obs.sysctl_error or 'no value'})"
    elif value:
        text = (f"net.link.bridge.pfil_member={value}: pf filter rules also apply to the containers' epairs "
                "on the bridge (NAT needs nothing more; a block rule there stops them)")
    else:
        text = "net.link.bridge.pfil_member=0: pf does not filter on the bridge's members; NAT works either way"
    return Finding(id="pfil", ok=True, severity="info", message=text)


def _state_dir(obs: Observations) -> Finding:
    state = obs.state
    where = f"state directory {state.path}"
    if state.error:
        return Finding(id="statedir", ok=False, severity="error", message=f"{where}: {state.error}")
    if not state.exists:
        make = MakeStateDir(state.path)
        return Finding(id="statedir", ok=False, severity="error",
                       message=f"{where} does not exist (the first hook would create it)",
                       fix=make.text, actions=(make,))
    if not state.is_dir:
        return Finding(id="statedir", ok=False, severity="error", message=f"{where} is not a directory",
                       fix="# move it away: jailnet keeps its leases and records there")
    if state.owner != 0:
        return Finding(id="statedir", ok=False, severity="error",
                       message=f"{where} is owned by uid {state.owner}, not root",
                       fix="# the hooks run as root and trust what is in it: find out who made it, then\n"
                       f"chown -R root:wheel {shlex.quote(state.path)} && chmod 700 {shlex.quote(state.path)}")
    if state.mode != STATE_MODE:
        restrict = RestrictStateDir(state.path)
        return Finding(id="statedir", ok=False, severity="error",
                       message=f"{where} has mode {state.mode:04o}, not 0700", fix=restrict.text, actions=(restrict,))
    return Finding(id="statedir", ok=True, severity="error", message=f"{where}: root, 0700")


def _consistency(obs: Observations, nets: Sequence[Network]) -> Finding:
    names = {n.name for n in nets}
    state = obs.state
    records = [r for r in state.records if r.network in names]
    leases = [lease for lease in state.leases if lease.network in names]
    jails = dict(obs.jails) if obs.jails is not None else None
    problems = list(state.damaged)
    blind = bool(records or leases) and jails is None
    live_without_lease = False
    for record in records:
        if record.state == "creating":
            problems.append(f"record {record.id}: its createRuntime has not finished (running now, or it died)")
        elif jails is not None and not jail_alive(record, jails):
            problems.append(f"record {record.id}: jail {record.jail} (jid {record.jid}) is gone")
        if not any(lease.network == record.network and lease.address == record.address and lease.holder == record.id
                   for lease in leases):
            problems.append(f"record {record.id}: no lease for {record.address} on network {record.network}")
            live_without_lease = live_without_lease or (jails is not None and jail_alive(record, jails))
    recorded = {r.id for r in state.records}
    for lease in leases:
        if lease.holder not in recorded:
            problems.append(f"lease {lease.address} on network {lease.network}: {lease.holder} has no record")
    if blind:
        return Finding(id="consistency", ok=False, severity="warning",
                       message=f"cannot list the jails ({obs.jails_error or 'no output'}): records and leases were "
                       "not checked against them", details=tuple(problems),
                       fix="# find out why jls fails; jailnet gc removes nothing that depends on the jails until "
                       "it can list them")
    if not problems:
        return Finding(id="consistency", ok=True, severity="warning",
                       message=f"records, leases and jails agree ({len(records)} container(s) attached)")
    fix = "jailnet gc --dry-run    # what gc would remove\njailnet gc"
    if live_without_lease:
        fix += "\n# a live container without a lease: its address can be handed out again; restart the container"
    return Finding(id="consistency", ok=False, severity="warning",
                   message=f"records, leases and jails disagree ({len(problems)} problem(s))",
                   details=tuple(problems), fix=fix)


# --- the imperative shell --------------------------------------------------------------------


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
    return PfView(device="present", enabled=bool(status and status.group(1) == "Enabled"), nat_rules=rules,
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
        for file in sorted((path / "containers").glob("*.json")):
            try:
                record = state.read(file.stem)
            except OperationFailed as exc:
                damaged.append(str(exc))
                continue
            if record is not None:
                records.append(record)
        leases = []
        base = path / "networks"
        if base.is_dir():
            for directory in sorted(base.iterdir()):
                for address, holder in sorted(holders(directory).items()):
                    leases.append(Lease(network=directory.name, address=str(address), holder=holder))
    except OSError as exc:
        return attrs.evolve(view, error=f"cannot read: {exc.strerror}")
    return attrs.evolve(view, records=tuple(records), damaged=tuple(damaged), leases=tuple(leases))


def gather(console: Console, nets: Sequence[Network], state_path: Path, euid: int) -> Observations:
    """Run the read-only probes of the module docstring."""
    uname = console.run(("uname", "-s"))
    system = uname.stdout.strip() if uname.ok else f"uname -s failed: {uname.describe()}"
    if system != FREEBSD:
        return Observations(euid=euid, system=system or "uname -s printed nothing", pf=PfView(device="unreadable"),
                            state=StateView(path=str(state_path), exists=False))
    sysctl = console.run(("sysctl", "-e", *SYSCTLS))
    values = parse_sysctl_e(sysctl.stdout)
    route = console.run(("route", "-n", "get", "default"))
    egress = _INTERFACE.search(route.stdout) if route.ok else None
    pf = _observe_pf(console, list(dict.fromkeys(n.table for n in nets)))
    bridges = []
    for network in nets:
        shown = console.run(("ifconfig", network.bridge))
        bridges.append((network.bridge, observe.parse_bridge(shown.returncode, shown.stdout)))
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
        forwarding=_integer(values.get("net.inet.ip.forwarding")),
        pfil_member=_integer(values.get("net.link.bridge.pfil_member")),
        sysctl_error="" if sysctl.ok else sysctl.describe(), pf=pf,
        egress=egress.group(1) if egress else None, egress_error="" if route.ok else route.describe(),
        bridges=tuple(bridges), state=state, jails=jails, jails_error=jails_error)


@attrs.frozen(kw_only=True)
class Attempt:
    """One fix doctor applied, and whether it worked."""

    id: str
    network: str | None
    command: str
    ok: bool
    error: str | None = None


def _apply(action: Action, console: Console) -> str | None:
    """Apply one fix; None when it worked, else what went wrong."""
    if isinstance(action, RunCommand):
        result = run_command(action.argv, console.run, creates=action.creates)
        return None if result.ok else result.describe()
    try:
        if isinstance(action, MakeStateDir):
            Path(action.path).mkdir(mode=STATE_MODE, parents=True, exist_ok=True)
        os.chmod(action.path, STATE_MODE)
    except OSError as exc:
        return f"{action.text}: {exc.strerror}"
    return None


def fix(findings: Sequence[Finding], console: Console, state_path: Path) -> list[Attempt]:
    """Apply every fixable finding's actions: the state directory first, then the host commands
    under the hooks' host-wide lock (when the state directory is usable)."""
    attempts: list[Attempt] = []

    def run(finding: Finding) -> bool:
        worked = True
        for action in finding.actions:
            error = _apply(action, console)
            attempts.append(Attempt(id=finding.id, network=finding.network, command=action.text, ok=error is None,
                                    error=error))
            worked = worked and error is None
        return worked

    statedir = next((f for f in findings if f.id == "statedir"), None)
    usable = statedir is not None and (statedir.ok or (statedir.fixable and run(statedir)))
    rest = [f for f in findings if f.fixable and f.id != "statedir"]
    if rest:
        with _host_lock(state_path) if usable else contextlib.nullcontext():
            for finding in rest:
                run(finding)
    return attempts


@contextlib.contextmanager
def _host_lock(state_path: Path) -> Iterator[None]:
    with StateDir(state_path).lock():
        yield


def _tag(finding: Finding) -> str:
    if finding.severity == "info":
        return "info"
    if finding.ok:
        return "ok"
    return "FAIL" if finding.severity == "error" else "WARN"


def render(findings: Sequence[Finding]) -> str:
    """One line per check; details and fix lines indented under a check that is not ok."""
    lines = []
    for finding in findings:
        lines.append(f"{_tag(finding):<4} {finding.message}")
        if not finding.ok:
            lines += [f"       - {detail}" for detail in finding.details]
            lines += [f"     {line}" for line in (finding.fix or "").splitlines()]
    return "".join(line + "\n" for line in lines)


def summary(findings: Sequence[Finding], *, fixing: bool) -> str:
    """The last line: ready or not, and what ``--fix`` could do."""
    errors = [f for f in findings if f.severity == "error" and not f.ok]
    warnings = [f for f in findings if f.severity == "warning" and not f.ok]
    warned = f" ({len(warnings)} warning(s))" if warnings else ""
    if not errors:
        return f"ready: this host can run jailnet containers{warned}\n"
    fixable = [f for f in errors if f.fixable]
    hint = f"; jailnet doctor --fix can fix {len(fixable)}" if fixable and not fixing else ""
    return f"not ready: {len(errors)} problem(s){hint}{warned}\n"


def as_json(finding: Finding) -> dict[str, object]:
    """One entry of the report's ``checks`` list (README "jailnet doctor")."""
    return {"id": finding.id, "network": finding.network, "ok": finding.ok, "severity": finding.severity,
            "message": finding.message, "details": list(finding.details), "fix": finding.fix,
            "fixable": finding.fixable}


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet doctor [--network NAME] [--fix] [--json]``: 0 ready, 1 not ready, 2 bad input."""
    try:
        config = console.networks(args)
        names = [config.network(args.network, "--network").name] if args.network else sorted(config.networks)
    except BadInput as exc:
        console.err.write(f"jailnet: {exc}\n")
        return 2
    nets = [config.networks[name] for name in names]
    state_path = console.state_dir(args)
    euid = effective_uid()
    findings = diagnose(gather(console, nets, state_path, euid), config, names)
    attempts: list[Attempt] = []
    before = findings
    skipped = ""
    if args.fix:
        if euid != 0 and any(f.fixable for f in findings):
            skipped = "not root: nothing fixed"
        else:
            attempts = fix(findings, console, state_path)
            if attempts:
                findings = diagnose(gather(console, nets, state_path, euid), config, names)
    is_ready = ready(findings)
    if args.json:
        report = {"ready": is_ready, "checks": [as_json(f) for f in findings],
                  "fixed": [attrs.asdict(a) for a in attempts]}
        console.out.write(json.dumps(report, indent=2) + "\n")
        if skipped:
            console.err.write(f"jailnet: doctor --fix: {skipped}\n")
        return 0 if is_ready else 1
    out = console.out
    out.write(render(before))
    if args.fix:
        if skipped:
            out.write(f"--fix: {skipped}\n")
        elif not attempts:
            out.write("--fix: nothing that doctor may fix\n")
        else:
            out.write("--fix:\n")
            for attempt in attempts:
                out.write(f"  ran    {attempt.command}\n" if attempt.ok else f"  FAILED {attempt.error}\n")
            out.write("after --fix:\n")
            out.write(render(findings))
    out.write(summary(findings, fixing=bool(args.fix)))
    return 0 if is_ready else 1
