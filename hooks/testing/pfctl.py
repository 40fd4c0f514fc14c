"""Simulated ``pfctl(8)``: enable/disable, tables, rulesets in anchors, and the listings.

pf is global (``ctx.state.pf``). Every behaviour follows a copy of sbin/pfctl/pfctl.c ``main()`` and
its helpers, and the release decides which copy (:class:`Era`):

* 13.x: the stable/13 pfctl.c (read as MidnightBSD/src sbin/pfctl/pfctl.c, which carries it): no
  Ethernet rules, no netlink handle, ``pfctl_show_nat()`` recurses with the last path component.
* 14.0: freebsd/freebsd-src sbin/pfctl/pfctl.c of mid-2023 (``$FreeBSD$`` still present, the tree
  14.0 branched from): as 13.x plus Ethernet rules (``-s ether``, ``-F ethernet``,
  ``pfctl_flush_eth_rules()``, ``pfctl_show_eth_anchors()``) and ``pfctl_show_rules()`` with
  wildcard anchors.
* 14.1 [guess: the first release with it]: the early-2024 pfctl.c with ``pfh = pfctl_open()``
  (netlink) outside the ``-n`` guard, ``-s creatorids`` and the ``Ethernet:`` line of ``-vvsA``.
* 14.2 and later 14.x [guess: the first release with it]: the mid-2024 pfctl.c whose
  ``pfctl_show_nat()`` takes a ``wildcard`` argument (tests/sys/netpfil/pf/anchor.sh pr279225) and
  whose ``pfctl_show_anchors()``/``pfctl_show_eth_anchors()``/``pfctl_show_nat()`` stay silent when an
  anchor is missing (their ``warn``/``err`` calls are commented out).
* 15.0 [guess: 14.3 may already have parts of it]: the 2025 pfctl.c (OpenBSD sync): ``-S``,
  ``(tblcmdopt == NULL) ^ (tableopt == NULL)``, the anchor checks at the top of ``main()``,
  ``pfctl_walk_anchors()``, ``pfctl_recurse()``, ``-F Reset``, ``-T reset``, ``pfctl_do_clear_tables()``.

Kernel answers follow sys/netpfil/pf/pf_ioctl.c of 14.0 (DIOCGETRULES: EINVAL for a missing
anchor; DIOCGETRULENV: ENOENT, EBUSY on a ticket of another ruleset; DIOCGETRULESETS: ENOENT;
DIOCRGETTABLES: EINVAL) and sys/netpfil/pf/pf_table.c. ``main()`` runs its phases in a fixed order
whatever the order of the options: ``-d``, ``-s``, ``-F``, ``-k``/``-K``, ``-T``, ``-f``, ``-e``,
``-x``. Filter rules and anchor calls are stored as loaded (whitespace collapsed, macros expanded)
and re-printed with some of print_rule()'s defaults [I]. Translation rules (nat, rdr, binat) go
through sbin/pfctl/parse.y as the kernel would get them (natrule/binatrule, expand_rule(): one
rule per interface, protocol, address and port, interface names resolved at load) and are stored
as sbin/pfctl/pfctl_parser.c ``print_rule()`` prints them with numeric ports; listings parse that
text again and print it field by field, port names from FreeBSD's services(5) (a table here, never
the Linux host's).

A ruleset's sections must come in parse.y's order (``check_rulestate()``: options, ethernet from
14.0, normalization, queueing, translation, filtering) unless ``set require-order no``.

``[I]`` marks what is inferred from the sources read without being printed by them as such;
``[guess]`` marks what could not be read at all.
"""

import functools
import hashlib
import ipaddress
import os
import re
import time
from collections.abc import Callable, Sequence

import attrs

from hooks.testing.interfaces import is_linklocal
from hooks.testing.model import Pf, Ruleset, Table
from hooks.testing.program import Context, Fail, Program, getopt

_USAGE_LINES = (
    "\t[-f file] [-i interface] [-K host | network]\n"
    "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
    "\t[-s modifier] [-t table -T command [address ...]] [-x level]"
)
#: pfctl.c usage() of 13.x and 14.x: fprintf(stderr, ...) then exit(1).
USAGE = "usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n" + _USAGE_LINES
#: usage() of 15.0, which added ``-S``.
USAGE_15 = "usage: pfctl [-AdeghMmNnOPqRSrvz] [-a anchor] [-D macro=value] [-F modifier]\n" + _USAGE_LINES

#: pfctl.c main(): the getopt(3) option strings (13.x/14.x, then 15.0 with ``S``).
OPTIONS = "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:t:T:vx:z"
OPTIONS_15 = "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:St:T:vx:z"

# pfctl.c clearopt_list, showopt_list, tblcmdopt_list (the 15.0 ones, the widest); Era filters them.
CLEAROPTS = ("nat", "queue", "rules", "Sources", "states", "info", "Tables", "osfp", "all",
             "ethernet", "Reset")
SHOWOPTS = ("ether", "nat", "queue", "rules", "Anchors", "Sources", "states", "info", "Interfaces",
            "labels", "timeouts", "memory", "Tables", "osfp", "Running", "all", "creatorids")
TBLCMDS = ("kill", "flush", "add", "delete", "load", "replace", "show", "test", "zero", "expire",
           "reset")
DEBUGOPTS = ("none", "urgent", "misc", "loud")
OPTIOPTS = ("none", "basic", "profile")

# pfctl.h loadopt bits (PFCTL_FLAG_*).
LOAD_NAT = 1
LOAD_FILTER = 2
LOAD_TABLE = 4
LOAD_ALL = 0xFF

#: PF_TABLE_NAME_SIZE (net/pfvar.h): names are at most 31 characters.
PF_TABLE_NAME_SIZE = 32
#: MAXPATHLEN: main() refuses a longer ``-a`` (``anchor name '%s' too long``).
MAXPATHLEN = 1024
#: PF_RESERVED_ANCHOR (net/pfvar.h): never listed.
PF_RESERVED_ANCHOR = "_pf"

#: First words of translation rules (pfctl -sn) and of filter rules (pfctl -sr); parse.y.
NAT_WORDS = ("nat", "rdr", "binat", "nat-anchor", "rdr-anchor", "binat-anchor")
FILTER_WORDS = ("pass", "block", "match", "anchor", "antispoof", "scrub")
#: Statements accepted and dropped: options, queueing, ethernet rules, includes [I].
IGNORED_WORDS = ("set", "altq", "queue", "ether", "load", "include")
ANCHOR_WORDS = ("anchor", "nat-anchor", "rdr-anchor", "binat-anchor")
#: pfctl_show_nat(): ``nattype[3] = { PF_NAT, PF_RDR, PF_BINAT }``, listed in this order.
NAT_KINDS = ("nat", "rdr", "binat")
#: print_pool(): the pool types a rule may name.
POOL_TYPES = ("bitmask", "random", "source-hash", "round-robin")

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


@attrs.frozen
class Era:
    """Which pfctl.c a release carries (the module docstring lists the copies read)."""

    osreldate: int

    @property
    def eth(self) -> bool:
        """14.0+: Ethernet rules (``-s ether``, ``-F ethernet``, ``Ethernet rules cleared``)."""
        return self.osreldate >= 1400000

    @property
    def handle(self) -> bool:
        """14.1+ [guess]: ``pfh = pfctl_open(pf_device)`` even with ``-n``; ``-s creatorids``."""
        return self.osreldate >= 1401000

    @property
    def late14(self) -> bool:
        """14.2+ [guess]: wildcard-aware ``pfctl_show_nat()``; silent anchor listing failures."""
        return self.osreldate >= 1402000

    @property
    def v15(self) -> bool:
        """15.0+ [guess for 14.3]: the OpenBSD-synced main() and ``pfctl_recurse()``."""
        return self.osreldate >= 1500000

    @property
    def usage(self) -> str:
        """usage() text."""
        return USAGE_15 if self.v15 else USAGE

    @property
    def optstring(self) -> str:
        """The getopt(3) string."""
        return OPTIONS_15 if self.v15 else OPTIONS

    @property
    def clearopts(self) -> tuple[str, ...]:
        """clearopt_list: ``ethernet`` from 14.0, ``Reset`` from 15.0."""
        return tuple(w for w in CLEAROPTS if (w != "ethernet" or self.eth) and (w != "Reset" or self.v15))

    @property
    def showopts(self) -> tuple[str, ...]:
        """showopt_list: ``ether`` from 14.0, ``creatorids`` from 14.1 [guess]."""
        return tuple(w for w in SHOWOPTS if (w != "ether" or self.eth) and (w != "creatorids" or self.handle))

    @property
    def tblcmds(self) -> tuple[str, ...]:
        """tblcmdopt_list: ``reset`` from 15.0."""
        return tuple(w for w in TBLCMDS if w != "reset" or self.v15)


def era_of(ctx: Context) -> Era:
    """The pfctl of the simulated host's release."""
    return Era(ctx.state.osreldate)


class _Exit(Exception):
    """``exit(code)`` after messages already written."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _lookup(word: str, options: Sequence[str]) -> str | None:
    """pfctl.c pfctl_lookup_option(): the first option ``word`` is a prefix of (strncmp over
    strlen(word)), so ``-sn`` is ``nat`` and ``-s r`` is ``rules``; no ambiguity check (that is
    OpenBSD's); None for an empty word."""
    if word:
        for option in options:
            if option.startswith(word):
                return option
    return None


def _underscore(anchor: str) -> bool:
    """main(): ``anchorname[0] == '_' || strstr(anchorname, "/_") != NULL``."""
    return anchor.startswith("_") or "/_" in anchor


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
    state_kills: list[str] = attrs.Factory(list)
    src_kills: list[str] = attrs.Factory(list)
    iface: str | None = None
    device: str = "/dev/pf"
    loadopt: int = 0
    rw: bool = False
    """mode == O_RDWR in main()."""
    recurse: bool = False
    """PF_OPT_RECURSE: ``-a`` ended in ``*``."""
    words: list[str] = attrs.Factory(list)


def _parse_options(ctx: Context, args: list[str], era: Era) -> _Options:
    """pfctl.c main(): the getopt loop and the checks after it, up to the open of /dev/pf."""
    usage = era.usage
    found, rest, error = getopt("pfctl", args, era.optstring)
    if error:
        raise Fail(f"{error}\n{usage}", 1)  # getopt(3) prints its line, then default: usage()
    o = _Options(words=rest)

    def unknown(what: str, value: str) -> Fail:
        return Fail(f"pfctl: Unknown {what} '{value}'\n{usage}", 1)  # warnx(...); usage();

    for letter, value in found:
        if letter == "a":
            o.anchor = value
        elif letter in "de":
            o.flags.add(letter)
            o.rw = True
        elif letter == "D":
            # pfctl_cmdline_symset(): the name ends at the last '='; without one it fails.
            if "=" not in value:
                ctx.warn(f"could not parse macro definition {value}")
            else:
                name, _, text = value.rpartition("=")
                o.macros[name] = text
        elif letter == "F":
            o.clear = _lookup(value, era.clearopts)
            if o.clear is None:
                raise unknown("flush modifier", value)
            o.rw = True
        elif letter == "i":
            o.iface = value
        elif letter in "kK":
            kills = o.state_kills if letter == "k" else o.src_kills
            if len(kills) >= 2:
                raise Fail(f"pfctl: can only specify -{letter} twice\n{usage}", 1)
            kills.append(value)
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
                raise unknown("optimization", value)
        elif letter == "p":
            o.device = value
        elif letter == "s":
            o.show = _lookup(value, era.showopts)
            if o.show is None:
                raise unknown("show modifier", value)
        elif letter == "t":
            o.table = value
        elif letter == "T":
            o.tblcmd = _lookup(value, era.tblcmds)
            if o.tblcmd is None:
                raise unknown("table command", value)
        elif letter == "v":
            o.verbose += 1
        elif letter == "x":
            o.debug = _lookup(value, DEBUGOPTS)
            if o.debug is None:
                raise unknown("debug level", value)
            o.rw = True
        elif letter == "z":
            o.flags.add("z")
            o.rw = True
        elif letter == "h":
            raise Fail(usage, 1)
        else:
            o.flags.add(letter)  # A g m M n O P q r S: flags without an effect of their own here
    if era.v15:
        if "S" in o.flags and "r" in o.flags:
            raise ctx.fail("-N and -r are mutually exclusive")  # the 15.0 text names OpenBSD's -N
        if (o.tblcmd is None) != (o.table is None):
            raise Fail(usage, 1)  # "if ((tblcmdopt == NULL) ^ (tableopt == NULL)) usage();"
    if o.tblcmd is not None:
        if o.tblcmd == "load":
            o.loadopt |= LOAD_TABLE  # "-T load": a ruleset load limited to tables; -t is ignored
            o.tblcmd = None
        elif era.v15:
            o.rw = o.tblcmd[0] not in "st"  # mode = strchr("st", ch) ? O_RDONLY : O_RDWR
        else:
            o.rw = o.tblcmd[0] in "acdefkrz"  # mode = strchr("acdefkrz", ch) ? O_RDWR : O_RDONLY
    elif o.words:
        raise Fail(f"pfctl: unknown command line argument: {o.words[0]} ...\n{usage}", 1)
    if o.loadopt == 0:
        o.loadopt = LOAD_ALL
    if o.anchor is not None:
        anchor = o.anchor
        if era.v15:
            if anchor == "":
                raise ctx.fail("anchor name must not be empty")
            if not o.rw and o.show is None and o.tblcmd is None:
                raise Fail(f"pfctl: anchors apply to -f, -F, -s, and -T only\n{usage}", 1)
            if o.rw and o.tblcmd is None and _underscore(anchor):
                raise ctx.fail("anchor names beginning with '_' cannot be modified from the command line")
        # 13.x/14.x accept an empty -a (the main ruleset) and check '_' only at -F and -f.
        if anchor.endswith("*"):
            anchor = anchor[:-2] if anchor.endswith("/*") else anchor[:-1]
            o.recurse = True
        if len(anchor) >= MAXPATHLEN:
            raise ctx.fail(f"anchor name '{anchor}' too long")
        o.anchor = anchor
        o.loadopt &= LOAD_NAT | LOAD_FILTER | LOAD_TABLE  # (and PFCTL_FLAG_ETH from 14.0)
    return o


def run(ctx: Context, args: list[str]) -> int:
    """pfctl.c ``main()``: exit(error), so -1 from pfctl_command_tables() is 255."""
    era = era_of(ctx)
    if not args:
        raise Fail(era.usage, 1)  # "if (argc < 2) usage();"
    o = _parse_options(ctx, args, era)
    pf = ctx.state.pf
    # The default devfs ruleset of a jail hides /dev/pf (devfs.rules, devfsrules_jail) [I].
    present = pf.loaded and not ctx.jail and o.device == "/dev/pf"
    noaction = "n" in o.flags
    if not noaction:
        if not present:
            raise ctx.fail(f"{o.device}: No such file or directory")  # err(1, "%s", pf_device)
    else:
        # -n: open(pf_device, O_RDONLY) may fail (then no PF_OPT_DUMMYACTION); "turn off options".
        o.flags -= {"d", "e"}
        o.clear = o.show = o.debug = None
    if era.handle and not present:
        # pfh = pfctl_open(pf_device); if (pfh == NULL) err(1, "Failed to open netlink");
        raise ctx.fail("Failed to open netlink: No such file or directory")
    run_ = _Run(ctx, o, era, present)
    try:
        return run_.main() & 0xFF
    except _Exit as stop:
        return stop.code & 0xFF


class _Buf:
    """A ``char path[MAXPATHLEN]`` the 13.x/14.x listing functions append to and do not always
    truncate again (pfctl_show_nat())."""

    def __init__(self, value: str = "") -> None:
        self.value = value


@attrs.frozen
class _Rule:
    """One rule as DIOCGETRULE returns it: kind, stored text, and pf_kanchor_copyout()'s call."""

    kind: str
    """``nat``, ``rdr``, ``binat``, ``scrub`` or ``filter`` (its PF_RULESET_*)."""
    text: str
    call: str = ""
    """The anchor_call: the name as written for a relative call, ``/path`` for an absolute one, with
    ``/*`` kept for a wildcard call; empty for a rule that calls no anchor."""
    wildcard: bool = False
    target: str = ""
    """The anchor path it calls, wildcard removed (pf_kanchor_setup())."""


class _Run:
    """One pfctl invocation after /dev/pf is open: main()'s phases and the listings."""

    def __init__(self, ctx: Context, o: _Options, era: Era, present: bool) -> None:
        self.ctx = ctx
        self.o = o
        self.era = era
        self.pf = ctx.state.pf
        self.anchor = o.anchor or ""
        self.noaction = "n" in o.flags
        self.dummy = self.noaction and present
        """PF_OPT_DUMMYACTION: -n with /dev/pf readable; table commands then ask the kernel with
        PFR_FLAG_DUMMY. -n without it is "syntax only": no kernel call at all (RVTEST())."""
        self.quiet = "q" in o.flags
        self.first_title = True

    # -- output helpers ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        """fprintf(stderr, ...) unless -q (PF_OPT_QUIET)."""
        if not self.quiet:
            self.ctx.err.append(text + "\n")

    def usage(self) -> Fail:
        return Fail(self.era.usage, 1)

    def title(self, text: str) -> None:
        """pfctl_print_title(): a blank line before every title but the first."""
        if not self.first_title:
            self.ctx.out.append("\n")
        self.first_title = False
        self.ctx.print(text)

    def indent(self, depth: int) -> None:
        """INDENT(depth, !(opts & PF_OPT_VERBOSE)): two blanks a level, none with -v."""
        if not self.o.verbose:
            self.ctx.out.append("  " * depth)

    def counters(self) -> None:
        """pfctl_print_rule_counters(); the simulated pf counts nothing, and the uid and pid of the
        pfctl that loaded the rule are not kept (printed as 0) [guess]."""
        if self.o.verbose:
            self.ctx.print(f"  [ Evaluations: {0:<8}  Packets: {0:<8}  Bytes: {0:<10}  States: {0:<6}]")
            if "g" not in self.o.flags:
                self.ctx.print(f"  [ Inserted: uid 0 pid 0 State Creations: {0:<6}]")
        if self.o.verbose > 1 and self.era.eth:
            self.ctx.print("  [ Last Active Time: N/A ]")  # last_active_timestamp 0 (14.0+)

    # -- main() -------------------------------------------------------------------------------

    def main(self) -> int:
        o, pf, era = self.o, self.pf, self.era
        exit_val = 0
        if "d" in o.flags:
            if not pf.enabled:
                raise self.ctx.fail("pf not enabled")  # pfctl_disable(): ENOENT -> errx(1, ...)
            pf.enabled = False
            pf.enabled_at = time.time()  # pf_ioctl.c DIOCSTOP: V_pf_status.since = time_second [I]
            self.say("pf disabled")
        if o.show is not None:
            exit_val = self.show()
        if o.clear is not None:
            self.clear()
        if o.state_kills:
            self.kill_states()
        if o.src_kills:
            self.kill_src_nodes()
        rules = o.rules
        if o.tblcmd is not None:
            if o.table is None:
                raise self.usage()  # pfctl_command_tables(): "if (tname == NULL ...) usage();"
            exit_val = _Tables(self, o.table).run()  # error = pfctl_command_tables(...)
            rules = None  # "rulesopt = NULL": -f named the address file of -T
        if rules is not None:
            if not era.v15 and _underscore(self.anchor):
                raise self.ctx.fail("anchor names beginning with '_' cannot be modified from the command line")
            self.load(rules)
        if "e" in o.flags:
            if pf.enabled:
                raise self.ctx.fail("pf already enabled")  # pfctl_enable(): EEXIST -> errx(1, ...)
            pf.enabled = True
            pf.enabled_at = time.time()  # DIOCSTART: V_pf_status.since = time_second
            self.say("pf enabled")
        if o.debug is not None:
            self.say(f"debug level set to '{o.debug}'")  # pfctl_debug(); the level is not kept [I]
        return exit_val

    # -- -k / -K ------------------------------------------------------------------------------

    def kill_states(self) -> None:
        """pfctl_label_kill_states(), pfctl_id_kill_states(), pfctl_gateway_kill_states(),
        pfctl_net_kill_states(); the simulated pf keeps no states."""
        kills = self.o.state_kills
        first = kills[0]
        if first in ("label", "gateway"):
            if len(kills) != 2 or not kills[1]:
                raise Fail(f"pfctl: no {first} specified\n{self.era.usage}", 1)
            self.say("killed 0 states")
            return
        if first == "id":
            match = re.fullmatch(r"([0-9a-fA-F]+)(?:/[0-9a-fA-F]+)?", kills[1] if len(kills) == 2 else "")
            if match is None:
                raise Fail(f"pfctl: wrong id format specified\n{self.era.usage}", 1)
            if int(match.group(1), 16) == 0:
                raise Fail(f"pfctl: cannot kill id 0\n{self.era.usage}", 1)
            self.say("killed 0 states")
            return
        sources, dests = self._resolve(kills)
        self.say(f"killed 0 states from {sources} sources and {dests} destinations")

    def kill_src_nodes(self) -> None:
        """pfctl_kill_src_nodes()."""
        sources, dests = self._resolve(self.o.src_kills)
        self.say(f"killed 0 src nodes from {sources} sources and {dests} destinations")

    def _resolve(self, hosts: list[str]) -> tuple[int, int]:
        """pfctl_addrprefix() + getaddrinfo(3) of one or two numeric hosts [I: no resolver here;
        a name fails like EAI_NONAME]."""
        counts = []
        for host in hosts:
            address, slash, prefix = host.partition("/")
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise self.ctx.fail("getaddrinfo: hostname nor servname provided, or not known") from None
            if slash and not prefix.isdigit():
                raise self.ctx.fail(f"prefix is invalid: {prefix}")  # strtonum(p, 0, 128, &errstr)
            if slash and int(prefix) > 128:
                raise self.ctx.fail(f"prefix is too large: {prefix}")
            counts.append(1)
        return counts[0], (counts[1] if len(counts) > 1 else 0)

    # -- -s -----------------------------------------------------------------------------------

    def show(self) -> int:
        """main()'s ``switch (*showopt)``; returns the exit status it sets (-s Running, and -s Tables
        from 15.0)."""
        show = self.o.show
        if show == "Anchors":
            self.show_anchors()
        elif show == "rules":
            self.show_rules("", self.anchor, 0, False)
        elif show == "nat":
            self.show_nat()
        elif show == "info":
            self.ctx.out.append(status(self.pf, self.o.verbose > 0))
        elif show == "Tables":
            return self.show_tables()
        elif show == "Running":
            self.ctx.print("Enabled" if self.pf.enabled else "Disabled")  # print_running()
            return 0 if self.pf.enabled else 1  # pfctl_show_running(): "return (!running);"
        elif show == "creatorids":
            self.ctx.print("Creator IDs:")  # pfctl_show_creators(); the host id is not kept [I]
            self.ctx.print(f"{0:08x}")
        elif show == "all":
            # case 'a': PF_OPT_SHOWALL; the sections the simulated pf has, with their titles
            # (TIMEOUTS, LIMITS and OS FINGERPRINTS are left out) [I].
            self.show_nat(showall=True)
            self.show_rules("", self.anchor, 0, False, showall=True)
            self.title("INFO:")
            self.ctx.out.append(status(self.pf, self.o.verbose > 0))
            return self.show_tables(showall=True)
        # states, Sources, Interfaces, labels, timeouts, memory, osfp, queue, ether: the simulated
        # pf keeps none of these, so they list nothing.
        return 0

    def show_anchors(self) -> None:
        """``-s Anchors``: 13.x/14.x pfctl_show_anchors() lists the direct children of the anchor
        (all of them, recursively, only with -v), then pfctl_show_eth_anchors(); 15.0
        pfctl_walk_anchors() always recurses."""
        names = _existing_anchors(self.pf)
        verbose = self.o.verbose > 0
        if self.era.v15:
            if self.anchor and self.anchor not in names:
                raise self.ctx.fail("Anchor does not exist.")  # errx(1, "%s", pf_strerror(ret))

            def walk(parent: str) -> None:
                for child in _children(names, parent):
                    if child.rsplit("/", 1)[-1] == PF_RESERVED_ANCHOR:
                        continue
                    if not child.startswith("_") or verbose:  # pfctl_walk_show()
                        self.ctx.print(f"  {child}")
                    walk(child)

            walk(self.anchor)
        elif not self._list_anchors(names, self.anchor, verbose):
            return
        if self.era.handle and self.o.verbose > 1:
            self.ctx.print("Ethernet:")
        if self.era.eth and self.anchor and not self.era.late14:
            # pfctl_show_eth_anchors(): the simulated pf has no Ethernet anchors, so any named one
            # is ENOENT ("Anchor '%s' not found."); 14.2+ says nothing [guess] (and 15.0 too:
            # tests/sys/netpfil/pf/anchor.sh deeply_nested expects no stderr).
            self.ctx.err.append(f"Anchor '{self.anchor}' not found.\n")

    def _list_anchors(self, names: set[str], anchor: str, verbose: bool) -> bool:
        """13.x/14.x pfctl_show_anchors(); False when it returned -1."""
        if anchor and anchor not in names:
            if self.era.late14:
                return False  # 14.2's pfctl.c has its err(1, "... DIOCGETRULESETS") commented out
            # DIOCGETRULESETS: ENOENT, not the EINVAL it tests for -> err(1, "DIOCGETRULESETS")
            raise self.ctx.fail("DIOCGETRULESETS: No such file or directory")
        for child in _children(names, anchor):
            if child.rsplit("/", 1)[-1] == PF_RESERVED_ANCHOR:
                continue
            if not child.startswith("_") or verbose:
                self.ctx.print(f"  {child}")
            if verbose and not self._list_anchors(names, child, verbose):
                return False
        return True

    # -- -s nat ---------------------------------------------------------------------------

    def show_nat(self, showall: bool = False) -> None:
        """``-s nat``: pfctl_show_nat(dev, path, opts, anchorname, 0[, 0]) of the release."""
        self.dotitle = showall
        if self.era.v15:
            self._nat_15("", self.anchor, 0, False)
        elif self.era.late14:
            self._nat_14(_Buf(), self.anchor, 0, False)
        else:
            self._nat_13(_Buf(), self.anchor, 0)

    def _counts(self, path: str) -> "_Counts":
        """What DIOCGETRULE fills in of the addresses of a rule in ``path`` (for -vv)."""
        return _Counts(self.ctx, self.pf, path)

    def _nat_title(self) -> None:
        if self.dotitle:
            self.title("TRANSLATION RULES:")
            self.dotitle = False

    def _get_rule(self, path: str, ticket: str, kind: str, nr: int) -> _Rule | None:
        """DIOCGETRULENV for rule ``nr`` of ``kind`` in ``path`` with the ticket DIOCGETRULES gave
        for ``ticket``: ENOENT for a missing ruleset, EBUSY for another ruleset's ticket [guess:
        tickets of two rulesets never coincide]; the caller then warns "DIOCGETRULE"."""
        listed = _rules_of(self.pf, path, kind)
        if listed is None:
            self.ctx.warn("DIOCGETRULE: No such file or directory")
            return None
        if _canon(path) != _canon(ticket) or nr >= len(listed):
            self.ctx.warn("DIOCGETRULE: Device busy")
            return None
        return listed[nr]

    def _nat_13(self, path: _Buf, anchorname: str, depth: int) -> int:
        """13.x-14.1 pfctl_show_nat(): appends ``/anchorname`` to ``path`` and never truncates it
        again; recurses (-a '*' or an anchor named ``_...``) with the last component of the
        anchor_call only, so ``nat-anchor "x/*"`` lists the anchor ``*`` (which does not exist)."""
        path.value = f"{path.value}/{anchorname}" if path.value else anchorname
        for kind in NAT_KINDS:
            listed = _rules_of(self.pf, path.value, kind)
            if listed is None:
                self.ctx.warn("DIOCGETRULES: Invalid argument")  # warn("DIOCGETRULES"): EINVAL
                return -1
            ticket = path.value
            for nr in range(len(listed)):
                self.indent(depth)
                rule = self._get_rule(path.value, ticket, kind, nr)
                if rule is None:
                    return -1
                last_ = rule.call.rfind("_")
                brace = bool(rule.call) and (
                    (last_ >= 0 and (last_ == 0 or rule.call[last_ - 1] == "/")) or self.o.recurse)
                self._nat_title()
                self.ctx.out.append(_print_rule(rule, self.o.verbose > 1, nr, self._counts(path.value))
                                    + (" {\n" if brace else "\n"))
                self.counters()
                if brace:
                    self._nat_13(path, rule.call.rsplit("/", 1)[-1], depth + 1)
                    self.indent(depth)
                    self.ctx.print("}")
        return 0

    def _nat_14(self, path: _Buf, anchorname: str, depth: int, wildcard: bool) -> int:
        """14.2+ pfctl_show_nat(..., wildcard): drops a trailing ``/*``, takes an absolute name as
        is, and for a wildcard call with -a '*' lists the child anchors as ``nat-anchor "name" all
        {``; the path buffer is still not truncated after a listing, so a second call made in the
        same anchor looks in the wrong one."""
        if anchorname.endswith("/*"):
            anchorname = anchorname[:-2]
        length = len(path.value)
        if anchorname.startswith("/"):
            npath = _Buf(anchorname)
        else:
            path.value = f"{path.value}/{anchorname}" if path.value else anchorname
            npath = path
        if wildcard and self.o.recurse:
            children = _rulesets(self.pf, npath.value)
            if children is None:
                raise self.ctx.fail("DIOCGETRULESETS: No such file or directory")  # ENOENT != EINVAL
            for child in children:
                self.indent(depth)
                self.ctx.print(f'nat-anchor "{child}" all {{')
                self._nat_14(npath, child, depth + 1, False)
                self.indent(depth)
                self.ctx.print("}")
            path.value = path.value[:length]
            return 0
        for kind in NAT_KINDS:
            listed = _rules_of(self.pf, npath.value, kind)
            if listed is None:
                return -1  # 14.2's pfctl.c has its warnc(ret, "... DIOCGETRULES") commented out
            ticket = npath.value
            for nr in range(len(listed)):
                self.indent(depth)
                rule = self._get_rule(npath.value, ticket, kind, nr)
                if rule is None:
                    return -1
                self._nat_title()
                self.ctx.out.append(_print_rule(rule, self.o.verbose > 1, nr, self._counts(npath.value)))
                if rule.call and (_hidden(rule.call) or self.o.recurse):
                    self.ctx.out.append(" {\n")
                    self.counters()
                    self._nat_14(npath, rule.call, depth + 1, rule.wildcard)
                    self.indent(depth)
                    self.ctx.print("}")
                else:
                    self.ctx.out.append("\n")
                    self.counters()
        return 0

    def _nat_15(self, path: str, anchorname: str, depth: int, wildcard: bool) -> int:
        """15.0 pfctl_show_nat(): as 14.2 but with a fresh npath per call, so every anchor is
        listed where it is."""
        if anchorname.endswith("/*"):
            anchorname = anchorname[:-2]
        if anchorname.startswith("/"):
            npath = anchorname
        else:
            npath = f"{path}/{anchorname}" if path else anchorname
        if wildcard and self.o.recurse:
            children = _rulesets(self.pf, npath)
            if children is None:
                raise self.ctx.fail("Anchor does not exist.")  # errx(1, "%s", pf_strerror(ret))
            for child in children:
                self.indent(depth)
                self.ctx.print(f'nat-anchor "{child}" all {{')
                self._nat_15(npath, child, depth + 1, False)
                self.indent(depth)
                self.ctx.print("}")
            return 0
        for kind in NAT_KINDS:
            listed = _rules_of(self.pf, npath, kind)
            if listed is None:
                self.ctx.warn("DIOCGETRULES: Invalid argument")  # warnc(ret, "DIOCGETRULES")
                return -1
            for nr, rule in enumerate(listed):
                self.indent(depth)
                self._nat_title()
                self.ctx.out.append(_print_rule(rule, self.o.verbose > 1, nr, self._counts(npath)))
                if rule.call and (_hidden(rule.call) or self.o.recurse):
                    self.ctx.out.append(" {\n")
                    self.counters()
                    self._nat_15(npath, rule.call, depth + 1, rule.wildcard)
                    self.indent(depth)
                    self.ctx.print("}")
                else:
                    self.ctx.out.append("\n")
                    self.counters()
        return 0

    # -- -s rules -----------------------------------------------------------------------------

    def show_rules(self, path: str, anchorname: str, depth: int, wildcard: bool, showall: bool = False) -> None:
        """pfctl_show_rules(): scrub rules, then filter rules; an anchor call opens a ``{`` block
        for -a '*' or an anchor named ``_...``. 14.0+ lists the children of a wildcard call as
        ``anchor "name" all {``; 13.x drops the ``/*`` and lists the called anchor itself."""
        numbers = self.o.verbose > 1 or "g" in self.o.flags  # rule_numbers: VERBOSE2 | DEBUG
        if self.era.eth and anchorname.endswith("/*"):
            anchorname = anchorname[:-2]
        npath = anchorname if anchorname.startswith("/") else (f"{path}/{anchorname}" if path else anchorname)
        if self.era.eth and wildcard and self.o.recurse:
            children = _rulesets(self.pf, npath)
            if children is None:
                raise self.ctx.fail("DIOCGETRULESETS: No such file or directory")
            for child in children:
                self.indent(depth)
                self.ctx.print(f'anchor "{child}" all {{')
                self.show_rules(npath, child, depth + 1, False)
                self.indent(depth)
                self.ctx.print("}")
            return
        scrub = _rules_of(self.pf, npath, "scrub")
        if scrub is None:
            self.ctx.warn("DIOCGETRULES: Invalid argument")  # warn(c)(..., "DIOCGETRULES"): EINVAL
            return
        if showall:
            self.title("FILTER RULES:")  # "if (format == PFCTL_SHOW_RULES && (ri.nr > 0 || header))"
        for nr, rule in enumerate(scrub):
            self.ctx.print(_print_rule(rule, numbers, nr))
            self.counters()
        for nr, rule in enumerate(_rules_of(self.pf, npath, "filter") or []):
            self.indent(depth)
            call = rule.call
            if self.era.eth:
                brace = bool(call) and (_hidden(call) or self.o.recurse)
            else:
                last_ = call.rfind("_")
                brace = bool(call) and ((last_ >= 0 and (last_ == 0 or call[last_ - 1] == "/")) or self.o.recurse)
                if brace and call.endswith("*"):
                    call = call[:-2]  # "anchor_call[aclen - 2] = '\0'"
                    rule = attrs.evolve(rule, call=call, wildcard=False)
            self.ctx.out.append(_print_rule(rule, numbers, nr) + (" {\n" if brace else "\n"))
            self.counters()
            if brace:
                self.show_rules(npath, call, depth + 1, rule.wildcard)
                self.indent(depth)
                self.ctx.print("}")

    # -- -s Tables ----------------------------------------------------------------------------

    def show_tables(self, showall: bool = False) -> int:
        """pfctl_show_tables() -> pfctl_table("-s"): the anchor's active tables by name
        (print_table(); -v adds the flag letters ``cpairhC``; -g shows inactive ones too). For a
        missing anchor DIOCRGETTABLES fails with EINVAL (pfr_table_count() < 0) and radix_perror()
        prints it; 13.x/14.x main() ignores the result, 15.0 exits 1."""
        pf, anchor = self.pf, self.anchor
        if anchor and anchor not in _existing_anchors(pf):
            self.ctx.err.append("pfctl: Invalid argument.\n")
            if self.era.v15:
                raise _Exit(1)
            return 0
        refs = _references(pf)
        from_anchors = set().union(*(names for path, names in refs.items() if path)) if refs else set()
        listed = sorted((t for t in pf.tables if t.anchor == anchor), key=lambda t: t.name)
        if showall and listed:
            self.title("TABLES:")  # "if ((opts & PF_OPT_SHOWALL) && b.pfrb_size > 0)"
        shown = [t for t in listed if t.active or "g" in self.o.flags]
        for table in shown:
            if not self.o.verbose:
                self.ctx.print(table.name)
                continue
            referenced = table.name in refs.get(anchor, set())
            refdanchor = anchor == "" and table.name in from_anchors
            letters = (("c" if table.const else "-") + ("p" if table.persist else "-")
                       + ("a" if table.active else "-") + "-" + ("r" if referenced else "-")
                       + ("h" if refdanchor else "-") + "-")
            self.ctx.print(f"{letters}\t{table.name}" + (f"\t{table.anchor}" if table.anchor else ""))
        return 0

    # -- -F -----------------------------------------------------------------------------------

    def clear(self) -> None:
        """main()'s ``switch (*clearopt)``: pfctl_flush_rules(), pfctl_flush_nat(), the tables
        (pfctl_clear_tables(), 15.0 pfctl_do_clear_tables()) and for ``all`` the lot. Each flush
        is its own transaction, after which the kernel drops what nothing uses any more."""
        o, era, anchor = self.o, self.era, self.anchor
        if not era.v15 and _underscore(anchor):
            raise self.ctx.fail("anchor names beginning with '_' cannot be modified from the command line")
        clear = o.clear
        if clear == "ethernet":
            self.say("Ethernet rules cleared")  # pfctl_flush_eth_rules()
        elif clear == "rules":
            if era.v15 and o.recurse:
                self.recurse("rules")
            else:
                self.flush(anchor, "filter")
                self.say("rules cleared")
        elif clear == "nat":
            self.flush(anchor, "nat")
            self.say("nat cleared")
        elif clear == "Tables":
            if era.v15 and o.recurse:
                self.recurse("Tables")
            else:
                self.clear_tables(anchor, quiet=False)
        elif clear == "all":
            if era.v15 and o.iface is not None:
                raise Fail(f"pfctl: don't specify an interface with -Fall\n{era.usage}", 1)
            if era.eth:
                self.say("Ethernet rules cleared")
            self.flush(anchor, "filter")
            self.say("rules cleared")
            self.flush(anchor, "nat")
            self.say("nat cleared")
            if era.v15:
                if o.recurse:
                    self.recurse("all")
                else:
                    # pfctl_do_clear_tables(anchorname, opts); pfctl_flush_rules(dev, opts, anchorname);
                    self.clear_tables(anchor, quiet=False)
                    self.say("rules cleared")
            else:
                self.clear_tables(anchor, quiet=False)
            if not anchor:
                # altq (no ALTQ in GENERIC: pfctl_clear_altq() returns quietly), states, source
                # nodes, statistics, fingerprints (silent), then pfctl_clear_interface_flags()
                # (15.0: pfctl_reset(), which ends with it).
                self.say("0 states cleared")
                self.say("source tracking entries cleared")
                self.clear_stats()
                self.say("pf: interface flags reset")
        elif clear == "states":
            if o.iface is not None and len(o.iface) >= 16:
                raise self.ctx.fail(f"invalid interface: {o.iface}")
            self.say("0 states cleared")  # pfctl_clear_iface_states(): "%d states cleared"
        elif clear == "Sources":
            self.say("source tracking entries cleared")  # pfctl_clear_src_nodes()
        elif clear == "info":
            self.clear_stats()
        elif clear == "Reset":
            self.say("pf: interface flags reset")  # pfctl_reset() -> pfctl_clear_interface_flags()
        # queue (no ALTQ) and osfp print nothing.

    def clear_stats(self) -> None:
        """pfctl_clear_stats(): DIOCCLRSTATUS also sets ``V_pf_status.since = time_second``."""
        self.pf.enabled_at = time.time()
        self.say("pf: statistics cleared")

    def flush(self, path: str, part: str) -> None:
        """pfctl_clear_rules()/pfctl_clear_nat(): an empty transaction for the anchor; the kernel
        then frees what only those rules held (tables, empty anchors)."""
        ruleset = self.pf.rulesets.get(path)
        if ruleset is not None:
            if part == "filter":
                ruleset.filter = []
            else:
                ruleset.nat = []
        _collect(self.pf)

    def clear_tables(self, path: str, quiet: bool) -> int:
        """pfctl_table("-F"): DIOCRCLRTABLES takes ACTIVE from every table of the anchor
        (pfr_clr_tables(); ENOENT when the anchor does not exist: radix_perror(), -1, which
        13.x/14.x main() ignores and 15.0 pfctl_do_clear_tables() turns into exit(1))."""
        pf = self.pf
        if path and path not in _existing_anchors(pf):
            self.ctx.err.append("pfctl: Anchor or Ruleset does not exist.\n")
            if self.era.v15 and not quiet:
                raise _Exit(1)
            return -1
        count = 0
        for table in pf.tables:
            if table.anchor == path and table.active:
                _deactivate(table)
                count += 1
        _collect(pf)
        if not quiet:
            self.say(f"{count} tables deleted.")  # xprintf("%d tables deleted")
        return 0

    def recurse(self, what: str) -> None:
        """15.0 pfctl_recurse(): ``Removing:`` and each anchor on stdout, then the flush of each,
        quietly. pfctl_get_anchors() inserts the anchors at the head of a list, so they come out
        in reverse walk order with the starting anchor last."""
        pf, anchor = self.pf, self.anchor
        names = _existing_anchors(pf)
        if anchor and anchor not in names:
            raise self.ctx.fail("Anchor does not exist.")  # pfctl_walk_anchors(): errx
        walked = [anchor]

        def walk(parent: str) -> None:
            for child in _children(names, parent):
                if child.rsplit("/", 1)[-1] != PF_RESERVED_ANCHOR:
                    walked.append(child)
                    walk(child)

        walk(anchor)
        self.ctx.print("Removing:")
        for name in reversed(walked):
            self.ctx.print(f"  {name or '/'}")
            if what in ("Tables", "all"):
                self.clear_tables(name, quiet=True)
            if what in ("rules", "all"):
                ruleset = pf.rulesets.get(name)
                if ruleset is not None:
                    ruleset.filter = []
        _collect(pf)

    # -- -f -----------------------------------------------------------------------------------

    def load(self, path: str) -> None:
        """pfctl.c pfctl_rules(): parse, then replace the anchor's rulesets and tables in one
        transaction (DIOCXBEGIN/DIOCXCOMMIT); any error leaves pf untouched and exits 1."""
        pf, o, ctx = self.pf, self.o, self.ctx
        source = "stdin" if path == "-" else path
        text = _read(ctx, path)
        if text is None:
            # parse.y pushfile(): warn("%s", name); parse_config(): warn("cannot open the main
            # config file!"); pfctl_rules(): ERRX("Syntax error in config file: ...") [I].
            ctx.warn(f"{path}: No such file or directory")
            ctx.warn("cannot open the main config file!: No such file or directory")
            if not self.noaction:
                ctx.warn("Syntax error in config file: pf rules not loaded")
            raise _Exit(1)
        parsed = _parse_conf(ctx, source, text, o.macros)
        if parsed.errors:
            ctx.err.extend(parsed.errors)
            if not self.noaction:
                ctx.warn("Syntax error in config file: pf rules not loaded")
            raise _Exit(1)
        if o.verbose:
            for line in parsed.echo:
                ctx.print(line)
        if self.noaction:
            return
        self.install(self.anchor, parsed)
        _collect(pf)
        if not self.era.v15 and o.loadopt & LOAD_TABLE:
            _warn_namespace_collision(ctx, pf, None)  # main(): after a successful pfctl_rules()

    def install(self, anchor: str, parsed: "_Parsed") -> None:
        """DIOCXCOMMIT of one anchor's rulesets and tables, then of its inline anchors
        (pfctl_load_ruleset() opens a transaction for each)."""
        pf, loadopt = self.pf, self.o.loadopt
        ruleset = pf.rulesets.setdefault(anchor, Ruleset())
        if loadopt & LOAD_NAT:
            ruleset.nat = list(parsed.nat)
        if loadopt & LOAD_FILTER:
            ruleset.filter = list(parsed.filter)
        if loadopt & LOAD_TABLE:
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
        for name, sub in parsed.anchors.items():
            self.install(f"{anchor}/{name}" if anchor else name, sub)


# --- tables -----------------------------------------------------------------------------------


class _Tables:
    """pfctl_table.c pfctl_table(): one ``-T`` command; ``run()`` returns 0, 2 (test) or -1."""

    def __init__(self, run_: _Run, name: str) -> None:
        self.run_ = run_
        self.ctx = run_.ctx
        self.pf = run_.pf
        self.o = run_.o
        self.era = run_.era
        self.name = name
        self.anchor = run_.anchor
        self.kernel = not run_.noaction or run_.dummy
        """RVTEST()/CREATE_TABLE: ``(!(opts & PF_OPT_NOACTION) || (opts & PF_OPT_DUMMYACTION))``."""
        self.nochange = run_.noaction
        """PFR_FLAG_DUMMY: the kernel answers but changes nothing."""

    def xprintf(self, text: str) -> None:
        """xprintf(): stderr, silenced by -q; `` (dummy).`` with -n and /dev/pf readable,
        `` (syntax only).`` with -n without it, else ``.``."""
        if not self.run_.quiet:
            suffix = " (dummy).\n" if self.run_.dummy else (" (syntax only).\n" if self.run_.noaction else ".\n")
            self.ctx.err.append(text + suffix)

    def radix_perror(self, message: str) -> int:
        """radix_perror(): ``%s: %s.\\n`` of pfr_strerror(errno); RVTEST() then returns -1."""
        self.ctx.err.append(f"pfctl: {message}.\n")
        return -1

    def feedback(self, mark: str, entries: list[str]) -> None:
        """-v: print_addrx() of the entries with feedback, ``%c %c%s`` on stdout."""
        if self.o.verbose:
            for text in entries:
                self.ctx.print(f"{mark} {'!' if text.startswith('!') else ' '}{text.lstrip('!')}")

    def run(self) -> int:
        o, pf, name, anchor, cmd = self.o, self.pf, self.name, self.anchor, self.o.tblcmd
        words, file = o.words, o.rules
        if len(name) >= PF_TABLE_NAME_SIZE:
            raise self.run_.usage()  # "if (strlen(tname) >= PF_TABLE_NAME_SIZE) usage();"
        table = pf.table(name, anchor)
        active = table is not None and table.active
        if cmd in ("kill", "flush", "show", "reset") and (words or file is not None):
            raise self.run_.usage()
        if cmd == "zero" and (words or file is not None) and not self.era.v15:
            raise self.run_.usage()  # 13.x/14.x: "zero" takes no addresses [guess for 14.3]
        if cmd == "expire" and (len(words) != 1 or file is not None):
            raise self.run_.usage()
        if not self.kernel:
            return self.syntax_only(cmd)
        if cmd == "kill":
            # pfr_del_tables(): only an active table counts; a missing one is "0 table deleted" [guess].
            count = 1 if active else 0
            if active and not self.nochange:
                assert table is not None
                _deactivate(table)
                _collect(pf)
            self.xprintf(f"{count} table deleted")
            return 0
        if cmd == "flush":
            if table is None or not active:
                return self.radix_perror("Table does not exist")  # pfr_clr_addrs(): ESRCH
            if table.const:
                return self.radix_perror("Operation not permitted")  # EPERM
            count = len(table.addresses)
            if not self.nochange:
                table.addresses = []
            self.xprintf(f"{count} addresses deleted")
            return 0
        if cmd == "show":
            if table is None or not active:
                return self.radix_perror("Table does not exist")  # pfr_get_addrs(): ESRCH
            for text in sorted(table.addresses, key=_sort_key):
                # print_addrx(): "%c %c%s" = feedback char, '!' or ' ', address[/len].
                self.ctx.print(f"  {'!' if text.startswith('!') else ' '}{text.lstrip('!')}")
                if o.verbose:
                    # print_astats(): the counters are off (no "counters" flag), so only the time.
                    self.ctx.out.append(f"\tCleared:     {time.ctime()}\n")
            return 0
        if cmd in ("zero", "reset", "expire"):
            return self.stats(table)
        parsed = _load_addr(self.ctx, words, file)
        if parsed is None:
            return -1
        requested = [(_entry_text((net, neg)), clean) for net, neg, clean in parsed]
        if cmd in ("add", "replace"):
            if self.era.v15:
                # CREATE_TABLE: warn_duplicate_tables() first, whatever happens next.
                for other in pf.tables:
                    if other.name == name and other.anchor != anchor and other.active:
                        self.ctx.warn(f'warning: table <{name}> already defined in anchor "{other.anchor or "/"}"')
            created = 0 if active else 1
            if created and not self.nochange:
                if table is None:
                    table = Table(name=name, anchor=anchor, persist=True)
                    pf.tables.append(table)
                else:
                    table.active = True
                    table.persist = True
                    table.addresses = []
            if created:
                if not self.era.v15:
                    _warn_namespace_collision(self.ctx, pf, name)  # CREATE_TABLE, 13.x/14.x
                self.xprintf(f"{created} table created")
                if self.nochange:
                    return 0  # "if (opts & PF_OPT_NOACTION) return (0);"
            table = pf.table(name, anchor)
            if table is None or not table.active:
                table = Table(name=name, anchor=anchor, persist=True)  # dummy run on a new table
        elif table is None or not table.active:
            return self.radix_perror("Table does not exist")  # pfr_del_addrs/pfr_tst_addrs: ESRCH
        if cmd in ("add", "delete", "replace") and table.const:
            return self.radix_perror("Operation not permitted")  # pf_table.c: PFR_TFLAG_CONST -> EPERM
        if cmd in ("add", "delete", "replace") and not all(clean for _, clean in requested):
            return self.radix_perror("Invalid argument")  # pfr_validate_addr(): host bits set -> EINVAL [I]
        texts = [text for text, _ in requested]
        if cmd == "add":
            present = set(table.addresses)
            added = []
            for text in texts:
                if text in present or ("!" + text.lstrip("!")) in present or text.lstrip("!") in present:
                    continue  # duplicate or conflicting negation: not added (pfr_add_addrs)
                present.add(text)
                added.append(text)
            if not self.nochange:
                table.addresses.extend(added)
            self.xprintf(f"{len(added)}/{len(texts)} addresses added")
            self.feedback("A", added)
            return 0
        if cmd == "delete":
            removed = []
            for text in texts:
                if text in table.addresses and text not in removed:
                    removed.append(text)
            if not self.nochange:
                table.addresses = [a for a in table.addresses if a not in removed]
            self.xprintf(f"{len(removed)}/{len(texts)} addresses deleted")
            self.feedback("D", removed)
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
            if not self.nochange:
                table.addresses = wanted
            # pfctl_table(): one line per non-zero count, or "no changes".
            if nadd:
                self.xprintf(f"{nadd} addresses added")
            if ndel:
                self.xprintf(f"{ndel} addresses deleted")
            if nchange:
                self.xprintf(f"{nchange} addresses changed")
            if not (nadd or ndel or nchange):
                self.xprintf("no changes")
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
        self.xprintf(f"{len(matched)}/{len(texts)} addresses match")
        self.feedback("M", matched)
        return 2 if len(matched) < len(texts) else 0

    def syntax_only(self, cmd: str | None) -> int:
        """-n without /dev/pf (13.x, 14.0): RVTEST() and CREATE_TABLE skip every kernel call, so
        nothing fails and every count is 0."""
        if cmd in ("add", "delete", "replace", "test") or (cmd == "zero" and (self.o.words or self.o.rules)):
            parsed = _load_addr(self.ctx, self.o.words, self.o.rules)
            if parsed is None:
                return -1
            n = len(parsed)
            text = {"add": f"0/{n} addresses added", "delete": f"0/{n} addresses deleted",
                    "test": f"0/{n} addresses match", "zero": f"0/{n} addresses cleared"}.get(cmd or "", "no changes")
            self.xprintf(text)
            return 2 if cmd == "test" and n else 0
        other = {"kill": "0 table deleted", "flush": "0 addresses deleted", "zero": "0 table/stats cleared",
                 "expire": "0/0 addresses expired", "reset": "0/0 stats cleared"}.get(cmd or "")
        if other is not None:
            self.xprintf(other)
        return 0  # show: no addresses [I]

    def stats(self, table: Table | None) -> int:
        """``zero``, ``reset`` and ``expire``: the simulated tables keep no counters."""
        cmd, o = self.o.tblcmd, self.o
        active = table is not None and table.active
        if cmd == "expire":
            if not o.words[0].isdigit():
                raise self.ctx.fail("expiry time: invalid")  # strtonum() errstr
            if int(o.words[0]) > 0xFFFFFFFF:
                raise self.ctx.fail("expiry time: too large")
            if table is None or not active:
                return self.radix_perror("Table does not exist")
            self.xprintf("0/0 addresses expired")
            return 0
        if cmd == "reset":
            if table is None or not active:
                return self.radix_perror("Table does not exist")
            self.xprintf(f"0/{len(table.addresses)} stats cleared")
            return 0
        if o.words or o.rules is not None:
            parsed = _load_addr(self.ctx, o.words, o.rules)
            if parsed is None:
                return -1
            if table is None or not active:
                return self.radix_perror("Table does not exist")
            self.xprintf(f"0/{len(parsed)} addresses cleared")
            return 0
        self.xprintf(f"{1 if active else 0} table/stats cleared")
        return 0


def _warn_namespace_collision(ctx: Context, pf: Pf, name: str | None) -> None:
    """13.x/14.x pfctl_table.c warn_namespace_collision(): walk the active tables sorted by name
    then anchor; an anchor's table named like the root table before it is a collision."""
    coll = 0
    last = ""
    current: str | None = None
    for table in sorted(pf.tables, key=lambda t: (t.name, t.anchor)):
        if not table.active or (name is not None and table.name != name):
            continue
        if not table.anchor:
            current = table.name
        elif current is not None and current == table.name:
            coll += 1
            last = current
            current = None
    if coll == 1:
        ctx.warn(f"warning: namespace collision with <{last}> global table.")
    elif coll > 1:
        ctx.warn(f"warning: namespace collisions with {coll} global tables.")


# --- the kernel's rulesets ----------------------------------------------------------------------


def _canon(path: str) -> str:
    """pf_find_kruleset(): leading ``/`` are skipped; the rest must name an anchor exactly."""
    return path.lstrip("/")


def _anchor_name(words: list[str]) -> str | None:
    """The name an anchor rule calls (parse.y anchorrule: ``anchor [string]``), quotes removed;
    None for an unnamed (brace) anchor."""
    if len(words) < 2:
        return None
    name = words[1]
    if name.startswith('"'):
        return name.strip('"')
    if name in ("{", "on", "in", "out", "from", "to", "all", "inet", "inet6", "proto", "quick", "log"):
        return None
    return name


def _rule_of(path: str, text: str, part: str) -> _Rule:
    """A stored rule as the kernel keeps it: its ruleset and, for an anchor rule,
    pf_kanchor_setup() (relative names below ``path``, ``/*`` a wildcard over the children) and
    pf_kanchor_copyout() (the anchor_call)."""
    words = _tokens(text)
    first = words[0] if words else ""
    if first == "no" and len(words) > 1:
        first = words[1]
    if part == "nat":
        kind = first.split("-")[0] if first.split("-")[0] in NAT_KINDS else "nat"
    else:
        kind = "scrub" if first == "scrub" else "filter"
    if words and words[0] in ANCHOR_WORDS:
        name = _anchor_name(words)
        if name:
            wildcard = name.endswith("/*")
            base = name[:-2] if wildcard else name
            if base.startswith("/"):
                target = base.lstrip("/")
                call = "/" + target + ("/*" if wildcard else "")
            else:
                target = f"{path}/{base}" if path else base
                call = name
            return _Rule(kind, text, call, wildcard, target)
    return _Rule(kind, text)


def _rules_of(pf: Pf, path: str, kind: str) -> list[_Rule] | None:
    """DIOCGETRULES: the rules of one PF_RULESET_* of an anchor, or None when the anchor does not
    exist (EINVAL)."""
    path = _canon(path)
    if path and path not in _existing_anchors(pf):
        return None
    ruleset = pf.rulesets.get(path, Ruleset())
    part = "nat" if kind in NAT_KINDS else "filter"
    texts = ruleset.nat if part == "nat" else ruleset.filter
    return [r for r in (_rule_of(path, t, part) for t in texts) if r.kind == kind]


def _rulesets(pf: Pf, path: str) -> list[str] | None:
    """DIOCGETRULESETS/DIOCGETRULESET: the names of the child anchors, or None (ENOENT)."""
    path = _canon(path)
    names = _existing_anchors(pf)
    if path and path not in names:
        return None
    return [child.rsplit("/", 1)[-1] for child in _children(names, path)]


def _anchor_calls(path: str, ruleset: Ruleset) -> list[str]:
    """Anchors the rules of ``path`` call; the kernel creates their rulesets
    (pf_kanchor_setup() -> pf_find_or_create_kruleset())."""
    called = []
    for part, texts in (("nat", ruleset.nat), ("filter", ruleset.filter)):
        for text in texts:
            rule = _rule_of(path, text, part)
            if rule.call and rule.target:
                called.append(rule.target)
    return called


def _existing_anchors(pf: Pf) -> set[str]:
    """Every anchor (ruleset) the kernel has, main excluded: with rules, with tables, called by a
    rule, or a parent of one of those (pf_find_or_create_kruleset creates the whole path)."""
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
    """Direct children of ``parent``, sorted by path (the RB trees of pf_kanchor_compare())."""
    prefix = parent + "/" if parent else ""
    return sorted(n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):] and n != parent)


def _hidden(call: str) -> bool:
    """An anchor whose last component starts with ``_`` (an unnamed brace anchor): print_rule()
    leaves its name out and the listings always open it."""
    return call.rsplit("/", 1)[-1].startswith("_")


# --- print_rule() ---------------------------------------------------------------------------------


def _print_rule(rule: _Rule, numbers: bool, nr: int, counts: "_Counts | None" = None) -> str:
    """pfctl_parser.c print_rule() for what the simulator re-prints: ``@nr `` with -vv, an anchor
    call as ``nat-anchor "call"`` (the call as pf_kanchor_copyout() returns it) followed by
    ``all`` when the rule names no addresses, translation rules field by field (_print_trans(),
    with the table and interface address counts of -vv: ``verbose`` is PF_OPT_VERBOSE2 in
    pfctl_show_nat()) and pass/block rules with their defaults (_print_filter()). Other rules are
    printed as loaded [I]."""
    prefix = f"@{nr} " if numbers else ""
    words = _tokens(rule.text)
    if rule.call:
        kindword = words[0]
        rest = words[2:]
        if not any(w in ("from", "to", "all") for w in rest):
            rest = rest + ["all"]
        head = kindword if _hidden(rule.call) else f'{kindword} "{rule.call}"'
        return prefix + " ".join([head, *rest])
    if rule.kind in NAT_KINDS:
        # The kernel's rule: the stored text is what print_rule() printed when it was loaded, with
        # numeric ports, so it parses back to exactly one rule.
        parsed, messages = _parse_translation(counts.ctx if counts is not None else None, rule.text)
        if len(parsed) == 1 and not messages:
            return prefix + _print_trans(parsed[0], numbers, counts=counts)
        return prefix + rule.text
    if words and words[0] in ("pass", "block"):
        return prefix + _print_filter(words)
    return prefix + rule.text


#: print_rule(): what may stand before the addresses of a filter rule.
_HEAD_WORDS = ("in", "out", "log", "quick", "inet", "inet6")
#: print_rule(): what follows the addresses; ``flags`` and the state options go before them.
_TAIL_WORDS = ("user", "group", "icmp-type", "icmp6-type", "tos", "allow-opts", "label", "tag", "tagged",
               "queue", "rtable", "probability", "once", "set", "prio", "max-pkt-rate", "divert-to",
               "divert-reply", "fragment", "no-df", "min-ttl", "max-mss", "random-id", "reassemble", "ridentifier")
_STATE_WORDS = ("keep", "modulate", "synproxy")


def _print_filter(words: list[str]) -> str:
    """A pass or block rule the way print_rule() prints it: ``block`` is ``block drop`` (the
    default block-policy), no addresses is ``all``, and a pass rule keeps state by default with
    ``flags S/SA`` when it may match TCP (parse.y filter_opts defaults; anchor.sh nested_anchor
    prints ``pass on epair0a all flags S/SA keep state``) [I: the other defaults are not added]."""
    words = [w for w in words if w != ","]
    if words[0] == "block" and (len(words) < 2 or words[1] not in (
            "drop", "return", "return-rst", "return-icmp", "return-icmp6")):
        words.insert(1, "drop")
    i = 1
    while i < len(words):
        if words[i] in _HEAD_WORDS or words[i] in ("drop", "return", "return-rst"):
            i += 1
        elif words[i] in ("on", "proto") and i + 1 < len(words):
            i += 2
        else:
            break
    if not any(w in ("from", "to", "all") for w in words):
        words.insert(i, "all")
    if words[0] == "pass":
        proto = words[words.index("proto") + 1] if "proto" in words[:-1] else "tcp"
        stateless = "no" in words and words[words.index("no") + 1:words.index("no") + 2] == ["state"]
        end = next((j for j, w in enumerate(words) if j > i and w in _TAIL_WORDS), len(words))
        extra = []
        if proto == "tcp" and "flags" not in words and not stateless:
            extra.append("flags S/SA")
        if not stateless and not any(w in _STATE_WORDS for w in words):
            extra.append("keep state")
        words[end:end] = extra
    return " ".join(words)


# --- services(5) and protocols(5) -------------------------------------------------------------

#: FreeBSD's services(5) as usr.sbin/services_mkdb/services has it (freebsd/freebsd-src, the 2023
#: file of the tree 14.0 branched from): every tcp and udp line, in file order, as ``name port
#: protocols [aliases]`` (``t`` tcp, ``u`` udp, ``tu`` a tcp line and a udp line alike); the sctp,
#: ddp and divert lines and the comments are left out. The simulator never asks the Linux host's
#: /etc/services (socket.getservbyport() would answer differently per machine).
_SERVICES = """
tcpmux 1 tu; compressnet 2 tu; compressnet 3 tu; rje 5 tu; echo 7 tu; discard 9 tu sink null
systat 11 tu users; daytime 13 tu; qotd 17 tu quote; msp 18 tu; chargen 19 tu ttytst source; ftp-data 20 tu
ftp 21 tu; ssh 22 tu; telnet 23 tu; smtp 25 tu mail; nsw-fe 27 tu; msg-icp 29 tu; msg-auth 31 tu; dsp 33 tu
time 37 tu timserver; rap 38 tu; rlp 39 tu resource; graphics 41 tu; nameserver 42 tu name
nicname 43 tu whois; mpm-flags 44 tu; mpm 45 tu; mpm-snd 46 tu; ni-ftp 47 tu; auditd 48 tu; tacacs 49 tu
re-mail-ck 50 tu; la-maint 51 tu; xns-time 52 tu; domain 53 tu; xns-ch 54 tu; isi-gl 55 tu; xns-auth 56 tu
xns-mail 58 tu; acas 62 tu; whoispp 63 tu whois++; covia 64 tu; tacacs-ds 65 tu; sql-net 66 tu sql*net
bootps 67 tu dhcps; bootpc 68 tu dhcpc; tftp 69 tu; gopher 70 tu; netrjs-1 71 tu; netrjs-2 72 tu
netrjs-3 73 tu; netrjs-4 74 tu; deos 76 tu; vettcp 78 tu; finger 79 tu; http 80 tu www www-http; xfer 82 tu
mit-ml-dev 83 tu; ctf 84 tu; mit-ml-dev 85 tu; mfcobol 86 tu; kerberos-sec 88 tu kerberos; su-mit-tg 89 tu
dnsix 90 tu; mit-dov 91 tu; npp 92 tu; dcp 93 tu; objcall 94 tu; supdup 95 tu; dixie 96 tu; swift-rvf 97 tu
tacnews 98 tu; metagram 99 tu; newacct 100 t; hostname 101 tu hostnames; iso-tsap 102 tu tsap
gppitnp 103 tu; acr-nema 104 tu; csnet-ns 105 tu cso-ns cso; pop3pw 106 t 3com-tsmux; 3com-tsmux 106 u
rtelnet 107 tu; snagas 108 tu; pop2 109 tu postoffice; pop3 110 tu; sunrpc 111 tu rpcbind; mcidas 112 tu
auth 113 tu ident tap; sftp 115 tu; ansanotify 116 tu; uucp-path 117 tu; sqlserv 118 tu; nntp 119 tu usenet
cfdptkt 120 tu; erpc 121 tu; smakynet 122 tu; ntp 123 tu; ansatrader 124 tu; locus-map 125 tu; nxedit 126 tu
locus-con 127 tu; gss-xlicen 128 tu; pwdgen 129 tu; cisco-fna 130 tu; cisco-tna 131 tu; cisco-sys 132 tu
statsrv 133 tu; ingres-net 134 tu; epmap 135 tu; profile 136 tu; netbios-ns 137 tu; netbios-dgm 138 tu
netbios-ssn 139 tu; emfis-data 140 tu; emfis-cntl 141 tu; bl-idm 142 tu; imap 143 tu imap2 imap4; uma 144 tu
uaac 145 tu; iso-tp0 146 tu; iso-ip 147 tu; jargon 148 tu; aed-512 149 tu; sql-net 150 tu; hems 151 tu
bftp 152 tu; sgmp 153 tu; netsc-prod 154 tu; netsc-dev 155 tu; sqlsrv 156 tu; knet-cmp 157 tu
pcmail-srv 158 tu; nss-routing 159 tu; sgmp-traps 160 tu; snmp 161 tu; snmptrap 162 tu snmp-trap
cmip-man 163 tu; cmip-agent 164 t; smip-agent 164 u; xns-courier 165 tu; s-net 166 tu; namp 167 tu
rsvd 168 tu; send 169 tu; print-srv 170 tu; multiplex 171 tu; cl/1 172 tu; xyplex-mux 173 tu; mailq 174 tu
vmnet 175 tu; genrad-mux 176 tu; xdmcp 177 tu; nextstep 178 tu; bgp 179 tu; ris 180 tu; unify 181 tu
audit 182 tu; ocbinder 183 tu; ocserver 184 tu; remote-kis 185 tu; kis 186 tu; aci 187 tu; mumps 188 tu
qft 189 tu; gacp 190 t; gacp 190 u cacp; prospero 191 tu; osu-nms 192 tu; srmp 193 tu; irc 194 tu
dn6-nlm-aud 195 tu; dn6-smm-red 196 tu; dls 197 tu; dls-mon 198 tu; smux 199 tu; src 200 tu; at-rtmp 201 tu
at-nbp 202 tu; at-3 203 tu; at-echo 204 tu; at-5 205 tu; at-zis 206 tu; at-7 207 tu; at-8 208 tu
qmtp 209 tu; z39-50 210 tu z39.50 wais; 914c-g 211 tu 914c/g; anet 212 tu; ipx 213 tu; vmpwscs 214 tu
softpc 215 tu; CAIlic 216 tu atls; dbase 217 tu; mpp 218 tu; uarps 219 tu; imap3 220 tu; fln-spx 221 tu
rsh-spx 222 tu; cdc 223 tu; masqdialer 224 tu; direct 242 tu; sur-meas 243 tu; inbusiness 244 tu
link 245 tu; dsp3270 246 tu; subntbcst-tftp 247 tu subntbcst_tftp; bhfhs 248 tu; rap 256 tu; set 257 tu
esro-gen 259 tu; openport 260 tu; nsiiops 261 tu; arcisdms 262 tu; hdap 263 tu; bgmp 264 tu
x-bone-ctl 265 tu; sst 266 tu; td-service 267 tu; td-replica 268 tu; manet 269 t; pt-tls 271 t
http-mgmt 280 tu; personal-link 281 tu; cableport-ax 282 tu; rescap 283 tu; corerjd 284 tu; fxp 286 tu
k-block 287 tu; novastorbakcup 308 tu; entrusttime 309 tu; bhmds 310 tu; asip-webadmin 311 tu; vslmp 312 tu
magenta-logic 313 tu; opalis-robot 314 tu; dpsi 315 tu; decauth 316 tu; zannet 317 tu; pkix-timestamp 318 tu
ptp-event 319 tu; ptp-general 320 tu; pip 321 tu; rtsps 322 tu; rpki-rtr 323 t; rpki-rtr-tls 324 t
texar 333 tu; pdap 344 tu; pawserv 345 tu; zserv 346 tu; fatserv 347 tu; csi-sgwp 348 tu; mftp 349 tu
matip-type-a 350 tu; matip-type-b 351 tu; bhoetty 351 tu; dtag-ste-sb 352 tu; bhoedap4 352 tu
ndsauth 353 tu; bh611 354 tu; datex-asn 355 tu; cloanto-net-1 356 tu; bhevent 357 tu; shrinkwrap 358 tu
nsrmp 359 tu; scoi2odialog 360 tu; semantix 361 tu; srssend 362 tu; rsvp_tunnel 363 tu; aurora-cmgr 364 tu
dtk 365 tu; odmr 366 tu; mortgageware 367 tu; qbikgdp 368 tu; rpc2portmap 369 tu; codaauth2 370 tu
clearcase 371 tu; ulistserv 372 tu ulistproc; legent-1 373 tu; legent-2 374 tu; hassle 375 tu; nip 376 tu
tnETOS 377 tu; dsETOS 378 tu; is99c 379 tu; is99s 380 tu; hp-collector 381 tu; hp-managed-node 382 tu
hp-alarm-mgr 383 tu; arns 384 tu; ibm-app 385 tu; asa 386 tu; aurp 387 tu; unidata-ldm 388 tu; ldap 389 tu
uis 390 tu; synotics-relay 391 tu; synotics-broker 392 tu; meta5 393 tu; embl-ndt 394 tu; netcp 395 tu
netware-ip 396 tu; mptn 397 tu; kryptolan 398 tu; iso-tsap-c2 399 tu; osb-sd 400 tu; ups 401 tu
genie 402 tu; decap 403 tu; nced 404 tu; ncld 405 tu; imsp 406 tu; timbuktu 407 tu; prm-sm 408 tu
prm-nm 409 tu; decladebug 410 tu; rmt 411 tu; synoptics-trap 412 tu; smsp 413 tu; infoseek 414 tu
bnet 415 tu; silverplatter 416 tu; onmux 417 tu; hyper-g 418 tu; ariel1 419 tu; smpte 420 tu; ariel2 421 tu
ariel3 422 tu; opc-job-start 423 tu; opc-job-track 424 tu; icad-el 425 tu; smartsdp 426 tu; svrloc 427 tu
ocs_cmu 428 tu; ocs_amu 429 tu; utmpsd 430 tu; utmpcd 431 tu; iasd 432 tu; nnsp 433 tu
mobileip-agent 434 tu; mobilip-mn 435 tu; dna-cml 436 tu; comscm 437 tu; dsfgw 438 tu; dasp 439 tu
sgcp 440 tu; decvms-sysmgt 441 tu; cvc_hostd 442 tu; https 443 tu; snpp 444 tu; microsoft-ds 445 tu
ddm-rdb 446 tu; ddm-dfm 447 tu; ddm-ssl 448 tu ddm-byte; as-servermap 449 tu; tserver 450 tu
sfs-smp-net 451 tu; sfs-config 452 tu; creativeserver 453 tu; contentserver 454 tu; creativepartnr 455 tu
macon-tcp 456 t; macon-udp 456 u; scohelp 457 tu; appleqtc 458 tu; ampr-rcmd 459 tu; skronk 460 tu
datasurfsrv 461 tu; datasurfsrvsec 462 tu; alpes 463 tu; kpasswd 464 tu kpasswd5; smtps 465 tu; urd 465 t
submissions 465 t; igmpv3lite 465 u; digital-vrc 466 tu; mylex-mapd 467 tu; photuris 468 tu; rcp 469 tu
scx-proxy 470 tu; mondex 471 tu; ljk-login 472 tu; hybrid-pop 473 tu; tn-tl-w1 474 t; tn-tl-w2 474 u
tcpnethaspsrv 475 tu; tn-tl-fd1 476 tu; ss7ns 477 tu; spsc 478 tu; iafserver 479 tu; iafdbase 480 tu
ph 481 tu; bgs-nsi 482 tu; ulpnet 483 tu; integra-sme 484 tu; powerburst 485 tu; avian 486 tu; saft 487 tu
gss-http 488 tu; nest-protocol 489 tu; micom-pfs 490 tu; go-login 491 tu; ticf-1 492 tu; ticf-2 493 tu
pov-ray 494 tu; intecourier 495 tu; pim-rp-disc 496 tu; retrospect 497 tu; siam 498 tu; iso-ill 499 tu
isakmp 500 tu; stmf 501 tu; mbap 502 tu; intrinsa 503 tu; citadel 504 tu; mailbox-lm 505 tu; ohimsrv 506 tu
crs 507 tu; xvttp 508 tu; snare 509 tu; fcp 510 tu; passgo 511 tu; exec 512 t; biff 512 u comsat
login 513 t; who 513 u whod; shell 514 t cmd; syslog 514 u; printer 515 tu spooler; videotex 516 tu
talk 517 tu; ntalk 518 tu; utime 519 tu unixtime; efs 520 t; router 520 u route routed; ripng 521 tu
ulp 522 tu; ibm-db2 523 tu; ncp 524 tu; timed 525 tu timeserver; tempo 526 tu newdate; stx 527 tu
custix 528 tu; irc-serv 529 tu; courier 530 tu rpc; conference 531 tu chat; netnews 532 tu readnews
netwall 533 tu; windream 534 tu; iiop 535 tu; opalis-rdv 536 tu; nmsp 537 tu; gdomap 538 tu
apertus-ldp 539 tu; uucp 540 tu uucpd; uucp-rlogin 541 tu; commerce 542 tu; klogin 543 tu
kshell 544 tu krcmd; appleqtcsrvr 545 tu; dhcpv6-client 546 tu; dhcpv6-server 547 tu; afpovertcp 548 tu
idfp 549 tu; new-rwho 550 tu new-who; cybercash 551 tu; devshr-nts 552 tu deviceshare; pirp 553 tu
rtsp 554 tu; dsf 555 tu; remotefs 556 tu rfs rfs_server; openvms-sysipc 557 tu; sdnskmp 558 tu
teedtap 559 tu; rmonitor 560 tu rmonitord; monitor 561 tu; chshell 562 tu chcmd; nntps 563 tu snntp
9pfs 564 tu; whoami 565 tu; streettalk 566 tu; banyan-rpc 567 tu; ms-shuttle 568 tu; ms-rome 569 tu
meter 570 tu; umeter 571 tu; sonar 572 tu; banyan-vip 573 tu; ftp-agent 574 tu; vemmi 575 tu; ipcd 576 tu
vnas 577 tu; ipdd 578 tu; decbsrv 579 tu; sntp-heartbeat 580 tu; bdp 581 tu; scc-security 582 tu
philips-vc 583 tu; keyserver 584 tu; password-chg 586 tu; submission 587 tu; cal 588 tu; eyelink 589 tu
tns-cml 590 tu; http-alt 591 tu; eudora-set 592 tu; http-rpc-epmap 593 tu; tpip 594 tu; cab-protocol 595 tu
smsd 596 tu; ptcnameservice 597 tu; sco-websrvrmg3 598 tu; acp 599 tu; ipcserver 600 tu; syslog-conn 601 tu
xmlrpc-beep 602 tu; idxp 603 tu; tunnel 604 tu; soap-beep 605 tu; urm 606 tu; nqs 607 tu; sift-uft 608 tu
npmp-trap 609 tu; npmp-local 610 tu; npmp-gui 611 tu; hmmp-ind 612 tu; hmmp-op 613 tu; sshell 614 tu
sco-inetmgr 615 tu; sco-sysmgr 616 tu; sco-dtmgr 617 tu; dei-icda 618 tu; compaq-evm 619 tu
sco-websrvrmgr 620 tu; escp-ip 621 tu; collaborator 622 tu; asf-rmcp 623 tu; cryptoadmin 624 tu
dec-dlm 625 tu dec_dlm; asia 626 tu; passgo-tivoli 627 tu; qmqp 628 tu; 3com-amp3 629 tu; rda 630 tu
ipp 631 tu ipps; bmpp 632 tu; servstat 633 tu; ginad 634 tu; rlzdbase 635 tu; ldaps 636 tu sldap
lanserver 637 tu; mcns-sec 638 tu; msdp 639 tu; entrust-sps 640 tu; repcmd 641 tu; esro-emsdp 642 tu
sanity 643 tu; dwr 644 tu; pssc 645 tu; ldp 646 tu; dhcp-failover 647 tu; rrp 648 tu; cadview-3d 649 tu
obex 650 tu; ieee-mms 651 tu; hello-port 652 tu; repscmd 653 tu; aodv 654 tu; tinc 655 tu; spmp 656 tu
rmc 657 tu; tenfold 658 tu; mac-srvr-admin 660 tu; hap 661 tu; pftp 662 tu; purenoise 663 tu
asf-secure-rmcp 664 tu; sun-dr 665 tu; mdqs 666 tu; doom 666 tu; disclose 667 tu; mecomm 668 tu
meregister 669 tu; vacdsm-sws 670 tu; vacdsm-app 671 tu; vpps-qua 672 tu; cimplex 673 tu; acap 674 tu
dctp 675 tu; vpps-via 676 tu; vpp 677 tu; ggf-ncp 678 tu; mrm 679 tu; entrust-aaas 680 tu
entrust-aams 681 tu; xfr 682 tu; corba-iiop 683 tu; corba-iiop-ssl 684 tu; mdc-portmapper 685 tu
hcp-wismar 686 tu; asipregistry 687 tu; realm-rusd 688 tu; nmap 689 tu; vatp 690 tu; msexch-routing 691 tu
hyperwave-isp 692 tu; connendp 693 tu; ha-cluster 694 tu; ieee-mms-ssl 695 tu; rushd 696 tu; uuidgen 697 tu
olsr 698 tu; accessnetwork 699 tu; epp 700 tu; lmp 701 tu; iris-beep 702 tu; elcsd 704 tu; agentx 705 tu
silc 706 tu; borland-dsj 707 tu; entrustmanager 709 tu; entrust-ash 710 tu; cisco-tdp 711 tu; tbrpf 712 tu
iris-xpc 713 tu; iris-xpcs 714 tu; iris-lwz 715 tu; pana 716 u; netviewdm1 729 tu; netviewdm2 730 tu
netviewdm3 731 tu; netgw 741 tu; netrcs 742 tu; flexlm 744 tu; fujitsu-dev 747 tu; ris-cm 748 tu
kerberos-adm 749 tu; rfile 750 t; loadav 750 u; kerberos-iv 750 u kdc; pump 751 tu; qrh 752 tu; rrh 753 tu
krb_prop 754 t krb5_prop; tell 754 tu; nlogin 758 tu; con 759 tu; ns 760 tu; rxe 761 tu; quotad 762 tu
cycleserv 763 tu; omserv 764 tu; webster 765 tu; phonebook 767 tu; vid 769 tu; cadlock 770 tu; rtip 771 tu
cycleserv2 772 tu; submit 773 t; notify 773 u; rpasswd 774 t; acmaint-dbd 774 u acmaint_dbd; entomb 775 t
acmaint-transd 775 u acmaint_transd; wpages 776 tu; multiling-http 777 tu; wpgs 780 tu
mdbs-daemon 800 tu mdbs_daemon; device 801 tu; mbap-s 802 tu; fcp-udp 810 tu; itm-mcell-s 828 tu
pkix-3-ca-ra 829 tu; netconf-ssh 830 tu; netconf-beep 831 tu; netconfsoaphttp 832 tu; netconfsoapbeep 833 tu
dhcp-failover2 847 tu; gdoi 848 tu; domain-s 853 tu; iscsi 860 tu; owamp-control 861 tu
twamp-control 862 tu; supfilesrv 871 t; rsync 873 tu; iclcnet-locate 886 tu; iclcnet_svinfo 887 tu
accessbuilder 888 tu; omginitialrefs 900 tu; swat 901 t; smpnameres 901 tu; ideafarm-chat 902 tu
ideafarm-catch 903 tu; kink 910 tu; xact-backup 911 tu; apex-mesh 912 tu; apex-edge 913 tu; rndc 953 t
ftps-data 989 tu; ftps 990 tu; nas 991 tu; telnets 992 tu; imaps 993 tu; ircs 994 tu; pop3s 995 tu spop3
vsinet 996 tu; maitrd 997 tu; busboy 998 t; puparp 998 u; garcon 999 t; applix 999 u; puprouter 999 tu
cadlock2 1000 tu; webpush 1001 t; surf 1010 tu; exp1 1021 tu; exp2 1022 tu; blackjack 1025 tu; cap 1026 tu
6a44 1027 u; boinc-client 1043 tu; nim 1058 tu; nimreg 1059 tu; instl-boots 1067 tu instl_boots
instl-bootc 1068 tu instl_bootc; socks 1080 tu; webobjects 1085 tu; ff-annunc 1089 tu; ff-fms 1090 tu
ff-sm 1091 tu; cnrprotocol 1096 tu; rmiactivation 1098 tu; rmiregistry 1099 tu; mctp 1100 tu; kpop 1109 tu
nfsd-status 1110 t; nfsd-keepalive 1110 u; supfiledbg 1127 t; c1222-acse 1153 tu; nfa 1155 tu
cisco-ipsla 1167 tu; tripwire 1169 tu; skkserv 1178 t; mysql-cluster 1186 tu; openvpn 1194 tu; rsf-1 1195 tu
qt-serveradmin 1220 tu; healthd 1281 tu; pkt-krb-ipsec 1293 tu; h323hostcallsc 1300 tu; jtag-server 1309 tu
hkrb5gatekeeper 1318 t; krb5gatekeeper 1318 u; netdb-export 1329 tu; digital-notary 1335 tu; icap 1344 tu
ms-sql-s 1433 tu; ms-sql-m 1434 tu; ingreslock 1524 tu; orasrv 1525 tu; prospero-np 1525 tu; pdap-np 1526 tu
tlisrv 1527 tu; pciarray 1552 tu; issd 1600 tu; nkd 1650 tu; shiva_confsrvr 1651 tu; xnmp 1652 tu
l2f 1701 tu; l2tp 1701 tu; pptp 1723 t; radius 1812 u; radacct 1813 u; ssdp 1900 tu; licensedaemon 1986 tu
tr-rsrb-p1 1987 tu; tr-rsrb-p2 1988 tu; tr-rsrb-p3 1989 tu; stun-p1 1990 tu; stun-p2 1991 tu
stun-p3 1992 tu; ipsendmsg 1992 tu; snmp-tcp-port 1993 tu; stun-port 1994 tu; perf-port 1995 tu
tr-rsrb-port 1996 tu; gdp-port 1997 tu; x25-svc-port 1998 tu; tcp-id-port 1999 tu; cfingerd 2003 t
mailbox 2004 t; oracle 2005 u; raid-cc 2006 u; raid-am 2007 u; raid-cc 2011 t; lam 2040 tu
interbase 2041 tu; nfsd 2049 tu nfs; dlsrpn 2065 tu; dlswpn 2067 tu; gnunet 2086 tu; descent3 2092 tu
h2250-annex-g 2099 tu; rtcm-sc104 2101 tu; zephyr-srv 2102 tu; zephyr-clt 2103 u; zephyr-hm 2104 u
minipay 2105 tu; mzap 2106 tu; eklogin 2105 tu; ekshell 2106 tu; gdbremote 2159 tu; apc-2160 2160 tu
apc-2161 2161 tu; msfw-storage 2171 tu; msfw-s-storage 2172 tu; msfw-replica 2173 tu; msfw-array 2174 tu
airsync 2175 tu; rapi 2176 tu; vmrdp 2179 tu; jps 2205 tu; hpocbus 2206 tu; hpssd 2207 tu; hpiod 2208 tu
rimf-ps 2209 tu; mysql-im 2273 tu; dbm 2345 tu; rsmtp 2390 tu; cvspserver 2401 tu; venus 2430 tu
venus-se 2431 tu; codasrv 2432 tu; codasrv-se 2433 tu; sybasedbsynch 2439 tu; citrixima 2512 tu
citrixadmin 2513 tu; hpstgmgr 2600 tu; discp-client 2601 tu; discp-server 2602 tu; servicemeter 2603 tu
nsc-ccs 2604 tu; nsc-posa 2605 tu; netmon 2606 tu; connection 2607 tu; wag-service 2608 tu; dict 2628 tu
smpp 2775 tu; www-dev 2784 tu; citrix-rtmp 2897 tu; m2ua 2904 tu; m3ua 2905 t; megaco-h248 2944 tu
h248-binary 2945 tu; netplan 2983 tu; cifs 3020 tu; eppc 3031 tu; gds_db 3050 tu; grubd 3136 tu
iscsi-target 3260 tu; mysql 3306 tu; ms-wbt-server 3389 t rdp; ms-wbt-server 3389 u; efi-lm 3392 tu
prsvp 3455 t; prsvp 3455 u rsvp-encap; nppmp 3476 tu; nut 3493 tu; lsp-ping 3503 tu; 802-11-iapp 3517 tu
jboss-iiop 3528 tu; jboss-iiop-ssl 3529 tu; m2pa 3565 t; tsp 3653 tu; daap 3689 tu; svn 3690 tu
bfd-control 3784 tu; bfd-echo 3785 tu; asap-tcp 3863 t; asap-udp 3863 u; asap-tcp-tls 3864 t
diameter 3868 t; mapper-nodemgr 3984 tu; mapper-mapethd 3985 tu; mapper-ws_ethd 3986 tu; dnx 3998 tu
lockd 4045 u; lockd 4045 t; nuts_dem 4132 tu; nuts_bootp 4133 tu; sieve 4190 tu; nss 4159 tu; rwhois 4321 tu
epmd 4369 tu; krb524 4444 tu; nv-video 4444 tu; ipsec-nat-t 4500 tu; hylafax 4559 tu; ipfix 4739 tu
ipfixs 4740 tu; vxlan 4789 u; derby-repli 4851 tu; rfe 5002 tu; mmcc 5050 tu; sip 5060 tu; sip-tls 5061 tu
xmpp-client 5222 tu; xmpp-server 5269 tu; presence 5298 tu; cfengine 5308 tu; mdns 5353 tu
mdnsresponder 5354 tu; postgresql 5432 tu; vami 5480 tu; personal-agent 5555 t; rplay 5555 u; amqps 5671 tu
amqp 5672 tu; v5ua 5675 tu; canna 5680 t; auriga-router 5680 u; vnc-server 5900 tu; couchdb 5984 tu
cvsup 5999 t; x11 6000 tu; x11-ssh 6010 tu; sge_qmaster 6444 tu; sge_execd 6445 tu; sane-port 6566 tu
kftp-data 6620 tu; kftp 6621 tu; ktelnet 6623 tu; afesc-mc 6628 u; ircu 6665 tu; ircd 6667 t; ircs-u 6697 t
afs3-fileserver 7000 tu; afs3-callback 7001 tu; afs3-prserver 7002 tu; afs3-vlserver 7003 tu
afs3-kaserver 7004 tu; afs3-volser 7005 tu; afs3-errors 7006 tu; afs3-bos 7007 tu; afs3-update 7008 tu
afs3-rmtsys 7009 tu; afs3-resserver 7010 tu; ups-onlinet 7010 tu; afs3-remio 7011 tu; font-service 7100 tu
simco 7626 t; ftp-proxy 8021 t; intu-ec-client 8021 u; http-alt 8080 tu; privoxy 8118 tu; puppet 8140 t
pim 8471 t; asterix 8600 tu; ub-dns-control 8953 t; aurora 9084 tu; jetdirect 9100 t; pdl-datastream 9100 tu
bacula-dir 9101 tu; bacula-fd 9102 tu; bacula-sd 9103 tu; prom-sysctl 9124 t; git 9418 tu; prom-ctl 9572 t
odbcpathway 9628 tu; davsrc 9800 tu; davsrcs 9802 tu; sd 9876 tu; iua 9900 tu; enrp 9901 u
zabbix-agent 10050 tu; zabbix-trapper 10051 tu; amanda 10080 tu; amandaidx 10082 t; amidxtape 10083 t
bpcd 13782 tu; sua 14001 t; amt-soap-http 16992 tu; amt-soap-https 16993 tu; amt-redir-tcp 16994 tu
amt-redir-tls 16995 tu; isode-dua 17007 tu; biimenu 18000 tu; nfsrdma 20049 tu; wnn6 22273 t wnn4
wnn6_Cn 22289 t wnn4_Cn; wnn6_Kr 22305 t wnn4_Kr; wnn6_Tw 22321 t wnn4_Tw; wnn6-ds 26208 tu
dbbrowse 47557 tu"""

#: lib/libc/net/protocols: ``name number [aliases]``.
_PROTOCOLS = """
ip 0 IP; icmp 1 ICMP; igmp 2 IGMP; ggp 3 GGP; ipencap 4 IP-ENCAP; st2 5 ST2; tcp 6 TCP; cbt 7 CBT; egp 8 EGP
igp 9 IGP; bbn-rcc 10 BBN-RCC-MON; nvp 11 NVP-II; pup 12 PUP; argus 13 ARGUS; emcon 14 EMCON; xnet 15 XNET
chaos 16 CHAOS; udp 17 UDP; mux 18 MUX; dcn 19 DCN-MEAS; hmp 20 HMP; prm 21 PRM; xns-idp 22 XNS-IDP
trunk-1 23 TRUNK-1; trunk-2 24 TRUNK-2; leaf-1 25 LEAF-1; leaf-2 26 LEAF-2; rdp 27 RDP; irtp 28 IRTP
iso-tp4 29 ISO-TP4; netblt 30 NETBLT; mfe-nsp 31 MFE-NSP; merit-inp 32 MERIT-INP; dccp 33 DCCP; 3pc 34 3PC
idpr 35 IDPR; xtp 36 XTP; ddp 37 DDP; idpr-cmtp 38 IDPR-CMTP; tp++ 39 TP++; il 40 IL; ipv6 41 IPV6
sdrp 42 SDRP; ipv6-route 43 IPV6-ROUTE; ipv6-frag 44 IPV6-FRAG; idrp 45 IDRP; rsvp 46 RSVP; gre 47 GRE
dsr 48 DSR; bna 49 BNA; esp 50 ESP; ah 51 AH; i-nlsp 52 I-NLSP; swipe 53 SWIPE; narp 54 NARP
mobile 55 MOBILE; tlsp 56 TLSP; skip 57 SKIP; ipv6-icmp 58 IPV6-ICMP icmp6; ipv6-nonxt 59 IPV6-NONXT
ipv6-opts 60 IPV6-OPTS; cftp 62 CFTP; sat-expak 64 SAT-EXPAK; kryptolan 65 KRYPTOLAN; rvd 66 RVD
ippc 67 IPPC; sat-mon 69 SAT-MON; visa 70 VISA; ipcv 71 IPCV; cpnx 72 CPNX; cphb 73 CPHB; wsn 74 WSN
pvp 75 PVP; br-sat-mon 76 BR-SAT-MON; sun-nd 77 SUN-ND; wb-mon 78 WB-MON; wb-expak 79 WB-EXPAK
iso-ip 80 ISO-IP; vmtp 81 VMTP; secure-vmtp 82 SECURE-VMTP; vines 83 VINES; ttp 84 TTP
nsfnet-igp 85 NSFNET-IGP; dgp 86 DGP; tcf 87 TCF; eigrp 88 EIGRP; ospf 89 OSPFIGP; sprite-rpc 90 Sprite-RPC
larp 91 LARP; mtp 92 MTP; ax.25 93 AX.25; ipip 94 IPIP; micp 95 MICP; scc-sp 96 SCC-SP; etherip 97 ETHERIP
encap 98 ENCAP; gmtp 100 GMTP; ifmp 101 IFMP; pnni 102 PNNI; pim 103 PIM; aris 104 ARIS; scps 105 SCPS
qnx 106 QNX; a/n 107 A/N; ipcomp 108 IPComp; snp 109 SNP; compaq-peer 110 Compaq-Peer
ipx-in-ip 111 IPX-in-IP; carp 112 CARP vrrp; pgm 113 PGM; l2tp 115 L2TP; ddx 116 DDX; iatp 117 IATP
stp 118 STP; srp 119 SRP; uti 120 UTI; smp 121 SMP; sm 122 SM; ptp 123 PTP; isis 124 ISIS; fire 125 FIRE
crtp 126 CRTP; crudp 127 CRUDP; sscopmce 128 SSCOPMCE; iplt 129 IPLT; sps 130 SPS; pipe 131 PIPE
sctp 132 SCTP; fc 133 FC; rsvp-e2e-ignore 134 RSVP-E2E-IGNORE; mobility-header 135 Mobility-Header
udplite 136 UDPLite; mpls-in-ip 137 MPLS-IN-IP; manet 138 MANET; hip 139 HIP; shim6 140 SHIM6; wesp 141 WESP
rohc 142 ROHC; pfsync 240 PFSYNC; divert 258 DIVERT"""


def _entries(text: str) -> list[list[str]]:
    return [entry.split() for entry in re.split(r"[;\n]", text) if entry.strip()]


@functools.cache
def _services() -> tuple[dict[tuple[int, str], str], dict[tuple[str, str], int]]:
    """(port, proto) -> name and (name or alias, proto) -> port: the first line that matches wins.
    lib/libc/net/nsswitch.conf has ``services: compat``, which reads the file in order, and
    usr.sbin/services_mkdb/services_mkdb.c stores each key with R_NOOVERWRITE, so services.db
    answers the same [I]."""
    byport: dict[tuple[int, str], str] = {}
    byname: dict[tuple[str, str], int] = {}
    for name, port, protos, *aliases in _entries(_SERVICES):
        for letter, proto in (("t", "tcp"), ("u", "udp")):
            if letter in protos:
                byport.setdefault((int(port), proto), name)
                for word in (name, *aliases):
                    byname.setdefault((word, proto), int(port))
    return byport, byname


def getservbyport(port: int, proto: str) -> str | None:
    """getservbyport(3) over FreeBSD's services(5): the service name of a tcp or udp port."""
    return _services()[0].get((port, proto))


def getservbyname(name: str, proto: str) -> int | None:
    """getservbyname(3) over FreeBSD's services(5): the port of a name or alias."""
    return _services()[1].get((name, proto))


@functools.cache
def _protocols() -> tuple[dict[int, str], dict[str, int]]:
    bynumber: dict[int, str] = {}
    byname: dict[str, int] = {}
    for name, number, *aliases in _entries(_PROTOCOLS):
        bynumber.setdefault(int(number), name)
        for word in (name, *aliases):
            byname.setdefault(word, int(number))
    return bynumber, byname


def getprotobynumber(number: int) -> str | None:
    """getprotobynumber(3) over lib/libc/net/protocols (sbin/pfctl/pfctl.c pfctl_proto2name())."""
    return _protocols()[0].get(number)


def getprotobyname(name: str) -> int | None:
    """getprotobyname(3): a name or an alias (strcmp, so ``TCP`` is tcp's alias)."""
    return _protocols()[1].get(name)


# --- translation rules: sbin/pfctl/parse.y natrule, binatrule; pfctl_parser.c print_rule() -----
#
# Read in freebsd/freebsd-src: parse.y and pfctl_parser.c of 2023 (``struct pfctl_rule``, Ethernet
# rules, ``$FreeBSD$`` still present: the tree 14.0 branched from; 13.x has the same natrule,
# binatrule, expand_rule() and print_rule() for translation rules [I]), pf_print_state.c
# print_addr(), sys/netpfil/pf/pf_ioctl.c pf_tbladdr_copyout().

#: parse.y lookup(): every keyword yylex() returns as a token rather than a STRING.
_PF_KEYWORDS = frozenset("""
all allow-opts altq anchor antispoof any bandwidth binat binat-anchor bitmask block block-policy bridge-to
buckets cbq code codelq debug divert-reply divert-to dnpipe dnqueue drop dup-to ether fail-policy fairq
fastroute file fingerprints flags floating flush for fragment from global group hfsc hogs hostid icmp-type
icmp6-type if-bound in include inet inet6 interval keep keepcounters l3 label limit linkshare load log
loginterface map-e-portset match max max-mss max-src-conn max-src-conn-rate max-src-nodes max-src-states
min-ttl modulate nat nat-anchor no no-df no-route no-sync on optimization os out overload pass port prio
priority priq probability proto qlimit queue quick random random-id rdr rdr-anchor realtime reassemble
reply-to require-order return return-icmp return-icmp6 return-rst ridentifier round-robin route route-to
rtable rule ruleset-optimization scrub set set-tos skip sloppy source-hash source-track state
state-defaults state-policy static-port sticky-address syncookies synproxy table tag tagged target tbrsize
timeout to tos ttl upperlimit urpf-failed user
""".split())

# net/pfvar.h
PF_LOG = 0x01
PF_LOG_ALL = 0x02
PF_LOG_SOCKET_LOOKUP = 0x04
PF_NAT_PROXY_PORT_LOW = 50001
PF_NAT_PROXY_PORT_HIGH = 65535
#: PF_TAG_NAME_SIZE, IFNAMSIZ.
PF_TAG_NAME_SIZE = 64
IFNAMSIZ = 16
#: pfvar.h PF_OP_*: the port operators as print_op() writes them (RRG is ``a:b``).
PORT_OPS = ("=", "!=", "<", "<=", ">", ">=", "><", "<>", ":")
#: parse.y rt_tableid_max(): net.fibs - 1, and the simulated host has one FIB [I].
RT_TABLEID_MAX = 0


@attrs.frozen
class _Tok:
    """One yylex() token: ``kw`` (a keyword), ``str`` (STRING), ``num`` (NUMBER), ``->`` (ARROW),
    ``><``/``<>`` (PORTBINARY) or ``ch`` (any other character)."""

    kind: str
    text: str


def _string_char(c: str) -> bool:
    """parse.y allowed_in_string(): alphanumerics and punctuation but ``(){}<>!=/#,``."""
    return c.isalnum() or (c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" and c not in "(){}<>!=/#,")


def _lex(text: str) -> list[_Tok]:
    """parse.y yylex() over one statement (newlines inside braces count as blanks)."""
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "\"'":
            end = text.find(c, i + 1)
            end = n if end < 0 else end
            toks.append(_Tok("str", text[i + 1:end]))
            i = end + 1
        elif text.startswith(("<>", "><", "->"), i):
            toks.append(_Tok(text[i:i + 2], text[i:i + 2]))  # PORTBINARY, ARROW
            i += 2
        else:
            if c == "-" or c.isdigit():
                j = i + 1
                while j < n and text[j].isdigit():
                    j += 1
                # allowed_to_end_number(): blank, ')', ',', '/', '}', '=' or the end.
                if (c != "-" or j > i + 1) and (j == n or text[j].isspace() or text[j] in "),/}="):
                    toks.append(_Tok("num", text[i:j]))
                    i = j
                    continue
                if c == "-":
                    toks.append(_Tok("ch", c))
                    i += 1
                    continue
            if c.isalnum() or c in ":_":
                j = i + 1
                while j < n and _string_char(text[j]):
                    j += 1
                word = text[i:j]
                toks.append(_Tok("kw" if word in _PF_KEYWORDS else "str", word))
                i = j
            else:
                toks.append(_Tok("ch", c))
                i += 1
    return toks


@attrs.frozen
class _Addr:
    """A ``struct pf_addr_wrap`` with the af and negation of its node_host."""

    type: str = "mask"
    """``mask`` (PF_ADDR_ADDRMASK), ``range``, ``table``, ``dyn`` (PF_ADDR_DYNIFTL), ``noroute``,
    ``urpf``."""
    af: int = 0
    """0, 4 (AF_INET) or 6 (AF_INET6)."""
    net: Network | None = None
    """mask: the address and mask (None: ``any``); range: the first address."""
    end: str = ""
    """range: the last address."""
    name: str = ""
    """table name or interface name."""
    iflags: tuple[str, ...] = ()
    """dyn: the modifiers given (``network``, ``broadcast``, ``peer``, ``0``)."""
    bits: int | None = None
    """dyn: the ``/N`` given (set_ipmask()), None for the full mask."""
    neg: bool = False

    @property
    def is_any(self) -> bool:
        """PF_AZERO() of address and mask: ``any``, and also ``0.0.0.0/0``."""
        return self.type == "mask" and (self.net is None or (int(self.net.network_address) == 0
                                                             and self.net.prefixlen == 0))

    @property
    def multi(self) -> bool:
        """parse.y DYNIF_MULTIADDR(): an interface address without ``:0`` or whose name does not
        end in a digit."""
        return self.type == "dyn" and ("0" not in self.iflags or not self.name[-1:].isdigit())


_ANY = _Addr()


@attrs.frozen
class _Port:
    """A port operator and its operands (``struct pf_rule_addr`` port[2], port_op)."""

    op: str
    a: int
    b: int = 0


@attrs.frozen
class _Trans:
    """What print_rule() reads of a nat, rdr or binat ``struct pfctl_rule``."""

    action: str
    """``nat``, ``rdr`` or ``binat``."""
    no: bool = False
    natpass: bool = False
    log: int = 0
    logif: int = 0
    ifname: str = ""
    ifnot: bool = False
    af: int = 0
    proto: int = 0
    src: _Addr = _ANY
    sport: _Port | None = None
    os: str = ""
    dst: _Addr = _ANY
    dport: _Port | None = None
    tag: str = ""
    tagged: str = ""
    tagged_not: bool = False
    rtable: int = -1
    pool: tuple[_Addr, ...] = ()
    p1: int = 0
    """rpool.proxy_port[0]."""
    p2: int = 0
    pooltype: str = ""
    """``bitmask``, ``random``, ``source-hash``, ``round-robin`` or empty (PF_POOL_NONE)."""
    key: str = ""
    """source-hash: the key as print_pool() prints it."""
    sticky: bool = False
    mape: tuple[int, int, int] | None = None


class _YYError(Exception):
    """yyerror(message) then YYERROR: the statement is dropped."""


@attrs.define
class _Redirect:
    """parse.y ``struct redirection``: the hosts and the range of ``port``."""

    hosts: list[_Addr]
    a: int = 0
    b: int = 0
    t: str = ""


@attrs.define
class _PoolOpts:
    """parse.y ``struct pool_opts``."""

    type: str = ""
    staticport: bool = False
    sticky: bool = False
    key: str = ""
    mape: tuple[int, int, int] | None = None


class _TransParser:
    """parse.y natrule and binatrule for one statement, then expand_rule(). ``messages`` collects
    what it writes to stderr in order: ``("yy", text)`` for yyerror(), ``("raw", line)`` for the
    fprintf()s of host()."""

    def __init__(self, ctx: Context | None, text: str) -> None:
        self.ctx = ctx
        self.toks = _lex(text)
        self.i = 0
        self.messages: list[tuple[str, str]] = []

    # -- tokens ---------------------------------------------------------------------------------

    def peek(self, k: int = 0) -> _Tok:
        at = self.i + k
        return self.toks[at] if at < len(self.toks) else _Tok("end", "")

    def take(self) -> _Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.peek()
        return tok.kind == kind and (text is None or tok.text == text)

    def accept(self, kind: str, text: str | None = None) -> bool:
        if self.at(kind, text):
            self.i += 1
            return True
        return False

    def expect(self, kind: str, text: str | None = None) -> _Tok:
        if not self.at(kind, text):
            raise _YYError("syntax error")  # byacc's yyerror("syntax error")
        return self.take()

    def comma(self) -> None:
        """parse.y ``comma: ',' | /* empty */``."""
        self.accept("ch", ",")

    def yyerror(self, text: str) -> None:
        self.messages.append(("yy", text))

    # -- statements -----------------------------------------------------------------------------

    def parse(self) -> list[_Trans]:
        """One translation rule; raises _YYError for a dropped statement."""
        no = self.accept("kw", "no")
        word = self.expect("kw").text
        if word == "binat":
            return self.binatrule(no)
        if word not in ("nat", "rdr"):
            raise _YYError("syntax error")
        natpass, log, logif = self.natpasslog()
        if no and natpass:
            raise _YYError('"pass" not valid with "no"')  # nataction
        ifaces = self.interface()
        af = self.af()
        protos = self.proto()
        srcs, sports, oses, dsts, dports = self.fromto()
        tag = self.tag()
        tagged, tagged_not = self.tagged()
        rtable = self.rtable()
        redirect = self.redirpool()
        opts = self.pool_opts()
        if not self.at("end"):
            raise _YYError("syntax error")
        return self.natrule(word, no, natpass, log, logif, ifaces, af, protos, srcs, sports, oses, dsts, dports,
                            tag, tagged, tagged_not, rtable, redirect, opts)

    def natpasslog(self) -> tuple[bool, int, int]:
        """``natpasslog: /* empty */ | PASS | PASS log | log``."""
        natpass = self.accept("kw", "pass")
        log, logif = self.log() if self.at("kw", "log") else (0, 0)
        return natpass, log, logif

    def log(self) -> tuple[int, int]:
        """``log: LOG | LOG '(' logopts ')'``; ``logopt: ALL | USER | GROUP | TO string``."""
        self.expect("kw", "log")
        log, logif = PF_LOG, 0
        if self.accept("ch", "("):
            while True:
                tok = self.take()
                if tok.kind == "kw" and tok.text == "all":
                    log |= PF_LOG_ALL
                elif tok.kind == "kw" and tok.text in ("user", "group"):
                    log |= PF_LOG_SOCKET_LOOKUP
                elif tok.kind == "kw" and tok.text == "to":
                    name = self.string()
                    if not name.startswith("pflog"):
                        raise _YYError(f"{name}: should be a pflog interface")
                    number = name[5:]
                    if not number.isdigit():
                        raise _YYError(f"{name}: invalid")  # strtonum(): errstr "invalid"
                    if int(number) > 255:
                        raise _YYError(f"{name}: too large")
                    logif = int(number)
                else:
                    raise _YYError("syntax error")
                if self.accept("ch", ")"):
                    break
                self.comma()
        return log, logif

    def string(self) -> str:
        """``string: STRING string | STRING``: consecutive strings joined by a blank."""
        words = [self.expect("str").text]
        while self.at("str"):
            words.append(self.take().text)
        return " ".join(words)

    def interface(self) -> list[tuple[str, bool]]:
        """``interface: /* empty */ | ON if_item_not | ON '{' if_list '}'``."""
        if not self.accept("kw", "on"):
            return []
        if self.accept("ch", "{"):
            found = [self.if_item_not()]
            while not self.accept("ch", "}"):
                self.comma()
                found.append(self.if_item_not())
            return found
        return [self.if_item_not()]

    def if_item_not(self) -> tuple[str, bool]:
        neg = self.accept("ch", "!")
        name = self.expect("str").text
        if len(name) >= IFNAMSIZ:
            raise _YYError("interface name too long")
        return name, neg

    def af(self) -> int:
        if self.accept("kw", "inet"):
            return 4
        if self.accept("kw", "inet6"):
            return 6
        return 0

    def proto(self) -> list[int]:
        """``proto: PROTO proto_item | PROTO '{' proto_list '}'``."""
        if not self.accept("kw", "proto"):
            return []
        if self.accept("ch", "{"):
            found = [self.proto_item()]
            while not self.accept("ch", "}"):
                self.comma()
                found.append(self.proto_item())
            return found
        return [self.proto_item()]

    def proto_item(self) -> int:
        """protoval: getprotobyname(3) of a STRING, or a NUMBER of 0-255 (0 refused)."""
        tok = self.take()
        if tok.kind == "str":
            number = getprotobyname(tok.text)
            if number is None:
                raise _YYError(f"unknown protocol {tok.text}")
        elif tok.kind == "num":
            number = int(tok.text)
            if not 0 <= number <= 255:
                raise _YYError("protocol outside range")
        else:
            raise _YYError("syntax error")
        if number == 0:
            raise _YYError("proto 0 cannot be used")
        return number

    def fromto(self) -> tuple[list[_Addr], list[_Port], list[str], list[_Addr], list[_Port]]:
        """``fromto: ALL | from os to``; ``from: FROM ipportspec``; ``to: TO ipportspec``."""
        if self.accept("kw", "all"):
            return [], [], [], [], []
        srcs: list[_Addr] = []
        sports: list[_Port] = []
        dsts: list[_Addr] = []
        dports: list[_Port] = []
        oses: list[str] = []
        if self.accept("kw", "from"):
            srcs, sports = self.ipportspec()
        if self.accept("kw", "os"):
            if self.accept("ch", "{"):
                oses.append(self.expect("str").text)
                while not self.accept("ch", "}"):
                    self.comma()
                    oses.append(self.expect("str").text)
            else:
                oses.append(self.expect("str").text)
        if self.accept("kw", "to"):
            dsts, dports = self.ipportspec()
            if any(h.type == "urpf" for h in dsts):
                raise _YYError('"urpf-failed" is not permitted in a destination address')
        return srcs, sports, oses, dsts, dports

    def ipportspec(self) -> tuple[list[_Addr], list[_Port]]:
        """``ipportspec: ipspec | ipspec PORT portspec | PORT portspec``."""
        hosts: list[_Addr] = []
        if not self.at("kw", "port"):
            hosts = self.ipspec()
        ports = self.portspec() if self.accept("kw", "port") else []
        return hosts, ports

    def ipspec(self) -> list[_Addr]:
        """``ipspec: ANY | xhost | '{' host_list '}'``: ``any`` adds nothing to a list."""
        if self.accept("kw", "any"):
            return []
        if self.accept("ch", "{"):
            found = self.ipspec()
            while not self.accept("ch", "}"):
                self.comma()
                found += self.ipspec()
            return found
        neg = self.accept("ch", "!")
        if self.accept("kw", "no-route"):
            return [_Addr(type="noroute", neg=neg)]
        if self.accept("kw", "urpf-failed"):
            return [_Addr(type="urpf", neg=neg)]
        return [attrs.evolve(h, neg=neg) for h in self.host()]

    def host(self) -> list[_Addr]:
        """parse.y ``host``: STRING, STRING '-' STRING, STRING '/' NUMBER, NUMBER '/' NUMBER,
        dynaddr ['/' NUMBER], '<' STRING '>'."""
        tok = self.peek()
        if tok.kind == "ch" and tok.text == "<":
            self.take()
            name = self.expect("str").text
            self.expect("ch", ">")
            if len(name) >= PF_TABLE_NAME_SIZE:
                raise _YYError(f"table name '{name}' too long")
            return [_Addr(type="table", name=name)]
        if tok.kind == "ch" and tok.text == "(":
            dyn = self.dynaddr()
            if self.accept("ch", "/"):
                bits = int(self.expect("num").text)
                if not 0 <= bits <= 128:
                    raise _YYError("bit number too big")
                dyn = attrs.evolve(dyn, bits=bits)
            return [dyn]
        if tok.kind == "num" and self.peek(1).kind == "ch" and self.peek(1).text == "/":
            self.take()
            self.take()
            return self.resolve(f"{int(tok.text)}/{int(self.expect('num').text)}")
        first = self.expect("str").text
        if self.accept("ch", "/"):
            return self.resolve(f"{first}/{int(self.expect('num').text)}")
        if self.accept("ch", "-"):
            last = self.expect("str").text
            begin, end = self.resolve_pair(first, last)
            if (begin is None or end is None or begin.af != end.af or begin.type != "mask"
                    or end.type != "mask" or begin.net is None or end.net is None
                    or begin.net.prefixlen != begin.net.max_prefixlen
                    or end.net.prefixlen != end.net.max_prefixlen):
                raise _YYError("invalid address range")
            return [_Addr(type="range", af=begin.af, net=begin.net, end=str(end.net.network_address))]
        return self.resolve(first)

    def resolve_pair(self, first: str, last: str) -> tuple[_Addr | None, _Addr | None]:
        hosts = [self.host_(first), None]
        if hosts[0] is not None:
            hosts[1] = self.host_(last)
        if hosts[0] is None or hosts[1] is None:
            raise _YYError("could not parse host specification")
        one, two = hosts[0], hosts[1]
        return (one[0] if len(one) == 1 else None), (two[0] if len(two) == 1 else None)

    def resolve(self, text: str) -> list[_Addr]:
        found = self.host_(text)
        if found is None:
            raise _YYError("could not parse host specification")  # "any" is handled elsewhere
        return found

    def host_(self, s: str) -> list[_Addr] | None:
        """pfctl_parser.c host(): host_v4(), host_v6(), host_if(), then host_dns() (no resolver
        here); ``invalid netmask`` and ``no IP address found for`` go to stderr."""
        mask = -1
        ps = s
        if "/" in s:
            cut = s.rindex("/")
            mask_value = _strtol0(s[cut + 1:])
            if mask_value is None or mask_value > 128:
                self.messages.append(("raw", f"invalid netmask '{s[cut:]}'\n"))
                return None
            ps, mask = s[:cut], mask_value
        v4 = _host_v4(s)
        if v4 is not None:
            return [_Addr(af=4, net=v4)]
        try:
            net6 = ipaddress.IPv6Network(f"{ipaddress.IPv6Address(ps.split('%')[0])}/{128 if mask < 0 else mask}",
                                         strict=False)  # the scope id is not kept [guess]
        except ValueError:
            pass
        else:
            return [_Addr(af=6, net=net6)]
        found = self.host_if(ps, mask)
        if found:
            return found
        self.messages.append(("raw", f"no IP address found for {s}\n"))
        return None

    def host_if(self, ps: str, mask: int) -> list[_Addr] | None:
        """pfctl_parser.c host_if() and ifa_lookup(): the addresses of an existing interface (or of
        every interface for ``self``) when the rule is parsed, each /32 or /128, ``:network`` its
        network, ``:0`` the first of each family. IPv6 link-local addresses are left out [guess:
        their scope id ties them to one interface in expand_rule()]; ``:broadcast`` and ``:peer``
        find nothing [guess]."""
        name, *mods = ps.split(":")
        if any(m not in ("network", "broadcast", "peer", "0") for m in mods) or self.ctx is None:
            return None
        if sum(m in ("network", "broadcast", "peer") for m in set(mods)) > 1:
            self.messages.append(("raw", "illegal combination of interface modifiers\n"))
            return None
        if ("network" in mods or "broadcast" in mods) and mask > -1:
            self.messages.append(("raw", "network or broadcast lookup, but extra netmask given\n"))
            return None
        interfaces = self.ctx.vnet.interfaces
        if name != "self" and name not in interfaces:
            return None
        found: list[_Addr] = []
        for iface in interfaces.values():
            if name != "self" and iface.name != name:
                continue
            if "broadcast" in mods or "peer" in mods:
                continue
            inets = iface.inet[:1] if "0" in mods else iface.inet
            for inet in inets:
                bits = inet.prefixlen if "network" in mods else 32
                found.append(_Addr(af=4, net=ipaddress.IPv4Network(f"{inet.address}/{bits}", strict=False)))
            globals6 = [a for a in iface.inet6 if not is_linklocal(a.address)]
            for inet6 in globals6[:1] if "0" in mods else globals6:
                bits = inet6.prefixlen if "network" in mods else 128
                found.append(_Addr(af=6, net=ipaddress.IPv6Network(f"{inet6.address}/{bits}", strict=False)))
        if mask > -1:  # set_ipmask(n, mask) for each
            found = [_with_mask(h, mask) for h in found]
        return found

    def dynaddr(self) -> _Addr:
        """``dynaddr: '(' STRING ')'``: the modifiers after ``:``, read from the right."""
        self.expect("ch", "(")
        text = self.expect("str").text
        self.expect("ch", ")")
        if not text[:1].isalpha():
            raise _YYError(f"invalid interface name '{text}'")
        name, *mods = text.split(":")
        for mod in mods:
            if mod not in ("network", "broadcast", "peer", "0"):
                raise _YYError(f"interface {text} has bad modifier")
        if sum(m in ("network", "broadcast", "peer") for m in set(mods)) > 1:
            raise _YYError("illegal combination of interface modifiers")
        if len(name) >= IFNAMSIZ:
            raise _YYError("interface name too long")
        return _Addr(type="dyn", name=name, iflags=tuple(m for m in ("network", "broadcast", "peer", "0")
                                                          if m in mods))

    def portspec(self) -> list[_Port]:
        """``portspec: port_item | '{' port_list '}'``."""
        if self.accept("ch", "{"):
            found = [self.port_item()]
            while not self.accept("ch", "}"):
                self.comma()
                found.append(self.port_item())
            return found
        return [self.port_item()]

    def port_item(self) -> _Port:
        """``port_item: portrange | unaryop portrange | portrange PORTBINARY portrange``."""
        op = self.unaryop()
        a, b, t = self.portrange(star=False)
        if op:
            if t:
                raise _YYError("':' cannot be used with an other port operator")
            return _Port(op, a)
        if self.at("><") or self.at("<>"):
            binary = self.take().text
            a2, _, t2 = self.portrange(star=False)
            if t or t2:
                raise _YYError("':' cannot be used with an other port operator")
            return _Port(binary, a, a2)
        return _Port(":" if t else "=", a, b)

    def unaryop(self) -> str:
        """``unaryop: '=' | '!' '=' | '<' '=' | '<' | '>' '=' | '>'``."""
        tok = self.peek()
        if tok.kind != "ch" or tok.text not in "=!<>":
            return ""
        self.take()
        if tok.text == "=":
            return "="
        if tok.text == "!":
            self.expect("ch", "=")
            return "!="
        return tok.text + "=" if self.accept("ch", "=") else tok.text

    def portrange(self, star: bool) -> tuple[int, int, str]:
        """``portrange``/``portstar``: a numberstring through parseport() (PPORT_RANGE, and
        PPORT_STAR for ``portstar``): (a, b, t) with t ``:`` for a range, ``><`` for ``N:*``."""
        tok = self.take()
        if tok.kind not in ("num", "str"):
            raise _YYError("syntax error")
        text = str(int(tok.text)) if tok.kind == "num" else tok.text
        if ":" not in text:
            return _getservice(text), 0, ""
        first, _, rest = text.partition(":")
        if star and rest == "*":
            return _getservice(first), 0, "><"
        a, b = _getservice(first), _getservice(rest)
        return (a, 0, "") if a == b else (a, b, ":")

    def tag(self) -> str:
        if not self.accept("kw", "tag"):
            return ""
        name = self.expect("str").text
        if len(name) >= PF_TAG_NAME_SIZE:
            raise _YYError(f"tag too long, max {PF_TAG_NAME_SIZE - 1} chars")
        return name

    def tagged(self) -> tuple[str, bool]:
        """``tagged: /* empty */ | not TAGGED string``."""
        neg = self.at("ch", "!") and self.peek(1).kind == "kw" and self.peek(1).text == "tagged"
        if neg:
            self.take()
        if not self.accept("kw", "tagged"):
            return "", False
        name = self.string()
        if len(name) >= PF_TAG_NAME_SIZE:
            raise _YYError(f"tag too long, max {PF_TAG_NAME_SIZE - 1} chars")
        return name, neg

    def rtable(self) -> int:
        """``rtable: RTABLE NUMBER``: 0 to net.fibs - 1 (rt_tableid_max(); one FIB here [I])."""
        if not self.accept("kw", "rtable"):
            return -1
        number = int(self.expect("num").text)
        if not 0 <= number <= RT_TABLEID_MAX:
            raise _YYError("invalid rtable id")
        return number

    def redirpool(self) -> _Redirect | None:
        """``redirpool: ARROW redirspec [PORT portstar]``; ``redirspec: host | '{' hosts '}'``."""
        if not self.accept("->"):
            return None
        if self.accept("ch", "{"):
            hosts = self.host()
            while not self.accept("ch", "}"):
                self.comma()
                hosts += self.host()
        else:
            hosts = self.host()
        redirect = _Redirect(hosts)
        if self.accept("kw", "port"):
            redirect.a, redirect.b, redirect.t = self.portrange(star=True)
        return redirect

    def pool_opts(self) -> _PoolOpts:
        """``pool_opts``: bitmask, random, source-hash [key], round-robin, static-port,
        sticky-address, map-e-portset, each once."""
        opts = _PoolOpts()
        while self.at("kw"):
            word = self.peek().text
            if word in ("bitmask", "random", "source-hash", "round-robin"):
                self.take()
                if opts.type:
                    raise _YYError("pool type cannot be redefined")
                opts.type = word
                if word == "source-hash":
                    opts.key = self.hashkey()
            elif word == "static-port":
                self.take()
                if opts.staticport:
                    raise _YYError("static-port cannot be redefined")
                opts.staticport = True
            elif word == "sticky-address":
                self.take()
                if opts.sticky:
                    raise _YYError("sticky-address cannot be redefined")
                opts.sticky = True
            elif word == "map-e-portset":
                self.take()
                values = [self.number()]
                for _ in range(2):
                    self.expect("ch", "/")
                    values.append(self.number())
                offset, psidlen, psid = values
                if opts.mape:
                    raise _YYError("map-e-portset cannot be redefined")
                if opts.type:
                    raise _YYError("map-e-portset cannot be used with address pools")
                if not 0 < offset < 16:
                    raise _YYError("MAP-E PSID offset must be 1-15")
                if not 0 <= psidlen < 16 or offset + psidlen > 16:
                    raise _YYError("Invalid MAP-E PSID length")
                if psidlen == 0:
                    raise _YYError("PSID Length = 0: this means you do not need MAP-E")
                if not 0 <= psid <= 65535:
                    raise _YYError("Invalid MAP-E PSID")
                opts.mape = (offset, psidlen, psid)
            else:
                break
        return opts

    def number(self) -> int:
        """``number: NUMBER | STRING`` (atoul())."""
        tok = self.take()
        if tok.kind == "num":
            return int(tok.text)
        value = _strtoul0(tok.text) if tok.kind == "str" else None
        if value is None:
            raise _YYError(f"{tok.text} is not a number" if tok.kind == "str" else "syntax error")
        return value

    def hashkey(self) -> str:
        """``hashkey``: none (arc4random(3) words), a ``0x`` key of 32 hex digits, or any other
        string hashed with MD5 (the digest words HTONL()ed, so printed as the hex digest)."""
        if not self.at("str"):
            return os.urandom(16).hex()
        text = self.string()
        if text.startswith("0x"):
            if len(text) != 34:
                raise _YYError("hex key must be 128 bits (32 hex digits) long")
            if not re.fullmatch(r"[0-9a-fA-F]{32}", text[2:]):
                raise _YYError("invalid hex key")  # sscanf("0x%8x%8x%8x%8x") != 4 [I]
            return text[2:].lower()
        return hashlib.md5(text.encode()).hexdigest()

    # -- the actions --------------------------------------------------------------------------

    def natrule(self, action: str, no: bool, natpass: bool, log: int, logif: int,
                ifaces: list[tuple[str, bool]], af: int, protos: list[int], srcs: list[_Addr],
                sports: list[_Port], oses: list[str], dsts: list[_Addr], dports: list[_Port], tag: str,
                tagged: str, tagged_not: bool, rtable: int, redirect: _Redirect | None,
                opts: _PoolOpts) -> list[_Trans]:
        """The natrule action: the address family from the first source, else the first
        destination, else the first redirection address; the proxy ports; round-robin for a list,
        a table or an interface address; then expand_rule(). Tables only in round-robin pools is
        14.0's parse.y [guess: later releases also allow random and source-hash, which
        tests/sys/netpfil/pf/nat.sh empty_table_source_hash loads; 15.0's nat-to/rdr-to syntax is
        not modelled]."""
        if not af:
            if srcs and srcs[0].af:
                af = srcs[0].af
            elif dsts and dsts[0].af:
                af = dsts[0].af
        pool: list[_Addr] = []
        p1 = p2 = 0
        pooltype = ""
        if no:
            if redirect is not None:
                raise _YYError("translation rule with 'no' does not need '->'")
        else:
            if redirect is None:
                raise _YYError("translation rule requires '-> address'")
            if not af:
                af = redirect.hosts[0].af
            pool, af = _remove_invalid_hosts(redirect.hosts, af)
            _invalid_redirect(pool, af)
            pool = _fix_dyn_masks(pool, af)
            p1 = redirect.a
            if action == "rdr":
                if not redirect.b and redirect.t and dports:
                    p2 = (redirect.a + (dports[0].b - dports[0].a)) & 0xFFFF
                else:
                    p2 = redirect.b
            else:
                p2 = redirect.b
                if not p1 and not p2:
                    p1, p2 = PF_NAT_PROXY_PORT_LOW, PF_NAT_PROXY_PORT_HIGH
                elif not p2:
                    p2 = p1
            pooltype = opts.type
            if not pooltype and (len(pool) > 1 or pool[0].type == "table" or pool[0].multi):
                pooltype = "round-robin"
            if pooltype != "round-robin":
                for h in pool:
                    if h.type == "table":
                        raise _YYError("tables are only supported in round-robin redirection pools")
                for h in pool:
                    if h.multi:
                        raise _YYError(f"interface ({h.name}) is only supported in round-robin redirection pools")
                if len(pool) > 1:
                    raise _YYError("only round-robin valid for multiple redirection addresses")
        if opts.staticport:
            if action != "nat" or no:
                raise _YYError("the 'static-port' option is only valid with nat rules")
            if p1 != PF_NAT_PROXY_PORT_LOW and p2 != PF_NAT_PROXY_PORT_HIGH:
                raise _YYError("the 'static-port' option can't be used when specifying a port range")
            p1 = p2 = 0
        if opts.mape:
            if action != "nat" or no:
                raise _YYError("the 'map-e-portset' option is only valid with nat rules")
            if opts.staticport:
                raise _YYError("the 'map-e-portset' option can't be used 'static-port'")
            if p1 != PF_NAT_PROXY_PORT_LOW and p2 != PF_NAT_PROXY_PORT_HIGH:
                raise _YYError("the 'map-e-portset' option can't be used when specifying a port range")
        base = _Trans(action=action, no=no, natpass=natpass, log=log, logif=logif, tag=tag, tagged=tagged,
                      tagged_not=tagged_not, rtable=rtable, pool=tuple(pool), p1=p1, p2=p2, pooltype=pooltype,
                      key=opts.key, sticky=opts.sticky, mape=opts.mape)
        return self.expand(base, af, ifaces, protos, srcs, sports, oses, dsts, dports)

    def expand(self, base: _Trans, af: int, ifaces: list[tuple[str, bool]], protos: list[int],
               srcs: list[_Addr], sports: list[_Port], oses: list[str], dsts: list[_Addr],
               dports: list[_Port]) -> list[_Trans]:
        """expand_rule(): one rule per interface, protocol, source, source port, OS, destination
        and destination port (LOOP_THROUGH: an empty list is one "any"); a combination whose
        address families disagree is skipped; rule_consistent() (rdr_consistent(); nat_consistent()
        finds nothing) may refuse one."""
        rules: list[_Trans] = []
        src_ports: list[_Port | None] = [*sports] if sports else [None]
        dst_ports: list[_Port | None] = [*dports] if dports else [None]
        for ifname, ifnot in ifaces or [("", False)]:
            for proto in protos or [0]:
                for src in srcs or [_ANY]:
                    for sport in src_ports:
                        for os_ in oses or [""]:
                            for dst in dsts or [_ANY]:
                                for dport in dst_ports:
                                    if ((af and src.af and af != src.af) or (af and dst.af and af != dst.af)
                                            or (src.af and dst.af and src.af != dst.af)):
                                        continue
                                    raf = af or src.af or dst.af
                                    rule = attrs.evolve(base, ifname=ifname, ifnot=ifnot, af=raf, proto=proto,
                                                        src=src, sport=sport, os=os_, dst=dst, dport=dport,
                                                        pool=tuple(_fix_dyn_masks(list(base.pool), raf)))
                                    problems = _rdr_consistent(rule) if rule.action == "rdr" else []
                                    for problem in problems:
                                        self.yyerror(problem)
                                    if problems:
                                        self.yyerror("skipping rule due to errors")
                                    else:
                                        rules.append(rule)
        if not rules:
            self.yyerror("rule expands to no valid combination")
        return rules

    def binatrule(self, no: bool) -> list[_Trans]:
        """``binatrule: no BINAT natpasslog interface af proto FROM ipspec toipspec tag tagged
        rtable redirection``: one rule, not expanded; only the first interface and protocol count,
        the source's ``!`` is dropped (binat.src.neg is never set)."""
        natpass, log, logif = self.natpasslog()
        ifaces = self.interface()
        af = self.af()
        protos = self.proto()
        self.expect("kw", "from")
        srcs = self.ipspec()
        dsts = self.ipspec() if self.accept("kw", "to") else []
        tag = self.tag()
        tagged, tagged_not = self.tagged()
        rtable = self.rtable()
        redirect: _Redirect | None = None
        if self.accept("->"):
            redirect = _Redirect(self.host())
            if self.accept("kw", "port"):
                self.portrange(star=True)
        if not self.at("end"):
            raise _YYError("syntax error")
        if any(h.type == "urpf" for h in dsts):
            raise _YYError('"urpf-failed" is not permitted as a binat destination')
        if no and natpass:
            raise _YYError('"pass" not valid with "no"')
        if not af and srcs and srcs[0].af:
            af = srcs[0].af
        if not af and dsts and dsts[0].af:
            af = dsts[0].af
        if not af and redirect is not None:
            af = redirect.hosts[0].af
        if not af:
            raise _YYError("address family (inet/inet6) undefined")
        for h in srcs:
            if h.type == "table":
                raise _YYError(f"invalid use of table <{h.name}> as the source address of a binat rule")
        for h in srcs:
            if h.multi:
                raise _YYError(f"invalid use of interface ({h.name}) as the source address of a binat rule")
        if redirect is not None:
            for h in redirect.hosts:
                if h.type == "table":
                    raise _YYError(f"invalid use of table <{h.name}> as the redirect address of a binat rule")
            for h in redirect.hosts:
                if h.multi:
                    raise _YYError(f"invalid use of interface ({h.name}) as the redirect address of a binat rule")
        src = _ANY
        if srcs:
            if len(srcs) > 1:
                raise _YYError("multiple binat ip addresses")
            src = srcs[0]
            if src.type == "dyn":
                src = attrs.evolve(src, af=af)
            if src.af != af:
                raise _YYError("binat ip versions must match")
            src = _fix_dyn_masks([attrs.evolve(src, neg=False)], af)[0]
        dst = _ANY
        if dsts:
            if len(dsts) > 1:
                raise _YYError("multiple binat ip addresses")
            dst = dsts[0]
            if dst.af and dst.af != af:
                raise _YYError("binat ip versions must match")
        pool: list[_Addr] = []
        if no:
            if redirect is not None:
                raise _YYError("'no binat' rule does not need '->'")
        else:
            if redirect is None:
                raise _YYError("'binat' rule requires '-> address'")
            pool, af = _remove_invalid_hosts(redirect.hosts, af)
            _invalid_redirect(pool, af)
            if len(pool) > 1:
                raise _YYError("binat rule must redirect to a single address")
            pool = _fix_dyn_masks(pool, af)
            if _masklen(src, af) and _masklen(src, af) != _masklen(pool[0], af):
                raise _YYError("'binat' source mask and redirect mask must be the same")
        ifname, ifnot = ifaces[0] if ifaces else ("", False)
        return [_Trans(action="binat", no=no, natpass=natpass, log=log, logif=logif, ifname=ifname, ifnot=ifnot,
                       af=af, proto=protos[0] if protos else 0, src=src, dst=dst, tag=tag, tagged=tagged,
                       tagged_not=tagged_not, rtable=rtable, pool=tuple(pool))]


def _getservice(name: str) -> int:
    """parse.y getservice(): a number (strtoul(3), base 0) up to 65535, else getservbyname(3) for
    tcp, then udp."""
    value = _strtoul0(name)
    if value is not None:
        if value > 65535:
            raise _YYError(f"illegal port value {value}")
        return value
    port = getservbyname(name, "tcp")
    if port is None:
        port = getservbyname(name, "udp")
    if port is None:
        raise _YYError(f"unknown port {name}")
    return port


def _strtoul0(text: str) -> int | None:
    """parse.y atoul(): strtoul(3) with base 0 over the whole string; a ``-`` wraps around."""
    negative = text.startswith("-")
    value = _strtol0(text[1:] if negative or text.startswith("+") else text)
    if value is None:
        return None
    return (-value) % (1 << 64) if negative else value


def _host_v4(s: str) -> Network | None:
    """pfctl_parser.c host_v4(): inet_pton(3) of a dotted quad, or inet_net_pton(3) when a ``/``
    is given (missing octets are zeros: ``10/8``); set_ipmask() clears the host bits."""
    if "/" in s:
        address, _, bits_text = s.partition("/")
        octets = address.split(".")
        if not (bits_text.isdigit() and int(bits_text) <= 32 and 1 <= len(octets) <= 4
                and all(o.isdigit() and int(o) <= 255 for o in octets)):
            return None
        return ipaddress.IPv4Network(f"{'.'.join(octets + ['0'] * (4 - len(octets)))}/{bits_text}", strict=False)
    try:
        return ipaddress.IPv4Network(f"{ipaddress.IPv4Address(s)}/32")
    except ValueError:
        return None


def _with_mask(addr: _Addr, bits: int) -> _Addr:
    """pfctl_parser.c set_ipmask(): the mask, the address bits outside it cleared."""
    if addr.net is None:
        return addr
    length = min(bits, addr.net.max_prefixlen)
    return attrs.evolve(addr, net=ipaddress.ip_network(f"{addr.net.network_address}/{length}", strict=False))


def _masklen(addr: _Addr, af: int) -> int:
    """The length of an address's mask (an interface address: its ``/N``, else full)."""
    if addr.type == "dyn":
        return addr.bits if addr.bits is not None else (32 if af == 4 else 128)
    return addr.net.prefixlen if addr.type == "mask" and addr.net is not None else 0


def _remove_invalid_hosts(hosts: list[_Addr], af: int) -> tuple[list[_Addr], int]:
    """parse.y remove_invalid_hosts(): hosts of the other family go; the first host with a family
    decides it when none is set."""
    kept = []
    for h in hosts:
        if af and h.af and h.af != af:
            continue
        if h.af and not af:
            af = h.af
        kept.append(h)
    return kept, af


def _invalid_redirect(hosts: list[_Addr], af: int) -> None:
    """parse.y invalid_redirect()."""
    if not af and any(h.type not in ("table", "dyn") for h in hosts):
        raise _YYError("address family not given and translation address expands to multiple address families")
    if not hosts:
        raise _YYError("no translation address with matching address family found.")


def _fix_dyn_masks(hosts: list[_Addr], af: int) -> list[_Addr]:
    """pfctl_parser.c check_netmask(): an interface address of an inet rule gets a /32 mask when
    its mask is wider."""
    return [attrs.evolve(h, bits=None) if af == 4 and h.type == "dyn" and (h.bits is None or h.bits > 32) else h
            for h in hosts]


def _rdr_consistent(rule: _Trans) -> list[str]:
    """parse.y rdr_consistent()."""
    problems = []
    if rule.proto not in (6, 17):
        if rule.sport:
            problems.append("src port only applies to tcp/udp")
        if rule.dport:
            problems.append("dst port only applies to tcp/udp")
        if rule.p1:
            problems.append("rpool port only applies to tcp/udp")
    if rule.dport and rule.dport.op not in ("=", ":"):
        problems.append("invalid port operator for rdr destination port")
    return problems


def _parse_translation(ctx: Context | None, text: str) -> tuple[list[_Trans], list[tuple[str, str]]]:
    """A nat, rdr or binat statement as the rules it loads, and what parse.y wrote to stderr
    (any message means the load fails: file->errors)."""
    parser = _TransParser(ctx, text)
    try:
        rules = parser.parse()
    except _YYError as error:
        parser.yyerror(str(error))
        return [], parser.messages
    return rules, parser.messages


class _Counts:
    """What the kernel fills in of a rule's addresses for DIOCGETRULE, which print_addr() shows
    with -vv: the address count of a table (pf_tbladdr_copyout(): the anchor's table, or its root
    table when it is not active; -1 when neither is) and of an interface address
    (pfi_dynaddr_copyout(): pfid_acnt4 + pfid_acnt6 [I])."""

    def __init__(self, ctx: Context, pf: Pf, path: str) -> None:
        self.ctx = ctx
        self.pf = pf
        self.path = _canon(path)

    def table(self, name: str) -> int:
        table = self.pf.table(name, self.path)
        if (table is None or not table.active) and self.path:
            table = self.pf.table(name, "")
        return len(table.addresses) if table is not None and table.active else -1

    def dyn(self, addr: _Addr, af: int) -> int:
        """The interface's addresses of the rule's family (both for none), one of each with ``:0``
        [guess: pfi_instance_add() was not read]."""
        iface = self.ctx.vnet.interfaces.get(addr.name)
        if iface is None:
            return 0
        count4 = len(iface.inet) if af in (0, 4) else 0
        count6 = len(iface.inet6) if af in (0, 6) else 0
        if "0" in addr.iflags:
            count4, count6 = min(count4, 1), min(count6, 1)
        return count4 + count6


def _print_addr(addr: _Addr, af: int, verbose: bool, counts: _Counts | None = None) -> str:
    """pf_print_state.c print_addr(): ``(ifname[:mod][:count])``, ``<table[:count]>``, ``a - b``,
    ``any``, ``no-route``, ``urpf-failed``, an address with ``/bits`` unless the mask is full;
    the counts only with -vv."""
    if addr.type == "dyn":
        text = "(" + addr.name + "".join(f":{m}" for m in addr.iflags)
        if verbose:
            count = counts.dyn(addr, af) if counts is not None else 0
            text += ":*" if count <= 0 else f":{count}"
        text += ")"
        if addr.bits is not None and addr.bits != (32 if af == 4 else 128):
            text += f"/{addr.bits}"
        return text
    if addr.type == "table":
        if not verbose:
            return f"<{addr.name}>"
        count = counts.table(addr.name) if counts is not None else -1
        return f"<{addr.name}:*>" if count == -1 else f"<{addr.name}:{count}>"
    if addr.type == "range":
        assert addr.net is not None
        return f"{addr.net.network_address} - {addr.end}"
    if addr.type == "noroute":
        return "no-route"
    if addr.type == "urpf":
        return "urpf-failed"
    if addr.is_any or addr.net is None:
        return "any"
    text = str(addr.net.network_address)
    if addr.net.prefixlen != (32 if af == 4 else 128):
        text += f"/{addr.net.prefixlen}"
    return text


def _print_port(port: _Port, proto: int, numeric: bool) -> str:
    """pfctl_parser.c print_port() and print_op(): ``=`` and ``!=`` name the port with
    getservbyport(3) for tcp (proto tcp) or udp (any other proto) unless numeric."""
    name = None if numeric else getservbyport(port.a, "tcp" if proto == 6 else "udp")
    first = name if name is not None and port.op in ("=", "!=") else str(port.a)
    if port.op in ("><", "<>"):
        return f" port {port.a} {port.op} {port.b}"
    if port.op == ":":
        return f" port {port.a}:{port.b}"
    return f" port {port.op} {first}"


def _print_fromto(rule: _Trans, verbose: bool, numeric: bool, counts: _Counts | None) -> str:
    """pfctl_parser.c print_fromto(): ``all`` when both addresses are ``any`` without ``!``,
    ports or OS; else ``from [!] ADDR [port] [os "NAME"] to [!] ADDR [port]``."""
    plain = not (rule.src.neg or rule.dst.neg or rule.sport or rule.dport or rule.os)
    if rule.src.is_any and rule.dst.is_any and plain:
        return " all"
    text = " from " + ("! " if rule.src.neg else "") + _print_addr(rule.src, rule.af, verbose, counts)
    if rule.sport:
        text += _print_port(rule.sport, rule.proto, numeric)
    if rule.os:
        text += f' os "{rule.os}"'  # pfctl_lookup_fingerprint() [guess: the name as written]
    text += " to " + ("! " if rule.dst.neg else "") + _print_addr(rule.dst, rule.af, verbose, counts)
    if rule.dport:
        text += _print_port(rule.dport, rule.proto, numeric)
    return text


def _print_pool(rule: _Trans) -> str:
    """pfctl_parser.c print_pool(): the addresses (``{ a, b }`` for more than one), the ports (nat:
    unless the default 50001:65535; rdr: ``port N`` or ``port N:M``), the pool type,
    ``sticky-address``, ``static-port`` (nat, ports 0) and ``map-e-portset``."""
    addrs = [_print_addr(a, rule.af, False) for a in rule.pool]
    text = addrs[0] if len(addrs) == 1 else "{ " + ", ".join(addrs) + " }"
    p1, p2 = rule.p1, rule.p2
    if rule.action == "nat":
        if (p1 != PF_NAT_PROXY_PORT_LOW or p2 != PF_NAT_PROXY_PORT_HIGH) and (p1 or p2):
            text += f" port {p1}" if p1 == p2 else f" port {p1}:{p2}"
    elif rule.action == "rdr" and p1:
        text += f" port {p1}" + (f":{p2}" if p2 and p2 != p1 else "")
    if rule.pooltype == "source-hash":
        text += f" source-hash 0x{rule.key}"
    elif rule.pooltype:
        text += f" {rule.pooltype}"
    if rule.sticky:
        text += " sticky-address"
    if rule.action == "nat" and p1 == 0 and p2 == 0:
        text += " static-port"
    if rule.mape:
        text += " map-e-portset {}/{}/{}".format(*rule.mape)
    return text


def _print_trans(rule: _Trans, verbose: bool = False, numeric: bool = False, counts: _Counts | None = None) -> str:
    """pfctl_parser.c print_rule() for a translation rule: the action (``no nat``, ...), ``pass``,
    ``log [(all, user, to pflogN)]``, ``on [!] IF``, the family, ``proto NAME`` (pfctl_proto2name()),
    print_fromto(), ``tag``, ``[!] tagged``, ``rtable``, then ``-> `` print_pool() unless ``no``.
    ``numeric`` is print_port()'s numeric argument."""
    text = ("no " if rule.no else "") + rule.action
    if rule.natpass:
        text += " pass"
    if rule.log:
        text += " log"
        if rule.log & ~PF_LOG or rule.logif:
            opts = (["all"] if rule.log & PF_LOG_ALL else []) + (["user"] if rule.log & PF_LOG_SOCKET_LOOKUP else [])
            opts += [f"to pflog{rule.logif}"] if rule.logif else []
            text += " (" + ", ".join(opts) + ")"
    if rule.ifname:
        text += f" on ! {rule.ifname}" if rule.ifnot else f" on {rule.ifname}"
    if rule.af:
        text += " inet" if rule.af == 4 else " inet6"
    if rule.proto:
        text += f" proto {getprotobynumber(rule.proto) or rule.proto}"
    text += _print_fromto(rule, verbose, numeric, counts)
    if rule.tag:
        text += f" tag {rule.tag}"
    if rule.tagged:
        text += (" !" if rule.tagged_not else "") + f" tagged {rule.tagged}"
    if rule.rtable != -1:
        text += f" rtable {rule.rtable}"
    if not rule.no:
        text += " -> " + _print_pool(rule)
    return text


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
    exits 255) [guess: the message texts of host() were not read]. An interface name
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



# --- pfctl -s info ---------------------------------------------------------------------------------


def status(pf: Pf, verbose: bool = False, now: float | None = None) -> str:
    """sbin/pfctl/pfctl_parser.c print_status(): the ``pfctl -s info`` block.

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



# --- loading rules ----------------------------------------------------------------------------


@attrs.define
class _Parsed:
    """A parsed pf.conf: rules by kind, table definitions, the rulesets of inline anchors
    (``anchor "name" { ... }``) by relative path, what -v echoes, and the errors."""

    nat: list[str] = attrs.Factory(list)
    filter: list[str] = attrs.Factory(list)
    tables: list[Table] = attrs.Factory(list)
    anchors: dict[str, "_Parsed"] = attrs.Factory(dict)
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
    lines joined while braces are open (newlines are allowed inside ``{ }``, parse.y). The lines of
    a statement stay separated by newlines (an inline anchor holds one rule a line)."""
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
            pending = ""
        pending += ("\n" if pending and not pending.endswith(" ") else "") + line + (" " if continued else "")
        depth += line.count("{") - line.count("}")
        if continued or depth > 0:
            continue
        if pending.strip():
            found.append((start, pending))
        pending = ""
        depth = 0
    if pending.strip():
        found.append((start, pending))
    return found


def _split_block(text: str) -> tuple[str, str] | None:
    """An inline anchor's head and the text between its outermost braces (outside quotes)."""
    quoted = False
    depth = 0
    open_at = -1
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "{":
            if depth == 0:
                open_at = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                return text[:open_at], text[open_at + 1:i]
    return None


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


def _parse_conf(ctx: Context, source: str, text: str, macros: dict[str, str], first_line: int = 1,
                counter: list[int] | None = None) -> _Parsed:
    """A minimal parse.y: macros, ``table`` definitions, translation and filter rules, and inline
    anchors: ``anchor "name" { ... }`` loads the rules between the braces into the anchor
    ``name`` below the one being loaded, in the same transaction; an unnamed one is ``_1``,
    ``_2``, ... (pf->bn) [guess: the numbering]."""
    parsed = _Parsed()
    macros = dict(macros)
    counter = [0] if counter is None else counter
    keywords = set(NAT_WORDS) | set(FILTER_WORDS) | set(IGNORED_WORDS) | {"no", "table"}

    def error(line: int, message: str) -> None:
        # parse.y yyerror(): fprintf(stderr, "%s:%d: ", file->name, yylval.lineno), the message and
        # a newline; pushfile() names "-" "stdin". The line is the statement's first [I].
        parsed.errors.append(f"{source}:{line}: {message}\n")

    rulestate = [_STATE_NONE]
    require_order = [True]

    def in_order(line: int, desired: int) -> bool:
        """parse.y ``check_rulestate()``: a statement of an earlier section after a later one is
        refused unless ``set require-order no``; the section then stays where it was."""
        if require_order[0] and rulestate[0] > desired:
            sections = ("options, ethernet, normalization" if ctx.state.osreldate >= 1400000
                        else "options, normalization")
            error(line, f"Rules must be in order: {sections}, queueing, translation, filtering")
            return False
        rulestate[0] = desired
        return True

    for offset, raw in _statements(text):
        line = first_line + offset - 1
        statement = _collapse(raw)
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
        words = _tokens(statement)
        block = _split_block(raw) if words and words[0] in ANCHOR_WORDS and "{" in words else None
        if block is not None:
            head, inner = block
            statement = _collapse(head)
            words = _tokens(statement)
            name = _anchor_name(words + ["{"])
            if name is None:
                counter[0] += 1
                name = f"_{counter[0]}"
                statement = " ".join([words[0], f'"{name}"', *words[1:]])
            sub = _parse_conf(ctx, source, inner, macros, line + raw[:raw.index("{")].count("\n"), counter)
            parsed.errors.extend(sub.errors)
            parsed.anchors[name] = sub
        statement, missing = _expand(statement, macros)
        if missing is not None:
            error(line, f"macro '{missing}' not defined")
            error(line, "syntax error")
            continue
        words = _tokens(statement)
        first = words[0]
        if first == "set" and words[1:3] == ["require-order", "no"]:
            require_order[0] = False
        desired = _rule_state(words)
        if desired is not None and not in_order(line, desired):
            continue
        if first == "table":
            table = _parse_table(ctx, words, error, line)
            if table is not None:
                parsed.tables.append(table)
                parsed.echo.append(_tabledef(table))
            continue
        second = words[1] if len(words) > 1 else ""
        if first in NAT_KINDS or (first == "no" and second in NAT_KINDS):
            # parse.y natrule/binatrule: the rules the statement expands to, kept as print_rule()
            # prints them with numeric ports (the kernel keeps the parsed rule: interface names
            # are resolved and source-hash keys drawn once, at load).
            rules, messages = _parse_translation(ctx, statement)
            for kind, message in messages:
                if kind == "yy":
                    error(line, message)
                else:
                    parsed.errors.append(message)
            for trans in rules:
                parsed.nat.append(_print_trans(trans, numeric=True))
                parsed.echo.append(_print_trans(trans))  # pfctl_load_rule(): print_rule() with -v
        elif first in NAT_WORDS:
            parsed.nat.append(statement)
            parsed.echo.append(_print_rule(_rule_of("", statement, "nat"), False, 0))  # pfctl_load_rule()
        elif first in FILTER_WORDS or (first == "no" and second == "scrub"):
            parsed.filter.append(statement)
            parsed.echo.append(_print_rule(_rule_of("", statement, "filter"), False, 0))
        elif first in IGNORED_WORDS:
            continue
        else:
            error(line, "syntax error")
    return parsed


# parse.y PFCTL_STATE_*: the sections of a ruleset, in the order check_rulestate() demands (13.x has
# no ethernet section; 15.0 is assumed to keep the check [guess]).
_STATE_NONE, _STATE_OPTION, _STATE_ETHER, _STATE_SCRUB, _STATE_QUEUE, _STATE_NAT, _STATE_FILTER = range(7)


def _rule_state(words: list[str]) -> int | None:
    """The section a statement belongs to (parse.y: ``option`` → OPTION, ``etherrule`` → ETHER,
    ``scrubrule`` → SCRUB, ``altqif``/``queuespec`` → QUEUE, ``natrule``/``binatrule`` and the
    translation anchors → NAT, ``pfrule``/``anchorrule``/``antispoof`` → FILTER); None for what does
    not call check_rulestate() (macros, ``table``, ``load anchor``, ``include``)."""
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    if first == "set":
        # Only some options call check_rulestate(PFCTL_STATE_OPTION): optimization, loginterface,
        # block-policy, fail-policy, fingerprints, debug and the timeout/limit specs; set skip,
        # hostid, require-order, state-policy, state-defaults and ruleset-optimization do not
        # (tests/sys/netpfil/pf/table.sh reset_nonzero loads 'set skip on lo' after filter rules).
        checked = ("optimization", "loginterface", "block-policy", "fail-policy", "fingerprints", "debug",
                   "timeout", "limit")
        return _STATE_OPTION if second in checked else None
    if first == "ether":
        return _STATE_ETHER
    if first == "scrub" or (first == "no" and second == "scrub"):
        return _STATE_SCRUB
    if first in ("altq", "queue"):
        return _STATE_QUEUE
    if first in NAT_WORDS or (first == "no" and second in NAT_KINDS):
        return _STATE_NAT
    if first in ("pass", "block", "match", "anchor", "antispoof"):
        return _STATE_FILTER
    return None


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



# --- the fault hook ---------------------------------------------------------------------------


def mutating(args: Sequence[str]) -> bool:
    """Does this argv reach a phase of main() that changes pf? -d, -e, -F, -f, -k, -K, -x, -z and
    a ``-T`` command other than show/test do; not an argv getopt(3) or a modifier lookup rejects
    (usage() before anything), not ``-n``, not ``-T`` without ``-t`` alone (usage at the -T phase),
    and ``-f`` only as a ruleset (with ``-T add -f FILE`` it names the addresses). The option lists
    are the widest (15.0) ones: the argv alone does not tell the release."""
    found, rest, error = getopt("pfctl", args, OPTIONS_15)
    if error:
        return False
    values: dict[str, str] = {}
    for letter, value in found:
        values[letter] = value
    for letter, options in (("F", CLEAROPTS), ("s", SHOWOPTS), ("T", TBLCMDS), ("x", DEBUGOPTS), ("o", OPTIOPTS)):
        if letter in values and _lookup(values[letter], options) is None:
            return False
    if "n" in values or "h" in values:
        return False
    tblcmd = _lookup(values["T"], TBLCMDS) if "T" in values else None
    if tblcmd == "load":
        tblcmd = None
    elif tblcmd is None and rest:
        return False  # "unknown command line argument"
    letters = set(values)
    if tblcmd is not None:
        letters.discard("f")
        if "t" in values and tblcmd not in ("show", "test"):
            return True
    return bool(letters & set("defFkKxz"))


def fault(args: Sequence[str]) -> tuple[int, str, str]:
    """pf refuses the change with EPERM (e.g. securelevel), reported where the 14.x main() first
    hits it (the argv does not tell the release): ``-d`` errc(1, ret, "DIOCSTOP"); ``-F nat``
    err(1, "pfctl_clear_nat"); ``-F rules`` err(1, "pfctl_clear_rules") (15.0:
    pfctl_err("pfctl_flush_rules")); ``-F Tables`` radix_perror() and -1, which main() ignores
    (exit 0; 15.0 exits 1); ``-F all`` and ``-F ethernet`` start with err(1,
    "pfctl_clear_eth_rules"); ``-T`` radix_perror() -> exit 255 (CREATE_TABLE ignores EPERM, so
    ``1 table created.`` is not printed); ``-f`` pfctl_rules(): DIOCXBEGIN fails,
    ERRX("pfctl_rules"), and the rollback succeeds [I]; ``-e`` errc(1, ret, "DIOCSTART")."""
    found, _, _ = getopt("pfctl", args, OPTIONS_15)
    values = {letter: value for letter, value in found}
    if "d" in values:
        return 1, "", "pfctl: DIOCSTOP: Operation not permitted\n"
    clear = _lookup(values.get("F", ""), CLEAROPTS)
    if clear == "nat":
        return 1, "", "pfctl: pfctl_clear_nat: Operation not permitted\n"
    if clear == "rules":
        return 1, "", "pfctl: pfctl_clear_rules: Operation not permitted\n"
    if clear == "Tables":
        return 0, "", "pfctl: Operation not permitted.\n"
    if clear in ("all", "ethernet"):
        return 1, "", "pfctl: pfctl_clear_eth_rules: Operation not permitted\n"
    if clear == "states":
        return 1, "", "pfctl: DIOCCLRSTATES: Operation not permitted\n"
    if clear == "Sources":
        return 1, "", "pfctl: DIOCCLRSRCNODES: Operation not permitted\n"
    if clear == "info":
        return 1, "", "pfctl: DIOCCLRSTATUS: Operation not permitted\n"
    if "k" in values:
        return 1, "", "pfctl: DIOCKILLSTATES: Operation not permitted\n"
    if "K" in values:
        return 1, "", "pfctl: DIOCKILLSRCNODES: Operation not permitted\n"
    tblcmd = _lookup(values.get("T", ""), TBLCMDS)
    if tblcmd is not None and tblcmd != "load":
        return 255, "", "pfctl: Operation not permitted.\n"
    if "f" in values:
        return 1, "", "pfctl: pfctl_rules\n"
    if "e" in values:
        return 1, "", "pfctl: DIOCSTART: Operation not permitted\n"
    return 1, "", "pfctl: DIOCSETDEBUG: Operation not permitted\n"


PROGRAM = Program(name="pfctl", run=run, mutating=mutating, fault=fault)
