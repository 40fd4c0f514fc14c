"""What doctor reads from the cluster's store (docs/multi-host.md): whether it answers, the keys
under the prefix, and the claims of this host's gateways. Read-only, and only with a
``[cluster]`` table; every request is bounded as a hook's are (:mod:`hooks.etcd`)."""

import attrs

from hooks.cluster import Cluster
from hooks.errors import OperationFailed


@attrs.frozen(kw_only=True)
class StoreView:
    """The store as doctor found it."""

    error: str = ""
    """Why it could not be read (one line), or empty."""
    version: str = ""
    keys: tuple[tuple[str, str], ...] = ()
    """Every key under the prefix, with its value."""


def observe_store(cluster: Cluster) -> StoreView:
    """Two requests: the answering member's status, and a range over the prefix."""
    from hooks.etcd import client_for

    client = client_for(cluster)
    try:
        version = str(client.status().get("version", "?"))
        keys = client.prefix(cluster.prefix + "/")
    except OperationFailed as exc:
        return StoreView(error=str(exc))
    return StoreView(version=version, keys=tuple(sorted(keys.items())))
