"""The state of a simulated FreeBSD host: vnets, interfaces, routes, sysctls, jails and pf.

The shape follows the kernel's: per-vnet interfaces, routes and sysctls (VNET(9)), jails
(``struct prison``, sys/kern/kern_jail.c), pf tables and rulesets per anchor (sys/netpfil/pf/).
These classes are plain mutable records; the command modules (:mod:`hooks.testing.ifconfig`,
``pfctl``, ...) implement FreeBSD's behaviour on top of them, and :mod:`hooks.testing.store`
persists them as JSON so that many processes can share one host.
"""

import hashlib

import attrs

#: vnet id of the host itself; a vnet jail's vnet id is its jid.
HOST_VNET = 0

#: ``IFNAMSIZ`` is 16 with the NUL, so names hold at most 15 characters (sys/net/if.h).
IFNAMSIZ = 16

# Interface flag bits (sys/net/if.h) and the order ifconfig prints them in (IFFBITS, ifconfig.c).
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_KNOWSEPOCH = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_SIMPLEX = 0x800
IFF_LINK0 = 0x1000
IFF_LINK1 = 0x2000
IFF_LINK2 = 0x4000
IFF_MULTICAST = 0x8000
IFF_PPROMISC = 0x20000
IFF_MONITOR = 0x40000
IFF_STATICARP = 0x80000
IFF_STICKYARP = 0x100000
IFF_LOWER_UP = 0x1000000  # IFF_NETLINK_1: the link state, shown by 14.x ifconfig (ifconfig_netlink.c IFFBITS)
IFF_NAMES = (
    (IFF_UP, "UP"),
    (IFF_BROADCAST, "BROADCAST"),
    (0x4, "DEBUG"),
    (IFF_LOOPBACK, "LOOPBACK"),
    (0x10, "POINTOPOINT"),
    (IFF_RUNNING, "RUNNING"),
    (0x80, "NOARP"),
    (IFF_PROMISC, "PROMISC"),
    (0x200, "ALLMULTI"),
    (0x400, "OACTIVE"),
    (IFF_SIMPLEX, "SIMPLEX"),
    (0x1000, "LINK0"),
    (0x2000, "LINK1"),
    (0x4000, "LINK2"),
    (IFF_MULTICAST, "MULTICAST"),
    (IFF_PPROMISC, "PPROMISC"),
    (IFF_MONITOR, "MONITOR"),
    (IFF_STATICARP, "STATICARP"),
    (IFF_STICKYARP, "STICKYARP"),
    (IFF_LOWER_UP, "LOWER_UP"),
)


# ND6 per-interface flags (sys/netinet6/nd6.h ``ND6_IFF_*``) and the names ifconfig prints for them
# (sbin/ifconfig/af_nd6.c ``ND6BITS``: printb(3)-style bit numbers from 1; ``\020DEFAULTIF`` is
# bit 16, 0x8000, which af_nd6.c ``nd6_status()`` adds for the ND default interface).
ND6_IFF_PERFORMNUD = 0x1
ND6_IFF_ACCEPT_RTADV = 0x2
ND6_IFF_PREFER_SOURCE = 0x4
ND6_IFF_IFDISABLED = 0x8
ND6_IFF_DONT_SET_IFROUTE = 0x10
ND6_IFF_AUTO_LINKLOCAL = 0x20
ND6_IFF_NO_RADR = 0x40
ND6_IFF_NO_PREFER_IFACE = 0x80
ND6_IFF_NO_DAD = 0x100
ND6_IFF_DEFAULTIF = 0x8000
ND6_NAMES = (
    (ND6_IFF_PERFORMNUD, "PERFORMNUD"),
    (ND6_IFF_ACCEPT_RTADV, "ACCEPT_RTADV"),
    (ND6_IFF_PREFER_SOURCE, "PREFER_SOURCE"),
    (ND6_IFF_IFDISABLED, "IFDISABLED"),
    (ND6_IFF_DONT_SET_IFROUTE, "DONT_SET_IFROUTE"),
    (ND6_IFF_AUTO_LINKLOCAL, "AUTO_LINKLOCAL"),
    (ND6_IFF_NO_RADR, "NO_RADR"),
    (ND6_IFF_NO_PREFER_IFACE, "NO_PREFER_IFACE"),
    (ND6_IFF_NO_DAD, "NO_DAD"),
    (ND6_IFF_DEFAULTIF, "DEFAULTIF"),
)

# IPv6 address flags (sys/netinet6/in6_var.h ``IN6_IFF_*``) in the order af_inet6.c
# ``print_flags()`` (13.x ``in6_status()``) prints them.
IN6_IFF_ANYCAST = 0x01
IN6_IFF_TENTATIVE = 0x02
IN6_IFF_DUPLICATED = 0x04
IN6_IFF_DETACHED = 0x08
IN6_IFF_DEPRECATED = 0x10
IN6_IFF_AUTOCONF = 0x40
IN6_IFF_TEMPORARY = 0x80
IN6_IFF_PREFER_SOURCE = 0x100
IN6_FLAG_NAMES = (
    (IN6_IFF_ANYCAST, "anycast"),
    (IN6_IFF_TENTATIVE, "tentative"),
    (IN6_IFF_DUPLICATED, "duplicated"),
    (IN6_IFF_DETACHED, "detached"),
    (IN6_IFF_DEPRECATED, "deprecated"),
    (IN6_IFF_AUTOCONF, "autoconf"),
    (IN6_IFF_TEMPORARY, "temporary"),
    (IN6_IFF_PREFER_SOURCE, "prefer_source"),
)


@attrs.define
class Inet:
    """One IPv4 address on an interface: address and prefix length."""

    address: str
    prefixlen: int
    seq: int = 0
    """Place in the interface's address list (``if_addrhead``, shared by every family): a new
    address goes to the tail, so a larger number was added later (see :class:`Inet6`)."""


@attrs.define
class Inet6:
    """One IPv6 address on an interface (netinet6/in6_var.h ``struct in6_ifaddr``).

    ``address`` is inet_ntop(3) text without a scope; a link-local address's zone is the
    interface's index (in6.c ``in6_setscope``: "we use interface indices as the zone IDs"), so
    the printed ``%ifname`` and ``scopeid`` follow the interface. Lifetimes are always infinite
    (ifconfig sends ND6_INFINITE_LIFETIME; the kernel gives its own addresses the same), which
    ifconfig does not print.
    """

    address: str
    prefixlen: int
    flags: int = 0
    """``IN6_IFF_*`` (``ia6_flags``): only TENTATIVE is ever set here."""
    seq: int = 0
    """Place in ``if_addrhead`` (in6.c ``in6_alloc_ifa``: CK_STAILQ_INSERT_TAIL), as for :class:`Inet`."""


#: sys/net/if_vxlan.h ``VXLAN_VNI_MAX``: a VNI at or above it is "not set" (if_vxlan.c
#: ``vxlan_set_default_config``: ``sc->vxl_vni = VXLAN_VNI_MAX``).
VXLAN_VNI_MAX = 1 << 24


@attrs.define
class Vxlan:
    """The configuration of a vxlan(4) interface (sys/net/if_vxlan.c ``struct vxlan_softc``),
    with the defaults ``vxlan_set_default_config`` gives it.

    Addresses are text, ``""`` for an unset (AF_UNSPEC) one; the ports are the ``sin_port`` of
    ``vxl_src_addr``/``vxl_dst_addr`` (``VXLAN_PORT``, 4789; the ``legacy_port`` tunable's 8472 is
    not modelled); the port range is ``V_ipport_firstauto``..``V_ipport_lastauto``
    (net.inet.ip.portrange.first/last, 10000..65535); TTL ``IPDEFTTL``; ``VXLAN_FTABLE_MAX`` and
    the default timeout of 1200 s. ``user_mtu`` is ``VXLAN_FLAG_USER_MTU`` (``vxlan_ioctl``
    SIOCSIFMTU sets it; then ``vxlan_setup_interface_hdrlen`` no longer changes the MTU)."""

    vni: int = VXLAN_VNI_MAX
    local: str = ""
    remote: str = ""
    local_port: int = 4789
    remote_port: int = 4789
    port_min: int = 10000
    port_max: int = 65535
    ttl: int = 64
    learn: bool = True
    ftable_max: int = 2000
    ftable_timeout: int = 1200
    mc_ifname: str = ""
    user_mtu: bool = False


@attrs.define
class Interface:
    """A network interface as the kernel keeps it (struct ifnet, sys/net/if_var.h)."""

    name: str
    driver: str
    """Cloner or driver name (``if_dname``): ``epair``, ``bridge``, ``lo``, ``em``."""
    unit: int
    home_vnet: int
    """The vnet the interface was created in (``if_home_vnet``); it returns there when a jail dies."""
    index: int
    """ifindex: one system-wide table from 14.0, kept across vnet moves; one per vnet on 13.x
    (if.c ``if_alloc_domain``; see ``interfaces.alloc_index``). Bridge ports and scope ids show it."""
    mac: str = ""
    mtu: int = 1500
    metric: int = 0
    """``if_metric`` (``ifconfig IF metric N``, SIOCSIFMETRIC); printed in the status header."""
    flags: int = 0
    description: str = ""
    groups: list[str] = attrs.Factory(list)
    """Group names in join order, ``all`` excluded (``ifconfig`` never prints it)."""
    inet: list[Inet] = attrs.Factory(list)
    inet6: list[Inet6] = attrs.Factory(list)
    """IPv6 addresses in the order the kernel added them."""
    nd6: int = ND6_IFF_PERFORMNUD
    """ND6 flags (``ND_IFINFO(ifp)->flags``); attaching sets them (:func:`hooks.testing.interfaces.nd6_ifattach`)."""
    side: str = ""
    """``a`` or ``b`` for the two ends of an epair (if_epair.c names them epairNa/epairNb)."""
    members: list[str] = attrs.Factory(list)
    """Bridge members, newest first (if_bridge.c inserts at the list head)."""
    bridge: str = ""
    """Name of the bridge this interface is a member of, if any."""
    vxlan: Vxlan | None = None
    """A vxlan(4) interface's configuration (None for every other driver)."""
    attached: int = 0
    """Position in its vnet's interface list (``V_ifnet``): if.c ``if_link_ifnet()`` appends an
    interface when it is attached or moved in, a rename keeps the place. Listings follow it."""

    @property
    def up(self) -> bool:
        """True when IFF_UP is set."""
        return bool(self.flags & IFF_UP)


@attrs.define
class Route:
    """One route in a vnet's routing table (only what ``route`` add/delete/get touch)."""

    destination: str
    """``default`` or a network in CIDR form."""
    gateway: str
    interface: str


@attrs.define
class Vnet:
    """One network stack: the host's, or a vnet jail's (VNET(9))."""

    interfaces: dict[str, Interface] = attrs.Factory(dict)
    routes: list[Route] = attrs.Factory(list)
    sysctls: dict[str, int] = attrs.Factory(dict)


@attrs.define
class Jail:
    """A jail (kern_jail.c ``struct prison``): name, jid, root path, and its own vnet if any."""

    jid: int
    name: str
    path: str
    hostname: str = ""
    vnet: Vnet | None = None
    """The jail's own network stack, or None when it shares the host's (``vnet=inherit``)."""
    persist: bool = True
    dying: bool = False


@attrs.define
class Table:
    """A pf table (pf_table.c ``struct pfr_ktable``) in one anchor."""

    name: str
    anchor: str = ""
    addresses: list[str] = attrs.Factory(list)
    persist: bool = False
    const: bool = False
    active: bool = True
    """False for a table only referenced by a rule and never defined or added to."""


@attrs.define
class Ruleset:
    """The rules of one pf anchor (``""`` is the main ruleset), by kind."""

    nat: list[str] = attrs.Factory(list)
    """Translation rules: nat, rdr, binat and the nat-/rdr-/binat-anchor calls (``pfctl -sn``)."""
    filter: list[str] = attrs.Factory(list)
    """Filter rules and anchor calls (``pfctl -sr``)."""


@attrs.define
class Pf:
    """The pf(4) device: loaded (``/dev/pf`` exists), enabled, its tables and anchors."""

    loaded: bool = True
    enabled: bool = False
    enabled_at: float = 0.0
    tables: list[Table] = attrs.Factory(list)
    rulesets: dict[str, Ruleset] = attrs.Factory(dict)

    def table(self, name: str, anchor: str = "") -> Table | None:
        """The table ``name`` in ``anchor``, or None."""
        for t in self.tables:
            if t.name == name and t.anchor == anchor:
                return t
        return None


@attrs.define
class Invocation:
    """One command the host ran: argv, exit status, and the jail it ran in (jexec or ``-j``)."""

    argv: list[str]
    returncode: int
    jail: str = ""


@attrs.define
class Fault:
    """An injected failure: the ``nth`` mutating command, or commands whose argv matches ``match``.

    ``match`` holds fnmatch patterns compared element-wise with the start of the argv (the program
    is compared by basename), so ``("ifconfig", "*", "vnet")`` hits every move into a jail.
    """

    nth: int = 0
    """Fail the nth mutating command counted from when the fault was added (1-based); 0: unused."""
    match: list[str] = attrs.Factory(list)
    times: int = 1
    """How many commands this fault fails before it disarms; -1 for every time."""
    seen: int = 0
    action: str = "fail"
    """``fail``: the command fails with FreeBSD's error and changes nothing. ``kill-before`` /
    ``kill-after``: the command does not run / runs, and then the process that started it gets
    SIGKILL (a hook killed at its timeout); this takes effect through the installed executables."""


@attrs.define
class SimState:
    """Everything the simulated host remembers between commands."""

    release: str = "14.2-RELEASE"
    """``kern.osrelease``; ``ifconfig -j`` and ``route -j`` exist from 13.3 (ifconfig.8, route.8)."""
    host: Vnet = attrs.Factory(Vnet)
    jails: dict[str, Jail] = attrs.Factory(dict)
    next_jid: int = 1
    pf: Pf = attrs.Factory(Pf)
    log: list[Invocation] = attrs.Factory(list)
    faults: list[Fault] = attrs.Factory(list)
    serial: int = 0
    """Counts interfaces ever created, to derive distinct MAC addresses."""
    root: str = "/"
    """Directory standing for the host's ``/`` (for ``pfctl -f FILE`` and relative jail paths)."""

    @property
    def osreldate(self) -> int:
        """``kern.osreldate`` for :attr:`release` (sys/param.h __FreeBSD_version: 1303000 = 13.3)."""
        major, minor = self.release.split("-")[0].split(".")[:2]
        return int(major) * 100000 + int(minor) * 1000

    def has_jail_flag(self) -> bool:
        """True when ifconfig and route accept ``-j jail`` (FreeBSD 13.3 and later)."""
        return self.osreldate >= 1303000

    def netlink(self) -> bool:
        """True when ifconfig uses netlink (the default from 14.0), which reports LOWER_UP."""
        return self.osreldate >= 1400000

    def vnet_of(self, jid: int) -> Vnet | None:
        """The vnet with id ``jid`` (0 = host)."""
        if jid == HOST_VNET:
            return self.host
        for jail in self.jails.values():
            if jail.jid == jid:
                return jail.vnet
        return None

    def vnets(self) -> list[tuple[int, Vnet]]:
        """Every live network stack with its id, host first."""
        found = [(HOST_VNET, self.host)]
        found += [(j.jid, j.vnet) for j in self.jails.values() if j.vnet is not None]
        return found

    def find_jail(self, ref: str, *, dying: bool = False) -> Jail | None:
        """Look a jail up by name or, when ``ref`` is numeric, by jid (jail_getid(3))."""
        for jail in self.jails.values():
            if jail.dying and not dying:
                continue
            if jail.name == ref or (ref.isdigit() and jail.jid == int(ref)):
                return jail
        return None

    def mac_for(self, driver: str, side: str) -> str:
        """A locally administered MAC: epairs get ``02:..:0a``/``0b`` (if_epair.c), bridges 58:9c:fc."""
        self.serial += 1
        digest = hashlib.sha256(f"{driver}{self.serial}".encode()).digest()
        if driver == "epair":
            tail = "0a" if side == "a" else "0b"
            return "02:" + ":".join(f"{b:02x}" for b in digest[:4]) + ":" + tail
        return "58:9c:fc:" + ":".join(f"{b:02x}" for b in digest[:3])
