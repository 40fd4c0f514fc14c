"""The host configuration file (``jailnet.toml``): its schema, and how it becomes
:class:`~hooks.netconf.Networks` (the format is in :mod:`hooks.netconf`'s docstring).

Loaded only when a configuration file exists: with none, a hook runs with the built-in network
and loads neither this module nor tomllib (docs/performance.md). tomllib itself (5–7 ms of
imports) loads only when the file's text is not the one :mod:`hooks.configcache` last read.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

import attrs

from hooks.errors import BadInput
from hooks.netconf import (
    DEFAULT_NETWORK,
    DnsDefaults,
    Network,
    Networks,
    builtin,
    check_network_name,
    config_text,
    parse_nameservers,
    parse_search,
)
from ocispec import InvalidDocument, structure
from ocispec.value import Value

_IFNAME = r"[A-Za-z][A-Za-z0-9_.]{0,14}"
_TABLE = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,30}"  # PF_TABLE_NAME_SIZE 32 (net/pfvar.h)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class NetworkEntry(Value):
    """One ``[networks.NAME]`` table of the configuration file, as written."""

    bridge: str | None = None
    subnet: str | None = None
    gateway: str | None = None
    table: str | None = None
    nameservers: tuple[str, ...] | None = None
    search: tuple[str, ...] | None = None
    interface: str | None = None
    mtu: int | None = None
    egress: str | None = None
    subnet6: str | None = None
    gateway6: str | None = None
    isolated: bool | None = None
    hosts: str | None = None
    cluster: bool | None = None
    vxlan: dict[str, Any] | None = None
    """The overlay's table, read by :mod:`hooks.overlay` (loaded only for a network that has one)."""


#: What a network's ``hosts`` key may say (:mod:`hooks.names`).
HOSTS = ("peers", "self", "none")


def load(path: str | None, *, resolver: DnsDefaults) -> Networks:
    """The networks of the file at ``path`` (default: the default file, which may be absent: then
    only the built-in network)."""
    found = config_text(path)
    if found is None:
        return Networks.builtin(resolver)
    text, where = found
    return parse(text, where=where, resolver=resolver)


def parse(text: str, *, where: str, resolver: DnsDefaults) -> Networks:
    """Parse and validate a configuration file's text; ``where`` names it in errors."""
    return from_data(read_toml(text, where), where=where, resolver=resolver)


def read_toml(text: str, where: str) -> dict[str, Any]:
    """The file's text as TOML data (tables as dicts), not yet validated."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where}: not valid TOML ({exc})") from None


def from_data(data: Mapping[str, Any], *, where: str, resolver: DnsDefaults) -> Networks:
    """Validate TOML data (:func:`read_toml`, or a cached copy of it) into networks."""
    unknown = sorted(set(data) - {"networks", "cluster"})
    if unknown:
        raise BadInput(f"{where}: unknown field(s): {', '.join(unknown)}")
    tables = data.get("networks", {})
    if not isinstance(tables, dict):
        raise BadInput(f"{where}: networks: must be a table of [networks.NAME] tables")
    networks = {DEFAULT_NETWORK: builtin(resolver)}
    for name, table in tables.items():
        at = f"{where}: networks.{name}"  # the path as written: [networks.NAME] key
        if not isinstance(table, dict):
            raise BadInput(f"{at}: must be a table ([networks.{name}])")
        try:
            entry = structure(table, NetworkEntry, where=at, strict=True)
        except InvalidDocument as exc:
            raise BadInput(exc.lines[0]) from None
        networks[name] = _network(name, entry, networks.get(name), resolver, at)
    _check_disjoint(networks, where)
    cluster = None
    if "cluster" in data:
        from hooks.cluster import Cluster

        cluster = Cluster.parse(data["cluster"], where)
    for network in networks.values():
        if network.cluster and cluster is None:
            raise BadInput(f"{where}: networks.{network.name}.cluster: needs a [cluster] table (the store where "
                           "hosts claim the network's addresses)")
    return Networks(networks=networks, cluster=cluster)


def _network(name: str, entry: NetworkEntry, base: Network | None, resolver: DnsDefaults, where: str) -> Network:
    """Merge ``entry`` over ``base`` (or the resolver defaults) and validate the result."""
    check_network_name(name, where)
    if base is None and (entry.bridge is None or entry.subnet is None):
        missing = "bridge" if entry.bridge is None else "subnet"
        raise BadInput(f"{where}.{missing}: required for a new network")
    bridge = entry.bridge if entry.bridge is not None else base.bridge  # type: ignore[union-attr]
    if not re.fullmatch(_IFNAME, bridge):
        raise BadInput(f"{where}.bridge: {bridge!r} is not an interface name (letters first, at most 15 characters)")
    try:
        subnet = ipaddress.IPv4Network(entry.subnet) if entry.subnet is not None else base.subnet  # type: ignore[union-attr]
    except ValueError as exc:
        raise BadInput(f"{where}.subnet: {exc}") from None
    if subnet.prefixlen > 30:
        raise BadInput(f"{where}.subnet: {subnet} leaves no room for containers (at most /30)")
    if entry.gateway is not None:
        try:
            gateway = ipaddress.IPv4Address(entry.gateway)
        except ValueError as exc:
            raise BadInput(f"{where}.gateway: {exc}") from None
    elif entry.subnet is None and base is not None:
        gateway = base.gateway
    else:
        gateway = subnet.network_address + 1
    if gateway not in subnet or gateway in (subnet.network_address, subnet.broadcast_address):
        raise BadInput(f"{where}.gateway: {gateway} is not a host address of {subnet}")
    table = entry.table if entry.table is not None else (base.table if base else "jail-nat")
    if not re.fullmatch(_TABLE, table):
        raise BadInput(f"{where}.table: {table!r} is not a pf table name (at most 31 letters, digits, '_', '-')")
    interface = entry.interface if entry.interface is not None else (base.interface if base else None)
    if interface is not None and (not re.fullmatch(_IFNAME, interface) or re.fullmatch(r"lo[0-9]+", interface)):
        raise BadInput(f"{where}.interface: {interface!r} is not an interface name")
    overlay = base.overlay if base else None
    if entry.vxlan is not None:
        from hooks.overlay import Overlay  # only for a network with an overlay

        overlay = Overlay.from_table(entry.vxlan, f"{where}.vxlan")
    mtu = entry.mtu if entry.mtu is not None else (base.mtu if base else None)
    if mtu is None and overlay is not None:  # the bridge's members all take the overlay's MTU
        mtu = overlay.mtu
    if mtu is not None and not 576 <= mtu <= 16370:
        raise BadInput(f"{where}.mtu: {mtu} is outside 576..16370")
    egress = entry.egress if entry.egress is not None else (base.egress if base else None)
    if egress is not None and (not re.fullmatch(_IFNAME, egress) or re.fullmatch(r"lo[0-9]+", egress)):
        raise BadInput(f"{where}.egress: {egress!r} is not an interface name")
    subnet6, gateway6 = _ipv6(entry, base, where)
    if entry.nameservers is not None:
        nameservers = parse_nameservers(entry.nameservers, f"{where}.nameservers")
    elif subnet6 is not None:  # the host's IPv6 nameservers are reachable from a dual-stack network
        nameservers = resolver.dual
    else:
        nameservers = base.nameservers if base else resolver.nameservers
    search = (
        parse_search(entry.search, f"{where}.search")
        if entry.search is not None
        else (base.search if base else resolver.search)
    )
    return Network(name=name, bridge=bridge, subnet=subnet, gateway=gateway, table=table,
                   nameservers=nameservers, search=search, interface=interface, mtu=mtu,
                   egress=egress, subnet6=subnet6, gateway6=gateway6,
                   isolated=entry.isolated if entry.isolated is not None else (base.isolated if base else True),
                   hosts=_hosts(entry, base, where),
                   cluster=entry.cluster if entry.cluster is not None else (base.cluster if base else False),
                   overlay=overlay)


def _hosts(entry: NetworkEntry, base: Network | None, where: str) -> str:
    if entry.hosts is None:
        return base.hosts if base else "peers"
    if entry.hosts not in HOSTS:
        raise BadInput(f"{where}.hosts: {entry.hosts!r} is not one of {', '.join(HOSTS)}")
    return entry.hosts


#: A network's IPv6 prefix: a /64 (RFC 4291 2.5.1: interface identifiers are 64 bits) or longer,
#: down to a /126, which still holds the gateway and two containers.
MIN_PREFIX6 = 64
MAX_PREFIX6 = 126


def _ipv6(entry: NetworkEntry, base: Network | None,
          where: str) -> tuple[ipaddress.IPv6Network | None, ipaddress.IPv6Address | None]:
    """``subnet6`` and ``gateway6``, merged over ``base`` and validated: a /64 to /112 of unicast
    space (ULA fc00::/7 or global), and a gateway inside it that is not its Subnet-Router anycast
    address (RFC 4291 2.6.1)."""
    if entry.subnet6 is None:
        if entry.gateway6 is not None and (base is None or base.subnet6 is None):
            raise BadInput(f"{where}.gateway6: set subnet6 too (gateway6 is an address in it)")
        subnet6 = base.subnet6 if base else None
    else:
        try:
            subnet6 = ipaddress.IPv6Network(entry.subnet6)
        except ValueError as exc:
            raise BadInput(f"{where}.subnet6: {exc}") from None
        if not MIN_PREFIX6 <= subnet6.prefixlen <= MAX_PREFIX6:
            raise BadInput(f"{where}.subnet6: {subnet6}: the prefix must be /{MIN_PREFIX6} to /{MAX_PREFIX6}")
        if (subnet6.is_link_local or subnet6.is_multicast or subnet6.is_loopback or subnet6.is_site_local
                or subnet6.is_reserved or subnet6.is_unspecified):
            raise BadInput(f"{where}.subnet6: {subnet6} is not unicast space a network can use (ULA fc00::/7 "
                           "or global)")
    if subnet6 is None:
        return None, None
    if entry.gateway6 is not None:
        try:
            gateway6 = ipaddress.IPv6Address(entry.gateway6)
        except ValueError as exc:
            raise BadInput(f"{where}.gateway6: {exc}") from None
    elif entry.subnet6 is None and base is not None and base.gateway6 is not None:
        gateway6 = base.gateway6
    else:
        gateway6 = subnet6.network_address + 1
    if gateway6 not in subnet6 or gateway6 == subnet6.network_address:
        raise BadInput(f"{where}.gateway6: {gateway6} is not a host address of {subnet6}")
    return subnet6, gateway6



def _check_disjoint(networks: Mapping[str, Network], where: str) -> None:
    """Two networks may share neither a bridge nor addresses, nor a VXLAN network identifier (the
    kernel refuses a second interface with one VNI on one socket: sys/net/if_vxlan.c)."""
    items = sorted(networks.values(), key=lambda n: n.name)
    for i, one in enumerate(items):
        for other in items[i + 1:]:
            if one.overlay is not None and other.overlay is not None and one.overlay.vni == other.overlay.vni:
                raise BadInput(f"{where}: networks {one.name} and {other.name} both use vxlan id {one.overlay.vni}")
            if one.bridge == other.bridge:
                raise BadInput(f"{where}: networks {one.name} and {other.name} both use bridge {one.bridge}")
            if one.subnet.overlaps(other.subnet):
                raise BadInput(f"{where}: networks {one.name} and {other.name} overlap ({one.subnet}, {other.subnet})")
            if one.subnet6 is not None and other.subnet6 is not None and one.subnet6.overlaps(other.subnet6):
                raise BadInput(f"{where}: networks {one.name} and {other.name} overlap ({one.subnet6}, "
                               f"{other.subnet6})")
