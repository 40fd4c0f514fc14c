"""Kernel-side interface operations of the simulated host: the ioctls behind ifconfig(8).

:mod:`hooks.testing.ifconfig` parses the command line the way sbin/ifconfig does and calls these;
each one does what its kernel counterpart does and raises :class:`KernelError` with the errno that
counterpart returns. Sources are cited per function; "13.x" and "14.x" name the releases whose
code differs (``SimState.osreldate``).
"""

import hashlib
import ipaddress

import attrs

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
    IN6_IFF_ANYCAST,
    IN6_IFF_TENTATIVE,
    ND6_IFF_AUTO_LINKLOCAL,
    ND6_IFF_IFDISABLED,
    ND6_IFF_NO_DAD,
    ND6_IFF_PERFORMNUD,
    VXLAN_VNI_MAX,
    Inet,
    Inet6,
    Interface,
    SimState,
    Vnet,
    Vxlan,
)

#: Cloners a vnet has (if_clone.c keeps them per vnet, ``V_if_cloners``; if_epair.c and
#: if_bridge.c attach theirs in every vnet with VNET_SYSINIT, if_loop.c its ``lo``). if_vxlan.c
#: attaches its cloner once, at module load (``vxlan_load``; ifconfig.c ``ifmaybeload`` loads
#: if_vxlan.ko on the first ``ifconfig vxlan create``), in vnet0; a vnet jail reaches it through
#: if_clone.c ``if_clone_create``'s fallback to vnet0's cloners [guess: the VIMAGE fallback is
#: recalled, not read].
CLONERS = ("epair", "bridge", "lo", "vxlan")

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
    if driver == "vxlan":
        # if_vxlan.c vxlan_clone_create(): "ifp->if_flags = IFF_BROADCAST | IFF_SIMPLEX |
        # IFF_MULTICAST"; down and not running until vxlan_init() [guess: no KNOWSEPOCH on 13.x]
        return IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST
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
    if driver in ("epair", "bridge", "vxlan"):
        # a vxlan's is made up too (if_vxlan.c vxlan_clone_create -> vxlan_fakeaddr) [guess:
        # the 58:9c:fc form of mac_for stands in for its bytes]
        iface.mac = state.mac_for(driver, side)
    iface.nd6 = nd6_ifattach(iface)
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


def clone_create(state: SimState, vnet: Vnet, vnet_id: int, name: str,
                 params: "VxlanParam | None" = None) -> Interface:
    """SIOCIFCREATE2: if_clone.c ``ifc_create_ifp`` / ``if_clone_createif_nl``.

    No cloner of this vnet matches -> EINVAL; the name exists -> EEXIST. A simple cloner
    (bridge, lo) allocates the unit and appends it to a wildcard name; if_epair.c
    ``epair_handle_unit`` allocates a unit and refuses with EEXIST, without trying another unit,
    when ``epairNa`` or ``epairNb`` already exists. Returns the interface, whose name is what the
    kernel copies back to ifconfig (``epair0a`` for ``epair``). A vxlan gets its configuration
    from ``params`` (``ifr_data``, :func:`vxlan_clone_create`); other cloners ignore it.
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
    iface = attach(state, vnet, vnet_id, f"{cloner}{unit}", driver=cloner, unit=unit)
    if cloner == "vxlan":
        vxlan_clone_create(iface, params or VxlanParam())
    return iface


def clone_destroy(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """SIOCIFDESTROY: if_clone.c ``if_clone_destroy``.

    The cloner is looked up by driver name in the interface's home vnet (so a jail can destroy an
    epair end the host created); none (``em0``) -> EINVAL; a simple cloner refuses its own
    ``lo0`` (``unit < ifcs_minifs`` -> EINVAL).
    """
    if iface.driver not in CLONERS or iface.unit < _MINIFS.get(iface.driver, 0):
        raise KernelError("EINVAL")
    destroy(state, vnet, iface)


def set_up(state: SimState, vnet: Vnet, iface: Interface, up: bool) -> None:
    """Bring an interface up or down as the boot scripts leave it: for a loopback that is
    ``ifconfig lo0 inet 127.0.0.1/8 up`` (rc.d/netif), so it is also RUNNING (if_loop.c
    ``loioctl`` SIOCSIFADDR). ifconfig's ``up``/``down`` words use :func:`set_flags`."""
    if_updown(state, vnet, iface, up)
    if up and iface.driver == "lo":
        iface.flags |= IFF_RUNNING


def if_updown(state: SimState, vnet: Vnet, iface: Interface, up: bool) -> None:
    """Set or clear IFF_UP through SIOCSIFFLAGS (if.c ``ifhwioctl``: ``if_up``/``if_down`` only
    when the bit flips, then the driver).

    A bridge runs only while up (if_bridge.c ``bridge_init``/``bridge_stop``). if_loop.c
    ``loioctl`` does nothing for SIOCSIFFLAGS but the link state. ``if_up`` reaches
    ``in6_if_up`` (13.x if.c ``if_route``; 14.x in6.c ``in6_ifevent`` on IFNET_EVENT_UP), which
    gives a loopback ::1 and fe80::1 and an interface without IFDISABLED its link-local address
    (:func:`in6_if_up`).
    """
    was_up = iface.up
    if up:
        iface.flags |= IFF_UP
        if iface.driver == "bridge":
            iface.flags |= IFF_RUNNING
        if not was_up:
            in6_if_up(state, vnet, iface)
    else:
        iface.flags &= ~IFF_UP
        if iface.driver == "bridge":
            iface.flags &= ~IFF_RUNNING
    if iface.driver == "vxlan":
        vxlan_ioctl_ifflags(state, vnet, iface)


def set_flags(state: SimState, vnet: Vnet, iface: Interface, bit: int, on: bool) -> None:
    """SIOCSIFFLAGS with one user-settable bit changed (if.c ``ifhwioctl``).

    IFF_UP goes through :func:`if_updown`. IFF_PPROMISC also sets IFF_PROMISC, and clearing it
    clears IFF_PROMISC unless something else (a bridge) holds the interface promiscuous
    ("See if permanently promiscuous mode bit is about to flip").
    """
    if bit == IFF_UP:
        if_updown(state, vnet, iface, on)
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
    if_bridge.c ``bridge_linkcheck``, recalled, not read]. A vxlan's goes UP when
    ``vxlan_init`` succeeds and DOWN in ``vxlan_teardown`` (``if_link_state_change``); it is
    LINK_STATE_UNKNOWN before, which netlink does not report as LOWER_UP.
    """
    if iface.driver == "lo":
        return iface.up
    if iface.driver == "vxlan":
        return bool(iface.flags & IFF_RUNNING)
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
    ``bridge_ioctl`` SIOCSIFMTU [guess: recalled]); an em(4) port at most 9216 [guess]; a vxlan
    ``ETHERMIN``..``VXLAN_MAX_MTU`` (if_vxlan.c ``vxlan_ioctl`` SIOCSIFMTU, which also latches
    VXLAN_FLAG_USER_MTU; below 72 if.c has refused it already)."""
    if not IF_MINMTU <= mtu <= IF_MAXMTU:
        raise KernelError("EINVAL")
    if iface.bridge:
        raise KernelError("EOPNOTSUPP")
    if iface.driver == "bridge":
        members = [vnet.interfaces[m] for m in iface.members if m in vnet.interfaces]
        if any(not _driver_takes_mtu(m, mtu) for m in members):
            raise KernelError("EINVAL")
        for member in members:
            _driver_set_mtu(member, mtu)
    elif not _driver_takes_mtu(iface, mtu):
        raise KernelError("EINVAL")
    _driver_set_mtu(iface, mtu)


def _driver_takes_mtu(iface: Interface, mtu: int) -> bool:
    if iface.driver == "vxlan":
        return ETHERMIN <= mtu <= VXLAN_MAX_MTU
    return iface.driver != "em" or mtu <= 9216


def _driver_set_mtu(iface: Interface, mtu: int) -> None:
    """The driver's SIOCSIFMTU once accepted: the MTU, and for a vxlan VXLAN_FLAG_USER_MTU
    (if_vxlan.c ``vxlan_ioctl``: "sc->vxl_flags |= VXLAN_FLAG_USER_MTU")."""
    iface.mtu = mtu
    if iface.vxlan is not None:
        iface.vxlan.user_mtu = True


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
    the list (CK_STAILQ_INSERT_TAIL). The driver's SIOCSIFADDR marks the interface UP
    (:func:`_siocsifaddr`); the caller then notices the flip and calls ``if_up``, so IPv6 comes
    up with it (:func:`_up_after_address`).
    FreeBSD 15.0: a bridge member may carry no address unless ``net.link.bridge.member_ifaddrs=1``
    (15.0 release notes) [guess: exact errno].
    """
    if state.osreldate >= 1500000 and iface.bridge and not vnet.sysctls.get("net.link.bridge.member_ifaddrs", 0):
        raise KernelError("EINVAL")
    was_up = iface.up
    seq = next_seq(iface)
    iface.inet = [a for a in iface.inet if a.address != address]
    iface.inet.append(Inet(address, prefixlen, seq))
    _siocsifaddr(iface)
    if iface.driver == "vxlan":
        vxlan_init(state, vnet, iface)  # ether_ioctl SIOCSIFADDR: ifp->if_init()
    _up_after_address(state, vnet, iface, was_up)


def next_seq(iface: Interface) -> int:
    """The place of a new address at the tail of ``if_addrhead`` (see :attr:`Inet.seq`)."""
    return max([a.seq for a in iface.inet] + [a.seq for a in iface.inet6], default=0) + 1


def _siocsifaddr(iface: Interface) -> None:
    """The driver's SIOCSIFADDR: net/if_ethersubr.c ``ether_ioctl`` (epair, em, and if_bridge.c
    ``bridge_ioctl``'s and if_vxlan.c ``vxlan_ioctl``'s default case) sets IFF_UP and calls
    ``if_init`` (a bridge then runs, ``bridge_init``; a vxlan's ``vxlan_init`` needs the vnet and
    is called by :func:`add_inet`); if_loop.c ``loioctl`` sets IFF_UP and RUNNING. Neither calls
    ``if_up``."""
    iface.flags |= IFF_UP
    if iface.driver in ("bridge", "lo"):
        iface.flags |= IFF_RUNNING


def _up_after_address(state: SimState, vnet: Vnet, iface: Interface, was_up: bool) -> None:
    """After an address change the caller calls ``if_up`` when the driver flipped IFF_UP on:
    13.x if.c ``ifioctl`` tail (``if ((oif_flags ^ ifp->if_flags) & IFF_UP) ... in6_if_up``),
    netlink/route/iface.c ``rtnl_handle_addr`` (``if (error == 0 && !(if_flags & IFF_UP) &&
    (if_getflags(ifp) & IFF_UP)) if_up(ifp);``, read in a 2025 tree; 14.x [guess])."""
    if not was_up and iface.up:
        in6_if_up(state, vnet, iface)


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


# -- IPv6 (sys/netinet6/) ---------------------------------------------------------------------------
#
# The simulated host has no clock. DAD (nd6_nbr.c ``nd6_dad_start``/``nd6_dad_timer``) would
# clear an address's TENTATIVE flag after net.inet6.ip6.dad_count (1) probes of ``retrans``
# (1000 ms) each; here it never completes, so an address that DAD runs for stays ``tentative``
# for good. That is the one deliberate simplification, and it is harsher than FreeBSD, never
# kinder: whoever needs an address usable at once must not let DAD run (``no_dad``, or add the
# address while the interface is still IFDISABLED), as on FreeBSD. 2025 trees mark such an
# address OPTIMISTIC instead when net.inet6.ip6.use_optimistic is set (in6.c
# ``in6_update_ifa_internal``); 15.0 is taken to print ``tentative`` [guess].

#: in6.c ``in6_setscope``/``in6_addrscope``: link-local unicast is fe80::/10.
_LINKLOCAL = ipaddress.IPv6Network("fe80::/10")
_LOOPBACK6 = ipaddress.IPv6Address("::1")


def nd6_ifattach(iface: Interface) -> int:
    """The ND6 flags a newly attached interface gets in its vnet (nd6.c ``nd6_ifattach``, 13.x
    and later): PERFORMNUD; "Set IPv6 disabled on all interfaces but loopback by default"
    (IFDISABLED); AUTO_LINKLOCAL when net.inet6.ip6.auto_linklocal is on and the interface is
    not a bridge ("Clear ND6_IFF_AUTO_LINKLOCAL on an IFT_BRIDGE interface by default"), always
    on a loopback; ACCEPT_RTADV (which also clears IFDISABLED) only when net.inet6.ip6.accept_rtadv
    is on. A new vnet starts with the compiled-in values, auto_linklocal 1 and accept_rtadv 0
    (in6_ifattach.c ``VNET_DEFINE(int, ip6_auto_linklocal)``, in6_proto.c ``ip6_accept_rtadv``;
    vnet.c ``vnet_alloc`` copies the initial values); this host does not let them be changed."""
    loopback = bool(iface.flags & IFF_LOOPBACK)
    flags = ND6_IFF_PERFORMNUD
    if not loopback:
        flags |= ND6_IFF_IFDISABLED
    if iface.driver != "bridge" or loopback:
        flags |= ND6_IFF_AUTO_LINKLOCAL
    return flags


def is_linklocal(address: str) -> bool:
    """IN6_IS_ADDR_LINKLOCAL: the address's zone is its interface (see :class:`Inet6`)."""
    return ipaddress.IPv6Address(address) in _LINKLOCAL


def find_inet6(iface: Interface, address: str) -> Inet6 | None:
    """in6.c ``in6ifa_ifpwithaddr``: the interface's address equal to ``address``."""
    wanted = ipaddress.IPv6Address(address)
    return next((a for a in iface.inet6 if ipaddress.IPv6Address(a.address) == wanted), None)


def in6if_do_dad(iface: Interface) -> bool:
    """in6.c ``in6if_do_dad``: no DAD on a loopback, on an interface without multicast, or
    while ``(ND_IFINFO(ifp)->flags & (ND6_IFF_IFDISABLED | ND6_IFF_NO_DAD)) != 0``."""
    if iface.flags & IFF_LOOPBACK or not iface.flags & IFF_MULTICAST:
        return False
    return not iface.nd6 & (ND6_IFF_IFDISABLED | ND6_IFF_NO_DAD)


def _in6_setscope(iface: Interface, address: str) -> None:
    """in6.c ``in6_setscope``, which ``in6_control_ioctl`` runs on the request's address before
    anything else: the loopback address on an interface that is not a loopback -> EINVAL."""
    if ipaddress.IPv6Address(address) == _LOOPBACK6 and not iface.flags & IFF_LOOPBACK:
        raise KernelError("EINVAL")


def _in6_update_ifa(iface: Interface, address: str, prefixlen: int) -> Inet6:
    """in6.c ``in6_update_ifa``: ``in6_validate_ifra`` ("we require users to specify a (non 0)
    prefix length", ``plen <= 0`` -> EINVAL; "We prohibit changing the prefix length of an
    existing address" -> EINVAL), then a new address at the tail of ``if_addrhead``
    (``in6_alloc_ifa``) or the existing one updated in place; ``in6_update_ifa_internal``: "ia6_flags
    = ifra_flags" (ifconfig sends 0), TENTATIVE "if (in6if_do_dad(ifp) && (hostIsNew || ...
    IFDISABLED))"; ``in6_notify_ifa``: the driver's SIOCSIFADDR for the interface's first IPv6
    address, or an update (``ifacount <= 1``). DAD then starts and, here, never ends (see above)."""
    existing = find_inet6(iface, address)
    if prefixlen <= 0 or (existing is not None and existing.prefixlen != prefixlen):
        raise KernelError("EINVAL")
    if existing is None:
        entry = Inet6(address, prefixlen, 0, next_seq(iface))
        iface.inet6.append(entry)
        if in6if_do_dad(iface):
            entry.flags |= IN6_IFF_TENTATIVE
        first = len(iface.inet6) <= 1
    else:
        entry = existing
        entry.flags = 0  # an update: hostIsNew is 0 and in6if_do_dad() excludes IFDISABLED
        first = True
    if first:
        _siocsifaddr(iface)
    return entry


def in6_ifattach(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """in6_ifattach.c ``in6_ifattach``: nothing without IFF_MULTICAST; a loopback gets ::1/128
    unless the vnet has it already (``in6ifa_ifwithaddr(&in6addr_loopback)``,
    ``in6_ifattach_loopback``); then "assign a link-local address, if there's none" when the
    interface is not IFDISABLED and has AUTO_LINKLOCAL (``in6_ifattach_linklocal``: fe80::/64
    and the interface identifier, :func:`linklocal_address`)."""
    if not iface.flags & IFF_MULTICAST:
        return
    if iface.flags & IFF_LOOPBACK:
        if not any(find_inet6(each, "::1") for each in vnet.interfaces.values()):
            _in6_update_ifa(iface, "::1", 128)
    if iface.nd6 & ND6_IFF_IFDISABLED or not iface.nd6 & ND6_IFF_AUTO_LINKLOCAL:
        return
    if any(is_linklocal(a.address) for a in iface.inet6):
        return
    _in6_update_ifa(iface, linklocal_address(state, vnet, iface), 64)


def in6_if_up(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """in6.c ``in6_if_up``: DAD (re)starts for every TENTATIVE address — ``nd6_dad_start``
    clears the flag at once for an anycast address or under NO_DAD, otherwise the address
    stays tentative (no clock, see above) — then ``in6_ifattach``."""
    for entry in iface.inet6:
        if entry.flags & IN6_IFF_TENTATIVE and (entry.flags & IN6_IFF_ANYCAST or iface.nd6 & ND6_IFF_NO_DAD):
            entry.flags &= ~IN6_IFF_TENTATIVE
    in6_ifattach(state, vnet, iface)


def _hw_ifid(iface: Interface) -> int | None:
    """in6_ifattach.c ``in6_get_hw_ifid``: for an Ethernet or bridge interface (IFT_ETHER,
    IFT_BRIDGE) with a 6-byte address that is neither all zeros nor all ones, the modified EUI-64
    (RFC 4291 appendix A): ``ff:fe`` in the middle, no group bit ("g bit must not indicate
    'group'"), the u bit inverted (``EUI64_TO_IFID``); an identifier that is zero but for those
    bits is refused."""
    if iface.driver not in ("epair", "bridge", "em", "vxlan") or not iface.mac:
        return None
    mac = bytes(int(part, 16) for part in iface.mac.split(":"))
    if len(mac) != 6 or mac in (bytes(6), b"\xff" * 6) or mac[0] & 0x01:
        return None
    eui = bytearray(mac[:3] + b"\xff\xfe" + mac[3:])
    eui[0] ^= 0x02
    if eui[0] & ~0x03 == 0 and not any(eui[1:]):
        return None
    return int.from_bytes(eui, "big")


def linklocal_address(state: SimState, vnet: Vnet, iface: Interface) -> str:
    """The link-local address ``in6_ifattach_linklocal`` configures: fe80::1 on a loopback
    ("s6_addr32[3] = htonl(1)"), else fe80:: and ``get_ifid``'s identifier: the interface's own
    (:func:`_hw_ifid`), else one borrowed from another interface of the vnet whose identifier is
    universal (``IFID_UNIVERSAL``), else ``get_rand_ifid``: MD5 of the hostname of the jail
    running the command, g bit cleared, u bit set, then inverted [guess: the host's name is not
    in the model; ``freebsd`` is used, as by :func:`hooks.testing.sysctl.uname_values`]."""
    prefix = 0xFE80 << 112
    if iface.flags & IFF_LOOPBACK:
        return str(ipaddress.IPv6Address(prefix | 1))
    ifid = _hw_ifid(iface)
    if ifid is None:
        for other in listing(vnet):
            borrowed = _hw_ifid(other) if other is not iface else None
            if borrowed is not None and borrowed >> 57 & 1:
                ifid = borrowed
                break
    if ifid is None:
        jail = next((j for j in state.jails.values() if j.vnet is vnet), None)
        hostname = jail.hostname if jail is not None else "freebsd"
        digest = bytearray(hashlib.md5(hostname.encode()).digest()[:8])
        digest[0] = (digest[0] & ~0x01 | 0x02) ^ 0x02
        ifid = int.from_bytes(digest, "big")
    return str(ipaddress.IPv6Address(prefix | ifid))


def set_nd6_flags(state: SimState, vnet: Vnet, iface: Interface, flags: int) -> None:
    """SIOCSIFINFO_IN6 / SIOCSIFINFO_FLAGS (nd6.c ``nd6_ioctl``).

    "ifdisabled 1->0 transision": the flag is cleared and, if the interface is up,
    ``in6_if_up`` runs (a link-local address appears); the refusal for a duplicated link-local
    address cannot happen here (DAD never ends). "ifdisabled 0->1 transision": "Mark all IPv6
    address as tentative" unless NO_DAD (net.inet6.ip6.dad_count is 1). "auto_linklocal 0->1
    transision": ``in6_ifattach`` at once, up or not. (The branch for an interface that already
    has AUTO_LINKLOCAL calls ``in6_ifattach`` only when a link-local address exists, so it
    changes nothing.) Then the flags are stored as given.
    """
    if iface.nd6 & ND6_IFF_IFDISABLED and not flags & ND6_IFF_IFDISABLED:
        iface.nd6 &= ~ND6_IFF_IFDISABLED
        if iface.up:
            in6_if_up(state, vnet, iface)
    elif not iface.nd6 & ND6_IFF_IFDISABLED and flags & ND6_IFF_IFDISABLED:
        iface.nd6 |= ND6_IFF_IFDISABLED
        if not iface.nd6 & ND6_IFF_NO_DAD:
            for entry in iface.inet6:
                entry.flags |= IN6_IFF_TENTATIVE
    if flags & ND6_IFF_AUTO_LINKLOCAL and not iface.nd6 & ND6_IFF_AUTO_LINKLOCAL:
        iface.nd6 |= ND6_IFF_AUTO_LINKLOCAL
        in6_ifattach(state, vnet, iface)
    iface.nd6 = flags


def add_inet6(state: SimState, vnet: Vnet, iface: Interface, address: str, prefixlen: int) -> None:
    """SIOCAIFADDR_IN6 (13.x in6.c ``in6_control``; later trees ``in6_control_ioctl`` ->
    ``in6_addifaddr``, which the netlink RTM_NEWADDR handler ``handle_newaddr_inet6`` calls too).

    ``in6_setscope`` first (:func:`_in6_setscope`); 15.0 refuses an address on a bridge member
    as for IPv4 (``bridge_member_ifaddrs_p``, see :func:`add_inet`); then ``in6_update_ifa``
    (:func:`_in6_update_ifa`) and the prefix (route.py derives the on-link prefix from the
    address). "Try to clear the flag when a new IPv6 address is added onto an IFDISABLED
    interface and it succeeds" (``aifaddr_out``): IFDISABLED goes through
    :func:`set_nd6_flags`, which brings up the link-local address on an interface that is up.
    The caller's ``if_up`` follows when the interface came up (:func:`_up_after_address`).
    """
    _in6_setscope(iface, address)
    if state.osreldate >= 1500000 and iface.bridge and not vnet.sysctls.get("net.link.bridge.member_ifaddrs", 0):
        raise KernelError("EINVAL")
    was_up = iface.up
    _in6_update_ifa(iface, address, prefixlen)
    if iface.nd6 & ND6_IFF_IFDISABLED:
        set_nd6_flags(state, vnet, iface, iface.nd6 & ~ND6_IFF_IFDISABLED)
    _up_after_address(state, vnet, iface, was_up)


def delete_inet6(iface: Interface, address: str) -> None:
    """SIOCDIFADDR_IN6 (in6.c ``in6_control_ioctl``): ``in6_setscope`` first, then "if (ia ==
    NULL) { error = EADDRNOTAVAIL" — IPv6 has no "delete the first address" (``::``, the
    unset request, is never found); ``in6_purgeifaddr`` removes it."""
    _in6_setscope(iface, address)
    entry = find_inet6(iface, address)
    if entry is None:
        raise KernelError("EADDRNOTAVAIL")
    iface.inet6.remove(entry)


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
    not Ethernet (a bridge, a loopback; a vxlan is IFT_ETHER) -> EINVAL; 15.0: carries an IP
    address -> EINVAL (release notes) [guess: errno]. The first member sets the bridge's MTU
    ("Allow the first Ethernet member to define the MTU"). A later member with another MTU: 13.x
    refuses it, ``if_printf(sc->sc_ifp, "invalid MTU: %u(%s) != %u\n", ...)`` and EINVAL (the
    13.x-era if_bridge.c of opnsense/src; seen on 13.1-RELEASE, BastilleBSD/bastille#523) [guess:
    that 13.2-13.5 were not changed]; 14.x and later set it to the bridge's MTU through its
    driver's SIOCSIFMTU, EINVAL ("invalid MTU: %u for new member %s") if the driver refuses
    (2025 if_bridge.c; the 15.0 if_bridge_test.sh ``mtu`` test) [guess: the first release with it
    is not known; 14.x is given the newer rule, as this host always did, and the order of these
    checks is recalled].
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
    if (state.osreldate >= 1500000 and (member.inet or member.inet6)
            and not vnet.sysctls.get("net.link.bridge.member_ifaddrs", 0)):
        raise KernelError("EINVAL")  # [guess: IPv6 addresses count as IPv4 ones do]
    present = [m for m in bridge.members if m in vnet.interfaces]
    if not present:
        bridge.mtu = member.mtu
    elif member.mtu != bridge.mtu:
        if state.osreldate < 1400000 or not _driver_takes_mtu(member, bridge.mtu):
            raise KernelError("EINVAL")
        _driver_set_mtu(member, bridge.mtu)
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
    if iface.driver == "vxlan":
        vxlan_teardown(iface)  # if_vxlan.c vxlan_clone_destroy(): vxlan_teardown() first
    for other in vnet.interfaces.values():
        # if_vxlan.c vxlan_ifdetach_event(): a running vxlan whose vxlandev departs is torn down
        if other.vxlan is not None and other.vxlan.mc_ifname == iface.name and other.flags & IFF_RUNNING:
            vxlan_teardown(other)
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
    the up flag (``if_down``) and every address (``if_purgeaddrs``, ``in6_ifdetach``);
    ``if_attach_internal(ifp, true)`` appends it to the target's list, where it joins ``all``
    and gets its cloner group back (if_clone.c ``if_clone_restoregroup``), and the IPv6 state
    is made anew in the target vnet (13.x ``if_attachdomain1`` -> in6.c ``in6_domifattach`` ->
    ``nd6_ifattach``; 2025 trees in6.c ``in6_ifarrival``): fresh ND6 flags. Name, MAC, MTU and
    description stay. The ifindex stays on 14.x (one system-wide table); 13.x takes a new one in
    the target vnet.
    """
    detach(state, source, iface)
    iface.flags &= ~(IFF_UP | IFF_PROMISC | IFF_PPROMISC)
    iface.inet = []
    iface.inet6 = []
    iface.groups = [iface.driver] if iface.driver in CLONERS else []
    if state.osreldate < 1400000:
        iface.index = free_index(target)
    iface.nd6 = nd6_ifattach(iface)
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


# -- vxlan(4) (sys/net/if_vxlan.c) ------------------------------------------------------------------
#
# The parts of the driver that decide what ifconfig shows: the configuration a create or a
# VXLAN_CMD_SET_* ioctl leaves, the MTU, and whether ``up`` gets the interface RUNNING. Frames,
# the forwarding table and multicast joins are not modelled; the sockets only as far as two
# interfaces on one UDP port meet (:func:`_vxlan_setup_socket`). The kernel reports a failed
# ``vxlan_init`` only on the console (``if_printf``), which this host does not keep.

#: if_vxlan.c ``VXLAN_MAX_MTU``: IP_MAXPACKET - 60 - 8 - 8 - 14 - 4 - 4 (the largest IPv4 and
#: UDP headers, the vxlan header, an Ethernet header and two VLAN tags).
VXLAN_MAX_MTU = 65437
#: net/ethernet.h ``ETHERMIN``, the smallest MTU ``vxlan_ioctl`` SIOCSIFMTU takes.
ETHERMIN = 46
#: if_vxlan.c ``VXLAN_FTABLE_MAX`` and ``VXLAN_FTABLE_MAX_TIMEOUT``; netinet/ip.h ``MAXTTL``.
VXLAN_FTABLE_MAX, VXLAN_FTABLE_MAX_TIMEOUT, MAXTTL = 2000, 86400, 255


@attrs.define
class VxlanParam:
    """sys/net/if_vxlan.h ``struct ifvxlanparam``, which ifconfig's create passes in ``ifr_data``:
    a field that is not None has its ``VXLAN_PARAM_WITH_*`` bit set. The local and remote
    addresses have a bit per family (``..._ADDR4``/``..._ADDR6``) but share one slot
    (``vxlp_local_sa``/``vxlp_remote_sa``), so both bits can be set while the slot holds the
    last address given."""

    vni: int | None = None
    local4: bool = False
    local6: bool = False
    remote4: bool = False
    remote6: bool = False
    local_sa: str = ""
    remote_sa: str = ""
    local_port: int | None = None
    remote_port: int | None = None
    port_range: tuple[int, int] | None = None
    ftable_timeout: int | None = None
    ftable_max: int | None = None
    mc_ifname: str | None = None
    ttl: int | None = None
    learn: bool | None = None


def _family(address: str) -> int:
    """4, 6, or 0 for an unset (AF_UNSPEC) address."""
    return ipaddress.ip_address(address).version if address else 0


def vxlan_multicast(address: str) -> bool:
    """``IN_MULTICAST`` / ``IN6_IS_ADDR_MULTICAST`` (if_vxlan.c ``vxlan_sockaddr_in_multicast``)."""
    return bool(address) and ipaddress.ip_address(address).is_multicast


def vxlan_clone_create(iface: Interface, params: VxlanParam) -> None:
    """if_vxlan.c ``vxlan_clone_create``: ``vxlan_set_default_config``, then
    ``vxlan_set_user_config`` with the parameters, then ``vxlan_setup_interface_hdrlen`` (the
    MTU). ``vxlan_set_user_config`` keeps the default, without an error, for a value its
    ``vxlan_check_*`` refuses: a VNI >= 2^24, ``min > max`` ports, a timeout above 86400, a
    table above 2000 entries, a TTL above 255; ifconfig passes the TTL as a ``uint8_t``, so 256
    arrives as 0. The address of the family whose bit is set is taken from the shared slot."""
    cfg = Vxlan()
    if params.vni is not None and params.vni < VXLAN_VNI_MAX:
        cfg.vni = params.vni
    if params.local4 or params.local6:
        cfg.local = params.local_sa
    if params.remote4 or params.remote6:
        cfg.remote = params.remote_sa
    if params.local_port is not None:
        cfg.local_port = params.local_port
    if params.remote_port is not None:
        cfg.remote_port = params.remote_port
    if params.port_range is not None and params.port_range[0] <= params.port_range[1]:
        cfg.port_min, cfg.port_max = params.port_range
    if params.mc_ifname is not None:
        cfg.mc_ifname = params.mc_ifname
    if params.ftable_timeout is not None and params.ftable_timeout <= VXLAN_FTABLE_MAX_TIMEOUT:
        cfg.ftable_timeout = params.ftable_timeout
    if params.ftable_max is not None and params.ftable_max <= VXLAN_FTABLE_MAX:
        cfg.ftable_max = params.ftable_max
    if params.ttl is not None and params.ttl & 0xFF <= MAXTTL:
        cfg.ttl = params.ttl & 0xFF
    if params.learn is not None and not params.learn:
        cfg.learn = False
    iface.vxlan = cfg
    vxlan_setup_interface_hdrlen(iface)


def vxlan_setup_interface_hdrlen(iface: Interface) -> None:
    """if_vxlan.c ``vxlan_setup_interface_hdrlen``: ``if_hdrlen`` is ETHER_HDR_LEN (14) plus
    ``struct vxlanudphdr`` (16), plus 20 for an IPv4 or 40 for an IPv6 destination; unless
    VXLAN_FLAG_USER_MTU the MTU is ETHERMTU (1500) less that: 1450, 1430, or 1470 without a
    destination. The underlay's MTU plays no part."""
    cfg = iface.vxlan
    assert cfg is not None
    hdrlen = 14 + 16 + {4: 20, 6: 40, 0: 0}[_family(cfg.remote)]
    if not cfg.user_mtu:
        iface.mtu = 1500 - hdrlen


def _vxlan_valid_init_config(iface: Interface) -> bool:
    """if_vxlan.c ``vxlan_valid_init_config``, each refusal an ``if_printf("cannot initialize
    interface: %s")`` and EINVAL, in this order: the VNI unset ("invalid virtual network
    identifier specified"); no remote or group ("destination address type is not supported");
    the unspecified address ("no valid destination address specified"); a vxlandev with a
    unicast remote ("can only specify interface with a group address"); local and remote of
    different families; a local or remote port of 0."""
    cfg = iface.vxlan
    assert cfg is not None
    if cfg.vni >= VXLAN_VNI_MAX:
        return False
    if not cfg.remote or ipaddress.ip_address(cfg.remote).is_unspecified:
        return False
    if not vxlan_multicast(cfg.remote) and cfg.mc_ifname:
        return False
    if cfg.local and _family(cfg.local) != _family(cfg.remote):
        return False
    return cfg.local_port != 0 and cfg.remote_port != 0


def _vxlan_socket(cfg: Vxlan) -> tuple[str, int]:
    """The address and port ``vxlan_socket_create`` binds: the wildcard of the group's family for
    a multicast vxlan, ``vxlanlocal`` for a unicast one."""
    if vxlan_multicast(cfg.remote):
        return ("::" if _family(cfg.remote) == 6 else "0.0.0.0"), cfg.local_port
    return cfg.local, cfg.local_port


def _vxlan_setup_socket(vnet: Vnet, iface: Interface) -> bool:
    """if_vxlan.c ``vxlan_setup_socket``, as far as interfaces of this vnet meet on a UDP port.

    Another running vxlan bound to the same address and port shares its socket
    (``vxlan_socket_lookup``/``vxlan_socket_mc_lookup``); the same VNI on it is refused
    (``vxlan_socket_insert_softc``: "network identifier %d already exists in this socket",
    EEXIST). Bound to the port with another address, where one of them is the wildcard, the
    bind fails with EADDRINUSE (net.link.vxlan.reuse_port is 0) and no socket is found: "cannot
    create socket (error: 48), and no existing socket found" (both seen on 15.1). A multicast
    vxlan needs its vxlandev to exist ("multicast interface %s does not exist", ENOENT) and to
    do multicast (ENOTSUP) (``vxlan_setup_multicast_interface``). Whether the local address is
    configured on the host, and the group join, are not checked [guess: those bind and join
    failures were read in the code, never run]."""
    cfg = iface.vxlan
    assert cfg is not None
    mine = _vxlan_socket(cfg)
    for other in vnet.interfaces.values():
        if other is iface or other.vxlan is None or not other.flags & IFF_RUNNING:
            continue
        theirs = _vxlan_socket(other.vxlan)
        if theirs == mine:
            if other.vxlan.vni == cfg.vni:
                return False
        elif theirs[1] == mine[1] and (theirs[0] in ("0.0.0.0", "::") or mine[0] in ("0.0.0.0", "::")):
            return False
    if vxlan_multicast(cfg.remote) and cfg.mc_ifname:
        dev = vnet.interfaces.get(cfg.mc_ifname)
        if dev is None or not dev.flags & IFF_MULTICAST:
            return False
    return True


def vxlan_init(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """if_vxlan.c ``vxlan_init``: nothing when already RUNNING; otherwise
    ``vxlan_valid_init_config`` and ``vxlan_setup_socket``, and on success IFF_DRV_RUNNING and
    LINK_STATE_UP. A failure leaves the interface as it was (UP if it was brought up) and is
    reported on the console only."""
    if iface.flags & IFF_RUNNING or iface.vxlan is None:
        return
    if _vxlan_valid_init_config(iface) and _vxlan_setup_socket(vnet, iface):
        iface.flags |= IFF_RUNNING


def vxlan_teardown(iface: Interface) -> None:
    """if_vxlan.c ``vxlan_teardown``: RUNNING cleared, LINK_STATE_DOWN, the socket released."""
    iface.flags &= ~IFF_RUNNING


def vxlan_ioctl_ifflags(state: SimState, vnet: Vnet, iface: Interface) -> None:
    """if_vxlan.c ``vxlan_ioctl_ifflags`` (SIOCSIFFLAGS, which every ``up``/``down`` sends): UP
    and not RUNNING -> ``vxlan_init``; not UP and RUNNING -> ``vxlan_teardown``. It returns 0
    whatever ``vxlan_init`` did, so ``ifconfig ... up`` succeeds; another ``up`` tries again."""
    if iface.up:
        vxlan_init(state, vnet, iface)
    elif iface.flags & IFF_RUNNING:
        vxlan_teardown(iface)


def vxlan_ctrl_set(iface: Interface, cmd: str, value: int | str | tuple[int, int] | bool) -> None:
    """SIOCSDRVSPEC ``VXLAN_CMD_SET_*`` / ``VXLAN_CMD_FLUSH`` (if_vxlan.c ``vxlan_ctrl_set_*``,
    reached through ``vxlan_ioctl_drvspec``).

    The addresses, ports, port range, VNI and vxlandev change only while
    ``vxlan_can_change_config`` (not RUNNING, not in init or teardown): else EBUSY. Refused
    values are EINVAL, checked first: a VNI >= 2^24, a multicast local address, a port of 0, a
    range with a 0 or ``max < min``, a timeout above 86400, a table above 2000, a TTL above 255
    [guess: the port-0 and range checks are recalled, not read]. TTL, learning, the table limits
    and the flush apply while running. A new remote address recomputes the MTU
    (``vxlan_setup_interface_hdrlen``).
    """
    cfg = iface.vxlan
    assert cfg is not None
    busy = bool(iface.flags & IFF_RUNNING)
    refused = False
    if cmd == "VXLAN_CMD_SET_VNI":
        refused = _int(value) >= VXLAN_VNI_MAX
    elif cmd == "VXLAN_CMD_SET_LOCAL_ADDR":
        refused = vxlan_multicast(str(value))
    elif cmd in ("VXLAN_CMD_SET_LOCAL_PORT", "VXLAN_CMD_SET_REMOTE_PORT"):
        refused = value == 0
    elif cmd == "VXLAN_CMD_SET_PORT_RANGE":
        assert isinstance(value, tuple)
        refused = value[0] == 0 or value[1] == 0 or value[1] < value[0]
    elif cmd == "VXLAN_CMD_SET_FTABLE_TIMEOUT":
        refused = _int(value) > VXLAN_FTABLE_MAX_TIMEOUT
    elif cmd == "VXLAN_CMD_SET_FTABLE_MAX":
        refused = _int(value) > VXLAN_FTABLE_MAX
    elif cmd == "VXLAN_CMD_SET_TTL":
        refused = _int(value) & 0xFF > MAXTTL  # vxlcmd_ttl is a uint8_t
    if refused:
        raise KernelError("EINVAL")
    if busy and cmd in _VXLAN_NEEDS_STOPPED:
        raise KernelError("EBUSY")
    if cmd == "VXLAN_CMD_SET_VNI":
        cfg.vni = _int(value)
    elif cmd == "VXLAN_CMD_SET_LOCAL_ADDR":
        cfg.local = str(value)
    elif cmd == "VXLAN_CMD_SET_REMOTE_ADDR":
        cfg.remote = str(value)
        vxlan_setup_interface_hdrlen(iface)
    elif cmd == "VXLAN_CMD_SET_LOCAL_PORT":
        cfg.local_port = _int(value)
    elif cmd == "VXLAN_CMD_SET_REMOTE_PORT":
        cfg.remote_port = _int(value)
    elif cmd == "VXLAN_CMD_SET_PORT_RANGE":
        assert isinstance(value, tuple)
        cfg.port_min, cfg.port_max = value
    elif cmd == "VXLAN_CMD_SET_MULTICAST_IF":
        cfg.mc_ifname = str(value)
    elif cmd == "VXLAN_CMD_SET_FTABLE_TIMEOUT":
        cfg.ftable_timeout = _int(value)
    elif cmd == "VXLAN_CMD_SET_FTABLE_MAX":
        cfg.ftable_max = _int(value)
    elif cmd == "VXLAN_CMD_SET_TTL":
        cfg.ttl = _int(value) & 0xFF
    elif cmd == "VXLAN_CMD_SET_LEARN":
        cfg.learn = bool(value)
    # VXLAN_CMD_FLUSH: the forwarding table is not modelled, so there is nothing to flush


def _int(value: int | str | tuple[int, int] | bool) -> int:
    assert isinstance(value, int)
    return value


#: The commands ``vxlan_can_change_config`` guards (EBUSY while RUNNING).
_VXLAN_NEEDS_STOPPED = frozenset({
    "VXLAN_CMD_SET_VNI", "VXLAN_CMD_SET_LOCAL_ADDR", "VXLAN_CMD_SET_REMOTE_ADDR", "VXLAN_CMD_SET_LOCAL_PORT",
    "VXLAN_CMD_SET_REMOTE_PORT", "VXLAN_CMD_SET_PORT_RANGE", "VXLAN_CMD_SET_MULTICAST_IF",
})
