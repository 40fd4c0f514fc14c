"""Kernel-side interface operations of the simulated host: attach, clone, destroy, move between vnets.

These are what the ioctls behind ifconfig(8) do in the kernel; :mod:`hooks.testing.ifconfig`
parses the command line and calls them. Sources are cited per function.
"""

from hooks.testing.model import (
    IFF_BROADCAST,
    IFF_KNOWSEPOCH,
    IFF_LOOPBACK,
    IFF_MULTICAST,
    IFF_PROMISC,
    IFF_RUNNING,
    IFF_SIMPLEX,
    IFF_UP,
    HostState,
    Interface,
    Vnet,
)

#: Cloners a vnet has (if_clone.c keeps them per vnet, ``V_if_cloners``).
CLONERS = ("epair", "bridge", "lo")


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


def base_flags(state: HostState, driver: str) -> int:
    """Flags of a newly attached interface.

    An epair is created down but RUNNING (if_epair.c ``epair_clone_create`` sets
    IFF_DRV_RUNNING); ifconfig of 13.x also shows bit 0x20 (IFF_KNOWSEPOCH) for it, as in the seed
    walkthrough's ``flags=8862``. A bridge is down and not running until brought up
    (if_bridge.c ``bridge_init``); a new lo0 shows ``flags=8008<LOOPBACK,MULTICAST>`` (seed step 9).
    """
    epoch = IFF_KNOWSEPOCH if state.osreldate < 1400000 else 0
    if driver == "epair":
        return IFF_BROADCAST | IFF_RUNNING | IFF_SIMPLEX | IFF_MULTICAST | epoch
    if driver == "bridge":
        return IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST
    if driver == "lo":
        return IFF_LOOPBACK | IFF_MULTICAST
    return IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST | epoch


def attach(state: HostState, vnet: Vnet, vnet_id: int, name: str, *, driver: str, unit: int,
           side: str = "", home: int | None = None) -> Interface:
    """Attach a new interface to ``vnet`` with the next ifindex (if.c ``if_attach``)."""
    iface = Interface(
        name=name,
        driver=driver,
        unit=unit,
        home_vnet=vnet_id if home is None else home,
        index=free_index(vnet),
        flags=base_flags(state, driver),
        mtu=16384 if driver == "lo" else 1500,
        groups=[driver] if driver in CLONERS else [],  # if_clone.c joins a clone to its cloner's group
        side=side,
    )
    if driver in ("epair", "bridge"):
        iface.mac = state.mac_for(driver, side)
    insert(vnet, iface)
    return iface


def free_index(vnet: Vnet) -> int:
    """The lowest unused ifindex (if.c ``ifindex_alloc``: "Try to find an empty slot below
    if_index. If we fail, take the next slot.")."""
    used = {iface.index for iface in vnet.interfaces.values()}
    index = 1
    while index in used:
        index += 1
    return index


def insert(vnet: Vnet, iface: Interface) -> None:
    """Add ``iface`` to ``vnet``'s table under its name.

    The kernel does not keep names unique when an interface comes home from a dying vnet (if.c
    ``if_attach_internal``: "we don't do anything to insure if_xname is unique", §2.2), so a
    second interface with a taken name is kept under a private key; lookups by name find the
    first one, as ``ifunit()`` does.
    """
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


def units_in_use(state: HostState, vnet_id: int, cloner: str) -> set[int]:
    """Units of ``cloner`` reserved in ``vnet_id``: held until destroy, even after a rename or a
    move into a jail (if_clone.c ``ifc_alloc_unit``; freebsd-commands.md §2.4)."""
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


def set_up(state: HostState, iface: Interface, up: bool) -> None:
    """Set or clear IFF_UP (``ifconfig IF up|down``, SIOCSIFFLAGS).

    A bridge runs only while up (if_bridge.c ``bridge_init``/``bridge_stop``). Bringing a
    loopback up attaches its IPv6 addresses ::1 and fe80::1 (netinet6/in6_ifattach.c; the CNI
    loopback plugin: "Adding 127.0.0.1 will add ::1 as a side effect").
    """
    if up:
        iface.flags |= IFF_UP
        if iface.driver in ("bridge", "lo"):
            iface.flags |= IFF_RUNNING
        if iface.driver == "lo" and not iface.inet6:
            iface.inet6 = ["::1 prefixlen 128", f"fe80::1%{iface.name} prefixlen 64 scopeid 0x{iface.index:x}"]
    else:
        iface.flags &= ~IFF_UP
        if iface.driver == "bridge":
            iface.flags &= ~IFF_RUNNING


def locate(state: HostState, driver: str, unit: int, home: int, side: str) -> tuple[int, Vnet, Interface] | None:
    """Find an interface by identity (driver, unit, home vnet, epair side) in whatever vnet it is."""
    for vnet_id, vnet in state.vnets():
        for iface in vnet.interfaces.values():
            if (iface.driver, iface.unit, iface.home_vnet, iface.side) == (driver, unit, home, side):
                return vnet_id, vnet, iface
    return None


def detach(state: HostState, vnet: Vnet, iface: Interface) -> None:
    """Remove ``iface`` from ``vnet``: it leaves its bridge (if_bridge.c ``bridge_ifdetach``), a
    bridge releases its members, and routes through it go (if.c ``if_detach_internal``)."""
    if iface.bridge and iface.bridge in vnet.interfaces:
        bridge = vnet.interfaces[iface.bridge]
        if iface.name in bridge.members:
            bridge.members.remove(iface.name)
    for member in iface.members:
        if member in vnet.interfaces:
            vnet.interfaces[member].bridge = ""
            vnet.interfaces[member].flags &= ~IFF_PROMISC
    iface.members = []
    iface.bridge = ""
    vnet.routes[:] = [r for r in vnet.routes if r.interface != iface.name]
    remove(vnet, iface)


def destroy(state: HostState, vnet: Vnet, iface: Interface) -> None:
    """Destroy a cloned interface; for an epair, destroy **both** ends wherever the other one is
    (if_epair.c ``epair_clone_destroy`` switches to ``oifp->if_vnet``; freebsd-commands.md §2.1)."""
    detach(state, vnet, iface)
    if iface.driver == "epair":
        other = locate(state, "epair", iface.unit, iface.home_vnet, "b" if iface.side == "a" else "a")
        if other is not None:
            detach(state, other[1], other[2])


def move(state: HostState, source: Vnet, iface: Interface, target: Vnet) -> None:
    """Move ``iface`` to another vnet (if.c ``if_vmove``).

    ``if_detach_internal(vmove=true)`` drops bridge membership, user groups (``if_delgroups``),
    the up flag and every address; the interface is attached in the target vnet with a new
    ifindex, joins ``all`` and gets its cloner group back. Name, MAC, MTU and description stay
    (freebsd-commands.md §2.3).
    """
    detach(state, source, iface)
    iface.flags &= ~(IFF_UP | IFF_PROMISC)
    iface.inet = []
    iface.inet6 = []
    iface.groups = [iface.driver] if iface.driver in CLONERS else []
    iface.index = free_index(target)
    insert(target, iface)


def dissolve_vnet(state: HostState, vnet_id: int, vnet: Vnet) -> None:
    """Destroy a jail's vnet (if.c ``vnet_if_return``, if_clone.c ``if_clone_detach``).

    Interfaces whose home is another vnet go back there, under the name they have now (nothing
    checks for a clash, if.c ``if_attach_internal``); interfaces created inside are destroyed.
    """
    for iface in list(vnet.interfaces.values()):
        if iface.name not in vnet.interfaces:
            continue  # went with its epair peer
        if iface.home_vnet == vnet_id:
            destroy(state, vnet, iface)
            continue
        home = state.vnet_of(iface.home_vnet)
        if home is None:  # pragma: no cover - homes outlive their children's vnets
            detach(state, vnet, iface)
            continue
        move(state, vnet, iface, home)
