"""Networks: the built-in ``default``, the host configuration file, and their validation.

Precedence, lowest first: the built-in network ``default`` (bridge ``jailnet0``, 172.17.0.0/16,
gateway 172.17.0.1, pf table ``jail-nat``, the host's nameservers), then the host configuration
file (TOML, ``/usr/local/etc/jailnet/jailnet.toml`` or ``JAILNET_CONFIG``), which may change the
default network and define more; the hook's ``--network`` and the container's annotations pick
among them (:mod:`hooks.request`).

The file::

    [networks.default]          # change the built-in network
    subnet = "10.77.0.0/16"

    [networks.backend]          # define another one
    bridge = "jailnet1"
    subnet = "10.88.0.0/24"     # required for a new network, as is bridge
    gateway = "10.88.0.1"       # default: the first address of the subnet
    table = "jail-nat"          # the pf table the NAT rule uses
    nameservers = ["10.88.0.1"] # default: the host's (resolv.conf), loopback dropped
    search = ["internal"]
    interface = "eth0"          # the name of the interface inside the jail
    mtu = 9000
    egress = "em0"              # where published ports are reached (default: the default route's)
    subnet6 = "fd00:88::/64"    # dual stack: IPv6 too (a /64 or longer, ULA or global)
    gateway6 = "fd00:88::1"     # default: the subnet's ::1
    isolated = true             # no traffic to or from other jailnet networks (the default)
    hosts = "peers"             # /etc/hosts lists: peers, self or none (default: self for default)
    cluster = true              # addresses claimed in the [cluster] store (hooks/cluster.py)
    vxlan = { id = 42, local = "192.0.2.10", group = "239.1.1.42", dev = "em0" }   # hooks/overlay.py
"""

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from hooks.errors import BadInput
from hooks.paths import DEFAULT_CONFIG
from ocispec.value import Value

if TYPE_CHECKING:
    from hooks.cluster import Cluster
    from hooks.overlay import Overlay

DEFAULT_NETWORK = "default"
#: Docker's fallback when the host has no usable nameserver (libnetwork resolvconf).
FALLBACK_NAMESERVERS = ("8.8.8.8", "8.8.4.4")
#: resolver(5): at most MAXNS (3) nameservers and 6 search domains are used.
MAXNS = 3
MAXDNSRCH = 6

# Patterns as text: re compiles (and caches) one on its first use, so a hook compiles only those it
# uses, not every one at import (docs/performance.md).
_NETWORK_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
_DOMAIN = r"(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)+"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Network(Value):
    """A bridge + subnet + NAT table that containers attach to."""

    name: str
    bridge: str
    """The if_bridge(4) interface; its address is the containers' gateway."""
    subnet: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address
    table: str
    """The pf table a NAT rule translates (``nat on em0 inet from <jail-nat> to any -> (em0)``)."""
    nameservers: tuple[str, ...]
    search: tuple[str, ...]
    interface: str | None = None
    """Name of the interface inside the jail; None keeps the derived ``jn…b`` name."""
    mtu: int | None = None
    egress: str | None = None
    """The interface published ports are reached on; None: the default route's, observed by each
    create that publishes ports (``route -n get default``)."""
    subnet6: ipaddress.IPv6Network | None = None
    """Set on a dual-stack network: containers get an address from it too (docs/ipv6.md)."""
    gateway6: ipaddress.IPv6Address | None = None
    """The bridge's IPv6 address, the containers' v6 default route; set with :attr:`subnet6`."""
    isolated: bool = True
    """No traffic between this network and the other jailnet networks (:mod:`hooks.isolation`)."""
    hosts: str = "peers"
    """What a container's ``/etc/hosts`` block lists: ``peers``, ``self`` or ``none`` (:mod:`hooks.names`)."""
    cluster: bool = False
    """Its addresses are claimed in the cluster's store, shared with other hosts (docs/multi-host.md)."""
    overlay: "Overlay | None" = None
    """The vxlan(4) interface that joins this network's bridges across hosts (:mod:`hooks.overlay`)."""

    @property
    def dual_stack(self) -> bool:
        """Whether containers get an IPv6 address too."""
        return self.subnet6 is not None

    def usable(self, address: ipaddress.IPv4Address) -> str | None:
        """Why ``address`` cannot be a container's address on this network, or None if it can."""
        if address not in self.subnet:
            return f"{address} is outside {self.subnet}"
        if address == self.subnet.network_address:
            return f"{address} is the network address of {self.subnet}"
        if address == self.subnet.broadcast_address:
            return f"{address} is the broadcast address of {self.subnet}"
        if address == self.gateway:
            return f"{address} is the gateway of network {self.name}"
        return None

    def usable6(self, address: ipaddress.IPv6Address) -> str | None:
        """Why ``address`` cannot be a container's IPv6 address on this network, or None if it can."""
        if self.subnet6 is None:
            return f"network {self.name} has no IPv6 subnet (subnet6)"
        if address not in self.subnet6:
            return f"{address} is outside {self.subnet6}"
        if address == self.subnet6.network_address:
            return f"{address} is the Subnet-Router anycast address of {self.subnet6} (RFC 4291 2.6.1)"
        if address == self.gateway6:
            return f"{address} is the IPv6 gateway of network {self.name}"
        return None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DnsDefaults(Value):
    """What the host's resolv.conf offers containers (Docker's rules: loopback nameservers are
    unusable from a container, and IPv6 ones from a container without IPv6, so they are dropped:
    :attr:`nameservers` is for IPv4-only networks, :attr:`dual` for dual-stack ones)."""

    nameservers: tuple[str, ...] = FALLBACK_NAMESERVERS
    search: tuple[str, ...] = ()
    dual: tuple[str, ...] = attrs.field(default=attrs.Factory(lambda self: self.nameservers, takes_self=True))
    """The host's non-loopback nameservers of both families, in its order (at most MAXNS); by
    default the IPv4 ones."""

    @classmethod
    def from_text(cls, text: str) -> "DnsDefaults":
        """Parse resolv.conf(5): ``nameserver`` lines, and ``search`` or ``domain``: the two are
        mutually exclusive and the last instance of either wins (resolv.conf(5), res_init.c)."""
        servers: list[str] = []
        dual: list[str] = []
        search: tuple[str, ...] = ()
        for line in text.splitlines():
            words = line.split("#", 1)[0].split(";", 1)[0].split()
            if len(words) >= 2 and words[0] == "nameserver":
                try:
                    ip = ipaddress.ip_address(words[1])
                except ValueError:
                    continue
                if ip.is_loopback or (ip.version == 6 and ip.is_link_local):  # fe80::/10: the host's link only
                    continue
                dual.append(str(ip))
                if ip.version == 4:
                    servers.append(str(ip))
            elif words[:1] == ["search"]:
                search = tuple(words[1:])
            elif words[:1] == ["domain"] and len(words) >= 2:
                search = (words[1],)
        return cls(nameservers=tuple(servers[:MAXNS]) or FALLBACK_NAMESERVERS, search=search,
                   dual=tuple(dual[:MAXNS]) or FALLBACK_NAMESERVERS)

    @classmethod
    def from_file(cls, path: str) -> "DnsDefaults":
        """Read the host's resolv.conf; a missing or unreadable file means the fallback."""
        try:
            return cls.from_text(Path(path).read_text(errors="replace"))
        except OSError:
            return cls()


def builtin(resolver: DnsDefaults) -> Network:
    """The built-in network ``default`` (Docker's ``docker0`` numbers)."""
    return Network(
        name=DEFAULT_NETWORK,
        bridge="jailnet0",
        subnet=ipaddress.IPv4Network("172.17.0.0/16"),
        gateway=ipaddress.IPv4Address("172.17.0.1"),
        table="jail-nat",
        nameservers=resolver.nameservers,
        search=resolver.search,
        hosts="self",  # Docker's default bridge: a container knows only itself by name
    )


def check_network_name(name: str, where: str) -> str:
    """Return ``name`` if it can name a network (and a directory of leases), else raise."""
    if not re.fullmatch(_NETWORK_NAME, name):
        raise BadInput(f"{where}: {name!r} is not a network name (letters, digits, '.', '_', '-')")
    return name


def parse_nameservers(values: tuple[str, ...], where: str) -> tuple[str, ...]:
    """Validate nameserver addresses (IPv4 or IPv6), at most :data:`MAXNS`."""
    if len(values) > MAXNS:
        raise BadInput(f"{where}: at most {MAXNS} nameservers are used (resolver(5) MAXNS), got {len(values)}")
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_address(value)))
        except ValueError:
            raise BadInput(f"{where}: {value!r} is not an IP address") from None
    return tuple(out)


def parse_search(values: tuple[str, ...], where: str) -> tuple[str, ...]:
    """Validate search domains: hostnames, at most :data:`MAXDNSRCH` (resolver(5))."""
    if len(values) > MAXDNSRCH:
        raise BadInput(f"{where}: at most {MAXDNSRCH} search domains are used (resolver(5)), got {len(values)}")
    for value in values:
        if not re.fullmatch(_DOMAIN, value):
            raise BadInput(f"{where}: {value!r} is not a domain name")
    return values


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Networks(Value):
    """Every network this host offers, by name."""

    networks: Mapping[str, Network]
    cluster: "Cluster | None" = None
    """The ``[cluster]`` table: the store the cluster networks claim addresses in."""

    @classmethod
    def builtin(cls, resolver: DnsDefaults) -> "Networks":
        """Only the built-in ``default`` network."""
        return cls(networks={DEFAULT_NETWORK: builtin(resolver)})

    def network(self, name: str, where: str) -> Network:
        """The network called ``name``; ``where`` names the field that asked for it."""
        try:
            return self.networks[name]
        except KeyError:
            known = ", ".join(sorted(self.networks))
            raise BadInput(f"{where}: unknown network {name!r} (known: {known})") from None


def config_text(path: str | None) -> tuple[str, str] | None:
    """The configuration file's text and its path: ``path``, else the default file, which may be
    absent (then None: only the built-in network). :mod:`hooks.configfile` parses the text."""
    target = path or DEFAULT_CONFIG
    try:
        return Path(target).read_text(), target
    except FileNotFoundError:
        if path is None:
            return None
        raise BadInput(f"config {target}: no such file") from None
    except OSError as exc:
        raise BadInput(f"config {target}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"config {target}: not UTF-8 text") from None
