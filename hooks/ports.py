"""Published ports: Docker's ``-p`` specs, read and validated before anything is touched.

A spec is ``[HOSTIP:]HOSTPORT[-END]:CONTAINERPORT[-END][/tcp|/udp]``, as ``docker run -p`` takes
it (docker/go-connections ``nat.ParsePortSpec``), with what jailnet does not do refused instead of
guessed: an IPv6 HOSTIP, an empty HOSTPORT (Docker picks a free one), and a range on one side
only. The protocol defaults to tcp; ``8080:80``, ``127.0.0.1:8443:443/tcp``, ``5353:53/udp`` and
``9000-9002:9000-9002`` are specs. A list is comma-separated; one list may not publish the same
host port twice for one protocol: two claims overlap when their port ranges meet and either
names no address (all of the host's) or both name the same one.

The annotation ``org.jailnet.ports`` carries a list (:mod:`hooks.request`); each spec becomes
``rdr pass`` rules in the container's pf anchor (:func:`hooks.plan.port_rules`), and its host
ports are claimed (:mod:`hooks.claims`).
"""

import ipaddress

import attrs

from hooks.errors import BadInput
from ocispec.value import Value

PROTOCOLS = ("tcp", "udp")
#: TCP and UDP port numbers are 16 bits, and port 0 is reserved: nothing can listen on it for
#: others to reach (RFC 6335, section 6).
LOWEST, HIGHEST = 1, 65535


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Published(Value):
    """One spec: ``count`` host ports from ``host_port`` to as many container ports from
    ``container_port``, on ``host_ip`` (None: every address of the host) for ``protocol``."""

    host_ip: ipaddress.IPv4Address | None
    host_port: int
    container_port: int
    count: int = 1
    protocol: str = "tcp"

    @property
    def host_end(self) -> int:
        return self.host_port + self.count - 1

    @property
    def container_end(self) -> int:
        return self.container_port + self.count - 1

    def spec(self) -> str:
        """The spec in Docker's words, the protocol always written (``8080:80/tcp``)."""
        host = _span(self.host_port, self.host_end)
        container = _span(self.container_port, self.container_end)
        address = f"{self.host_ip}:" if self.host_ip is not None else ""
        return f"{address}{host}:{container}/{self.protocol}"

    def shown(self) -> str:
        """As ``docker ps`` shows a port: ``8080->80/tcp``, ``127.0.0.1:9000-9001->9000-9001/udp``."""
        address = f"{self.host_ip}:" if self.host_ip is not None else ""
        return (f"{address}{_span(self.host_port, self.host_end)}->"
                f"{_span(self.container_port, self.container_end)}/{self.protocol}")

    def overlaps(self, other: "Published") -> bool:
        """Whether the two claim a host port in common: same protocol, meeting port ranges, and
        an address in common (no address is every address)."""
        return (self.protocol == other.protocol
                and self.host_port <= other.host_end and other.host_port <= self.host_end
                and (self.host_ip is None or other.host_ip is None or self.host_ip == other.host_ip))


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _port(text: str, what: str, spec: str, where: str) -> int:
    if not text:
        raise BadInput(f"{where}: {spec!r}: {what} is missing")
    if not (text.isascii() and text.isdigit()):
        raise BadInput(f"{where}: {spec!r}: {what} {text!r} is not a number")
    number = int(text)
    if not LOWEST <= number <= HIGHEST:
        raise BadInput(f"{where}: {spec!r}: {what} {number} is not a port ({LOWEST}-{HIGHEST})")
    return number


def _range(text: str, what: str, spec: str, where: str) -> tuple[int, int]:
    first, dash, last = text.partition("-")
    low = _port(first, what, spec, where)
    high = _port(last, f"{what} range end", spec, where) if dash else low
    if high < low:
        raise BadInput(f"{where}: {spec!r}: {what} range {low}-{high} runs backwards")
    return low, high


def parse_spec(spec: str, where: str) -> Published:
    """One ``-p`` spec; :class:`BadInput` names it and what is wrong with it."""
    body, slash, protocol = spec.partition("/")
    if slash and protocol not in PROTOCOLS:
        raise BadInput(f"{where}: {spec!r}: protocol {protocol!r} is neither tcp nor udp")
    parts = body.split(":")
    if len(parts) == 2:
        address: ipaddress.IPv4Address | None = None
        host, container = parts
    elif len(parts) == 3:
        try:
            address = ipaddress.IPv4Address(parts[0])
        except ValueError:
            raise BadInput(f"{where}: {spec!r}: host address {parts[0]!r} is not an IPv4 address") from None
        host, container = parts[1], parts[2]
    else:
        raise BadInput(f"{where}: {spec!r}: expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] "
                       "(HOSTIP an IPv4 address)")
    host_low, host_high = _range(host, "host port", spec, where)
    container_low, container_high = _range(container, "container port", spec, where)
    if host_high - host_low != container_high - container_low:
        raise BadInput(f"{where}: {spec!r}: host ports {_span(host_low, host_high)} and container ports "
                       f"{_span(container_low, container_high)} are not ranges of one length")
    return Published(host_ip=address, host_port=host_low, container_port=container_low,
                     count=host_high - host_low + 1, protocol=protocol or "tcp")


def parse_list(text: str, where: str) -> tuple[Published, ...]:
    """A comma list of specs (spaces around each are ignored), none claiming a host port another
    in the list claims."""
    found: list[Published] = []
    for item in text.split(","):
        spec = item.strip()
        if not spec:
            raise BadInput(f"{where}: an empty spec in {text!r}")
        published = parse_spec(spec, where)
        clash = next((p for p in found if p.overlaps(published)), None)
        if clash is not None:
            raise BadInput(f"{where}: {spec!r} publishes a host port {clash.spec()!r} publishes already")
        found.append(published)
    return tuple(found)
