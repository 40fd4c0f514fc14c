"""The host server behind the installed simulated tools (hooks/testing/server.py, client.py):
started on demand, one per directory however clients race, gone after its idle period, and a
command through it is the command run in process, byte for byte."""

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hooks.testing import SharedHost, SimulatedHost, store
from hooks.testing.client import EX_SOFTWARE, SOCKET
from hooks.testing.store import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds servers through /proc")


@pytest.fixture(params=["native", "python"], autouse=True)
def client(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with each client the tools can be: client.c built by the system C
    compiler, and client.py, which serves where that cannot be built."""
    if request.param == "python":
        monkeypatch.setattr(store, "native_client", lambda: None)
    elif store.native_client() is None:
        pytest.skip("no C compiler or no /proc/self/exe: the Python client serves")
    return str(request.param)


@pytest.fixture
def unserved(tmp_path: Path) -> SharedHost:
    """A FreeBSD 14.2 host with its tools installed and no server yet."""
    return SharedHost.create(tmp_path / "host", serve=False)


def run(shared: SharedHost, *argv: str, stdin: bytes | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """One command through the installed executable, with an empty environment (as a hook's ``env``)."""
    return subprocess.run([shared.bin(argv[0]), *argv[1:]], input=stdin, capture_output=True, env={}, cwd=cwd,
                          timeout=60, check=False)


def servers(shared: SharedHost) -> list[int]:
    """The pids of the server processes for ``shared`` (from /proc/*/cmdline)."""
    found = []
    directory = str(shared.directory.absolute()).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                words = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"hooks.testing.server" in words and directory in words:
                found.append(int(entry.name))
    return found


def wait_until_at_most(pids: list[int], count: int, timeout: float = 60) -> list[int]:
    """Wait (pidfd_open(2) and poll, not sleep) until at most ``count`` of ``pids`` live; the live ones."""
    fds = {}
    for pid in pids:
        try:
            fds[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    try:
        while True:
            ended, _, _ = select.select(list(fds.values()), [], [], 0)
            live = [pid for pid, fd in fds.items() if fd not in ended]
            if len(live) <= count or time.monotonic() > deadline:
                return live
            select.select([fds[pid] for pid in live], [], [], deadline - time.monotonic())
    finally:
        for fd in fds.values():
            os.close(fd)


@pytest.fixture
def server(unserved: SharedHost) -> Iterator[subprocess.Popen[bytes]]:
    """A server for ``unserved`` started by the test (so the test can wait for it or kill it), with
    an idle period long enough never to end during a test; stopped with SIGTERM afterwards."""
    proc = start_server(unserved, idle=600)
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def spawn_server(shared: SharedHost, *, idle: float) -> tuple[subprocess.Popen[bytes], int]:
    """``python -m hooks.testing.server DIR --idle IDLE --ready-fd N``, and the pipe it says ready on."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "hooks.testing.server", str(shared.directory), "--idle", str(idle),
                             "--ready-fd", str(write_end)], pass_fds=[write_end], env={"PYTHONPATH": ROOT})
    os.close(write_end)
    return proc, read_end


def ready(read_end: int) -> None:
    """Wait for a server's readiness byte."""
    with os.fdopen(read_end, "rb") as pipe:
        assert pipe.read(1) == b"\x01"


def start_server(shared: SharedHost, *, idle: float) -> subprocess.Popen[bytes]:
    """A server for ``shared``, once it is ready."""
    proc, read_end = spawn_server(shared, idle=idle)
    ready(read_end)
    return proc


# -- life cycle ---------------------------------------------------------------------------------


def test_a_command_starts_a_server_when_none_listens(unserved: SharedHost, tmp_path: Path) -> None:
    assert not (unserved.directory / SOCKET).exists() and servers(unserved) == []
    result = run(unserved, "ifconfig", "-l", cwd=tmp_path)  # an empty environment, as a hook's env
    assert (result.returncode, result.stdout, result.stderr) == (0, b"em0 lo0\n", b"")
    assert (unserved.directory / SOCKET).exists()
    assert len(servers(unserved)) == 1
    assert run(unserved, "ifconfig", "-l").stdout == b"em0 lo0\n"
    assert len(servers(unserved)) == 1  # the second command used it


def test_create_starts_the_server_and_only_once(tmp_path: Path) -> None:
    shared = SharedHost.create(tmp_path / "host")
    (pid,) = servers(shared)
    shared.serve()
    assert servers(shared) == [pid]


def test_racing_clients_end_with_one_server(unserved: SharedHost) -> None:
    procs = [subprocess.Popen([unserved.bin("ifconfig"), "epair", "create"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={}) for _ in range(6)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    assert sorted(out for out, _ in outputs) == sorted(f"epair{n}a\n".encode() for n in range(6))
    # A server that lost the race signals ready and exits at once; the winner stays.
    assert len(wait_until_at_most(servers(unserved), 1)) == 1


def test_racing_servers_leave_one_listening(unserved: SharedHost) -> None:
    (first, first_ready), (second, second_ready) = spawn_server(unserved, idle=600), spawn_server(unserved, idle=600)
    ready(first_ready)
    ready(second_ready)  # both say ready: one listens, the other found it listening
    try:
        (live,) = wait_until_at_most([first.pid, second.pid], 1)
        loser = second if live == first.pid else first
        assert loser.wait(timeout=60) == 0
        assert run(unserved, "ifconfig", "-l").stdout == b"em0 lo0\n"
        assert servers(unserved) == [live]
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    assert not (unserved.directory / SOCKET).exists()  # SIGTERM exits as idleness does


def test_the_server_exits_after_its_idle_period(unserved: SharedHost) -> None:
    proc = start_server(unserved, idle=0.2)
    assert run(unserved, "ifconfig", "-l").stdout == b"em0 lo0\n"
    assert proc.wait(timeout=60) == 0
    assert not (unserved.directory / SOCKET).exists()  # unlinked first: the next client starts one
    assert run(unserved, "ifconfig", "-l").stdout == b"em0 lo0\n"


def test_a_server_killed_mid_command_fails_the_client_and_the_next_starts_afresh(
        unserved: SharedHost, server: subprocess.Popen[bytes]) -> None:
    client = subprocess.Popen([unserved.bin("pfctl"), "-f", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={})
    assert client.stdin is not None
    # The server reads a command's stdin after it has taken the command: once more than a pipe's
    # buffer of it has been read, the server is mid-command.
    client.stdin.write(b"# filler\n" * (1 << 17))
    client.stdin.flush()
    server.kill()
    server.wait(timeout=60)
    out, err = client.communicate(timeout=60)
    assert (client.returncode, out) == (EX_SOFTWARE, b"")
    assert err.startswith(f"pfctl: jailnet simulated host {unserved.directory}: the host server ended before "
                          "answering".encode()), err
    assert run(unserved, "pfctl", "-sn").stdout == b""  # nothing was loaded
    assert servers(unserved) != [server.pid]  # a new server took over the stale socket


# -- what a command sees and gives -------------------------------------------------------------


def test_stdin_is_read_only_by_a_command_that_reads_it(unserved: SharedHost, server: subprocess.Popen[bytes]) -> None:
    rules = b"table <jail-nat> persist\nnat on em0 inet from <jail-nat> to any -> (em0)\n"
    assert run(unserved, "pfctl", "-f", "-", stdin=rules).returncode == 0
    assert run(unserved, "pfctl", "-sn").stdout == b"nat on em0 inet from <jail-nat> to any -> (em0) round-robin\n"
    read_end, write_end = os.pipe()
    os.write(write_end, b"left alone\n")
    assert subprocess.run([unserved.bin("ifconfig"), "-l"], stdin=read_end, capture_output=True, env={},
                          timeout=60, check=False).returncode == 0
    os.close(write_end)
    with os.fdopen(read_end, "rb") as rest:
        assert rest.read() == b"left alone\n"


def test_commands_through_the_server_are_byte_exact(tmp_path: Path, client: str) -> None:
    """Exit status, stdout and stderr of each command equal the in-process host's, bytes included,
    through either client (client.c where it can be built, client.py elsewhere)."""
    shared = SharedHost.create(tmp_path / "host")
    head = (tmp_path / "host" / "sbin" / "ifconfig").read_bytes()[:4]
    assert (head == b"\x7fELF") == (client == "native")
    twin = SimulatedHost.freebsd()
    many = [f"10.{n // 250}.{n % 250}.1" for n in range(6000)]  # an answer larger than a socket buffer
    commands: list[tuple[str, ...]] = [
        ("ifconfig", "lo0", "description", "naïve ☃ \\x"), ("ifconfig", "lo0"), ("ifconfig", "nosuch", "up"),
        ("ifconfig", "-Z"), ("route", "get", "default"), ("sysctl", "nosuch.oid"), ("jexec", "nojail", "ifconfig"),
        ("pfctl", "-t", "big", "-T", "add", *many), ("pfctl", "-t", "big", "-T", "show"), ("uname", "-a"),
        ("jls", "-v"),
    ]
    for argv in commands:
        got = run(shared, *argv)
        want = twin(argv)
        assert (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout.encode(),
                                                              want.stderr.encode()), argv
        if argv[-1] == "show":
            assert len(got.stdout) > 1 << 16
    assert [i.argv for i in shared.log] == [list(argv) for argv in commands]


def test_a_command_runs_in_the_callers_working_directory(shared: SharedHost, tmp_path: Path) -> None:
    (tmp_path / "rel-root").mkdir()  # jail(8) checks path= with stat(2), relative to its directory
    assert run(shared, "jail", "-c", "name=rel", "path=rel-root", "persist", cwd=tmp_path).returncode == 0
    assert run(shared, "jls", "-j", "rel", "path").stdout == b"rel-root\n"
    assert run(shared, "jail", "-c", "name=rel2", "path=rel-root", "persist", cwd=shared.directory).returncode == 1


def test_a_kill_fault_kills_the_caller(shared: SharedHost) -> None:
    with shared.edit() as host:
        host.kill_nth(1)
    script = "import subprocess, sys; subprocess.run(sys.argv[1:]); print('lived')"
    caller = subprocess.run([sys.executable, "-c", script, shared.bin("ifconfig"), "epair", "create"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert (caller.returncode, caller.stdout) == (-signal.SIGKILL, "epair0a\n")  # the command's output, not "lived"
    assert run(shared, "ifconfig", "-l").stdout == b"em0 lo0 epair0a epair0b\n"  # kill-after: it ran


# -- the files ----------------------------------------------------------------------------------


def test_the_state_is_rewritten_only_when_a_command_changes_it(shared: SharedHost) -> None:
    before = shared.state_file.stat()
    assert run(shared, "ifconfig", "-l").returncode == 0
    after = shared.state_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert run(shared, "ifconfig", "epair", "create").returncode == 0
    assert shared.state_file.stat().st_ino != before.st_ino


def test_the_server_sees_what_others_wrote(shared: SharedHost, tmp_path: Path) -> None:
    assert run(shared, "jls", "name").stdout == b""  # the server has the state cached now
    with shared.edit() as host:
        host.create_jail("c1", str(tmp_path))
    assert run(shared, "jls", "name").stdout == b"c1\n"
    assert shared(("jls", "name")).stdout == "c1\n"  # in process too
    assert run(shared, "jls", "-j", "c1", "jid").stdout == b"1\n"


def test_the_log_is_appended_and_edits_keep_it(shared: SharedHost) -> None:
    run(shared, "ifconfig", "-l")
    run(shared, "ifconfig", "nosuch")
    assert [(i.argv, i.returncode) for i in shared.log] == [(["ifconfig", "-l"], 0), (["ifconfig", "nosuch"], 1)]
    with shared.edit() as host:
        assert [i.argv for i in host.log] == [["ifconfig", "-l"], ["ifconfig", "nosuch"]]
        host(("uname", "-s"))
    assert [i.argv for i in shared.snapshot().log] == [["ifconfig", "-l"], ["ifconfig", "nosuch"], ["uname", "-s"]]
    with shared.edit() as host:
        host.clear_log()
    assert shared.log == []
    run(shared, "jls")
    assert [i.argv for i in shared.log] == [["jls"]]


def test_undecodable_arguments_arrive_as_python_decodes_them(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 reach the simulator as os.fsdecode() gives them (surrogates)."""
    shared = SharedHost.create(tmp_path / "host")
    result = subprocess.run([shared.bin("ifconfig"), b"lo0\xff"], capture_output=True, check=False)
    want = SimulatedHost.freebsd()(("ifconfig", os.fsdecode(b"lo0\xff")))
    assert (result.returncode, result.stderr) == (want.returncode, want.stderr.encode(errors="surrogateescape"))
