"""The programs the simulated host knows, by name, and how one is run: also in a jail, which is
what ``jexec(8)`` does (usr.sbin/jexec/jexec.c ``main()``), so jexec lives here, beside the
registry it looks the jailed program up in."""

import os
import posixpath
from collections.abc import Sequence

from hooks.testing import ifconfig, jails, pfctl, route, sysctl, uname
from hooks.testing.model import HOST_VNET, Jail
from hooks.testing.program import Context, Fail, Program, getopt

#: jexec.c usage() of 13.x/14.x [guess: 14.x has no -d]; the 15.x synopsis (jexec.8) adds -d and -e
#: [guess: usage() text not read].
JEXEC_USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]"
JEXEC_USAGE_15 = ("usage: jexec [-l] [-d working-directory] [[-e name=value]...] "
                  "[-u username | -U username] jail [command ...]")
#: Jail's root-relative PATH that jexec's execvp(3) searches when the command has no slash.
_JAIL_PATH = ("/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")
#: Programs a jail can run through jexec, when the image ships the binary (checked on disk).
_IN_JAIL = ("ifconfig", "route", "sysctl", "uname")


def execute(program: Program, ctx: Context, args: list[str]) -> int:
    """Run ``program`` in ``ctx``; a :class:`Fail` becomes its stderr line and exit status."""
    try:
        return program.run(ctx, args)
    except Fail as failure:
        ctx.err.append(failure.message + "\n")
        return failure.code


# -- jexec ----------------------------------------------------------------------------------------


def jexec(ctx: Context, args: list[str]) -> int:
    """jexec.c ``main()``: getopt, ``jail_getid()``/``jail_attach()``, ``chdir("/")``, then
    ``execvp(argv[1], ...)`` (no command: the user's shell, ``execlp(shell, shell, "-i")``).

    The command runs only when its binary exists under the jail's root, as on a real host; an
    OCI image without /sbin/ifconfig cannot be configured this way.
    """
    new = ctx.state.osreldate >= 1500000
    opts, words, error = getopt("jexec", args, "d:e:lnu:U:" if new else "lnu:U:")
    letters = {letter for letter, _ in opts}
    if error or not words or {"u", "U"} <= letters:
        raise Fail((error + "\n" if error else "") + (JEXEC_USAGE_15 if new else JEXEC_USAGE), 1)
    for letter, value in opts:
        # -l (clean environment), -n (ignored), -d and -e (15.x) change nothing this host
        # models; -u/-U need a user database: only root is known.
        if letter in ("u", "U") and value != "root":
            raise ctx.fail(f"-{letter} {value}: not simulated by the jailnet test host")
    ref, command = words[0], words[1:]
    jail = _attach(ctx, ref)
    if not command:
        raise ctx.fail("/bin/sh: an interactive shell is not simulated by the jailnet test host")
    program = command[0]
    binary = _resolve(jail.path, program)
    if binary is None:
        raise ctx.fail(f"execvp: {program}: No such file or directory")  # err(1, "execvp: %s", argv[1])
    name = posixpath.basename(binary)
    simulated = PROGRAMS.get(name)
    if simulated is None or name not in _IN_JAIL:
        raise ctx.fail(f"execvp: {program}: the jailnet test host cannot run this program")
    inner = ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)
    inner.program = name
    return execute(simulated, inner, command[1:])


def _attach(ctx: Context, ref: str) -> Jail:
    """``jid = jail_getid(argv[0]); if (jid < 0) errx(1, "%s", jail_errmsg); if (jail_attach(jid)
    == -1) err(1, "jail_attach(%d)", jid);`` -- a number is passed to jail_attach(2) unchecked,
    which fails with EINVAL for a jid that is not there [guess]."""
    if ref and ref.isascii() and ref.isdigit():
        for jail in ctx.state.jails.values():
            if jail.jid == int(ref) and not jail.dying:
                return jail
        raise ctx.fail(f"jail_attach({int(ref)}): Invalid argument")
    for jail in ctx.state.jails.values():
        if jail.name == ref:
            if jail.dying:
                raise ctx.fail(f'jail "{ref}" is dying')
            return jail
    raise ctx.fail(f'jail "{ref}" not found')


def _resolve(root: str, program: str) -> str | None:
    """execvp(3) inside the jail: an absolute or relative path, or a PATH search, under ``root``."""
    candidates = [program] if "/" in program else [f"{d}/{program}" for d in _JAIL_PATH]
    for candidate in candidates:
        on_disk = os.path.join(root, candidate.lstrip("/"))
        if os.path.isfile(on_disk):
            return candidate
    return None


def _inner(args: Sequence[str]) -> tuple[Program, list[str]] | None:
    """The simulated program a jexec argv runs, and its arguments."""
    _, words, error = getopt("jexec", args, "d:e:lnu:U:")
    inner = PROGRAMS.get(posixpath.basename(words[1])) if not error and len(words) >= 2 else None
    return (inner, words[2:]) if inner is not None else None


def _jexec_mutating(args: Sequence[str]) -> bool:
    found = _inner(args)
    return found is not None and found[0].mutating(found[1])


def _jexec_fault(args: Sequence[str]) -> tuple[int, str, str]:
    found = _inner(args)
    assert found is not None  # only mutating argvs reach a fault
    return found[0].fault(found[1])


JEXEC = Program(name="jexec", run=jexec, mutating=_jexec_mutating, fault=_jexec_fault)

PROGRAMS: dict[str, Program] = {
    program.name: program
    for program in (
        ifconfig.PROGRAM,
        pfctl.PROGRAM,
        sysctl.PROGRAM,
        route.PROGRAM,
        jails.JLS,
        JEXEC,
        jails.JAIL,
        uname.PROGRAM,
    )
}
