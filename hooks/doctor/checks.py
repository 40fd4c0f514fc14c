"""The checks: :func:`diagnose` turns :class:`~hooks.doctor.observations.Observations` into
:class:`~hooks.doctor.findings.Finding` values, one function per check, in the order doctor prints
them. Pure: it runs nothing and reads nothing.

Sources: pfctl(8) (``-s info``, ``-s nat``, ``-e``, ``-t -T``), pf.conf(5) (``table <t> persist``,
``nat on IF inet from <t> to any -> (IF)``, rules in order: translation before filtering),
sysctl(8), if_bridge(4) (``net.link.bridge.pfil_member``: pf filters on the member interfaces),
rc.conf(5) (``pf_enable``, ``gateway_enable``), the manual steps jailnet automates
(docs/walkthrough.md, steps 1-2: the NAT rule and forwarding).
"""

import shlex
from collections.abc import Sequence

from hooks import plan
from hooks.doctor.findings import (
    Finding,
    MakeStateDir,
    RestrictStateDir,
    RunCommand,
)
from hooks.doctor.observations import FREEBSD, Observations, nat_rule_for
from hooks.naming import ANCHOR_PARENT
from hooks.netconf import Network, Networks
from hooks.statedir import MODE as STATE_MODE
from hooks.statedir import jail_alive

_RC_PF = '# at boot: pf_enable="YES" in /etc/rc.conf (sysrc pf_enable=YES)'
_RC_GATEWAY = '# at boot: gateway_enable="YES" in /etc/rc.conf (sysrc gateway_enable=YES)'


def diagnose(observations: Observations, config: Networks, networks: Sequence[str]) -> list[Finding]:
    """Every check for ``networks`` (names in ``config``), in the order they are printed."""
    obs = observations
    if obs.system != FREEBSD:
        return [_os(obs)]
    nets = [config.networks[name] for name in networks]
    findings = [_root(obs), _freebsd(obs), _egress(obs), *_pf(obs, nets, config), _forwarding(obs)]
    if any(n.dual_stack for n in nets):
        findings.append(_forwarding6(obs))
    findings += [f for f in (_bridge(obs, n) for n in nets) if f is not None]
    findings += [_pfil(obs), _state_dir(obs), _consistency(obs, nets)]
    if obs.overlays:
        from hooks.doctor.overlaychecks import overlay_findings

        findings += overlay_findings(obs, nets)
    if obs.store is not None and config.cluster is not None:
        from hooks.doctor.storechecks import store_findings

        findings += store_findings(obs.store, config.cluster, nets)
    return findings


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
    if obs.osreldate >= plan.JAIL_FLAG_OSRELDATE:
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


def pf_conf_lines(table: str, egress: str | None, family: str = "inet") -> tuple[str, str]:
    """The walkthrough's rule for ``table`` on the egress interface (docs/walkthrough.md step 1),
    or its ``inet6`` twin for a dual-stack network (docs/ipv6.md), and the table line."""
    iface = egress or "EGRESS"
    return f"table <{table}> persist", f"nat on {iface} {family} from <{table}> to any -> ({iface})"


def _pf(obs: Observations, nets: Sequence[Network], config: Networks) -> list[Finding]:
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
    for table, users in tables.items():
        dual = [u for u in users if u.dual_stack]
        if not dual:
            continue
        rule6 = next((line for line in pf.nat_rules if nat_rule_for(line, table, "inet6")), None)
        if rule6 is not None:
            found.append(Finding(id="pf.nat6", ok=True, severity="error", network=dual[0].name,
                                 message=f"pf IPv6 NAT rule for <{table}>: {rule6.strip()}"))
        else:
            found.append(Finding(id="pf.nat6", ok=False, severity="error", network=dual[0].name,
                                 message=f"pf: no IPv6 NAT rule for <{table}>: containers on dual-stack network "
                                 f"{dual[0].name} reach no IPv6 host outside",
                                 fix=_nat_fix(table, obs, [u.name for u in dual], "inet6")))
    if loaded:
        found += [_rdr_anchor(pf.nat_rules), _nat_anchor(pf.nat_rules), _filter_anchor(pf.filter_rules, config)]
    return found


#: The calls published ports need in pf.conf: pf evaluates an anchor's rules only where the main
#: ruleset calls it (pf.conf(5) "ANCHORS"); rdr rules through ``rdr-anchor``, nat rules through
#: ``nat-anchor``.
RDR_ANCHOR = f'rdr-anchor "{ANCHOR_PARENT}/*"'
NAT_ANCHOR = f'nat-anchor "{ANCHOR_PARENT}/*"'
#: Why the host itself cannot use a published port; docs/configuration.md "Published ports".
_NOT_FROM_HOST = ("this host reaches a container at its own address, not through a published port (pf translates "
                  "packets as they arrive, and the answer to the host's own connection returns outside that "
                  "translation; docs/configuration.md, Published ports)")


def _calls(rules: Sequence[str], call: str) -> bool:
    """``call`` among the loaded translation rules (``pfctl -sn`` prints ``rdr-anchor "jailnet/*" all``)."""
    return any(line.split()[:2] == call.split() for line in rules)


def _rdr_anchor(rules: Sequence[str]) -> Finding:
    """``rdr-anchor "jailnet/*"``: without it, published ports are loaded but never match."""
    if _calls(rules, RDR_ANCHOR):
        return Finding(id="pf.rdr-anchor", ok=True, severity="warning",
                       message=f"pf calls {RDR_ANCHOR}: published ports (org.jailnet.ports) take effect for "
                       f"clients arriving on the egress interface; {_NOT_FROM_HOST}")
    return Finding(id="pf.rdr-anchor", ok=False, severity="warning",
                   message=f"pf: no {RDR_ANCHOR}: published ports (org.jailnet.ports) are loaded into their "
                   "anchors but never match",
                   fix=f"# in /etc/pf.conf, after the nat rule, then: pfctl -f /etc/pf.conf\n{RDR_ANCHOR}")


def _nat_anchor(rules: Sequence[str]) -> Finding:
    """``nat-anchor "jailnet/*"``: without it, the hairpin's reflection nat
    (:func:`hooks.plan.port_rules`) never matches, and a container that connects to a published
    port through the host's address gets its answer from the other container's own address, which
    its TCP stack refuses."""
    if _calls(rules, NAT_ANCHOR):
        return Finding(id="pf.nat-anchor", ok=True, severity="warning",
                       message=f"pf calls {NAT_ANCHOR}: containers on a bridge reach published ports through "
                       "the host's address too (hairpin)")
    return Finding(id="pf.nat-anchor", ok=False, severity="warning",
                   message=f"pf: no {NAT_ANCHOR}: a container that connects to a published port through the "
                   "host's address gets no answer (clients from outside are not affected)",
                   fix=f"# in /etc/pf.conf, after the nat rule, then: pfctl -f /etc/pf.conf\n{NAT_ANCHOR}")


FILTER_ANCHOR = f'anchor "{ANCHOR_PARENT}/*"'


def _filter_anchor(rules: Sequence[str] | None, config: Networks) -> Finding:
    """``anchor "jailnet/*"`` among the main ruleset's filter rules (``pfctl -sr`` prints it
    ``anchor "jailnet/*" all``): pf evaluates the isolation rules in ``jailnet/isolation`` only
    there (pf.conf(5) "ANCHORS"; :mod:`hooks.isolation`)."""
    if rules is None:
        return Finding(id="pf.anchor", ok=False, severity="warning",
                       message="pf: cannot list the filter rules (pfctl -sr failed), so whether networks are kept "
                       "apart is unknown")
    if _calls(rules, FILTER_ANCHOR):
        return Finding(id="pf.anchor", ok=True, severity="warning",
                       message=f"pf calls {FILTER_ANCHOR}: isolated networks are kept apart (jailnet/isolation)")
    apart = sorted(n.name for n in config.networks.values() if n.isolated)
    if len(config.networks) >= 2 and apart:
        problem = (f"networks {', '.join(sorted(config.networks))} are configured and {', '.join(apart)} "
                   "isolated, but nothing keeps them apart: the host routes between them")
    else:
        problem = "with a second network, isolation would not be enforced"
    return Finding(id="pf.anchor", ok=False, severity="warning", message=f"pf: no {FILTER_ANCHOR}: {problem}",
                   fix=f"# in /etc/pf.conf, before any pass or block rule, then: pfctl -f /etc/pf.conf\n"
                   f"{FILTER_ANCHOR}")


def _nat_fix(table: str, obs: Observations, networks: Sequence[str], family: str = "inet") -> str:
    """pf.conf lines for the rule, with how to load them; never applied by ``--fix``."""
    lines = ["# add to /etc/pf.conf (the table line near the top, the nat line before any pass/block rule),",
             "# then load it: pfctl -f /etc/pf.conf"]
    if obs.egress is None:
        lines.append("# EGRESS: the interface of your default route (route -n get default names it)")
    lines += pf_conf_lines(table, obs.egress, family)
    leased = sorted({lease.address for lease in obs.state.leases if lease.network in networks},
                    key=lambda a: tuple(int(p) for p in a.split(".")))
    if leased:
        lines.append(f"# a reload may empty <{table}>; put the running containers back: pfctl -t {table} -T add "
                     + " ".join(leased))
    return "\n".join(lines)


def _forwarding(obs: Observations) -> Finding:
    return _switch(obs, "forwarding", "net.inet.ip.forwarding", obs.forwarding, "IP", "packets", _RC_GATEWAY)


_RC_GATEWAY6 = '# at boot: ipv6_gateway_enable="YES" in /etc/rc.conf (sysrc ipv6_gateway_enable=YES)'


def _forwarding6(obs: Observations) -> Finding:
    """``net.inet6.ip6.forwarding``, for dual-stack networks (sysctl(8); rc.conf(5)
    ``ipv6_gateway_enable``)."""
    return _switch(obs, "forwarding6", "net.inet6.ip6.forwarding", obs.forwarding6, "IPv6", "IPv6 packets",
                   _RC_GATEWAY6)


def _switch(obs: Observations, check: str, name: str, value: int | None, family: str, packets: str,
            at_boot: str) -> Finding:
    """A forwarding sysctl: on, off (``--fix`` turns it on), or unreadable."""
    if value is None:
        return Finding(id=check, ok=False, severity="error",
                       message=f"cannot read {name} ({obs.sysctl_error or 'no value'})")
    if value:
        return Finding(id=check, ok=True, severity="error", message=f"{family} forwarding on ({name}={value})")
    return Finding(id=check, ok=False, severity="error",
                   message=f"{family} forwarding off ({name}=0): the host does not route the containers' {packets}",
                   fix=f"sysctl {name}=1\n{at_boot}", actions=(RunCommand(("sysctl", f"{name}=1")),))


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
    gateway6 = f"{network.gateway6}/{network.subnet6.prefixlen}" if network.gateway6 and network.subnet6 else None
    if not commands:
        return Finding(id="bridge", ok=True, severity="error", network=network.name,
                       message=f"{where}: {gateway}{', ' + gateway6 if gateway6 else ''}, up")
    if not observed.exists:
        problem = "does not exist"
    else:
        problems = []
        if str(network.gateway) not in observed.addresses:
            problems.append(f"no address {gateway}")
        if not observed.up:
            problems.append("down")
        if gateway6 is not None and plan.ensure_gateway6(network, observed.addresses6):
            problems.append(f"no address {gateway6}")
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
