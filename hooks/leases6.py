"""A dual-stack network's IPv6 leases (docs/ipv6.md): :class:`LeaseStore6`, loaded only for a
network with ``subnet6``, so that an IPv4-only hook does not build its class
(docs/performance.md)."""

import ipaddress
import itertools
from collections.abc import Container, Iterator
from typing import TYPE_CHECKING, ClassVar

import attrs

from hooks.leases import Leases, PoolExhausted

if TYPE_CHECKING:
    from hooks.netconf import Network


@attrs.frozen(eq=False, repr=False)
class LeaseStore6(Leases[ipaddress.IPv6Address]):
    """The IPv6 leases of a dual-stack network (its ``inet6/`` directory).

    An automatic address carries the container's IPv4 host number: 172.17.0.5 on 172.17.0.0/16
    gets fd00:17::5 on fd00:17::/64 (docs/ipv6.md). When that one is taken (by a static
    ``org.jailnet.ipv6``), is the gateway or lies beyond a short prefix, the next free address
    after it is taken instead, wrapping around the subnet.
    """

    network: "Network"
    annotation: ClassVar[str] = "org.jailnet.ipv6"

    def reserve(self, container_id: str, static: ipaddress.IPv6Address | None,
                host_number: int, avoid: Container[ipaddress.IPv6Address] = ()) -> ipaddress.IPv6Address:
        """Lease ``static``, or the address with ``host_number`` (the IPv4 one's), or the next free
        one not in ``avoid``, to ``container_id`` (call under the lock); a repeated reserve is stable."""
        held = self.find(container_id)
        if held is not None and (static is None or static == held):
            return held
        if static is not None:
            return self._take(container_id, static, held)
        for address in self._candidates(host_number):
            if address not in avoid and self._claim(address, container_id):
                return address
        raise PoolExhausted(f"network {self.network.name}: no free address left in {self.network.subnet6}")

    def peek(self, container_id: str, static: ipaddress.IPv6Address | None,
             host_number: int) -> ipaddress.IPv6Address:
        """The address :meth:`reserve` would give, without claiming it (for ``--dry-run``)."""
        held = self.find(container_id)
        if held is not None and (static is None or static == held):
            return held
        if static is not None:
            self.check_free(container_id, static)
            return static
        for address in self._candidates(host_number):
            if self.holder(address) is None:
                return address
        raise PoolExhausted(f"network {self.network.name}: no free address left in {self.network.subnet6}")

    def _candidates(self, host_number: int) -> Iterator[ipaddress.IPv6Address]:
        """From the address with ``host_number`` on, wrapping around: every address of the subnet
        but its Subnet-Router anycast address (RFC 4291 2.6.1) and the gateway. Made one at a time:
        a /64 has 2**64 of them, and the first is usually free."""
        subnet, gateway = self.network.subnet6, self.network.gateway6
        assert subnet is not None and gateway is not None, "a dual-stack network"
        base, size = int(subnet.network_address), subnet.num_addresses
        start = host_number if 0 < host_number < size else 1
        for number in itertools.chain(range(start, size), range(1, start)):
            address = ipaddress.IPv6Address(base + number)
            if address != gateway:
                yield address
