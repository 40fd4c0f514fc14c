"""Simulated ``pfctl(8)``: enable/disable, tables, rulesets in anchors, and the listings.

pf is global (``ctx.state.pf``). Behaviour and message texts follow freebsd-commands.md §1.2,
§2.5, §3.6 and §3.7, checked against sbin/pfctl/pfctl.c (``main``, ``usage``, ``pfctl_enable``,
``pfctl_disable``, ``pfctl_flush_*``, ``pfctl_walk_show``), sbin/pfctl/pfctl_table.c
(``pfctl_table``, ``CREATE_TABLE``, ``xprintf``, ``radix_perror``, ``print_addrx``,
``print_table``, ``warn_duplicate_tables``), sbin/pfctl/pfctl_radix.c (``pfr_strerror``),
sbin/pfctl/pfctl_parser.c (``print_status``, ``host``) and sys/netpfil/pf/pf_table.c (ESRCH for a
missing or inactive table, EPERM for a const one, ``pfr_setflags_ktable``).

``main()`` runs its phases in a fixed order whatever the order of the options: ``-d``, ``-s``,
``-F``, ``-k``, ``-T``, ``-f``, ``-e``, ``-x``. Rule text is stored normalized (whitespace
collapsed, macros expanded), not re-printed the way ``print_rule()`` would [I].
"""

import ipaddress
import os
import re
import time
from collections.abc import Callable, Sequence

import attrs

from hooks.testing.command import Command, Context, Fail, getopt
from hooks.testing.model import Pf, Ruleset, Table

# pfctl.c usage(): fprintf(stderr, ...) then exit(1).
USAGE = (
    "usage: pfctl [-AdeghMmNnOPqRSrvz] [-a anchor] [-D macro=value] [-F modifier]\n"
    "\t[-f file] [-i interface] [-K host | network]\n"
    "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
    "\t[-s modifier] [-t table -T command [address ...]] [-x level]"
)
#: pfctl.c main(): the getopt(3) option string.
OPTIONS = "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:St:T:vx:z"

# pfctl.c option lists, matched by pfctl_lookup_option(): the first entry the word is a prefix of.
CLEAROPTS = ("nat", "queue", "rules", "Sources", "states", "info", "Tables", "osfp", "all",
             "ethernet", "Reset")
SHOWOPTS = ("ether", "nat", "queue", "rules", "Anchors", "Sources", "states", "info", "Interfaces",
            "labels", "timeouts", "memory", "Tables", "osfp", "Running", "all", "creatorids")
TBLCMDS = ("kill", "flush", "add", "delete", "load", "replace", "show", "test", "zero", "expire",
           "reset")
DEBUGOPTS = ("none", "urgent", "misc", "loud")
OPTIOPTS = ("none", "basic", "profile")

# pfctl.h loadopt bits.
LOAD_NAT = 1
LOAD_FILTER = 2
LOAD_TABLE = 4
LOAD_ALL = 0xFF

#: PF_TABLE_NAME_SIZE (net/pfvar.h): names are at most 31 characters.
PF_TABLE_NAME_SIZE = 32
#: PF_RESERVED_ANCHOR (net/pfvar.h): never listed.
PF_RESERVED_ANCHOR = "_pf"

#: First words of translation rules (pfctl -sn) and of filter rules (pfctl -sr); parse.y.
NAT_WORDS = ("nat", "rdr", "binat", "nat-anchor", "rdr-anchor", "binat-anchor")
FILTER_WORDS = ("pass", "block", "match", "anchor", "antispoof", "scrub")
#: Statements accepted and dropped: options, queueing, ethernet rules, includes [I].
IGNORED_WORDS = ("set", "altq", "queue", "ether", "load", "include")
ANCHOR_WORDS = ("anchor", "nat-anchor", "rdr-anchor", "binat-anchor")

# pfvar.h FCNT_NAMES, PFRES_NAMES (14.x), LCNT_NAMES: the counters print_status() lists.
FCNT_NAMES = ("searches", "inserts", "removals")
PFRES_NAMES = ("match", "bad-offset", "fragment", "short", "normalize", "memory", "bad-timestamp",
               "congestion", "ip-option", "proto-cksum", "state-mismatch", "state-insert",
               "state-limit", "src-limit", "synproxy", "map-failed")
LCNT_NAMES = ("max states per rule", "max-src-states", "max-src-nodes", "max-src-conn",
              "max-src-conn-rate", "overload table insertion", "overload flush states")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: One table entry: the network and whether it is negated (``!addr``).
Entry = tuple[Network, bool]


class _Exit(Exception):
    """``exit(code)`` after messages already written (pfctl_rules() on a failed load)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _usage() -> Fail:
    return Fail(USAGE, 1)


def _lookup(word: str, options: Sequence[str]) -> str | None:
    """pfctl_lookup_option(): the first option ``word`` is a prefix of; None for an empty word."""
    if word:
        for option in options:
            if option.startswith(word):
                return option
    return None


@attrs.define
class _Options:
    """What pfctl's getopt loop collected."""

    anchor: str | None = None
    flags: set[str] = attrs.Factory(set)
    verbose: int = 0
    clear: str | None = None
    show: str | None = None
    debug: str | None = None
    rules: str | None = None
    table: str | None = None
    tblcmd: str | None = None
    macros: dict[str, str] = attrs.Factory(dict)
    kills: list[str] = attrs.Factory(list)
    loadopt: int = 0
    rw: bool = False
    """mode == O_RDWR in main()."""
    recurse: bool = False
    words: list[str] = attrs.Factory(list)


def _parse_options(ctx: Context, args: list[str]) -> _Options:
    """pfctl.c main(): the getopt loop and the checks after it."""
    found, rest, error = getopt("pfctl", args, OPTIONS)
    if error:
        raise Fail(f"{error}\n{USAGE}", 1)
    o = _Options(words=rest)
    for letter, value in found:
        if letter == "a":
            o.anchor = value
        elif letter in "de":
            o.flags.add(letter)
            o.rw = True
        elif letter == "D":
            name, eq, text = value.partition("=")
            if not eq or not name:
                ctx.warn(f"could not parse macro definition {value}")  # pfctl_cmdline_symset
            else:
                o.macros[name] = text
        elif letter == "F":
            o.clear = _lookup(value, CLEAROPTS)
            if o.clear is None:
                raise Fail(f"pfctl: Unknown flush modifier '{value}'\n{USAGE}", 1)
            o.rw = True
        elif letter in "kK":
            o.kills.append(value)
            o.rw = True
        elif letter == "N":
            o.loadopt |= LOAD_NAT
        elif letter == "R":
            o.loadopt |= LOAD_FILTER
        elif letter == "f":
            o.rules = value
            o.rw = True
        elif letter == "o":
            if _lookup(value, OPTIOPTS) is None:
                raise Fail(f"pfctl: Unknown optimization '{value}'\n{USAGE}", 1)
        elif letter == "s":
            o.show = _lookup(value, SHOWOPTS)
            if o.show is None:
                raise Fail(f"pfctl: Unknown show modifier '{value}'\n{USAGE}", 1)
        elif letter == "t":
            o.table = value
        elif letter == "T":
            o.tblcmd = _lookup(value, TBLCMDS)
            if o.tblcmd is None:
                raise Fail(f"pfctl: Unknown table command '{value}'\n{USAGE}", 1)
        elif letter == "v":
            o.verbose += 1
        elif letter == "x":
            o.debug = _lookup(value, DEBUGOPTS)
            if o.debug is None:
                raise Fail(f"pfctl: Unknown debug level '{value}'\n{USAGE}", 1)
            o.rw = True
        elif letter == "z":
            o.rw = True
        elif letter == "h":
            raise _usage()
        else:
            o.flags.add(letter)  # A g i m M n O p P q r S: accepted, mostly without effect here
    if (o.tblcmd is None) != (o.table is None):
        raise _usage()  # "if ((tblcmdopt == NULL) ^ (tableopt == NULL)) usage();"
    if o.tblcmd is not None:
        if o.tblcmd == "load":
            o.loadopt |= LOAD_TABLE
            o.tblcmd = None
        else:
            o.rw = o.tblcmd[0] not in "st"
    elif o.words:
        raise Fail(f"pfctl: unknown command line argument: {o.words[0]} ...\n{USAGE}", 1)
    if o.loadopt == 0:
        o.loadopt = LOAD_ALL
    if o.anchor is not None:
        if o.anchor == "":
            raise ctx.fail("anchor name must not be empty")
        if not o.rw and o.show is None and o.tblcmd is None:
            raise Fail(f"pfctl: anchors apply to -f, -F, -s, and -T only\n{USAGE}", 1)
        if o.rw and o.tblcmd is None and (o.anchor.startswith("_") or "/_" in o.anchor):
            raise ctx.fail("anchor names beginning with '_' cannot be modified from the command line")
        if o.anchor.endswith("*"):
            o.anchor = o.anchor[:-2] if o.anchor.endswith("/*") else o.anchor[:-1]
            o.recurse = True
        o.loadopt &= LOAD_NAT | LOAD_FILTER | LOAD_TABLE
    if o.table is not None and len(o.table) >= PF_TABLE_NAME_SIZE:
        raise _usage()  # pfctl_table(): "if (strlen(tname) >= PF_TABLE_NAME_SIZE) usage();"
    return o


def run(ctx: Context, args: list[str]) -> int:
    """pfctl.c ``main()``."""
    if not args:
        raise _usage()  # "if (argc < 2) usage();"
    o = _parse_options(ctx, args)
    pf = ctx.state.pf
    # The default devfs ruleset of a jail hides /dev/pf (devfs.rules, devfsrules_jail) [I].
    present = pf.loaded and not ctx.jail
    noaction = "n" in o.flags
    if not noaction:
        if not present:
            raise ctx.fail("/dev/pf: No such file or directory")  # err(1, "%s", pf_device)
    else:
        if not present:
            # -n opens /dev/pf read-only and ignores failure, then libpfctl's pfctl_open() fails.
            raise ctx.fail("Failed to open netlink: No such file or directory")
        # -n: "turn off options" (enable, disable, clear, show, debug).
        o.flags -= {"d", "e"}
        o.clear = o.show = o.debug = None
    anchor = (o.anchor or "").lstrip("/")
    try:
        return _main(ctx, o, anchor) & 0xFF
    except _Exit as stop:
        return stop.code


def _main(ctx: Context, o: _Options, anchor: str) -> int:
    pf = ctx.state.pf
    quiet = "q" in o.flags
    exit_val = 0
    if "d" in o.flags:
        if not pf.enabled:
            raise ctx.fail("pf not enabled")  # pfctl_disable(): ENOENT -> errx(1, ...)
        pf.enabled = False
        pf.enabled_at = time.time()  # pf_ioctl.c DIOCSTOP: V_pf_status.since = time_second [I]
        if not quiet:
            ctx.err.append("pf disabled\n")
    if o.show is not None:
        exit_val = _show(ctx, o, anchor)
    if o.clear is not None:
        _clear(ctx, o, anchor)
    if o.kills:
        # pfctl_net_kill_states(): "killed %d states from %d sources and %d destinations"; the
        # simulated pf keeps no states [I; label/id/gateway kills print other texts].
        if not quiet:
            ctx.err.append(f"killed 0 states from 1 sources and {len(o.kills) - 1} destinations\n")
    rules = o.rules
    if o.tblcmd is not None:
        assert o.table is not None
        exit_val = _table(ctx, o, o.table, anchor)
        rules = None  # -f names the address file of -T
    if rules is not None:
        _load(ctx, o, rules, anchor)
    if "e" in o.flags:
        if pf.enabled:
            raise ctx.fail("pf already enabled")  # pfctl_enable(): EEXIST -> errx(1, ...)
        pf.enabled = True
        pf.enabled_at = time.time()  # DIOCSTART: V_pf_status.since = time_second
        if not quiet:
            ctx.err.append("pf enabled\n")
    if o.debug is not None and not quiet:
        # pfctl_debug(); the simulated pf keeps its level at Urgent.
        ctx.err.append(f"debug level set to '{o.debug}'\n")
    return exit_val


# --- addresses ---------------------------------------------------------------------------------


def _entry_text(entry: Entry) -> str:
    """How an entry is stored and printed (print_addrx(): ``/len`` only for networks)."""
    network, negated = entry
    text = str(network.network_address)
    if network.prefixlen < network.max_prefixlen:
        text += f"/{network.prefixlen}"
    return ("!" if negated else "") + text


def _entry(text: str) -> Entry:
    negated = text.startswith("!")
    return ipaddress.ip_network(text.lstrip("!"), strict=False), negated


def _sort_key(text: str) -> tuple[int, int, int, bool]:
    """Radix-tree walk order: IPv4 tree then IPv6 (pfr_walktree), by address, then prefix."""
    network, negated = _entry(text)
    return network.version, int(network.network_address), network.prefixlen, negated


def _host(ctx: Context, word: str) -> list[tuple[Network, bool, bool]] | None:
    """pfctl_parser.c host() for one table address: ``[!]name|v4|v6[/len]``.

    Returns (network, negated, host bits clean) for each address, or None after printing host()'s
    message (``invalid netmask '/x'`` or ``no IP address found for X``; plain fprintf, no prefix;
    append_addr() then clears errno, so load_addr() adds no ``cannot decode`` line and the command
    exits 255) [I; freebsd-commands.md §1.2 marks the bad-address text NV]. An interface name
    stands for its IPv4 addresses (host_if); there is no resolver here.
    """
    negated = False
    text = word
    while text.startswith("!"):
        negated = not negated
        text = text[1:]
    base, slash, masktext = text.rpartition("/")
    mask: int | None = None
    if slash:
        # strtol(p+1, &q, 0): the whole rest must be a number no larger than 128.
        mask = _strtol0(masktext)
        if mask is None or mask > 128:
            ctx.err.append(f"invalid netmask '/{masktext}'\n")
            return None
    else:
        base = text
    name, _, modifier = base.partition(":")
    iface = ctx.vnet.interfaces.get(name)
    if iface is not None and iface.inet and modifier in ("", "network", "0"):
        found: list[tuple[Network, bool, bool]] = []
        for inet in iface.inet[:1] if modifier == "0" else iface.inet:
            bits = inet.prefixlen if modifier == "network" else (32 if mask is None else mask)
            net = ipaddress.IPv4Network(f"{inet.address}/{min(bits, 32)}", strict=False)
            found.append((net, negated, True))
        return found
    for family in (ipaddress.IPv4Address, ipaddress.IPv6Address):
        try:
            address = family(base)
        except ValueError:
            continue
        limit = 32 if family is ipaddress.IPv4Address else 128
        bits = limit if mask is None else mask
        if bits > limit:
            continue
        parsed = ipaddress.ip_network(f"{address}/{bits}", strict=False)
        return [(parsed, negated, int(parsed.network_address) == int(address))]
    ctx.err.append(f"no IP address found for {word}\n")
    return None


def _strtol0(text: str) -> int | None:
    """strtol(3) with base 0 over the whole string (decimal, 0x hex, leading-0 octal)."""
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return int(text[2:], 16)
    if re.fullmatch(r"0[0-7]*", text):
        return int(text, 8)
    if re.fullmatch(r"[1-9][0-9]*", text):
        return int(text)
    return None


def _load_addr(ctx: Context, words: list[str], file: str | None) -> list[tuple[Network, bool, bool]] | None:
    """pfctl_table.c load_addr(): the arguments, then the words of ``-f FILE`` (pfr_buf_load)."""
    found: list[tuple[Network, bool, bool]] = []
    for word in words:
        parsed = _host(ctx, word)
        if parsed is None:
            return None
        found += parsed
    if file is not None:
        text = _read(ctx, file)
        if text is None:
            ctx.warn(f"cannot load {file}: No such file or directory")  # warn("cannot load %s")
            return None
        for line in text.splitlines():
            for word in line.split("#", 1)[0].split():
                parsed = _host(ctx, word)
                if parsed is None:
                    return None
                found += parsed
    return found


def _read(ctx: Context, path: str) -> str | None:
    """``-`` is stdin; other paths are read under the host's root directory."""
    if path == "-":
        return ctx.stdin
    on_disk = os.path.join(ctx.state.root, path.lstrip("/"))
    try:
        with open(on_disk, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


# --- tables -----------------------------------------------------------------------------------


def _table(ctx: Context, o: _Options, name: str, anchor: str) -> int:
    """pfctl_table.c pfctl_table(): one ``-T`` command; returns 0, 2 (test) or -1 (-> exit 255)."""
    pf = ctx.state.pf
    cmd = o.tblcmd
    quiet = "q" in o.flags
    dummy = "n" in o.flags  # -n with /dev/pf readable: PF_OPT_DUMMYACTION (PFR_FLAG_DUMMY)
    words = o.words
    file = o.rules

    def xprintf(text: str) -> None:
        # xprintf(): stderr, silenced by -q, ends in " (dummy)." with -n, else ".".
        if not quiet:
            ctx.err.append(text + (" (dummy).\n" if dummy else ".\n"))

    def radix_perror(message: str) -> int:
        # radix_perror(): "%s: %s.\n" of pfr_strerror(errno); the caller returns -1.
        ctx.err.append(f"pfctl: {message}.\n")
        return -1

    def feedback(mark: str, entries: list[str]) -> None:
        # -v: print_addrx() of the entries with feedback, "%c %c%s" on stdout.
        if o.verbose:
            for text in entries:
                ctx.print(f"{mark} {'!' if text.startswith('!') else ' '}{text.lstrip('!')}")

    table = pf.table(name, anchor)
    active = table is not None and table.active
    if cmd in ("kill", "flush", "show", "reset") and (words or file is not None):
        raise _usage()
    if cmd == "kill":
        # pfr_del_tables(): only an active table counts; a missing one is "0 table deleted" [NV].
        count = 1 if active else 0
        if active and not dummy:
            assert table is not None
            _deactivate(table)
            _collect(pf)
        xprintf(f"{count} table deleted")
        return 0
    if cmd == "flush":
        if table is None or not active:
            return radix_perror("Table does not exist")  # pfr_clr_addrs(): ESRCH
        if table.const:
            return radix_perror("Operation not permitted")  # EPERM
        count = len(table.addresses)
        if not dummy:
            table.addresses = []
        xprintf(f"{count} addresses deleted")
        return 0
    if cmd == "show":
        if table is None or not active:
            return radix_perror("Table does not exist")  # pfr_get_addrs(): ESRCH
        for text in sorted(table.addresses, key=_sort_key):
            # print_addrx(): "%c %c%s" = feedback char, '!' or ' ', address[/len].
            ctx.print(f"  {'!' if text.startswith('!') else ' '}{text.lstrip('!')}")
            if o.verbose:
                # print_astats(): the counters are off (no "counters" flag), so only the time.
                ctx.out.append(f"\tCleared:     {time.ctime()}\n")
        return 0
    if cmd in ("zero", "reset", "expire"):
        return _table_stats(ctx, o, table, xprintf, radix_perror)
    parsed = _load_addr(ctx, words, file)
    if parsed is None:
        return -1
    requested = [(_entry_text((net, neg)), clean) for net, neg, clean in parsed]
    if cmd in ("add", "replace"):
        # CREATE_TABLE: warn about same-named active tables elsewhere, add with PERSIST.
        for other in pf.tables:
            if other.name == name and other.anchor != anchor and other.active:
                ctx.warn(f'warning: table <{name}> already defined in anchor "{other.anchor or "/"}"')
        created = 0 if active else 1
        if created and not dummy:
            if table is None:
                table = Table(name=name, anchor=anchor, persist=True)
                pf.tables.append(table)
            else:
                table.active = True
                table.persist = True
                table.addresses = []
        if created:
            xprintf(f"{created} table created")
            if dummy:
                return 0  # "if (opts & PF_OPT_NOACTION) return (0);"
        table = pf.table(name, anchor)
        if table is None or not table.active:
            table = Table(name=name, anchor=anchor, persist=True)  # dummy run on a new table
    elif table is None or not table.active:
        return radix_perror("Table does not exist")  # pfr_del_addrs/pfr_tst_addrs: ESRCH
    if cmd in ("add", "delete", "replace") and table.const:
        return radix_perror("Operation not permitted")  # pf_table.c: PFR_TFLAG_CONST -> EPERM
    if cmd in ("add", "delete", "replace") and not all(clean for _, clean in requested):
        return radix_perror("Invalid argument")  # pfr_validate_addr(): host bits set -> EINVAL [I]
    texts = [text for text, _ in requested]
    if cmd == "add":
        present = set(table.addresses)
        added = []
        for text in texts:
            if text in present or ("!" + text.lstrip("!")) in present or text.lstrip("!") in present:
                continue  # duplicate or conflicting negation: not added (pfr_add_addrs)
            present.add(text)
            added.append(text)
        if not dummy:
            table.addresses.extend(added)
        xprintf(f"{len(added)}/{len(texts)} addresses added")
        feedback("A", added)
        return 0
    if cmd == "delete":
        removed = []
        for text in texts:
            if text in table.addresses and text not in removed:
                removed.append(text)
        if not dummy:
            table.addresses = [a for a in table.addresses if a not in removed]
        xprintf(f"{len(removed)}/{len(texts)} addresses deleted")
        feedback("D", removed)
        return 0
    if cmd == "replace":
        wanted: list[str] = []
        for text in texts:
            if text not in wanted:
                wanted.append(text)
        old = {a.lstrip("!"): a for a in table.addresses}
        new = {a.lstrip("!"): a for a in wanted}
        nadd = sum(1 for key in new if key not in old)
        ndel = sum(1 for key in old if key not in new)
        nchange = sum(1 for key in new if key in old and old[key] != new[key])
        if not dummy:
            table.addresses = wanted
        # pfctl_table(): one line per non-zero count, or "no changes".
        if nadd:
            xprintf(f"{nadd} addresses added")
        if ndel:
            xprintf(f"{ndel} addresses deleted")
        if nchange:
            xprintf(f"{nchange} addresses changed")
        if not (nadd or ndel or nchange):
            xprintf("no changes")
        return 0
    # test: pfr_tst_addrs(): the best (longest) match must exist and not be negated.
    entries = [_entry(a) for a in table.addresses]
    matched = []
    for text in texts:
        network, _ = _entry(text)
        best: Entry | None = None
        for candidate in entries:
            net, _neg = candidate
            if net.version == network.version and network.network_address in net:
                if best is None or net.prefixlen > best[0].prefixlen:
                    best = candidate
        if best is not None and not best[1]:
            matched.append(text)
    xprintf(f"{len(matched)}/{len(texts)} addresses match")
    feedback("M", matched)
    return 2 if len(matched) < len(texts) else 0


def _table_stats(ctx: Context, o: _Options, table: Table | None, xprintf: Callable[[str], None],
                 radix_perror: Callable[[str], int]) -> int:
    """``zero``, ``reset`` and ``expire``: the simulated tables keep no counters."""
    cmd = o.tblcmd
    active = table is not None and table.active
    if cmd == "expire":
        if len(o.words) != 1 or o.rules is not None:
            raise _usage()
        if not o.words[0].isdigit():
            raise ctx.fail("expiry time: invalid")  # strtonum() errstr
        if table is None or not active:
            return radix_perror("Table does not exist")
        xprintf("0/0 addresses expired")
        return 0
    if cmd == "reset":
        if table is None or not active:
            return radix_perror("Table does not exist")
        xprintf(f"0/{len(table.addresses)} stats cleared")
        return 0
    if o.words or o.rules is not None:
        parsed = _load_addr(ctx, o.words, o.rules)
        if parsed is None:
            return -1
        if table is None or not active:
            return radix_perror("Table does not exist")
        xprintf(f"0/{len(parsed)} addresses cleared")
        return 0
    xprintf(f"{1 if active else 0} table/stats cleared")
    return 0


def _deactivate(table: Table) -> None:
    """pfr_setflags_ktable() without ACTIVE: user flags and every address go (pf_table.c)."""
    table.active = False
    table.persist = False
    table.const = False
    table.addresses = []


def _references(pf: Pf) -> dict[str, set[str]]:
    """Table names each anchor's rules refer to as ``<name>``."""
    found: dict[str, set[str]] = {}
    for path, ruleset in pf.rulesets.items():
        names: set[str] = set()
        for rule in [*ruleset.nat, *ruleset.filter]:
            names.update(re.findall(r"<([^<>\s]+)>", rule))
        found[path] = names
    return found


def _collect(pf: Pf) -> None:
    """Drop what the kernel would drop after a ruleset or table change (pfr_setflags_ktable()):
    a table neither persistent nor referenced loses ACTIVE; one neither active nor referenced is
    destroyed. A main-ruleset table counts as referenced from any anchor's rules
    (PFR_TFLAG_REFDANCHOR, pfr_attach_table() links anchor tables to their root table)."""
    refs = _references(pf)
    from_anchors = set().union(*(names for path, names in refs.items() if path)) if refs else set()
    kept = []
    for table in pf.tables:
        referenced = table.name in refs.get(table.anchor, set()) or (
            table.anchor == "" and table.name in from_anchors)
        if table.active and not table.persist and not referenced:
            _deactivate(table)
        if table.active or referenced:
            kept.append(table)
    pf.tables[:] = kept
    for path in [p for p, rs in pf.rulesets.items() if not rs.nat and not rs.filter]:
        del pf.rulesets[path]


# --- anchors ----------------------------------------------------------------------------------


def _anchor_calls(path: str, ruleset: Ruleset) -> list[str]:
    """Anchors named by ``anchor``/``nat-anchor``/... rules; the kernel creates their rulesets
    (pf_anchor_setup() -> pf_find_or_create_ruleset()). Relative names are below ``path``; a
    trailing ``/*`` or ``*`` is the wildcard call of the children."""
    called = []
    for rule in [*ruleset.nat, *ruleset.filter]:
        words = _tokens(rule)
        if len(words) < 2 or words[0] not in ANCHOR_WORDS:
            continue
        name = words[1].strip('"')
        if not name or name.startswith("{") or name in ("on", "in", "out", "from", "all", "inet", "inet6"):
            continue
        if name.endswith("/*"):
            name = name[:-2]
        elif name.endswith("*"):
            name = name[:-1]
        if name.startswith("/"):
            full = name.lstrip("/")
        else:
            full = f"{path}/{name}" if path else name
        if full:
            called.append(full)
    return called


def _existing_anchors(pf: Pf) -> set[str]:
    """Every anchor (ruleset) the kernel has, main excluded: with rules, with tables, called by a
    rule, or a parent of one of those (pf_find_or_create_ruleset creates the whole path)."""
    names = {path for path, rs in pf.rulesets.items() if path and (rs.nat or rs.filter)}
    names |= {t.anchor for t in pf.tables if t.anchor}
    for path, ruleset in pf.rulesets.items():
        names.update(_anchor_calls(path, ruleset))
    for name in list(names):
        parts = name.split("/")
        for i in range(1, len(parts)):
            names.add("/".join(parts[:i]))
    return names


def _children(names: set[str], parent: str) -> list[str]:
    """Direct children of ``parent``, sorted by name (the RB tree of pf_anchor_compare)."""
    prefix = parent + "/" if parent else ""
    return sorted(n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):] and n != parent)


# --- show -------------------------------------------------------------------------------------


def _show(ctx: Context, o: _Options, anchor: str) -> int:
    """main()'s ``switch (*showopt)``; returns the exit status it sets (only -s Running does)."""
    pf = ctx.state.pf
    show = o.show
    if show == "Anchors":
        _show_anchors(ctx, o, anchor)
    elif show == "rules":
        _show_rules(ctx, o, anchor, "filter")
    elif show == "nat":
        _show_rules(ctx, o, anchor, "nat")
    elif show == "info":
        ctx.out.append(status(pf, o.verbose > 0))
    elif show == "Tables":
        _show_tables(ctx, o, anchor)
    elif show == "Running":
        ctx.print("Enabled" if pf.enabled else "Disabled")  # print_running()
        return 0 if pf.enabled else 1  # pfctl_show_running(): "return (!running);" [I]
    elif show == "all":
        # -s all: every listing under a title (pfctl_print_title()) [I: only these sections].
        ctx.print("TRANSLATION RULES:")
        _show_rules(ctx, o, anchor, "nat")
        ctx.print("\nFILTER RULES:")
        _show_rules(ctx, o, anchor, "filter")
        ctx.print("\nINFO:")
        ctx.out.append(status(pf, o.verbose > 0))
        ctx.print("\nTABLES:")
        _show_tables(ctx, o, anchor)
    # states, Sources, Interfaces, labels, timeouts, memory, osfp, queue, ether, creatorids: the
    # simulated pf keeps none of these, so they list nothing.
    return 0


def _show_anchors(ctx: Context, o: _Options, anchor: str) -> None:
    """pfctl_show_anchors() -> pfctl_walk_anchors() with pfctl_walk_show(): every anchor below
    ``anchor``, depth first, as ``  path/name``; names starting with ``_`` only with -v. Then
    pfctl_show_eth_anchors() for the Ethernet rulesets, which the simulated pf has none of."""
    names = _existing_anchors(ctx.state.pf)
    if anchor and anchor not in names:
        ctx.err.append(f"Anchor '{anchor}' not found.\n")  # DIOCGETRULESETS: EINVAL
    else:
        def walk(parent: str) -> None:
            for child in _children(names, parent):
                name = child.rsplit("/", 1)[-1]
                if name == PF_RESERVED_ANCHOR:
                    continue
                hidden = (parent or name).startswith("_")
                if not hidden or o.verbose:
                    ctx.print(f"  {child}")
                walk(child)

        walk(anchor)
    if o.verbose > 1:
        ctx.print("Ethernet:")
    if anchor:
        # DIOCGETETHRULESETS: pf_find_keth_ruleset() finds no Ethernet anchor -> ENOENT [I].
        ctx.err.append(f"Anchor '{anchor}' not found.\n")


def _show_rules(ctx: Context, o: _Options, anchor: str, part: str) -> None:
    """pfctl_show_rules() / pfctl_show_nat(): one rule per line; a missing anchor makes
    DIOCGETRULES fail with EINVAL (``warnc(ret, "DIOCGETRULES")``; main() ignores it) [I]."""
    pf = ctx.state.pf
    if anchor and anchor not in _existing_anchors(pf):
        ctx.warn("DIOCGETRULES: Invalid argument")
        return
    ruleset = pf.rulesets.get(anchor, Ruleset())
    for number, rule in enumerate(ruleset.nat if part == "nat" else ruleset.filter):
        ctx.print(f"@{number} {rule}" if o.verbose else rule)  # print_rule(): "@%d " with -v


def _show_tables(ctx: Context, o: _Options, anchor: str) -> None:
    """pfctl_show_tables() -> pfctl_table("-s"): the anchor's active tables by name
    (print_table(); -v adds the flag letters ``cpairhC``; -g shows inactive ones too)."""
    pf = ctx.state.pf
    if anchor and anchor not in _existing_anchors(pf):
        # pfr_get_tables(): pfr_table_count() < 0 -> ENOENT; pfctl_show_tables() exits 1.
        ctx.err.append("pfctl: Anchor or Ruleset does not exist.\n")
        raise _Exit(1)
    refs = _references(pf)
    from_anchors = set().union(*(names for path, names in refs.items() if path)) if refs else set()
    for table in sorted((t for t in pf.tables if t.anchor == anchor), key=lambda t: t.name):
        if not table.active and "g" not in o.flags:
            continue
        if not o.verbose:
            ctx.print(table.name)
            continue
        referenced = table.name in refs.get(anchor, set())
        refdanchor = anchor == "" and table.name in from_anchors
        letters = (("c" if table.const else "-") + ("p" if table.persist else "-")
                   + ("a" if table.active else "-") + "-" + ("r" if referenced else "-")
                   + ("h" if refdanchor else "-") + "-")
        ctx.print(f"{letters}\t{table.name}" + (f"\t{table.anchor}" if table.anchor else ""))


def status(pf: Pf, verbose: bool = False, now: float | None = None) -> str:
    """pfctl_parser.c print_status(): the ``pfctl -s info`` block (freebsd-commands.md §3.6).

    ``since`` is when pf was last enabled or disabled (0 if never): the first line is
    ``"%-44s%15s\\n\\n"`` of ``Status: Enabled|Disabled[ for D days HH:MM:SS]`` and the debug level
    (pf's default, Urgent). The simulated pf has no states and all counters are 0.
    """
    current = int(time.time() if now is None else now)
    since = int(pf.enabled_at)
    runtime = current - since
    running = "Enabled" if pf.enabled else "Disabled"
    if since:
        day = max(runtime, 0)
        sec, day = day % 60, day // 60
        mins, day = day % 60, day // 60
        hrs, day = day % 24, day // 24
        statline = f"Status: {running} for {day} days {hrs:02}:{mins:02}:{sec:02}"
    else:
        statline = f"Status: {running}"
    lines = [f"{statline:<44}{'Debug: Urgent':>15}\n\n"]
    if verbose:
        lines.append(f"Hostid:   0x{0:08x}\n")
        lines.append(f"Checksum: 0x{'0' * 32}\n\n")

    def counter(name: str) -> str:
        rate = f"{0.0:14.1f}/s" if runtime > 0 else f"{'':>14}"
        return f"  {name:<25} {0:>14} {rate}\n"

    lines.append(f"{'State Table':<27} {'Total':>14} {'Rate':>16}\n")
    lines.append(f"  {'current entries':<25} {0:>14} {'':>14}\n")
    lines += [counter(name) for name in FCNT_NAMES]
    if verbose:
        lines.append("Source Tracking Table\n")
        lines.append(f"  {'current entries':<25} {0:>14} {'':>14}\n")
        lines += [counter(name) for name in FCNT_NAMES]
    lines.append("Counters\n")
    lines += [counter(name) for name in PFRES_NAMES]
    if verbose:
        lines.append("Limit Counters\n")
        lines += [counter(name) for name in LCNT_NAMES]
        lines.append("Syncookies\n")
        lines.append(f"  {'mode':<25} never\n")
    return "".join(lines)


# --- flush ------------------------------------------------------------------------------------


def _clear(ctx: Context, o: _Options, anchor: str) -> None:
    """main()'s ``switch (*clearopt)``: pfctl_flush_rules(), pfctl_flush_nat(),
    pfctl_do_clear_tables() (``N tables deleted``), and for ``all`` the lot."""
    pf = ctx.state.pf
    quiet = "q" in o.flags
    clear = o.clear

    def say(text: str) -> None:
        if not quiet:
            ctx.err.append(text + "\n")

    def rules(path: str, part: str) -> None:
        ruleset = pf.rulesets.get(path)
        if ruleset is not None:
            if part == "filter":
                ruleset.filter = []
            else:
                ruleset.nat = []

    def tables(path: str) -> int:
        count = 0
        for table in pf.tables:
            if table.anchor == path and table.active:
                _deactivate(table)
                count += 1
        return count

    def below(path: str) -> list[str]:
        names = _existing_anchors(pf) | {""}
        return [n for n in names if path == "" or n == path or n.startswith(path + "/")]

    if clear == "rules":
        if o.recurse:
            _recurse_banner(ctx, pf, anchor)
            for path in below(anchor):
                rules(path, "filter")
        else:
            rules(anchor, "filter")
            say("rules cleared")
    elif clear == "nat":
        rules(anchor, "nat")
        say("nat cleared")  # also for an anchor that does not exist [NV]
    elif clear == "Tables":
        if o.recurse:
            _recurse_banner(ctx, pf, anchor)
            for path in below(anchor):
                tables(path)
        else:
            count = tables(anchor)
            say(f"{count} tables deleted.")  # xprintf("%d tables deleted")
    elif clear == "all":
        # case 'a' of 14.x main(): eth, rules, nat, tables, then for the main ruleset states,
        # source nodes, statistics, fingerprints and interface flags [I order].
        if ctx.state.osreldate >= 1400000:
            say("Ethernet rules cleared")  # pfctl_flush_eth_rules() (14.0+)
        rules(anchor, "filter")
        say("rules cleared")
        rules(anchor, "nat")
        say("nat cleared")
        count = tables(anchor)
        say(f"{count} tables deleted.")
        if not anchor:
            # altq: no ALTQ in GENERIC, pfctl_clear_altq() returns quietly; then states, source
            # nodes, statistics, fingerprints (silent) and the interface flags.
            say("0 states cleared")
            say("source tracking entries cleared")
            say("pf: statistics cleared")
            say("pf: interface flags reset")
    elif clear == "states":
        say("0 states cleared")  # pfctl_clear_iface_states()
    elif clear == "Sources":
        say("source tracking entries cleared")  # pfctl_clear_src_nodes()
    elif clear == "info":
        say("pf: statistics cleared")  # pfctl_clear_stats()
    elif clear == "ethernet":
        say("Ethernet rules cleared")
    elif clear == "Reset":
        say("pf: interface flags reset")  # pfctl_reset() -> pfctl_clear_interface_flags()
    # queue (no ALTQ) and osfp print nothing.
    _collect(pf)


def _recurse_banner(ctx: Context, pf: Pf, anchor: str) -> None:
    """pfctl_recurse(): ``Removing:`` and each anchor on stdout; the list is built with
    SLIST_INSERT_HEAD, so it comes out in reverse walk order with the starting anchor last."""
    names = _existing_anchors(pf)
    walked = [anchor]

    def walk(parent: str) -> None:
        for child in _children(names, parent):
            if child.rsplit("/", 1)[-1] != PF_RESERVED_ANCHOR:
                walked.append(child)
                walk(child)

    walk(anchor)
    ctx.print("Removing:")
    for name in reversed(walked):
        ctx.print(f"  {name or '/'}")


# --- loading rules ----------------------------------------------------------------------------


@attrs.define
class _Parsed:
    """A parsed pf.conf: rules by kind, table definitions, what -v echoes, and the errors."""

    nat: list[str] = attrs.Factory(list)
    filter: list[str] = attrs.Factory(list)
    tables: list[Table] = attrs.Factory(list)
    echo: list[str] = attrs.Factory(list)
    errors: list[str] = attrs.Factory(list)


def _tokens(text: str) -> list[str]:
    """Words of a statement: quoted strings, braces, commas and bare words (parse.y yylex)."""
    return re.findall(r'"[^"]*"|[{}]|,|[^\s{},"]+', text)


def _collapse(text: str) -> str:
    """Whitespace collapsed to single blanks outside quoted strings."""
    parts = re.findall(r'"[^"]*"|[^"\s]+|\s+', text)
    return "".join(" " if part.isspace() else part for part in parts).strip()


def _statements(text: str) -> list[tuple[int, str]]:
    """Statements with their first line: comments dropped, ``\\`` continuations joined, and
    lines joined while braces are open (newlines are allowed inside ``{ }``, parse.y)."""
    found: list[tuple[int, str]] = []
    pending = ""
    start = 0
    depth = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = _strip_comment(raw)
        continued = line.rstrip().endswith("\\")
        if continued:
            line = line.rstrip()[:-1]
        if not pending.strip():
            start = number
        pending += " " + line
        depth += line.count("{") - line.count("}")
        if continued or depth > 0:
            continue
        if pending.strip():
            found.append((start, _collapse(pending)))
        pending = ""
        depth = 0
    if pending.strip():
        found.append((start, _collapse(pending)))
    return found


def _strip_comment(line: str) -> str:
    """Drop ``#`` to the end of the line, outside double quotes."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[:i]
    return line


def _expand(text: str, macros: dict[str, str]) -> tuple[str, str | None]:
    """``$name`` outside quotes replaced by the macro's value (parse.y yylex); returns the text
    and the first undefined macro name, if any."""
    missing: list[str] = []

    def sub(segment: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in macros:
                missing.append(name)
                return ""
            return macros[name]

        return re.sub(r"\$([A-Za-z0-9_]+)", one, segment)

    parts = re.findall(r'"[^"]*"|[^"]+', text)
    expanded = "".join(part if part.startswith('"') else sub(part) for part in parts)
    return _collapse(expanded), (missing[0] if missing else None)


def _parse_conf(ctx: Context, source: str, text: str, macros: dict[str, str]) -> _Parsed:
    """A minimal parse.y: macros, ``table`` definitions, translation and filter rules."""
    parsed = _Parsed()
    macros = dict(macros)
    keywords = set(NAT_WORDS) | set(FILTER_WORDS) | set(IGNORED_WORDS) | {"no", "table"}

    def error(line: int, message: str) -> None:
        # parse.y yyerror(): "%s:%d: " of the file name ("stdin" for -) and the line [NV format].
        parsed.errors.append(f"{source}:{line}: {message}\n")

    for line, statement in _statements(text):
        macro = re.fullmatch(r'([A-Za-z0-9_]+)\s*=\s*(.*)', statement)
        if macro and macro.group(1) not in keywords:
            value_text, missing = _expand(macro.group(2), macros)
            if missing is not None:
                error(line, f"macro '{missing}' not defined")
                error(line, "syntax error")
                continue
            words = re.findall(r'"([^"]*)"|(\S+)', value_text)
            value = " ".join(quoted or bare for quoted, bare in words)
            macros[macro.group(1)] = value
            parsed.echo.append(f'{macro.group(1)} = "{value}"')  # varset with -v
            continue
        statement, missing = _expand(statement, macros)
        if missing is not None:
            error(line, f"macro '{missing}' not defined")
            error(line, "syntax error")
            continue
        words = _tokens(statement)
        first = words[0]
        if first == "table":
            table = _parse_table(ctx, words, error, line)
            if table is not None:
                parsed.tables.append(table)
                parsed.echo.append(_tabledef(table))
            continue
        second = words[1] if len(words) > 1 else ""
        if first in NAT_WORDS or (first == "no" and second in ("nat", "rdr", "binat")):
            parsed.nat.append(statement)
            parsed.echo.append(statement)
        elif first in FILTER_WORDS or (first == "no" and second == "scrub"):
            parsed.filter.append(statement)
            parsed.echo.append(statement)
        elif first in IGNORED_WORDS:
            continue
        else:
            error(line, "syntax error")
    return parsed


def _parse_table(ctx: Context, words: list[str], error: Callable[[int, str], None], line: int) -> Table | None:
    """``table <name> [persist] [const] [counters] [{ addr, ... }] [file "path"]`` (parse.y
    tabledef / table_opts; host() for each address)."""
    if len(words) < 2 or not re.fullmatch(r"<[^<>\s]+>", words[1]):
        error(line, "syntax error")
        return None
    name = words[1][1:-1]
    if len(name) >= PF_TABLE_NAME_SIZE:
        error(line, f"table name too long, max {PF_TABLE_NAME_SIZE - 1} chars")
        return None
    table = Table(name=name)
    addresses: list[str] = []
    i = 2
    while i < len(words):
        word = words[i]
        if word == "persist":
            table.persist = True
        elif word == "const":
            table.const = True
        elif word == "counters":
            pass
        elif word == "{":
            i += 1
            while i < len(words) and words[i] != "}":
                if words[i] != ",":
                    hosts = _host(ctx, words[i].strip('"'))
                    if hosts is None:
                        error(line, "could not parse host specification")
                        return None
                    addresses += [_entry_text((net, neg)) for net, neg, _ in hosts]
                i += 1
            if i >= len(words):
                error(line, "syntax error")
                return None
        elif word == "file" and i + 1 < len(words):
            i += 1
            path = words[i].strip('"')
            content = _read(ctx, path)
            if content is None:
                error(line, f'cannot load "{path}": No such file or directory')
                return None
            for entry_word in re.sub(r"#[^\n]*", "", content).split():
                hosts = _host(ctx, entry_word)
                if hosts is None:
                    error(line, f'file "{path}" contains bad data')
                    return None
                addresses += [_entry_text((net, neg)) for net, neg, _ in hosts]
        else:
            error(line, "syntax error")
            return None
        i += 1
    for text in addresses:
        if text not in table.addresses:
            table.addresses.append(text)
    return table


def _tabledef(table: Table) -> str:
    """pfctl_parser.c print_tabledef(), for -v."""
    text = f"table <{table.name}>"
    if table.const:
        text += " const"
    if table.persist:
        text += " persist"
    if table.addresses:
        text += " {" + "".join(f" {a}" for a in table.addresses) + " }"
    return text


def _load(ctx: Context, o: _Options, path: str, anchor: str) -> None:
    """pfctl.c pfctl_rules(): parse, then replace the anchor's rulesets and tables in one
    transaction (DIOCXBEGIN/DIOCXCOMMIT); any error leaves pf untouched and exits 1."""
    pf = ctx.state.pf
    noaction = "n" in o.flags
    source = "stdin" if path == "-" else path
    text = _read(ctx, path)
    if text is None:
        # parse.y pushfile(): warn("%s", name); parse_config(): warn("cannot open the main
        # config file!"); pfctl_rules(): ERRX("Syntax error in config file: ...") [I].
        ctx.warn(f"{path}: No such file or directory")
        ctx.warn("cannot open the main config file!: No such file or directory")
        if not noaction:
            ctx.warn("Syntax error in config file: pf rules not loaded")
        raise _Exit(1)
    parsed = _parse_conf(ctx, source, text, o.macros)
    if parsed.errors:
        ctx.err.extend(parsed.errors)
        if not noaction:
            ctx.warn("Syntax error in config file: pf rules not loaded")
        raise _Exit(1)
    if o.verbose:
        for line in parsed.echo:
            ctx.print(line)
    if noaction:
        return
    ruleset = pf.rulesets.setdefault(anchor, Ruleset())
    if o.loadopt & LOAD_NAT:
        ruleset.nat = list(parsed.nat)
    if o.loadopt & LOAD_FILTER:
        ruleset.filter = list(parsed.filter)
    if o.loadopt & LOAD_TABLE:
        for defined in parsed.tables:
            # pfr_ina_commit_table(): the definition's flags and addresses replace the table's.
            existing = pf.table(defined.name, anchor)
            if existing is None:
                existing = Table(name=defined.name, anchor=anchor)
                pf.tables.append(existing)
            existing.addresses = list(defined.addresses)
            existing.persist = defined.persist
            existing.const = defined.const
            existing.active = True
    # pfr_attach_table(): a table a rule names and nobody defined exists, inactive, in the
    # rule's anchor; an anchor's table also gets an inactive root table in the main ruleset.
    for name in sorted(_references(pf).get(anchor, set())):
        if pf.table(name, anchor) is None:
            pf.tables.append(Table(name=name, anchor=anchor, active=False))
        if anchor and pf.table(name, "") is None:
            pf.tables.append(Table(name=name, anchor="", active=False))
    _collect(pf)


# --- the fault hook ---------------------------------------------------------------------------


def mutating(args: Sequence[str]) -> bool:
    """Enable, disable, load, flush, kill states, table changes and debug level change pf."""
    found, rest, error = getopt("pfctl", args, OPTIONS)
    if error:
        return False
    letters = {letter for letter, _ in found}
    if "n" in letters:
        return False
    tblcmd = next((_lookup(v, TBLCMDS) for letter, v in found if letter == "T"), None)
    if tblcmd is not None and tblcmd not in ("show", "test"):
        return True
    return bool(letters & set("defFkKxz"))


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """pf refuses the change with EPERM (e.g. securelevel), reported where main() first hits it:
    ``-d`` errc(1, ret, "DIOCSTOP"); ``-F nat`` err(1, "pfctl_clear_nat"); ``-F rules``
    pfctl_err(..., "pfctl_flush_rules"); ``-F Tables`` radix_perror + exit(1); ``-F all`` starts
    with pfctl_clear_eth_rules; ``-T`` radix_perror → exit 255 (CREATE_TABLE ignores EPERM, so
    ``1 table created.`` is not printed); ``-f`` warn("DIOCXBEGIN") [I]; ``-e`` errc(1, ret,
    "DIOCSTART")."""
    found, _, _ = getopt("pfctl", args, OPTIONS)
    values = {letter: value for letter, value in found}
    if "d" in values:
        return 1, "", "pfctl: DIOCSTOP: Operation not permitted\n"
    clear = _lookup(values.get("F", ""), CLEAROPTS)
    if clear == "nat":
        return 1, "", "pfctl: pfctl_clear_nat: Operation not permitted\n"
    if clear == "rules":
        return 1, "", "pfctl: pfctl_flush_rules: Operation not permitted\n"
    if clear == "Tables":
        return 1, "", "pfctl: Operation not permitted.\n"
    if clear == "all":
        return 1, "", "pfctl: pfctl_clear_eth_rules: Operation not permitted\n"
    tblcmd = _lookup(values.get("T", ""), TBLCMDS)
    if tblcmd is not None and tblcmd != "load":
        return 255, "", "pfctl: Operation not permitted.\n"
    if "f" in values:
        return 1, "", "pfctl: DIOCXBEGIN: Operation not permitted\n"
    if "e" in values:
        return 1, "", "pfctl: DIOCSTART: Operation not permitted\n"
    return 1, "", "pfctl: DIOCSETDEBUG: Operation not permitted\n"


COMMAND = Command(name="pfctl", run=run, mutating=mutating, fault=fault)
