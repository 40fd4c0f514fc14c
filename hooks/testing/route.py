"""Simulated ``route(8)``: add, delete, change, get/show and flush static routes of one vnet.

Behaviour and message texts follow freebsd-commands.md §1.7 and the route.c it cites, checked
against sbin/route/route.c (``main``, ``newroute``, ``getaddr``, ``inet_makenetandmask``,
``rtmsg``, ``flushroutes_fib``) and sbin/route/route_netlink.c (``rtmsg_nl_int``,
``print_getmsg``) of the 12.x-14.x trees. The routes live in :attr:`Context.vnet` (``routes``);
connected networks come from the addresses of the vnet's interfaces that are up.
"""

import ipaddress
from collections.abc import Sequence

import attrs

from hooks.testing.command import Command, Context, Fail, getopt
from hooks.testing.model import HOST_VNET, Interface, Route, Vnet

# sysexits.h
EX_USAGE = 64
EX_DATAERR = 65
EX_NOHOST = 68
EX_OSERR = 71

# route.c usage(): errx(EX_USAGE, "usage: ..."); 13.3 added [-j jail] (route.8; FreeBSD 13.2's
# text is quoted verbatim in public notes, the 15.1 one in a live capture).
USAGE_OLD = "route: usage: route [-46dnqtv] command [[modifiers] args]"
USAGE_JAIL = "route: usage: route [-j jail] [-46dnqtv] command [[modifiers] args]"

#: route.c keywords that take no argument (sbin/route/keywords).
_FLAG_KEYWORDS = {
    "link", "inet", "4", "inet6", "6", "sa", "iface", "interface", "nostatic", "lock", "lockrest",
    "host", "reject", "blackhole", "proto1", "proto2", "proxy", "xresolve", "static", "sticky",
    "nostick", "net",
}
#: route.c keywords that take one argument.
_ARG_KEYWORDS = {
    "fib", "ifa", "ifp", "genmask", "gateway", "dst", "netmask", "prefixlen", "mtu", "hopcount",
    "expire", "recvpipe", "sendpipe", "ssthresh", "rtt", "rttvar", "weight",
}
_COMMANDS = ("add", "change", "delete", "del", "get", "show", "flush", "monitor")

# Route flag bits (net/route.h) in the order printb() walks route.c ``routeflags``.
RTF_UP = 0x1
RTF_GATEWAY = 0x2
RTF_HOST = 0x4
RTF_DONE = 0x40
RTF_STATIC = 0x800
RTF_PINNED = 0x100000
_FLAG_NAMES = ((RTF_UP, "UP"), (RTF_GATEWAY, "GATEWAY"), (RTF_HOST, "HOST"), (RTF_DONE, "DONE"),
               (RTF_STATIC, "STATIC"), (RTF_PINNED, "PINNED"))

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class _Exit(Exception):
    """route exits from deep inside argument parsing (errx/usage); carries the Fail."""

    def __init__(self, failure: Fail) -> None:
        super().__init__(failure.message)
        self.failure = failure


@attrs.define
class _Request:
    """One parsed ``route CMD [modifiers] args`` (route.c newroute())."""

    cmd: str
    dest: str = ""
    gateway: str = ""
    network: Network | None = None
    address: Address | None = None
    """The destination address as given (``route to:`` of get prints it unmasked)."""
    ishost: bool = False
    explicit_mask: bool = False
    """A mask came with the destination (``default``, ``/len``, -netmask): get wants that prefix."""
    interface: bool = False
    inet6: bool = False
    gateway_address: Address | None = None


def _usage(jail_flag: bool, bad: str | None = None) -> Fail:
    """route.c usage(cp): ``bad keyword: cp`` (warnx) then the usage line; exit EX_USAGE."""
    text = USAGE_JAIL if jail_flag else USAGE_OLD
    if bad is not None:
        text = f"route: bad keyword: {bad}\n{text}"
    return Fail(text, EX_USAGE)


def _inet_parts(text: str) -> list[int] | None:
    """The dotted parts of an inet_aton(3)/inet_network(3) string (decimal, 0x hex, 0 octal)."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        try:
            if part.lower().startswith("0x") and len(part) > 2:
                values.append(int(part[2:], 16))
            elif part.startswith("0") and len(part) > 1:
                values.append(int(part, 8))
            elif part.isdigit():
                values.append(int(part))
            else:
                return None
        except ValueError:
            return None
    return values


def _inet_aton(text: str) -> int | None:
    """inet_aton(3): ``a.b.c.d``, ``a.b.c`` (c 16 bits), ``a.b`` (b 24 bits), ``a`` (32 bits)."""
    parts = _inet_parts(text)
    if parts is None:
        return None
    *head, last = parts
    if any(p > 0xFF for p in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    value = 0
    for p in head:
        value = (value << 8) | p
    return (value << (8 * (4 - len(head)))) | last


def _inet_network(text: str) -> int | None:
    """inet_network(3): up to four parts packed from the right (``172.17`` is 0xac11)."""
    parts = _inet_parts(text)
    if parts is None or any(p > 0xFF for p in parts):
        return None
    value = 0
    for p in parts:
        value = (value << 8) | p
    return value


def _makenetandmask(net: int, bits: int) -> ipaddress.IPv4Network:
    """route.c inet_makenetandmask(): left-justify the net, guess /8-/32 from its last non-zero
    byte when no /bits was given; the kernel keeps only the masked network (rt_maskedcopy)."""
    if net > 0:
        while net & 0xFF000000 == 0:
            net <<= 8
    if bits == 0 and net != 0:
        i = 0
        while i < 4 and not net & (0xFF << (8 * i)):
            i += 1
        bits = 32 - i * 8
    return ipaddress.IPv4Network((net, min(bits, 32)), strict=False)


def _lnaof(value: int) -> int:
    """inet_lnaof(3): the host part by address class."""
    if value & 0x80000000 == 0:
        return value & 0x00FFFFFF
    if value & 0xC0000000 == 0x80000000:
        return value & 0x0000FFFF
    return value & 0x000000FF


def _parse(words: Sequence[str], af6: bool, jail_flag: bool) -> _Request:
    """route.c newroute(): modifiers and positional dest / gateway / netmask (getaddr())."""
    request = _Request(cmd=words[0], inet6=af6)
    forcenet = forcehost = False
    netmask: str | None = None
    prefixlen: str | None = None
    positional: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        if word.startswith("-"):
            key = word[1:]
            if key in _ARG_KEYWORDS:
                if i + 1 >= len(words):
                    raise _Exit(_usage(jail_flag))
                value = words[i + 1]
                i += 2
                if key == "fib" and value not in ("0", "default", "all"):
                    # fiboptlist_csv(): net.fibs is 1, so only fib 0 exists.
                    raise _Exit(Fail(f"route: invalid fib number: {value}", EX_USAGE))
                if key == "gateway":
                    request.gateway = value
                elif key == "dst":
                    request.dest = value
                elif key == "netmask":
                    netmask = value
                    forcenet = True
                elif key == "prefixlen":
                    prefixlen = value
                continue
            if key not in _FLAG_KEYWORDS:
                raise _Exit(_usage(jail_flag, key))
            if key in ("inet", "4"):
                request.inet6 = False
            elif key in ("inet6", "6"):
                request.inet6 = True
            elif key in ("iface", "interface"):
                request.interface = True
            elif key == "host":
                forcehost = True
            elif key == "net":
                forcenet = True
            i += 1
            continue
        positional.append(word)
        i += 1
    if positional and not request.dest:
        request.dest = positional.pop(0)
    if positional and not request.gateway:
        request.gateway = positional.pop(0)
    if positional:
        netmask = positional.pop(0)
        forcenet = True
    if not request.dest:
        # newroute(): "destination parameter required" then usage(NULL).
        raise _Exit(Fail("route: destination parameter required\n" + _usage(jail_flag).message, EX_USAGE))
    _destination(request, forcenet, forcehost, netmask, prefixlen)
    if request.gateway and not request.interface:
        request.gateway_address = _gateway(request)
    return request


def _destination(request: _Request, forcenet: bool, forcehost: bool, netmask: str | None,
                 prefixlen: str | None) -> None:
    """getaddr(RTAX_DST, ...): ``default``, ``net/bits``, a host or a classful network."""
    text = request.dest
    if request.inet6:
        if text == "default":
            request.network = ipaddress.IPv6Network("::/0")
            request.address = request.network.network_address
            request.explicit_mask = True
            return
        addr_text, _, plen = text.partition("/")
        try:
            address = ipaddress.IPv6Address(addr_text.split("%")[0])
        except ValueError:
            # getaddr(): errx(EX_OSERR, "%s: %s", str, gai_strerror(EAI_NONAME)).
            raise _Exit(Fail(f"route: {addr_text}: hostname nor servname provided, or not known",
                             EX_OSERR)) from None
        length = plen or prefixlen
        if length is None and address == ipaddress.IPv6Address("::"):
            length = "0"
        if length is not None:
            bits = _atoi(length)
            if not 0 <= bits <= 128:
                raise _Exit(Fail(f"route: {length}: invalid prefixlen", EX_USAGE))
        else:
            bits = 128
        request.address = address
        request.network = ipaddress.IPv6Network((address, bits), strict=False)
        request.ishost = (bits == 128 or forcehost) and not forcenet
        request.explicit_mask = length is not None
        return
    if text == "default":
        request.network = ipaddress.IPv4Network("0.0.0.0/0")
        request.address = request.network.network_address
        request.explicit_mask = True
        return
    network: ipaddress.IPv4Network | None = None
    if "/" in text:
        left, _, bitstext = text.partition("/")
        value = _inet_network(left)
        if value is not None:
            network = _makenetandmask(value, _atoi(bitstext))
            request.address = ipaddress.IPv4Address(_shifted(value))
            request.explicit_mask = True
    if network is None:
        value = None if forcenet else _inet_aton(text)
        if value is not None:
            if forcehost or _lnaof(value) != 0:
                request.address = ipaddress.IPv4Address(value)
                request.network = ipaddress.IPv4Network((value, 32))
                request.ishost = True
                return
            network = _makenetandmask(value, 0)
            request.address = ipaddress.IPv4Address(value)
        elif not forcehost and (value := _inet_network(text)) is not None:
            network = _makenetandmask(value, 0)
            request.address = ipaddress.IPv4Address(_shifted(value))
    if network is None:
        # getaddr(): gethostbyname() fails too (no resolver here) -> errx(EX_NOHOST, ...).
        raise _Exit(Fail(f"route: bad address: {text}", EX_NOHOST))
    if netmask is not None:
        mask = _inet_aton(netmask)
        if mask is None:
            raise _Exit(Fail(f"route: bad address: {netmask}", EX_NOHOST))
        network = ipaddress.IPv4Network((int(network.network_address), bin(mask).count("1")), strict=False)
        request.explicit_mask = True
    if prefixlen is not None:
        bits = _atoi(prefixlen)
        if not 0 <= bits <= 32:
            raise _Exit(Fail(f"route: {prefixlen}: invalid prefixlen", EX_USAGE))
        network = ipaddress.IPv4Network((int(network.network_address), bits), strict=False)
        request.explicit_mask = True
    request.network = network
    request.ishost = network.prefixlen == 32 and not forcenet
    if not request.explicit_mask:
        request.explicit_mask = True  # a classful net gets its mask from inet_makenetandmask()


def _shifted(value: int) -> int:
    """The left-justified value inet_makenetandmask() puts in the destination sockaddr."""
    if value > 0:
        while value & 0xFF000000 == 0:
            value <<= 8
    return value


def _atoi(text: str) -> int:
    """atoi(3)/strtoul(3): the leading digits, 0 when there are none."""
    digits = ""
    for ch in text.strip():
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


def _gateway(request: _Request) -> Address:
    """getaddr(RTAX_GATEWAY, ...): a numeric address of the request's family."""
    text = request.gateway
    if request.inet6:
        try:
            return ipaddress.IPv6Address(text.split("%")[0])
        except ValueError:
            raise _Exit(Fail(f"route: {text}: hostname nor servname provided, or not known",
                             EX_OSERR)) from None
    value = _inet_aton(text)
    if value is None:
        raise _Exit(Fail(f"route: bad address: {text}", EX_NOHOST))
    return ipaddress.IPv4Address(value)


def _key(network: Network) -> str:
    """How a destination is stored in :class:`Route`: ``default`` for 0.0.0.0/0, else CIDR."""
    if isinstance(network, ipaddress.IPv4Network) and network.prefixlen == 0:
        return "default"
    return network.with_prefixlen


def _route_network(route: Route) -> Network:
    if route.destination == "default":
        return ipaddress.IPv4Network("0.0.0.0/0")
    return ipaddress.ip_network(route.destination, strict=False)


def _inet6_networks(iface: Interface) -> list[tuple[ipaddress.IPv6Interface, str]]:
    """IPv6 prefixes of an interface from its ``inet6`` lines (``ADDR[%scope] prefixlen N``)."""
    found = []
    for line in iface.inet6:
        words = line.split()
        if len(words) >= 3 and words[1] == "prefixlen":
            try:
                found.append((ipaddress.IPv6Interface(f"{words[0].split('%')[0]}/{words[2]}"), iface.name))
            except ValueError:
                continue
    return found


def _connected(vnet: Vnet) -> list[tuple[Network, Interface]]:
    """The prefix routes the kernel adds for the addresses of interfaces that are up
    (netinet/in.c in_addprefix; only while IFF_UP [I])."""
    found: list[tuple[Network, Interface]] = []
    for iface in vnet.ordered():
        if not iface.up:
            continue
        for inet in iface.inet:
            found.append((ipaddress.IPv4Network(f"{inet.address}/{inet.prefixlen}", strict=False), iface))
        for ifaddr, _ in _inet6_networks(iface):
            found.append((ifaddr.network, iface))
    return found


def _outgoing(vnet: Vnet, gateway: Address) -> Interface | None:
    """The interface a gateway is directly reachable through: a connected network of an up
    interface, or an interface route (``-interface``) through one; longest prefix wins
    (route_ctl.c / ifa_ifwithroute: a gateway route needs an on-link gateway, else ENETUNREACH)."""
    best: tuple[int, Interface] | None = None
    candidates = list(_connected(vnet))
    for route in vnet.routes:
        iface = vnet.interfaces.get(route.interface)
        if not route.gateway and iface is not None and iface.up:
            candidates.append((_route_network(route), iface))
    for network, iface in candidates:
        if network.version == gateway.version and gateway in network:
            if best is None or network.prefixlen > best[0]:
                best = (network.prefixlen, iface)
    return best[1] if best else None


def run(ctx: Context, args: list[str]) -> int:
    """route.c ``main()``: options (``-j`` from 13.3), then the command."""
    jail_flag = ctx.state.has_jail_flag()
    if not args:
        raise _usage(jail_flag)  # "if (argc < 2) usage(NULL);"
    opts, words, error = getopt("route", args, "46nqdtvj:" if jail_flag else "46nqdtv")
    if error:
        raise Fail(f"{error}\n{_usage(jail_flag).message}", EX_USAGE)
    flags = {letter for letter, _ in opts}
    af6 = False
    for letter, value in opts:
        if letter == "4":
            af6 = False
        elif letter == "6":
            af6 = True
        elif letter == "j":
            ctx = _enter_jail(ctx, value)
    if not words:
        raise _usage(jail_flag)
    cmd = words[0]
    if cmd not in _COMMANDS:
        raise _usage(jail_flag, cmd)
    if cmd == "monitor":
        return 0  # monitor() reads the routing socket forever; nothing happens on this host
    if cmd == "flush":
        return _flush(ctx, words, af6, flags, jail_flag)
    try:
        request = _parse(words, af6, jail_flag)
    except _Exit as stop:
        raise stop.failure from None
    if cmd in ("get", "show"):
        return _get(ctx, request, flags)
    return _change(ctx, request, flags)


def _enter_jail(ctx: Context, ref: str) -> Context:
    """``-j jail``: jail_getid(3) and jail_attach(2) before anything else (route.8 of 13.3+).
    The message follows ifconfig's ``-j`` (err(3) after jail_getid, ENOENT) [NV]."""
    jail = ctx.state.find_jail(ref)
    if jail is None:
        raise ctx.fail("jail not found: No such file or directory")
    return ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)


def _in_shared_vnet_jail(ctx: Context) -> bool:
    """A jail without its own vnet may not change routes (priv_check PRIV_NET_ROUTE fails; the
    host's routing table is not the jail's to change)."""
    if not ctx.jail:
        return False
    jail = ctx.state.find_jail(ctx.jail, dying=True)
    return jail is not None and jail.vnet is None


def _message(request: _Request) -> str:
    """newroute(): ``"%s %s %s"`` of the command as typed, host|net and the destination as typed,
    then ``": gateway %s"`` when a gateway was given. ``fib N`` follows only when net.fibs > 1
    (success) or always before an error (``" fib %d: %s"``)."""
    text = f"{request.cmd} {'host' if request.ishost else 'net'} {request.dest}"
    if request.gateway:
        text += f": gateway {request.gateway}"
    return text


def _fail(ctx: Context, request: _Request, flags: set[str], errno_text: str, errno_name: str) -> int:
    """newroute() error report on stdout, plus what rtmsg() warns on stderr by release.

    stdout: ``CMD net DEST[: gateway GW] fib 0: ERRTEXT`` (newroute(), route.c) [V text].
    stderr [I]: routing-socket route (< 14.0) rtmsg(): ESRCH → ``route has not been found``,
    EEXIST → nothing, other → ``writing to routing socket: <strerror>``; netlink route of 14.x
    (route_netlink.c rtmsg_nl_int) returns the error silently; 15.x warns ``route has not been
    found`` for ESRCH and ``message indicates error: <strerror>`` otherwise (a 15.1 capture shows
    ``route: message indicates error: File exists``).
    """
    if "q" not in flags:
        ctx.print(f"{_message(request)} fib 0: {errno_text}")
    release = ctx.state.osreldate
    strerror = {"ESRCH": "No such process", "EEXIST": "File exists"}.get(errno_name, errno_text)
    if release >= 1500000:
        if errno_name == "ESRCH":
            ctx.warn("route has not been found")
        else:
            ctx.warn(f"message indicates error: {strerror}")
    elif release < 1400000:
        if errno_name == "ESRCH":
            ctx.warn("route has not been found")
        elif errno_name != "EEXIST":
            ctx.warn(f"writing to routing socket: {strerror}")
    return 1


def _change(ctx: Context, request: _Request, flags: set[str]) -> int:
    """add / change / delete (rtmsg() RTM_ADD, RTM_CHANGE, RTM_DELETE)."""
    vnet = ctx.vnet
    assert request.network is not None
    key = _key(request.network)
    existing = next((r for r in vnet.routes if r.destination == key), None)
    if _in_shared_vnet_jail(ctx):
        if ctx.state.osreldate < 1400000:
            # rtmsg(): "case EPERM: err(1, "writing to routing socket");"
            raise ctx.fail("writing to routing socket: Operation not permitted")
        return _fail(ctx, request, flags, "Operation not permitted", "EPERM")
    if request.interface and request.gateway not in vnet.interfaces:
        # getaddr(RTAX_GATEWAY) with -interface looks the name up first: errx(EX_DATAERR, ...).
        raise Fail(f"route: interface '{request.gateway}' does not exist", EX_DATAERR)
    if "d" in flags or "t" in flags:
        # -d (debugonly) returns from rtmsg() before writing; -t writes to /dev/null: success.
        if "q" not in flags:
            ctx.print(_message(request))
        return 0
    if request.cmd in ("delete", "del"):
        # With a gateway given, the kernel deletes only the route through it (rib_del_route
        # matches the nexthop); otherwise ESRCH.
        if request.interface:
            wrong = existing is not None and existing.interface != request.gateway
        else:
            wanted = request.gateway_address
            wrong = existing is not None and wanted is not None and existing.gateway != str(wanted)
        if existing is None or wrong:
            return _fail(ctx, request, flags, "not in table", "ESRCH")
        vnet.routes.remove(existing)
    else:
        if request.cmd == "change" and existing is None:
            return _fail(ctx, request, flags, "not in table", "ESRCH")
        if request.interface:
            route = Route(key, "", vnet.interfaces[request.gateway].name)
        else:
            if request.gateway_address is None:
                return _fail(ctx, request, flags, "Invalid argument", "EINVAL")  # no gateway [I]
            found = _outgoing(vnet, request.gateway_address)
            if found is None:
                return _fail(ctx, request, flags, "Network is unreachable", "ENETUNREACH")
            route = Route(key, str(request.gateway_address), found.name)
        if request.cmd == "add" and existing is not None:
            return _fail(ctx, request, flags, "route already in table", "EEXIST")
        if existing is not None:
            vnet.routes[vnet.routes.index(existing)] = route
        else:
            vnet.routes.append(route)
    if "q" not in flags:
        ctx.print(_message(request))
    return 0


def _routename(address: Address, numeric: bool) -> str:
    """route.c routename(): ``default`` for the unspecified address unless -n, else numeric
    (getnameinfo; the simulated host has no reverse DNS)."""
    if not numeric and int(address) == 0:
        return "default"
    return str(address)


def _get(ctx: Context, request: _Request, flags: set[str]) -> int:
    """get/show: RTM_GETROUTE (exact prefix when a mask was given, RTM_F_PREFIX; otherwise the
    longest match) and route_netlink.c print_getmsg()."""
    vnet = ctx.vnet
    assert request.network is not None and request.address is not None
    candidates: list[tuple[Network, Route | None, Interface]] = []
    for static in vnet.routes:
        outgoing = vnet.interfaces.get(static.interface)
        if outgoing is not None:
            candidates.append((_route_network(static), static, outgoing))
    for prefix, outgoing in _connected(vnet):
        candidates.append((prefix, None, outgoing))
    target = request.network
    best: tuple[Network, Route | None, Interface] | None = None
    for network, route, iface in candidates:
        if network.version != target.version:
            continue
        if request.explicit_mask and not request.ishost:
            matches = network == target
        else:
            matches = request.address in network
        if matches and (best is None or network.prefixlen > best[0].prefixlen):
            best = (network, route, iface)
    if best is None:
        # route_netlink.c: ESRCH → "route has not been found" [NV exit status and errno suffix].
        ctx.warn("route has not been found")
        return 1
    network, route, iface = best
    numeric = "n" in flags
    flagbits = RTF_UP | RTF_DONE
    if route is None:
        flagbits |= RTF_PINNED  # interface prefix routes are pinned (in.c ifa_maintain_loopback_route) [I]
    else:
        flagbits |= RTF_STATIC
        if route.gateway:
            flagbits |= RTF_GATEWAY
    host_len = 32 if network.version == 4 else 128
    if network.prefixlen == host_len:
        flagbits |= RTF_HOST
    ctx.print(f"   route to: {_routename(request.address, numeric)}")
    ctx.print(f"destination: {_routename(network.network_address, numeric)}")
    if network.prefixlen != host_len:  # get_netmask(): no mask for a host route
        ctx.print(f"       mask: {_routename(network.netmask, numeric)}")
    if route is not None and route.gateway:
        ctx.print(f"    gateway: {route.gateway}")
    ctx.print("        fib: 0")
    ctx.print(f"  interface: {iface.name}")
    names = ",".join(label for bit, label in _FLAG_NAMES if flagbits & bit)
    ctx.print(f"      flags: <{names}>")
    # print_getmsg(): "\n%9s %9s %9s %9s %9s %10s %9s\n" then "%8lu  " x6 and "%8ld \n" [I spacing].
    ctx.print(f"{'recvpipe':>9} {'sendpipe':>9} {'ssthresh':>9} {'rtt,msec':>9} {'mtu   ':>9} "
              f"{'weight':>10} {'expire':>9}")
    ctx.out.append("".join(f"{v:>8}  " for v in (0, 0, 0, 0, iface.mtu, 1)) + f"{0:>8} \n")
    return 0


def _netname(network: Network) -> str:
    """route.c netname(): ``default``, or the IPv4 net with its trailing zero bytes dropped."""
    if network.version == 6:
        return str(network.network_address)
    value = int(network.network_address)
    if value == 0:
        return "default"
    octets = [str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0)]
    if value & 0xFFFFFF == 0:
        return octets[0]
    if value & 0xFFFF == 0:
        return ".".join(octets[:2])
    if value & 0xFF == 0:
        return ".".join(octets[:3])
    return ".".join(octets)


def _flush(ctx: Context, words: list[str], af6: bool, flags: set[str], jail_flag: bool) -> int:
    """flushroutes(): delete every gateway route (RTF_GATEWAY), optionally of one family, and
    print ``"%-20.20s %-20.20s -fib %-3d done"`` for each (flushroutes_fib())."""
    family: int | None = 6 if af6 else None
    for word in words[1:]:
        if not word.startswith("-"):
            raise _usage(jail_flag, word)
        key = word[1:]
        if key in ("inet", "4"):
            family = 4
        elif key in ("inet6", "6"):
            family = 6
        elif key != "link":
            raise _usage(jail_flag, word)
    if _in_shared_vnet_jail(ctx):
        raise ctx.fail("write to routing socket: Operation not permitted")
    vnet = ctx.vnet
    for route in list(vnet.routes):
        network = _route_network(route)
        if not route.gateway or (family is not None and network.version != family):
            continue
        if "d" in flags:
            continue  # "if (debugonly) continue;" before the write and the report
        if "t" not in flags:  # -t writes the RTM_DELETE to /dev/null
            vnet.routes.remove(route)
        if "q" in flags:
            continue
        host_len = 32 if network.version == 4 else 128
        name = str(network.network_address) if network.prefixlen == host_len else _netname(network)
        ctx.print(f"{name[:20]:<20} {route.gateway[:20]:<20} -fib {0:<3} done")
    return 0


def mutating(args: Sequence[str]) -> bool:
    """add, change, delete and flush change the routing table."""
    _, words, error = getopt("route", args, "46nqdtvj:")
    return not error and bool(words) and words[0] in ("add", "change", "delete", "del", "flush")


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """What route prints when the kernel refuses the change.

    add/change: ENETUNREACH (the gateway is not on a connected network; newroute() prints
    ``add net default: gateway GW fib 0: Network is unreachable`` on stdout, exit 1; the
    release-dependent stderr line is left out, as 14.x prints none [I]); delete: ESRCH
    (``... fib 0: not in table``); flush: EPERM (``err(1, "write to routing socket")``).
    """
    opts, words, error = getopt("route", args, "46nqdtvj:")
    if error or not words:
        return EX_USAGE, "", USAGE_JAIL + "\n"
    flags = {letter for letter, _ in opts}
    af6 = any(letter == "6" for letter, _ in opts)
    if words[0] == "flush":
        return 1, "", "route: write to routing socket: Operation not permitted\n"
    try:
        request = _parse(words, af6, True)
    except _Exit as stop:
        return stop.failure.code, "", stop.failure.message + "\n"
    text = "not in table" if request.cmd in ("delete", "del") else "Network is unreachable"
    out = "" if "q" in flags else f"{_message(request)} fib 0: {text}\n"
    return 1, out, ""


COMMAND = Command(name="route", run=run, mutating=mutating, fault=fault)
