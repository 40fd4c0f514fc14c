"""Simulated ``sysctl(8)``: read and set the per-vnet ``net.*`` values and a few read-only oids.

Follows sbin/sysctl/sysctl.c: ``main()`` (getopt, ``return (warncount)``), ``parse()`` (the
``=``/``:`` split, blank trimming, quote stripping, the checks in their order), ``parse_numeric()``,
``parsefile()``, ``show_var()`` and ``sysctl_all()``. Two trees were read: a 13.x one (getopt
``AabB:def:hiNnoqtTwWxX``) and a later one with ``-F`` and ``-l`` (getopt
``AabB:def:FhilNnoqtTwWxX``); that the later one is what 14.x and 15.x ship is [guess] (15.x
adds ``-j``, ``-J`` and ``-V`` per its sysctl.8, not simulated). Values of ``net.*`` live in
the vnet the command runs in (:attr:`Context.vnet`): the host's, or a vnet jail's own copy
(``CTLFLAG_VNET``).
"""

import os
import re
from collections.abc import Sequence

import attrs

from hooks.testing import interfaces
from hooks.testing.program import Context, Fail, Program, getopt

#: sysctl.c usage() of the later tree: two lines on stderr, exit 1.
USAGE = (
    "usage: sysctl [-bdeFhilNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdeFhlNnoqTtWx] [ -B <bufsize> ] -a"
)
#: sysctl.c usage() of the 13.x tree.
USAGE_13 = (
    "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a"
)
#: sysctl.c main() getopt strings (13.x tree; later tree).
OPTIONS_13 = "AabB:def:hiNnoqtTwWxX"
OPTIONS = "AabB:def:FhilNnoqtTwWxX"

EX_NOINPUT = 66

#: Read-only oids that do not depend on the vnet: kern_mib.c (kern.ostype, kern.osrelease,
#: kern.osreldate, kern.version, kern.ident, hw.machine, hw.machine_arch are CTLFLAG_RD) and
#: kern_jail.c (security.jail.jailed, CTLFLAG_RD).
READ_ONLY = ("kern.ostype", "kern.osrelease", "kern.osreldate", "kern.version", "kern.ident", "hw.machine",
             "hw.machine_arch", "security.jail.jailed")

#: The oid descriptions ``-d`` prints (the SYSCTL_*() description strings) [guess: texts not read].
_DESCRIPTIONS = {
    "kern.ostype": "Operating system type",
    "kern.osrelease": "Operating system release",
    "kern.osreldate": "Kernel release date",
    "kern.version": "Kernel version",
    "kern.ident": "Kernel identifier",
    "kern.hostname": "Hostname",
    "hw.machine": "Machine class",
    "hw.machine_arch": "System architecture",
    "security.jail.jailed": "Process in jail?",
    "net.inet.ip.forwarding": "Enable IP forwarding between interfaces",
    "net.inet6.ip6.forwarding": "Enable forwarding of IPv6 packets between interfaces",
    "net.link.bridge.pfil_member": "Packet filter on the member interface",
    "net.link.bridge.pfil_bridge": "Packet filter on the bridge interface",
    "net.link.bridge.member_ifaddrs": "Allow layer 3 addresses on member interfaces",
    "net.pf.filter_local": "Enable filtering for packets delivered to local network stack",
}


def uname_values(ctx: Context) -> dict[str, str]:
    """The string oids uname(1) reads (kern.ostype, kern.hostname, kern.osrelease, kern.version,
    hw.machine, hw.machine_arch, kern.ident) as this host has them. The host's hostname, the
    build line of kern.version and the machine are not in the model: ``freebsd``, ``FreeBSD
    RELEASE GENERIC`` and ``amd64`` [guess]."""
    hostname = "freebsd"
    if ctx.jail:
        jail = ctx.state.find_jail(ctx.jail, dying=True)
        hostname = jail.hostname if jail is not None else hostname
    release = ctx.state.release
    return {
        "kern.ostype": "FreeBSD",
        "kern.hostname": hostname,
        "kern.osrelease": release,
        "kern.version": f"FreeBSD {release} GENERIC\n",
        "kern.ident": "GENERIC",
        "hw.machine": "amd64",
        "hw.machine_arch": "amd64",
    }


def _later(ctx: Context) -> bool:
    return ctx.state.osreldate >= 1400000


def _usage(ctx: Context, error: str = "") -> Fail:
    """getopt's complaint (if any), then sysctl.c usage(): exit 1."""
    return Fail((error + "\n" if error else "") + (USAGE if _later(ctx) else USAGE_13), 1)


def _strtol(text: str) -> int | None:
    """strtol(3) base 0 that must consume the whole word (sysctl.c parse_numeric(): ``errno !=
    0 || endptr == newvalstr || *endptr != '\\0'`` fails); ERANGE past a 64-bit long."""
    match = re.fullmatch(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", text)
    if match is None:
        return None
    sign, digits = match.groups()
    if digits[:2].lower() == "0x":
        value = int(digits[2:], 16)
    elif digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    return value if -(2**63) <= value < 2**63 else None


@attrs.frozen
class _Flags:
    """The option flags of one sysctl run."""

    letters: frozenset[str]

    def __contains__(self, letter: object) -> bool:
        return letter in self.letters


class _Oids:
    """The oids this simulated host has, as seen from the command's context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        jailed = 1 if ctx.jail else 0
        self.fixed: dict[str, str | int] = {**uname_values(ctx), "kern.osreldate": ctx.state.osreldate,
                                            "security.jail.jailed": jailed}

    def names(self) -> list[str]:
        """Every leaf oid, sorted by name (the real tree is walked in oid-number order [guess])."""
        return sorted([*self.fixed, *self.ctx.vnet.sysctls])

    def value(self, name: str) -> str | int | None:
        if name in self.fixed:
            return self.fixed[name]
        return self.ctx.vnet.sysctls.get(name)

    def is_node(self, name: str) -> bool:
        """A dotted prefix of some leaf is a CTLTYPE_NODE (``sysctl net.inet.ip`` lists its leaves)."""
        return any(leaf.startswith(name + ".") for leaf in self.names())

    def writable(self, name: str) -> bool:
        return name not in READ_ONLY


def _show(name: str, value: str | int, flags: _Flags, numeric_only: bool = False) -> str:
    """show_var(): ``name: value`` (``name=value`` with -e), only the value with -n, only the
    name with -N, the type with -t, the description with -d; -x prints integers as
    ``%#0*jx`` (10 wide for an int). No newline: the caller adds it."""
    if "N" in flags:
        return name
    sep = "=" if "e" in flags else ": "
    head = "" if "n" in flags or numeric_only else f"{name}{sep}"
    if "t" in flags or "d" in flags:
        kind = "integer" if isinstance(value, int) else "string"
        if "t" in flags and "d" in flags:
            return f"{head}{kind}{sep}{_DESCRIPTIONS.get(name, '')}"
        return head + (kind if "t" in flags else _DESCRIPTIONS.get(name, ""))
    if isinstance(value, int) and "x" in flags:
        text = f"{value & 0xFFFFFFFF:#010x}" if value else "0" * 10  # "%#0*jx": no 0x for zero
        return head + text
    return f"{head}{value}"


def run(ctx: Context, args: list[str]) -> int:
    """sysctl.c ``main()``: options, then ``parsefile()`` and ``parse()`` for each name; the
    exit status is the number of failures (``return (warncount)``, low 8 bits)."""
    opts, names, error = getopt("sysctl", args, OPTIONS if _later(ctx) else OPTIONS_13)
    if error:
        raise _usage(ctx, error)
    letters = {letter for letter, _ in opts}
    if "A" in letters:
        letters |= {"a", "o"}
    if "X" in letters:
        letters |= {"a", "x"}
    flags = _Flags(frozenset(letters))
    if "N" in flags and ("n" in flags or "l" in flags):
        raise _usage(ctx)  # "if (Nflag && (lflag || nflag)) usage();" (13.x: Nflag && nflag)
    for letter in ("b", "F", "l", "T"):
        if letter in flags:
            raise Fail(f"sysctl: -{letter}: not simulated by the jailnet test host", 1)
    conffile = dict(opts).get("f")
    oids = _Oids(ctx)
    if "a" in flags and not names:
        _all(ctx, oids, "", flags)  # "exit(sysctl_all(NULL, 0))"
        return 0
    if not names and conffile is None:
        raise _usage(ctx)
    warncount = 0
    if conffile is not None:
        warncount += _parsefile(ctx, oids, conffile, flags)
    for word in names:
        warncount += _parse(ctx, oids, word, flags)
    return warncount & 0xFF


def _all(ctx: Context, oids: _Oids, prefix: str, flags: _Flags) -> None:
    """sysctl_all(): every leaf below ``prefix`` (all of them for ``""``); show_var() returns 1
    without output for what -W leaves out (read-only oids)."""
    for leaf in oids.names():
        if prefix and not leaf.startswith(prefix + "."):
            continue
        if "W" in flags and not oids.writable(leaf):
            continue
        value = oids.value(leaf)
        assert value is not None
        ctx.print(_show(leaf, value, flags))


def _parsefile(ctx: Context, oids: _Oids, filename: str, flags: _Flags) -> int:
    """sysctl.c parsefile(): ``err(EX_NOINPUT, "%s", filename)`` when it cannot be opened; each
    line loses its comment and surrounding blanks and goes to parse() with its number."""
    base = ctx.state.root
    if ctx.jail:
        jail = ctx.state.find_jail(ctx.jail, dying=True)
        base = jail.path if jail is not None else base
    try:
        with open(os.path.join(base, filename.lstrip("/")), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise Fail(f"sysctl: {filename}: {exc.strerror}", EX_NOINPUT) from None
    warncount = 0
    for number, line in enumerate(lines, start=1):
        line = _uncomment(line).strip()
        if line:
            warncount += _parse(ctx, oids, line, flags, number)
    return warncount


def _uncomment(line: str) -> str:
    """parsefile(): cut at the first ``#`` that is not escaped; past a quote, cut after the
    closing quote instead."""
    quote = min((p for p in (line.find("'"), line.find('"')) if p >= 0), default=-1)
    for pos, ch in enumerate(line):
        if ch != "#":
            continue
        if quote >= 0 and pos > quote:
            closing = line.find(line[quote], quote + 1)
            return line[:closing + 1] if closing >= 0 else line
        if pos == 0 or line[pos - 1] != "\\":
            return line[:pos]
    return line


def _parse(ctx: Context, oids: _Oids, string: str, flags: _Flags, lineno: int = 0) -> int:
    """sysctl.c ``parse()`` for one ``name``, ``name=value`` or ``name:value``; 1 when it failed."""
    at = f" at line {lineno}" if lineno else ""
    name, value = _split(string)
    if value is not None and ("T" in flags or "W" in flags):
        raise Fail("sysctl: Can't set variables when using -T or -W\n" + _usage(ctx).message, 1)
    known = oids.is_node(name) or oids.value(name) is not None
    if not known:
        # name2oid() fails with ENOENT: -i ignores it, -q fails silently, else warnx.
        if "i" in flags:
            return 0
        if "q" not in flags:
            ctx.warn(f"unknown oid '{name}'{at}")
        return 1
    if value is None or "d" in flags:
        if oids.is_node(name):
            _all(ctx, oids, name, flags)  # a node lists every leaf below it
            return 0
        if "W" in flags and not oids.writable(name):
            return 0  # show_var() returns 1: nothing printed, no newline
        current = oids.value(name)
        assert current is not None
        ctx.print(_show(name, current, flags))
        return 0
    if oids.is_node(name):
        ctx.warn(f"oid '{name}' isn't a leaf node{at}")
        return 1
    if not oids.writable(name):
        ctx.warn(f"oid '{name}' is read only{at}")  # !(kind & CTLFLAG_WR), not a tunable
        return 1
    if name not in ctx.vnet.sysctls:
        raise Fail(f"sysctl: {name}: setting it is not simulated by the jailnet test host", 1)
    # Every writable oid here is a CTLTYPE_INT (ip_input.c, if_bridge.c, pf_ioctl.c).
    if not value:
        ctx.warn("empty numeric value")
        return 1
    numbers: list[int] = []
    for token in re.split(r"[ ,]", value):  # strsep(&newvalstr, " ,"), empty tokens skipped
        if not token:
            continue
        number = _strtol(token)
        if number is None:
            ctx.warn(f"invalid integer '{token}'{at}")  # "invalid %s '%s'%s", ctl_typename
            return 1
        numbers.append(number)
    # parse_numeric(): "intval = (int)strtol(...)"; the kernel's sysctl_handle_int() takes the
    # first int of the buffer [guess].
    new = ((numbers[0] + 2**31) % 2**32) - 2**31 if numbers else 0
    old = ctx.vnet.sysctls[name]
    shown = _show(name, old, flags)  # show_var() prints the old value before the write
    if _in_shared_vnet_jail(ctx):
        ctx.out.append(shown + "\n")  # "if (!i && !bflag) putchar('\n');"
        ctx.warn(f"{string}{at}: Operation not permitted")  # warnc(save_errno, "%s%s", string, line)
        return 1
    ctx.vnet.sysctls[name] = new
    # printf(" -> "), then show_var() with nflag=1
    ctx.out.append(f"{shown} -> {_show(name, new, flags, numeric_only=True)}\n")
    return 0


def _split(string: str) -> tuple[str, str | None]:
    """parse(): ``strsep(&cp, "=:")``; blanks before the value and after the name go, and a
    pair of ``"`` or ``'`` around the value is stripped."""
    match = re.search(r"[=:]", string)
    if match is None:
        return string.rstrip(), None
    name, value = string[:match.start()], string[match.end():].lstrip()
    if value[:1] in ("'", '"'):
        if value.endswith(value[0]) and len(value) > 1:
            value = value[:-1]
        value = value[1:]
    return name.rstrip(), value


def _in_shared_vnet_jail(ctx: Context) -> bool:
    """True inside a jail without its own vnet: kern_sysctl.c sysctl_root() lets a jailed process
    write only CTLFLAG_PRISON oids, or CTLFLAG_VNET ones when the prison owns its vnet
    (``prison_owns_vnet``); a ``vnet=inherit`` jail does not, so the write fails with EPERM [guess]."""
    if not ctx.jail:
        return False
    jail = ctx.state.find_jail(ctx.jail, dying=True)
    return jail is not None and jail.vnet is None


def _sets(args: Sequence[str]) -> tuple[set[str], list[str]]:
    opts, names, error = getopt("sysctl", args, OPTIONS)
    if error:
        return set(), []
    letters = {letter for letter, _ in opts}
    if letters & {"T", "W"}:
        return letters, []  # "Can't set variables when using -T or -W"
    return letters, [word for word in names if re.search(r"[=:]", word)]


def mutating(args: Sequence[str]) -> bool:
    """A ``name=value`` (or ``name:value``) word writes an oid."""
    return bool(_sets(args)[1])


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """The kernel refuses every write with EPERM (not root, or a jail that may not write it).

    sysctl.c parse(): show_var() has already printed ``name: old``; the failed sysctl(3) adds the
    newline and ``warnc(save_errno, "%s%s", string, line)`` prints ``sysctl: name=value:
    Operation not permitted``; the exit status is the number of failed names. Reads among the
    names are left out, and the old value shown is the boot default
    (interfaces.default_sysctls()), as the fault hook does not see the host state [guess].
    """
    letters, writes = _sets(args)
    flags = _Flags(frozenset(letters))
    defaults = interfaces.default_sysctls()
    out: list[str] = []
    err: list[str] = []
    for word in writes:
        name, _ = _split(word)
        out.append(_show(name, defaults.get(name, 0), flags) + "\n")
        err.append(f"sysctl: {word}: Operation not permitted\n")
    return len(writes) or 1, "".join(out), "".join(err)


PROGRAM = Program(name="sysctl", run=run, mutating=mutating, fault=fault)
