"""Kernel-side interface operations of the simulated host: the ioctls behind ifconfig(8).

:mod:`hooks.testing.ifconfig` parses the command line the way sbin/ifconfig does and calls these;
each one does what its kernel counterpart does and raises :class:`KernelError` with the errno that
counterpart returns. Sources are cited per function; "13.x" and "14.x" name the releases whose
code differs (``SimState.osreldate``).
"""

import hashlib

from hooks.testing.model import (
    IFF_BROADCAST,
    IFF_KNOWSEPOCH,
    IFF_LOOPBACK,
    IFF_MULTICAST,
    IFF_PPROMISC,
    IFF_PROMISC,
    IFF_RUNNING,
    IFF_SIMPLEX,
    IFF_UP,
    IFNAMSIZ,
    Inet,
    Interface,
    SimState,
    Vnet,
)

#: Cloners a vnet has (if_clone.c keeps them per vnet, ``V_if_cloners``; if_epair.c and
#: if_bridge.c attach theirs in every vnet with VNET_SYSINIT, if_loop.c its ``lo``).
CLONERS = ("epair", "bridge", "lo")

#: Interfaces a simple cloner creates by itself and refuses to destroy (if_clone.c
#: ``ifcs_minifs``; if_loop.c creates ``lo0`` in every vnet).
_MINIFS = {"lo": 1}

#: if_clone.c ``IF_MAXUNIT``: the highest unit a cloner hands out.
IF_MAXUNIT = 0x7FFF

#: if.c ``SIOCSIFMTU``: ``IF_MINMTU`` and ``IF_MAXMTU`` (sys/net/if.h).
IF_MINMTU, IF_MAXMTU = 72, 65535

#: if.c ``SIOCSIFDESCR``: ``net.ifdescr_maxlen`` default; the length counts the NUL.
IFDESCR_MAXLEN = 1024

#: strerror(3) texts (lib/libc/gen/errlst.c) of the errnos these operations return.
STRERROR = {
    "EPERM": "Operation not permitted",
    "ENOENT": "No such file or directory",
    "ENXIO": "Device not configured",
    "EBUSY": "Device busy",
    "EEXIST": "File exists",
    "EINVAL": "Invalid argument",
    "ENOSPC": "No space left on device",
    "EOPNOTSUPP": "Operation not supported",
    "EADDRNOTAVAIL": "Can't assign requested address",
    "ENAMETOOLONG": "File name too long",
    "ENOTTY": "Inappropriate ioctl for device",
}


class KernelError(Exception):
    """An ioctl that failed: ``errno`` is the symbolic name (``ENXIO``), :attr:`text` its strerror."""

    def __init__(self, errno: str) -> None:
        super().__init__(errno)
        self.errno = errno

    @property
    def text(self) -> str:
        """strerror(3) of :attr:`errno`."""
        return STRERROR[self.errno]


def default_sysctls() -> dict[str, int]:
    """Per-vnet sysctls with their boot defaults (ip_input.c, ip6_input.c, if_bridge.c, pf_ioctl.c)."""
    return {
        "net.inet.ip.forwarding": 0,
        "net.inet6.ip6.forwarding": 0,
        "net.link.bridge.pfil_member": 1,
        "net.link.bridge.pfil_bridge": 0,
        "net.link.bridge.member_ifaddrs": 0,
        "net.pf.filter_local": 0,
    }


def base_flags(state: SimState, driver: str) -> int:
    """Flags of a newly attached interface.

    An epair is created down but RUNNING (if_epair.c ``epair_clone_create`` ->
    ``epair_set_state(ifp, true)``); the 13.x kernel also sets bit 0x20 (IFF_KNOWSEPOCH), as the
    walkthrough's 13.x listing shows in ``flags=8862`` (docs/walkthrough.md). A bridge is down and
    not running until brought up (if_bridge.c ``bridge_init``); a new lo0 is
    ``flags=8008<LOOPBACK,MULTICAST>``.
    """
    epoch = IFF_KNOWSEPOCH if state.osreldate < 1400000 else 0
    if driver == "epair":
        return IFF_BROADCAST | IFF_RUNNING | IFF_SIMPLEX | IFF_MULTICAST | epoch
    if driver == "bridge":
        return IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST
    if driver == "lo":
        return IFF_LOOPBACK | IFF_MULTICAST
    return IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST | epoch


def attach(state: SimState, vnet: Vnet, vnet_id: int, name: str, *, driver: str, unit: int,
           side: str = "", home: int | None = None) -> Interface:
    """Attach a new interface to ``vnet`` (if.c ``if_alloc_domain`` takes the ifindex,
    ``if_attach_internal`` appends it to the vnet's list)."""
    iface = Interface(
        name=name,
        driver=driver,
        unit=unit,
        home_vnet=vnet_id if home is None else home,
        index=alloc_index(state, vnet),
        flags=base_flags(state, driver),
        mtu=16384 if driver == "lo" else 1500,
        groups=[driver] if driver in CLONERS else [],  # if_clone.c joins a clone to its cloner's group
        side=side,
    )
    if driver in ("epair", "bridge"):
        iface.mac = state.mac_for(driver, side)
    insert(vnet, iface)
    return iface


def alloc_index(state: SimState, vnet: Vnet) -> int:
    """The lowest unused ifindex: "Try to find an empty slot below if_index. If we fail, take the
    next slot." (if.c ``if_alloc_domain``).

    From 14.0 the ifindex table is one for the whole system (if.c's ``ifindex_table`` without
    ``V_``), so a jail's new lo0 takes the next free index of the host too; 13.x keeps one table
    per vnet (``V_ifindex_table``).
    """
    if state.osreldate >= 1400000:
        used = {iface.index for _, each in state.vnets() for iface in each.interfaces.values()}
    else:
        used = {iface.index for iface in vnet.interfaces.values()}
    index = 1
    while index in used:
        index += 1
    return index


def free_index(vnet: Vnet) -> int:
    """The lowest ifindex unused in ``vnet`` (the 13.x per-vnet table; see :func:`alloc_index`)."""
    used = {iface.index for iface in vnet.interfaces.values()}
    index = 1
    while index in used:
        index += 1
    return index


def insert(vnet: Vnet, iface: Interface) -> None:
    """Add ``iface`` at the end of ``vnet``'s list (if.c ``if_link_ifnet``: CK_STAILQ_INSERT_TAIL).

    The kernel does not keep names unique when an interface comes home from a dying vnet or is
    reclaimed with ``-vnet`` (if.c ``if_attach_internal``: "we don't do anything to insure
    if_xname is unique"; ``if_vmove_reclaim`` checks no name), so a second interface with a taken
    name is kept under a private key; lookups by name find the first one, as ``ifunit()`` does.
    """
    iface.attached = max((i.attached for i in vnet.interfaces.values()), default=0) + 1
    _store(vnet, iface)


def _store(vnet: Vnet, iface: Interface) -> None:
    key = iface.name if iface.name not in vnet.interfaces else f"{iface.name}#{iface.index}"
    vnet.interfaces[key] = iface


def remove(vnet: Vnet, iface: Interface) -> None:
    """Take ``iface`` out of ``vnet``'s table; a namesake kept aside takes over the name."""
    key = next(k for k, v in vnet.interfaces.items() if v is iface)
    del vnet.interfaces[key]
    if key == iface.name:
        twin = next((k for k, v in vnet.interfaces.items() if v.name == iface.name), None)
        if twin is not None:
            vnet.interfaces[iface.name] = vnet.interfaces.pop(twin)


def listing(vnet: Vnet) -> list[Interface]:
    """Interfaces in the order the kernel lists them: the vnet's ``V_ifnet`` list, which
    ``getifaddrs(3)`` (13.x ifconfig) and the netlink RTM_GETLINK dump (14.x ifconfig) walk."""
    return sorted(vnet.interfaces.values(), key=lambda i: (i.attached, i.index))


def find(vnet: Vnet, name: str) -> Interface | None:
    """``ifunit(name)``: the interface with that name in ``vnet``."""
    return vnet.interfaces.get(name)


def units_in_use(state: SimState, vnet_id: int, cloner: str) -> set[int]:
    """Units of ``cloner`` reserved in ``vnet_id``: held until destroy, even after a rename or a
    move into a jail (if_clone.c ``ifc_alloc_unit``/``ifc_free_unit``: the unit is freed only in
    ``if_clone_destroyif``)."""
    return {
        iface.unit
        for _, vnet in state.vnets()
        for iface in vnet.interfaces.values()
        if iface.driver == cloner and iface.home_vnet == vnet_id
    }


def lowest_free_unit(used: set[int]) -> int:
    """``alloc_unr``: the lowest free unit number."""
    unit = 0
    while unit in used:
        unit += 1
    return unit


def _cloner_for(name: str) -> str | None:
    """The cloner whose match function accepts ``name``: if_clone.c ``ifc_simple_match`` (bridge,
    lo: the cloner's name, then digits or nothing) and if_epair.c ``epair_clone_match`` ("epair",
    then digits only: never ``epair0a``)."""
    for cloner in CLONERS:
        rest = name[len(cloner):]
        if name.startswith(cloner) and all("0" <= c <= "9" for c in rest):
            return cloner
    return None


def _name2unit(name: str) -> int:
    """if_clone.c ``ifc_name2unit``: -1 without digits; EINVAL for a leading zero or INT_MAX."""
    digits = name.lstrip("abcdefghijklmnopqrstuvwxyz")
    if not digits:
        return -1
    if digits[0] == "0" and len(digits) > 1:
        raise KernelError("EINVAL")  # "Disallow leading zeroes."
    if int(digits) > 0x7FFFFFFF:
        raise KernelError("EINVAL")
    return int(digits)


def _alloc_unit(state: SimState, vnet: Vnet, vnet_id: int, cloner: str, unit: int, pattern: str) -> int:
    """if_clone.c ``ifc_alloc_unit``: a given unit must be free (EEXIST) and not above
    ``IF_MAXUNIT`` (ENOSPC); without one, ``ifc_alloc_unit_next`` takes the lowest free unit and
    moves on while ``ifc_alloc_unit_specific`` says EEXIST, i.e. while the unit is held or the name
    ``pattern % unit`` already exists in this vnet (someone renamed an interface to it)."""
    used = units_in_use(state, vnet_id, cloner)
    if unit >= 0:
        if unit > IF_MAXUNIT:
            raise KernelError("ENOSPC")
        if unit in used or (pattern % unit) in vnet.interfaces:
            raise KernelError("EEXIST")
        return unit
    unit = lowest_free_unit(used)
    while True:
        if unit > IF_MAXUNIT:
            raise KernelError("ENOSPC")  # alloc_unr() -> -1, or the loop ran past the top
        if unit not in used and (pattern % unit) not in vnet.interfaces:
            return unit
        unit += 1


def clone_create(state: SimState, vnet: Vnet, vnet_id: int, name: str) -> Interface:
    """SIOCIFCREATE2: if_clone.c ``ifc_create_ifp`` / ``if_clone_createif_nl``.

    No cloner of this vnet matches -> EINVAL; the name exists -> EEXIST. A simple cloner
    (bridge, lo) allocates the unit and appends it to a wildcard name; if_epair.c
    ``epair_handle_unit`` allocates a unit and refuses with EEXIST, without trying another unit,
    when ``epairNa`` or ``epairNb`` already exists. Returns the interface, whose name is what the
    kernel copies back to ifconfig (``epair0a`` for ``epair``).
    """
    cloner = _cloner_for(name)
    if cloner is None:
        raise KernelError("EINVAL")
    if name in vnet.interfaces:
        raise KernelError("EEXIST")
    unit = _name2unit(name)
    if cloner == "epair":
        unit = _alloc_unit(state, vnet, vnet_id, cloner, unit, "epair%d")
        a_name, b_name = f"epair{unit}a", f"epair{unit}b"
        if len(b_name) >= IFNAMSIZ:
            raise KernelError("ENOSPC")  # "No space left for our [ab] suffix."
        if b_name in vnet.interfaces or a_name in vnet.interfaces:
            raise KernelError("EEXIST")
        a = attach(state, vnet, vnet_id, a_name, driver="epair", unit=unit, side="a")
        attach(state, vnet, vnet_id, b_name, driver="epair", unit=unit, side="b")
        return a
    unit = _alloc_unit(state, vnet, vnet_id, cloner, unit, cloner + "%d")
    return attach(state, vnet, vnet_id, f"{cloner}{unit}", driver=cloner, unit=unit)


def clone_destroy(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """SIOCIFDESTROY: if_clone.c ``if_clone_destroy``.

    The cloner is looked up by driver name in the interface's home vnet (so a jail can destroy an
    epair end the host created); none (``em0``) -> EINVAL; a simple cloner refuses its own
    ``lo0`` (``unit < ifcs_minifs`` -> EINVAL).
    """
    if iface.driver not in CLONERS or iface.unit < _MINIFS.get(iface.driver, 0):
        raise KernelError("EINVAL")
    destroy(state, vnet, iface)


def set_up(state: SimState, iface: Interface, up: bool) -> None:
    """Bring an interface up or down as the boot scripts leave it: for a loopback that is
    ``ifconfig lo0 inet 127.0.0.1/8 up`` (rc.d/netif), so it is also RUNNING (if_loop.c
    ``loioctl`` SIOCSIFADDR). ifconfig's ``up``/``down`` words use :func:`set_flags`."""
    if_updown(state, iface, up)
    if up and iface.driver == "lo":
        iface.flags |= IFF_RUNNING


def if_updown(state: SimState, iface: Interface, up: bool) -> None:
    """Set or clear IFF_UP through SIOCSIFFLAGS (if.c ``if_up``/``if_down``, then the driver).

    A bridge runs only while up (if_bridge.c ``bridge_init``/``bridge_stop``). if_loop.c
    ``loioctl`` does nothing for SIOCSIFFLAGS but the link state, so a loopback brought up without
    an address is not RUNNING. ``if_up`` calls ``in6_if_up``, which gives a loopback ::1 and
    fe80::1 (netinet6/in6_ifattach.c ``in6_ifattach_loopback``); epairs and bridges have
    ND6_IFF_IFDISABLED (``nd6 options=29<...IFDISABLED...>``) and get none.
    """
    if up:
        iface.flags |= IFF_UP
        if iface.driver == "bridge":
            iface.flags |= IFF_RUNNING
        if iface.driver == "lo" and not iface.inet6:
            iface.inet6 = ["::1 prefixlen 128", f"fe80::1%{iface.name} prefixlen 64 scopeid 0x{iface.index:x}"]
    else:
        iface.flags &= ~IFF_UP
        if iface.driver == "bridge":
            iface.flags &= ~IFF_RUNNING


def set_flags(state: SimState, iface: Interface, bit: int, on: bool) -> None:
    """SIOCSIFFLAGS with one user-settable bit changed (if.c ``ifhwioctl``).

    IFF_UP goes through :func:`if_updown`. IFF_PPROMISC also sets IFF_PROMISC, and clearing it
    clears IFF_PROMISC unless something else (a bridge) holds the interface promiscuous
    ("See if permanently promiscuous mode bit is about to flip").
    """
    if bit == IFF_UP:
        if_updown(state, iface, on)
        return
    if on:
        iface.flags |= bit
    else:
        iface.flags &= ~bit
    if bit == IFF_PPROMISC:
        if on:
            iface.flags |= IFF_PROMISC
        elif not iface.bridge:
            iface.flags &= ~IFF_PROMISC


def link_up(state: SimState, iface: Interface) -> bool:
    """Whether the link state is UP (what 14.x ifconfig shows as LOWER_UP).

    An epair's link is up from creation (if_epair.c ``epair_set_state``), a physical port's while
    cabled; a loopback's follows IFF_UP (if_loop.c ``loioctl``: ``if_link_state_change`` on
    SIOCSIFFLAGS and SIOCSIFADDR). A bridge's link is up while a member's link is up [guess:
    if_bridge.c ``bridge_linkcheck``, recalled, not read].
    """
    if iface.driver == "lo":
        return iface.up
    if iface.driver != "bridge":
        return True
    for _, vnet in state.vnets():
        if any(v is iface for v in vnet.interfaces.values()):
            return any(m in vnet.interfaces and link_up(state, vnet.interfaces[m]) for m in iface.members)
    return False


def set_mtu(state: SimState, vnet: Vnet, iface: Interface, mtu: int) -> None:
    """SIOCSIFMTU (if.c ``ifhwioctl``): outside IF_MINMTU..IF_MAXMTU -> EINVAL; a bridge member
    -> EOPNOTSUPP ("Disallow MTU changes on bridge member interfaces", the 14.x if.c read; 13.x
    [guess]); then the driver: if_epair.c and if_loop.c take any MTU ("We basically allow all
    kinds of MTUs."); a bridge sets every member's MTU, EINVAL when one refuses (if_bridge.c
    ``bridge_ioctl`` SIOCSIFMTU [guess: recalled]); an em(4) port at most 9216 [guess]."""
    if not IF_MINMTU <= mtu <= IF_MAXMTU:
        raise KernelError("EINVAL")
    if iface.bridge:
        raise KernelError("EOPNOTSUPP")
    if iface.driver == "bridge":
        members = [vnet.interfaces[m] for m in iface.members if m in vnet.interfaces]
        if any(not _driver_takes_mtu(m, mtu) for m in members):
            raise KernelError("EINVAL")
        for member in members:
            member.mtu = mtu
    elif not _driver_takes_mtu(iface, mtu):
        raise KernelError("EINVAL")
    iface.mtu = mtu


def _driver_takes_mtu(iface: Interface, mtu: int) -> bool:
    return iface.driver != "em" or mtu <= 9216


def set_description(iface: Interface, text: str) -> None:
    """SIOCSIFDESCR (if.c ``ifhwioctl``): a length (with the NUL) above ``net.ifdescr_maxlen``
    -> ENAMETOOLONG; an empty one clears the description."""
    if len(text.encode()) + 1 > IFDESCR_MAXLEN:
        raise KernelError("ENAMETOOLONG")
    iface.description = text


def rename(state: SimState, vnet: Vnet, iface: Interface, new: str) -> None:
    """SIOCSIFNAME (if.c ``ifhwioctl`` -> ``if_rename``).

    ``copyinstr(..., IFNAMSIZ)`` -> ENAMETOOLONG; empty -> EINVAL; the same name -> nothing (14.x
    ``if_rename``: ``strcmp(new_name, ifp->if_xname) == 0`` returns 0; 13.x has no such test and
    finds the name taken: EEXIST); a taken name -> EEXIST. The interface keeps its place in the
    list, its groups, addresses and bridge membership (IFF_RENAMING: if_bridge.c
    ``bridge_ifdetach`` ignores the departure event of a rename).
    """
    if len(new.encode()) >= IFNAMSIZ:
        raise KernelError("ENAMETOOLONG")
    if not new:
        raise KernelError("EINVAL")
    if new == iface.name and state.osreldate >= 1400000:
        return
    if new in vnet.interfaces:
        raise KernelError("EEXIST")
    old = iface.name
    remove(vnet, iface)
    iface.name = new
    _store(vnet, iface)
    if iface.bridge and iface.bridge in vnet.interfaces:
        members = vnet.interfaces[iface.bridge].members
        members[members.index(old)] = new
    for member in iface.members:
        if member in vnet.interfaces:
            vnet.interfaces[member].bridge = new
    for route in vnet.routes:
        if route.interface == old:
            route.interface = new
    if iface.driver == "lo":
        iface.inet6 = [line.replace(f"%{old} ", f"%{new} ") for line in iface.inet6]


def add_group(iface: Interface, group: str) -> None:
    """SIOCAIFGROUP (if.c ``if_addgroup``): a name ending in a digit -> EINVAL; already a member
    (every interface is in ``all``) -> EEXIST; else the group is appended."""
    if group[-1:].isdigit():
        raise KernelError("EINVAL")
    if group == "all" or group in iface.groups:
        raise KernelError("EEXIST")
    iface.groups.append(group)


def delete_group(iface: Interface, group: str) -> None:
    """SIOCDIFGROUP (if.c ``if_delgroup``): not a member -> ENOENT."""
    if group not in iface.groups:
        raise KernelError("ENOENT")
    iface.groups.remove(group)


def add_inet(state: SimState, vnet: Vnet, iface: Interface, address: str, prefixlen: int) -> None:
    """Add an IPv4 address (netinet/in.c ``in_aifaddr_ioctl``; the 14.x netlink RTM_NEWADDR ends
    there too).

    An address the interface already has is deleted first ("See whether address already exist."
    -> ``in_difaddr_ioctl``) and added again, so it is no error; the new one goes to the end of
    the list (CK_STAILQ_INSERT_TAIL). The driver's SIOCSIFADDR marks the interface UP (net/if_ethersubr.c
    ``ether_ioctl``: ``ifp->if_flags |= IFF_UP``; if_bridge.c ``bridge_init``; if_loop.c
    ``loioctl`` also sets RUNNING) without ``if_up``, so a loopback gets no IPv6 from it [guess].
    FreeBSD 15.0: a bridge member may carry no address unless ``net.link.bridge.member_ifaddrs=1``
    (15.0 release notes) [guess: exact errno].
    """
    if state.osreldate >= 1500000 and iface.bridge and not vnet.sysctls.get("net.link.bridge.member_ifaddrs", 0):
        raise KernelError("EINVAL")
    iface.inet = [a for a in iface.inet if a.address != address]
    iface.inet.append(Inet(address, prefixlen))
    iface.flags |= IFF_UP
    if iface.driver in ("bridge", "lo"):
        iface.flags |= IFF_RUNNING


def delete_inet(state: SimState, iface: Interface, address: str | None) -> None:
    """Delete an IPv4 address (netinet/in.c ``in_difaddr_ioctl``): the given one, or without one
    the first (``deleteAny``); none to delete -> EADDRNOTAVAIL.

    14.x ifconfig asks for "the first" itself (af_inet.c ``in_delete_first_nl``) and returns 0
    when there is none.
    """
    if address is None:
        if not iface.inet:
            if state.osreldate >= 1400000:
                return
            raise KernelError("EADDRNOTAVAIL")
        iface.inet.pop(0)
        return
    if address not in [a.address for a in iface.inet]:
        raise KernelError("EADDRNOTAVAIL")
    iface.inet = [a for a in iface.inet if a.address != address]


def set_lladdr(iface: Interface, lladdr: bytes) -> None:
    """SIOCSIFLLADDR (if.c ``if_setlladdr``): the length must be the interface's address length,
    6 for Ethernet, 0 for a loopback (EINVAL otherwise)."""
    if iface.driver == "lo" or len(lladdr) != 6:
        raise KernelError("EINVAL")
    iface.mac = ":".join(f"{b:02x}" for b in lladdr)


def random_lladdr(state: SimState) -> bytes:
    """``ether random`` (af_link.c ``link_getaddr``): random bytes, unicast and locally
    administered. Derived from the host's serial here, so a run is repeatable."""
    state.serial += 1
    digest = bytearray(hashlib.sha256(f"random{state.serial}".encode()).digest()[:6])
    digest[0] = (digest[0] & 0xFC) | 0x02
    return bytes(digest)


def add_member(state: SimState, vnet: Vnet, bridge: Interface, name: str) -> None:
    """BRDGADD (if_bridge.c ``bridge_ioctl_add``), after SIOCSDRVSPEC reached the bridge.

    Not a bridge: the driver's ioctl refuses SIOCSDRVSPEC (``ether_ioctl``/``loioctl``) ->
    EINVAL. No such interface -> ENOENT; a member of this bridge -> EEXIST, of another -> EBUSY;
    not Ethernet (a bridge, a loopback) -> EINVAL; 15.0: carries an IP address -> EINVAL (release
    notes) [guess: errno]. The first member sets the bridge's MTU; a later one is set to the
    bridge's MTU, EINVAL if its driver refuses [guess: the 14.x order of these checks, recalled].
    The member is inserted at the head of the list (CK_LIST_INSERT_HEAD) and made promiscuous
    (``ifpromisc``).
    """
    if bridge.driver != "bridge":
        raise KernelError("EINVAL")
    member = vnet.interfaces.get(name)
    if member is None:
        raise KernelError("ENOENT")
    if member.bridge == bridge.name:
        raise KernelError("EEXIST")
    if member.bridge:
        raise KernelError("EBUSY")
    if member.driver in ("bridge", "lo"):
        raise KernelError("EINVAL")
    if state.osreldate >= 1500000 and member.inet and not vnet.sysctls.get("net.link.bridge.member_ifaddrs", 0):
        raise KernelError("EINVAL")
    present = [m for m in bridge.members if m in vnet.interfaces]
    if not present:
        bridge.mtu = member.mtu
    elif member.mtu != bridge.mtu:
        if not _driver_takes_mtu(member, bridge.mtu):
            raise KernelError("EINVAL")
        member.mtu = bridge.mtu
    bridge.members.insert(0, member.name)
    member.bridge = bridge.name
    member.flags |= IFF_PROMISC


def delete_member(vnet: Vnet, bridge: Interface, name: str) -> None:
    """BRDGDEL (if_bridge.c ``bridge_ioctl_del``): not a member -> ENOENT; a non-bridge refuses
    SIOCSDRVSPEC -> EINVAL. The member leaves promiscuous mode unless set by hand (PPROMISC)."""
    if bridge.driver != "bridge":
        raise KernelError("EINVAL")
    if name not in bridge.members:
        raise KernelError("ENOENT")
    bridge.members.remove(name)
    member = vnet.interfaces.get(name)
    if member is not None:
        member.bridge = ""
        if not member.flags & IFF_PPROMISC:
            member.flags &= ~IFF_PROMISC


def locate(state: SimState, driver: str, unit: int, home: int, side: str) -> tuple[int, Vnet, Interface] | None:
    """Find an interface by identity (driver, unit, home vnet, epair side) in whatever vnet it is."""
    for vnet_id, vnet in state.vnets():
        for iface in vnet.interfaces.values():
            if (iface.driver, iface.unit, iface.home_vnet, iface.side) == (driver, unit, home, side):
                return vnet_id, vnet, iface
    return None


def detach(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """Remove ``iface`` from ``vnet``: it leaves its bridge (if_bridge.c ``bridge_ifdetach``), a
    bridge releases its members, and routes through it go (if.c ``if_detach_internal``)."""
    if iface.bridge and iface.bridge in vnet.interfaces:
        bridge = vnet.interfaces[iface.bridge]
        if iface.name in bridge.members:
            bridge.members.remove(iface.name)
    for member in iface.members:
        if member in vnet.interfaces:
            vnet.interfaces[member].bridge = ""
            if not vnet.interfaces[member].flags & IFF_PPROMISC:
                vnet.interfaces[member].flags &= ~IFF_PROMISC
    iface.members = []
    iface.bridge = ""
    vnet.routes[:] = [r for r in vnet.routes if r.interface != iface.name]
    remove(vnet, iface)


def destroy(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """Destroy a cloned interface; for an epair, destroy **both** ends wherever the other one is
    (if_epair.c ``epair_clone_destroy``: ``CURVNET_SET_QUIET(oifp->if_vnet)`` then
    ``if_clone_destroyif(ifc, oifp)``)."""
    detach(state, vnet, iface)
    if iface.driver == "epair":
        other = locate(state, "epair", iface.unit, iface.home_vnet, "b" if iface.side == "a" else "a")
        if other is not None:
            detach(state, other[1], other[2])


def move(state: SimState, source: Vnet, iface: Interface, target: Vnet) -> None:
    """Move ``iface`` to another vnet (if.c ``if_vmove``).

    ``if_detach_internal(ifp, true)`` drops bridge membership, every group (``if_delgroups``),
    the up flag (``if_down``) and every address; ``if_attach_internal(ifp, true)`` appends it to
    the target's list, where it joins ``all`` and gets its cloner group back (if_clone.c
    ``if_clone_restoregroup``). Name, MAC, MTU and description stay. The ifindex stays on 14.x
    (one system-wide table); 13.x takes a new one in the target vnet.
    """
    detach(state, source, iface)
    iface.flags &= ~(IFF_UP | IFF_PROMISC | IFF_PPROMISC)
    iface.inet = []
    iface.inet6 = []
    iface.groups = [iface.driver] if iface.driver in CLONERS else []
    if state.osreldate < 1400000:
        iface.index = free_index(target)
    insert(target, iface)


def loan(state: SimState, vnet: Vnet, vnet_id: int, iface: Interface, jid: int, *, in_jail: bool) -> None:
    """SIOCSIFVNET (if.c ``if_vmove_loan``): the jail is looked up among the caller's child
    prisons (``prison_find_child``: none from inside a jail) -> ENXIO; it has no vnet of its own
    (it is the caller's) -> EEXIST; the name exists in its vnet -> EEXIST.

    A dying jail -> EBUSY [guess: the kernel's EBUSY is for a vnet being shut down].
    """
    jail = None if in_jail else next((j for j in state.jails.values() if j.jid == jid), None)
    if jail is None:
        raise KernelError("ENXIO")
    target = jail.vnet if jail.vnet is not None else state.host
    if target is vnet or jail.vnet is None:
        raise KernelError("EEXIST")
    if iface.name in target.interfaces:
        raise KernelError("EEXIST")
    if jail.dying:
        raise KernelError("EBUSY")
    move(state, vnet, iface, target)


def reclaim(state: SimState, vnet: Vnet, name: str, jid: int, *, in_jail: bool) -> None:
    """SIOCSIFRVNET (if.c ``if_vmove_reclaim``): the jail among the caller's children -> ENXIO;
    the name in the jail's vnet -> ENXIO ("Make sure the named iface exists in the source
    prison/vnet"); that vnet is the caller's -> EEXIST. The name is not checked in the caller's
    vnet: two interfaces may then share it."""
    jail = None if in_jail else next((j for j in state.jails.values() if j.jid == jid), None)
    if jail is None:
        raise KernelError("ENXIO")
    source = jail.vnet if jail.vnet is not None else state.host
    iface = source.interfaces.get(name)
    if iface is None:
        raise KernelError("ENXIO")
    if source is vnet:
        raise KernelError("EEXIST")
    move(state, source, iface, vnet)


def dissolve_vnet(state: SimState, vnet_id: int, vnet: Vnet) -> None:
    """Destroy a jail's vnet (if.c ``vnet_if_return``, if_clone.c ``if_clone_detach``).

    Interfaces whose home is another vnet go back there, under the name they have now (nothing
    checks for a clash, if.c ``if_attach_internal``); interfaces created inside are destroyed.
    """
    for iface in list(vnet.interfaces.values()):
        if not any(v is iface for v in vnet.interfaces.values()):
            continue  # went with its epair peer
        if iface.home_vnet == vnet_id:
            destroy(state, vnet, iface)
            continue
        home = state.vnet_of(iface.home_vnet)
        if home is None:  # pragma: no cover - homes outlive their children's vnets
            detach(state, vnet, iface)
            continue
        move(state, vnet, iface, home)
