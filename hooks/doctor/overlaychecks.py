"""The ``overlay`` check (docs/multi-host.md): a network's vxlan(4) interface exists, runs, and is
a member of the network's bridge. Pure, like :mod:`hooks.doctor.checks`.

ifconfig exits 0 when the kernel leaves a vxlan UP but not RUNNING (sys/net/if_vxlan.c
``vxlan_ioctl_ifflags()`` returns 0 whatever ``vxlan_init()`` did), so only this check says so.
"""

from collections.abc import Sequence

from hooks import plan
from hooks.doctor.findings import Finding, RunCommand
from hooks.doctor.observations import Observations
from hooks.netconf import Network


def overlay_findings(obs: Observations, nets: Sequence[Network]) -> list[Finding]:
    """One ``overlay`` finding for each network with ``vxlan`` whose bridge exists."""
    found = {name: (flags, member) for name, flags, member in obs.overlays}
    findings = []
    for network in nets:
        if network.overlay is None or network.name not in found:
            continue
        name, bridge = network.overlay.interface, network.bridge
        flags, member = found[network.name]
        if flags is None:
            steps = plan.overlay(network)
            findings.append(Finding(
                id="overlay", ok=False, severity="error", network=network.name,
                message=f"{name}, the vxlan interface that joins this network's hosts, does not exist",
                fix="\n".join(" ".join(step.argv) for step in steps),
                actions=tuple(RunCommand(step.argv, creates=step.creates) for step in steps)))
            continue
        if "RUNNING" not in flags:
            findings.append(Finding(
                id="overlay", ok=False, severity="error", network=network.name,
                message=f"{name} is not RUNNING: the kernel refused its configuration (dmesg says why: the local "
                "address, the group's interface, or a VNI another vxlan uses)",
                fix=f"# see dmesg; then: ifconfig {name} up"))
        elif not member:
            findings.append(Finding(
                id="overlay", ok=False, severity="error", network=network.name,
                message=f"{name} runs but is not a member of {bridge}", fix=f"ifconfig {bridge} addm {name}",
                actions=(RunCommand(("ifconfig", bridge, "addm", name)),)))
        else:
            findings.append(Finding(id="overlay", ok=True, severity="error", network=network.name,
                                    message=f"{name} runs, a member of {bridge}"))
    return findings
