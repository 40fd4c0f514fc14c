"""The simulated pfctl(8) against freebsd-commands.md §1.2, §2.5, §3.6, §3.7 (argv -> rc, out, err)."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost
from hooks.testing.model import Pf, Ruleset, Table
from hooks.testing.pfctl import USAGE, status

#: A setup step: an argv, optionally with stdin.
Step = tuple[tuple[str, ...], str | None]

NAT_CONF = "nat on em0 inet from <jail-nat> to any -> (em0)\n"
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

CASES: list[tuple[str, list[Step], tuple[str, ...], str | None, int, str, str]] = [
    # -- tables: add ------------------------------------------------------------------------
    ("add creates table", [], ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"), None,
     0, "", "1 table created.\n1/1 addresses added.\n"),
    ("add to active table", [add("172.17.0.2")], ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.3"),
     None, 0, "", "1/1 addresses added.\n"),
    ("add present address", [add("172.17.0.2")], ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"),
     None, 0, "", "0/1 addresses added.\n"),
    ("add to referenced-only table", [load(NAT_CONF)],
     ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"), None,
     0, "", "1 table created.\n1/1 addresses added.\n"),
    ("add three", [add("172.17.0.2")],
     ("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2", "172.17.0.3", "10.0.0.0/8"), None,
     0, "", "2/3 addresses added.\n"),
    ("add same address twice in one call", [],
     ("pfctl", "-t", "t", "-T", "add", "1.2.3.4", "1.2.3.4"), None,
     0, "", "1 table created.\n1/2 addresses added.\n"),
    ("add quiet", [], ("pfctl", "-q", "-t", "jail-nat", "-T", "add", "172.17.0.2"), None, 0, "", ""),
    ("add bad address", [], ("pfctl", "-t", "jail-nat", "-T", "add", "nothere"), None,
     255, "", "no IP address found for nothere\n"),
    ("add bad netmask", [], ("pfctl", "-t", "jail-nat", "-T", "add", "1.2.3.4/abc"), None,
     255, "", "invalid netmask '/abc'\n"),
    ("add host bits in network", [], ("pfctl", "-t", "t", "-T", "add", "10.1.2.3/8"), None,
     255, "", "1 table created.\npfctl: Invalid argument.\n"),
    ("add to const table", [load(CONST_CONF)], ("pfctl", "-t", "c", "-T", "add", "1.2.3.4"), None,
     255, "", "pfctl: Operation not permitted.\n"),
    ("add verbose feedback", [], ("pfctl", "-v", "-t", "t", "-T", "add", "1.2.3.4"), None,
     0, "A  1.2.3.4\n", "1 table created.\n1/1 addresses added.\n"),
    ("add dry run, new table", [], ("pfctl", "-n", "-t", "t", "-T", "add", "1.2.3.4"), None,
     0, "", "1 table created (dummy).\n"),
    ("add dry run, existing table", [add("172.17.0.2")],
     ("pfctl", "-n", "-t", "jail-nat", "-T", "add", "172.17.0.3"), None,
     0, "", "1/1 addresses added (dummy).\n"),
    ("add in anchor warns about main table", [add("172.17.0.2")],
     ("pfctl", "-a", "foo", "-t", "jail-nat", "-T", "add", "172.17.0.3"), None,
     0, "", 'pfctl: warning: table <jail-nat> already defined in anchor "/"\n'
            "1 table created.\n1/1 addresses added.\n"),
    ("add interface addresses", [], ("pfctl", "-t", "t", "-T", "add", "em0"), None,
     0, "", "1 table created.\n1/1 addresses added.\n"),
    # -- tables: delete ---------------------------------------------------------------------
    ("delete present", [add("172.17.0.2")], ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"),
     None, 0, "", "1/1 addresses deleted.\n"),
    ("delete absent", [add("172.17.0.2")], ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.9"),
     None, 0, "", "0/1 addresses deleted.\n"),
    ("delete from missing table", [], ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("delete from inactive table", [load(NAT_CONF)],
     ("pfctl", "-t", "jail-nat", "-T", "delete", "172.17.0.2"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("delete from const table", [load(CONST_CONF)], ("pfctl", "-t", "c", "-T", "delete", "10.1.0.0/16"),
     None, 255, "", "pfctl: Operation not permitted.\n"),
    # -- tables: show -----------------------------------------------------------------------
    ("show", [add("172.17.0.3", "172.17.0.2", "10.0.0.0/8", "fd00::/64", "::1")],
     ("pfctl", "-t", "jail-nat", "-T", "show"), None,
     0, "   10.0.0.0/8\n   172.17.0.2\n   172.17.0.3\n   ::1\n   fd00::/64\n", ""),
    ("show /32 host without length", [add("172.17.0.2/32")], ("pfctl", "-t", "jail-nat", "-T", "show"),
     None, 0, "   172.17.0.2\n", ""),
    ("show negated entry", [add("!172.17.0.2")], ("pfctl", "-t", "jail-nat", "-T", "show"), None,
     0, "  !172.17.0.2\n", ""),
    ("show empty table", [add()], ("pfctl", "-t", "jail-nat", "-T", "show"), None, 0, "", ""),
    ("show missing table", [], ("pfctl", "-t", "jail-nat", "-T", "show"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("show referenced-only table", [load(NAT_CONF)], ("pfctl", "-t", "jail-nat", "-T", "show"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("show with an address", [add("1.2.3.4")], ("pfctl", "-t", "jail-nat", "-T", "show", "1.2.3.4"),
     None, 1, "", USAGE_TEXT),
    ("show prefix of command word", [add("1.2.3.4")], ("pfctl", "-t", "jail-nat", "-T", "sh"), None,
     0, "   1.2.3.4\n", ""),
    # -- tables: flush, kill, test, replace -------------------------------------------------
    ("flush", [add("1.2.3.4", "1.2.3.5")], ("pfctl", "-t", "jail-nat", "-T", "flush"), None,
     0, "", "2 addresses deleted.\n"),
    ("flush missing", [], ("pfctl", "-t", "jail-nat", "-T", "flush"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("kill", [add("1.2.3.4")], ("pfctl", "-t", "jail-nat", "-T", "kill"), None,
     0, "", "1 table deleted.\n"),
    ("kill missing", [], ("pfctl", "-t", "jail-nat", "-T", "kill"), None, 0, "", "0 table deleted.\n"),
    ("test all match", [add("172.17.0.0/16")], ("pfctl", "-t", "jail-nat", "-T", "test", "172.17.0.2"),
     None, 0, "", "1/1 addresses match.\n"),
    ("test some match", [add("172.17.0.2")],
     ("pfctl", "-t", "jail-nat", "-T", "test", "172.17.0.2", "172.17.0.3"), None,
     2, "", "1/2 addresses match.\n"),
    ("test negated best match", [add("10.0.0.0/8", "!10.1.0.0/16")],
     ("pfctl", "-t", "jail-nat", "-T", "test", "10.1.2.3", "10.2.0.1"), None,
     2, "", "1/2 addresses match.\n"),
    ("test missing table", [], ("pfctl", "-t", "jail-nat", "-T", "test", "1.2.3.4"), None,
     255, "", "pfctl: Table does not exist.\n"),
    ("replace creates", [], ("pfctl", "-t", "t", "-T", "replace", "1.2.3.4", "1.2.3.5"), None,
     0, "", "1 table created.\n2 addresses added.\n"),
    ("replace changes", [add("1.2.3.4", "1.2.3.5")],
     ("pfctl", "-t", "jail-nat", "-T", "replace", "1.2.3.5", "1.2.3.6"), None,
     0, "", "1 addresses added.\n1 addresses deleted.\n"),
    ("replace nothing", [add("1.2.3.4")], ("pfctl", "-t", "jail-nat", "-T", "replace", "1.2.3.4"), None,
     0, "", "no changes.\n"),
    # -- table command errors ---------------------------------------------------------------
    ("unknown table command", [], ("pfctl", "-t", "jail-nat", "-T", "frob"), None,
     1, "", "pfctl: Unknown table command 'frob'\n" + USAGE_TEXT),
    ("-t without -T", [], ("pfctl", "-t", "jail-nat"), None, 1, "", USAGE_TEXT),
    ("-T without -t", [], ("pfctl", "-T", "show"), None, 1, "", USAGE_TEXT),
    ("table name too long", [], ("pfctl", "-t", "x" * 32, "-T", "show"), None, 1, "", USAGE_TEXT),
    ("no arguments", [], ("pfctl",), None, 1, "", USAGE_TEXT),
    ("illegal option", [], ("pfctl", "-Z"), None, 1, "", "pfctl: illegal option -- Z\n" + USAGE_TEXT),
    ("stray argument", [], ("pfctl", "-e", "now"), None,
     1, "", "pfctl: unknown command line argument: now ...\n" + USAGE_TEXT),
    ("unknown show modifier", [], ("pfctl", "-s", "bogus"), None,
     1, "", "pfctl: Unknown show modifier 'bogus'\n" + USAGE_TEXT),
    ("unknown flush modifier", [], ("pfctl", "-F", "bogus"), None,
     1, "", "pfctl: Unknown flush modifier 'bogus'\n" + USAGE_TEXT),
    # -- enable / disable -------------------------------------------------------------------
    ("enable", [], ("pfctl", "-e"), None, 0, "", "pf enabled\n"),
    ("enable twice", [(("pfctl", "-e"), None)], ("pfctl", "-e"), None, 1, "", "pfctl: pf already enabled\n"),
    ("enable quiet", [], ("pfctl", "-qe"), None, 0, "", ""),
    ("disable", [(("pfctl", "-e"), None)], ("pfctl", "-d"), None, 0, "", "pf disabled\n"),
    ("disable when disabled", [], ("pfctl", "-d"), None, 1, "", "pfctl: pf not enabled\n"),
    ("running, disabled", [], ("pfctl", "-s", "Running"), None, 1, "Disabled\n", ""),
    ("running, enabled", [(("pfctl", "-e"), None)], ("pfctl", "-s", "Running"), None, 0, "Enabled\n", ""),
    # -- rulesets -----------------------------------------------------------------------------
    ("show nat rules", [load(NAT_CONF + POT_CONF)], ("pfctl", "-sn"), None,
     0, 'nat on em0 inet from <jail-nat> to any -> (em0)\nnat-anchor "pot-nat/*"\nrdr-anchor "pot-rdr/*"\n',
     ""),
    ("show nat rules, long form", [load(NAT_CONF)], ("pfctl", "-s", "nat"), None,
     0, "nat on em0 inet from <jail-nat> to any -> (em0)\n", ""),
    ("show filter rules", [load("pass all\nblock in on em0 proto tcp to port 22\n")], ("pfctl", "-sr"),
     None, 0, "pass all\nblock in on em0 proto tcp to port 22\n", ""),
    ("show rules verbose", [load("pass all\n")], ("pfctl", "-v", "-sr"), None, 0, "@0 pass all\n", ""),
    ("no rules", [], ("pfctl", "-sr"), None, 0, "", ""),
    ("show rules of missing anchor", [], ("pfctl", "-a", "nope", "-sr"), None,
     0, "", "pfctl: DIOCGETRULES: Invalid argument\n"),
    ("anchors", [load(POT_CONF)], ("pfctl", "-s", "Anchors"), None, 0, "  pot-nat\n  pot-rdr\n", ""),
    ("nested anchors", [load(POT_CONF), load("rdr pass on em0 proto tcp to port 80 -> 172.17.0.2\n",
                                             "pot-rdr/web")],
     ("pfctl", "-sA"), None, 0, "  pot-nat\n  pot-rdr\n  pot-rdr/web\n", ""),
    ("anchors below one", [load("pass all\n", "pot-rdr/web")], ("pfctl", "-a", "pot-rdr", "-sA"), None,
     0, "  pot-rdr/web\n", "Anchor 'pot-rdr' not found.\n"),
    ("anchors of missing anchor", [], ("pfctl", "-a", "nope", "-sA"), None,
     0, "", "Anchor 'nope' not found.\nAnchor 'nope' not found.\n"),
    ("anchor with only a table", [(("pfctl", "-a", "tbl", "-t", "x", "-T", "add", "1.2.3.4"), None)],
     ("pfctl", "-sA"), None, 0, "  tbl\n", ""),
    ("underscore anchors hidden", [load('anchor "_hidden"\nanchor "vis/*"\n')], ("pfctl", "-sA"), None,
     0, "  vis\n", ""),
    ("underscore anchors with -v", [load('anchor "_hidden"\nanchor "vis/*"\n')], ("pfctl", "-v", "-sA"),
     None, 0, "  _hidden\n  vis\n", ""),
    ("tables", [add("1.2.3.4"), (("pfctl", "-t", "aaa", "-T", "add"), None), load(NAT_CONF + CONST_CONF)],
     ("pfctl", "-s", "Tables"), None, 0, "aaa\nc\njail-nat\n", ""),
    ("tables verbose", [add("1.2.3.4"), load(NAT_CONF + CONST_CONF)], ("pfctl", "-v", "-sT"), None,
     0, "c-a-r--\tc\n-pa-r--\tjail-nat\n", ""),
    ("inactive tables are not listed", [load(NAT_CONF)], ("pfctl", "-sT"), None, 0, "", ""),
    ("tables of missing anchor", [], ("pfctl", "-a", "nope", "-sT"), None,
     1, "", "pfctl: Anchor or Ruleset does not exist.\n"),
    ("tables of an anchor", [load("table <x> { 1.2.3.4 }\npass from <x>\n", "a")],
     ("pfctl", "-a", "a", "-sT"), None, 0, "x\n", ""),
    ("load", [], ("pfctl", "-f", "-"), NAT_CONF, 0, "", ""),
    ("load verbose echoes", [], ("pfctl", "-v", "-f", "-"),
     'ext = "em0"\ntable <t> persist { 1.2.3.4, 10.0.0.0/8 }\nnat on $ext from <t> to any -> ($ext)\n',
     0, 'ext = "em0"\ntable <t> persist { 1.2.3.4 10.0.0.0/8 }\nnat on em0 from <t> to any -> (em0)\n', ""),
    ("syntax error", [], ("pfctl", "-f", "-"), "pass all\nbogus rule\n",
     1, "", "stdin:2: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n"),
    ("syntax error, parse only", [], ("pfctl", "-n", "-f", "-"), "bogus\n",
     1, "", "stdin:1: syntax error\n"),
    ("undefined macro", [], ("pfctl", "-f", "-"), "\n\npass on $nope\n",
     1, "", "stdin:3: macro 'nope' not defined\nstdin:3: syntax error\n"
            "pfctl: Syntax error in config file: pf rules not loaded\n"),
    ("bad table address in file", [], ("pfctl", "-f", "-"), "table <t> { 1.2.3.4, nothere }\n",
     1, "", "no IP address found for nothere\nstdin:1: could not parse host specification\n"
            "pfctl: Syntax error in config file: pf rules not loaded\n"),
    ("underscore anchor", [], ("pfctl", "-a", "_x", "-f", "-"), "pass all\n",
     1, "", "pfctl: anchor names beginning with '_' cannot be modified from the command line\n"),
    ("nested underscore anchor", [], ("pfctl", "-a", "x/_y", "-F", "rules"), None,
     1, "", "pfctl: anchor names beginning with '_' cannot be modified from the command line\n"),
    ("anchor without an action", [], ("pfctl", "-a", "x"), None,
     1, "", "pfctl: anchors apply to -f, -F, -s, and -T only\n" + USAGE_TEXT),
    ("empty anchor name", [], ("pfctl", "-a", "", "-sr"), None, 1, "", "pfctl: anchor name must not be empty\n"),
    ("missing rules file", [], ("pfctl", "-f", "/etc/nope.conf"), None,
     1, "", "pfctl: /etc/nope.conf: No such file or directory\n"
            "pfctl: cannot open the main config file!: No such file or directory\n"
            "pfctl: Syntax error in config file: pf rules not loaded\n"),
    # -- flush ------------------------------------------------------------------------------------
    ("flush nat", [load(NAT_CONF, "a")], ("pfctl", "-a", "a", "-F", "nat"), None, 0, "", "nat cleared\n"),
    ("flush rules", [load("pass all\n", "a")], ("pfctl", "-a", "a", "-F", "rules"), None,
     0, "", "rules cleared\n"),
    ("flush tables", [add("1.2.3.4"), (("pfctl", "-t", "b", "-T", "add"), None)], ("pfctl", "-F", "Tables"),
     None, 0, "", "2 tables deleted.\n"),
    ("flush all in anchor", [load(NAT_CONF, "a")], ("pfctl", "-a", "a", "-F", "all"), None,
     0, "", "Ethernet rules cleared\nrules cleared\nnat cleared\n0 tables deleted.\n"),
    ("flush all", [add("1.2.3.4")], ("pfctl", "-F", "all"), None,
     0, "", "Ethernet rules cleared\nrules cleared\nnat cleared\n1 tables deleted.\n0 states cleared\n"
            "source tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n"),
    ("flush quiet", [load(NAT_CONF)], ("pfctl", "-q", "-F", "nat"), None, 0, "", ""),
    ("flush rules recursively", [load("pass all\n", "a/b")], ("pfctl", "-a", "a/*", "-F", "rules"), None,
     0, "Removing:\n  a/b\n  a\n", ""),
    # -- order of phases: -F before -f before -e ----------------------------------------------
    ("flush, load, enable in one call", [load("pass all\n")], ("pfctl", "-e", "-f", "-", "-F", "rules"),
     "block all\n", 0, "", "rules cleared\npf enabled\n"),
]


@pytest.mark.parametrize(("setup", "argv", "stdin", "rc", "out", "err"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_pfctl(host: SimulatedHost, setup: list[Step], argv: tuple[str, ...], stdin: str | None,
               rc: int, out: str, err: str) -> None:
    _setup(host, setup)
    result = host(argv, stdin=stdin)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)


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
    assert host.state.pf.rulesets[""] == Ruleset(nat=["nat on em0 inet from <jail-nat> to any -> (em0)"])
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
    host(("pfctl", "-a", "a", "-f", "-"), stdin="pass all\nnat on em0 from any to any -> (em0)\n")
    host(("pfctl", "-a", "b", "-f", "-"), stdin="block all\n")
    host(("pfctl", "-a", "a", "-f", "-"), stdin="rdr on em0 proto tcp to port 80 -> 172.17.0.2\n")
    assert host.state.pf.rulesets == {
        "a": Ruleset(nat=["rdr on em0 proto tcp to port 80 -> 172.17.0.2"], filter=[]),
        "b": Ruleset(filter=["block all"]),
    }


def test_nat_only_load_keeps_filter_rules(host: SimulatedHost) -> None:
    host(("pfctl", "-f", "-"), stdin="pass all\n")
    host(("pfctl", "-N", "-f", "-"), stdin="nat on em0 from any to any -> (em0)\nblock all\n")
    assert host.state.pf.rulesets[""] == Ruleset(nat=["nat on em0 from any to any -> (em0)"],
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
        nat=["nat on em0 inet from 172.17.0.0/16 to any -> (em0)"], filter=['pass quick on lo0 label "a  b"'])


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
    assert host.state.pf.rulesets[""].nat == ["nat on em0 inet from <jail-nat> to any -> (em0)"]


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
    (("pfctl", "-f", "/etc/pf.conf"), 1, "pfctl: DIOCXBEGIN: Operation not permitted\n"),
    (("pfctl", "-a", "a", "-F", "nat"), 1, "pfctl: pfctl_clear_nat: Operation not permitted\n"),
    (("pfctl", "-F", "rules"), 1, "pfctl: pfctl_flush_rules: Operation not permitted\n"),
    (("pfctl", "-F", "Tables"), 1, "pfctl: Operation not permitted.\n"),
]


@pytest.mark.parametrize(("argv", "rc", "err"), FAULTS, ids=[" ".join(f[0]) for f in FAULTS])
def test_fault(host: SimulatedHost, argv: tuple[str, ...], rc: int, err: str) -> None:
    host.fail_matching("pfctl")
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (rc, "", err)
    assert host.state.pf == Pf()


@pytest.mark.parametrize(("argv", "expected"), [
    (("-t", "t", "-T", "add", "1.2.3.4"), True),
    (("-t", "t", "-T", "show"), False),
    (("-t", "t", "-T", "test", "1.2.3.4"), False),
    (("-s", "info"), False),
    (("-sA",), False),
    (("-e",), True),
    (("-f", "-"), True),
    (("-n", "-f", "-"), False),
    (("-a", "x", "-F", "all"), True),
])
def test_mutating(argv: tuple[str, ...], expected: bool) -> None:
    from hooks.testing.pfctl import COMMAND

    assert COMMAND.mutating(list(argv)) is expected


def test_read_only_commands_do_not_use_up_faults(host: SimulatedHost) -> None:
    host.fail_nth(1)
    assert host(("pfctl", "-s", "info")).returncode == 0
    assert host(("pfctl", "-e")).returncode == 1
    assert host(("pfctl", "-e")).returncode == 0


ERRORS = [case for case in CASES if case[4] != 0]


@pytest.mark.parametrize(("setup", "argv", "stdin", "rc", "out", "err"),
                         [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_error_paths_through_the_executables(host: SimulatedHost, through_executables: Callable[..., Completed],
                                             setup: list[Step], argv: tuple[str, ...], stdin: str | None,
                                             rc: int, out: str, err: str) -> None:
    _setup(host, setup)
    result = through_executables(host, argv, stdin)
    assert (result.returncode, result.stdout, result.stderr) == (rc, out, err)
