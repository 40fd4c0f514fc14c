"""Simulated ``jls(8)`` and ``jail(8)`` (``jexec(8)``, which runs the other programs, is in
:mod:`hooks.testing.programs`).

jls follows usr.sbin/jls/jls.c (``main()``, ``add_param()``, ``print_jail()``, ``quoted_print()``,
``special_print()``, ``emit_ip_addr_list()``) with libxo's ``xo_parse_args()``, ``xo_errx()``
(which calls ``xo_finish()`` before exiting) and its JSON encoder; jail follows usr.sbin/jail/jail.c ``main()``,
``create_jail()``, ``jail_note()``, ``jail_warnx()`` and ``jail_quoted_warnx()``, for the
``-c param=value ...`` and ``-r jail ...`` forms only. Jail lookups fail with the kernel's texts
(sys/kern/kern_jail.c kern_jail_get(): ``jail %d not found``, ``jail "%s" not found``, ``... is
dying``); lib/libjail jail.c jail_getid() returns a numeric name unchecked.
"""

import os
from collections.abc import Sequence

from hooks.testing import interfaces
from hooks.testing.model import Jail, SimState, Vnet
from hooks.testing.program import Context, Fail, Program, getopt

#: jls.c main(): ``xo_errx(1, "usage: jls [-dhNnqv] [-j jail] [param ...]")``.
JLS_USAGE = "jls: usage: jls [-dhNnqv] [-j jail] [param ...]"
#: jail.c usage() (13.x/14.x trees).
JAIL_USAGE = (
    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
    "            -[cmr] param=value ... [command=command ...]\n"
    "       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]\n"
    "       jail [-qv] [-f file] -[rR] ['*' | jail ...]\n"
    "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
    "            [-n jailname] [-s securelevel]\n"
    "            path hostname [ip[,...]] command ..."
)



# -- jail parameters (libjail jailparam_export()) -------------------------------------------------

_BOOLEANS = ("persist", "dying")
#: The parameters this host knows, as jailparam_all() would list them (a subset [guess]).
_ALL = ("jid", "name", "path", "host.hostname", "vnet", "persist", "dying", "ip4.addr", "ip6.addr",
        "parent", "children.max", "enforce_statfs")
#: Parameters the kernel declares without CTLFLAG_WR/CTLFLAG_TUN (``jls -s`` skips them) [guess].
_READ_ONLY = ("dying", "parent")


def _param(jail: Jail, name: str) -> str | None:
    """The text libjail jailparam_export() gives one parameter; ``""`` for a zero-length value
    (no ip4.addr), None for a parameter the kernel does not have. ``vnet`` is a jailsys
    parameter (``new``/``inherit``/``disable``); booleans export ``true``/``false``."""
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


def _zero_length(name: str) -> bool:
    """special_print(): ``jp_valuelen == 0`` is an empty address list; an empty string still
    has its NUL (jls -j J meta prints ``""``, tests/sys/kern/jailmeta.sh jail_add)."""
    return name in ("ip4.addr", "ip6.addr")


# -- libxo ----------------------------------------------------------------------------------------


class _Xo:
    """The part of libxo jls uses: text or compact JSON (``{"__version": "2", "jail-information":
    {"jail": [...]}}`` as tests/sys/kern/jailmeta.sh jls_libxo asserts). Fields are
    ``"name":value``; list members after the first are preceded by ``", "`` and a list or
    container after a field by ``", "`` (libxo xo_do_open_instance(), xo_do_open_list()) [guess]."""

    def __init__(self, json: bool) -> None:
        self.json = json
        self.instances: list[str] = []
        self.opened = False

    def open(self) -> None:
        self.opened = True

    def instance(self, fields: list[tuple[str, str]]) -> None:
        """One ``{...}`` of encoded parts: ``("field", '"name":value')`` joins with ``,``,
        ``("list", '"name": [...]')`` with ``", "``; the first part has no separator."""
        body = ""
        for i, (kind, part) in enumerate(fields):
            body += ("" if i == 0 else ", " if kind == "list" else ",") + part
        self.instances.append("{" + body + "}")

    def finish(self, ctx: Context) -> None:
        """xo_finish(): close what is open (nothing is printed when nothing was opened)."""
        if self.json and self.opened:
            ctx.out.append('{"__version": "2", "jail-information": {"jail": [' + ", ".join(self.instances)
                           + "]}}\n")


def _q(text: str) -> str:
    """A JSON string as libxo escapes it (backslash and double quote) [guess]."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _libxo_args(args: list[str]) -> tuple[bool, list[str]]:
    """libxo xo_parse_args(): every word starting ``--libxo`` is taken out wherever it stands
    (``--libxo json``, ``--libxo=json``, ``--libxo:J``); ``--libxo`` with nothing after it is
    ``missing libxo option``. Only the text and JSON styles are simulated."""
    json = False
    rest: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if not word.startswith("--libxo"):
            rest.append(word)
            i += 1
            continue
        tail = word[len("--libxo"):]
        if tail == "":
            if i + 1 >= len(args):
                raise Fail("jls: missing libxo option", 1)
            i += 1
            options = args[i]
        elif tail[0] in "=:":
            options = tail[1:] if tail[0] == "=" else tail
        else:
            raise Fail(f"jls: unknown libxo option: '{word}'", 1)
        json = _libxo_style(options, json)
        i += 1
    return json, rest


def _libxo_style(options: str, json: bool) -> bool:
    """xo_set_options(): ``json``/``text`` words (``:J``/``:T`` letters); anything else is not
    simulated here."""
    if options.startswith(":"):
        letters = options[1:]
        if set(letters) <= {"J", "T"}:
            return "J" in letters or (json and "T" not in letters)
    else:
        words = options.split(",")
        if set(words) <= {"json", "text"}:
            return words[-1] == "json" if words else json
    raise Fail(f"jls: --libxo {options}: not simulated by the jailnet test host", 1)


# -- jls ------------------------------------------------------------------------------------------


def jls(ctx: Context, args: list[str]) -> int:
    """jls.c ``main()``: options, the parameters to print, the jail (``-j``) or all of them."""
    json, words = _libxo_args(args)
    opts, params, error = getopt("jls", words, "adj:hNnqsv")
    if error:
        raise Fail(f"{error}\n{JLS_USAGE}", 1)  # getopt's line, then xo_errx(1, "usage: ...")
    flags: set[str] = set()
    ref: str | None = None
    for letter, value in opts:
        if letter in ("a", "d"):
            flags.add("d")
        elif letter == "j":
            ref = value
        elif letter == "h":
            flags = (flags - {"s", "v"}) | {"h"}
        elif letter == "n":
            flags = (flags - {"v"}) | {"n"}
        elif letter == "s":
            flags = (flags - {"h", "v"}) | {"n", "q", "s"}
        elif letter == "v":
            flags = (flags - {"h", "n", "s"}) | {"v"}
        else:
            flags.add(letter)  # N, q
    if params:
        flags.discard("v")  # "pflags &= ~PRINT_VERBOSE"
    elif "h" in flags or "n" in flags:
        params = sorted(_ALL, key=lambda p: ("." in p, p))  # add_param("all"): top-level first
    for name in params:
        if _param(Jail(0, "", ""), name) is None:
            raise ctx.fail(f"unknown parameter: {name}")  # add_param(): xo_errx(1, "%s", jail_errmsg)
    dying = "d" in flags
    xo = _Xo(json)
    _jls_header(ctx, flags, params, json)
    xo.open()  # xo_open_container("jail-information"); xo_open_list("jail")
    if ref is not None:
        jail = _jls_lookup(ctx, ref, dying)
        if isinstance(jail, str):
            xo.finish(ctx)  # xo_errx() calls xo_finish() before exit(1)
            raise ctx.fail(jail)
        chosen = [jail]
    else:
        chosen = sorted((j for j in ctx.state.jails.values() if dying or not j.dying), key=lambda j: j.jid)
    for jail in chosen:
        _jls_jail(ctx, xo, jail, flags, params)
    xo.finish(ctx)
    return 0


def _jls_lookup(ctx: Context, ref: str, dying: bool) -> Jail | str:
    """``-j``: ``jid = strtoul(optarg, &ep, 10); if (!jid || *ep) jname = optarg;`` then
    jailparam_get() by jid or by name; the kernel's message when it is not there."""
    numeric = ref.isascii() and ref.isdigit() and int(ref) != 0
    for jail in ctx.state.jails.values():
        if (jail.jid == int(ref)) if numeric else (jail.name == ref):
            if jail.dying and not dying:
                return f"jail {int(ref)} is dying" if numeric else f'jail "{ref}" is dying'
            return jail
    return f"jail {int(ref)} not found" if numeric else f'jail "{ref}" not found'


def _jls_header(ctx: Context, flags: set[str], params: list[str], json: bool) -> None:
    """The title lines (``T`` and ``P`` fields, which libxo leaves out of JSON)."""
    if json:
        return
    if "v" in flags:
        ctx.print("   JID  Hostname                      Path")
        ctx.print("        Name                          State")
        ctx.print("        CPUSetID")
        ctx.print("        IP Address(es)")
    elif not params:
        if "N" in flags:
            ctx.print(f" {'JID':<15} {'IP Address':<15} {'Hostname':<29} Path")
        else:
            ctx.print("   JID  IP Address      Hostname                      Path")
    elif "h" in flags:
        ctx.print(" ".join(params))


def _jls_jail(ctx: Context, xo: _Xo, jail: Jail, flags: set[str], params: list[str]) -> None:
    """print_jail(): the -v block, the default columns, or the parameters."""
    if "v" in flags:
        # -v: "{:jid/%6d}{P:  }{:hostname/%-29.29s/%s}{P: }{:path/%.74s/%s}", name and state,
        # cpusetid, then the address lists (cpuset ids are not in the model: jid + 1 [guess]).
        state = "DYING" if jail.dying else "ACTIVE"
        if xo.json:
            xo.instance([("field", f'"jid":{jail.jid}'), ("field", f'"hostname":{_q(jail.hostname)}'),
                         ("field", f'"path":{_q(jail.path)}'), ("field", f'"name":{_q(jail.name)}'),
                         ("field", f'"state":"{state}"'), ("field", f'"cpusetid":{jail.jid + 1}'),
                         ("list", '"ipv4_addrs": []'), ("list", '"ipv6_addrs": []')])
        else:
            ctx.print(f"{jail.jid:6d}  {jail.hostname[:29]:<29} {jail.path[:74]}")
            ctx.print(f"        {jail.name[:29]:<29} {state}")
            ctx.print(f"        {jail.jid + 1}")
        return
    if not params:
        # "{:jid/%6d}{P:  }" (or " {:name/%-15s}" with -N) then
        # "{:ipv4/%-15.15s/%s}{P: }{:hostname/%-29.29s/%s}{P: }{:path/%.74s/%s}".
        if xo.json:
            first = ("field", f'"name":{_q(jail.name)}') if "N" in flags else ("field", f'"jid":{jail.jid}')
            xo.instance([first, ("field", '"ipv4":""'), ("field", f'"hostname":{_q(jail.hostname)}'),
                         ("field", f'"path":{_q(jail.path)}')])
        elif "N" in flags:
            ctx.print(f" {jail.name:<15} {'':<15} {jail.hostname[:29]:<29} {jail.path[:74]}")
        else:
            ctx.print(f"{jail.jid:6d}  {'':<15} {jail.hostname[:29]:<29} {jail.path[:74]}")
        return
    shown = [p for p in params if not ("s" in flags and p in _READ_ONLY)]
    if xo.json:
        xo.instance([_json_param(jail, p, flags) for p in shown])
    else:
        ctx.print(" ".join(_param_text(jail, p, flags) for p in shown))


def _json_param(jail: Jail, name: str, flags: set[str]) -> tuple[str, str]:
    """One parameter in JSON: ``"name":"value"`` (``{a:/%s}`` quotes every exported value), an
    address list for ip4.addr/ip6.addr, and with -n booleans as bare ``true``/``false``
    (``{en:%s/true}``)."""
    value = _param(jail, name) or ""
    if _zero_length(name):
        return "list", f'"{name}": []'
    if "n" in flags and name in _BOOLEANS:
        return "field", f'"{name}":{value}'
    return "field", f'"{name}":{_q(value)}'


def _param_text(jail: Jail, name: str, flags: set[str]) -> str:
    """One parameter as print_jail() prints it.

    ``-n`` gives ``name=value`` (booleans as ``name``/``noname``); a zero-length value prints
    ``-`` (``""`` with ``-q``, nothing after ``name=`` with ``-n``: special_print()); an empty
    string prints ``""`` (quoted_print()); with ``-q`` a value holding blanks or quotes is
    quoted.
    """
    value = _param(jail, name) or ""
    if "n" in flags and name in _BOOLEANS:
        return name if value == "true" else "no" + name
    prefix = f"{name}=" if "n" in flags else ""
    if _zero_length(name):
        return prefix + ('""' if "q" in flags else "" if "n" in flags else "-")
    if not value:
        return prefix + '""'
    quote = "\"" if "'" in value else "'" if '"' in value else "\"" if " " in value or "\t" in value else ""
    if "q" not in flags:
        quote = ""
    return f"{prefix}{quote}{value}{quote}"


# -- jail -----------------------------------------------------------------------------------------


def jail(ctx: Context, args: list[str]) -> int:
    """jail.c ``main()``: getopt ``cde:f:hiJ:lmn:p:qrRs:u:U:v``, then ``-c param=value ...``
    (created with the parameters on the command line) or ``-r jail ...``."""
    opts, words, error = getopt("jail", args, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    if error:
        raise Fail(f"{error}\n{JAIL_USAGE}", 1)
    letters = {letter for letter, _ in opts}
    verbose = 0
    for letter, _ in opts:
        verbose = -1 if letter in ("q", "i") else 1 if letter == "v" else verbose
    ops = letters & {"c", "m", "r", "R"}
    unsupported = letters - {"c", "r", "q", "v"}
    if unsupported or ops - {"c", "r"} or ops == {"c", "r"}:
        raise ctx.fail(f"-{''.join(sorted(unsupported | (ops - {'c', 'r'}) or ops))}: not simulated by the "
                       "jailnet test host")
    if not ops:
        raise Fail(JAIL_USAGE, 1)  # the old four-argument form needs "/path hostname ip command"
    if "r" in ops:
        return _jail_remove(ctx, words, verbose)
    return _jail_create(ctx, words, verbose)


def _jail_remove(ctx: Context, words: list[str], verbose: int) -> int:
    """``-r jail ...``: ``if (!docf || argc == 0) usage();`` and no ``=`` in a name. Without
    /etc/jail.conf (none here) ``note_remove`` is ``argc > 1``, so one jail is removed silently
    and several print ``NAME: removed``; ``-v`` always prints, ``-q`` never. A jail that is not
    running is ``jail_quoted_warnx(j, "not found", NULL)`` (silent with -q) and exit 1."""
    if not words or any("=" in word for word in words):
        raise Fail(JAIL_USAGE, 1)
    note = verbose > 0 or (verbose == 0 and len(words) > 1)
    failed = 0
    for ref in words:
        found = _running(ctx.state, ref)
        if found is None:
            if verbose >= 0:
                ctx.err.append(f'jail: "{ref}" not found\n')
            failed = 1
            continue
        remove(ctx.state, found)
        if note:
            ctx.print(f"{ref}: removed")  # jail_note(j, "removed\n"), j->name as typed
    return failed


def _running(state: SimState, ref: str) -> Jail | None:
    """jail.c running_jid(): a jail by jid (a number) or by name, not dying."""
    for found in state.jails.values():
        if found.dying:
            continue
        if found.name == ref or (ref.isascii() and ref.isdigit() and found.jid == int(ref)):
            return found
    return None


def _jail_create(ctx: Context, words: list[str], verbose: int) -> int:
    """``-c param=value ...``: a command-line jail has no ``j->name``, so jail_note() prints
    ``created`` only with -v and jail_warnx() prints no name (usr.sbin/jail/tests/
    jail_basic_test.sh ``nested``: ``jail -c name=... persist`` has empty stdout; ``jail:
    jail_set: Operation not permitted``). create_jail() checks the path first."""
    if not words or not any("=" in word for word in words) and len(words) == 1:
        raise Fail(JAIL_USAGE, 1)  # "From the config file": no /etc/jail.conf here
    params: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if key.startswith("no") and not eq and key[2:] in ("persist", "vnet"):
            params[key[2:]] = "false"
        else:
            params[key] = value if eq else "true"
    unknown = sorted(set(params) - {"name", "path", "host.hostname", "vnet", "persist"})
    if unknown:
        raise ctx.fail(f"{unknown[0]}: not simulated by the jailnet test host")
    name = params.get("name", "")
    if name and ctx.state.find_jail(name, dying=False) is not None:
        raise ctx.fail(f'"{name}" already exists')  # jail_quoted_warnx(j, "already exists", NULL)
    path = params.get("path")
    if path is not None and not os.path.isdir(path):
        reason = os.strerror(20 if os.path.exists(path) else 2)  # ENOTDIR / stat(2) ENOENT
        raise ctx.fail(f"path {path}: {reason}")
    if "." in name or (name.isdigit() and name):
        raise ctx.fail(f'"{name}": not simulated by the jailnet test host')  # child jails, numeric names
    jid = ctx.state.next_jid
    ctx.state.next_jid += 1
    new = Jail(jid=jid, name=name or str(jid), path=path or "/", hostname=params.get("host.hostname", ""),
               persist=params.get("persist", "false") == "true")
    if params.get("vnet") in ("true", "new"):
        new.vnet = Vnet(sysctls=interfaces.default_sysctls())
        interfaces.attach(ctx.state, new.vnet, jid, "lo0", driver="lo", unit=0)
    ctx.state.jails[str(jid)] = new
    if verbose > 0:
        ctx.print("created")  # jail_note(j, "created\n") with j->name NULL
    return 0


def remove(state: SimState, found: Jail) -> None:
    """jail_remove(2): the jail dies; its vnet goes and moved-in interfaces return (if.c
    vnet_if_return)."""
    if found.vnet is not None:
        interfaces.dissolve_vnet(state, found.jid, found.vnet)
    for key, value in list(state.jails.items()):
        if value is found:
            del state.jails[key]


# -- fault injection ------------------------------------------------------------------------------


def _never(_: Sequence[str]) -> bool:
    return False


def _jail_mutating(args: Sequence[str]) -> bool:
    opts, _, error = getopt("jail", args, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    return not error and any(letter in ("c", "m", "r", "R") for letter, _ in opts)


def _jail_fault(args: Sequence[str]) -> tuple[int, str, str]:
    """jail_set(2)/jail_remove(2) refused. ``-r``: jail.c ``jail_warnx(j, "jail_remove: %s",
    strerror(errno))`` names the jail; ``-c``: create_jail() ``jail_warnx(j, "%s", jail_errmsg)``
    with libjail's ``jail_set: <strerror>`` and no name (jail_basic_test.sh ``nested``)."""
    opts, words, _ = getopt("jail", args, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    if any(letter == "r" for letter, _ in opts):
        name = words[0] if words else ""
        return 1, "", f"jail: {name}: jail_remove: Operation not permitted\n"
    return 1, "", "jail: jail_set: Operation not permitted\n"


JLS = Program(name="jls", run=jls, mutating=_never, fault=lambda _: (1, "", "jls: jail not found\n"))
JAIL = Program(name="jail", run=jail, mutating=_jail_mutating, fault=_jail_fault)
