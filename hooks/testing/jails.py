"""Simulated ``jls(8)``, ``jexec(8)`` and ``jail(8)`` (freebsd-commands.md §1.4-§1.6, §3.4-§3.5)."""

import json
import os
import posixpath
from collections.abc import Sequence

from hooks.testing import interfaces
from hooks.testing.command import Command, Context, Fail, getopt
from hooks.testing.model import HOST_VNET, HostState, Jail, Vnet

JLS_USAGE = "usage: jls [-dhNnqv] [-j jail] [param ...]"
JEXEC_USAGE = "usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]"
JAIL_USAGE = (
    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username] -[cmr] param=value ... [command=command ...]\n"
    "       jail [-dqv] [-f file] -[cmr] [jail]\n"
    "       jail [-qv] [-f file] -[rR] ['*' | jail ...]\n"
    "       jail [-dhilqv] [-J jid_file] [-u username] [-U username] [-n jailname] [-s securelevel]\n"
    "            path hostname ip[,...] command ..."
)

#: Jail's root-relative PATH that jexec's execvp(3) searches when the command has no slash.
_JAIL_PATH = ("/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")
#: Programs a jail can run through jexec, when the image ships the binary (checked on disk).
_IN_JAIL = ("ifconfig", "route", "sysctl")


def _param(jail: Jail, name: str) -> str | None:
    """The text jls prints for one jail parameter (jls.c, libjail jailparam_export) or None."""
    values: dict[str, str] = {
        "jid": str(jail.jid),
        "name": jail.name,
        "path": jail.path,
        "host.hostname": jail.hostname,
        "vnet": "new" if jail.vnet is not None else "inherit",
        "persist": "true" if jail.persist else "false",
        "dying": "true" if jail.dying else "false",
        "ip4.addr": "",
        "ip6.addr": "",
        "parent": "0",
        "children.max": "0",
        "enforce_statfs": "2",
    }
    return values.get(name)


def jls(ctx: Context, args: list[str]) -> int:
    """jls.c ``main``: one jail or all; default columns, ``-n`` name=value, parameters, libxo json."""
    libxo = False
    words = list(args)
    if words[:1] == ["--libxo"] or (words and words[0].startswith("--libxo")):
        spec = words[0].partition("=")[2] if "=" in words[0] else (words[1] if len(words) > 1 else "")
        libxo = "json" in spec
        words = words[1:] if "=" in words[0] else words[2:]
    opts, params, error = getopt("jls", words, "dhj:Nnqsv")
    if error:
        raise Fail(f"{error}\n{JLS_USAGE}", 1)
    flags = {letter for letter, _ in opts}
    ref = dict(opts).get("j")
    dying = "d" in flags
    if ref is not None:
        jail = ctx.state.find_jail(ref, dying=dying)
        if jail is None:
            # jls.c: xo_errx(1, "%s", jail_errmsg); the kernel's jail_get text (kern_jail.c) [V].
            raise ctx.fail(f'jail "{ref}" not found' if not ref.isdigit() else f"jail {ref} not found")
        chosen = [jail]
    else:
        chosen = [j for j in ctx.state.jails.values() if dying or not j.dying]
        chosen.sort(key=lambda j: j.jid)
    for name in params:
        if _param(chosen[0] if chosen else Jail(0, "", ""), name) is None:
            raise ctx.fail(f"unknown parameter: {name}")  # libjail jailparam_init [I]
    if libxo:
        return _jls_json(ctx, chosen, params, flags)
    if "n" in flags and not params:
        # jls.c: -n without parameters means the pseudo-parameter "all", top-level ones first.
        params = sorted(_ALL, key=lambda p: ("." in p, p))
    if params:
        if "h" in flags:
            ctx.print(" ".join(params))
        for jail in chosen:
            ctx.print(" ".join(_param_text(jail, p, flags) for p in params))
        return 0
    # Default listing: "   JID  IP Address      Hostname                      Path" (jls.c).
    ctx.print("   JID  IP Address      Hostname                      Path")
    for jail in chosen:
        ctx.print(f"{jail.jid:6d}  {'':<15} {jail.hostname[:29]:<29} {jail.path[:74]}")
    return 0


def _jls_json(ctx: Context, chosen: list[Jail], params: list[str], flags: set[str]) -> int:
    """``jls --libxo json``: ``{"__version": "2", "jail-information": {"jail": [...]}}`` (§3.5)."""
    rows: list[dict[str, object]] = []
    for jail in chosen:
        if params:
            rows.append({p: _param(jail, p) or "" for p in params})
        elif "v" in flags:
            rows.append({"jid": jail.jid, "hostname": jail.hostname, "path": jail.path, "name": jail.name,
                         "state": "DYING" if jail.dying else "ACTIVE", "cpusetid": jail.jid + 1,
                         "ipv4_addrs": [], "ipv6_addrs": []})
        else:
            rows.append({"jid": jail.jid, "ipv4": "", "hostname": jail.hostname, "path": jail.path})
    ctx.print(json.dumps({"__version": "2", "jail-information": {"jail": rows}}))
    return 0


def jexec(ctx: Context, args: list[str]) -> int:
    """jexec.c: ``jail_attach(2)``, ``chdir("/")``, ``execvp(3)`` of the command inside the jail.

    The command runs only when its binary exists under the jail's root, as on a real host; an
    OCI image without /sbin/ifconfig cannot be configured this way (runj-and-oci.md §0).
    """
    from hooks.testing.programs import PROGRAMS, execute  # late: programs imports this module

    _, words, error = getopt("jexec", args, "d:lnu:U:")
    if error or len(words) < 2:
        raise Fail((error + "\n" if error else "") + JEXEC_USAGE, 1)
    ref, command = words[0], words[1:]
    jail = ctx.state.find_jail(ref)
    if jail is None:
        if ref.isdigit():
            raise ctx.fail(f"jail_attach({ref}): Invalid argument")  # jexec.c (2012) [I]
        raise ctx.fail(f'jail "{ref}" not found')
    program = command[0]
    binary = _resolve(jail.path, program)
    if binary is None:
        raise ctx.fail(f"execvp: {program}: No such file or directory")  # [NV exact prefix]
    name = posixpath.basename(binary)
    simulated = PROGRAMS.get(name)
    if simulated is None or name not in _IN_JAIL:
        raise ctx.fail(f"execvp: {program}: the jailnet test host cannot run this program")
    inner = ctx.within(jail.name, jail.jid if jail.vnet is not None else HOST_VNET)
    inner.program = name
    return execute(simulated, inner, command[1:])


def _resolve(root: str, program: str) -> str | None:
    """execvp(3) inside the jail: an absolute or relative path, or a PATH search, under ``root``."""
    candidates = [program] if "/" in program else [f"{d}/{program}" for d in _JAIL_PATH]
    for candidate in candidates:
        on_disk = os.path.join(root, candidate.lstrip("/"))
        if os.path.isfile(on_disk):
            return candidate
    return None


def jail(ctx: Context, args: list[str]) -> int:
    """jail(8) ``-c name=N path=P [host.hostname=H] [vnet|vnet=new] [persist]`` and ``-r NAME``."""
    if not args:
        raise Fail(JAIL_USAGE, 1)
    quiet = "-q" in args
    words = [a for a in args if a not in ("-q", "-v")]
    if words[0] == "-r":
        if len(words) < 2:
            raise Fail(JAIL_USAGE, 1)
        failed = 0
        for ref in words[1:]:
            found = ctx.state.find_jail(ref)
            if found is None:
                ctx.err.append(f'jail: "{ref}" not found\n')  # jail_quoted_warnx(j, "not found")
                failed = 1
                continue
            remove(ctx.state, found)
            if not quiet:
                ctx.print(f"{found.name}: removed")  # jail.c jail_note(j, "removed\n")
        return failed
    if words[0] == "-c":
        params: dict[str, str] = {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            params[key] = value if eq else "true"
        name = params.get("name", "")
        if not name or "." in name:
            raise ctx.fail(f'"{name}": invalid name' if name else "-c: missing name")
        if ctx.state.find_jail(name) is not None:
            raise ctx.fail(f'"{name}" already exists')  # jail_set(2) EEXIST; jail.c message [I]
        jid = ctx.state.next_jid
        ctx.state.next_jid += 1
        new = Jail(jid=jid, name=name, path=params.get("path", "/"), hostname=params.get("host.hostname", ""),
                   persist="persist" in params)
        if params.get("vnet") in ("true", "new"):
            new.vnet = Vnet(sysctls=interfaces.default_sysctls())
            interfaces.attach(ctx.state, new.vnet, jid, "lo0", driver="lo", unit=0)
        ctx.state.jails[str(jid)] = new
        if not quiet:
            ctx.print(f"{name}: created")
        return 0
    raise Fail(JAIL_USAGE, 1)


_BOOLEANS = ("persist", "dying")
_ALL = ("jid", "name", "path", "host.hostname", "vnet", "persist", "dying", "ip4.addr", "ip6.addr",
        "parent", "children.max", "enforce_statfs")


def _param_text(jail: Jail, name: str, flags: set[str]) -> str:
    """One parameter as jls.c ``print_jail`` prints it.

    ``-n`` gives ``name=value`` (booleans as ``name``/``noname``); an empty value prints ``-``
    (``""`` with ``-q``, nothing after ``name=`` with ``-n``: ``special_print``); with ``-q`` a
    value holding spaces or quotes is quoted (``quoted_print``).
    """
    value = _param(jail, name) or ""
    if "n" in flags and name in _BOOLEANS:
        return name if value == "true" else "no" + name
    prefix = f"{name}=" if "n" in flags else ""
    if not value:
        return prefix + ('""' if "q" in flags else "" if "n" in flags else "-")
    quote = "\"" if "'" in value else "'" if '"' in value else "\"" if " " in value or "\t" in value else ""
    if "q" not in flags:
        quote = ""
    return f"{prefix}{quote}{value}{quote}"


def remove(state: HostState, found: Jail) -> None:
    """jail_remove(2): the jail dies; its vnet goes and moved-in interfaces return (§2.2)."""
    if found.vnet is not None:
        interfaces.dissolve_vnet(state, found.jid, found.vnet)
    for key, value in list(state.jails.items()):
        if value is found:
            del state.jails[key]


def _never(_: Sequence[str]) -> bool:
    return False


def _inner(args: Sequence[str]) -> tuple[Command, list[str]] | None:
    """The simulated program a jexec argv runs, and its arguments."""
    from hooks.testing.programs import PROGRAMS  # late: programs imports this module

    _, words, error = getopt("jexec", args, "d:lnu:U:")
    inner = PROGRAMS.get(posixpath.basename(words[1])) if not error and len(words) >= 2 else None
    return (inner, words[2:]) if inner is not None else None


def _jexec_mutating(args: Sequence[str]) -> bool:
    found = _inner(args)
    return found is not None and found[0].mutating(found[1])


def _jexec_fault(args: Sequence[str]) -> tuple[int, str, str]:
    found = _inner(args)
    assert found is not None  # only mutating argvs reach a fault
    return found[0].fault(found[1])


def _jail_fault(args: Sequence[str]) -> tuple[int, str, str]:
    # jail_remove(2)/jail_set(2) refused: jail.c prints "jail: NAME: jail_remove: <strerror>" [I].
    name = args[-1] if args else ""
    return 1, "", f"jail: {name}: jail_remove: Device busy\n"


JLS = Command(name="jls", run=jls, mutating=_never, fault=lambda _: (1, "", "jls: jail not found\n"))
JEXEC = Command(name="jexec", run=jexec, mutating=_jexec_mutating, fault=_jexec_fault)
JAIL = Command(name="jail", run=jail, mutating=lambda a: bool(a) and a[0] in ("-c", "-r", "-m"),
               fault=_jail_fault)
