"""The simulated pfctl(8) against sbin/pfctl/pfctl.c main(), sbin/pfctl/pfctl_table.c and FreeBSD's
own tests in tests/sys/netpfil/pf/ (argv, stdin -> exit status, stdout, stderr), per release."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost
from hooks.testing.model import Pf, Ruleset, Table
from hooks.testing.pfctl import (
    USAGE,
    USAGE_15,
    _parse_translation,
    _print_trans,
    getprotobyname,
    getprotobynumber,
    getservbyname,
    getservbyport,
    status,
)

#: A setup step: an argv, optionally with stdin.
Step = tuple[tuple[str, ...], str | None]

R13 = "13.2-RELEASE"
R140 = "14.0-RELEASE"
R14 = "14.2-RELEASE"
R15 = "15.0-RELEASE"

NAT_CONF = "nat on em0 inet from <jail-nat> to any -> (em0)\n"
NAT_SHOWN = "nat on em0 inet from <jail-nat> to any -> (em0) round-robin\n"
POT_CONF = 'nat-anchor "pot-nat/*"\nrdr-anchor "pot-rdr/*"\n'
CONST_CONF = "table <c> const { 10.1.0.0/16 }\npass from <c>\n"


def _setup(host: SimulatedHost, steps: list[Step]) -> None:
    for argv, stdin in steps:
        result = host(argv, stdin=stdin)
        assert result.returncode == 0, (argv, result)


def add(*words: str) -> Step:
    return ("pfctl", "-t", "jail-nat", "-T", "add", *words), None


def load(text: str, anchor: str = "") -> Step:
    return (("pfctl", "-a", anchor, "-f", "-") if anchor else ("pfctl", "-f", "-")), text


USAGE_TEXT = USAGE + "\n"
USAGE_15_TEXT = USAGE_15 + "\n"


def row(name: str, argv: tuple[str, ...], rc: int, out: str, err: str, *, setup: list[Step] | None = None,
        stdin: str | None = None, release: str = R14) -> Any:
    """One (release, setup, argv, stdin) -> (rc, stdout, stderr) case."""
    return pytest.param(release, setup or [], argv, stdin, rc, out, err, id=f"{name} [{release.split('-')[0]}]")


def each(name: str, releases: tuple[str, ...], argv: tuple[str, ...], rc: int, out: str, err: str,
         **kw: Any) -> list[Any]:
    """The same case on several releases."""
    return [row(name, argv, rc, out, err, release=r, **kw) for r in releases]


ALL = (R13, R140, R14, R15)

CASES: list[Any] = [
    # -- tables: add ------------------------------------------------------------------------
    *each("add creates table", ALL, ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"),
          0, "", "1 table created.\n1/1 addresses added.\n"),
    row("add to active table", ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.3"),
        0, "", "1/1 addresses added.\n", setup=[add("172.17.0.2")]),
    row("add present address", ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"),
        0, "", "0/1 addresses added.\n", setup=[add("172.17.0.2")]),
    row("add to referenced-only table", ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"),
        0, "", "1 table created.\n1/1 addresses added.\n", setup=[load(NAT_CONF)]),
    row("add three", ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2", "172.17.0.3", "10.0.0.0/8"),
        0, "", "2/3 addresses added.\n", setup=[add("172.17.0.2")]),
    row("add same address twice in one call", ("pfctl", "-t", "t", "-T", "add", "1.2.3.4", "1.2.3.4"),
        0, "", "1 table created.\n1/2 addresses added.\n"),
    row("add quiet", ("pfctl", "-q", "-t", "jail-nat", "-T", "add", "172.17.0.2"), 0, "", ""),
    row("add bad address", ("pfctl", "-t", "jail-nat", "-T", "add", "nothere"),
        255, "", "no IP address found for nothere\n"),
    row("add bad netmask", ("pfctl", "-t", "jail-nat", "-T", "add", "1.2.3.4/abc"),
        255, "", "invalid netmask '/abc'\n"),
    row("add host bits in network", ("pfctl", "-t", "t", "-T", "add", "10.1.2.3/8"),
        255, "", "1 table created.\npfctl: Invalid argument.\n"),
    row("add to const table", ("pfctl", "-t", "c", "-T", "add", "1.2.3.4"),
        255, "", "pfctl: Operation not permitted.\n", setup=[load(CONST_CONF)]),
    row("add verbose feedback", ("pfctl", "-v", "-t", "t", "-T", "add", "1.2.3.4"),
        0, "A  1.2.3.4\n", "1 table created.\n1/1 addresses added.\n"),
    row("add dry run, new table", ("pfctl", "-n", "-t", "t", "-T", "add", "1.2.3.4"),
        0, "", "1 table created (dummy).\n"),
    row("add dry run, existing table", ("pfctl", "-n", "-t", "jail-nat", "-T", "add", "172.17.0.3"),
        0, "", "1/1 addresses added (dummy).\n", setup=[add("172.17.0.2")]),
    # pfctl_table.c CREATE_TABLE: 13.x/14.x warn_namespace_collision() after creating the table,
    # 15.0 warn_duplicate_tables() before.
    *each("add in anchor warns about main table", (R13, R14), ("pfctl", "-a", "foo", "-t", "jail-nat", "-T", "add",
                                                              "172.17.0.3"),
          0, "", "pfctl: warning: namespace collision with <jail-nat> global table.\n"
                 "1 table created.\n1/1 addresses added.\n", setup=[add("172.17.0.2")]),
    row("add in anchor warns about main table", ("pfctl", "-a", "foo", "-t", "jail-nat", "-T", "add", "172.17.0.3"),
        0, "", 'pfctl: warning: table <jail-nat> already defined in anchor "/"\n'
               "1 table created.\n1/1 addresses added.\n", setup=[add("172.17.0.2")], release=R15),
    row("add interface addresses", ("pfctl", "-t", "t", "-T", "add", "em0"),
        0, "", "1 table created.\n1/1 addresses added.\n"),
    # tests/sys/netpfil/pf/table.sh anchor: a table of the same name in the main ruleset and in
    # the anchor "anchorage" (a persist table loaded with pfctl -a anchorage -f -).
    row("table.sh anchor: main table beside an anchor's", ("pfctl", "-t", "testtable", "-T", "add", "192.0.2.1"),
        0, "", "pfctl: warning: namespace collision with <testtable> global table.\n"
               "1 table created.\n1/1 addresses added.\n",
        setup=[load("table <testtable> persist\nblock in quick from <testtable> to any\n", "anchorage")]),
    row("table.sh anchor: the anchor's table", ("pfctl", "-a", "anchorage", "-t", "testtable", "-T", "add",
                                                "192.0.2.1"),
        0, "", "1/1 addresses added.\n",
        setup=[load("table <testtable> persist\nblock in quick from <testtable> to any\n", "anchorage")]),
    # -- tables: delete ---------------------------------------------------------------------
    row("delete present", ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"),
        0, "", "1/1 addresses deleted.\n", setup=[add("172.17.0.2")]),
    row("delete absent", ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.9"),
        0, "", "0/1 addresses deleted.\n", setup=[add("172.17.0.2")]),
    *each("delete from missing table", ALL, ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"),
          255, "", "pfctl: Table does not exist.\n"),
    row("delete from inactive table", ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"),
        255, "", "pfctl: Table does not exist.\n", setup=[load(NAT_CONF)]),
    row("delete from const table", ("pfctl", "-t", "c", "-T", "delete", "10.1.0.0/16"),
        255, "", "pfctl: Operation not permitted.\n", setup=[load(CONST_CONF)]),
    # tests/sys/netpfil/pf/table.sh large: the same delete twice.
    row("table.sh large: delete once", ("pfctl", "-t", "foo", "-T", "delete", "42.42.42.42"),
        0, "", "1/1 addresses deleted.\n", setup=[(("pfctl", "-t", "foo", "-T", "add", "42.42.42.42"), None)]),
    row("table.sh large: delete again", ("pfctl", "-t", "foo", "-T", "delete", "42.42.42.42"),
        0, "", "0/1 addresses deleted.\n", setup=[(("pfctl", "-t", "foo", "-T", "add", "42.42.42.42"), None),
                                                  (("pfctl", "-t", "foo", "-T", "delete", "42.42.42.42"), None)]),
    # -- tables: show -----------------------------------------------------------------------
    row("show", ("pfctl", "-t", "jail-nat", "-T", "show"),
        0, "   10.0.0.0/8\n   172.17.0.2\n   172.17.0.3\n   ::1\n   fd00::/64\n", "",
        setup=[add("172.17.0.3", "172.17.0.2", "10.0.0.0/8", "fd00::/64", "::1")]),
    row("show /32 host without length", ("pfctl", "-t", "jail-nat", "-T", "show"),
        0, "   172.17.0.2\n", "", setup=[add("172.17.0.2/32")]),
    row("show negated entry", ("pfctl", "-t", "jail-nat", "-T", "show"), 0, "  !172.17.0.2\n", "",
        setup=[add("!172.17.0.2")]),
    row("show empty table", ("pfctl", "-t", "jail-nat", "-T", "show"), 0, "", "", setup=[add()]),
    *each("show missing table", ALL, ("pfctl", "-t", "jail-nat", "-T", "show"),
          255, "", "pfctl: Table does not exist.\n"),
    row("show referenced-only table", ("pfctl", "-t", "jail-nat", "-T", "show"),
        255, "", "pfctl: Table does not exist.\n", setup=[load(NAT_CONF)]),
    row("show with an address", ("pfctl", "-t", "jail-nat", "-T", "show", "1.2.3.4"), 1, "", USAGE_TEXT,
        setup=[add("1.2.3.4")]),
    row("show prefix of command word", ("pfctl", "-t", "jail-nat", "-T", "sh"), 0, "   1.2.3.4\n", "",
        setup=[add("1.2.3.4")]),
    # tests/sys/netpfil/pf/table.sh flush: add, show, flush, show.
    row("table.sh flush: add", ("pfctl", "-t", "foo", "-T", "add", "1.2.3.4"),
        0, "", "1 table created.\n1/1 addresses added.\n"),
    row("table.sh flush: show", ("pfctl", "-t", "foo", "-T", "show"), 0, "   1.2.3.4\n", "",
        setup=[(("pfctl", "-t", "foo", "-T", "add", "1.2.3.4"), None)]),
    row("table.sh flush: flush", ("pfctl", "-t", "foo", "-T", "flush"), 0, "", "1 addresses deleted.\n",
        setup=[(("pfctl", "-t", "foo", "-T", "add", "1.2.3.4"), None)]),
    row("table.sh flush: show after flush", ("pfctl", "-t", "foo", "-T", "show"), 0, "", "",
        setup=[(("pfctl", "-t", "foo", "-T", "add", "1.2.3.4"), None), (("pfctl", "-t", "foo", "-T", "flush"), None)]),
    # -- tables: flush, kill, test, replace, reset --------------------------------------------
    row("flush", ("pfctl", "-t", "jail-nat", "-T", "flush"), 0, "", "2 addresses deleted.\n",
        setup=[add("1.2.3.4", "1.2.3.5")]),
    row("flush missing", ("pfctl", "-t", "jail-nat", "-T", "flush"), 255, "", "pfctl: Table does not exist.\n"),
    *each("kill", ALL, ("pfctl", "-t", "jail-nat", "-T", "kill"), 0, "", "1 table deleted.\n", setup=[add("1.2.3.4")]),
    *each("kill missing", ALL, ("pfctl", "-t", "jail-nat", "-T", "kill"), 0, "", "0 table deleted.\n"),
    row("test all match", ("pfctl", "-t", "jail-nat", "-T", "test", "172.17.0.2"),
        0, "", "1/1 addresses match.\n", setup=[add("172.17.0.0/16")]),
    row("test some match", ("pfctl", "-t", "jail-nat", "-T", "test", "172.17.0.2", "172.17.0.3"),
        2, "", "1/2 addresses match.\n", setup=[add("172.17.0.2")]),
    row("test negated best match", ("pfctl", "-t", "jail-nat", "-T", "test", "10.1.2.3", "10.2.0.1"),
        2, "", "1/2 addresses match.\n", setup=[add("10.0.0.0/8", "!10.1.0.0/16")]),
    row("test missing table", ("pfctl", "-t", "jail-nat", "-T", "test", "1.2.3.4"),
        255, "", "pfctl: Table does not exist.\n"),
    row("replace creates", ("pfctl", "-t", "t", "-T", "replace", "1.2.3.4", "1.2.3.5"),
        0, "", "1 table created.\n2 addresses added.\n"),
    row("replace changes", ("pfctl", "-t", "jail-nat", "-T", "replace", "1.2.3.5", "1.2.3.6"),
        0, "", "1 addresses added.\n1 addresses deleted.\n", setup=[add("1.2.3.4", "1.2.3.5")]),
    row("replace nothing", ("pfctl", "-t", "jail-nat", "-T", "replace", "1.2.3.4"), 0, "", "no changes.\n",
        setup=[add("1.2.3.4")]),
    # tests/sys/netpfil/pf/table.sh replace: one address for another, then its negation.
    row("table.sh replace: replace the address", ("pfctl", "-t", "foo", "-T", "replace", "192.0.2.3"),
        0, "", "1 addresses added.\n1 addresses deleted.\n",
        setup=[load("table <foo> counters { 192.0.2.1 }\nblock all\npass in from <foo> to any\n")]),
    row("table.sh replace: negated address", ("pfctl", "-t", "foo", "-T", "replace", "!192.0.2.3"),
        0, "", "1 addresses changed.\n",
        setup=[load("table <foo> counters { 192.0.2.1 }\nblock all\npass in from <foo> to any\n"),
               (("pfctl", "-t", "foo", "-T", "replace", "192.0.2.3"), None)]),
    # tests/sys/netpfil/pf/table.sh reset_nonzero (15.0: "reset" is in tblcmdopt_list).
    row("table.sh reset_nonzero: missing table", ("pfctl", "-t", "nonexistent", "-T", "reset"),
        255, "", "pfctl: Table does not exist.\n", release=R15),
    row("table.sh reset_nonzero: empty table", ("pfctl", "-t", "bar", "-T", "reset"),
        0, "", "0/0 stats cleared.\n", release=R15,
        setup=[load("table <foo> counters { 192.0.2.1, 192.0.2.3 }\ntable <bar> counters { }\nblock all\n"
                    "pass in from <foo> to any\npass out from any to <foo>\n"
                    "pass on notReallyAnIf from <bar> to <bar>\nset skip on lo\n")]),
    row("table.sh reset_nonzero: no-op", ("pfctl", "-t", "foo", "-T", "reset"),
        0, "", "0/2 stats cleared.\n", release=R15,
        setup=[load("table <foo> counters { 192.0.2.1, 192.0.2.3 }\nblock all\npass in from <foo> to any\n")]),
    row("reset is no 14.x table command", ("pfctl", "-t", "foo", "-T", "reset"),
        1, "", "pfctl: Unknown table command 'reset'\n" + USAGE_TEXT),
    row("zero with addresses before 15.0", ("pfctl", "-t", "jail-nat", "-T", "zero", "1.2.3.4"),
        1, "", USAGE_TEXT, setup=[add("1.2.3.4")]),
    row("zero", ("pfctl", "-t", "jail-nat", "-T", "zero"), 0, "", "1 table/stats cleared.\n", setup=[add("1.2.3.4")]),
    # -- table commands: the argument checks of main() and pfctl_command_tables() -----------------
    *each("unknown table command", (R13, R14), ("pfctl", "-t", "jail-nat", "-T", "frob"),
          1, "", "pfctl: Unknown table command 'frob'\n" + USAGE_TEXT),
    row("unknown table command", ("pfctl", "-t", "jail-nat", "-T", "frob"),
        1, "", "pfctl: Unknown table command 'frob'\n" + USAGE_15_TEXT, release=R15),
    # 13.x/14.x main() has no (tblcmdopt == NULL) ^ (tableopt == NULL) check: -t alone is ignored,
    # -T alone reaches pfctl_command_tables(), whose "tname == NULL" calls usage().
    *each("-t without -T", (R13, R140, R14), ("pfctl", "-t", "jail-nat"), 0, "", ""),
    row("-t without -T", ("pfctl", "-t", "jail-nat"), 1, "", USAGE_15_TEXT, release=R15),
    *each("-T without -t", (R13, R14), ("pfctl", "-T", "show"), 1, "", USAGE_TEXT),
    row("-T without -t", ("pfctl", "-T", "show"), 1, "", USAGE_15_TEXT, release=R15),
    row("-T without -t runs the phases before it", ("pfctl", "-F", "nat", "-T", "show"), 1, "",
        "nat cleared\n" + USAGE_TEXT),
    row("table name too long", ("pfctl", "-t", "x" * 32, "-T", "show"), 1, "", USAGE_TEXT),
    row("-T load without -t loads tables only", ("pfctl", "-T", "load", "-f", "-"), 0, "", "",
        stdin="table <private> persist { 172.16.0.0/12 }\nblock\npass in from <private>\n"),
    # -- getopt(3) and the modifier lookups -------------------------------------------------------
    row("no arguments", ("pfctl",), 1, "", USAGE_TEXT),
    row("illegal option", ("pfctl", "-Z"), 1, "", "pfctl: illegal option -- Z\n" + USAGE_TEXT),
    row("option without its argument", ("pfctl", "-s"), 1, "",
        "pfctl: option requires an argument -- s\n" + USAGE_TEXT),
    row("-S before 15.0", ("pfctl", "-S", "-sr"), 1, "", "pfctl: illegal option -- S\n" + USAGE_TEXT),
    row("-S and -r", ("pfctl", "-S", "-r", "-sr"), 1, "", "pfctl: -N and -r are mutually exclusive\n", release=R15),
    row("stray argument", ("pfctl", "-e", "now"), 1, "",
        "pfctl: unknown command line argument: now ...\n" + USAGE_TEXT),
    row("unknown show modifier", ("pfctl", "-s", "bogus"), 1, "",
        "pfctl: Unknown show modifier 'bogus'\n" + USAGE_TEXT),
    row("show modifiers are case sensitive", ("pfctl", "-s", "N"), 1, "",
        "pfctl: Unknown show modifier 'N'\n" + USAGE_TEXT),
    row("-s e is ether from 14.0", ("pfctl", "-s", "e"), 1, "",
        "pfctl: Unknown show modifier 'e'\n" + USAGE_TEXT, release=R13),
    row("-s e is ether", ("pfctl", "-s", "e"), 0, "", ""),
    row("-s c is creatorids from 14.1", ("pfctl", "-s", "c"), 1, "",
        "pfctl: Unknown show modifier 'c'\n" + USAGE_TEXT, release=R140),
    row("unknown flush modifier", ("pfctl", "-F", "bogus"), 1, "",
        "pfctl: Unknown flush modifier 'bogus'\n" + USAGE_TEXT),
    row("-F e is ethernet from 14.0", ("pfctl", "-F", "e"), 1, "",
        "pfctl: Unknown flush modifier 'e'\n" + USAGE_TEXT, release=R13),
    row("-F e", ("pfctl", "-F", "e"), 0, "", "Ethernet rules cleared\n"),
    row("-F R is Reset from 15.0", ("pfctl", "-F", "R"), 1, "", "pfctl: Unknown flush modifier 'R'\n" + USAGE_TEXT),
    row("-F R", ("pfctl", "-F", "R"), 0, "", "pf: interface flags reset\n", release=R15),
    row("unknown debug level", ("pfctl", "-x", "x"), 1, "", "pfctl: Unknown debug level 'x'\n" + USAGE_TEXT),
    row("-k three times", ("pfctl", "-k", "1.2.3.4", "-k", "1.2.3.5", "-k", "1.2.3.6"),
        1, "", "pfctl: can only specify -k twice\n" + USAGE_TEXT),
    row("kill states", ("pfctl", "-k", "1.2.3.4"), 0, "", "killed 0 states from 1 sources and 0 destinations\n"),
    row("kill states by label without one", ("pfctl", "-k", "label"), 1, "",
        "pfctl: no label specified\n" + USAGE_TEXT),
    row("other device", ("pfctl", "-p", "/dev/nope", "-sr"), 1, "", "pfctl: /dev/nope: No such file or directory\n"),
    row("-h", ("pfctl", "-h"), 1, "", USAGE_TEXT),
    # -- enable / disable -------------------------------------------------------------------
    *each("enable", ALL, ("pfctl", "-e"), 0, "", "pf enabled\n"),
    row("enable twice", ("pfctl", "-e"), 1, "", "pfctl: pf already enabled\n", setup=[(("pfctl", "-e"), None)]),
    row("enable quiet", ("pfctl", "-qe"), 0, "", ""),
    row("disable", ("pfctl", "-d"), 0, "", "pf disabled\n", setup=[(("pfctl", "-e"), None)]),
    row("disable when disabled", ("pfctl", "-d"), 1, "", "pfctl: pf not enabled\n"),
    row("running, disabled", ("pfctl", "-s", "Running"), 1, "Disabled\n", ""),
    row("running, enabled", ("pfctl", "-s", "Running"), 0, "Enabled\n", "", setup=[(("pfctl", "-e"), None)]),
    # main(): "error = pfctl_command_tables(...)" replaces the status -s Running set.
    row("-T status replaces -s Running's", ("pfctl", "-s", "Running", "-t", "jail-nat", "-T", "show"),
        0, "Disabled\n   1.2.3.4\n", "", setup=[add("1.2.3.4")]),
    # -- rulesets: -s nat ---------------------------------------------------------------------------
    row("show nat rules", ("pfctl", "-sn"), 0,
        NAT_SHOWN + 'nat-anchor "pot-nat/*" all\nrdr-anchor "pot-rdr/*" all\n', "", setup=[load(NAT_CONF + POT_CONF)]),
    row("show nat rules, long form", ("pfctl", "-s", "nat"), 0, NAT_SHOWN, "", setup=[load(NAT_CONF)]),
    # pfctl_show_nat() lists PF_NAT, then PF_RDR, then PF_BINAT; print_rule() adds the family parse.y
    # took from the redirection address, "from any" and the service name of port 80.
    row("translation rules are listed nat, rdr, binat", ("pfctl", "-sn"), 0,
        "nat on em0 all -> (em0) round-robin\n"
        "rdr on em0 inet proto tcp from any to any port = http -> 172.17.0.2\n", "",
        setup=[load("rdr on em0 proto tcp to port 80 -> 172.17.0.2\nnat on em0 from any to any -> (em0)\n")]),
    row("nat rules of an anchor", ("pfctl", "-a", "jailnet", "-sn"), 0, NAT_SHOWN, "",
        setup=[load('nat-anchor "jailnet"\n'), load(NAT_CONF, "jailnet")]),
    *each("nat rules of a missing anchor", (R13, R140, R15), ("pfctl", "-a", "nope", "-sn"),
          0, "", "pfctl: DIOCGETRULES: Invalid argument\n"),
    row("nat rules of a missing anchor", ("pfctl", "-a", "nope", "-sn"), 0, "", ""),
    row("verbose nat rules", ("pfctl", "-v", "-sn"), 0,
        NAT_SHOWN + "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
        "  [ Inserted: uid 0 pid 0 State Creations: 0     ]\n", "", setup=[load(NAT_CONF)]),
    # -- rulesets: -s rules ---------------------------------------------------------------------------
    # print_rule(): "block" is "block drop", a pass rule shows its default "flags S/SA keep state".
    row("show filter rules", ("pfctl", "-sr"), 0,
        "pass all flags S/SA keep state\nblock drop in on em0 proto tcp to port 22\n", "",
        setup=[load("pass all\nblock in on em0 proto tcp to port 22\n")]),
    row("show rules verbose", ("pfctl", "-v", "-sr"), 0,
        "pass all flags S/SA keep state\n"
        "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
        "  [ Inserted: uid 0 pid 0 State Creations: 0     ]\n", "", setup=[load("pass all\n")]),
    row("show rules -vv", ("pfctl", "-vv", "-sr"), 0,
        "@0 pass all flags S/SA keep state\n"
        "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
        "  [ Inserted: uid 0 pid 0 State Creations: 0     ]\n  [ Last Active Time: N/A ]\n", "",
        setup=[load("pass all\n")]),
    row("show rules -vv", ("pfctl", "-vv", "-sr"), 0,
        "@0 pass all flags S/SA keep state\n"
        "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
        "  [ Inserted: uid 0 pid 0 State Creations: 0     ]\n", "", setup=[load("pass all\n")], release=R13),
    row("no rules", ("pfctl", "-sr"), 0, "", ""),
    row("show rules of missing anchor", ("pfctl", "-a", "nope", "-sr"), 0, "",
        "pfctl: DIOCGETRULES: Invalid argument\n"),
    row("anchor call in the filter rules", ("pfctl", "-sr"), 0, 'anchor "foo" all\n', "",
        setup=[load('anchor "foo"\n'), load("pass on em0 all flags S/SA keep state\n", "foo")]),
    # -- rulesets: -s Anchors ------------------------------------------------------------------------
    row("anchors", ("pfctl", "-s", "Anchors"), 0, "  pot-nat\n  pot-rdr\n", "", setup=[load(POT_CONF)]),
    row("nested anchors without -v", ("pfctl", "-sA"), 0, "  pot-nat\n  pot-rdr\n", "",
        setup=[load(POT_CONF), load("rdr pass on em0 proto tcp to port 80 -> 172.17.0.2\n", "pot-rdr/web")]),
    row("nested anchors with -v", ("pfctl", "-v", "-sA"), 0, "  pot-nat\n  pot-rdr\n  pot-rdr/web\n", "",
        setup=[load(POT_CONF), load("rdr pass on em0 proto tcp to port 80 -> 172.17.0.2\n", "pot-rdr/web")]),
    row("nested anchors", ("pfctl", "-sA"), 0, "  pot-nat\n  pot-rdr\n  pot-rdr/web\n", "", release=R15,
        setup=[load(POT_CONF), load("rdr pass on em0 proto tcp to port 80 -> 172.17.0.2\n", "pot-rdr/web")]),
    row("anchors below one", ("pfctl", "-a", "pot-rdr", "-sA"), 0, "  pot-rdr/web\n", "",
        setup=[load("pass all\n", "pot-rdr/web")]),
    row("anchors below one, Ethernet anchors", ("pfctl", "-a", "pot-rdr", "-sA"), 0, "  pot-rdr/web\n",
        "Anchor 'pot-rdr' not found.\n", setup=[load("pass all\n", "pot-rdr/web")], release=R140),
    row("anchors below one", ("pfctl", "-a", "pot-rdr", "-sA"), 0, "  pot-rdr/web\n", "",
        setup=[load("pass all\n", "pot-rdr/web")], release=R13),
    row("-vv lists the Ethernet anchors too", ("pfctl", "-vv", "-sA"), 0, "  pot-nat\n  pot-rdr\nEthernet:\n", "",
        setup=[load(POT_CONF)]),
    *each("anchors of missing anchor", (R13, R140), ("pfctl", "-a", "nope", "-sA"),
          1, "", "pfctl: DIOCGETRULESETS: No such file or directory\n"),
    row("anchors of missing anchor", ("pfctl", "-a", "nope", "-sA"), 0, "", ""),
    row("anchors of missing anchor", ("pfctl", "-a", "nope", "-sA"), 1, "", "pfctl: Anchor does not exist.\n",
        release=R15),
    row("anchor with only a table", ("pfctl", "-sA"), 0, "  tbl\n", "",
        setup=[(("pfctl", "-a", "tbl", "-t", "x", "-T", "add", "1.2.3.4"), None)]),
    row("underscore anchors hidden", ("pfctl", "-sA"), 0, "  vis\n", "",
        setup=[load('anchor "_hidden"\nanchor "vis/*"\n')]),
    row("underscore anchors with -v", ("pfctl", "-v", "-sA"), 0, "  _hidden\n  vis\n", "",
        setup=[load('anchor "_hidden"\nanchor "vis/*"\n')]),
    # -- rulesets: -s Tables ------------------------------------------------------------------------
    row("tables", ("pfctl", "-s", "Tables"), 0, "aaa\nc\njail-nat\n", "",
        setup=[add("1.2.3.4"), (("pfctl", "-t", "aaa", "-T", "add"), None), load(NAT_CONF + CONST_CONF)]),
    row("tables verbose", ("pfctl", "-v", "-sT"), 0, "c-a-r--\tc\n-pa-r--\tjail-nat\n", "",
        setup=[add("1.2.3.4"), load(NAT_CONF + CONST_CONF)]),
    row("inactive tables are not listed", ("pfctl", "-sT"), 0, "", "", setup=[load(NAT_CONF)]),
    # DIOCRGETTABLES: pfr_table_count() < 0 -> EINVAL; 13.x/14.x main() ignores the -1, 15.0 exits 1.
    row("tables of missing anchor", ("pfctl", "-a", "nope", "-sT"), 0, "", "pfctl: Invalid argument.\n"),
    row("tables of missing anchor", ("pfctl", "-a", "nope", "-sT"), 1, "", "pfctl: Invalid argument.\n", release=R15),
    row("tables of an anchor", ("pfctl", "-a", "a", "-sT"), 0, "x\n", "",
        setup=[load("table <x> { 1.2.3.4 }\npass from <x>\n", "a")]),
    # -- -f -----------------------------------------------------------------------------------------
    row("load", ("pfctl", "-f", "-"), 0, "", "", stdin=NAT_CONF),
    row("load verbose echoes", ("pfctl", "-v", "-f", "-"), 0,
        'ext = "em0"\ntable <t> persist { 1.2.3.4 10.0.0.0/8 }\nnat on em0 from <t> to any -> (em0) round-robin\n', "",
        stdin='ext = "em0"\ntable <t> persist { 1.2.3.4, 10.0.0.0/8 }\nnat on $ext from <t> to any -> ($ext)\n'),
    row("syntax error", ("pfctl", "-f", "-"), 1, "",
        "stdin:2: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n",
        stdin="pass all\nbogus rule\n"),
    row("syntax error, parse only", ("pfctl", "-n", "-f", "-"), 1, "", "stdin:1: syntax error\n", stdin="bogus\n"),
    row("undefined macro", ("pfctl", "-f", "-"), 1, "", "stdin:3: macro 'nope' not defined\nstdin:3: syntax error\n"
        "pfctl: Syntax error in config file: pf rules not loaded\n", stdin="\n\npass on $nope\n"),
    row("bad table address in file", ("pfctl", "-f", "-"), 1, "", "no IP address found for nothere\n"
        "stdin:1: could not parse host specification\npfctl: Syntax error in config file: pf rules not loaded\n",
        stdin="table <t> { 1.2.3.4, nothere }\n"),
    row("missing rules file", ("pfctl", "-f", "/etc/nope.conf"), 1, "",
        "pfctl: /etc/nope.conf: No such file or directory\n"
        "pfctl: cannot open the main config file!: No such file or directory\n"
        "pfctl: Syntax error in config file: pf rules not loaded\n"),
    # -- -a: checks of main() ----------------------------------------------------------------------
    *each("underscore anchor", ALL, ("pfctl", "-a", "_x", "-f", "-"), 1, "",
          "pfctl: anchor names beginning with '_' cannot be modified from the command line\n", stdin="pass all\n"),
    *each("nested underscore anchor", ALL, ("pfctl", "-a", "x/_y", "-F", "rules"), 1, "",
          "pfctl: anchor names beginning with '_' cannot be modified from the command line\n"),
    # 13.x/14.x check '_' at the -F phase, after -s ran; 15.0 before anything.
    row("underscore anchor checked at -F", ("pfctl", "-a", "_x", "-s", "Running", "-F", "rules"), 1, "Disabled\n",
        "pfctl: anchor names beginning with '_' cannot be modified from the command line\n"),
    row("underscore anchor checked at -F", ("pfctl", "-a", "_x", "-s", "Running", "-F", "rules"), 1, "",
        "pfctl: anchor names beginning with '_' cannot be modified from the command line\n", release=R15),
    *each("underscore anchor table", ALL, ("pfctl", "-a", "_x", "-t", "t", "-T", "add", "1.2.3.4"),
          0, "", "1 table created.\n1/1 addresses added.\n"),
    *each("anchor without an action", (R13, R14), ("pfctl", "-a", "x"), 0, "", ""),
    row("anchor without an action", ("pfctl", "-a", "x"), 1, "", "pfctl: anchors apply to -f, -F, -s, and -T only\n"
        + USAGE_15_TEXT, release=R15),
    *each("empty anchor name is the main ruleset", (R13, R14), ("pfctl", "-a", "", "-sr"), 0,
          "pass all flags S/SA keep state\n", "",
          setup=[load("pass all\n")]),
    row("empty anchor name", ("pfctl", "-a", "", "-sr"), 1, "", "pfctl: anchor name must not be empty\n", release=R15),
    row("anchor name too long", ("pfctl", "-a", "a" * 1024, "-sr"), 1, "",
        f"pfctl: anchor name '{'a' * 1024}' too long\n"),
    # -- flush ------------------------------------------------------------------------------------
    row("flush nat", ("pfctl", "-a", "a", "-F", "nat"), 0, "", "nat cleared\n", setup=[load(NAT_CONF, "a")]),
    row("flush rules", ("pfctl", "-a", "a", "-F", "rules"), 0, "", "rules cleared\n", setup=[load("pass all\n", "a")]),
    row("flush tables", ("pfctl", "-F", "Tables"), 0, "", "2 tables deleted.\n",
        setup=[add("1.2.3.4"), (("pfctl", "-t", "b", "-T", "add"), None)]),
    row("flush tables of missing anchor", ("pfctl", "-a", "nope", "-F", "Tables"), 0, "",
        "pfctl: Anchor or Ruleset does not exist.\n"),
    row("flush tables of missing anchor", ("pfctl", "-a", "nope", "-F", "Tables"), 1, "",
        "pfctl: Anchor or Ruleset does not exist.\n", release=R15),
    # The anchor held only the nat rule and the table it named: after -F nat it is gone.
    row("flush all in anchor", ("pfctl", "-a", "a", "-F", "all"), 0, "",
        "Ethernet rules cleared\nrules cleared\nnat cleared\npfctl: Anchor or Ruleset does not exist.\n",
        setup=[load(NAT_CONF, "a")]),
    row("flush all in anchor", ("pfctl", "-a", "a", "-F", "all"), 0, "",
        "rules cleared\nnat cleared\npfctl: Anchor or Ruleset does not exist.\n", setup=[load(NAT_CONF, "a")],
        release=R13),
    row("flush all in anchor", ("pfctl", "-a", "a", "-F", "all"), 1, "",
        "Ethernet rules cleared\nrules cleared\nnat cleared\npfctl: Anchor or Ruleset does not exist.\n",
        setup=[load(NAT_CONF, "a")], release=R15),
    row("flush all", ("pfctl", "-F", "all"), 0, "",
        "Ethernet rules cleared\nrules cleared\nnat cleared\n1 tables deleted.\n0 states cleared\n"
        "source tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n", setup=[add("1.2.3.4")]),
    row("flush all", ("pfctl", "-F", "all"), 0, "",
        "rules cleared\nnat cleared\n1 tables deleted.\n0 states cleared\n"
        "source tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n", setup=[add("1.2.3.4")],
        release=R13),
    row("flush all", ("pfctl", "-F", "all"), 0, "",
        "Ethernet rules cleared\nrules cleared\nnat cleared\n1 tables deleted.\nrules cleared\n0 states cleared\n"
        "source tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n", setup=[add("1.2.3.4")],
        release=R15),
    row("flush all with an interface", ("pfctl", "-i", "em0", "-F", "all"), 1, "",
        "pfctl: don't specify an interface with -Fall\n" + USAGE_15_TEXT, release=R15),
    row("flush quiet", ("pfctl", "-q", "-F", "nat"), 0, "", "", setup=[load(NAT_CONF)]),
    # -a 'x/*' -F rules: 15.0 pfctl_recurse(); before, the '*' only drops from the name.
    row("flush rules recursively", ("pfctl", "-a", "a/*", "-F", "rules"), 0, "Removing:\n  a/b\n  a\n", "",
        setup=[load("pass all\n", "a/b")], release=R15),
    row("flush rules of -a 'a/*'", ("pfctl", "-a", "a/*", "-F", "rules"), 0, "", "rules cleared\n",
        setup=[load("pass all\n", "a/b")]),
    # tests/sys/netpfil/pf/anchor.sh recursive_flush: pfctl -a "*" -Fr exits 0.
    row("anchor.sh recursive_flush", ("pfctl", "-a", "*", "-Fr"), 0, "Removing:\n  foo\n  /\n", "",
        setup=[load('block\nanchor "foo"\n'), load("pass\n", "foo")], release=R15),
    row("anchor.sh recursive_flush", ("pfctl", "-a", "*", "-Fr"), 0, "", "rules cleared\n",
        setup=[load('block\nanchor "foo"\n'), load("pass\n", "foo")]),
    # -- the forms jailnet runs, on every release ------------------------------------------------
    *each("jailnet: load an anchor", ALL, ("pfctl", "-a", "jailnet", "-f", "-"), 0, "", "", stdin=NAT_CONF),
    *each("jailnet: flush an anchor's nat", ALL, ("pfctl", "-a", "jailnet", "-F", "nat"), 0, "", "nat cleared\n",
          setup=[load(NAT_CONF, "jailnet")]),
    # pfctl_clear_nat(): DIOCXBEGIN creates the ruleset, DIOCXCOMMIT drops it again [I].
    *each("jailnet: flush a missing anchor's nat", ALL, ("pfctl", "-a", "nope", "-F", "nat"), 0, "", "nat cleared\n"),
    *each("jailnet: delete", ALL, ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"), 0, "",
          "1/1 addresses deleted.\n", setup=[add("172.17.0.2")]),
    *each("jailnet: show", ALL, ("pfctl", "-t", "jail-nat", "-T", "show"), 0, "   172.17.0.2\n", "",
          setup=[add("172.17.0.2")]),
    # -- order of phases: -F before -f before -e ----------------------------------------------
    row("flush, load, enable in one call", ("pfctl", "-e", "-f", "-", "-F", "rules"), 0, "",
        "rules cleared\npf enabled\n", setup=[load("pass all\n")], stdin="block all\n"),
]

# -- NAT rules inside anchors: what each release prints -------------------------------------------
#
# The main ruleset calls the anchor, the anchor holds jailnet's rule (loaded with -a ... -f -).
JAILNET_CALL = [load('nat-anchor "jailnet"\n'), load(NAT_CONF, "jailnet")]
JAILNET_WILD = [load('nat-anchor "jailnet/*"\n'), load(NAT_CONF, "jailnet/a"),
                load(NAT_CONF.replace("jail-nat", "other"), "jailnet/b")]
#: a second main-ruleset translation rule after the call (here an rdr-anchor).
JAILNET_AND_RDR = [load('nat-anchor "jailnet"\nrdr-anchor "rdr/*"\n'), load(NAT_CONF, "jailnet"),
                   load("rdr on em0 proto tcp to port 80 -> 172.17.0.2\n", "rdr/web")]
RECURSIVE = "nat-anchor \"jailnet\" all {\n  " + NAT_SHOWN + "}\n"

ANCHOR_NAT: list[Any] = [
    # pfctl -sn alone: the call, not what the anchor holds (pfctl_show_nat(): no PF_OPT_RECURSE).
    *each("-sn shows the call only", ALL, ("pfctl", "-sn"), 0, 'nat-anchor "jailnet" all\n', "", setup=JAILNET_CALL),
    # pfctl -a NAME -sn: the anchor's own rules, on every release.
    *each("-a NAME -sn", ALL, ("pfctl", "-a", "jailnet", "-sn"), 0, NAT_SHOWN, "", setup=JAILNET_CALL),
    # -a '*': recursion into a named call works on every release.
    *each("-a '*' -sn, named call", ALL, ("pfctl", "-a", "*", "-sn"), 0, RECURSIVE, "", setup=JAILNET_CALL),
    # -a '*' and a wildcard call: 13.x-14.1 recurse into the last component, "*" -> EINVAL twice
    # (the recursion, then main's rdr rules looked up in the path the recursion left behind).
    *each("-a '*' -sn, wildcard call", (R13, R140), ("pfctl", "-a", "*", "-sn"), 0,
          'nat-anchor "jailnet/*" all {\n}\n',
          "pfctl: DIOCGETRULES: Invalid argument\npfctl: DIOCGETRULES: Invalid argument\n", setup=JAILNET_WILD),
    # 14.2+: the children; 14.x never truncates its path buffer, so the second child is looked up
    # below the first and shows empty.
    row("-a '*' -sn, wildcard call", ("pfctl", "-a", "*", "-sn"), 0,
        'nat-anchor "jailnet/*" all {\n  nat-anchor "a" all {\n    ' + NAT_SHOWN
        + '  }\n  nat-anchor "b" all {\n  }\n}\n', "", setup=JAILNET_WILD),
    row("-a '*' -sn, wildcard call", ("pfctl", "-a", "*", "-sn"), 0,
        'nat-anchor "jailnet/*" all {\n  nat-anchor "a" all {\n    ' + NAT_SHOWN
        + '  }\n  nat-anchor "b" all {\n    ' + NAT_SHOWN.replace("jail-nat", "other") + "  }\n}\n", "",
        setup=JAILNET_WILD, release=R15),
    # ... and the main ruleset's rules after a recursion are looked up in the anchor: the
    # rdr-anchor call of the main ruleset disappears (13.x, 14.x).
    *each("-a '*' -sn loses the rules after the call", (R13, R14), ("pfctl", "-a", "*", "-sn"), 0, RECURSIVE, "",
          setup=JAILNET_AND_RDR),
    row("-a '*' -sn loses the rules after the call", ("pfctl", "-a", "*", "-sn"), 0,
        RECURSIVE + 'rdr-anchor "rdr/*" all {\n  nat-anchor "web" all {\n'
        "    rdr on em0 inet proto tcp from any to any port = http -> 172.17.0.2\n  }\n}\n", "", setup=JAILNET_AND_RDR,
        release=R15),
    # The per-anchor form works everywhere: list the children, then each anchor.
    *each("-a NAME -sA lists the children of a wildcard", (R13, R14, R15), ("pfctl", "-a", "jailnet", "-sA"), 0,
          "  jailnet/a\n  jailnet/b\n", "", setup=JAILNET_WILD),
    row("-a NAME -sA lists the children of a wildcard", ("pfctl", "-a", "jailnet", "-sA"), 0,
        "  jailnet/a\n  jailnet/b\n", "Anchor 'jailnet' not found.\n", setup=JAILNET_WILD, release=R140),
    *each("-a NAME/CHILD -sn", ALL, ("pfctl", "-a", "jailnet/b", "-sn"), 0,
          NAT_SHOWN.replace("jail-nat", "other"), "", setup=JAILNET_WILD),
    *each("-vsA lists every anchor", (R13, R14), ("pfctl", "-vsA"), 0, "  jailnet\n  jailnet/a\n  jailnet/b\n", "",
          setup=JAILNET_WILD),
    # tests/sys/netpfil/pf/nat.sh nested_anchor (em0 for ${epair}a): pfctl -sn -a "*" prints
    # exactly this, exit 0.
    *each("nat.sh nested_anchor", ALL, ("pfctl", "-sn", "-a", "*"), 0,
          'nat-anchor "foo" all {\n  nat-anchor "bar" all {\n    nat on em0 all -> (em0) round-robin\n  }\n}\n', "",
          setup=[load('nat-anchor "foo"\n'), (("pfctl", "-g", "-a", "foo", "-f", "-"), 'nat-anchor "bar"\n'),
                 (("pfctl", "-g", "-a", "foo/bar", "-f", "-"), "nat on em0 from any to any -> (em0)\n")]),
    # tests/sys/netpfil/pf/anchor.sh pr279225: exit 0, the "all {" lines, nothing on stderr.
    *each("anchor.sh pr279225, -sn", (R14, R15), ("pfctl", "-sn", "-a", "*"), 0,
          'nat-anchor "appjail-nat/jail/*" all {\n}\nrdr-anchor "appjail-rdr/*" all {\n}\n', "",
          setup=[load('nat-anchor "appjail-nat/jail/*" all\nrdr-anchor "appjail-rdr/*" all\n'
                      'anchor "appjail/jail/*" all\n')]),
    *each("anchor.sh pr279225, -sr", (R14, R15), ("pfctl", "-sr", "-a", "*"), 0,
          'anchor "appjail/jail/*" all {\n}\n', "",
          setup=[load('nat-anchor "appjail-nat/jail/*" all\nrdr-anchor "appjail-rdr/*" all\n'
                      'anchor "appjail/jail/*" all\n')]),
    # tests/sys/netpfil/pf/anchor.sh nested_anchor (em0 for ${epair}a): pfctl -sr -a "*".
    *each("anchor.sh nested_anchor", ALL, ("pfctl", "-sr", "-a", "*"), 0,
          'anchor "foo" all {\n  anchor "bar" all {\n    pass on em0 all flags S/SA keep state\n  }\n}\n', "",
          setup=[load('anchor "foo" {\n\tanchor "bar" {\n\t\tpass on em0\n\t}\n}\n')]),
    # tests/sys/netpfil/pf/table.sh in_anchor: a table declared inside an inline anchor is the
    # anchor's.
    row("table.sh in_anchor: the table is the anchor's", ("pfctl", "-a", "foo", "-sT"), 0, "bar\n", "",
        setup=[load('block all\nanchor "foo" {\n table <bar> counters { 192.0.2.1 }\n pass in from <bar>\n}\n')]),
    # tests/sys/netpfil/pf/anchor.sh deeply_nested (the inline anchors loaded one by one): 15.0
    # pfctl -sA recurses.
    row("anchor.sh deeply_nested", ("pfctl", "-sA"), 0,
        "  foo\n  foo/bar\n  foo/bar/foobar\n  foo/bar/quux\n  foo/baz\n  foo/qux\n", "", release=R15,
        setup=[load('anchor "foo"\n'), load('anchor "bar"\nanchor "baz"\nanchor "qux"\n', "foo"),
               load('anchor "foobar"\nanchor "quux"\n', "foo/bar")]),
    row("anchor.sh deeply_nested, -a foo/bar", ("pfctl", "-a", "foo/bar", "-sA"), 0,
        "  foo/bar/foobar\n  foo/bar/quux\n", "", release=R15,
        setup=[load('anchor "foo"\n'), load('anchor "bar"\nanchor "baz"\nanchor "qux"\n', "foo"),
               load('anchor "foobar"\nanchor "quux"\n', "foo/bar")]),
    row("anchor.sh deeply_nested before 15.0", ("pfctl", "-sA"), 0, "  foo\n", "",
        setup=[load('anchor "foo"\n'), load('anchor "bar"\nanchor "baz"\nanchor "qux"\n', "foo"),
               load('anchor "foobar"\nanchor "quux"\n', "foo/bar")]),
]


# -- translation rules: loaded -> printed (sbin/pfctl/parse.y natrule/binatrule, expand_rule();
#    sbin/pfctl/pfctl_parser.c print_rule(), print_fromto(), print_port(), print_pool();
#    sbin/pfctl/pf_print_state.c print_addr()) -----------------------------------------------------
#
# em0 (10.0.2.15, fe80::...%em0) stands for the tests' ${epair}a; pfctl_show_nat() lists nat, rdr,
# binat in that order. Rows marked "loaded by" come from FreeBSD tests that load the rule without
# asserting the listing: their line is print_rule()'s, worked out from the source.

EXT = "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n" \
      "  [ Inserted: uid 0 pid 0 State Creations: 0     ]\n  [ Last Active Time: N/A ]\n"
LOAD_FAILS = "pfctl: Syntax error in config file: pf rules not loaded\n"


def shown(name: str, conf: str, out: str, *, releases: tuple[str, ...] = (R14,), anchor: str = "") -> list[Any]:
    """``conf`` loaded (into ``anchor``), then ``pfctl [-a anchor] -sn`` prints ``out``."""
    argv = ("pfctl", "-a", anchor, "-sn") if anchor else ("pfctl", "-sn")
    return each(name, releases, argv, 0, out, "", setup=[load(conf, anchor)])


def refused(name: str, conf: str, err: str) -> Any:
    """``pfctl -f -`` of ``conf`` fails: parse.y's messages, then pfctl_rules()' line, exit 1."""
    return row(name, ("pfctl", "-f", "-"), 1, "", err + LOAD_FAILS, stdin=conf)


TRANSLATION: list[Any] = [
    # tests/sys/netpfil/pf/anchor.sh nat: atf_check -o match:"nat log on ${epair}a inet from
    # 192.0.2.0/24 to any port = domain -> 192.0.2.1" and match:"rdr on ${epair}a inet proto tcp from
    # any to any port = echo -> 127.0.0.1 port 7" (getservbyport(53, "udp"): no proto is udp).
    *shown("anchor.sh nat: the nat rule", "nat log on em0 inet from 192.0.2.0/24 to any port = 53 -> 192.0.2.1\n",
           "nat log on em0 inet from 192.0.2.0/24 to any port = domain -> 192.0.2.1\n", releases=ALL, anchor="foo/bar"),
    *shown("anchor.sh nat: the rdr rule", "rdr on em0 proto tcp to port echo -> 127.0.0.1 port echo\n",
           "rdr on em0 inet proto tcp from any to any port = echo -> 127.0.0.1 port 7\n", releases=ALL,
           anchor="foo/baz"),
    # tests/sys/netpfil/pf/nat.sh nested_anchor: "nat on ${epair}a all -> (${epair}a) round-robin".
    *shown("nat.sh nested_anchor: the nat rule", "nat on em0 from any to any -> (em0)\n",
           "nat on em0 all -> (em0) round-robin\n", releases=ALL),
    # Loaded by tests/sys/netpfil/pf/nat.sh exhaust: print_pool() prints the ports, the pool type
    # parse.y picked for an interface address (DYNIF_MULTIADDR), then sticky-address.
    *shown("nat.sh exhaust", "nat pass on em0 inet from 192.0.2.0/24 to any -> (em0) port 30000:30001 sticky-address\n",
           "nat pass on em0 inet from 192.0.2.0/24 to any -> (em0) port 30000:30001 round-robin sticky-address\n"),
    # Loaded by tests/sys/netpfil/pf/rdr.sh tcp_v6: the family of the redirection address.
    *shown("rdr.sh tcp_v6", "rdr on em0 proto tcp from any to any port 80 -> 2001:db8:b::2 port 8000\n",
           "rdr on em0 inet6 proto tcp from any to any port = http -> 2001:db8:b::2 port 8000\n"),
    # Loaded by tests/sys/netpfil/pf/rdr.sh srcport: an interface name is host_if(), its addresses
    # when the rule is parsed; 7777 has no tcp name in services(5).
    *shown("rdr.sh srcport: nat to the interface", "nat on em0 inet from 198.51.100.0/24 to any -> em0 static-port\n",
           "nat on em0 inet from 198.51.100.0/24 to any -> 10.0.2.15 static-port\n"),
    *shown("rdr.sh srcport: rdr to the interface",
           "rdr on em0 proto tcp from any to em0 port 7777 -> 203.0.113.50 port 8888\n",
           "rdr on em0 inet proto tcp from any to 10.0.2.15 port = 7777 -> 203.0.113.50 port 8888\n"),
    # jailnet's port publishing, both spellings: "pass" right after the action (print_rule():
    # r->natpass), the family, "from any", port 8080 by its tcp name (usr.sbin/services_mkdb/services:
    # http-alt 8080/tcp), the redirection port as a number (print_pool()).
    *shown("jailnet publish, from any to any",
           "rdr pass on em0 inet proto tcp from any to any port 8080 -> 172.17.0.2 port 80\n",
           "rdr pass on em0 inet proto tcp from any to any port = http-alt -> 172.17.0.2 port 80\n", releases=ALL,
           anchor="jailnet"),
    *shown("jailnet publish, to port", "rdr pass on em0 inet proto tcp to port 8080 -> 172.17.0.2 port 80\n",
           "rdr pass on em0 inet proto tcp from any to any port = http-alt -> 172.17.0.2 port 80\n", releases=ALL,
           anchor="jailnet"),
    *shown("jailnet publish, udp", "rdr pass on em0 inet proto udp to port 5353 -> 172.17.0.2 port 53\n",
           "rdr pass on em0 inet proto udp from any to any port = mdns -> 172.17.0.2 port 53\n", anchor="jailnet"),
    # print_port() as sbin/pfctl/tests/files/pf0004.ok prints it for filter rules (the same
    # print_fromto()): "port = ssh", "port 1024:2048", "port 21 >< 2048", "port != 1234",
    # "port >= 80"; tcp 6667 is "ircd", udp 6667 has no name.
    *shown("pf0004: = by name, a range", "nat on em0 proto tcp from any port 22 to any port 1024:2048 -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any port = ssh to any port 1024:2048 -> 1.2.3.4\n"),
    *shown("pf0004: >< and !=", "nat on em0 proto tcp from any port 21 >< 2048 to any port != 1234 -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any port 21 >< 2048 to any port != 1234 -> 1.2.3.4\n"),
    *shown("pf0004: >=", "nat on em0 proto tcp from any port >= 80 to any -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any port >= 80 to any -> 1.2.3.4\n"),
    *shown("pf0004: tcp 6667", "nat on em0 proto tcp from any to any port 6667 -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any to any port = ircd -> 1.2.3.4\n"),
    *shown("pf0004: udp 6667", "nat on em0 proto udp from any to any port 6667 -> 1.2.3.4\n",
           "nat on em0 inet proto udp from any to any port = 6667 -> 1.2.3.4\n"),
    # services(5): 512/tcp is exec, 512/udp biff; print_fromto() asks for "udp" unless proto tcp.
    *shown("port 512 without proto", "nat on em0 from any to any port 512 -> 1.2.3.4\n",
           "nat on em0 inet from any to any port = biff -> 1.2.3.4\n"),
    *shown("port 512, proto tcp", "nat on em0 proto tcp from any to any port 512 -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any to any port = exec -> 1.2.3.4\n"),
    *shown("< is printed as a number", "nat on em0 proto tcp from any to any port < 1024 -> 1.2.3.4\n",
           "nat on em0 inet proto tcp from any to any port < 1024 -> 1.2.3.4\n"),
    # expand_rule(): one rule per port, protocol, address, interface (LOOP_THROUGH).
    *shown("port list expands", "rdr on em0 proto tcp to port { 80, 443 } -> 10.0.0.1\n",
           "rdr on em0 inet proto tcp from any to any port = http -> 10.0.0.1\n"
           "rdr on em0 inet proto tcp from any to any port = https -> 10.0.0.1\n"),
    *shown("proto list expands", "rdr on em0 proto { tcp, udp } to port 53 -> 10.0.0.1\n",
           "rdr on em0 inet proto tcp from any to any port = domain -> 10.0.0.1\n"
           "rdr on em0 inet proto udp from any to any port = domain -> 10.0.0.1\n"),
    *shown("self expands to every interface address", "rdr on em0 proto tcp to self port 80 -> 127.0.0.1 port 8080\n",
           "rdr on em0 inet proto tcp from any to 10.0.2.15 port = http -> 127.0.0.1 port 8080\n"
           "rdr on em0 inet proto tcp from any to 127.0.0.1 port = http -> 127.0.0.1 port 8080\n"),
    *shown("interface list expands", "nat on { em0 lo0 } from 10.0.0.0/8 -> 1.2.3.4\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> 1.2.3.4\nnat on lo0 inet from 10.0.0.0/8 to any -> 1.2.3.4\n"),
    *shown("a source of the other family is skipped", "nat on em0 from { 10.0.0.1, ::1 } to any -> 1.2.3.4\n",
           "nat on em0 inet from 10.0.0.1 to any -> 1.2.3.4\n"),
    # print_fromto(): "all" only when both addresses are zero without ports; 0.0.0.0/0 is zero.
    *shown("0.0.0.0/0 is all", "nat on em0 from 0.0.0.0/0 to any -> 1.2.3.4\n", "nat on em0 inet all -> 1.2.3.4\n"),
    *shown("host bits are cleared, 10/8", "nat on em0 from 10.1.2.3/8 to 10/8 -> 1.2.3.4\n",
           "nat on em0 inet from 10.0.0.0/8 to 10.0.0.0/8 -> 1.2.3.4\n"),
    *shown("negation and ranges", "nat on ! em0 from ! 10.0.0.0/8 to 192.0.2.1 - 192.0.2.9 -> 1.2.3.4\n",
           "nat on ! em0 inet from ! 10.0.0.0/8 to 192.0.2.1 - 192.0.2.9 -> 1.2.3.4\n"),
    *shown("log options, tag, tagged", "nat log (all, to pflog1) on em0 from 10/8 to any tag T ! tagged U -> 1.2.3.4\n",
           "nat log (all, to pflog1) on em0 inet from 10.0.0.0/8 to any tag T ! tagged U -> 1.2.3.4\n"),
    # print_pool(): nat ports unless 50001:65535, static-port for 0:0, rdr "port N" or "N:M".
    *shown("nat port", "nat on em0 from 10/8 to any -> 1.2.3.4 port 5000\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> 1.2.3.4 port 5000\n"),
    *shown("nat port range", "nat on em0 from 10/8 to any -> 1.2.3.4 port 1024:65535\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> 1.2.3.4 port 1024:65535\n"),
    *shown("nat default ports", "nat on em0 from 10/8 to any -> 1.2.3.4 port 50001:65535\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> 1.2.3.4\n"),
    *shown("rdr port N:* follows the destination range",
           "rdr on em0 proto tcp to port 8000:8010 -> 10.0.0.1 port 80:*\n",
           "rdr on em0 inet proto tcp from any to any port 8000:8010 -> 10.0.0.1 port 80:90\n"),
    # parse.y natrule: round-robin for a list, a table or an interface address without :0.
    *shown("address list", "nat on em0 from 10/8 to any -> { 1.2.3.4, 1.2.3.5 }\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> { 1.2.3.4, 1.2.3.5 } round-robin\n"),
    *shown("table pool", "nat on em0 from 10/8 to any -> <pool>\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> <pool> round-robin\n"),
    *shown("interface :0 is one address", "nat on em0 from 10/8 to any -> (em0:0)\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> (em0:0)\n"),
    *shown("source-hash with a key string", "nat on em0 from 10/8 to any -> 1.2.3.4 source-hash foo\n",
           "nat on em0 inet from 10.0.0.0/8 to any -> 1.2.3.4 source-hash 0xacbd18db4cc2f85cedef654fccc4a4d8\n"),
    # binat: not expanded; the source's "!" is not kept (binatrule never sets binat.src.neg).
    *shown("binat", "binat on em0 from 10.0.0.1 to any -> 192.0.2.1\n",
           "binat on em0 inet from 10.0.0.1 to any -> 192.0.2.1\n"),
    *shown("binat drops the source negation", "binat on em0 from ! 10.0.0.1 to ! 192.0.2.0/24 -> 192.0.2.1\n",
           "binat on em0 inet from 10.0.0.1 to ! 192.0.2.0/24 -> 192.0.2.1\n"),
    *shown("no nat, no rdr, listed by kind", "binat on em0 from 10.0.0.1 to any -> 192.0.2.1\n"
           "no rdr on em0 proto tcp from 10.0.0.5 to any port 22\nno nat on em0 from 10.0.0.2 to any\n",
           "no nat on em0 inet from 10.0.0.2 to any\nno rdr on em0 inet proto tcp from 10.0.0.5 to any port = ssh\n"
           "binat on em0 inet from 10.0.0.1 to any -> 192.0.2.1\n"),
    # -vv: "@nr", and print_addr() shows the counts DIOCGETRULE filled in (pf_tbladdr_copyout():
    # -1 "*" for an inactive table); pfctl -v -f echoes each rule (pfctl_load_rule()).
    row("-vv counts a table's addresses", ("pfctl", "-vvsn"), 0,
        "@0 nat on em0 inet from <jail-nat:2> to any -> (em0) round-robin\n" + EXT, "",
        setup=[add("172.17.0.2", "172.17.0.3"), load(NAT_CONF)]),
    row("-vv an inactive table", ("pfctl", "-vvsn"), 0,
        "@0 nat on em0 inet from <jail-nat:*> to any -> (em0) round-robin\n" + EXT, "", setup=[load(NAT_CONF)]),
    row("-v echoes the rules loaded", ("pfctl", "-v", "-f", "-"), 0,
        "rdr pass on em0 inet proto tcp from any to any port = http-alt -> 172.17.0.2 port 80\n", "",
        stdin="rdr pass on em0 proto tcp to port 8080 -> 172.17.0.2 port 80\n"),
    # parse.y refusals: the yyerror() lines, "skipping rule due to errors" and "rule expands to no
    # valid combination" from expand_rule(), host()'s own line before "could not parse host".
    refused("unknown port", "rdr on em0 proto tcp to port nosuch -> 10.0.0.1\n",
            "stdin:1: unknown port nosuch\n"),
    refused("port too large", "rdr on em0 proto tcp to port 70000 -> 10.0.0.1\n",
            "stdin:1: illegal port value 70000\n"),
    refused("port without tcp/udp", "rdr on em0 proto icmp to port 80 -> 10.0.0.1\n",
            "stdin:1: dst port only applies to tcp/udp\nstdin:1: skipping rule due to errors\n"
            "stdin:1: rule expands to no valid combination\n"),
    refused("rdr with >", "rdr on em0 proto tcp to port > 80 -> 10.0.0.1\n",
            "stdin:1: invalid port operator for rdr destination port\nstdin:1: skipping rule due to errors\n"
            "stdin:1: rule expands to no valid combination\n"),
    refused("no ->", "nat on em0 from 10/8 to any\n", "stdin:1: translation rule requires '-> address'\n"),
    refused("no nat with ->", "no nat on em0 from 10/8 to any -> 1.2.3.4\n",
            "stdin:1: translation rule with 'no' does not need '->'\n"),
    refused("no rdr pass", "no rdr pass on em0 proto tcp to port 80\n", 'stdin:1: "pass" not valid with "no"\n'),
    refused("static-port on rdr", "rdr on em0 proto tcp to port 80 -> 10.0.0.1 static-port\n",
            "stdin:1: the 'static-port' option is only valid with nat rules\n"),
    refused("static-port with ports", "nat on em0 from 10/8 to any -> 1.2.3.4 port 1000:2000 static-port\n",
            "stdin:1: the 'static-port' option can't be used when specifying a port range\n"),
    refused("a table in a random pool", "nat on em0 from 10/8 to any -> <pool> random\n",
            "stdin:1: tables are only supported in round-robin redirection pools\n"),
    refused("a list in a random pool", "nat on em0 from 10/8 to any -> { 1.2.3.4, 1.2.3.5 } random\n",
            "stdin:1: only round-robin valid for multiple redirection addresses\n"),
    refused("no address of the family", "nat on em0 inet6 from any to any -> 1.2.3.4\n",
            "stdin:1: no translation address with matching address family found.\n"),
    refused("binat without a family", "binat on em0 from any to any -> (em0:0)\n",
            "stdin:1: address family (inet/inet6) undefined\n"),
    refused("binat from a table", "binat on em0 from <t> to any -> 1.2.3.4\n",
            "stdin:1: invalid use of table <t> as the source address of a binat rule\n"),
    refused("unknown host", "nat on em0 from nosuch to any -> 1.2.3.4\n",
            "no IP address found for nosuch\nstdin:1: could not parse host specification\n"),
    refused("unknown protocol", "nat on em0 proto nosuch from any to any -> 1.2.3.4\n",
            "stdin:1: unknown protocol nosuch\n"),
    refused("the family after the interface", "nat inet on em0 from any to any -> 1.2.3.4\n",
            "stdin:1: syntax error\n"),
]


@pytest.mark.parametrize(("release", "setup", "argv", "stdin", "rc", "out", "err"), CASES + ANCHOR_NAT + TRANSLATION)
def test_pfctl(release: str, setup: list[Step], argv: tuple[str, ...], stdin: str | None,
               rc: int, out: str, err: str) -> None:
    host = SimulatedHost.freebsd(release)
    _setup(host, setup)
    result = host(argv, stdin=stdin)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


def test_anchor_sh_nat_wildcard_lists_every_child() -> None:
    """tests/sys/netpfil/pf/anchor.sh nat: ``nat-anchor "foo/*"``, a nat rule in foo/bar and an rdr
    rule in foo/baz; ``pfctl -sn -a "*"`` shows both as print_rule() prints them (15.0), which is
    what the test's two ``atf_check -o match:`` lines assert (em0 for ${epair}a)."""
    host = SimulatedHost.freebsd(R15)
    _setup(host, [load('nat-anchor "foo/*"\npass\n'),
                  (("pfctl", "-a", "foo/bar", "-g", "-f", "-"),
                   "nat log on em0 inet from 192.0.2.0/24 to any port = 53 -> 192.0.2.1\n"),
                  (("pfctl", "-a", "foo/baz", "-g", "-f", "-"),
                   "rdr on em0 proto tcp to port echo -> 127.0.0.1 port echo\n")])
    result = host(("pfctl", "-sn", "-a", "*"))
    assert result.returncode == 0 and result.stderr == ""
    assert "    nat log on em0 inet from 192.0.2.0/24 to any port = domain -> 192.0.2.1\n" in result.stdout
    assert "    rdr on em0 inet proto tcp from any to any port = echo -> 127.0.0.1 port 7\n" in result.stdout


def test_dry_run_table_command_without_pf_is_syntax_only() -> None:
    """13.x/14.0 with -n and no /dev/pf: no PF_OPT_DUMMYACTION, RVTEST() skips the kernel and
    xprintf() says "(syntax only)"; 14.1+ fail at pfctl_open() first."""
    for release, expected in ((R140, (0, "", "0/1 addresses added (syntax only).\n")),
                              (R14, (1, "", "pfctl: Failed to open netlink: No such file or directory\n"))):
        host = SimulatedHost.freebsd(release, pf_loaded=False)
        result = host(("pfctl", "-n", "-t", "t", "-T", "add", "1.2.3.4"))
        assert (result.returncode, result.stdout, result.stderr) == expected


def test_dry_run_load_without_pf_before_netlink() -> None:
    """13.x/14.0: -n parses without /dev/pf (no netlink handle is opened)."""
    host = SimulatedHost.freebsd(R13, pf_loaded=False)
    result = host(("pfctl", "-n", "-f", "-"), stdin="pass all\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_table_load_loads_tables_only(host: SimulatedHost) -> None:
    """``-T load``: main() turns it into loadopt PFCTL_FLAG_TABLE, so only the tables of the file
    are loaded (tests/sys/netpfil/pf/table.sh load: no "block" in pfctl -sr afterwards)."""
    host(("pfctl", "-f", "-"), stdin="pass all\n")
    result = host(("pfctl", "-T", "load", "-f", "-"), stdin="table <private> persist { 172.16.0.0/12 }\nblock\n")
    assert result.returncode == 0
    assert host(("pfctl", "-sr")).stdout == "pass all flags S/SA keep state\n"
    assert host(("pfctl", "-t", "private", "-T", "show")).stdout == "   172.16.0.0/12\n"


@pytest.mark.parametrize("release", ALL)
def test_status_on_every_release(release: str) -> None:
    """``pfctl -s info``: print_status() on stdout, exit 0, pf enabled or not."""
    host = SimulatedHost.freebsd(release)
    result = host(("pfctl", "-s", "info"))
    assert result.returncode == 0 and result.stderr == "" and result.stdout.startswith("Status: Disabled ")


def test_clear_stats_restarts_the_status_clock(host: SimulatedHost) -> None:
    """DIOCCLRSTATUS sets ``V_pf_status.since = time_second`` (sys/netpfil/pf/pf_ioctl.c)."""
    host(("pfctl", "-e"))
    host.state.pf.enabled_at = 1.0
    assert host(("pfctl", "-F", "info")).stderr == "pf: statistics cleared\n"
    assert host.state.pf.enabled_at > 1.0


NOT_LOADED = [
    ("pfctl", "-e"),
    ("pfctl", "-s", "info"),
    ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"),
    ("pfctl", "-t", "jail-nat", "-T", "show"),
    ("pfctl", "-f", "/etc/pf.conf"),
    ("pfctl", "-sA"),
]


@pytest.mark.parametrize("argv", NOT_LOADED, ids=" ".join)
def test_pf_not_loaded(argv: tuple[str, ...]) -> None:
    host = SimulatedHost.freebsd(pf_loaded=False)
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "pfctl: /dev/pf: No such file or directory\n")


def test_dry_run_without_pf() -> None:
    """14.1+: ``pfh = pfctl_open(pf_device)`` runs even with -n."""
    host = SimulatedHost.freebsd(pf_loaded=False)
    result = host(("pfctl", "-n", "-f", "-"), stdin="pass all\n")
    assert (result.returncode, result.stderr) == (1, "pfctl: Failed to open netlink: No such file or directory\n")


# -- state effects ----------------------------------------------------------------------------


def test_add_creates_persistent_active_table(host: SimulatedHost) -> None:
    host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"))
    assert host.state.pf.tables == [Table("jail-nat", "", ["172.17.0.2"], persist=True, active=True)]


def test_load_creates_inactive_referenced_table_then_add_activates(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin=NAT_CONF)
    assert host.state.pf.tables == [Table("jail-nat", "", [], active=False)]
    # The kernel keeps the parsed rule: stored as print_rule() prints it, ports numeric.
    assert host.state.pf.rulesets[""] == Ruleset(nat=["nat on em0 inet from <jail-nat> to any -> (em0) round-robin"])
    host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"))
    table = host.state.pf.table("jail-nat")
    assert table is not None and table.active and table.persist and table.addresses == ["172.17.0.2"]


def test_anchor_table_reference_creates_root_table(host: SimulatedHost) -> None:
    host(("pfctl", "-a", "a", "-f", "-"), stdin="pass from <x>\n")
    tables = {(t.anchor, t.name, t.active) for t in host.state.pf.tables}
    assert tables == {("a", "x", False), ("", "x", False)}


def test_failed_load_changes_nothing(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin=NAT_CONF)
    before = str(host.state.pf)
    result = host(("pfctl", "-f", "-"), stdin="pass all\nnonsense here\n")
    assert result.returncode == 1
    assert str(host.state.pf) == before


def test_dry_run_changes_nothing(host: SimulatedHost) -> None:
    assert host(("pfctl", "-n", "-f", "-"), stdin=NAT_CONF).returncode == 0
    assert host(("pfctl", "-n", "-t", "t", "-T", "add", "1.2.3.4")).returncode == 0
    assert host.state.pf == Pf()


def test_load_replaces_the_anchor_only(host: SimulatedHost) -> None:
    host(("pfctl", "-a", "a", "-f", "-"), stdin="nat on em0 from any to any -> (em0)\npass all\n")
    host(("pfctl", "-a", "b", "-f", "-"), stdin="block all\n")
    host(("pfctl", "-a", "a", "-f", "-"), stdin="rdr on em0 proto tcp to port 80 -> 172.17.0.2\n")
    assert host.state.pf.rulesets == {
        "a": Ruleset(nat=["rdr on em0 inet proto tcp from any to any port = 80 -> 172.17.0.2"], filter=[]),
        "b": Ruleset(filter=["block all"]),
    }


def test_nat_only_load_keeps_filter_rules(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin="pass all\n")
    host(("pfctl", "-N", "-f", "-"), stdin="nat on em0 from any to any -> (em0)\nblock all\n")
    assert host.state.pf.rulesets[""] == Ruleset(nat=["nat on em0 all -> (em0) round-robin"],
                                                 filter=["pass all"])


def test_macros_comments_and_continuations(host: SimulatedHost) -> None:
    conf = (
        "# a comment\n"
        'ext_if = "em0"   # trailing comment\n'
        "jails = 172.17.0.0/16\n"
        "\n"
        "nat on $ext_if inet \\\n"
        "    from $jails to any -> ($ext_if)\n"
        'pass   quick   on lo0   label "a  b"\n'
    )
    assert host(("pfctl", "-f", "-"), stdin=conf).returncode == 0
    assert host.state.pf.rulesets[""] == Ruleset(
        nat=["nat on em0 inet from 172.17.0.0/16 to any -> (em0) round-robin"],
        filter=['pass quick on lo0 label "a  b"'])


def test_macro_from_command_line(host: SimulatedHost) -> None:
    assert host(("pfctl", "-D", "ext_if=vtnet0", "-f", "-"), stdin="pass on $ext_if\n").returncode == 0
    assert host.state.pf.rulesets[""].filter == ["pass on vtnet0"]


def test_table_definition_replaces_addresses(host: SimulatedHost) -> None:
    host(("pfctl", "-t", "t", "-T", "add", "1.1.1.1"))
    host(("pfctl", "-f", "-"), stdin="table <t> persist { 2.2.2.2\n 3.3.3.3 }\n")
    table = host.state.pf.table("t")
    assert table is not None and table.addresses == ["2.2.2.2", "3.3.3.3"] and table.persist


def test_unreferenced_table_without_persist_is_dropped(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin="table <t> { 2.2.2.2 }\n")
    assert host.state.pf.tables == []


def test_rules_file_under_host_root(host: SimulatedHost, tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "pf.conf").write_text(NAT_CONF + "bad\n")
    host.state.root = str(tmp_path)
    result = host(("pfctl", "-f", "/etc/pf.conf"))
    assert (result.returncode, result.stderr) == (
        1, "/etc/pf.conf:2: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n")
    (tmp_path / "etc" / "pf.conf").write_text(NAT_CONF)
    assert host(("pfctl", "-f", "/etc/pf.conf")).returncode == 0
    assert host.state.pf.rulesets[""].nat == ["nat on em0 inet from <jail-nat> to any -> (em0) round-robin"]


def test_table_addresses_from_file(host: SimulatedHost, tmp_path: Path) -> None:
    (tmp_path / "addrs").write_text("1.2.3.4 # one\n10.0.0.0/8\n")
    host.state.root = str(tmp_path)
    result = host(("pfctl", "-t", "t", "-T", "add", "-f", "/addrs"))
    assert (result.returncode, result.stderr) == (0, "1 table created.\n2/2 addresses added.\n")
    result = host(("pfctl", "-t", "t", "-T", "add", "-f", "/nope"))
    assert (result.returncode, result.stderr) == (255, "pfctl: cannot load /nope: No such file or directory\n")


def test_kill_referenced_table_leaves_it_inactive(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin=NAT_CONF)
    host(("pfctl", "-t", "jail-nat", "-T", "add", "1.2.3.4"))
    host(("pfctl", "-t", "jail-nat", "-T", "kill"))
    assert host.state.pf.tables == [Table("jail-nat", "", [], active=False)]
    show = host(("pfctl", "-t", "jail-nat", "-T", "show"))
    assert (show.returncode, show.stderr) == (255, "pfctl: Table does not exist.\n")


def test_flush_rules_drops_unreferenced_tables_and_anchor(host: SimulatedHost) -> None:
    host(("pfctl", "-a", "a", "-f", "-"), stdin="pass from <x>\n")
    host(("pfctl", "-a", "a", "-F", "rules"))
    assert host.state.pf.tables == [] and host.state.pf.rulesets == {}
    assert host(("pfctl", "-sA")).stdout == ""


def test_enable_records_time_and_status(host: SimulatedHost) -> None:
    before = time.time()
    assert host(("pfctl", "-e")).returncode == 0
    pf = host.state.pf
    assert pf.enabled and before <= pf.enabled_at <= time.time()
    info = host(("pfctl", "-s", "info"))
    assert info.returncode == 0 and info.stdout.startswith("Status: Enabled for 0 days 00:00:0")
    host(("pfctl", "-d"))
    assert not pf.enabled
    assert host(("pfctl", "-si")).stdout.startswith("Status: Disabled for 0 days ")


# -- -s info block ---------------------------------------------------------------------------


def test_status_never_enabled() -> None:
    text = status(Pf(), now=1_000_000)
    lines = text.split("\n")
    assert lines[0] == "Status: Disabled" + " " * 28 + "  Debug: Urgent"
    assert len(lines[0]) == 59
    assert lines[1] == ""
    assert lines[2] == "State Table                          Total             Rate"
    assert lines[3] == "  current entries                        0               "
    assert lines[4] == "  searches                               0            0.0/s"
    assert lines[7] == "Counters"
    assert lines[8] == "  match                                  0            0.0/s"
    assert lines[-2] == "  map-failed                             0            0.0/s"


def test_status_enabled_for_a_while() -> None:
    pf = Pf(enabled=True, enabled_at=1_000_000)
    first = status(pf, now=1_000_000 + 86400 + 2 * 3600 + 3 * 60 + 4).split("\n")[0]
    assert first == f"{'Status: Enabled for 1 days 02:03:04':<44}{'Debug: Urgent':>15}"


def test_status_just_enabled_has_no_rates() -> None:
    lines = status(Pf(enabled=True, enabled_at=5), now=5).split("\n")
    assert lines[4] == "  searches                               0" + " " * 15


def test_status_verbose() -> None:
    text = status(Pf(), verbose=True, now=10)
    assert "Hostid:   0x00000000\n" in text and "Source Tracking Table\n" in text
    assert "Limit Counters\n" in text and text.endswith("Syncookies\n  mode                      never\n")


# -- faults ----------------------------------------------------------------------------------

FAULTS = [
    (("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"), 255, "pfctl: Operation not permitted.\n"),
    (("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"), 255, "pfctl: Operation not permitted.\n"),
    (("pfctl", "-e"), 1, "pfctl: DIOCSTART: Operation not permitted\n"),
    (("pfctl", "-d"), 1, "pfctl: DIOCSTOP: Operation not permitted\n"),
    (("pfctl", "-f", "/etc/pf.conf"), 1, "pfctl: pfctl_rules\n"),
    (("pfctl", "-a", "a", "-F", "nat"), 1, "pfctl: pfctl_clear_nat: Operation not permitted\n"),
    (("pfctl", "-F", "rules"), 1, "pfctl: pfctl_clear_rules: Operation not permitted\n"),
    (("pfctl", "-F", "Tables"), 0, "pfctl: Operation not permitted.\n"),
    (("pfctl", "-F", "all"), 1, "pfctl: pfctl_clear_eth_rules: Operation not permitted\n"),
    (("pfctl", "-k", "1.2.3.4"), 1, "pfctl: DIOCKILLSTATES: Operation not permitted\n"),
]


@pytest.mark.parametrize(("argv", "rc", "err"), FAULTS, ids=[" ".join(f[0]) for f in FAULTS])
def test_fault(host: SimulatedHost, argv: tuple[str, ...], rc: int, err: str) -> None:
    host.fail_matching("pfctl")
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, "", err)
    assert host.state.pf == Pf()


@pytest.mark.parametrize(("argv", "expected"), [
    (("-t", "t", "-T", "add", "1.2.3.4"), True),
    (("-t", "t", "-T", "kill"), True),
    (("-t", "t", "-T", "show"), False),
    (("-t", "t", "-T", "test", "1.2.3.4"), False),
    (("-t", "t", "-T", "show", "-f", "/addrs"), False),  # -f names the addresses of -T
    (("-t", "t", "-T", "add", "-f", "/addrs"), True),
    (("-T", "add", "1.2.3.4"), False),  # usage() at the -T phase
    (("-t", "t"), False),
    (("-T", "load", "-f", "-"), True),
    (("-s", "info"), False),
    (("-sA",), False),
    (("-s", "bogus", "-e"), False),  # usage() while parsing
    (("-F", "bogus"), False),
    (("-e", "now"), False),  # unknown command line argument
    (("-Z", "-e"), False),  # illegal option
    (("-e",), True),
    (("-f", "-"), True),
    (("-n", "-f", "-"), False),
    (("-n", "-e"), False),
    (("-a", "x", "-F", "all"), True),
    (("-k", "1.2.3.4"), True),
])
def test_mutating(argv: tuple[str, ...], expected: bool) -> None:
    from hooks.testing.pfctl import PROGRAM

    assert PROGRAM.mutating(list(argv)) is expected


def test_read_only_commands_do_not_use_up_faults(host: SimulatedHost) -> None:
    host.fail_nth(1)
    assert host(("pfctl", "-s", "info")).returncode == 0
    assert host(("pfctl", "-e")).returncode == 1
    assert host(("pfctl", "-e")).returncode == 0


ERRORS = [case for case in CASES + ANCHOR_NAT + TRANSLATION if case.values[4] != 0 or case.values[6]]


@pytest.mark.parametrize(("release", "setup", "argv", "stdin", "rc", "out", "err"), ERRORS)
def test_error_paths_through_the_executables(through_executables: Callable[..., Completed], release: str,
                                             setup: list[Step], argv: tuple[str, ...], stdin: str | None,
                                             rc: int, out: str, err: str) -> None:
    host = SimulatedHost.freebsd(release)
    _setup(host, setup)
    result = through_executables(host, argv, stdin)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


# -- services(5), protocols(5) and the stored rules -------------------------------------------------


@pytest.mark.parametrize(("port", "proto", "name"), [
    (7, "tcp", "echo"), (53, "udp", "domain"), (22, "tcp", "ssh"), (80, "tcp", "http"), (443, "udp", "https"),
    # usr.sbin/services_mkdb/services: the first line for a port wins; tcp and udp names differ.
    (512, "tcp", "exec"), (512, "udp", "biff"), (514, "tcp", "shell"), (514, "udp", "syslog"),
    (351, "tcp", "matip-type-b"), (999, "tcp", "garcon"), (999, "udp", "applix"),
    (6667, "tcp", "ircd"), (6667, "udp", None), (8080, "tcp", "http-alt"), (2049, "udp", "nfsd"),
    (1023, "tcp", None), (0, "tcp", None),
])
def test_getservbyport(port: int, proto: str, name: str | None) -> None:
    assert getservbyport(port, proto) == name


@pytest.mark.parametrize(("name", "proto", "port"), [
    ("www", "tcp", 80), ("http-alt", "tcp", 591), ("bhoetty", "tcp", 351), ("biff", "tcp", None),
    ("biff", "udp", 512), ("kerberos", "udp", 88), ("rdp", "tcp", 3389), ("rdp", "udp", None), ("Echo", "tcp", None),
])
def test_getservbyname(name: str, proto: str, port: int | None) -> None:
    assert getservbyname(name, proto) == port


def test_protocols() -> None:
    """lib/libc/net/protocols: pfctl_proto2name() prints the first name, aliases parse."""
    assert [getprotobynumber(n) for n in (1, 6, 17, 58, 112, 255)] == ["icmp", "tcp", "udp", "ipv6-icmp", "carp", None]
    assert [getprotobyname(n) for n in ("icmp6", "TCP", "vrrp", "Tcp")] == [58, 6, 112, None]


def test_listing_never_asks_the_linux_services_database(host: SimulatedHost, monkeypatch: pytest.MonkeyPatch) -> None:
    """The services(5) answers are FreeBSD's table, whatever this machine's /etc/services says."""
    import socket

    def refuse(*args: object) -> None:
        raise AssertionError("host services database used")

    monkeypatch.setattr(socket, "getservbyport", refuse)
    monkeypatch.setattr(socket, "getservbyname", refuse)
    assert host(("pfctl", "-f", "-"), stdin="rdr on em0 proto tcp to port www -> 10.0.0.1\n").returncode == 0
    assert host(("pfctl", "-sn")).stdout == "rdr on em0 inet proto tcp from any to any port = http -> 10.0.0.1\n"


@pytest.mark.parametrize("conf", [
    "nat on em0 inet from <jail-nat> to any -> (em0)",
    "nat pass log (all, user, to pflog2) on ! em0 inet6 from 2001:db8::/32 to ! fe80::/10 -> 2001:db8::1",
    "rdr on em0 proto udp from any port 2006 to any port { 512, 6667 } -> 10.0.0.1 port 2011",
    "rdr on em0 proto tcp to port 53 -> 10.0.0.1 port 1000:*",
    "nat on em0 from (em0:network)/24 os \"OpenBSD\" to any -> 10.0.0.1 port 2000:* sticky-address",
    "nat on em0 from 10/8 to any tag T ! tagged U -> 1.2.3.4 source-hash",
    "nat on em0 from 10/8 to any -> { 1.2.3.4, 1.2.3.5 } round-robin",
    "nat on em0 proto tcp from any port 21 >< 2048 to any -> 1.2.3.4 map-e-portset 6/8/52",
    "binat on em0 proto tcp from 10.0.0.0/24 to ! 192.0.2.1 -> 198.51.100.0/24",
])
def test_stored_rule_parses_back_to_itself(host: SimulatedHost, conf: str) -> None:
    """The kernel keeps the parsed rule; the simulator keeps print_rule()'s text with numeric ports
    (a port name can be another port's name on the other protocol: 2006/udp raid-cc is 2011/tcp)
    and parses it again for each listing: the same rules, printed the same."""
    assert host(("pfctl", "-f", "-"), stdin=conf + "\n").returncode == 0
    stored = host.state.pf.rulesets[""].nat
    assert stored
    listed = host(("pfctl", "-sn")).stdout.splitlines()
    assert len(listed) == len(stored)
    for text, line in zip(stored, listed, strict=True):
        rules, messages = _parse_translation(None, text)
        assert messages == [] and len(rules) == 1
        assert _print_trans(rules[0], numeric=True) == text
        assert _print_trans(rules[0]) == line


# --- parse.y check_rulestate(): sections in order ---------------------------------------------


@pytest.mark.parametrize(("release", "sections"), [
    ("13.2-RELEASE", "options, normalization, queueing, translation, filtering"),
    ("14.2-RELEASE", "options, ethernet, normalization, queueing, translation, filtering"),
])
@pytest.mark.parametrize(("conf", "line"), [
    ("pass all\nnat on em0 inet from <t> to any -> (em0)\n", 2),
    ("nat on em0 inet from <t> to any -> (em0)\nscrub in all\n", 2),
    ("block all\n\nrdr-anchor \"x\"\n", 3),
    ("pass all\nset block-policy return\n", 2),
    ("pass all\nset timeout tcp.first 30\n", 2),
])
def test_rules_out_of_order_are_refused(release: str, sections: str, conf: str, line: int) -> None:
    """parse.y check_rulestate(): a statement of an earlier section after a later one is a syntax
    error, and nothing is loaded (pfctl.c pfctl_rules())."""
    host = SimulatedHost.freebsd(release)
    result = host(("pfctl", "-f", "-"), stdin=conf)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"stdin:{line}: Rules must be in order: {sections}\n"
                             "pfctl: Syntax error in config file: pf rules not loaded\n")
    assert host(("pfctl", "-sn")).stdout == "" and host(("pfctl", "-sr")).stdout == ""


@pytest.mark.parametrize("conf", [
    "set skip on lo0\nscrub in all\nnat on em0 inet from <t> to any -> (em0)\npass all\n",
    "table <t> persist\nnat-anchor \"x\"\nrdr-anchor \"x\"\nnat on em0 inet from <t> to any -> (em0)\nanchor \"x\"\n",
    "set require-order no\npass all\nnat on em0 inet from <t> to any -> (em0)\n",
    "pass all\ntable <t> persist\n",  # a table definition belongs to no section
    "pass all\nset skip on lo0\nset state-policy if-bound\n",  # options that call no check_rulestate()
])
def test_rules_in_order_or_with_require_order_no_load(conf: str) -> None:
    host = SimulatedHost.freebsd()
    result = host(("pfctl", "-f", "-"), stdin=conf)
    assert (result.returncode, result.stderr) == (0, "")
