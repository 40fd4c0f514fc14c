"""The simulated host through its installed executables: separate processes, one shared host."""

import subprocess
from collections.abc import Callable
from pathlib import Path

from hooks.system import Completed
from hooks.testing import SharedHost, SimulatedHost

Exec = Callable[..., Completed]


def test_tools_are_installed_where_freebsd_keeps_them(shared: SharedHost) -> None:
    for program, where in (("ifconfig", "sbin"), ("pfctl", "sbin"), ("route", "sbin"), ("sysctl", "sbin"),
                           ("jls", "usr/sbin"), ("jexec", "usr/sbin"), ("jail", "usr/sbin")):
        path = Path(shared.bin(program))
        assert path == shared.directory / where / program
        assert path.stat().st_mode & 0o111


def test_state_persists_between_processes(shared: SharedHost, run_exe: Exec) -> None:
    assert run_exe("ifconfig", "epair", "create").stdout == "epair0a\n"
    assert run_exe("ifconfig", "epair", "create").stdout == "epair1a\n"
    assert run_exe("ifconfig", "-l").stdout == "em0 lo0 epair0a epair0b epair1a epair1b\n"
    assert [i.argv for i in shared.snapshot().log] == [
        ["ifconfig", "epair", "create"], ["ifconfig", "epair", "create"], ["ifconfig", "-l"]]


def test_streams_and_exit_codes_cross_the_process_boundary(run_exe: Exec) -> None:
    result = run_exe("ifconfig", "nosuch", "up")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "ifconfig: interface nosuch does not exist\n")


def test_runs_with_an_empty_environment(shared: SharedHost) -> None:
    proc = subprocess.run([shared.bin("ifconfig"), "-l"], capture_output=True, text=True, env={}, check=False)
    assert (proc.returncode, proc.stdout) == (0, "em0 lo0\n")


def test_twenty_parallel_epair_creates_get_twenty_units(shared: SharedHost) -> None:
    procs = [
        subprocess.Popen([shared.bin("ifconfig"), "epair", "create"], stdout=subprocess.PIPE, text=True)
        for _ in range(20)
    ]
    names = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(names) == sorted(f"epair{n}a\n" for n in range(20))
    listed = subprocess.run([shared.bin("ifconfig"), "-g", "epair"], capture_output=True, text=True, check=True)
    assert len(listed.stdout.split()) == 40


def test_edit_and_snapshot(shared: SharedHost, tmp_path: Path) -> None:
    with shared.edit() as host:
        host.create_jail("c1", str(tmp_path))
    assert shared.snapshot().find_jail("c1") is not None
    assert shared(("jls", "-j", "c1", "jid")).stdout == "1\n"


def test_faults_survive_in_the_state_file(shared: SharedHost, run_exe: Exec) -> None:
    with shared.edit() as host:
        host.fail_matching("ifconfig", "*", "addm", "*")
    run_exe("ifconfig", "bridge", "create")
    run_exe("ifconfig", "epair", "create")
    failed = run_exe("ifconfig", "bridge0", "addm", "epair0a")
    assert (failed.returncode, failed.stderr) == (1, "ifconfig: BRDGADD epair0a: Device busy\n")
    assert run_exe("ifconfig", "bridge0", "addm", "epair0a").returncode == 0  # times=1: disarmed


def test_create_keeps_a_given_host(tmp_path: Path) -> None:
    shared = SharedHost.create(tmp_path / "h", SimulatedHost.freebsd("13.2-RELEASE", egress="vtnet0"))
    assert shared(("ifconfig", "-l")).stdout == "vtnet0 lo0\n"
    assert shared.snapshot().release == "13.2-RELEASE"
