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
"""

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from hooks.errors import BadInput
from hooks.paths import DEFAULT_CONFIG

DEFAULT_NETWORK = "default"
#: Docker's fallback when the host has no usable nameserver (libnetwork resolvconf).
FALLBACK_NAMESERVERS = ("8.8.8.8", "8.8.4.4")
#: resolver(5): at most MAXNS (3) nameservers and 6 search domains are used.
MAXNS = 3
MAXDNSRCH = 6

# Patterns as text: re compiles (and caches) one on its first use, so a hook compiles only those it
# uses, not every one at import (docs/performance.md).
_IFNAME = r"[A-Za-z][A-Za-z0-9_.]{0,14}"
_TABLE = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,30}"  # PF_TABLE_NAME_SIZE 32 (net/pfvar.h)
_NETWORK_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
_DOMAIN = r"(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)+"


@attrs.frozen(kw_only=True)
class Network:
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


@attrs.frozen(kw_only=True)
class NetworkEntry:
    """One ``[networks.NAME]`` table of the configuration file, as written."""

    bridge: str | None = None
    subnet: str | None = None
    gateway: str | None = None
    table: str | None = None
    nameservers: tuple[str, ...] | None = None
    search: tuple[str, ...] | None = None
    interface: str | None = None
    mtu: int | None = None


@attrs.frozen(kw_only=True)
class DnsDefaults:
    """What the host's resolv.conf offers containers (Docker's rules: loopback and IPv6
    nameservers are unusable from a container on an IPv4 bridge, so they are dropped)."""

    nameservers: tuple[str, ...] = FALLBACK_NAMESERVERS
    search: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, text: str) -> "DnsDefaults":
        """Parse resolv.conf(5): ``nameserver`` lines, and ``search`` or ``domain``: the two are
        mutually exclusive and the last instance of either wins (resolv.conf(5), res_init.c)."""
        servers: list[str] = []
        search: tuple[str, ...] = ()
        for line in text.splitlines():
            words = line.split("#", 1)[0].split(";", 1)[0].split()
            if len(words) >= 2 and words[0] == "nameserver":
                try:
                    ip = ipaddress.ip_address(words[1])
                except ValueError:
                    continue
                if ip.version == 4 and not ip.is_loopback:
                    servers.append(str(ip))
            elif words[:1] == ["search"]:
                search = tuple(words[1:])
            elif words[:1] == ["domain"] and len(words) >= 2:
                search = (words[1],)
        return cls(nameservers=tuple(servers[:MAXNS]) or FALLBACK_NAMESERVERS, search=search)

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
    mtu = entry.mtu if entry.mtu is not None else (base.mtu if base else None)
    if mtu is not None and not 576 <= mtu <= 16370:
        raise BadInput(f"{where}.mtu: {mtu} is outside 576..16370")
    nameservers = (
        parse_nameservers(entry.nameservers, f"{where}.nameservers")
        if entry.nameservers is not None
        else (base.nameservers if base else resolver.nameservers)
    )
    search = (
        parse_search(entry.search, f"{where}.search")
        if entry.search is not None
        else (base.search if base else resolver.search)
    )
    return Network(name=name, bridge=bridge, subnet=subnet, gateway=gateway, table=table,
                   nameservers=nameservers, search=search, interface=interface, mtu=mtu)


@attrs.frozen(kw_only=True)
class Networks:
    """Every network this host offers, by name."""

    networks: Mapping[str, Network]

    @classmethod
    def builtin(cls, resolver: DnsDefaults) -> "Networks":
        """Only the built-in ``default`` network."""
        return cls(networks={DEFAULT_NETWORK: builtin(resolver)})

    @classmethod
    def from_toml(cls, text: str, *, where: str, resolver: DnsDefaults) -> "Networks":
        """Parse and validate a configuration file's text; ``where`` names it in errors."""
        import tomllib  # only when a configuration file exists: not on most hooks' start path

        from ocispec import InvalidDocument, structure

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"{where}: not valid TOML ({exc})") from None
        unknown = sorted(set(data) - {"networks"})
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
        return cls(networks=networks)

    @classmethod
    def load(cls, path: str | None, *, resolver: DnsDefaults) -> "Networks":
        """Load ``path``; the default path may be absent (then only the built-in network)."""
        target = path or DEFAULT_CONFIG
        try:
            text = Path(target).read_text()
        except FileNotFoundError:
            if path is None:
                return cls.builtin(resolver)
            raise BadInput(f"config {target}: no such file") from None
        except OSError as exc:
            raise BadInput(f"config {target}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise BadInput(f"config {target}: not UTF-8 text") from None
        return cls.from_toml(text, where=target, resolver=resolver)

    def network(self, name: str, where: str) -> Network:
        """The network called ``name``; ``where`` names the field that asked for it."""
        try:
            return self.networks[name]
        except KeyError:
            known = ", ".join(sorted(self.networks))
            raise BadInput(f"{where}: unknown network {name!r} (known: {known})") from None


def _check_disjoint(networks: Mapping[str, Network], where: str) -> None:
    """Two networks may share neither a bridge nor addresses."""
    items = sorted(networks.values(), key=lambda n: n.name)
    for i, one in enumerate(items):
        for other in items[i + 1:]:
            if one.bridge == other.bridge:
                raise BadInput(f"{where}: networks {one.name} and {other.name} both use bridge {one.bridge}")
            if one.subnet.overlaps(other.subnet):
                raise BadInput(f"{where}: networks {one.name} and {other.name} overlap ({one.subnet}, {other.subnet})")
