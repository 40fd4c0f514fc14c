"""The simulated jls, jexec and jail against freebsd-commands.md §1.4-§1.6 and §3.4-§3.5."""

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SharedHost, SimulatedHost, populate_rootfs


@pytest.fixture
def jailed(tmp_path: Path) -> SimulatedHost:
    host = SimulatedHost.freebsd()
    host.create_jail("web", str(populate_rootfs(tmp_path / "web")), hostname="web.example")
    host.create_jail("bare", str(populate_rootfs(tmp_path / "bare", ())))
    host.create_jail("novnet", str(tmp_path / "novnet"), vnet=False)
    return host


CASES = [
    (("jls", "-j", "web", "jid"), 0, "1\n", ""),
    (("jls", "-j", "web", "jid", "name"), 0, "1 web\n", ""),
    (("jls", "-j", "2", "name", "vnet"), 0, "bare new\n", ""),
    (("jls", "-j", "novnet", "vnet", "persist"), 0, "inherit true\n", ""),
    (("jls", "-j", "bare", "host.hostname"), 0, "-\n", ""),
    (("jls", "-q", "-j", "bare", "host.hostname"), 0, '""\n', ""),
    (("jls", "-n", "-j", "web", "jid", "host.hostname", "persist"), 0, "jid=1 host.hostname=web.example persist\n", ""),
    (("jls", "-h", "-j", "web", "jid", "name"), 0, "jid name\n1 web\n", ""),
    (("jls", "-j", "nosuch", "jid"), 1, "", 'jls: jail "nosuch" not found\n'),
    (("jls", "-j", "77", "jid"), 1, "", "jls: jail 77 not found\n"),
    (("jls", "-j", "web", "bogus.param"), 1, "", "jls: unknown parameter: bogus.param\n"),
    (("jexec", "nosuch", "ifconfig"), 1, "", 'jexec: jail "nosuch" not found\n'),
    (("jexec", "web"), 1, "", "usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]\n"),
    (("jexec", "bare", "ifconfig", "-l"), 1, "", "jexec: execvp: ifconfig: No such file or directory\n"),
    (("jexec", "web", "ifconfig", "-l"), 0, "lo0\n", ""),
    (("jexec", "web", "/sbin/route", "-n", "get", "default"), 1, "", "route: route has not been found\n"),
    (("jail", "-r", "nosuch"), 1, "", 'jail: "nosuch" not found\n'),
    (("jail", "-r", "web"), 0, "web: removed\n", ""),
    (("jail", "-c", "name=new", "path=/tmp", "vnet", "persist"), 0, "new: created\n", ""),
]


@pytest.mark.parametrize(("argv", "code", "out", "err"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_jail_tools_answer_like_freebsd(jailed: SimulatedHost, argv: tuple[str, ...], code: int, out: str, err: str) -> None:
    result = jailed(argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)


def test_default_listing_columns(jailed: SimulatedHost) -> None:
    lines = jailed(("jls",)).stdout.splitlines()
    assert lines[0] == "   JID  IP Address      Hostname                      Path"
    assert lines[1] == f"     1                  {'web.example':<29} {jailed.state.find_jail('web').path}"  # type: ignore[union-attr]
    assert len(lines) == 4


def test_libxo_json(jailed: SimulatedHost) -> None:
    doc = json.loads(jailed(("jls", "--libxo", "json", "-j", "web", "jid", "name", "path")).stdout)
    assert doc["__version"] == "2"
    assert doc["jail-information"]["jail"] == [{"jid": "1", "name": "web", "path": jailed.state.find_jail("web").path}]  # type: ignore[union-attr]
    everyone = json.loads(jailed(("jls", "--libxo=json")).stdout)["jail-information"]["jail"]
    assert [j["jid"] for j in everyone] == [1, 2, 3]


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


ERRORS = [c for c in CASES if c[1] != 0 and c[0][0] != "jexec" or c[0][:2] == ("jexec", "nosuch")]


@pytest.mark.parametrize(("argv", "code", "out", "err"), ERRORS, ids=[" ".join(c[0]) for c in ERRORS])
def test_error_paths_through_the_executables(
    jailed: SimulatedHost, through_executables: Callable[..., Completed], argv: tuple[str, ...], code: int, out: str, err: str
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
