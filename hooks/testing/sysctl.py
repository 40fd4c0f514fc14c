"""Simulated ``sysctl(8)``: read and set the per-vnet ``net.*`` values and a few read-only oids.

Behaviour and message texts follow freebsd-commands.md §1.3 and §3.8, which cite
sbin/sysctl/sysctl.c (13/14: ``parse()`` returns the number of failures and ``main()`` exits with
their sum, ``return (warncount)``). Values of ``net.*`` live in the vnet the command runs in
(:attr:`Context.vnet`): the host's, or a vnet jail's own copy (``CTLFLAG_VNET``).
"""

import re
from collections.abc import Sequence

from hooks.testing import interfaces
from hooks.testing.command import Command, Context, Fail, getopt

# sysctl.c usage() (13/14): two lines on stderr, exit 1.
USAGE = (
    "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a"
)

#: sysctl.c main(): getopt(argc, argv, "AabB:def:hiNnoqtTwWxX").
OPTIONS = "AabB:def:hiNnoqtTwWxX"

#: Read-only oids that do not depend on the vnet: kern_mib.c (kern.ostype, kern.osrelease,
#: kern.osreldate are CTLFLAG_RD) and kern_jail.c (security.jail.jailed, CTLFLAG_RD).
READ_ONLY = ("kern.ostype", "kern.osrelease", "kern.osreldate", "security.jail.jailed")


def _usage(error: str = "") -> Fail:
    """getopt's complaint (if any), then sysctl.c usage(): exit 1."""
    return Fail((error + "\n" if error else "") + USAGE, 1)


def _strtol(text: str) -> int | None:
    """strtol(3) with base 0 that must consume the whole string (sysctl.c parse_numeric):
    leading blanks, a sign, ``0x`` hex, a leading ``0`` for octal; None when it is not a number."""
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
    return -value if sign == "-" else value


class _Oids:
    """The oids this simulated host has, as seen from the command's context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        jailed = 1 if ctx.jail else 0
        self.fixed: dict[str, str | int] = {
            "kern.ostype": "FreeBSD",
            "kern.osrelease": ctx.state.release,
            "kern.osreldate": ctx.state.osreldate,
            "security.jail.jailed": jailed,
        }

    def names(self) -> list[str]:
        """Every leaf oid, sorted by name (the real tree is walked in oid-number order [I])."""
        return sorted([*self.fixed, *self.ctx.vnet.sysctls])

    def value(self, name: str) -> str | int | None:
        if name in self.fixed:
            return self.fixed[name]
        return self.ctx.vnet.sysctls.get(name)

    def is_node(self, name: str) -> bool:
        """A dotted prefix of some leaf is a CTLTYPE_NODE (``sysctl net.inet.ip`` lists its leaves)."""
        return any(leaf.startswith(name + ".") for leaf in self.names())


def _in_shared_vnet_jail(ctx: Context) -> bool:
    """True inside a jail without its own vnet: kern_sysctl.c sysctl_root() lets a jailed process
    write only CTLFLAG_PRISON oids, or CTLFLAG_VNET ones when the prison owns its vnet
    (``prison_owns_vnet``); a ``vnet=inherit`` jail does not, so the write fails with EPERM [I].
    That root in a vnet jail may write its own ``net.inet.ip.forwarding`` is [NV] (§1.3, §7)."""
    if not ctx.jail:
        return False
    jail = ctx.state.find_jail(ctx.jail, dying=True)
    return jail is not None and jail.vnet is None


def _show(ctx: Context, name: str, value: str | int, flags: set[str]) -> str:
    """show_var(): ``name: value`` (``name=value`` with -e, only the value with -n, only the name
    with -N); no newline, the caller adds it."""
    if "N" in flags:
        return name
    sep = "=" if "e" in flags else ": "
    return f"{value}" if "n" in flags else f"{name}{sep}{value}"


def run(ctx: Context, args: list[str]) -> int:
    """sysctl.c ``main()``: options, then ``parse()`` for each name; exit status = failures."""
    opts, names, error = getopt("sysctl", args, OPTIONS)
    if error:
        raise _usage(error)
    flags = {letter for letter, _ in opts}
    if "A" in flags or "X" in flags:
        flags.add("a")
    if "N" in flags and "n" in flags:
        raise _usage()  # sysctl.c main: "if (Nflag && nflag) usage();"
    oids = _Oids(ctx)
    if "a" in flags and not names:
        # sysctl_all(): every leaf (only the ones this simulated host has).
        for name in oids.names():
            value = oids.value(name)
            assert value is not None
            ctx.print(_show(ctx, name, value, flags))
        return 0
    if not names:
        raise _usage()
    warncount = 0
    for word in names:
        warncount += _parse(ctx, oids, word, flags)
    return warncount & 0xFF  # exit(3) keeps the low 8 bits


def _parse(ctx: Context, oids: _Oids, string: str, flags: set[str]) -> int:
    """sysctl.c ``parse()`` for one ``name`` or ``name=value``; returns 1 when it failed."""
    name, eq, newval = string.partition("=")
    newval = newval.lstrip()  # parse(): "while (isspace(*cp)) cp++;"
    if not oids.is_node(name) and oids.value(name) is None:
        # name2oid() fails: -i ignores it, -q fails silently, else warnx (sysctl.c parse()).
        if "i" in flags:
            return 0
        if "q" not in flags:
            ctx.warn(f"unknown oid '{name}'")
        return 1
    if not eq:
        if oids.is_node(name):
            # A node lists every leaf below it (sysctl_all(mib, len)).
            for leaf in oids.names():
                if leaf.startswith(name + "."):
                    value = oids.value(leaf)
                    assert value is not None
                    ctx.print(_show(ctx, leaf, value, flags))
            return 0
        value = oids.value(name)
        assert value is not None
        ctx.print(_show(ctx, name, value, flags))
        return 0
    if oids.is_node(name):
        ctx.warn(f"oid '{name}' isn't a leaf node")  # sysctl.c parse()
        return 1
    if name in READ_ONLY:
        ctx.warn(f"oid '{name}' is read only")  # sysctl.c parse(): !(kind & CTLFLAG_WR)
        return 1
    # Every writable oid here is a CTLTYPE_INT (ip_input.c, if_bridge.c, pf_ioctl.c).
    if not newval:
        ctx.warn("empty numeric value")  # sysctl.c parse(), numeric types
        return 1
    number = _strtol(newval)
    if number is None or not -(2**31) <= number < 2**31:
        ctx.warn(f"invalid integer '{newval}'")  # "invalid %s '%s'", ctl_typename[CTLTYPE_INT]
        return 1
    old = ctx.vnet.sysctls[name]
    # show_var() prints the old value before the write is attempted (sysctl.c parse()).
    shown = _show(ctx, name, old, flags)
    if _in_shared_vnet_jail(ctx):
        ctx.out.append(shown + "\n")  # "if (!i && !bflag) putchar('\n');"
        ctx.warn(f"{string}: Operation not permitted")  # warn("%s", string), EPERM
        return 1
    ctx.vnet.sysctls[name] = number
    ctx.out.append(f"{shown} -> {number}\n")  # printf(" -> "), then show_var() with nflag=1
    return 0


def mutating(args: Sequence[str]) -> bool:
    """A ``name=value`` word writes an oid."""
    _, names, error = getopt("sysctl", args, OPTIONS)
    return not error and any("=" in word for word in names)


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """The kernel refuses every write with EPERM (not root, or a jail that may not write it).

    sysctl.c parse(): show_var() has already printed ``name: old``; the failed sysctl(3) adds the
    newline and ``warn("%s", string)`` → ``sysctl: name=value: Operation not permitted``; exit
    status is the number of failed names (freebsd-commands.md §1.3 [V]). The old value shown is the
    boot default (interfaces.default_sysctls), as the fault hook does not see the host state [I].
    """
    opts, names, _ = getopt("sysctl", args, OPTIONS)
    flags = {letter for letter, _ in opts}
    defaults = interfaces.default_sysctls()
    out: list[str] = []
    err: list[str] = []
    failed = 0
    for word in names:
        name, eq, _ = word.partition("=")
        if not eq:
            continue
        old = defaults.get(name, 0)
        out.append(("" if "n" in flags else name + ("=" if "e" in flags else ": ")) + f"{old}\n")
        err.append(f"sysctl: {word}: Operation not permitted\n")
        failed += 1
    return failed or 1, "".join(out), "".join(err)


COMMAND = Command(name="sysctl", run=run, mutating=mutating, fault=fault)
