"""A network's vxlan(4) overlay: the network key ``vxlan``, which joins the bridges of the hosts
sharing a cluster network over UDP (docs/multi-host.md)::

    [networks.shared]
    vxlan = { id = 42, local = "192.0.2.10", group = "239.1.1.42", dev = "em0" }   # multicast
    vxlan = { id = 42, local = "192.0.2.10", remote = "192.0.2.11" }                # unicast

The words and their rules are ifconfig's and the kernel's (sbin/ifconfig/ifvxlan.c
``vxlan_cmds[]``; sys/net/if_vxlan.c ``vxlan_valid_init_config()``): a VNI of 24 bits; a group
must be multicast and a remote unicast, of the local address's family; ``dev`` (the multicast
interface) only with a group. Checked here, so that a configuration the kernel would leave
not RUNNING is refused before any create.
"""

import ipaddress
import re
from typing import Any

import attrs

from hooks.errors import BadInput
from ocispec import InvalidDocument, structure
from ocispec.value import Value

MAX_VNI = (1 << 24) - 1
#: What the encapsulation adds in front of each inner frame: outer IPv4 (20) or IPv6 (40), UDP
#: (8), VXLAN (8), and the inner Ethernet header (14) (sys/net/if_vxlan.c ``VXLAN_HDR_ETHER_SIZE``).
OVERHEAD4 = 50
OVERHEAD6 = 70
_IFNAME = r"[A-Za-z][A-Za-z0-9_.]{0,14}"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class OverlayEntry(Value):
    """The ``vxlan`` table as written."""

    id: int
    local: str
    group: str | None = None
    remote: str | None = None
    dev: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Overlay(Value):
    """A validated overlay."""

    vni: int
    local: ipaddress.IPv4Address | ipaddress.IPv6Address
    peer: ipaddress.IPv4Address | ipaddress.IPv6Address
    """The multicast group, or the one remote host (unicast)."""
    dev: str | None = None

    @property
    def multicast(self) -> bool:
        return self.peer.is_multicast

    @property
    def mtu(self) -> int:
        """The largest inner frame a 1500-byte underlay carries unfragmented: 1450 over IPv4,
        1430 over IPv6 (the MTU the kernel gives a new vxlan interface, ``vxlan_set_default_mtu``)."""
        return 1500 - (OVERHEAD4 if self.local.version == 4 else OVERHEAD6)

    @property
    def interface(self) -> str:
        """The vxlan interface's name: ``jnx`` and the VNI (at most 11 characters)."""
        return f"jnx{self.vni}"

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str) -> "Overlay":
        """The ``vxlan`` table as the configuration file gives it: structured strictly (an
        unknown key is an error), then validated (:meth:`parse`)."""
        try:
            entry = structure(table, OverlayEntry, where=where, strict=True)
        except InvalidDocument as exc:
            raise BadInput(exc.lines[0]) from None
        return cls.parse(entry, where)

    @classmethod
    def parse(cls, entry: OverlayEntry, where: str) -> "Overlay":
        if not 0 <= entry.id <= MAX_VNI:
            raise BadInput(f"{where}.id: {entry.id} is not a VXLAN network identifier (0 to {MAX_VNI})")
        local = _address(entry.local, f"{where}.local")
        if (entry.group is None) == (entry.remote is None):
            raise BadInput(f"{where}: give group (multicast) or remote (unicast), one of the two")
        if entry.group is not None:
            peer = _address(entry.group, f"{where}.group")
            if not peer.is_multicast:
                raise BadInput(f"{where}.group: {peer} is not a multicast address")
        else:
            peer = _address(entry.remote or "", f"{where}.remote")
            if peer.is_multicast:
                raise BadInput(f"{where}.remote: {peer} is a multicast address: use group")
            if entry.dev is not None:
                raise BadInput(f"{where}.dev: only with a group (the kernel refuses a multicast interface "
                               "for a unicast remote)")
        if peer.version != local.version:
            raise BadInput(f"{where}: local {local} and {peer} are not of one address family")
        if entry.dev is not None and not re.fullmatch(_IFNAME, entry.dev):
            raise BadInput(f"{where}.dev: {entry.dev!r} is not an interface name")
        return cls(vni=entry.id, local=local, peer=peer, dev=entry.dev)


def _address(text: str, where: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise BadInput(f"{where}: {text!r} is not an IP address") from None
