"""The cluster store's checks (docs/multi-host.md): it answers, its prefix holds only jailnet's
keys, and this host's gateways are claimed by this host. Pure, like :mod:`hooks.doctor.checks`."""

import re
from collections.abc import Sequence

from hooks.cluster import Cluster, describe
from hooks.doctor.findings import Finding
from hooks.doctor.storeview import StoreView
from hooks.netconf import Network
from hooks.storeclaims import gateways

_OURS = re.compile(r"networks/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}/inet6?/[0-9A-Fa-f.:]+")


def store_findings(view: StoreView, cluster: Cluster, nets: Sequence[Network]) -> list[Finding]:
    """``store``, ``store.prefix`` and ``store.gateway`` for each cluster network checked."""
    where = ", ".join(e.name for e in cluster.endpoints)
    if view.error:
        return [Finding(id="store", ok=False, severity="error",
                        message=f"the cluster's store cannot be read: {view.error}",
                        fix="# check cluster.endpoints in jailnet.toml, that etcd runs there, and the TLS files and "
                        "credentials; until it answers, creates on cluster networks fail")]
    findings = [Finding(id="store", ok=True, severity="error", message=f"the cluster's store answers (etcd "
                        f"{view.version} at {where})")]
    prefix = cluster.prefix + "/"
    foreign = [key for key, _ in view.keys if not _OURS.fullmatch(key[len(prefix):])]
    findings.append(Finding(
        id="store.prefix", ok=not foreign, severity="warning",
        message=(f"{len(view.keys)} keys under {prefix}, all jailnet's claims" if not foreign else
                 f"{len(foreign)} of the {len(view.keys)} keys under {prefix} are not jailnet's (first: "
                 f"{foreign[0]}): another program shares the prefix"),
        fix=None if not foreign else "# give jailnet a prefix of its own: cluster.prefix in jailnet.toml"))
    held = dict(view.keys)
    for network in nets:
        if not network.cluster:
            continue
        for name, family, address in gateways(network):
            value = held.get(cluster.key(network.name, family, address))
            if value == cluster.gateway_holder():
                findings.append(Finding(id="store.gateway", ok=True, severity="error", network=network.name,
                                        message=f"{address} ({name}) is claimed by this host ({cluster.host})"))
            elif value is None:
                findings.append(Finding(
                    id="store.gateway", ok=False, severity="error", network=network.name,
                    message=f"{address} ({name}) is not claimed in the store: a container on another host could "
                    "get this host's gateway", fix="jailnet gc    # claims it (the rc.d script runs gc at boot)"))
            else:
                findings.append(Finding(
                    id="store.gateway", ok=False, severity="error", network=network.name,
                    message=f"{address} ({name}) is held by {describe(value)}",
                    fix=f"# give this host its own address in the subnet: networks.{network.name}.{name} in "
                    "jailnet.toml"))
    return findings
