"""Simulated ``ifconfig(8)``: listing, status blocks, cloning and configuring interfaces.

Behaviour and message texts follow freebsd-commands.md §1.1, §2 and §3, which cite
sbin/ifconfig/{ifconfig.c,ifclone.c,ifbridge.c,ifgroup.c,af_inet.c} and sys/net/{if.c,if_epair.c,
if_clone.c,if_bridge.c}. Words of one command line are applied left to right, as ``ifconfig()`` in
ifconfig.c calls each parameter's handler while parsing; the IPv4 address is set after the loop
(the deferred ``SIOCAIFADDR``), so ``inet A up`` brings the interface up before the address lands.
"""

import ipaddress
from collections.abc import Sequence

import attrs

from hooks.testing import interfaces
from hooks.testing.command import Command, Context, Fail, getopt
from hooks.testing.model import (
    HOST_VNET,
    IFF_BROADCAST,
    IFF_LOOPBACK,
    IFF_LOWER_UP,
    IFF_NAMES,
    IFF_PROMISC,
    IFF_RUNNING,
    IFF_UP,
    IFNAMSIZ,
    HostState,
    Inet,
    Interface,
    Vnet,
)

# ifconfig.c usage(); the option list is abridged to the options this simulator knows. The
# "[-j jail]" forms exist from 13.3 (ifconfig.8); older releases print the usage without them.
USAGE = (
    "usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n"
    "                [address [dest_address]] [parameters]\n"
    "       ifconfig [-j jail] interface create\n"
    "       ifconfig [-j jail] -a [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v] [address_family]\n"
    "       ifconfig [-j jail] -l [-d] [-u] [address_family]\n"
    "       ifconfig [-j jail] [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v]\n"
)

#: Words that take no argument and are not addresses.
_FLAG_WORDS = {"up", "down", "destroy", "unplumb", "alias", "-alias", "delete", "-description", "-descr"}
#: Words that take one argument.
_ARG_WORDS = {
    "name", "description", "descr", "group", "-group", "mtu", "addm", "deletem", "vnet", "-vnet",
    "netmask", "broadcast", "ether", "lladdr", "link",
}

# Driver-specific lines of the status block (the seed walkthrough's outputs; ifconfig.c status()).
_OPTIONS = {
    "epair": "options=8<VLAN_MTU>",
    "em": "options=481009b<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,VLAN_HWCSUM,VLAN_HWFILTER,NOMAP>",
    "lo": "options=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>",
}
_MEDIA = {
    "epair": ("media: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)", "status: active"),
    "em": ("media: Ethernet autoselect (1000baseT <full-duplex>)", "status: active"),
}
_ND6 = {
    "epair": "nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>",
    "bridge": "nd6 options=9<PERFORMNUD,IFDISABLED>",
    "em": "nd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>",
    "lo": "nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>",
}
# if_bridge.c bridge path cost by link speed (bridge_set_ifcost): 10G -> 2000, 1G -> 20000.
_PATH_COST = {"epair": 2000, "em": 20000}


@attrs.define
class _Address:
    """The pending IPv4 change collected while parsing (applied after the loop, like SIOCAIFADDR)."""

    inet: Inet | None = None
    alias: bool = False
    remove: bool = False


def run(ctx: Context, args: list[str]) -> int:
    """ifconfig.c ``main()``: options, then listing or one interface's parameters."""
    opts, rest = _getopt(ctx, args)
    if "j" in opts:
        ctx = _enter_jail(ctx, opts["j"])
    if "l" in opts:
        return _list_names(ctx, opts, rest)
    if "g" in opts and not rest:
        # ifgroup.c printgroup(): one member per line; an unknown group prints nothing, exit 0.
        for iface in ctx.vnet.ordered():
            if opts["g"] == "all" or opts["g"] in iface.groups:
                ctx.print(iface.name)
        return 0
    if "a" in opts or not rest:
        for iface in ctx.vnet.ordered():
            if ("d" in opts and iface.up) or ("u" in opts and not iface.up):
                continue
            ctx.out.append(status(ctx.state, ctx.vnet, iface))
        return 0
    name, params = rest[0], rest[1:]
    if not params:
        found = ctx.vnet.interfaces.get(name)
        if found is None:
            raise ctx.fail(f"interface {name} does not exist")
        ctx.out.append(status(ctx.state, ctx.vnet, found))
        return 0
    return _configure(ctx, name, params)


def _getopt(ctx: Context, args: list[str]) -> tuple[dict[str, str], list[str]]:
    """getopt(3) over ifconfig's options (ifconfig.c ``main``); ``-j`` only from 13.3."""
    spec = "aCdf:g:G:j:klLmnuv" if ctx.state.has_jail_flag() else "aCdf:g:G:klLmnuv"
    opts, rest, error = getopt("ifconfig", args, spec)
    if error:
        raise Fail(f"{error}\n{_usage(ctx.state)}", 1)
    return dict(opts), rest


def _usage(state: HostState) -> str:
    text = USAGE.rstrip()
    return text if state.has_jail_flag() else text.replace("[-j jail] ", "")


def _enter_jail(ctx: Context, ref: str) -> Context:
    """``-j jail``: jail_getid(3) then jail_attach(2) (ifconfig.c main; errno ENOENT [I])."""
    jail = ctx.state.find_jail(ref)
    if jail is None:
        raise ctx.fail("jail not found: No such file or directory")
    return ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)


def _list_names(ctx: Context, opts: dict[str, str], rest: list[str]) -> int:
    """``-l [-d] [-u] [af]``: names on one line, separated by a space (ifconfig.c, §3.1)."""
    family = rest[0] if rest else ""
    names = []
    for iface in ctx.vnet.ordered():
        if ("d" in opts and iface.up) or ("u" in opts and not iface.up):
            continue
        if family == "inet" and not iface.inet:
            continue
        if family in ("ether", "link") and iface.driver == "lo":
            continue
        names.append(iface.name)
    if names:
        ctx.print(" ".join(names))
    return 0


def _configure(ctx: Context, name: str, params: list[str]) -> int:
    """Apply ``params`` to interface ``name`` left to right (ifconfig.c ``ifconfig()``)."""
    vnet = ctx.vnet
    printed: list[str] = []  # ifclone.c/ifconfig.c print the final name at exit (ifname_update)
    iface = vnet.interfaces.get(name)
    if params[:1] and params[0] in ("create", "plumb"):
        if iface is not None:
            if len(params) == 1:
                raise ctx.fail(f"interface {name} already exists")
            params = params[1:]  # existing name + create + more words: create is dropped (ifconfig.c)
        else:
            iface = _clone_create(ctx, name)
            printed.append(iface.name)
            params = params[1:]
    elif iface is None:
        if params[:1] == ["-vnet"] and len(params) >= 2:
            _reclaim(ctx, name, params[1])
            params = params[2:]
            iface = vnet.interfaces.get(name)
            if iface is None:
                return 0
        else:
            raise ctx.fail(f"interface {name} does not exist")
    try:
        _apply(ctx, iface, params, printed)
    finally:
        if printed:
            ctx.print(printed[-1])
    return 0


def _apply(ctx: Context, iface: Interface, params: list[str], printed: list[str]) -> None:
    """Run each parameter's handler in order, then the deferred address change."""
    vnet = ctx.vnet
    address = _Address()
    gone = False  # destroyed or moved away: later words find no interface (ENXIO)
    i = 0
    while i < len(params):
        word = params[i]
        arg = params[i + 1] if i + 1 < len(params) else None
        if word in _ARG_WORDS and arg is None:
            # ifconfig.c: "missing argument" for a DEF_CMD_ARG parameter.
            raise ctx.fail(f"'{word}' requires argument")
        if gone:
            raise ctx.fail("ioctl (SIOCGIFFLAGS): Device not configured")
        step = 2 if word in _ARG_WORDS else 1
        if word == "up":
            interfaces.set_up(ctx.state, iface, True)
        elif word == "down":
            interfaces.set_up(ctx.state, iface, False)
        elif word in ("destroy", "unplumb"):
            _destroy(ctx, iface)
            gone = True
        elif word == "name":
            assert arg is not None
            _rename(ctx, iface, arg)
            printed.append(arg)
        elif word in ("description", "descr"):
            assert arg is not None
            if len(arg) > 1024:  # net.ifdescr_maxlen; if.c ifhwioctl SIOCSIFDESCR -> ENAMETOOLONG
                raise ctx.fail("ioctl SIOCSIFDESCR (set descr): File name too long")
            iface.description = arg
        elif word in ("-description", "-descr"):
            iface.description = ""
        elif word == "group":
            assert arg is not None
            _join_group(ctx, iface, arg)
        elif word == "-group":
            assert arg is not None
            if arg not in iface.groups:
                raise ctx.fail("SIOCDIFGROUP: No such file or directory")  # if.c if_delgroup ENOENT [I]
            iface.groups.remove(arg)
        elif word == "mtu":
            assert arg is not None
            _set_mtu(ctx, iface, arg)
        elif word == "addm":
            assert arg is not None
            _add_member(ctx, iface, arg)
        elif word == "deletem":
            assert arg is not None
            _delete_member(ctx, iface, arg)
        elif word == "vnet":
            assert arg is not None
            _move(ctx, iface, arg)
            gone = True
        elif word == "-vnet":
            assert arg is not None
            _reclaim(ctx, iface.name, arg)
        elif word in ("ether", "lladdr", "link"):
            assert arg is not None
            _set_mac(ctx, iface, arg)
        elif word == "inet":
            if arg is None:
                raise ctx.fail("inet: bad value")
            address.inet = _parse_inet(ctx, arg)
            step = 2
        elif word == "alias":
            address.alias = True
        elif word in ("-alias", "delete"):
            address.remove = True
        elif word == "netmask":
            assert arg is not None
            _apply_netmask(ctx, address, arg)
        elif word == "broadcast":
            pass  # the broadcast address follows from the mask here; set explicitly it is ignored
        elif word == "inet6":
            raise ctx.fail("inet6: not simulated by the jailnet test host")
        else:
            # An unknown word is taken as an address of the default family, inet (ifconfig.c).
            address.inet = _parse_inet(ctx, word)
        i += step
    if address.inet is not None and not gone:
        _set_address(ctx, vnet, iface, address)


def _clone_create(ctx: Context, name: str) -> Interface:
    """``ifconfig NAME create`` (ifclone.c ``clone_create``, if_clone.c, if_epair.c)."""
    state, vnet = ctx.state, ctx.vnet
    if len(name) >= IFNAMSIZ:
        raise ctx.fail(f"{name}: cloning name too long")  # ifclone.c [V]
    cloner = name.rstrip("0123456789")
    digits = name[len(cloner):]
    if cloner not in interfaces.CLONERS:
        # No cloner matches: if_clone_create -> EINVAL (freebsd-commands.md §1.1 [I]).
        raise ctx.fail(f"SIOCIFCREATE2 ({name}): Invalid argument")
    used = interfaces.units_in_use(state, ctx.vnet_id, cloner)
    if digits:
        unit = int(digits)
        if unit in used:
            # ifc_alloc_unit_specific -> EEXIST; ifclone.c prints the name it sent [I].
            raise ctx.fail(f"interface {name} already exists")
    else:
        unit = interfaces.lowest_free_unit(used)
        if unit > 0x7FFF:  # IF_MAXUNIT; alloc_unr -> -1 -> ENOSPC
            raise ctx.fail(f"SIOCIFCREATE2 ({name}): No space left on device")
    if cloner == "epair":
        a_name, b_name = f"epair{unit}a", f"epair{unit}b"
        if a_name in vnet.interfaces or b_name in vnet.interfaces:
            # if_epair.c epair_handle_unit: EEXIST for a foreign interface with that name, no retry.
            raise ctx.fail(f"interface {name} already exists")
        a = interfaces.attach(state, vnet, ctx.vnet_id, a_name, driver="epair", unit=unit, side="a")
        interfaces.attach(state, vnet, ctx.vnet_id, b_name, driver="epair", unit=unit, side="b")
        return a
    new = f"{cloner}{unit}"
    if new in vnet.interfaces:
        raise ctx.fail(f"interface {name} already exists")
    return interfaces.attach(state, vnet, ctx.vnet_id, new, driver=cloner, unit=unit)


def _destroy(ctx: Context, iface: Interface) -> None:
    """``destroy``: only cloned interfaces (if_clone.c ``if_clone_destroy`` -> EINVAL otherwise)."""
    if iface.driver not in interfaces.CLONERS or (iface.driver == "lo" and iface.unit == 0):
        raise ctx.fail("SIOCIFDESTROY: Invalid argument")
    interfaces.destroy(ctx.state, ctx.vnet, iface)


def _rename(ctx: Context, iface: Interface, new: str) -> None:
    """``name NEW`` (if.c ``if_rename``): EINVAL empty, ENAMETOOLONG >= IFNAMSIZ, EEXIST taken.

    A bridge keeps a renamed member (IFF_RENAMING: ``bridge_ifdetach`` ignores the event).
    """
    vnet = ctx.vnet
    if not new:
        raise ctx.fail("ioctl SIOCSIFNAME (set name): Invalid argument")
    if len(new) >= IFNAMSIZ:
        raise ctx.fail("ioctl SIOCSIFNAME (set name): File name too long")
    if new in vnet.interfaces:
        raise ctx.fail("ioctl SIOCSIFNAME (set name): File exists")
    old = iface.name
    interfaces.remove(vnet, iface)
    iface.name = new
    interfaces.insert(vnet, iface)
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


def _join_group(ctx: Context, iface: Interface, group: str) -> None:
    """``group NAME`` (ifgroup.c ``setifgroup``); joining twice is not an error (EEXIST ignored)."""
    if len(group) >= IFNAMSIZ:
        raise ctx.fail("setifgroup: group name too long")
    if group[-1:].isdigit():
        raise ctx.fail("setifgroup: group names may not end in a digit")
    if group not in iface.groups:
        iface.groups.append(group)


def _set_mtu(ctx: Context, iface: Interface, value: str) -> None:
    """``mtu N`` (ifconfig.c ``setifmtu``: strtonum, then SIOCSIFMTU; driver range [I])."""
    try:
        mtu = int(value, 10)
    except ValueError:
        raise ctx.fail(f"mtu {value}: invalid") from None
    if mtu < 0:
        raise ctx.fail(f"mtu {value}: too small")
    if not 72 <= mtu <= 16384 or iface.driver == "lo" and mtu > 65536:
        raise ctx.fail("ioctl SIOCSIFMTU (set mtu): Invalid argument")
    iface.mtu = mtu


def _add_member(ctx: Context, bridge: Interface, member_name: str) -> None:
    """``addm IF`` (ifbridge.c ``setbridge_add`` -> if_bridge.c ``bridge_ioctl_add``)."""
    vnet = ctx.vnet
    if bridge.driver != "bridge":
        raise ctx.fail(f"BRDGADD {member_name}: Invalid argument")  # SIOCSDRVSPEC on a non-bridge [I]
    member = vnet.interfaces.get(member_name)
    if member is None:
        raise ctx.fail(f"BRDGADD {member_name}: No such file or directory")
    if member.bridge == bridge.name:
        raise ctx.fail(f"BRDGADD {member_name}: File exists")
    if member.bridge:
        raise ctx.fail(f"BRDGADD {member_name}: Device busy")
    if member.driver in ("bridge", "lo"):
        raise ctx.fail(f"BRDGADD {member_name}: Invalid argument")  # not Ethernet
    if _release_major(ctx.state) >= 15 and member.inet and not ctx.vnet.sysctls.get(
        "net.link.bridge.member_ifaddrs", 0
    ):
        # FreeBSD 15.0: a member may not carry IP addresses (release notes) [NV exact text].
        raise ctx.fail(f"BRDGADD {member_name}: Invalid argument")
    bridge.members.insert(0, member.name)  # CK_LIST_INSERT_HEAD: newest member first
    member.bridge = bridge.name
    member.flags |= IFF_PROMISC  # bridge_ioctl_add puts the member in promiscuous mode


def _delete_member(ctx: Context, bridge: Interface, member_name: str) -> None:
    """``deletem IF`` (``bridge_ioctl_del``: ENOENT when it is not a member)."""
    if member_name not in bridge.members:
        raise ctx.fail(f"BRDGDEL {member_name}: No such file or directory")
    bridge.members.remove(member_name)
    member = ctx.vnet.interfaces.get(member_name)
    if member is not None:
        member.bridge = ""
        member.flags &= ~IFF_PROMISC


def _move(ctx: Context, iface: Interface, ref: str) -> None:
    """``vnet JAIL`` (SIOCSIFVNET -> if.c ``if_vmove_loan``; messages per freebsd-commands.md §1.1)."""
    state = ctx.state
    jail = state.find_jail(ref)
    if jail is None:
        dying = state.find_jail(ref, dying=True)
        if dying is not None and ref.isdigit():
            raise ctx.fail("SIOCSIFVNET: Device busy")
        if ref.isdigit():
            # libjail returns a numeric name unchecked; prison_find_child -> ENXIO [I].
            raise ctx.fail("SIOCSIFVNET: Device not configured")
        raise ctx.fail(f'jail "{ref}" not found')  # errx(1, "%s", jail_errmsg)
    if jail.vnet is None or jail.jid == ctx.vnet_id:
        raise ctx.fail("SIOCSIFVNET: File exists")  # same vnet -> EEXIST
    if iface.name in jail.vnet.interfaces:
        raise ctx.fail("SIOCSIFVNET: File exists")
    interfaces.move(state, ctx.vnet, iface, jail.vnet)


def _reclaim(ctx: Context, name: str, ref: str) -> None:
    """``-vnet JAIL`` (SIOCSIFRVNET -> ``if_vmove_reclaim``)."""
    state = ctx.state
    jail = state.find_jail(ref)
    if jail is None:
        raise ctx.fail(f'jail "{ref}" not found')
    if name in ctx.vnet.interfaces:
        raise ctx.fail(f"SIOCSIFRVNET({jail.jid}, {name}): File exists")
    if jail.vnet is None or name not in jail.vnet.interfaces:
        raise ctx.fail(f"SIOCSIFRVNET({jail.jid}, {name}): Device not configured")
    interfaces.move(state, jail.vnet, jail.vnet.interfaces[name], ctx.vnet)


def _set_mac(ctx: Context, iface: Interface, value: str) -> None:
    """``ether|lladdr|link MAC`` (ifconfig.c ``setifllladdr``; link_addr(3))."""
    parts = value.split(":")
    if len(parts) != 6 or not all(1 <= len(p) <= 2 and all(c in "0123456789abcdefABCDEF" for c in p) for p in parts):
        raise ctx.fail("malformed link-level address")
    iface.mac = ":".join(p.lower().zfill(2) for p in parts)


def _parse_inet(ctx: Context, text: str) -> Inet:
    """af_inet.c ``in_getaddr``: ``A/len`` or ``A``; a bad width or address is "bad value"."""
    addr, slash, width = text.partition("/")
    try:
        ip = ipaddress.IPv4Address(addr)
    except ValueError:
        raise ctx.fail(f"{addr}: bad value") from None
    if slash:
        if not width.isdigit():
            raise ctx.fail(f"{text}: bad value (width invalid)")
        if int(width) > 32:
            raise ctx.fail(f"{text}: bad value (width too large)")
        return Inet(str(ip), int(width))
    # No mask: the classful default (in_getaddr), with ifconfig's deprecation warning.
    first = int(ip) >> 24
    plen = 8 if first < 128 else 16 if first < 192 else 24
    ctx.warn("WARNING: setting interface address without mask is deprecated,\ndefault mask may not be correct.")
    return Inet(str(ip), plen)


def _apply_netmask(ctx: Context, address: _Address, mask: str) -> None:
    """``netmask M``: dotted quad or 0x hex (af_inet.c ``in_getaddr`` for MASK)."""
    try:
        value = int(mask, 16) if mask.lower().startswith("0x") else int(ipaddress.IPv4Address(mask))
    except ValueError:
        raise ctx.fail(f"{mask}: bad value") from None
    plen = bin(value).count("1")
    if address.inet is not None:
        address.inet = Inet(address.inet.address, plen)


def _set_address(ctx: Context, vnet: Vnet, iface: Interface, address: _Address) -> None:
    """The deferred address change after the parameter loop (ifconfig.c, af_inet.c).

    Without ``alias`` the first IPv4 address is replaced (deleted, then the new one added);
    with ``alias`` an address that is already there is EEXIST; ``-alias`` of an absent address is
    EADDRNOTAVAIL. Setting the first address marks the interface up (ifconfig.8: "It happens
    automatically when setting the first address on an interface").
    """
    assert address.inet is not None
    new = address.inet
    present = [a.address for a in iface.inet]
    if address.remove:
        if new.address not in present:
            raise ctx.fail("ioctl (SIOCDIFADDR): Can't assign requested address")
        iface.inet = [a for a in iface.inet if a.address != new.address]
        return
    if _release_major(ctx.state) >= 15 and iface.bridge and not vnet.sysctls.get(
        "net.link.bridge.member_ifaddrs", 0
    ):
        raise ctx.fail("ioctl (SIOCAIFADDR): Invalid argument")  # 15.0 release notes [NV text]
    if address.alias:
        if new.address in present:
            raise ctx.fail("ioctl (SIOCAIFADDR): File exists")
        iface.inet.append(new)
    else:
        if iface.inet:
            iface.inet.pop(0)
        if new.address in [a.address for a in iface.inet]:
            raise ctx.fail("ioctl (SIOCAIFADDR): File exists")
        iface.inet.insert(0, new)
    if not iface.up:
        interfaces.set_up(ctx.state, iface, True)


def _release_major(state: HostState) -> int:
    return state.osreldate // 100000


def flags_text(state: HostState, iface: Interface) -> str:
    """``flags=HEX<NAMES>`` with printb(3)-style names (ifconfig.c, IFFBITS).

    The netlink ifconfig of 14.0+ adds LOWER_UP when the link is up (freebsd-commands.md §3.3);
    here: always for physical and epair interfaces, for a loopback or bridge while running [I].
    """
    flags = iface.flags
    if state.netlink():
        if iface.driver in ("em", "epair") or (flags & IFF_UP and flags & IFF_RUNNING):
            flags |= IFF_LOWER_UP
    names = [label for bit, label in IFF_NAMES if flags & bit]
    return f"flags={flags:x}<{','.join(names)}>"


def status(state: HostState, vnet: Vnet, iface: Interface) -> str:
    """The status block ``ifconfig IF`` prints (ifconfig.c ``status()``, freebsd-commands.md §3.3).

    Order: header, description, options, ether, inet6, inet, bridge status, groups, media,
    status, nd6 — as in the seed walkthrough's listings.
    """
    lines = [f"{iface.name}: {flags_text(state, iface)} metric 0 mtu {iface.mtu}"]
    if iface.description:
        lines.append(f"\tdescription: {iface.description}")
    if iface.driver in _OPTIONS:
        lines.append("\t" + _OPTIONS[iface.driver])
    elif iface.driver == "bridge" and state.netlink():
        lines.append("\toptions=0")
    if iface.mac:
        lines.append(f"\tether {iface.mac}")
    lines += [f"\tinet6 {line}" for line in iface.inet6]
    for inet in iface.inet:
        net = ipaddress.IPv4Network(f"{inet.address}/{inet.prefixlen}", strict=False)
        line = f"\tinet {inet.address} netmask 0x{int(net.netmask):08x}"
        if iface.flags & IFF_BROADCAST and not iface.flags & IFF_LOOPBACK:
            line += f" broadcast {net.broadcast_address}"
        lines.append(line)
    if iface.driver == "bridge":
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
    if iface.groups:
        lines.append("\tgroups: " + " ".join(iface.groups))
    lines += ["\t" + line for line in _MEDIA.get(iface.driver, ())]
    if iface.driver in _ND6:
        lines.append("\t" + _ND6[iface.driver])
    return "\n".join(lines) + "\n"


def mutating(args: Sequence[str]) -> bool:
    """Listing (``-l``, ``-g``, ``-a``, no words) and ``ifconfig IF`` change nothing."""
    words = list(args)
    if "-j" in words:
        i = words.index("-j")
        del words[i:i + 2]
    if not words or words[0] in ("-l", "-a", "-g") or words[0].startswith("-l") or words[0].startswith("-a"):
        return False
    return len(words) > 1


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """FreeBSD's error for the first operation of this argv when the kernel refuses it.

    Texts are the ones ifconfig prints for that ioctl (freebsd-commands.md §1.1): a failed clone
    is ENOSPC from ``alloc_unr``; the rest are the errno the kernel returns when the device is
    busy or gone.
    """
    words = list(args)
    if "-j" in words:
        i = words.index("-j")
        del words[i:i + 2]
    name = words[0] if words else ""
    ops = words[1:]
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
        "up": "ioctl (SIOCSIFFLAGS): Device busy",
        "down": "ioctl (SIOCSIFFLAGS): Device busy",
        "description": "ioctl SIOCSIFDESCR (set descr): File name too long",
        "group": " SIOCAIFGROUP: No space left on device",
        "mtu": "ioctl SIOCSIFMTU (set mtu): Invalid argument",
    }
    text = messages.get(first, "ioctl (SIOCAIFADDR): File exists")
    return 1, "", f"ifconfig: {text}\n"


COMMAND = Command(name="ifconfig", run=run, mutating=mutating, fault=fault)
