"""Simulated ``ifconfig(8)``: the argument parser of sbin/ifconfig/ifconfig.c, step for step.

The model follows ifconfig.c as of 14.x/2025 (``args_parse()``, ``main()``, ``ifconfig_ioctl()``;
``ifconfig_nl()`` only wraps ``ifconfig_ioctl()``) and 13.x (``main()``, ``ifconfig()``: the same
steps on globals ``name``/``printifname``):

1. ``args_parse()``: getopt(3) over ``G:adf:j:klmnuv`` and the modules' options (ifclone.c ``C``,
   ifgroup.c ``g:``, af_inet6.c ``L``); ``-j jail`` attaches to the jail at once and exists from
   13.3. ``-g`` without an earlier ``-a`` prints the group and exits (ifgroup.c ``printgroup``),
   ``-C`` lists the cloners and exits (ifclone.c).
2. ``main()``: a listing (``-a``, ``-l``, no words) takes at most one more word, an address family.
   Otherwise the first word names the interface. If no interface has that name, ``create`` or
   ``plumb`` next takes the clone path (no address-family check), ``-vnet`` next the reclaim path,
   anything else fails: "interface X does not exist". If it exists, ``create`` alone is "already
   exists"; followed by more words, ``create`` is dropped.
3. The address family is looked up ONCE, right after the name (``af_getbyname``). Nothing after
   it: the status of that interface (of that family only).
4. The word loop (``ifconfig_ioctl()``): ``cmd_lookup(word, iscreate)``. While creating, only
   clone operations match; the first other word fires the create callback, and an
   address-family word right there is honoured once more. Outside create mode clone operations do
   not match. A word that is no command is an address (``setifaddr``, then ``setifdstaddr``) of
   the current family, inet by default, so ``inet`` anywhere else is "inet: bad value". ``name``
   renames at once; later words and the deferred address act on the new name (``ifname_update``).
5. After the loop: the family's ``af_postproc`` (af_inet.c: the missing-mask warning), the
   callbacks still registered (a ``create`` with nothing after it), then the deferred address
   change: ``delifaddr`` if ``clearaddr``, ``addifaddr`` if ``newaddr``.
6. ``atexit(printifnamemaybe)``: the last name set (a create that got another name than asked,
   every rename) is printed on stdout at exit, also when a later word failed.

Kernel effects are :mod:`hooks.testing.interfaces`. Real commands this host does not simulate fail
with "WORD: not simulated by the jailnet test host" instead of being taken for addresses. There is
no resolver: a word that is not an IPv4 address in inet_aton(3) form is "bad value" (af_inet.c
would try gethostbyname and getnetbyname first), nor an IPv6 one in inet_pton(3) form with an
optional ``%scope`` (af_inet6.c's getaddrinfo(3) would also look the name up).

IPv6 (sbin/ifconfig/af_inet6.c, af_nd6.c): ``inet6 ADDR[/LEN] [prefixlen LEN]`` (64 by default,
``in6_postproc``), ``alias`` optional (the request deleted first is the address being added),
``ADDR -alias``/``delete``/``remove``; the nd6 flag words act at once (``setnd6flags``), the
address at the end, so ``no_dad`` anywhere on the line keeps it from being ``tentative``. The
status shows the addresses as ``in6_status()``/``in6_status_nl()`` print them and the interface's
real ND6 flags (``nd6_status()``).
"""

import fnmatch
import ipaddress
from collections.abc import Callable, Sequence

import attrs

from hooks.testing import interfaces
from hooks.testing.interfaces import STRERROR, KernelError, VxlanParam
from hooks.testing.model import (
    HOST_VNET,
    IFF_BROADCAST,
    IFF_DEBUG,
    IFF_LINK0,
    IFF_LINK1,
    IFF_LINK2,
    IFF_LOOPBACK,
    IFF_LOWER_UP,
    IFF_MONITOR,
    IFF_NAMES,
    IFF_NOARP,
    IFF_POINTOPOINT,
    IFF_PPROMISC,
    IFF_STATICARP,
    IFF_STICKYARP,
    IFF_UP,
    IFNAMSIZ,
    IN6_FLAG_NAMES,
    ND6_IFF_ACCEPT_RTADV,
    ND6_IFF_AUTO_LINKLOCAL,
    ND6_IFF_IFDISABLED,
    ND6_IFF_NO_DAD,
    ND6_IFF_NO_PREFER_IFACE,
    ND6_IFF_NO_RADR,
    ND6_IFF_PERFORMNUD,
    ND6_NAMES,
    VXLAN_VNI_MAX,
    Inet,
    Inet6,
    Interface,
    SimState,
    Vnet,
)
from hooks.testing.program import Context, Fail, Program, getopt

# ifconfig.c usage(): "%s" is the modules' option usages ([-L] [-C] [-g groupname]). The
# "[-j jail]" forms exist from 13.3 (ifconfig.8); older releases print the usage without them.
USAGE = (
    "usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n"
    "                [address [dest_address]] [parameters]\n"
    "       ifconfig [-j jail] interface create\n"
    "       ifconfig [-j jail] -a [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v] [address_family]\n"
    "       ifconfig [-j jail] -l [-d] [-u] [address_family]\n"
    "       ifconfig [-j jail] [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v]\n"
)

#: The failure text of a real ifconfig feature this host does not model.
NOT_SIMULATED = "not simulated by the jailnet test host"

# -- address families (af_register() in each af_*.c / if*.c) --------------------------------------


@attrs.frozen
class Family:
    """One ``struct afswtch``: its name on the command line and what it can do."""

    name: str
    af: str
    """``AF_INET``, ``AF_INET6``, ``AF_LINK``, ``AF_LOCAL`` or ``AF_UNSPEC``."""
    addresses: bool
    """Has ``af_getaddr`` and a way to set addresses (``af_exec``; 13.x ``af_aifaddr``)."""
    source: str


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("inet", "AF_INET", True, "sbin/ifconfig/af_inet.c"),
        Family("inet6", "AF_INET6", True, "sbin/ifconfig/af_inet6.c"),
        Family("link", "AF_LINK", True, "sbin/ifconfig/af_link.c"),
        Family("ether", "AF_LINK", True, "sbin/ifconfig/af_link.c"),
        Family("lladdr", "AF_LINK", True, "sbin/ifconfig/af_link.c"),
        Family("nd6", "AF_LOCAL", False, "sbin/ifconfig/af_nd6.c"),
        Family("af_group", "AF_UNSPEC", False, "sbin/ifconfig/ifgroup.c"),
        Family("af_bridge", "AF_UNSPEC", False, "sbin/ifconfig/ifbridge.c"),
        Family("af_media", "AF_UNSPEC", False, "sbin/ifconfig/ifmedia.c"),
        Family("af_vlan", "AF_UNSPEC", False, "sbin/ifconfig/ifvlan.c"),
        Family("af_lagg", "AF_UNSPEC", False, "sbin/ifconfig/iflagg.c"),
        Family("af_carp", "AF_UNSPEC", False, "sbin/ifconfig/carp.c"),
        Family("af_fib", "AF_UNSPEC", False, "sbin/ifconfig/iffib.c"),
        Family("af_gif", "AF_UNSPEC", False, "sbin/ifconfig/ifgif.c"),
        Family("af_gre", "AF_UNSPEC", False, "sbin/ifconfig/ifgre.c"),
        Family("af_vxlan", "AF_UNSPEC", False, "sbin/ifconfig/ifvxlan.c"),
        Family("af_pfsync", "AF_UNSPEC", False, "sbin/ifconfig/ifpfsync.c"),
        Family("af_maclabel", "AF_UNSPEC", False, "sbin/ifconfig/ifmac.c"),
        Family("af_ipsec", "AF_UNSPEC", False, "sbin/ifconfig/ifipsec.c"),
        Family("af_stf", "AF_UNSPEC", False, "sbin/ifconfig/ifstf.c"),
        Family("af_ieee80211", "AF_UNSPEC", False, "sbin/ifconfig/ifieee80211.c"),
    )
}
_INET = FAMILIES["inet"]
_INET6 = FAMILIES["inet6"]

# -- the command table (cmd_register() in each file) ----------------------------------------------

# c_parameter kinds (sbin/ifconfig/ifconfig.h): DEF_CMD, NEXTARG, NEXTARG2, OPTARG, SPARAM.
_NONE, _ARG, _ARG2, _OPTARG, _SPARAM = "none", "arg", "arg2", "optarg", "sparam"


@attrs.frozen
class Cmd:
    """One ``struct cmd``: the word, how many words it takes, whether it is a clone operation."""

    name: str
    param: str
    clone: bool
    source: str


def _cmds(source: str, param: str, words: str, *, clone: bool = False) -> list[Cmd]:
    return [Cmd(word, param, clone, source) for word in words.split()]


_IFCONFIG_C = "sbin/ifconfig/ifconfig.c basic_cmds[]"
_TABLE: list[Cmd] = [
    *_cmds(_IFCONFIG_C, _NONE, """up down arp -arp debug -debug -description -descr allmulti -allmulti
        promisc -promisc add alias -alias delete remove -tunnel deletetunnel link0 -link0 link1 -link1
        link2 -link2 monitor -monitor mextpg -mextpg staticarp -staticarp stickyarp -stickyarp
        rxcsum6 -rxcsum6 txcsum6 -txcsum6 rxcsum -rxcsum txcsum -txcsum netcons -netcons -pcp
        polling -polling tso6 -tso6 tso4 -tso4 tso -tso toe -toe lro -lro txtls -txtls wol -wol
        wol_ucast -wol_ucast wol_mcast -wol_mcast wol_magic -wol_magic txrtlmt -txrtlmt txtlsrtlmt
        -txtlsrtlmt hwrxtstmp -hwrxtstmp normal compress noicmp"""),
    *_cmds(_IFCONFIG_C, _ARG, "description descr netmask metric broadcast vnet -vnet pcp mtu name"),
    *_cmds(_IFCONFIG_C, _ARG2, "tunnel"),
    *_cmds(_IFCONFIG_C, _SPARAM, "rxtls -rxtls ipsec -ipsec"),
    *_cmds("sbin/ifconfig/ifclone.c clone_cmds[]", _NONE, "create plumb", clone=True),
    *_cmds("sbin/ifconfig/ifclone.c clone_cmds[]", _NONE, "destroy unplumb"),
    *_cmds("sbin/ifconfig/ifgroup.c group_cmds[]", _ARG, "group -group"),
    *_cmds("sbin/ifconfig/ifbridge.c bridge_cmds[]", _ARG, """addm deletem discover -discover learn -learn
        sticky -sticky span -span stp -stp edge -edge autoedge -autoedge ptp -ptp autoptp -autoptp
        deladdr maxaddr hellotime fwddelay maxage priority proto holdcnt timeout private -private
        vlanfilter -vlanfilter -untagged"""),
    *_cmds("sbin/ifconfig/ifbridge.c bridge_cmds[]", _NONE, "flush flushall addr"),
    *_cmds("sbin/ifconfig/ifbridge.c bridge_cmds[]", _ARG2,
           "static ifpriority ifpathcost ifmaxaddr untagged tagged +tagged -tagged"),
    *_cmds("sbin/ifconfig/af_inet6.c inet6_cmds[]", _ARG, "prefixlen pltime vltime"),
    *_cmds("sbin/ifconfig/af_inet6.c inet6_cmds[]", _NONE, """anycast tentative -tentative deprecated
        -deprecated autoconf -autoconf prefer_source -prefer_source accept_rtadv -accept_rtadv no_radr
        -no_radr defaultif -defaultif ifdisabled -ifdisabled nud -nud auto_linklocal -auto_linklocal
        no_prefer_iface -no_prefer_iface no_dad -no_dad eui64"""),
    *_cmds("sbin/ifconfig/ifmedia.c media_cmds[]", _ARG, "media mode mediaopt -mediaopt inst instance"),
    *_cmds("sbin/ifconfig/ifvlan.c vlan_cmds[]", _ARG, "vlan vlandev vlanproto", clone=True),
    *_cmds("sbin/ifconfig/ifvlan.c vlan_cmds[]", _ARG, "vlanpcp vlan vlandev vlanproto"),
    *_cmds("sbin/ifconfig/ifvlan.c vlan_cmds[]", _OPTARG, "-vlandev"),
    *_cmds("sbin/ifconfig/ifvlan.c vlan_cmds[]", _NONE, """vlanmtu -vlanmtu vlanhwtag -vlanhwtag vlanhwfilter
        -vlanhwfilter vlanhwtso -vlanhwtso vlanhwcsum -vlanhwcsum"""),
    *_cmds("sbin/ifconfig/iflagg.c lagg_cmds[]", _ARG, "laggtype", clone=True),
    *_cmds("sbin/ifconfig/iflagg.c lagg_cmds[]", _ARG, "laggport -laggport laggproto lagghash flowid_shift rr_limit"),
    *_cmds("sbin/ifconfig/iflagg.c lagg_cmds[]", _NONE, """use_flowid -use_flowid use_numa -use_numa
        lacp_strict -lacp_strict lacp_txtest -lacp_txtest lacp_rxtest -lacp_rxtest lacp_fast_timeout
        -lacp_fast_timeout"""),
    *_cmds("sbin/ifconfig/carp.c carp_cmds[]", _ARG, "advbase advskew pass vhid state"),
    *_cmds("sbin/ifconfig/iffib.c fib_cmds[]", _ARG, "fib tunnelfib"),
    *_cmds("sbin/ifconfig/ifgif.c gif_cmds[]", _NONE, "ignore_source -ignore_source"),
    *_cmds("sbin/ifconfig/ifgre.c gre_cmds[]", _ARG, "grekey"),
    *_cmds("sbin/ifconfig/ifgre.c gre_cmds[]", _NONE, "enable_csum -enable_csum enable_seq -enable_seq"),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _ARG, """vni vxlanid vxlanlocal vxlanremote vxlangroup
        vxlanlocalport vxlanremoteport vxlantimeout vxlanmaxaddr vxlandev vxlanttl""", clone=True),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _ARG2, "vxlanportrange", clone=True),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _NONE, "vxlanlearn -vxlanlearn", clone=True),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _ARG, """vni vxlanid vxlanlocal vxlanremote vxlangroup
        vxlanlocalport vxlanremoteport vxlantimeout vxlanmaxaddr vxlandev vxlanttl"""),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _ARG2, "vxlanportrange"),
    *_cmds("sbin/ifconfig/ifvxlan.c vxlan_cmds[]", _NONE, """vxlanlearn -vxlanlearn vxlanflush vxlanflushall
        vxlanhwcsum -vxlanhwcsum vxlanhwtso -vxlanhwtso"""),
    *_cmds("sbin/ifconfig/ifpfsync.c pfsync_cmds[]", _ARG, "syncdev syncif syncpeer maxupd"),
    *_cmds("sbin/ifconfig/ifpfsync.c pfsync_cmds[]", _NONE, "-syncdev -syncif -syncpeer defer -defer"),
    *_cmds("sbin/ifconfig/ifmac.c mac_cmds[]", _ARG, "maclabel"),
    *_cmds("sbin/ifconfig/ifipsec.c ipsec_cmds[]", _ARG, "reqid"),
    *_cmds("sbin/ifconfig/ifstf.c stf_cmds[]", _ARG, "stfv4net stfv4br"),
    *_cmds("sbin/ifconfig/ifieee80211.c ieee80211_cmds[]", _ARG, """ssid nwid meshid stationname station
        channel authmode powersavemode powersavesleep wepmode deftxkey weptxkey wepkey nwkey
        rtsthreshold protmode txpower roaming chanlist bssid ap list acm -acm ack -ack dtimperiod
        bintval mac:add mac:del mac:kick bgscanidle bgscanintvl scanvalid quiet_count quiet_period
        quiet_duration quiet_offset roam:rssi roam:rate mcastrate ucastrate mgtrate mgmtrate maxretry
        fragthreshold bmiss bmissthreshold ampdulimit ampdudensity amsdulimit regdomain country
        htprotmode chanswitch tdmaslot tdmaslotcnt tdmaslotlen tdmabintval meshttl meshmetric meshpath
        meshrt:add meshrt:del hwmprootmode hwmpmaxhops"""),
    *_cmds("sbin/ifconfig/ifieee80211.c ieee80211_cmds[]", _ARG2, """cwmin cwmax aifs txoplimit bss:cwmin
        bss:cwmax bss:aifs bss:txoplimit"""),
    *_cmds("sbin/ifconfig/ifieee80211.c ieee80211_cmds[]", _NONE, """powersave -powersave wep -wep -nwkey wme
        -wme wmm -wmm hidessid -hidessid apbridge -apbridge scan mac:open mac:allow mac:deny mac:radius
        mac:flush mac:detach pureg -pureg ff -ff dturbo -dturbo bgscan -bgscan quiet -quiet burst -burst
        shortgi -shortgi ampdurx -ampdurx ampdutx -ampdutx ampdu -ampdu amsdurx -amsdurx amsdutx
        -amsdutx amsdu -amsdu stbcrx -stbcrx stbctx -stbctx stbc -stbc ldpcrx -ldpcrx ldpctx -ldpctx
        ldpc -ldpc uapsd -uapsd puren -puren doth -doth dfs -dfs htcompat -htcompat dwds -dwds inact
        -inact tsn -tsn indoor -indoor outdoor -outdoor anywhere ecm -ecm dotd -dotd ht20 -ht20 ht40
        -ht40 ht -ht vht -vht vht40 -vht40 vht80 -vht80 vht160 -vht160 vht80p80 -vht80p80 rifs -rifs
        smps smpsdyn -smps meshforward -meshforward meshgate -meshgate meshpeering -meshpeering
        meshrt:flush"""),
    *_cmds("sbin/ifconfig/ifieee80211.c ieee80211_cmds[]", _ARG, "wlanaddr wlanbssid wlandev wlanmode", clone=True),
    *_cmds("sbin/ifconfig/ifieee80211.c ieee80211_cmds[]", _NONE, "beacons -beacons bssid -bssid wdslegacy -wdslegacy",
           clone=True),
]
_COMMANDS: dict[str, Cmd] = {}
_CLONE_COMMANDS: dict[str, Cmd] = {}
for _cmd in _TABLE:
    (_CLONE_COMMANDS if _cmd.clone else _COMMANDS).setdefault(_cmd.name, _cmd)

#: ``setifaddr``/``setifdstaddr``: what a word that is no command becomes (ifconfig.c).
_SETIFADDR = Cmd("ifaddr", _NONE, False, _IFCONFIG_C)
_SETIFDSTADDR = Cmd("ifdstaddr", _NONE, False, _IFCONFIG_C)

#: Flag words: (bit, set?) through setifflags/clearifflags (ifconfig.c basic_cmds[]).
_FLAG_WORDS = {
    "up": (IFF_UP, True), "down": (IFF_UP, False),
    "arp": (IFF_NOARP, False), "-arp": (IFF_NOARP, True),
    "debug": (IFF_DEBUG, True), "-debug": (IFF_DEBUG, False),
    "promisc": (IFF_PPROMISC, True), "-promisc": (IFF_PPROMISC, False),
    "link0": (IFF_LINK0, True), "-link0": (IFF_LINK0, False),
    "link1": (IFF_LINK1, True), "-link1": (IFF_LINK1, False),
    "link2": (IFF_LINK2, True), "-link2": (IFF_LINK2, False),
    "monitor": (IFF_MONITOR, True), "-monitor": (IFF_MONITOR, False),
    "staticarp": (IFF_STATICARP, True), "-staticarp": (IFF_STATICARP, False),
    "stickyarp": (IFF_STICKYARP, True), "-stickyarp": (IFF_STICKYARP, False),
    "normal": (IFF_LINK0, False), "compress": (IFF_LINK0, True), "noicmp": (IFF_LINK1, True),
}

#: Cloners FreeBSD has that this host does not simulate (their if_*.ko loads on demand,
#: ifconfig.c ``ifmaybeload``) [guess: list not exhaustive].
_UNSIMULATED_CLONERS = ("vlan", "lagg", "gif", "gre", "tun", "tap", "vmnet", "wg", "stf", "ipsec",
                        "enc", "pflog", "pfsync", "disc", "edsc", "ovpn", "me", "wlan", "geneve")

# which argument an address goes to (ifconfig.h: RIDADDR, ADDR, MASK, DSTADDR, BRDADDR)
_RIDADDR, _ADDR, _MASK, _DSTADDR, _BRDADDR = range(5)


@attrs.define
class _Px:
    """af_inet.c ``struct in_px``: an address being assembled."""

    addr: int = 0
    plen: int = 0
    addrset: bool = False
    maskset: bool = False


@attrs.define
class _Px6:
    """af_inet6.c ``struct in6_px`` (14.x; 13.x keeps the same in ``in6_addreq``/``in6_ridreq``,
    the prefix length as a mask in ``ifra_prefixmask``)."""

    addr: int = 0
    plen: int = 128
    set: bool = False
    scope: int = 0
    """``sin6_scope_id`` from a ``%zone`` suffix (getaddrinfo(3)); 0 when none was given."""


@attrs.define
class _Options:
    """What args_parse() collects (ifconfig.h ``struct ifconfig_args``)."""

    all: bool = False
    downonly: bool = False
    uponly: bool = False
    namesonly: bool = False
    supmedia: bool = False
    verbose: bool = False
    matchgroup: str | None = None
    nogroup: str | None = None


@attrs.define
class _Run:
    """One invocation: ifconfig.c's ``if_ctx`` and its file-scope state (``setaddr``, ``doalias``,
    ``clearaddr``, ``newaddr``, ``ifname_to_print``, the callback list, af_inet.c ``in_add``/``in_del``)."""

    ctx: Context
    name: str = ""
    printed: str = ""
    afp: Family = _INET
    callbacks: list[str] = attrs.Factory(list)
    setaddr: int = 0
    setmask: int = 0
    doalias: int = 0
    clearaddr: int = 0
    newaddr: int = 1
    add: _Px = attrs.Factory(_Px)
    rid: _Px = attrs.Factory(_Px)
    lladdr: bytes | None = None
    add6: _Px6 = attrs.Factory(_Px6)
    rid6: _Px6 = attrs.Factory(_Px6)
    dst6: _Px6 = attrs.Factory(_Px6)
    explicit_prefix: bool = False
    """af_inet6.c ``explicit_prefix``: a length was given (``/LEN``, ``prefixlen``)."""
    vxlan: VxlanParam = attrs.Factory(VxlanParam)
    """ifvxlan.c's static ``struct ifvxlanparam params``: what the vxlan words gather while the
    interface does not exist yet (``vxlan_exists()`` fails), for ``vxlan_create``."""
    ifr_name: str = ""
    """13.x: the global ``ifr.ifr_name`` that af_nd6.c ``setnd6flags`` names; ``ifconfig()``
    sets it before the word loop, and so do only ``setifname`` (to the old name), ``setifdescr``,
    ``setifmetric``, ``setifmtu`` and ifclone.c ``clone_destroy``; ifclone.c ``ifclonecreate``
    fills a local ``struct ifreq``, so after ``create`` it still holds the name asked for.
    14.x uses ``ctx->ifname`` (:attr:`name`)."""

    @property
    def netlink(self) -> bool:
        return self.ctx.state.netlink()

    def errx(self, text: str) -> Fail:
        """errx(3): ``ifconfig: text``, exit 1."""
        return self.ctx.fail(text)

    def err(self, text: str, errno: str) -> Fail:
        """err(3): ``ifconfig: text: strerror(errno)``, exit 1."""
        return self.ctx.fail(f"{text}: {STRERROR[errno]}")

    def perrorc(self, cmd: str, errno: str) -> Fail:
        """ifconfig.c ``Perrorc()``: ENXIO "no such interface", EPERM "permission denied", else strerror."""
        if errno == "ENXIO":
            return self.errx(f"{cmd}: no such interface")
        if errno == "EPERM":
            return self.errx(f"{cmd}: permission denied")
        return self.err(cmd, errno)

    def ifp(self) -> Interface:
        """The interface the ioctls name (``ctx->ifname``), or ENXIO as ``ifunit()`` gives."""
        iface = self.ctx.vnet.interfaces.get(self.name)
        if iface is None:
            raise KernelError("ENXIO")
        return iface


# -- main() ---------------------------------------------------------------------------------------


def run(ctx: Context, args: list[str]) -> int:
    """ifconfig.c ``main()``; ``printifnamemaybe()`` runs at exit whatever happened (atexit)."""
    r = _Run(ctx)
    try:
        return _main(r, args)
    except _Exit as done:
        return done.code
    finally:
        if r.printed:
            r.ctx.print(r.printed)


def _main(r: _Run, args: list[str]) -> int:
    opts = _Options()
    rest = _parse_options(r, args, opts)
    # args_parse(): "-l cannot be used with -a or -m", "nonsense..", "no arguments is equivalent to '-a'"
    if opts.namesonly and (opts.all or opts.supmedia):
        raise _usage(r.ctx.state)
    if opts.uponly and opts.downonly:
        raise _usage(r.ctx.state)
    if not opts.namesonly and not rest:
        opts.all = True
    if opts.all or opts.namesonly:
        # "-a and -l allow an address family arg to limit the output"
        if len(rest) > 1:
            raise _usage(r.ctx.state)
        family = None
        if rest:
            family = FAMILIES.get(rest[0])
            if family is None:
                r.ctx.warn(f"Address family '{rest[0]}' unknown.")
                raise _usage(r.ctx.state)
        _list(r, opts, family, None)
        return 0
    ifname = rest.pop(0)
    arg = rest[0] if rest else None
    vnet = r.ctx.vnet
    if ifname not in vnet.interfaces:  # if_nametoindex() == 0
        if arg in ("create", "plumb"):
            # "We must special-case the `create' command right here"; no address-family check
            if len(ifname.encode()) >= IFNAMSIZ:
                raise r.errx(f"{ifname}: cloning name too long")
            r.name = ifname
            _ifconfig(r, rest, iscreate=True, uafp=None)
            return 0
        if arg == "-vnet":
            # "We have to special-case the `-vnet' command right here": the name lives in a jail
            if len(ifname.encode()) >= IFNAMSIZ:
                raise r.errx(f"{ifname}: interface name too long")
            r.name = ifname
            _ifconfig(r, rest, iscreate=False, uafp=None)
            return 0
        raise r.errx(f"interface {ifname} does not exist")
    if arg in ("create", "plumb"):
        # "Do not allow use `create` command as hostname if address family is not specified."
        if len(rest) == 1:
            raise r.errx(f"interface {ifname} already exists")
        rest.pop(0)
    # "Check for address family": once, here, right after the interface name
    family = FAMILIES.get(rest[0]) if rest else None
    if family is not None:
        rest.pop(0)
    if rest:
        iface = vnet.interfaces[ifname]
        # getifflags(): IFF_CANTCONFIG (none of the simulated interfaces has it), -d, -u
        if not ((opts.downonly and iface.up) or (opts.uponly and not iface.up)):
            r.name = ifname
            _ifconfig(r, rest, iscreate=False, uafp=family)
        return 0
    _list(r, opts, family, ifname)
    return 0


def _parse_options(r: _Run, args: list[str], opts: _Options) -> list[str]:
    """ifconfig.c ``args_parse()``: the options in order, each acted on as getopt returns it."""
    state = r.ctx.state
    spec = "aCdf:g:G:klLmnuv" + ("j:" if state.has_jail_flag() else "") + ("D" if state.netlink() else "")
    parsed, rest, error = getopt("ifconfig", args, spec)
    for letter, value in parsed:
        if letter == "a":
            opts.all = True
        elif letter == "d":
            opts.downonly = True
        elif letter == "u":
            opts.uponly = True
        elif letter == "l":
            opts.namesonly = True
        elif letter == "m":
            opts.supmedia = True
        elif letter == "v":
            opts.verbose = True
        elif letter == "G":
            if not opts.all:
                raise _usage(state)
            opts.nogroup = value
        elif letter == "g" and opts.all:
            opts.matchgroup = value
        elif letter == "g":
            _printgroup(r, value)  # ifgroup.c printgroup() exits
        elif letter == "C":
            # ifclone.c clone_Copt_cb(): SIOCIFGCLONERS lists V_if_cloners, newest first
            # (LIST_INSERT_HEAD); lo is attached at boot [guess: if_epair before if_bridge]
            r.ctx.print("bridge epair lo")
            raise _Exit(0)
        elif letter == "j":
            r.ctx = _attach_jail(r, value)
        elif letter == "D":
            raise r.errx(f"-D: {NOT_SIMULATED}")
        # f (format), k, L, n: accepted; they change nothing this host prints (v: the vxlan lines)
    if error:
        raise Fail(f"{error}\n{_usage_text(state)}", 1)
    return rest


class _Exit(Fail):
    """exit(status) without a message (printgroup(), -C)."""

    def __init__(self, code: int) -> None:
        super().__init__("", code)


def _usage_text(state: SimState) -> str:
    text = USAGE.rstrip()
    return text if state.has_jail_flag() else text.replace("[-j jail] ", "")


def _usage(state: SimState) -> Fail:
    """ifconfig.c ``usage()``: the synopsis on stderr, exit 1."""
    return Fail(_usage_text(state), 1)


def _attach_jail(r: _Run, ref: str) -> Context:
    """``-j jail``: jail_getid(3) then jail_attach(2); failures through ``Perror()``.

    lib/libjail ``jail_getid`` returns a number as it is and looks a name up (jail_get(2): ENOENT
    -> "jail not found"); jail_attach(2) to a jid that is not a live jail fails with EINVAL
    ("cannot attach to jail") [guess: errno].
    """
    ctx = r.ctx
    if ref.isascii() and ref.isdigit():
        jail = ctx.state.find_jail(ref)
        if jail is None:
            raise r.perrorc("cannot attach to jail", "EINVAL")
    else:
        jail = ctx.state.find_jail(ref)
        if jail is None:
            raise r.perrorc("jail not found", "ENOENT")
    return ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)


# -- ifconfig_ioctl(): the word loop --------------------------------------------------------------


def _lookup(word: str, iscreate: bool) -> Cmd | None:
    """ifconfig.c ``cmd_lookup()``: in create mode only clone operations match, else only others."""
    return (_CLONE_COMMANDS if iscreate else _COMMANDS).get(word)


def _ifconfig(r: _Run, words: list[str], *, iscreate: bool, uafp: Family | None) -> None:
    """ifconfig.c ``ifconfig_ioctl()`` (13.x ``ifconfig()``)."""
    # "the historical "accident" allowing users to configure IPv4 addresses without the "inet" keyword"
    afp = uafp if uafp is not None else _INET
    r.afp = afp
    r.ifr_name = r.name  # 13.x: strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name)
    i = 0
    while i < len(words):
        word = words[i]
        cmd = _lookup(word, iscreate)
        if iscreate and cmd is None:
            # "Push the clone create callback so the new device is created and can be used for
            # any remaining arguments."
            if not r.callbacks:
                raise r.errx("internal error, no callback")
            _callback(r, r.callbacks.pop(0))
            iscreate = False
            # "Handle any address family spec that immediately follows"
            nafp = FAMILIES.get(word)
            if nafp is not None:
                i += 1
                if nafp is not afp:
                    afp = nafp  # "goto top": a socket of the new family
                    r.afp = afp
            continue
        if cmd is None:
            # "Not a recognized command, choose between setting the interface address and the dst address."
            cmd = _SETIFDSTADDR if r.setaddr else _SETIFADDR
        if cmd.param == _ARG:
            if i + 1 >= len(words):
                raise r.errx(f"'{cmd.name}' requires argument")
            _dispatch(r, cmd, word, (words[i + 1],))
            i += 1
        elif cmd.param == _OPTARG:
            value = words[i + 1:i + 2]
            _dispatch(r, cmd, word, tuple(value))
            i += len(value)
        elif cmd.param == _ARG2:
            if len(words) - i < 3:
                raise r.errx(f"'{cmd.name}' requires 2 arguments")
            _dispatch(r, cmd, word, (words[i + 1], words[i + 2]))
            i += 2
        else:
            _dispatch(r, cmd, word, ())
        i += 1
    # "Do any post argument processing required by the address family."
    if afp is _INET:
        _in_postproc(r)
    elif afp is _INET6:
        _in6_postproc(r)
    # "Do deferred callbacks registered while processing command-line arguments."
    for name in list(r.callbacks):
        _callback(r, name)
    r.callbacks.clear()
    # "Do deferred operations."
    if r.clearaddr:
        _delifaddr(r, afp)
    if r.newaddr:
        _addifaddr(r, afp)


def _dispatch(r: _Run, cmd: Cmd, word: str, args: tuple[str, ...]) -> None:
    handler = _CLONE_HANDLERS.get(cmd.name) if cmd.clone else _HANDLERS.get(cmd.name)
    if handler is None:
        raise r.errx(f"{cmd.name}: {NOT_SIMULATED} ({cmd.source})")
    handler(r, word, args)


def _callback(r: _Run, name: str) -> None:
    if name == "create":
        _ifclonecreate(r)


# -- clone operations (sbin/ifconfig/ifclone.c) ---------------------------------------------------


def _clone_create(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifclone.c ``clone_create``: registers ``ifclonecreate`` as a callback (callback_register
    pushes it at the head of the list)."""
    r.callbacks.insert(0, "create")


def _ifclonecreate(r: _Run) -> None:
    """ifclone.c ``ifclonecreate`` -> ifconfig.c ``ifcreate_ioctl`` (13.x ``ioctl_ifcreate``).

    SIOCIFCREATE2 with the name given; EEXIST -> "interface %s already exists", other errors
    ``err(1, "SIOCIFCREATE2 (%s)")`` with that name (the kernel copies a name back only on
    success). When the kernel's name differs (``epair`` -> ``epair0a``, ``bridge`` -> ``bridge0``,
    not ``bridge7`` -> ``bridge7``) it becomes the current name and is printed at exit
    (``ifname_update``; 13.x ``printifname = 1``).

    A name starting with ``vxlan`` has ifvxlan.c's callback (``clone_setdefcallback_prefix("vxlan",
    vxlan_create)``; 13.x ``clone_setdefcallback``, the same prefix match): ``vxlan_create``
    runs ``vxlan_check_params`` and sends the gathered parameters in ``ifr_data``; 13.x's
    ``vxlan_create`` does its own ioctl, ``err(1, "SIOCIFCREATE2")`` for every error [guess: some
    13.x trees may use ``ioctl_ifcreate`` as 14.x does].
    """
    ctx, name = r.ctx, r.name
    for cloner in _UNSIMULATED_CLONERS:
        if name.startswith(cloner) and name[len(cloner):].isdigit() or name == cloner:
            raise r.errx(f"{name}: creating {cloner} interfaces is {NOT_SIMULATED}")
    vxlan = name.startswith("vxlan")
    if vxlan:
        _vxlan_check_params(r)
    try:
        iface = interfaces.clone_create(ctx.state, ctx.vnet, ctx.vnet_id, name, r.vxlan if vxlan else None)
    except KernelError as e:
        if vxlan and not r.netlink:
            raise r.err("SIOCIFCREATE2", e.errno) from None
        if e.errno == "EEXIST":
            raise r.errx(f"interface {name} already exists") from None
        raise r.err(f"SIOCIFCREATE2 ({name})", e.errno) from None
    if iface.name != name:
        r.name = r.printed = iface.name


def _clone_destroy(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifclone.c ``clone_destroy``: SIOCIFDESTROY, ``err(1, "SIOCIFDESTROY")``."""
    ctx = r.ctx
    r.ifr_name = r.name
    try:
        interfaces.clone_destroy(ctx.state, ctx.vnet, r.ifp())
    except KernelError as e:
        raise r.err("SIOCIFDESTROY", e.errno) from None


# -- basic_cmds[] (sbin/ifconfig/ifconfig.c) ------------------------------------------------------


def _getifflags(r: _Run, *, err_ok: bool) -> int:
    """ifconfig.c ``getifflags()``: SIOCGIFFLAGS; a missing interface is ``Perror("ioctl
    (SIOCGIFFLAGS)")`` unless ``err_ok`` (then the flags read as 0)."""
    iface = r.ctx.vnet.interfaces.get(r.name)
    if iface is None:
        if not err_ok:
            raise r.perrorc("ioctl (SIOCGIFFLAGS)", "ENXIO")
        return 0
    return iface.flags


def _setifflags(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifflags``/``clearifflags``: SIOCGIFFLAGS, then SIOCSIFFLAGS with the bit
    changed (a refusal is ``Perror(vname)``, the word itself)."""
    bit, on = _FLAG_WORDS[word]
    _getifflags(r, err_ok=False)
    interfaces.set_flags(r.ctx.state, r.ctx.vnet, r.ifp(), bit, on)


def _setifdescr(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifdescr`` (``unsetifdescr`` passes ""): SIOCSIFDESCR, ``err(1, "ioctl
    SIOCSIFDESCR (set descr)")``."""
    text = args[0] if args else ""
    r.ifr_name = r.name
    try:
        interfaces.set_description(r.ifp(), text)
    except KernelError as e:
        raise r.err("ioctl SIOCSIFDESCR (set descr)", e.errno) from None


def _atoi(text: str) -> int:
    """atoi(3): leading blanks, a sign, digits up to the first other character; 0 if none.
    Values beyond a long are clamped, then cut to an int [guess: truncation of strtol's result]."""
    s = text.lstrip(" \t\n\v\f\r")
    sign = -1 if s[:1] == "-" else 1
    if s[:1] in "+-" and s:
        s = s[1:]
    digits = ""
    for c in s:
        if c not in "0123456789":
            break
        digits += c
    value = sign * int(digits) if digits else 0
    value = max(-(2**63), min(2**63 - 1, value))
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _setifmtu(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifmtu``: ``atoi(val)`` then SIOCSIFMTU, ``err(1, "ioctl SIOCSIFMTU (set
    mtu)")`` (so ``mtu abc`` asks for MTU 0: EINVAL)."""
    ctx = r.ctx
    r.ifr_name = r.name
    try:
        interfaces.set_mtu(ctx.state, ctx.vnet, r.ifp(), _atoi(args[0]))
    except KernelError as e:
        raise r.err("ioctl SIOCSIFMTU (set mtu)", e.errno) from None


def _setifmetric(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifmetric``: ``atoi(val)`` then SIOCSIFMETRIC, ``err(1, "ioctl
    SIOCSIFMETRIC (set metric)")``."""
    r.ifr_name = r.name
    try:
        r.ifp().metric = _atoi(args[0])
    except KernelError as e:
        raise r.err("ioctl SIOCSIFMETRIC (set metric)", e.errno) from None


def _setifname(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifname``: SIOCSIFNAME, ``err(1, "ioctl SIOCSIFNAME (set name)")``; then
    ``ifname_update()``: later words act on the new name, which is printed at exit (13.x:
    ``printifname = 1`` and the global ``name``)."""
    ctx = r.ctx
    r.ifr_name = r.name
    try:
        interfaces.rename(ctx.state, ctx.vnet, r.ifp(), args[0])
    except KernelError as e:
        raise r.err("ioctl SIOCSIFNAME (set name)", e.errno) from None
    r.name = r.printed = args[0]


def _jail_getid(r: _Run, ref: str) -> int:
    """lib/libjail ``jail_getid``: a number is returned unchecked; a name is looked up among the
    jails this process can see (none from inside a jail) or ``errx(1, "%s", jail_errmsg)``, the
    kernel's 'jail "X" not found' (kern_jail.c ``kern_jail_get``)."""
    if ref and ref.isascii() and ref.isdigit():
        return int(ref)
    jail = None if r.ctx.jail else r.ctx.state.find_jail(ref)
    if jail is None:
        raise r.errx(f'jail "{ref}" not found')
    return jail.jid


def _setifvnet(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifvnet``: SIOCSIFVNET, ``err(1, "SIOCSIFVNET")``."""
    ctx = r.ctx
    jid = _jail_getid(r, args[0])
    try:
        interfaces.loan(ctx.state, ctx.vnet, ctx.vnet_id, r.ifp(), jid, in_jail=bool(ctx.jail))
    except KernelError as e:
        raise r.err("SIOCSIFVNET", e.errno) from None


def _setifrvnet(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifrvnet``: SIOCSIFRVNET, ``err(1, "SIOCSIFRVNET(%d, %s)", jid, name)``."""
    ctx = r.ctx
    jid = _jail_getid(r, args[0])
    try:
        interfaces.reclaim(ctx.state, ctx.vnet, r.name, jid, in_jail=bool(ctx.jail))
    except KernelError as e:
        raise r.err(f"SIOCSIFRVNET({jid}, {r.name})", e.errno) from None


def _setifaddr(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifaddr``: "Delay the ioctl to set the interface addr until flags are all
    set." Without ``alias`` the first address is to be cleared (not for AF_LINK); after
    ``-alias`` the word is the address to delete (RIDADDR)."""
    if not r.afp.addresses:
        return
    r.setaddr += 1
    if r.doalias == 0 and r.afp.af != "AF_LINK":
        r.clearaddr = 1
    _getaddr(r, word, _ADDR if r.doalias >= 0 else _RIDADDR)


def _setifdstaddr(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifdstaddr``: a second address word is the destination (parsed, then
    unused: no simulated interface is point-to-point)."""
    if r.afp.addresses:
        _getaddr(r, word, _DSTADDR)


def _setifnetmask(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifnetmask``. With inet6 it is not simulated: 13.x af_inet6.c parses a
    mask word differently, 14.x releases before the fix of PR 286910 crash on it, later ones say
    "netmask: invalid option for inet6"."""
    if r.afp is _INET6:
        raise r.errx(f"{word}: {NOT_SIMULATED} (sbin/ifconfig/af_inet6.c in6_getaddr)")
    if r.afp.addresses:
        r.setmask += 1
        _getaddr(r, args[0], _MASK)


def _setifbroadaddr(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``setifbroadaddr``: parsed; the broadcast shown is the one the mask implies.
    With inet6 not simulated, as ``netmask`` (13.x passes it on as the destination address)."""
    if r.afp is _INET6:
        raise r.errx(f"{word}: {NOT_SIMULATED} (sbin/ifconfig/af_inet6.c in6_getaddr)")
    if r.afp.addresses:
        _getaddr(r, args[0], _BRDADDR)


def _notealias(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifconfig.c ``notealias``: ``alias``/``add`` (IFF_UP) and ``-alias``/``delete``/``remove``
    (-IFF_UP). A negative one after an address makes that address the one to delete
    (``af_copyaddr(RIDADDR, ADDR)``), clears ``newaddr`` and sets ``clearaddr``; a positive one
    clears ``clearaddr``."""
    param = 1 if word in ("add", "alias") else -1
    if r.setaddr and r.doalias == 0 and param < 0 and r.afp is _INET:
        r.rid.addr, r.rid.addrset = r.add.addr, r.add.addrset
    r.doalias = param
    if param < 0:
        r.clearaddr = 1
        r.newaddr = 0
    else:
        r.clearaddr = 0


# -- af_inet.c / af_link.c: addresses -------------------------------------------------------------


def _getaddr(r: _Run, text: str, which: int) -> None:
    if r.afp is _INET:
        _in_getaddr(r, text, which)
    elif r.afp is _INET6:
        _in6_getaddr(r, text, which)
    else:
        _link_getaddr(r, text, which)


def inet_aton(text: str) -> int | None:
    """inet_aton(3) as lib/libc/inet/inet_addr.c: one to four parts, each decimal, octal
    (``0``) or hex (``0x``); the last part fills the rest (``10.1`` is 10.0.0.1); anything after
    a blank is ignored. None when it is not an address."""
    digits, hexdigits = "0123456789", "0123456789abcdefABCDEF"
    parts: list[int] = []
    pos = 0

    def at(k: int) -> str:
        return text[k] if k < len(text) else ""

    c = at(0)
    while True:
        if c == "" or c not in digits:
            return None
        val, base, digit = 0, 10, False
        if c == "0":
            pos += 1
            c = at(pos)
            if c in ("x", "X") and c:
                base = 16
                pos += 1
                c = at(pos)
            else:
                base, digit = 8, True
        while c:
            if c in digits:
                if base == 8 and c in "89":
                    return None
                val = val * base + int(c)
            elif base == 16 and c in hexdigits:
                val = (val << 4) | int(c, 16)
            else:
                break
            pos += 1
            c = at(pos)
            digit = True
        if c != ".":
            break
        if len(parts) >= 3 or val > 0xFF:
            return None
        parts.append(val)
        pos += 1
        c = at(pos)
    if c and c not in " \t\n\v\f\r":
        return None
    if not digit:
        return None
    limit = {0: 0xFFFFFFFFFFFFFFFF, 1: 0xFFFFFF, 2: 0xFFFF, 3: 0xFF}[len(parts)]
    if val > limit:
        return None
    for k, part in enumerate(parts):
        val |= part << (24 - 8 * k)
    return val & 0xFFFFFFFF


def _strtonum(text: str, low: int, high: int) -> tuple[int, str | None]:
    """strtonum(3): the whole string a decimal number within [low, high], else an error string."""
    s = text.lstrip(" \t\n\v\f\r")
    body = s[1:] if s[:1] in "+-" else s
    if not body or any(c not in "0123456789" for c in body):
        return 0, "invalid"
    value = int(s)
    if value < low:
        return 0, "too small"
    if value > high:
        return 0, "too large"
    return value, None


def _in_getip(r: _Run, text: str) -> int:
    """af_inet.c ``in_getip``: inet_aton(3), then gethostbyname(3) and getnetbyname(3) — this host
    has no resolver — else ``errx(1, "%s: bad value")``."""
    value = inet_aton(text)
    if value is None:
        raise r.errx(f"{text}: bad value")
    return value


def _in_getaddr(r: _Run, text: str, which: int) -> None:
    """af_inet.c ``in_getaddr``: only an ADDR may be ``A/len``: a width that does not start with
    a digit is "invalid", strtonum(0..32) decides the rest ("%s: bad value (width %s)" with the
    whole word); a MASK counts its bits (``__bitcount32``)."""
    if which == _MASK:
        r.add.plen = bin(_in_getip(r, text)).count("1")
        r.add.maskset = True
        return
    if which == _ADDR:
        slash = text.rfind("/")
        if slash >= 0:
            width = text[slash + 1:]
            errstr: str | None = "invalid"
            masklen = 0
            if width[:1] and width[0] in "0123456789":
                masklen, errstr = _strtonum(width, 0, 32)
            if errstr is not None:
                raise r.errx(f"{text}: bad value (width {errstr})")
            r.add.plen, r.add.maskset = masklen, True
            text = text[:slash]
        r.add.addr, r.add.addrset = _in_getip(r, text), True
    elif which == _RIDADDR:
        r.rid.addr, r.rid.addrset = _in_getip(r, text), True
    else:
        _in_getip(r, text)  # DSTADDR, BRDADDR: parsed and kept, unused here


def _in_postproc(r: _Run) -> None:
    """af_inet.c ``in_postproc``: an address without a mask gets the historical classful one, with
    ``warn_nomask()`` unless the interface is POINTOPOINT or LOOPBACK (14.x
    ``in_setdefaultmask_nl``; 13.x leaves the default to the kernel, netinet/in.c, same result)."""
    if r.add.addrset and not r.add.maskset and r.newaddr:
        flags = _getifflags(r, err_ok=True)
        if not flags & (IFF_POINTOPOINT | IFF_LOOPBACK):
            r.ctx.warn("WARNING: setting interface address without mask is deprecated,\n"
                       "default mask may not be correct.")
        first = r.add.addr >> 24
        r.add.plen = 8 if first < 128 else 16 if first < 192 else 24  # IN_CLASSA/B, else C
        r.add.maskset = True


def _link_addr(text: str) -> bytes | None:
    """link_addr(3) (lib/libc/net/linkaddr.c) on ``":" + text``: hex bytes separated by ``:`` or
    ``.``; None when malformed [guess: the accepted forms are approximated]."""
    groups = text.replace(".", ":").split(":")
    out = bytearray()
    for group in groups:
        if not 1 <= len(group) <= 2 or any(c not in "0123456789abcdefABCDEF" for c in group):
            return None
        out.append(int(group, 16))
    return bytes(out)


def _link_getaddr(r: _Run, text: str, which: int) -> None:
    """af_link.c ``link_getaddr``: only an address ("can't set link-level netmask or
    broadcast"); ``random`` is a random unicast, locally administered one."""
    if which != _ADDR:
        raise r.errx("can't set link-level netmask or broadcast")
    if text == "random":
        r.lladdr = interfaces.random_lladdr(r.ctx.state)
        return
    lladdr = _link_addr(text)
    if lladdr is None or len(lladdr) > 14:
        raise r.errx("malformed link-level address")
    r.lladdr = lladdr


# -- af_inet6.c: addresses -----------------------------------------------------------------------


def _inet_pton4(text: str) -> bytes | None:
    """lib/libc/inet/inet_pton.c ``inet_pton4``: exactly four decimal octets, each at most 255,
    no leading zero ("if (saw_digit && *tp == 0) return (0)")."""
    octets = text.split(".")
    if len(octets) != 4:
        return None
    out = bytearray()
    for octet in octets:
        if not octet or any(c not in "0123456789" for c in octet) or (len(octet) > 1 and octet[0] == "0"):
            return None
        if int(octet) > 255:
            return None
        out.append(int(octet))
    return bytes(out)


def inet_pton6(text: str) -> int | None:
    """inet_pton(3) AF_INET6 as lib/libc/inet/inet_pton.c ``inet_pton6``: groups of one to four
    hex digits, one ``::``, an optional dotted-quad tail (``inet_pton4``) where four bytes are
    left; a lone leading colon or a colon at the very end after digits is refused. None when it
    is not an address."""
    tmp = bytearray(16)
    tp, colonp = 0, -1
    src = text
    i = 0
    if src[:1] == ":":
        if src[1:2] != ":":
            return None
        i = 1
    curtok = i
    seen, val = 0, 0
    while i < len(src):
        ch = src[i]
        i += 1
        if ch in "0123456789abcdefABCDEF":
            val = (val << 4) | int(ch, 16)
            seen += 1
            if seen > 4:
                return None
            continue
        if ch == ":":
            curtok = i
            if not seen:
                if colonp >= 0:
                    return None
                colonp = tp
                continue
            if i >= len(src):
                return None
            if tp + 2 > 16:
                return None
            tmp[tp:tp + 2] = val.to_bytes(2, "big")
            tp += 2
            seen, val = 0, 0
            continue
        if ch == "." and tp + 4 <= 16:
            quad = _inet_pton4(src[curtok:])
            if quad is not None:
                tmp[tp:tp + 4] = quad
                tp += 4
                seen = 0
                break
        return None
    if seen:
        if tp + 2 > 16:
            return None
        tmp[tp:tp + 2] = val.to_bytes(2, "big")
        tp += 2
    if colonp >= 0:
        if tp == 16:
            return None
        n = tp - colonp
        tmp[16 - n:16], tmp[colonp:tp] = tmp[colonp:tp], bytearray(n)
        tp = 16
    if tp != 16:
        return None
    return int.from_bytes(tmp, "big")


def inet_ntop6(value: int) -> str:
    """inet_ntop(3) AF_INET6 as lib/libc/inet/inet_ntop.c ``inet_ntop6``: lower-case hex groups
    without leading zeros, the longest run of two or more zero groups (the first of equals) as
    ``::``, and an embedded IPv4 tail for ``::a.b.c.d`` (but not ``::1``) and ``::ffff:a.b.c.d``."""
    words = [(value >> (112 - 16 * k)) & 0xFFFF for k in range(8)]
    best_base, best_len, cur_base, cur_len = -1, 0, -1, 0
    for k, word in enumerate(words):
        if word == 0:
            if cur_base == -1:
                cur_base, cur_len = k, 1
            else:
                cur_len += 1
        elif cur_base != -1:
            if best_base == -1 or cur_len > best_len:
                best_base, best_len = cur_base, cur_len
            cur_base = -1
    if cur_base != -1 and (best_base == -1 or cur_len > best_len):
        best_base, best_len = cur_base, cur_len
    if best_base != -1 and best_len < 2:
        best_base = -1
    out = ""
    for k, word in enumerate(words):
        if best_base != -1 and best_base <= k < best_base + best_len:
            if k == best_base:
                out += ":"
            continue
        if k != 0:
            out += ":"
        if k == 6 and best_base == 0 and (best_len == 6 or (best_len == 7 and words[7] != 1)
                                          or (best_len == 5 and words[5] == 0xFFFF)):
            out += ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))
            break
        out += f"{word:x}"
    if best_base != -1 and best_base + best_len == 8:
        out += ":"
    return out


def _ip6_str2scopeid(r: _Run, value: int, scope: str) -> int | None:
    """lib/libc/net/getaddrinfo.c ``ip6_str2scopeid``: empty is invalid; for a link-local (or
    link- or interface-local multicast) address an interface name (if_nametoindex(3), in the
    vnet the command runs in), else a decimal number that fits 32 bits."""
    if not scope:
        return None
    address = ipaddress.IPv6Address(value)
    if address in ipaddress.IPv6Network("fe80::/10") or (address.is_multicast and ((value >> 112) & 0xF) in (1, 2)):
        iface = r.ctx.vnet.interfaces.get(scope)
        if iface is not None:
            return iface.index
    if all(c in "0123456789" for c in scope) and int(scope) <= 0xFFFFFFFF:
        return int(scope)
    return None


def _getaddrinfo6(r: _Run, text: str) -> tuple[int, int] | None:
    """getaddrinfo(3) with ``ai_family = AF_INET6`` and no resolver (see the module docstring):
    ``explore_numeric_scope`` splits ``ADDR%SCOPE`` at the first ``%``, ``inet_pton`` and
    :func:`_ip6_str2scopeid`. The address and the scope id, or None (EAI_NONAME)."""
    host, percent, scope = text.partition("%")
    value = inet_pton6(host)
    if value is None:
        return None
    if not percent:
        return value, 0
    zone = _ip6_str2scopeid(r, value, scope)
    return None if zone is None else (value, zone)


def _in6_plen(r: _Run, text: str) -> int:
    """A prefix length: ``int plen = strtol(p + 1, NULL, 10)`` (14.x ``in6_getaddr``,
    ``setifprefixlen``) or ``int len = atoi(plen)`` (13.x ``in6_getprefix``): a word that is no
    number is 0; below 0 or above 128 is ``errx(1, "%s: bad value")``. 13.x turns 0 into an
    all-ones mask ("if ((len == 0) || (len == 128))"), a /128; 14.x sends 0 to the kernel."""
    plen = _atoi(text)
    if not 0 <= plen <= 128:
        raise r.errx(f"{text}: bad value")
    return 128 if plen == 0 and not r.netlink else plen


def _in6_getaddr(r: _Run, text: str, which: int) -> None:
    """af_inet6.c ``in6_getaddr``: the RIDADDR, ADDR or DSTADDR slot (14.x ``sin6tab_nl``:
    ``in6_del.addr``, ``in6_add.addr``, ``in6_add.dst_addr``), "px->plen = 128" first (14.x);
    only an ADDR is split at its last ``/`` (``strrchr``), the length checked before the address
    (:func:`_in6_plen`); then getaddrinfo(3), inet_pton(3) as the fallback, else
    ``errx(1, "%s: bad value")`` with the address alone ("*p = '\\0'")."""
    px = {_RIDADDR: r.rid6, _ADDR: r.add6, _DSTADDR: r.dst6}[which]
    px.set = True
    if r.netlink:
        px.plen = 128
    if which == _ADDR:
        slash = text.rfind("/")
        if slash >= 0:
            px.plen = _in6_plen(r, text[slash + 1:])
            r.explicit_prefix = True
            text = text[:slash]
    parsed = _getaddrinfo6(r, text)
    if parsed is None:
        value = inet_pton6(text)
        if value is None:
            raise r.errx(f"{text}: bad value")
        parsed = (value, 0)
    px.addr, px.scope = parsed


def _setifprefixlen(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """af_inet6.c ``setifprefixlen`` (``prefixlen LEN``, registered for every family): 14.x
    checks the length and stores it in ``in6_add`` whatever the family; 13.x calls
    ``afp->af_getprefix``, which only af_inet6.c has. Both set ``explicit_prefix``."""
    if r.netlink or r.afp is _INET6:
        r.add6.plen = _in6_plen(r, args[0])
    r.explicit_prefix = True


def _in6_postproc(r: _Run) -> None:
    """af_inet6.c ``in6_postproc``: "it is convenient to set prefixlen to 64 if it is not
    specified" (``setifprefixlen("64")``)."""
    if not r.explicit_prefix:
        r.add6.plen = 64


def _in6_request(r: _Run, px: _Px6) -> str:
    """The address a SIOCAIFADDR_IN6/SIOCDIFADDR_IN6 (14.x RTM_NEWADDR/RTM_DELADDR) request
    carries, as text: ``::`` when the slot was never set. 13.x passes the whole sockaddr, so a
    scope naming another interface than the one configured would land in the kernel's
    ``sa6_embedscope``: not simulated. 14.x keeps only ``sin6_addr`` and names the interface
    by index, so the scope is dropped."""
    address = str(ipaddress.IPv6Address(px.addr if px.set else 0))
    if not r.netlink and px.scope and interfaces.is_linklocal(address):
        iface = r.ctx.vnet.interfaces.get(r.name)
        if iface is None or px.scope != iface.index:
            raise r.errx(f"{inet_ntop6(px.addr)}%{px.scope}: {NOT_SIMULATED} (a scope of another interface)")
    return address


def _in6_delifaddr(r: _Run) -> None:
    """``delifaddr`` for inet6: ``af_ridreq`` is the add request itself (14.x ``&in6_add``, 13.x
    ``&in6_addreq``), so it deletes the address being added, or ``::`` when the address was
    given after ``-alias`` (RIDADDR) or not at all: EADDRNOTAVAIL. The interface gone: 13.x
    SIOCDIFADDR_IN6 on its name is ENXIO; 14.x ``in6_exec_nl`` sends ifindex 0
    (``if_nametoindex_nl``) and netlink/route/iface.c ``rtnl_handle_addr`` answers ENOENT
    ("Unable to find interface with index") [guess: read in a 2025 tree]."""
    iface = r.ctx.vnet.interfaces.get(r.name)
    error = None
    if iface is None:
        error = "ENOENT" if r.netlink else "ENXIO"
    else:
        try:
            interfaces.delete_inet6(iface, _in6_request(r, r.add6))
        except KernelError as e:
            error = e.errno
    if error is not None:
        if error == "EADDRNOTAVAIL" and r.doalias >= 0:
            return  # "means no previous address for interface"
        raise r.perrorc("ioctl (SIOCDIFADDR)", error)


def _in6_addifaddr(r: _Run) -> None:
    """``addifaddr`` for inet6 (errors ``Perrorc("ioctl (SIOCAIFADDR)")``): the unspecified, a
    multicast and an IPv4-mapped address are not simulated. A destination address
    (a second address word) is EINVAL but on a loopback with a /128 (in6.c
    ``in6_validate_ifra``: "a destination can be specified for a p2p or a loopback IF only",
    "prefixlen should be 128 when dstaddr is specified"); there it changes nothing shown."""
    ctx = r.ctx
    iface = ctx.vnet.interfaces.get(r.name)
    if iface is None:
        raise r.perrorc("ioctl (SIOCAIFADDR)", "ENOENT" if r.netlink else "ENXIO")
    address = _in6_request(r, r.add6)
    value = ipaddress.IPv6Address(address)
    if value.is_unspecified or value.is_multicast or value.ipv4_mapped is not None:
        raise r.errx(f"{inet_ntop6(int(value))}: {NOT_SIMULATED} (a special IPv6 address)")
    try:
        if r.dst6.set and (not iface.flags & IFF_LOOPBACK or r.add6.plen != 128):
            raise KernelError("EINVAL")
        interfaces.add_inet6(ctx.state, ctx.vnet, iface, address, r.add6.plen)
    except KernelError as e:
        raise r.perrorc("ioctl (SIOCAIFADDR)", e.errno) from None


#: af_inet6.c ``inet6_cmds[]``: the words ``setnd6flags`` (af_nd6.c) handles, and their bit.
_ND6_WORDS = {
    "accept_rtadv": ND6_IFF_ACCEPT_RTADV,
    "no_radr": ND6_IFF_NO_RADR,
    "ifdisabled": ND6_IFF_IFDISABLED,
    "nud": ND6_IFF_PERFORMNUD,
    "auto_linklocal": ND6_IFF_AUTO_LINKLOCAL,
    "no_prefer_iface": ND6_IFF_NO_PREFER_IFACE,
    "no_dad": ND6_IFF_NO_DAD,
}


def _setnd6flags(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """af_nd6.c ``setnd6flags``: at once, SIOCGIFINFO_IN6 then SIOCSIFINFO_IN6 with the bit set
    or cleared (:func:`hooks.testing.interfaces.set_nd6_flags`); a failure only ``warn``s
    ("ioctl(SIOCGIFINFO_IN6)") and the command goes on with its exit status untouched.

    The request names 14.x ``ctx->ifname``, 13.x the global ``ifr.ifr_name`` (see
    :attr:`_Run.ifr_name`); no such interface -> ENXIO. It goes through the command's socket,
    whose family is the command's (ifconfig.c ``ifconfig_ioctl``/``ifconfig``: AF_LOCAL for link
    and the non-address families): only an AF_INET6 socket's ``in6_control`` knows the ND
    ioctls; another socket's control hands them to the driver (if.c ``ifioctl``), whose
    ``ether_ioctl``/``loioctl`` default is EINVAL [guess: that chain was read for 14.x in part]."""
    bit = _ND6_WORDS[word.lstrip("-")]
    name = r.name if r.netlink else r.ifr_name
    iface = r.ctx.vnet.interfaces.get(name)
    error = "ENXIO" if iface is None else None if r.afp is _INET6 else "EINVAL"
    if error is not None:
        r.ctx.warn(f"ioctl(SIOCGIFINFO_IN6): {STRERROR[error]}")
        return
    assert iface is not None
    flags = iface.nd6 & ~bit if word.startswith("-") else iface.nd6 | bit
    interfaces.set_nd6_flags(r.ctx.state, r.ctx.vnet, iface, flags)


def _delifaddr(r: _Run, afp: Family) -> None:
    """ifconfig.c ``delifaddr``: a family that cannot change addresses warns; EADDRNOTAVAIL is
    "no previous address" and fine unless deleting was asked for (``doalias < 0``); other errors
    ``Perrorc("ioctl (SIOCDIFADDR)")``.

    The interface gone (moved or destroyed by an earlier word): 14.x ``in_delete_first_nl``
    finds no index and says EADDRNOTAVAIL; otherwise ENXIO [guess: the netlink errno].
    """
    if not afp.addresses or (afp.af == "AF_LINK" and not r.netlink):
        # 13.x: af_link.c has no af_ridreq either
        r.ctx.warn(f"interface {r.name} cannot change {afp.name} addresses!")
        r.clearaddr = 0
        return
    if afp is _INET6:
        _in6_delifaddr(r)
        return
    if afp.af == "AF_LINK":
        # 14.x af_link.c has af_exec but no af_difaddr: ioctl(s, 0, NULL) [guess: ENOTTY]
        raise r.perrorc("ioctl (SIOCDIFADDR)", "ENOTTY")
    iface = r.ctx.vnet.interfaces.get(r.name)
    error = None
    if iface is None:
        error = "EADDRNOTAVAIL" if r.netlink and not r.rid.addrset else "ENXIO"
    else:
        address = str(ipaddress.IPv4Address(r.rid.addr)) if r.rid.addrset else None
        try:
            interfaces.delete_inet(r.ctx.state, iface, address)
        except KernelError as e:
            error = e.errno
    if error is not None:
        if error == "EADDRNOTAVAIL" and r.doalias >= 0:
            return  # "means no previous address for interface"
        raise r.perrorc("ioctl (SIOCDIFADDR)", error)


def _addifaddr(r: _Run, afp: Family) -> None:
    """ifconfig.c ``addifaddr``: a family that cannot change addresses warns; with an address or
    a mask the family's add (af_inet.c: netlink RTM_NEWADDR in 14.x, SIOCAIFADDR in 13.x;
    af_link.c: SIOCSIFLLADDR), errors ``Perrorc("ioctl (SIOCAIFADDR)")``."""
    if not afp.addresses:
        r.ctx.warn(f"interface {r.name} cannot change {afp.name} addresses!")
        r.newaddr = 0
        return
    if not (r.setaddr or r.setmask):
        return
    if afp is _INET6:
        _in6_addifaddr(r)
        return
    ctx = r.ctx
    try:
        iface = r.ifp()
        if afp.af == "AF_LINK":
            assert r.lladdr is not None
            interfaces.set_lladdr(iface, r.lladdr)
        elif not r.add.addrset:
            # only a netmask: 13.x SIOCAIFADDR without ifra_addr is EINVAL (in.c
            # in_aifaddr_ioctl); 14.x sends 0.0.0.0 [guess: EINVAL too]
            raise KernelError("EINVAL")
        else:
            interfaces.add_inet(ctx.state, ctx.vnet, iface, str(ipaddress.IPv4Address(r.add.addr)), r.add.plen)
    except KernelError as e:
        raise r.perrorc("ioctl (SIOCAIFADDR)", e.errno) from None


# -- ifgroup.c, ifbridge.c ------------------------------------------------------------------------


def _setifgroup(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifgroup.c ``setifgroup``/``unsetifgroup``: a name ending in a digit or of IFNAMSIZ bytes is
    refused before the ioctl; SIOCAIFGROUP's EEXIST and SIOCDIFGROUP's ENOENT are ignored; other
    errors ``err(1, " SIOCAIFGROUP")`` (with its leading blank) or ``err(1, "SIOCDIFGROUP")``."""
    group = args[0]
    verb = "setifgroup" if word == "group" else "unsetifgroup"
    if group and group[-1] in "0123456789":
        raise r.errx(f"{verb}: group names may not end in a digit")
    if len(group.encode()) >= IFNAMSIZ:
        raise r.errx(f"{verb}: group name too long")
    try:
        iface = r.ifp()
        if word == "group":
            interfaces.add_group(iface, group)
        else:
            interfaces.delete_group(iface, group)
    except KernelError as e:
        if (word, e.errno) in (("group", "EEXIST"), ("-group", "ENOENT")):
            return
        raise r.err(" SIOCAIFGROUP" if word == "group" else "SIOCDIFGROUP", e.errno) from None


def _setbridge(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifbridge.c ``setbridge_add``/``setbridge_delete``: SIOCSDRVSPEC BRDGADD/BRDGDEL,
    ``err(1, "BRDGADD %s")`` / ``err(1, "BRDGDEL %s")``."""
    ctx, member = r.ctx, args[0]
    op = "BRDGADD" if word == "addm" else "BRDGDEL"
    try:
        bridge = r.ifp()
        if word == "addm":
            interfaces.add_member(ctx.state, ctx.vnet, bridge, member)
        else:
            interfaces.delete_member(ctx.vnet, bridge, member)
    except KernelError as e:
        raise r.err(f"{op} {member}", e.errno) from None


# -- ifvxlan.c: vxlan(4) parameters -----------------------------------------------------------------
#
# Every word is registered twice (``vxlan_cmds[]``): as a clone parameter (DEF_CLONE_CMD_*) that
# create mode gathers, and as a command on an existing interface (DEF_CMD_*). Each ``setvxlan_*``
# checks its value first (``errx(1, ...)``), then asks ``vxlan_exists()`` (SIOCGDRVSPEC
# VXLAN_CMD_GET_CONFIG on the interface): no such vxlan -> the value goes into the static
# ``params`` for ``vxlan_create``; a vxlan -> ``do_cmd()`` (SIOCSDRVSPEC VXLAN_CMD_SET_*), a
# refusal ``err(1, "VXLAN_CMD_SET_...")``. So on an interface that is no vxlan the words are
# stored and forgotten. ``vxlanhwcsum``/``vxlanhwtso`` (setifcap) are not simulated.

#: ifvxlan.c ``get_val``'s bound for each numeric word: values at or above it are refused.
_UINT16_MAX, _UINT32_MAX = 0xFFFF, 0xFFFFFFFF


def _strtoul(text: str) -> int | None:
    """ifvxlan.c ``get_val``: ``strtoul(cp, &endptr, 0)`` (leading blanks, a sign, ``0x`` hex,
    ``0`` octal; a minus negates modulo 2^64), refused when ``cp`` is empty, something follows
    the number, or it overflows (ERANGE)."""
    s = text.lstrip(" \t\n\v\f\r")
    negative = s[:1] == "-"
    if s[:1] in "+-" and s:
        s = s[1:]
    base = 10
    if s[:2] in ("0x", "0X") and s[2:3] and s[2] in "0123456789abcdefABCDEF":
        base, s = 16, s[2:]
    elif s[:1] == "0":
        base = 8
    digits = "0123456789abcdef"[:base]
    if not s or any(c.lower() not in digits for c in s):
        return None
    value = int(s, base)
    if value > 0xFFFFFFFFFFFFFFFF:
        return None
    return (-value) % (1 << 64) if negative else value


def _vxlan_exists(r: _Run) -> Interface | None:
    """ifvxlan.c ``vxlan_exists``: VXLAN_CMD_GET_CONFIG on ``ctx->ifname`` (13.x: the global
    ``ifr.ifr_name``, see :attr:`_Run.ifr_name`); only a vxlan answers it."""
    iface = r.ctx.vnet.interfaces.get(r.name if r.netlink else r.ifr_name)
    return iface if iface is not None and iface.vxlan is not None else None


def _vxlan_do_cmd(r: _Run, iface: Interface, cmd: str, value: int | str | tuple[int, int] | bool) -> None:
    """ifvxlan.c ``do_cmd`` (SIOCSDRVSPEC), ``err(1, "VXLAN_CMD_...")`` when refused."""
    try:
        interfaces.vxlan_ctrl_set(iface, cmd, value)
    except KernelError as e:
        raise r.err(cmd, e.errno) from None


def _vxlan_value(r: _Run, text: str, bound: int, message: str, *, inclusive: bool = False) -> int:
    """``get_val`` and the word's range check: ``errx(1, message, arg)``."""
    value = _strtoul(text)
    if value is None or value > bound or (value == bound and not inclusive):
        raise r.errx(f"{message}: {text}")
    return value


def _setvxlan_vni(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_vni`` (``vni`` and ``vxlanid``): ``val >= VXLAN_VNI_MAX`` ->
    "invalid network identifier"; 0 is a valid VNI."""
    vni = _vxlan_value(r, args[0], VXLAN_VNI_MAX, "invalid network identifier")
    iface = _vxlan_exists(r)
    if iface is None:
        r.vxlan.vni = vni
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_VNI", vni)


def _vxlan_getaddrinfo(r: _Run, text: str) -> str | None:
    """getaddrinfo(3) with NULL hints, numeric forms only (see the module docstring: no
    resolver): IPv4 as inet_aton(3) takes it, with only digits, dots and hex letters
    (getaddrinfo.c ``explore_numeric``), else IPv6 with an optional ``%scope`` (the scope is
    dropped). None is EAI_NONAME."""
    value = inet_aton(text)
    if value is not None and all(c in "0123456789.xabcdefXABCDEF" for c in text):
        return str(ipaddress.IPv4Address(value))
    parsed = _getaddrinfo6(r, text)
    return None if parsed is None else str(ipaddress.IPv6Address(parsed[0]))


def _setvxlan_addr(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_local``/``setvxlan_remote``/``setvxlan_group``: getaddrinfo(3)
    failing -> "error in parsing %s address string: %s" with gai_strerror(3) (EAI_NONAME is
    "hostname nor servname provided, or not known", lib/libc/net/getaddrinfo.c ``ai_errlist``)
    [guess: a name is never looked up here]; a local or remote address that is multicast, or a
    group that is not, is refused. ``vxlanremote`` and ``vxlangroup`` fill the same slot and the
    same ``..._REMOTE_ADDR4/6`` bit; post-create both are VXLAN_CMD_SET_REMOTE_ADDR."""
    kind = {"vxlanlocal": "local", "vxlanremote": "remote", "vxlangroup": "group"}[word]
    address = _vxlan_getaddrinfo(r, args[0])
    if address is None:
        raise r.errx(f"error in parsing {kind} address string: hostname nor servname provided, or not known")
    multicast = interfaces.vxlan_multicast(address)
    if kind == "group" and not multicast:
        raise r.errx("group address must be multicast")
    if kind != "group" and multicast:
        raise r.errx(f"{kind} address cannot be multicast")
    v6 = ipaddress.ip_address(address).version == 6
    iface = _vxlan_exists(r)
    if iface is None:
        if kind == "local":
            r.vxlan.local_sa = address
            r.vxlan.local6, r.vxlan.local4 = r.vxlan.local6 or v6, r.vxlan.local4 or not v6
        else:
            r.vxlan.remote_sa = address
            r.vxlan.remote6, r.vxlan.remote4 = r.vxlan.remote6 or v6, r.vxlan.remote4 or not v6
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_LOCAL_ADDR" if kind == "local" else "VXLAN_CMD_SET_REMOTE_ADDR", address)


def _setvxlan_port(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_local_port``/``setvxlan_remote_port``: ``val >= UINT16_MAX`` ->
    "invalid local port"/"invalid remote port" (so 65535 is refused, 0 passes)."""
    kind = "local" if word == "vxlanlocalport" else "remote"
    port = _vxlan_value(r, args[0], _UINT16_MAX, f"invalid {kind} port")
    iface = _vxlan_exists(r)
    if iface is None:
        if kind == "local":
            r.vxlan.local_port = port
        else:
            r.vxlan.remote_port = port
        return
    _vxlan_do_cmd(r, iface, f"VXLAN_CMD_SET_{kind.upper()}_PORT", port)


def _setvxlan_port_range(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_port_range``: each bound as a port ("invalid port range minimum" /
    "maximum"), then ``max < min`` -> "invalid port range"."""
    low = _vxlan_value(r, args[0], _UINT16_MAX, "invalid port range minimum")
    high = _vxlan_value(r, args[1], _UINT16_MAX, "invalid port range maximum")
    if high < low:
        raise r.errx("invalid port range")
    iface = _vxlan_exists(r)
    if iface is None:
        r.vxlan.port_range = (low, high)
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_PORT_RANGE", (low, high))


def _setvxlan_ftable(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_timeout``/``setvxlan_maxaddr``: ``val > UINT32_MAX`` -> "invalid
    timeout value"/"invalid maxaddr value"; the kernel's own limits come later."""
    timeout = word == "vxlantimeout"
    value = _vxlan_value(r, args[0], _UINT32_MAX, "invalid timeout value" if timeout else "invalid maxaddr value",
                         inclusive=True)
    iface = _vxlan_exists(r)
    if iface is None:
        if timeout:
            r.vxlan.ftable_timeout = value
        else:
            r.vxlan.ftable_max = value
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_FTABLE_TIMEOUT" if timeout else "VXLAN_CMD_SET_FTABLE_MAX", value)


def _setvxlan_dev(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_dev``: the name is not checked, only cut to IFNAMSIZ (strlcpy); the
    kernel looks it up in ``vxlan_init``."""
    name = args[0].encode()[:IFNAMSIZ - 1].decode(errors="ignore")
    iface = _vxlan_exists(r)
    if iface is None:
        r.vxlan.mc_ifname = name
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_MULTICAST_IF", name)


def _setvxlan_ttl(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_ttl``: ``val > 256`` -> "invalid TTL value" (256 passes and, as a
    ``uint8_t``, arrives as 0)."""
    ttl = _vxlan_value(r, args[0], 256, "invalid TTL value", inclusive=True)
    iface = _vxlan_exists(r)
    if iface is None:
        r.vxlan.ttl = ttl
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_TTL", ttl)


def _setvxlan_learn(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_learn``: ``vxlanlearn`` 1, ``-vxlanlearn`` 0."""
    learn = word == "vxlanlearn"
    iface = _vxlan_exists(r)
    if iface is None:
        r.vxlan.learn = learn
        return
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_SET_LEARN", learn)


def _setvxlan_flush(r: _Run, word: str, args: tuple[str, ...]) -> None:
    """ifvxlan.c ``setvxlan_flush`` (``vxlanflush``, ``vxlanflushall``): VXLAN_CMD_FLUSH at once,
    no ``vxlan_exists`` test, ``err(1, "VXLAN_CMD_FLUSH")``; a driver other than vxlan refuses
    the SIOCSDRVSPEC [guess: EINVAL, as ``ether_ioctl`` refuses what it does not know]."""
    iface = r.ctx.vnet.interfaces.get(r.name if r.netlink else r.ifr_name)
    if iface is None:
        raise r.err("VXLAN_CMD_FLUSH", "ENXIO")
    if iface.vxlan is None:
        raise r.err("VXLAN_CMD_FLUSH", "EINVAL")
    _vxlan_do_cmd(r, iface, "VXLAN_CMD_FLUSH", word == "vxlanflushall")


def _vxlan_check_params(r: _Run) -> None:
    """ifvxlan.c ``vxlan_check_params``, at create time only: both families for one end, or
    one family at each end, are refused."""
    p = r.vxlan
    if p.local4 and p.local6:
        raise r.errx("cannot specify both local IPv4 and IPv6 addresses")
    if p.remote4 and p.remote6:
        raise r.errx("cannot specify both remote IPv4 and IPv6 addresses")
    if (p.local4 and p.remote6) or (p.local6 and p.remote4):
        raise r.errx("cannot mix IPv4 and IPv6 addresses")


def _vxlan_status(iface: Interface, verbose: bool) -> list[str]:
    """ifvxlan.c ``vxlan_status`` (``af_other_status`` of ``af_vxlan``): nothing while the VNI is
    unset (``vni >= VXLAN_VNI_MAX``); else ``\\tvxlan vni N local A:P group|remote A:P``, the
    addresses and ports through getnameinfo(3) NI_NUMERICHOST|NI_NUMERICSERV (an unset one
    fails and prints as empty strings, `` local :``), IPv6 in brackets when the remote is IPv6,
    ``group`` when the remote is multicast. ``-v`` adds the config and ftable lines ("%slearning",
    "no" when learning is off; the table is never filled here)."""
    cfg = iface.vxlan
    if cfg is None or cfg.vni >= VXLAN_VNI_MAX:
        return []
    ipv6 = bool(cfg.remote) and ipaddress.ip_address(cfg.remote).version == 6
    open_, close = ("[", "]") if ipv6 else ("", "")

    def numeric(address: str, port: int) -> tuple[str, str]:
        if not address:
            return "", ""
        value = ipaddress.ip_address(address)
        return (inet_ntop6(int(value)) if value.version == 6 else address), str(port)

    src, srcport = numeric(cfg.local, cfg.local_port)
    dst, dstport = numeric(cfg.remote, cfg.remote_port)
    mode = "group" if interfaces.vxlan_multicast(cfg.remote) else "remote"
    lines = [f"\tvxlan vni {cfg.vni} local {open_}{src}{close}:{srcport} {mode} {open_}{dst}{close}:{dstport}"]
    if verbose:
        lines.append(f"\t\tconfig: {'' if cfg.learn else 'no'}learning portrange {cfg.port_min}-{cfg.port_max}"
                     f" ttl {cfg.ttl}")
        lines.append(f"\t\tftable: cnt 0 max {cfg.ftable_max} timeout {cfg.ftable_timeout}")
    return lines


_Handler = Callable[[_Run, str, tuple[str, ...]], None]
_HANDLERS: dict[str, _Handler] = {
    **{word: _setifflags for word in _FLAG_WORDS},
    "description": _setifdescr, "descr": _setifdescr, "-description": _setifdescr, "-descr": _setifdescr,
    "add": _notealias, "alias": _notealias, "-alias": _notealias, "delete": _notealias, "remove": _notealias,
    "netmask": _setifnetmask, "broadcast": _setifbroadaddr, "metric": _setifmetric, "mtu": _setifmtu,
    "name": _setifname, "vnet": _setifvnet, "-vnet": _setifrvnet,
    "destroy": _clone_destroy, "unplumb": _clone_destroy,
    "group": _setifgroup, "-group": _setifgroup,
    "addm": _setbridge, "deletem": _setbridge,
    "ifaddr": _setifaddr, "ifdstaddr": _setifdstaddr,
    "prefixlen": _setifprefixlen,
    **{word: _setnd6flags for base in _ND6_WORDS for word in (base, "-" + base)},
}
_VXLAN_HANDLERS: dict[str, _Handler] = {
    "vni": _setvxlan_vni, "vxlanid": _setvxlan_vni,
    "vxlanlocal": _setvxlan_addr, "vxlanremote": _setvxlan_addr, "vxlangroup": _setvxlan_addr,
    "vxlanlocalport": _setvxlan_port, "vxlanremoteport": _setvxlan_port,
    "vxlanportrange": _setvxlan_port_range,
    "vxlantimeout": _setvxlan_ftable, "vxlanmaxaddr": _setvxlan_ftable,
    "vxlandev": _setvxlan_dev, "vxlanttl": _setvxlan_ttl,
    "vxlanlearn": _setvxlan_learn, "-vxlanlearn": _setvxlan_learn,
}
_HANDLERS.update(_VXLAN_HANDLERS)
_HANDLERS.update({"vxlanflush": _setvxlan_flush, "vxlanflushall": _setvxlan_flush})
_CLONE_HANDLERS: dict[str, _Handler] = {"create": _clone_create, "plumb": _clone_create, **_VXLAN_HANDLERS}


# -- listings -------------------------------------------------------------------------------------


def _groups(iface: Interface) -> list[str]:
    """SIOCGIFGROUP: ``all`` (if.c ``if_attach_internal``), then the cloner's and the user's."""
    return ["all", *iface.groups]


def _group_member(iface: Interface, match: str | None, nomatch: str | None) -> bool:
    """ifconfig.c ``group_member``: ``-g`` and ``-G`` are fnmatch(3) patterns on the groups."""
    if match is None and nomatch is None:
        return True
    matched = match is not None and any(fnmatch.fnmatchcase(g, match) for g in _groups(iface))
    nomatched = nomatch is None or not any(fnmatch.fnmatchcase(g, nomatch) for g in _groups(iface))
    if match is not None and nomatch is None:
        return matched
    if match is None:
        return nomatched
    return matched and nomatched


def _has_family(state: SimState, iface: Interface, family: Family, *, names_only: bool) -> bool:
    """Whether a listing restricted to ``family`` shows ``iface``.

    ``ether``: an Ethernet-like interface with a 6-byte address (``match_ether``: not a loopback).
    13.x ``-l`` compares the family of each address (every interface has an AF_LINK one); 13.x
    ``-a`` shows every interface, only that family's lines. 14.x (ifconfig_netlink.c
    ``match_iface``) wants an address of that family in the RTM_GETADDR dump, which has no
    AF_LINK addresses [guess: netlink/route/iface.c, recalled].
    """
    if not state.netlink() and not names_only:
        return True
    if family.name == "ether":
        return iface.driver != "lo"
    if family.af == "AF_INET":
        return bool(iface.inet)
    if family.af == "AF_INET6":
        return bool(iface.inet6)
    if family.af == "AF_LINK":
        return not state.netlink()
    return False


def _list(r: _Run, opts: _Options, family: Family | None, ifname: str | None) -> None:
    """Listing (ifconfig.c ``list_interfaces_ioctl``, 14.x ifconfig_netlink.c
    ``list_interfaces_nl``): the vnet's interfaces in list order, filtered by name, ``-d``/``-u``,
    ``-g``/``-G`` and family; ``-l`` prints the names on one line, always ending it."""
    ctx = r.ctx
    names = []
    for iface in interfaces.listing(ctx.vnet):
        if ifname is not None and iface.name != ifname:
            continue
        if (opts.downonly and iface.up) or (opts.uponly and not iface.up):
            continue
        if not _group_member(iface, opts.matchgroup, opts.nogroup):
            continue
        if family is not None and not _has_family(ctx.state, iface, family, names_only=opts.namesonly):
            continue
        if opts.namesonly:
            names.append(iface.name)
        else:
            ctx.out.append(status(ctx.state, ctx.vnet, iface, family=family.name if family else None,
                                  verbose=opts.verbose))
    if opts.namesonly:
        ctx.print(" ".join(names))


def _printgroup(r: _Run, group: str) -> None:
    """ifgroup.c ``printgroup``: SIOCGIFGMEMB, one member per line; no such group -> exit 0.
    The kernel lists members in join order (if.c ``if_addgroup`` appends) [guess: list order
    stands in for it]."""
    for iface in interfaces.listing(r.ctx.vnet):
        if group in _groups(iface):
            r.ctx.print(iface.name)
    raise _Exit(0)


# Driver-specific lines of the status block (the walkthrough's listings, docs/walkthrough.md).
_OPTIONS = {
    "epair": "options=8<VLAN_MTU>",
    "em": "options=481009b<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,VLAN_HWCSUM,VLAN_HWFILTER,NOMAP>",
    "lo": "options=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>",
}
_MEDIA = {
    "epair": ("media: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)", "status: active"),
    "em": ("media: Ethernet autoselect (1000baseT <full-duplex>)", "status: active"),
    # if_vxlan.c vxlan_media_status(): IFM_AVALID | IFM_ACTIVE always, so "active" even when not
    # running; the medium IFM_ETHER | IFM_AUTO, active IFM_ETHER | IFM_FDX [guess: the media
    # words are recalled]
    "vxlan": ("media: Ethernet autoselect (autoselect <full-duplex>)", "status: active"),
}
# if_bridge.c bridge path cost by link speed (bridge_set_ifcost): 10G -> 2000, 1G -> 20000; a
# vxlan has no if_baudrate, so bridgestp.c bstp_calc_path_cost() gives BSTP_DEFAULT_PATH_COST (55)
# [guess: recalled, not read].
_PATH_COST = {"epair": 2000, "em": 20000, "vxlan": 55}


def flags_text(state: SimState, iface: Interface) -> str:
    """``flags=HEX<NAMES>`` (ifconfig.c ``print_bits`` with IFFBITS; 13.x ``printb``).

    The netlink ifconfig of 14.0+ shows the link state as LOWER_UP (ifconfig_netlink.c IFFBITS
    bit 24, ``IFF_NETLINK_1``); see :func:`hooks.testing.interfaces.link_up`.
    """
    flags = iface.flags
    if state.netlink() and interfaces.link_up(state, iface):
        flags |= IFF_LOWER_UP
    names = [label for bit, label in IFF_NAMES if flags & bit]
    return f"flags={flags:x}<{','.join(names)}>"


def nd6_text(flags: int) -> str:
    """af_nd6.c ``nd6_status``: ``printb("\\tnd6 options", flags, ND6BITS)``, i.e.
    ``nd6 options=HEX<NAMES>``; nothing when the flags are 0 ("if (nd.ndi.flags == 0 ...)
    return"). DEFAULTIF is never set here (no ``ndp -I``)."""
    names = [label for bit, label in ND6_NAMES if flags & bit]
    return f"nd6 options={flags:x}<{','.join(names)}>" if flags else ""


def in6_text(iface: Interface, entry: Inet6) -> str:
    """One address as af_inet6.c ``in6_status()`` (13.x) / ``in6_status_nl()`` (14.x) prints it:
    ``inet6 ADDR prefixlen N`` (``print_addr``: getnameinfo(3) NI_NUMERICHOST, which appends
    ``%ifname`` for a link-local address's zone, ``ip6_sa2str``; ``print_mask``), the address
    flags (``print_flags``: " tentative" ...), `` scopeid 0x%x`` when the zone is not 0. The
    lifetimes are infinite, so nothing follows (``show_lifetime``, ``-L``)."""
    text = inet_ntop6(int(ipaddress.IPv6Address(entry.address)))
    scoped = interfaces.is_linklocal(entry.address)
    line = f"inet6 {text}{'%' + iface.name if scoped else ''} prefixlen {entry.prefixlen}"
    line += "".join(f" {label}" for bit, label in IN6_FLAG_NAMES if entry.flags & bit)
    if scoped:
        line += f" scopeid 0x{iface.index:x}"
    return line


def _in_text(state: SimState, iface: Interface, inet: Inet) -> str:
    """af_inet.c ``in_status``/``in_status_nl``: ``inet ADDR netmask 0xMASK [broadcast B]``."""
    net = ipaddress.IPv4Network(f"{inet.address}/{inet.prefixlen}", strict=False)
    line = f"inet {inet.address} netmask 0x{int(net.netmask):08x}"
    # af_inet.c in_status (13.x: a non-zero broadcast) / in_status_nl (14.x: plen != 0);
    # netinet/in.c gives a /31 the all-ones broadcast (IN_RFC3021_MASK)
    if iface.flags & IFF_BROADCAST and not (state.netlink() and inet.prefixlen == 0):
        line += f" broadcast {'255.255.255.255' if inet.prefixlen == 31 else net.broadcast_address}"
    return line


def _address_lines(state: SimState, iface: Interface, inet: bool, inet6: bool) -> list[str]:
    """The inet and inet6 lines in the release's order.

    14.x (ifconfig_netlink.c ``status_nl``): ``sort_iface_ifaddrs`` with ``cmp_ifaddr``, by
    family first (AF_INET 2 before AF_INET6 28), then in the kernel's dump order. 13.x
    (ifconfig.c ``calcorders``/``cmpifaddrs``): a family comes where its first address is in
    ``if_addrhead``, so an interface whose link-local address came before its IPv4 address
    lists inet6 first (the walkthrough's em0 and lo0).
    """
    lines4 = [_in_text(state, iface, a) for a in iface.inet] if inet else []
    lines6 = [in6_text(iface, a) for a in iface.inet6] if inet6 else []
    if not state.netlink() and iface.inet and iface.inet6:
        if min(a.seq for a in iface.inet6) < min(a.seq for a in iface.inet):
            return lines6 + lines4
    return lines4 + lines6


def status(state: SimState, vnet: Vnet, iface: Interface, family: str | None = None, *,
           verbose: bool = False) -> str:
    """The status block of ``ifconfig IF`` (ifconfig.c ``status()``, 14.x ``status_nl``).

    Header, description, options; then the addresses of every family, or of ``family`` only
    (ether with AF_LINK, then inet and inet6 in the release's order, :func:`_address_lines`);
    then each family's ``af_other_status`` (bridge, groups, vxlan, media, nd6), or only
    ``family``'s (af_inet6.c's is ``nd6_status``). Order as in the walkthrough's listings; the
    vxlan line's place between groups and media follows from ``af_register`` pushing each
    family at the head of the list in the Makefile's order (ifmedia.c, ifvxlan.c, ..., ifgroup.c,
    ifbridge.c) [guess: the Makefile order is recalled; the note that researched vxlan could not
    place the line]. ``verbose`` is ``-v`` (only the vxlan lines use it here).
    """
    fam = FAMILIES.get(family) if family is not None else None
    every = fam is None

    def shows(*names: str) -> bool:
        return every or (fam is not None and fam.name in names)

    lines = [f"{iface.name}: {flags_text(state, iface)} metric {iface.metric} mtu {iface.mtu}"]
    if iface.description:
        lines.append(f"\tdescription: {iface.description}")
    if iface.driver in _OPTIONS:
        lines.append("\t" + _OPTIONS[iface.driver])
    elif iface.driver == "vxlan":
        # if_vxlan.c vxlan_clone_create(): if_capabilities = if_capenable = VXLAN_BASIC_IFCAPS
        # (IFCAP_LINKSTATE | IFCAP_JUMBO_MTU) [guess: recalled, not read]
        lines.append("\toptions=80020<JUMBO_MTU,LINKSTATE>")
    elif iface.driver == "bridge" and state.netlink():
        lines.append("\toptions=0")
    if iface.mac and (every or (fam is not None and fam.af == "AF_LINK")):
        lines.append(f"\tether {iface.mac}")
    lines += ["\t" + line for line in _address_lines(state, iface, shows("inet"), shows("inet6"))]
    if iface.driver == "bridge" and shows("af_bridge"):
        lines += [
            "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15",
            "\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200",
            "\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0",
        ]
        for member_name in iface.members:
            member = vnet.interfaces.get(member_name)
            port = member.index if member else 0
            cost = _PATH_COST.get(member.driver, 2000) if member else 2000
            # ifbridge.c bridge_status: "\tmember: %s " + flags, then the ifmaxaddr line.
            lines.append(f"\tmember: {member_name} flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>")
            lines.append(f"\t        ifmaxaddr 0 port {port} priority 128 path cost {cost}")
    if iface.groups and shows("af_group"):
        lines.append("\tgroups: " + " ".join(iface.groups))
    if iface.vxlan is not None and shows("af_vxlan"):
        lines += _vxlan_status(iface, verbose)
    if shows("af_media"):
        lines += ["\t" + line for line in _MEDIA.get(iface.driver, ())]
    if nd6_text(iface.nd6) and shows("nd6", "inet6"):
        lines.append("\t" + nd6_text(iface.nd6))
    return "\n".join(lines) + "\n"


# -- the host's hooks: which argv change something, how the kernel refuses them -------------------


def _words(args: Sequence[str]) -> tuple[set[str], list[str]]:
    parsed, rest, _ = getopt("ifconfig", list(args), "aCdDf:g:G:j:klLmnuv")
    return {letter for letter, _ in parsed}, rest


def mutating(args: Sequence[str]) -> bool:
    """Listings (``-a``, ``-l``, ``-g``, ``-C``, no words, ``ifconfig IF [family]``) change nothing."""
    letters, rest = _words(args)
    if letters & {"a", "l", "g", "C"} or len(rest) <= 1:
        return False
    return not (len(rest) == 2 and rest[1] in FAMILIES)


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """FreeBSD's error for the first operation of this argv when the kernel refuses it.

    A failed clone is ENOSPC (if_clone.c ``alloc_unr``); the rest are the errnos the kernel
    returns for a busy or vanished device, in each handler's message format (see above).
    """
    _, rest = _words(args)
    name = rest[0] if rest else ""
    ops = rest[1:]
    if ops[:1] and ops[0] not in ("create", "plumb") and ops[0] in FAMILIES:
        ops = ops[1:]
    first = ops[0] if ops else ""
    arg = ops[1] if len(ops) > 1 else ""
    messages = {
        "create": f"SIOCIFCREATE2 ({name}): No space left on device",
        "plumb": f"SIOCIFCREATE2 ({name}): No space left on device",
        "destroy": "SIOCIFDESTROY: Device busy",
        "name": "ioctl SIOCSIFNAME (set name): File exists",
        "vnet": "SIOCSIFVNET: Device busy",
        "-vnet": f"SIOCSIFRVNET(0, {name}): Device busy",
        "addm": f"BRDGADD {arg}: Device busy",
        "deletem": f"BRDGDEL {arg}: No such file or directory",
        "up": "up: Device busy",
        "down": "down: Device busy",
        "description": "ioctl SIOCSIFDESCR (set descr): File name too long",
        "group": " SIOCAIFGROUP: No space left on device",
        "mtu": "ioctl SIOCSIFMTU (set mtu): Invalid argument",
    }
    text = messages.get(first, "ioctl (SIOCAIFADDR): File exists")
    return 1, "", f"ifconfig: {text}\n"


PROGRAM = Program(name="ifconfig", run=run, mutating=mutating, fault=fault)
