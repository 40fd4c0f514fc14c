"""The ``[cluster]`` table of ``jailnet.toml``: the store that hosts sharing a network claim
addresses in, and how to reach it (docs/multi-host.md).

::

    [cluster]
    store = "etcd"                          # the only store
    endpoints = ["http://127.0.0.1:2379"]   # client URLs, tried in turn
    prefix = "/jailnet"                     # every key jailnet writes starts with it
    host = "node1"                          # this host's name in the claims (default: its host name)
    cacert = "/usr/local/etc/jailnet/etcd-ca.pem"      # TLS: the CA of https endpoints
    cert = "/usr/local/etc/jailnet/node1.pem"          # and this host's certificate and key,
    key = "/usr/local/etc/jailnet/node1-key.pem"       # for --client-cert-auth
    user = "jailnet"                        # etcd authentication
    password = "..."

Pure values: nothing here opens a socket (:mod:`hooks.etcd` does, for a cluster network only).
"""

import json
import os
import re
from typing import TYPE_CHECKING

import attrs

from hooks.errors import BadInput
from ocispec import InvalidDocument, structure
from ocispec.value import Value

if TYPE_CHECKING:
    import ssl

STORES = ("etcd",)
DEFAULT_PREFIX = "/jailnet"
# Patterns as text: re compiles (and caches) one on its first use, not at import, which every
# hook on a host with a [cluster] table would pay (docs/performance.md).
_URL = r"(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})/?"
_PREFIX = r"(/[A-Za-z0-9_.-]+)+"
# A host name (RFC 1123 section 2.1): labels of letters, digits and hyphens; it names this host
# in every claim's value.
_HOST = (r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


@attrs.frozen(eq=False, repr=False)
class Endpoint(Value):
    """One client URL of the cluster: ``http://HOST:PORT`` or ``https://HOST:PORT``."""

    scheme: str
    host: str
    """A name or an IPv4 address, or an IPv6 address without its brackets."""
    port: int

    @classmethod
    def parse(cls, url: str, where: str) -> "Endpoint":
        """``url`` as an endpoint, or :class:`BadInput` naming ``where``."""
        found = re.fullmatch(_URL, url)
        if found is None or not 0 < int(found.group(3)) < 65536:
            raise BadInput(f"{where}: {url!r} is not an etcd client URL (http://HOST:PORT or https://HOST:PORT)")
        return cls(found.group(1), found.group(2).strip("[]"), int(found.group(3)))

    @property
    def name(self) -> str:
        """``HOST:PORT`` as errors show it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@attrs.frozen(eq=False, repr=False)
class Tls(Value):
    """Files for TLS: the CA that signed the servers' certificates, and this host's certificate and
    key when the cluster asks for client certificates."""

    cacert: str | None = None
    cert: str | None = None
    key: str | None = None

    def context(self) -> "ssl.SSLContext":
        import ssl

        from hooks.errors import OperationFailed

        try:
            context = ssl.create_default_context(cafile=self.cacert)
            if self.cert is not None:
                context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError) as exc:
            raise OperationFailed(f"etcd TLS files: {exc}") from None
        return context


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ClusterEntry(Value):
    """The ``[cluster]`` table as written."""

    store: str = "etcd"
    endpoints: tuple[str, ...] = ()
    prefix: str = DEFAULT_PREFIX
    host: str | None = None
    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    user: str | None = None
    password: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Cluster(Value):
    """Where this host's cluster networks claim their addresses, and as whom."""

    endpoints: tuple[Endpoint, ...]
    prefix: str
    host: str
    tls: Tls | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, table: object, where: str) -> "Cluster":
        """The ``[cluster]`` table, validated (``where``: the file, for errors)."""
        at = f"{where}: cluster"
        if not isinstance(table, dict):
            raise BadInput(f"{at}: must be a table ([cluster])")
        try:
            entry = structure(table, ClusterEntry, where=at, strict=True)
        except InvalidDocument as exc:
            raise BadInput(exc.lines[0]) from None
        if entry.store not in STORES:
            raise BadInput(f"{at}.store: {entry.store!r} is not a store jailnet speaks ({', '.join(STORES)})")
        if not entry.endpoints:
            raise BadInput(f"{at}.endpoints: at least one client URL, e.g. [\"http://127.0.0.1:2379\"]")
        endpoints = tuple(Endpoint.parse(url, f"{at}.endpoints") for url in entry.endpoints)
        if not re.fullmatch(_PREFIX, entry.prefix) or len(entry.prefix) > 128:
            raise BadInput(f"{at}.prefix: {entry.prefix!r} is not a key prefix (/name[/name...]: letters, digits, "
                           "'_', '.', '-')")
        host = entry.host if entry.host is not None else os.uname().nodename
        if not re.fullmatch(_HOST, host):
            said = "" if entry.host is not None else " (this host's name; set cluster.host)"
            raise BadInput(f"{at}.host: {host!r} is not a host name (RFC 1123){said}")
        for name in ("cacert", "cert", "key"):
            path = getattr(entry, name)
            if path is not None and not os.path.isabs(path):
                raise BadInput(f"{at}.{name}: {path!r} is not an absolute path")
        if (entry.cert is None) != (entry.key is None):
            raise BadInput(f"{at}.{'key' if entry.key is None else 'cert'}: cert and key go together")
        if entry.password is not None and entry.user is None:
            raise BadInput(f"{at}.password: set user too")
        tls = Tls(entry.cacert, entry.cert, entry.key) if entry.cacert or entry.cert else None
        return cls(endpoints=endpoints, prefix=entry.prefix.rstrip("/"), host=host, tls=tls, user=entry.user,
                   password=entry.password)

    def key(self, network: str, family: str, address: object) -> str:
        """The claim of ``address`` on ``network``: ``PREFIX/networks/NET/inet/ADDRESS`` (``inet6``)."""
        return f"{self.prefix}/networks/{network}/{family}/{address}"

    def holder(self, container_id: str) -> str:
        """The value of this host's claim for ``container_id``: who holds it."""
        return json.dumps({"host": self.host, "container": container_id}, separators=(",", ":"), sort_keys=True)

    def gateway_holder(self) -> str:
        """The value of this host's claim of its own gateway address."""
        return json.dumps({"host": self.host, "gateway": True}, separators=(",", ":"), sort_keys=True)


def describe(holder: str) -> str:
    """A claim's value as a sentence's end: ``node2 (container db)``, ``node2 (its gateway)``."""
    try:
        value = json.loads(holder)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("host"), str):
        return f"another holder ({holder[:60]!r})" if holder else "another holder"
    if value.get("gateway") is True:
        return f"{value['host']} (its gateway)"
    return f"{value['host']} (container {value.get('container')})"
