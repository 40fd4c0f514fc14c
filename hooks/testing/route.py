"""Simulated ``route(8)``: add, change, delete, get/show and flush the routes of one vnet.

The parser follows sbin/route/route.c (``main()``, ``newroute()``, ``getaddr()``, ``prefixlen()``,
``flushroutes()``, ``monitor()``) word by word, and the way a change reaches the kernel follows
the release:

* 13.x talks to the routing socket (route.c ``rtmsg()`` of the 13.x tree: errors go to stderr
  with ``warnx``/``warn``/``err`` before ``newroute()`` prints its stdout line);
* 14.x talks netlink (sbin/route/route_netlink.c ``rtmsg_nl_int()`` as of 14.x: add/change/delete
  errors are returned silently, a failed ``get`` is ``warn()``-ed and exits 0);
* 15.x uses the newer route_netlink.c ``rtmsg_nl_int()`` (``warnx("route has not been found")``,
  ``warnc(e.error, "message indicates error")`` and the error returned to ``newroute()``).

Which 14.x minor release first got the 15.x error reporting could not be read: the 14.x/15.x
boundary is [guess]. Classful destinations (``inet_makenetandmask()``) are 13.x; the 14.x and 15.x
route.c ``getaddr()`` uses ``inet_aton()`` and ``inet_makemask()`` only (read in a pre-netlink 14
tree and in the newest tree; that 13.x never got that change is [guess]).

The routes live in :attr:`Context.vnet` (``routes``); connected networks come from the addresses
of the vnet's interfaces that are up. Several :class:`Route` records with one destination are a
multipath route (sys/net/route/route_ctl.c ``add_route()``/``add_route_flags()``: a second
gateway for an existing prefix is appended when net.route.multipath is on, the default).
"""

import ipaddress
from collections.abc import Sequence

import attrs

from hooks.testing import interfaces
from hooks.testing.model import HOST_VNET, Interface, Jail, Route, Vnet
from hooks.testing.program import Context, Fail, Program, getopt

# sysexits.h
EX_USAGE = 64
EX_DATAERR = 65
EX_NOHOST = 68
EX_OSERR = 71

# route.c usage(): warnx("bad keyword: %s") when given a word, then errx(EX_USAGE, "usage: ...").
# The 13.0-13.2 text has no -j; route.8 of June 2023 (14.0) and 13.3 add [-j jail].
USAGE_OLD = "route: usage: route [-46dnqtv] command [[modifiers] args]"
USAGE_JAIL = "route: usage: route [-j jail] [-46dnqtv] command [[modifiers] args]"

#: route.c newroute(): modifiers without an argument (its ``switch (keyword(1 + *argv))``).
_NOARG = frozenset({
    "link", "4", "inet", "6", "inet6", "sa", "iface", "interface", "nostatic", "lock", "lockrest",
    "host", "reject", "blackhole", "proto1", "proto2", "proxy", "xresolve", "static", "sticky",
    "nostick", "net",
})
#: set_metric(): the value must be a whole strtol(3) number or err(EX_USAGE, "%s", value).
_METRICS = frozenset({"mtu", "hopcount", "expire", "recvpipe", "sendpipe", "ssthresh", "rtt", "rttvar",
                      "weight"})
#: newroute(): modifiers that take the next word (``if (!--argc) usage(NULL);``).
_ARG = frozenset({"fib", "ifa", "ifp", "genmask", "gateway", "dst", "netmask", "prefixlen"}) | _METRICS
#: main(): keyword(*argv) commands.
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

#: newroute(): the text printed after ``fib N: `` for an errno; others are strerror(3).
_ERRMSG = {"ESRCH": "not in table", "EBUSY": "entry in use", "ENOBUFS": "not enough memory",
           "EADDRINUSE": "gateway uses the same route", "EEXIST": "route already in table"}
#: strerror(3) (lib/libc/gen/errlst.c).
_STRERROR = {"ESRCH": "No such process", "EEXIST": "File exists", "ENETUNREACH": "Network is unreachable",
             "EINVAL": "Invalid argument", "EPERM": "Operation not permitted"}
#: gai_strerror(EAI_NONAME) (lib/libc/net/getaddrinfo.c ai_errlist).
_EAI_NONAME = "hostname nor servname provided, or not known"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

RTSOCK, NETLINK14, NETLINK15 = "rtsock", "netlink14", "netlink15"


def _era(ctx: Context) -> str:
    """Which route(8) back end the release has (see the module docstring)."""
    release = ctx.state.osreldate
    if release < 1400000:
        return RTSOCK
    return NETLINK14 if release < 1500000 else NETLINK15


def _usage_text(ctx: Context) -> str:
    return USAGE_JAIL if ctx.state.has_jail_flag() else USAGE_OLD


def _usage(ctx: Context, bad: str | None = None) -> Fail:
    """route.c usage(cp): ``bad keyword: cp`` (warnx) when cp is given, then the usage line."""
    text = _usage_text(ctx)
    return Fail(text if bad is None else f"route: bad keyword: {bad}\n{text}", EX_USAGE)


def _not_simulated(what: str) -> Fail:
    return Fail(f"route: {what}: not simulated by the jailnet test host", 1)


# -- inet_aton(3), inet_network(3) ----------------------------------------------------------------


def _inet_parts(text: str) -> list[int] | None:
    """The dotted parts of an inet_aton(3)/inet_network(3) string (decimal, 0x hex, 0 octal);
    whatever follows a blank is ignored (lib/libc/inet/inet_addr.c)."""
    if not text or text[0].isspace():
        return None
    parts = text.split(None, 1)[0].split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        try:
            if part.lower().startswith("0x") and len(part) > 2:
                values.append(int(part[2:], 16))
            elif part.startswith("0") and len(part) > 1:
                values.append(int(part, 8))
            elif part.isascii() and part.isdigit():
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


def _lnaof(value: int) -> int:
    """inet_lnaof(3): the host part by address class."""
    if value & 0x80000000 == 0:
        return value & 0x00FFFFFF
    if value & 0xC0000000 == 0x80000000:
        return value & 0x0000FFFF
    return value & 0x000000FF


def _strtol_prefix(text: str) -> int:
    """atoi(3) / strtol(str, NULL, 10): leading blanks, a sign and digits; 0 when there are none."""
    rest = text.lstrip()
    sign = -1 if rest[:1] == "-" else 1
    if rest[:1] in "+-":
        rest = rest[1:]
    digits = ""
    for ch in rest:
        if not ("0" <= ch <= "9"):
            break
        digits += ch
    return sign * int(digits) if digits else 0


def _strtol_whole(text: str) -> int | None:
    """strtol(3) base 0 that must consume the whole word (route.c set_metric(),
    fiboptlist_csv()); an empty word is 0, as strtol() leaves nothing behind."""
    body = text.lstrip()
    sign = -1 if body[:1] == "-" else 1
    if body[:1] in ("+", "-"):
        body = body[1:]
    if not body:
        return 0 if not text.strip() else None
    base = 16 if body[:2].lower() == "0x" else 8 if body.startswith("0") and len(body) > 1 else 10
    digits = body[2:] if base == 16 else body
    try:
        return sign * int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None


# -- the request newroute() builds ----------------------------------------------------------------


@attrs.define
class _Sockaddr:
    """One ``so[RTAX_*]`` slot: an IPv4/IPv6 address, or an interface (AF_LINK)."""

    family: int
    """4, 6, or 0 for AF_LINK."""
    address: Address | None = None
    ifname: str = ""


@attrs.define
class _Request:
    """What route.c newroute() has collected when its word loop ends."""

    cmd: str
    dest: str = ""
    """The destination as typed (``dest`` in newroute(), printed in its messages)."""
    gateway: str = ""
    dst: _Sockaddr | None = None
    gw: _Sockaddr | None = None
    mask: int | None = None
    """RTA_NETMASK as a prefix length (route_netlink.c rtmsg_nl_int() counts its bits)."""
    mask_family: int = 0
    interface: bool = False
    ishost: bool = False
    fibs: list[int] = attrs.Factory(list)

    @property
    def message(self) -> str:
        """newroute(): ``"%s %s %s"`` of the command, host|net and the destination as typed,
        then ``": gateway %s"`` when a gateway was given."""
        text = f"{self.cmd} {'host' if self.ishost else 'net'} {self.dest}"
        return text + (f": gateway {self.gateway}" if self.gateway else "")

    def network(self) -> Network:
        """The prefix the kernel is asked for: the mask's bits unless RTF_HOST, else a host
        (route_netlink.c rtmsg_nl_int() ``plen``; the kernel keeps the masked network [guess])."""
        assert self.dst is not None and self.dst.address is not None
        full = 32 if self.dst.family == 4 else 128
        plen = self.mask if self.mask is not None and not self.ishost else full
        return ipaddress.ip_network((self.dst.address, plen), strict=False)


class _Newroute:
    """route.c newroute(): the word loop with ``keyword()`` and getaddr()."""

    def __init__(self, ctx: Context, af: int, *, lenient: bool = False) -> None:
        self.ctx = ctx
        self.lenient = lenient
        """Take every interface name as existing (fault() has no host to look in)."""
        self.era = _era(ctx)
        self.af = af
        """0 (none yet), 4, 6; -link/-sa are refused as not simulated."""
        self.forcehost = False
        self.forcenet = False

    def parse(self, words: Sequence[str]) -> _Request:
        request = _Request(cmd=words[0])
        i = 1
        while i < len(words):
            word = words[i]
            if word.startswith("-"):
                key = word[1:]
                if key in _ARG:
                    if i + 1 >= len(words):
                        raise _usage(self.ctx)  # "if (!--argc) usage(NULL);"
                    i += 1
                    self._modifier(request, key, words[i])
                elif key in _NOARG:
                    self._flag(request, key)
                else:
                    raise _usage(self.ctx, key)  # "default: usage(1+*argv);"
            elif request.dst is None:
                request.dest = word
                request.ishost |= self._getaddr(request, "dst", word)
            elif request.gw is None:
                request.gateway = word
                self._getaddr(request, "gateway", word)
            else:
                self._getaddr(request, "netmask", word)
                self.forcenet = True
            i += 1
        # "Do some sanity checks on resulting request"
        if request.dst is None:
            raise Fail("route: destination parameter required\n" + _usage_text(self.ctx), EX_USAGE)
        if request.mask is not None and request.mask_family != request.dst.family:
            raise Fail("route: destination and netmask family need to be the same\n" + _usage_text(self.ctx),
                       EX_USAGE)
        if self.forcehost:
            request.ishost = True
            if self.af == 6:
                request.mask = None
        if self.forcenet:
            request.ishost = False
        if not request.fibs:
            request.fibs = [0]  # fiboptlist_csv("default"): net.my_fibnum, 0 with net.fibs=1
        return request

    def _flag(self, request: _Request, key: str) -> None:
        if key in ("4", "inet"):
            self.af = 4
        elif key in ("6", "inet6"):
            self.af = 6
        elif key in ("link", "sa"):
            raise _not_simulated(f"-{key}")
        elif key in ("iface", "interface"):
            request.interface = True
        elif key == "host":
            self.forcehost = True
        elif key == "net":
            self.forcenet = True
        # nostatic, lock, lockrest, reject, blackhole, proto1/2, proxy, xresolve, static, sticky,
        # nostick only change flags this host does not keep.

    def _modifier(self, request: _Request, key: str, value: str) -> None:
        if key == "fib":
            request.fibs += _fibs(value)
        elif key in _METRICS:
            if _strtol_whole(value) is None:
                raise Fail(f"route: {value}: Invalid argument", EX_USAGE)  # err(EX_USAGE, "%s", value)
        elif key == "gateway":
            self._getaddr(request, "gateway", value)
            request.gateway = value
        elif key == "dst":
            request.ishost |= self._getaddr(request, "dst", value)
            request.dest = value
        elif key == "netmask":
            self._getaddr(request, "netmask", value)
            self.forcenet = True
        elif key == "prefixlen":
            if self._prefixlen(request, value) == -1:
                self.forcenet = False
                request.ishost = True
            else:
                self.forcenet = True
                request.ishost = False
        else:  # ifa, ifp, genmask: parsed (and may fail) but not kept
            self._getaddr(request, key, value)

    def _prefixlen(self, request: _Request, text: str) -> int:
        """route.c prefixlen(): atoi(3) of the text, 0..32 or 0..128 for the current family."""
        if self.af not in (4, 6):
            raise Fail("route: prefixlen not supported in this af", EX_OSERR)
        length = _strtol_prefix(text)
        top = 32 if self.af == 4 else 128
        if not 0 <= length <= top:
            raise Fail(f"route: {text}: invalid prefixlen", EX_USAGE)
        request.mask, request.mask_family = length, self.af
        return -1 if length == top else length

    def _getaddr(self, request: _Request, idx: str, text: str) -> bool:
        """route.c getaddr(idx, str, nrflags): True for a host address, False for a network."""
        if self.af == 0:
            self.af = 4  # "if (af == 0) af = AF_INET"
        family = self.af
        if idx == "gateway" and request.interface:
            # -interface: getifaddrs(3) must know the name (in the vnet route runs in).
            if text not in self.ctx.vnet.interfaces and not self.lenient:
                raise Fail(f"route: interface '{text}' does not exist", EX_DATAERR)
            request.gw = _Sockaddr(0, ifname=text)
            return True
        if idx == "ifp":
            return True  # sa_family = AF_LINK; link_addr(3) accepts any text
        if text == "default":
            # "Default is net 0.0.0.0/0": the destination also gets an all-zero netmask.
            zero = ipaddress.IPv4Address(0) if family == 4 else ipaddress.IPv6Address(0)
            self._store(request, idx, _Sockaddr(family, zero))
            if idx == "dst":
                request.mask, request.mask_family = 0, family
            elif idx == "netmask":
                request.mask, request.mask_family = 0, family
            return False
        if family == 6:
            return self._getaddr6(request, idx, text)
        if self.era == RTSOCK:
            return self._getaddr4_classful(request, idx, text)
        return self._getaddr4(request, idx, text)

    def _store(self, request: _Request, idx: str, addr: _Sockaddr) -> None:
        if idx == "dst":
            request.dst = addr
        elif idx == "gateway":
            request.gw = addr

    def _getaddr6(self, request: _Request, idx: str, text: str) -> bool:
        """getaddr(), AF_INET6: getaddrinfo(3) of the text (the destination without ``/len``),
        then inet6_makenetandmask() for the destination. Numeric only: no resolver here."""
        name, slash, plen = text.partition("/") if idx == "dst" else (text, "", "")
        address = self._inet6(name)
        if address is None:
            raise Fail(f"route: {name}: {_EAI_NONAME}", EX_OSERR)  # errx(EX_OSERR, "%s: %s", ...)
        if idx == "netmask":
            request.mask, request.mask_family = bin(int(address)).count("1"), 6
            return False
        self._store(request, idx, _Sockaddr(6, address))
        if idx != "dst":
            return False
        length: str | None = plen if slash else None
        if length is None and address == ipaddress.IPv6Address(0):
            length = "0"  # inet6_makenetandmask(): the unspecified address is ::/0
        if length is None or length == "128":
            return True
        self._prefixlen(request, length)
        return False

    def _inet6(self, text: str) -> ipaddress.IPv6Address | None:
        address, pct, scope = text.partition("%")
        if pct and scope not in self.ctx.vnet.interfaces and not self.lenient:
            return None
        try:
            return ipaddress.IPv6Address(address)
        except ValueError:
            return None

    def _getaddr4(self, request: _Request, idx: str, text: str) -> bool:
        """getaddr(), AF_INET, 14.x/15.x: ``A.B.C.D/NUM`` for the destination, else inet_aton(3),
        else gethostbyname(3) (no resolver here: ``bad address``)."""
        left, slash, right = text.partition("/")
        if slash and idx == "dst":
            value = _inet_aton(left)
            if value is None:
                raise Fail(f"route: bad address: {left}", EX_NOHOST)
            bits = _strtol_prefix(right)
            if not 0 <= bits <= 32:
                raise Fail(f"route: bad mask length: {right}", EX_NOHOST)
            if self.era == NETLINK15 and value & ~(-1 << (32 - bits)) & 0xFFFFFFFF and "." not in left:
                # The newest getaddr(): "Check for bogus destination such as 10/8" [guess: 15.x on].
                raise Fail(f"route: malformed address, bits set after mask; {left} means "
                           f"{ipaddress.IPv4Address(value)}", EX_NOHOST)
            request.dst = _Sockaddr(4, ipaddress.IPv4Address(value))
            request.mask, request.mask_family = bits, 4
            return False
        value = _inet_aton(text)
        if value is None:
            raise Fail(f"route: bad address: {text}", EX_NOHOST)
        if idx == "netmask":
            request.mask, request.mask_family = bin(value).count("1"), 4
        else:
            self._store(request, idx, _Sockaddr(4, ipaddress.IPv4Address(value)))
        return True

    def _getaddr4_classful(self, request: _Request, idx: str, text: str) -> bool:
        """getaddr(), AF_INET, 13.x: ``net/bits`` through inet_network(3), a host when the
        local part is not zero (or -host), else a classful network (inet_makenetandmask())."""
        left, slash, right = text.partition("/")
        if slash and idx == "dst":
            value = _inet_network(left)
            if value is not None:
                self._makenetandmask(request, value, _strtol_prefix(right))
                return False
        aton = _inet_aton(text)
        if (idx != "dst" or not self.forcenet) and aton is not None:
            if idx != "dst" or self.forcehost or _lnaof(aton) != 0:
                if idx == "netmask":
                    request.mask, request.mask_family = bin(aton).count("1"), 4
                else:
                    self._store(request, idx, _Sockaddr(4, ipaddress.IPv4Address(aton)))
                return True
            self._makenetandmask(request, aton, 0)
            return False
        if idx == "dst" and not self.forcehost:
            network = _inet_network(text)
            if network is not None:
                self._makenetandmask(request, network, 0)
                return False
        raise Fail(f"route: bad address: {text}", EX_NOHOST)

    @staticmethod
    def _makenetandmask(request: _Request, net: int, bits: int) -> None:
        """route.c inet_makenetandmask(): left-justify the net, guess /8-/32 from its last
        non-zero byte when no /bits was given."""
        if net > 0:
            while net & 0xFF000000 == 0:
                net <<= 8
        if bits == 0 and net != 0:
            i = 0
            while i < 4 and not net & (0xFF << (8 * i)):
                i += 1
            bits = 32 - i * 8
        request.dst = _Sockaddr(4, ipaddress.IPv4Address(net & 0xFFFFFFFF))
        request.mask, request.mask_family = min(max(bits, 0), 32), 4


def _fibs(text: str) -> list[int]:
    """route.c fiboptlist_csv(): ``all``, ``default`` or a comma list of numbers and ranges;
    this host has net.fibs=1, so only FIB 0 exists."""
    if text in ("all", "default"):
        return [0]
    found = []
    for token in text.split(","):
        # "a-b" is a range (fiboptlist_range(): needs a < b, so two FIBs); anything but 0 is
        # past net.fibs - 1.
        value = _strtol_whole(token) if (token.startswith("-") or "-" not in token) else None
        if value != 0:
            raise Fail(f"route: invalid fib number: {text}", EX_USAGE)
        found.append(0)
    return found


# -- connected networks and the kernel's view -----------------------------------------------------


def _key(network: Network) -> str:
    """How a destination is stored in :class:`Route`: ``default`` for 0.0.0.0/0, else CIDR."""
    if isinstance(network, ipaddress.IPv4Network) and network.prefixlen == 0:
        return "default"
    return network.with_prefixlen


def _route_network(route: Route) -> Network:
    if route.destination == "default":
        return ipaddress.IPv4Network("0.0.0.0/0")
    return ipaddress.ip_network(route.destination, strict=False)


def _inet6_networks(iface: Interface) -> list[ipaddress.IPv6Interface]:
    """An interface's IPv6 prefixes (in6.c ``in6_addifaddr``: ``nd6_prelist_add`` makes the
    address's prefix on-link; in6_ifattach.c ``in6_ifattach_linklocal`` fe80::/64)."""
    return [ipaddress.IPv6Interface(f"{a.address}/{a.prefixlen}") for a in iface.inet6]


def _connected(vnet: Vnet) -> list[tuple[Network, Interface]]:
    """The prefix routes the kernel adds for the addresses of interfaces that are up
    (netinet/in.c in_addprefix; only while IFF_UP [guess])."""
    found: list[tuple[Network, Interface]] = []
    for iface in interfaces.listing(vnet):
        if not iface.up:
            continue
        for inet in iface.inet:
            found.append((ipaddress.IPv4Network(f"{inet.address}/{inet.prefixlen}", strict=False), iface))
        for ifaddr in _inet6_networks(iface):
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


# -- main() ---------------------------------------------------------------------------------------


def run(ctx: Context, args: list[str]) -> int:
    """route.c ``main()``: ``if (argc < 2) usage(NULL)``, getopt, ``-j`` (13.3 on), the command."""
    if not args:
        raise _usage(ctx)
    spec = "46nqdtvj:" if ctx.state.has_jail_flag() else "46nqdtv"
    opts, words, error = getopt("route", args, spec)
    if error:
        raise Fail(f"{error}\n{_usage_text(ctx)}", EX_USAGE)  # "case '?': default: usage(NULL);"
    flags = {letter for letter, _ in opts}
    af = 0
    jail_ref: str | None = None
    for letter, value in opts:
        if letter == "4":
            af = 4
        elif letter == "6":
            af = 6
        elif letter == "j":
            jail_ref = value
    if jail_ref is not None:
        ctx = _enter_jail(ctx, jail_ref)
    if not words:
        raise _usage(ctx)  # "usage(*argv)" with *argv NULL
    cmd = words[0]
    if cmd not in _COMMANDS:
        raise _usage(ctx, cmd)
    era = _era(ctx)
    if "v" in flags and (era == RTSOCK or cmd == "flush"):
        raise _not_simulated("-v")  # rtmsg_rtsock()/print_rtmsg() and print_nlmsg() dumps
    if cmd == "monitor":
        _monitor_args(ctx, words)
        raise _not_simulated("monitor")  # reads the routing socket until killed
    if cmd == "flush":
        return _flush(ctx, words, af, flags)
    request = _Newroute(ctx, af).parse(words)
    if cmd in ("get", "show"):
        return _get(ctx, request, flags)
    return _change(ctx, request, flags)


def _enter_jail(ctx: Context, ref: str) -> Context:
    """route.c main(): ``jid = jail_getid(jail_name); if (jid == -1) errx(1, "Jail not found");
    if (jail_attach(jid) != 0) errx(1, "Cannot attach to jail");`` (read in the newest route.c;
    the 13.3/14.x text is taken to be the same [guess]). lib/libjail jail.c jail_getid() returns
    a number unchecked and looks a name up (kern_jail.c kern_jail_get(): a dying jail is not
    found without JAIL_DYING), so a wrong jid fails at jail_attach(2)."""
    jail: Jail | None
    if ref and ref.isascii() and ref.isdigit():
        jail = next((j for j in ctx.state.jails.values() if j.jid == int(ref) and not j.dying), None)
        if jail is None:
            raise Fail("route: Cannot attach to jail", 1)
    else:
        jail = ctx.state.find_jail(ref)
        if jail is None:
            raise Fail("route: Jail not found", 1)
    return ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)


def _monitor_args(ctx: Context, words: list[str]) -> None:
    """route.c monitor(): only ``-fib N`` may follow; anything else is ``usage(*argv)``."""
    i = 1
    while i < len(words):
        word = words[i]
        if not word.startswith("-") or word[1:] != "fib":
            raise _usage(ctx, word)
        if i + 1 >= len(words):
            raise _usage(ctx, word)
        value = _strtol_whole(words[i + 1])
        if value != 0:
            raise Fail(f"route: invalid fib number: {words[i + 1]}", EX_USAGE)
        i += 2


def _in_shared_vnet_jail(ctx: Context) -> bool:
    """A jail without its own vnet may not change routes (priv_check PRIV_NET_ROUTE fails; the
    host's routing table is not the jail's to change)."""
    if not ctx.jail:
        return False
    jail = ctx.state.find_jail(ctx.jail, dying=True)
    return jail is not None and jail.vnet is None


# -- add / change / delete -------------------------------------------------------------------------


def _warn_failure(ctx: Context, errno: str) -> None:
    """What rtmsg() / rtmsg_nl_int() writes to stderr for one refused change, by release."""
    era = _era(ctx)
    strerror = _STRERROR.get(errno, errno)
    if era == RTSOCK:
        # 13.x rtmsg(): "case EPERM: err(1, "writing to routing socket")" ends route at once.
        if errno == "EPERM":
            raise Fail("route: writing to routing socket: Operation not permitted", 1)
        if errno == "ESRCH":
            ctx.warn("route has not been found")
        elif errno != "EEXIST":  # "Handled by newroute()"
            ctx.warn(f"writing to routing socket: {strerror}")
    elif era == NETLINK15:
        if errno == "ESRCH":
            ctx.warn("route has not been found")
        else:
            ctx.warn(f"message indicates error: {strerror}")


def _change(ctx: Context, request: _Request, flags: set[str]) -> int:
    """add / change / delete: rtmsg() RTM_ADD, RTM_CHANGE, RTM_DELETE (route_netlink.c
    RTM_NEWROUTE with NLM_F_CREATE|NLM_F_APPEND, NLM_F_REPLACE, RTM_DELROUTE), once per FIB
    named; then newroute() prints one line for the FIBs that worked and one per FIB that failed
    (``CMD host|net DEST[: gateway GW] fib N: ERRTEXT``), and exits 1 if any failed."""
    if _era(ctx) == RTSOCK and ("d" in flags or "t" in flags):
        # 13.x: -d returns from rtmsg() before the write, -t writes to /dev/null. The netlink
        # rtmsg_nl() of 14.x/15.x checks neither, so there they change the table.
        if "q" not in flags:
            ctx.print(request.message)
        return 0
    failures: list[tuple[int, str]] = []
    for fib in request.fibs:
        errno = _apply(ctx, request)
        if errno:
            _warn_failure(ctx, errno)
            failures.append((fib, errno))
    if "q" not in flags:
        if len(failures) < len(request.fibs):
            ctx.print(request.message)  # " fib N" follows only when net.fibs > 1
        for fib, errno in failures:
            text = _ERRMSG.get(errno, _STRERROR.get(errno, errno))
            ctx.print(f"{request.message} fib {fib}: {text}")
    return 1 if failures else 0


def _apply(ctx: Context, request: _Request) -> str:
    """Do the change in the kernel; the errno name when it refuses, else ``""``."""
    if _in_shared_vnet_jail(ctx):
        return "EPERM"
    vnet = ctx.vnet
    network = request.network()
    key = _key(network)
    existing = [r for r in vnet.routes if r.destination == key]
    connected = [iface for prefix, iface in _connected(vnet) if prefix == network]
    if request.cmd in ("delete", "del"):
        return _delete(vnet, request, existing, connected)
    route, errno = _new_route(vnet, request, key)
    if route is None:
        return errno
    if request.cmd == "change":
        if not existing:
            return "ESRCH"
        first = vnet.routes.index(existing[0])
        vnet.routes[first] = route  # RTM_CHANGE / NLM_F_REPLACE: one path replaces all
        for other in existing[1:]:
            vnet.routes.remove(other)
        return ""
    if connected:
        return "EEXIST"  # the interface's own prefix route is not a gateway route: no multipath
    if existing:
        # route_ctl.c: append a path when old and new can both multipath (gateway routes), but
        # the same gateway twice is EEXIST.
        if not route.gateway or any(not r.gateway for r in existing):
            return "EEXIST"
        if any(r.gateway == route.gateway for r in existing):
            return "EEXIST"
    vnet.routes.append(route)
    return ""


def _new_route(vnet: Vnet, request: _Request, key: str) -> tuple[Route | None, str]:
    """The route an add/change would install, or the errno the kernel gives for it."""
    if request.interface:
        assert request.gw is not None
        return Route(key, "", request.gw.ifname), ""
    if request.gw is None or request.gw.address is None:
        return None, "EINVAL"  # no gateway for a gateway route [guess]
    found = _outgoing(vnet, request.gw.address)
    if found is None:
        return None, "ENETUNREACH"
    return Route(key, str(request.gw.address), found.name), ""


def _delete(vnet: Vnet, request: _Request, existing: list[Route], connected: list[Interface]) -> str:
    """RTM_DELETE with RTF_PINNED (rtmsg()): the whole route, or only the path through the
    gateway given (rib_del_route() matches the nexthop); ESRCH when nothing matches."""
    if not existing:
        if connected:
            raise _not_simulated("deleting an interface prefix route")
        return "ESRCH"
    if request.gw is None:
        victims = existing
    elif request.interface:
        victims = [r for r in existing if not r.gateway and r.interface == request.gw.ifname]
    else:
        victims = [r for r in existing if r.gateway == str(request.gw.address)]
    if not victims:
        return "ESRCH"
    for route in victims:
        vnet.routes.remove(route)
    return ""


# -- get / show -----------------------------------------------------------------------------------


def _routename(address: Address, numeric: bool) -> str:
    """route.c routename(): ``default`` for the unspecified address unless -n, else numeric
    (getnameinfo(3); the simulated host has no reverse DNS)."""
    if not numeric and int(address) == 0:
        return "default"
    return str(address)


def _lookup(ctx: Context, request: _Request) -> tuple[Network, list[Route], Interface] | None:
    """RTM_GET / RTM_GETROUTE: the exact prefix when a netmask was given (RTM_F_PREFIX),
    otherwise the longest match of the destination address."""
    vnet = ctx.vnet
    assert request.dst is not None and request.dst.address is not None
    address = request.dst.address
    exact = request.mask is not None  # rtmsg_nl_int(): RTM_F_PREFIX "if mask is set"
    target = request.network()
    candidates: dict[Network, tuple[list[Route], Interface]] = {}
    for prefix, iface in _connected(vnet):
        candidates.setdefault(prefix, ([], iface))
    for static in vnet.routes:
        outgoing = vnet.interfaces.get(static.interface)
        if outgoing is None:
            continue
        prefix = _route_network(static)
        if prefix in candidates and candidates[prefix][0]:
            candidates[prefix][0].append(static)
        else:
            candidates[prefix] = ([static], outgoing)
    best: Network | None = None
    for prefix in candidates:
        if prefix.version != target.version:
            continue
        if (prefix == target) if exact else (address in prefix):
            if best is None or prefix.prefixlen > best.prefixlen:
                best = prefix
    if best is None:
        return None
    routes, iface = candidates[best]
    return best, routes, iface


def _get(ctx: Context, request: _Request, flags: set[str]) -> int:
    """get/show; newroute() ends with ``exit(error)``, the sum of the rtmsg() results (-1 each:
    exit status 255)."""
    era = _era(ctx)
    if era == RTSOCK and "d" in flags:
        return 0  # rtmsg(): "if (debugonly) return (0);" before the write and the read
    if era == RTSOCK and "t" in flags:
        ctx.warn("read from routing socket: Bad file descriptor")  # /dev/null is write-only
        return 0
    found = _lookup(ctx, request)
    if found is None:
        if era == NETLINK14:
            # rtmsg_nl_int(): warn("route has not been found") then "return (0)"; errno is
            # still 0 from rtmsg() ("errno = 0") [guess].
            ctx.warn("route has not been found: No error: 0")
            return 0
        ctx.warn("route has not been found")  # rtmsg() warnx / 15.x rtmsg_nl_int() warnx
        return 255
    network, routes, iface = found
    _print_get(ctx, request, network, routes, iface, "n" in flags)
    return 0


def _print_get(ctx: Context, request: _Request, network: Network, routes: list[Route], iface: Interface,
               numeric: bool) -> None:
    """route_netlink.c print_getmsg() (route.c print_getmsg() of 13.x prints the same lines)."""
    assert request.dst is not None and request.dst.address is not None
    multipath = len(routes) > 1 and _era(ctx) != RTSOCK
    flagbits = RTF_UP | RTF_DONE
    if not routes:
        flagbits |= RTF_PINNED  # interface prefix routes are pinned (in.c ifa_maintain_loopback_route) [guess]
    else:
        flagbits |= RTF_STATIC
        if routes[0].gateway:
            flagbits |= RTF_GATEWAY
    host_len = 32 if network.version == 4 else 128
    if network.prefixlen == host_len:
        flagbits |= RTF_HOST
    ctx.print(f"   route to: {_routename(request.dst.address, numeric)}")
    ctx.print(f"destination: {_routename(network.network_address, numeric)}")
    if network.prefixlen != host_len:  # get_netmask(): no mask for a host route
        ctx.print(f"       mask: {_routename(network.netmask, numeric)}")
    if routes and routes[0].gateway and not multipath:
        ctx.print(f"    gateway: {routes[0].gateway}")
    ctx.print("        fib: 0")
    # A multipath route comes back as RTA_MULTIPATH without RTA_OIF: get_ifdata(h, 0, ...) finds
    # no name and prints "if#0" [guess].
    ctx.print(f"  interface: {'if#0' if multipath else iface.name}")
    names = ",".join(label for bit, label in _FLAG_NAMES if flagbits & bit)
    ctx.print(f"      flags: <{names}>")
    # print_getmsg(): "\n%9s %9s %9s %9s %9s %10s %9s\n" then "%8lu  " x6 and "%8ld \n".
    ctx.print(f"{'recvpipe':>9} {'sendpipe':>9} {'ssthresh':>9} {'rtt,msec':>9} {'mtu   ':>9} "
              f"{'weight':>10} {'expire':>9}")
    ctx.out.append("".join(f"{v:>8}  " for v in (0, 0, 0, 0, iface.mtu, 1)) + f"{0:>8} \n")


# -- flush ----------------------------------------------------------------------------------------


def _netname(network: Network, numeric: bool) -> str:
    """route.c netname(): ``default`` for 0.0.0.0 (even with -n), else the IPv4 net with its
    trailing zero bytes dropped; IPv6 through getnameinfo(3)."""
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


def _flush(ctx: Context, words: list[str], af: int, flags: set[str]) -> int:
    """route.c flushroutes(): only ``-4 -inet -6 -inet6 -link -fib N`` may follow, each word
    starting with ``-`` (else ``usage(*argv)``, dash included); then every gateway route of the
    family goes (flushroutes_fib_rtsock() / route_netlink.c flushroutes_fib_nl())."""
    i = 1
    while i < len(words):
        word = words[i]
        if not word.startswith("-"):
            raise _usage(ctx, word)
        key = word[1:]
        if key in ("4", "inet"):
            af = 4
        elif key in ("6", "inet6"):
            af = 6
        elif key == "link":
            af = -1  # AF_LINK: no route has a link-level destination here
        elif key == "fib":
            if i + 1 >= len(words):
                raise _usage(ctx, word)
            i += 1
            _fibs(words[i])
        else:
            raise _usage(ctx, word)
        i += 1
    era = _era(ctx)
    if era != RTSOCK and af == 0:
        # flushroutes_fib_nl(): "if (r.rta_table != fib || r.rtm_family != af) continue;" skips
        # every route when no family was named.
        return 0
    vnet = ctx.vnet
    victims = [r for r in vnet.routes if r.gateway and (af == 0 or _route_network(r).version == af)]
    victims.sort(key=lambda r: (_route_network(r).version, int(_route_network(r).network_address),
                                _route_network(r).prefixlen))
    if victims and _in_shared_vnet_jail(ctx) and "d" not in flags:
        if era == RTSOCK:
            raise Fail("route: write to routing socket: Operation not permitted", 1)
        raise Fail("route: RTM_DELROUTE failed:: Operation not permitted", 1)  # errc(1, EPERM, ...)
    numeric = "n" in flags
    for route in victims:
        if "d" in flags:
            continue  # "if (debugonly) continue;" before the delete and the report
        if not (era == RTSOCK and "t" in flags):  # 13.x -t writes RTM_DELETE to /dev/null
            vnet.routes.remove(route)
        if "q" in flags and era == RTSOCK:
            continue  # only the routing-socket flush honours -q
        network = _route_network(route)
        host_len = 32 if network.version == 4 else 128
        name = _routename(network.network_address, numeric) if network.prefixlen == host_len else \
            _netname(network, numeric)
        gateway = _routename(ipaddress.ip_address(route.gateway), numeric)
        ctx.print(f"{name[:20]:<20} {gateway[:20]:<20} -fib {0:<3} done")
    return 0


# -- fault injection ------------------------------------------------------------------------------


def _command_words(args: Sequence[str]) -> tuple[set[str], int, list[str]] | None:
    opts, words, error = getopt("route", args, "46nqdtvj:")
    if error or not words:
        return None
    af = 0
    for letter, _ in opts:
        af = 4 if letter == "4" else 6 if letter == "6" else af
    return {letter for letter, _ in opts}, af, words


def mutating(args: Sequence[str]) -> bool:
    """add, change, delete/del and flush may change a routing table (on 14.x even with -d/-t)."""
    found = _command_words(args)
    return found is not None and found[2][0] in ("add", "change", "delete", "del", "flush")


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """What route of 14.x (the default release) prints when the kernel refuses the change.

    add/change: ENETUNREACH, ``add net default: gateway GW fib 0: Network is unreachable`` on
    stdout and nothing on stderr (route_netlink.c rtmsg_nl_int() returns the error silently);
    delete: ESRCH (``... fib 0: not in table``); flush of one family: EPERM, ``errc(1, error,
    "RTM_DELROUTE failed:")``; a flush without a family does nothing (flushroutes_fib_nl()).
    Word errors come out as the parser gives them (any interface name is taken as existing).
    """
    found = _command_words(args)
    if found is None:
        return EX_USAGE, "", USAGE_JAIL + "\n"
    flags, af, words = found
    if words[0] == "flush":
        named = af or any(w in ("-4", "-inet", "-6", "-inet6") for w in words[1:])
        return (1, "", "route: RTM_DELROUTE failed:: Operation not permitted\n") if named else (0, "", "")
    from hooks.testing.model import SimState  # a blank 14.x host for the word parser

    ctx = Context(SimState(), "route")
    try:
        request = _Newroute(ctx, af, lenient=True).parse(words)
    except Fail as failure:
        return failure.code, "", failure.message + "\n"
    text = "not in table" if request.cmd in ("delete", "del") else "Network is unreachable"
    out = "" if "q" in flags else "".join(f"{request.message} fib {fib}: {text}\n" for fib in request.fibs or [0])
    return 1, out, ""


PROGRAM = Program(name="route", run=run, mutating=mutating, fault=fault)
