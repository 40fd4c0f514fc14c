"""The simulated jls(8), jexec(8) and jail(8) against usr.sbin/jls/jls.c, usr.sbin/jexec/jexec.c,
usr.sbin/jail/jail.c and FreeBSD's tests (usr.sbin/jail/tests/jail_basic_test.sh,
tests/sys/kern/jailmeta.sh)."""

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SharedHost, SimulatedHost, populate_rootfs
from hooks.testing.jails import JAIL_USAGE


@pytest.fixture
def jailed(tmp_path: Path) -> SimulatedHost:
    host = SimulatedHost.freebsd()
    host.create_jail("web", str(populate_rootfs(tmp_path / "web")), hostname="web.example")
    host.create_jail("bare", str(populate_rootfs(tmp_path / "bare", ())))
    host.create_jail("novnet", str(tmp_path / "novnet"), vnet=False)
    return host


JLS_USAGE = "jls: usage: jls [-dhNnqv] [-j jail] [param ...]\n"
JEXEC_USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"
EMPTY_JSON = '{"__version": "2", "jail-information": {"jail": []}}\n'

CASES = [
    # jls.c print_jail(): parameter values space separated (jailparam_export())
    (("jls", "-j", "web", "jid"), 0, "1\n", ""),
    (("jls", "-j", "web", "jid", "name"), 0, "1 web\n", ""),
    (("jls", "-j", "2", "name", "vnet"), 0, "bare new\n", ""),
    (("jls", "-j", "novnet", "vnet", "persist"), 0, "inherit true\n", ""),
    # an empty string keeps its NUL: quoted_print() prints "" (tests/sys/kern/jailmeta.sh jail_add)
    (("jls", "-j", "bare", "host.hostname"), 0, '""\n', ""),
    (("jls", "-q", "-j", "bare", "host.hostname"), 0, '""\n', ""),
    (("jls", "-n", "-j", "bare", "host.hostname"), 0, 'host.hostname=""\n', ""),
    # a zero-length value: special_print() "-", "" with -q, nothing with -n
    (("jls", "-j", "bare", "ip4.addr"), 0, "-\n", ""),
    (("jls", "-q", "-j", "bare", "ip4.addr"), 0, '""\n', ""),
    (("jls", "-n", "-j", "bare", "ip4.addr"), 0, "ip4.addr=\n", ""),
    (("jls", "-n", "-j", "web", "jid", "host.hostname", "persist"), 0, "jid=1 host.hostname=web.example persist\n", ""),
    (("jls", "-n", "-j", "novnet", "persist", "dying"), 0, "persist nodying\n", ""),
    (("jls", "-h", "-j", "web", "jid", "name"), 0, "jid name\n1 web\n", ""),
    (("jls", "-j", "web", "--libxo", "json", "name", "jid"), 0,
     '{"__version": "2", "jail-information": {"jail": [{"name":"web","jid":"1"}]}}\n', ""),
    (("jls", "-j", "web", "--libxo=json", "persist", "ip4.addr"), 0,
     '{"__version": "2", "jail-information": {"jail": [{"persist":"true", "ip4.addr": []}]}}\n', ""),
    (("jls", "-n", "-j", "web", "--libxo:J", "persist"), 0,
     '{"__version": "2", "jail-information": {"jail": [{"persist":true}]}}\n', ""),
    # kern_jail.c kern_jail_get(): "jail \"%s\" not found" / "jail %d not found"; xo_errx(1, "%s", jail_errmsg)
    (("jls", "-j", "nosuch", "jid"), 1, "", 'jls: jail "nosuch" not found\n'),
    (("jls", "-j", "77", "jid"), 1, "", "jls: jail 77 not found\n"),
    (("jls", "-j", "0", "jid"), 1, "", 'jls: jail "0" not found\n'),  # "if (!jid || *ep) jname = optarg"
    (("jls", "--libxo", "json", "-j", "nosuch", "jid"), 1, EMPTY_JSON, 'jls: jail "nosuch" not found\n'),
    # add_param(): jailparam_init() fails before any jail is looked up
    (("jls", "-j", "web", "bogus.param"), 1, "", "jls: unknown parameter: bogus.param\n"),
    (("jls", "-j", "nosuch", "bogus.param"), 1, "", "jls: unknown parameter: bogus.param\n"),
    (("jls", "-x"), 1, "", "jls: illegal option -- x\n" + JLS_USAGE),
    (("jls", "-j"), 1, "", "jls: option requires an argument -- j\n" + JLS_USAGE),
    (("jls", "--libxo"), 1, "", "jls: missing libxo option\n"),
    (("jls", "--libxox"), 1, "", "jls: unknown libxo option: '--libxox'\n"),
    # jexec.c: jail_getid() errx(1, "%s", jail_errmsg); jail_attach() err(1, "jail_attach(%d)", jid)
    (("jexec", "nosuch", "ifconfig"), 1, "", 'jexec: jail "nosuch" not found\n'),
    (("jexec", "77", "ifconfig"), 1, "", "jexec: jail_attach(77): Invalid argument\n"),
    (("jexec",), 1, "", JEXEC_USAGE),
    (("jexec", "-x", "web"), 1, "", "jexec: illegal option -- x\n" + JEXEC_USAGE),
    (("jexec", "-u", "root", "-U", "root", "web", "ifconfig"), 1, "", JEXEC_USAGE),
    (("jexec", "web"), 1, "", "jexec: /bin/sh: an interactive shell is not simulated by the jailnet test host\n"),
    (("jexec", "bare", "ifconfig", "-l"), 1, "", "jexec: execvp: ifconfig: No such file or directory\n"),
    (("jexec", "web", "ifconfig", "-l"), 0, "lo0\n", ""),
    (("jexec", "-l", "-u", "root", "web", "ifconfig", "-l"), 0, "lo0\n", ""),
    (("jexec", "web", "/sbin/route", "-n", "get", "default"), 0, "",
     "route: route has not been found: No error: 0\n"),
    # jail.c: -r without /etc/jail.conf notes "removed" only for several jails or with -v
    (("jail", "-r", "nosuch"), 1, "", 'jail: "nosuch" not found\n'),
    (("jail", "-q", "-r", "nosuch"), 1, "", ""),
    (("jail", "-r", "web"), 0, "", ""),
    (("jail", "-r", "1"), 0, "", ""),
    (("jail", "-v", "-r", "web"), 0, "web: removed\n", ""),
    (("jail", "-r", "web", "bare"), 0, "web: removed\nbare: removed\n", ""),
    (("jail", "-r", "web", "nosuch"), 1, "web: removed\n", 'jail: "nosuch" not found\n'),
    (("jail", "-r"), 1, "", JAIL_USAGE + "\n"),
    (("jail", "-r", "name=web"), 1, "", JAIL_USAGE + "\n"),
    (("jail",), 1, "", JAIL_USAGE + "\n"),
    (("jail", "-x"), 1, "", "jail: illegal option -- x\n" + JAIL_USAGE + "\n"),
    # usr.sbin/jail/tests/jail_basic_test.sh nested: "jail -c name=... persist" prints nothing
    (("jail", "-c", "name=new", "path=/tmp", "vnet", "persist"), 0, "", ""),
    (("jail", "-v", "-c", "name=new", "path=/tmp", "persist"), 0, "created\n", ""),
    (("jail", "-c", "name=web", "persist"), 1, "", 'jail: "web" already exists\n'),
    (("jail", "-c", "name=new", "path=/nonexistent", "persist"), 1, "",
     "jail: path /nonexistent: No such file or directory\n"),
]


@pytest.mark.parametrize(("argv", "code", "out", "err"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_jail_tools_answer_like_freebsd(
    jailed: SimulatedHost, argv: tuple[str, ...], code: int, out: str, err: str
) -> None:
    result = jailed(argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)


def test_default_listing_columns(jailed: SimulatedHost) -> None:
    lines = jailed(("jls",)).stdout.splitlines()
    assert lines[0] == "   JID  IP Address      Hostname                      Path"
    assert lines[1] == f"     1                  {'web.example':<29} {jailed.state.find_jail('web').path}"  # type: ignore[union-attr]
    assert len(lines) == 4


def test_libxo_json(jailed: SimulatedHost) -> None:
    """jailnet: ``jls --libxo json name jid`` (values are strings: quoted_print() ``{a:/%s}``)."""
    listed = jailed(("jls", "--libxo", "json", "name", "jid"))
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout == ('{"__version": "2", "jail-information": {"jail": [{"name":"web","jid":"1"}, '
                             '{"name":"bare","jid":"2"}, {"name":"novnet","jid":"3"}]}}\n')
    doc = json.loads(jailed(("jls", "--libxo", "json", "-j", "web", "jid", "name", "path")).stdout)
    assert doc["jail-information"]["jail"] == [{"jid": "1", "name": "web", "path": jailed.state.find_jail("web").path}]  # type: ignore[union-attr]
    everyone = json.loads(jailed(("jls", "--libxo=json")).stdout)["jail-information"]["jail"]
    assert [j["jid"] for j in everyone] == [1, 2, 3]  # "{:jid/%6d}": a number
    assert everyone[0]["ipv4"] == "" and everyone[0]["hostname"] == "web.example"


def test_libxo_json_without_jails() -> None:
    assert SimulatedHost.freebsd()(("jls", "--libxo", "json", "name", "jid")).stdout == EMPTY_JSON


def test_jls_j_jid_vnet_path(jailed: SimulatedHost) -> None:
    """jailnet's lookup ``jls -j J jid vnet path``: ``JID new|inherit PATH``."""
    web = jailed.state.find_jail("web")
    assert web is not None
    for ref in ("web", "1"):
        result = jailed(("jls", "-j", ref, "jid", "vnet", "path"))
        assert (result.returncode, result.stdout, result.stderr) == (0, f"1 new {web.path}\n", "")
    novnet = jailed(("jls", "-j", "novnet", "jid", "vnet", "path"))
    assert novnet.stdout.startswith("3 inherit ")


def test_dying_jail(jailed: SimulatedHost) -> None:
    """kern_jail.c kern_jail_get(): a dying jail is ``is dying`` without JAIL_DYING (jls -d)."""
    jailed.remove_jail("bare", linger=True)
    assert jailed(("jls", "-j", "bare", "jid")).stderr == 'jls: jail "bare" is dying\n'
    assert jailed(("jls", "-j", "2", "jid")).stderr == "jls: jail 2 is dying\n"
    assert jailed(("jls", "-d", "-j", "bare", "jid", "dying")).stdout == "2 true\n"
    assert jailed(("jexec", "bare", "ifconfig")).stderr == 'jexec: jail "bare" is dying\n'
    assert jailed(("jexec", "2", "ifconfig")).stderr == "jexec: jail_attach(2): Invalid argument\n"
    assert jailed(("jail", "-r", "bare")).stderr == 'jail: "bare" not found\n'


def test_listings(jailed: SimulatedHost) -> None:
    web = jailed.state.find_jail("web")
    assert web is not None
    named = jailed(("jls", "-N", "-j", "web")).stdout.splitlines()
    assert named == [" JID             IP Address      Hostname                      Path",
                     f" web             {'':<15} {'web.example':<29} {web.path}"]
    verbose = jailed(("jls", "-v", "-j", "web")).stdout.splitlines()
    assert verbose == ["   JID  Hostname                      Path", "        Name                          State",
                       "        CPUSetID", "        IP Address(es)",
                       f"     1  {'web.example':<29} {web.path}", f"        {'web':<29} ACTIVE", "        2"]
    # the header comes before the jail is looked up
    missing = jailed(("jls", "-j", "nosuch"))
    assert (missing.returncode, missing.stdout) == (1, "   JID  IP Address      Hostname                      Path\n")


def test_jexec_runs_inside_the_jails_vnet(jailed: SimulatedHost) -> None:
    jailed(("jexec", "web", "ifconfig", "lo0", "inet", "127.0.0.1/8", "up"))
    assert "inet 127.0.0.1" in jailed(("ifconfig", "-j", "web", "lo0")).stdout
    assert "inet 127.0.0.1" not in jailed(("ifconfig", "-j", "bare", "lo0")).stdout
    assert jailed.log[0].jail == "web"


def test_jail_r_returns_moved_interfaces(jailed: SimulatedHost) -> None:
    jailed(("ifconfig", "epair", "create"))
    jailed(("ifconfig", "epair0b", "vnet", "web"))
    assert jailed(("jail", "-r", "web")).returncode == 0
    assert jailed(("ifconfig", "-l")).stdout == "em0 lo0 epair0a epair0b\n"
    assert jailed(("jls", "-j", "web", "jid")).returncode == 1


def test_jail_names_follow_jail8(jailed: SimulatedHost) -> None:
    with pytest.raises(ValueError, match="no '.'"):
        jailed.create_jail("a.b", "/tmp")
    with pytest.raises(ValueError, match="already exists"):
        jailed.create_jail("web", "/tmp")


ERRORS = [c for c in CASES if c[1] != 0 and c[0][0] in ("jls", "jail")]


@pytest.mark.parametrize(("argv", "code", "out", "err"), ERRORS, ids=[" ".join(c[0]) for c in ERRORS])
def test_error_paths_through_the_executables(
    jailed: SimulatedHost,
    through_executables: Callable[..., Completed],
    argv: tuple[str, ...],
    code: int,
    out: str,
    err: str,
) -> None:
    result = through_executables(jailed, argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)


def test_jexec_through_the_executables_checks_the_image(jailed: SimulatedHost, tmp_path: Path) -> None:
    shared = SharedHost.create(tmp_path / "shared", jailed)
    env = {"PATH": shared.path}
    ok = subprocess.run(["jexec", "web", "ifconfig", "-l"], capture_output=True, text=True, env=env, check=False)
    assert (ok.returncode, ok.stdout) == (0, "lo0\n")
    missing = subprocess.run(["jexec", "bare", "route", "-4", "add", "default", "10.0.0.1"],
                             capture_output=True, text=True, env=env, check=False)
    assert (missing.returncode, missing.stderr) == (1, "jexec: execvp: route: No such file or directory\n")
