"""Every subcommand, through the installed executable, under conditions a first hour meets: no
permission, files where directories should be, unreadable PATH entries, a closed stdin, no HOME,
a read-only state directory, bad UTF-8 in arguments. Whatever happens, stderr holds at most one
line per problem and never a traceback, and the exit status is one the manual documents (0, 1, 2;
poststop always 0 unless its input is bad).

"No permission" is what a non-root user meets: the test drops the capabilities that let root
ignore file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH; capabilities(7)) from the child's
bounding set, so a mode-0000 or mode-0500 directory stops it as it stops ``nobody``.
"""

import ctypes
import os
import pty
import subprocess
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from hooks.testing import SharedHost

STATE = b'{"ociVersion":"1.0.2","id":"web","status":"creating","pid":1,"bundle":"/nonexistent"}'
STOPPED = STATE.replace(b"creating", b"stopped")
PR_CAPBSET_DROP = 24  # linux/prctl.h
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2  # linux/capability.h


def unprivileged() -> None:
    """In the child: lose root's exemption from file modes (a non-root user has none)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def close_stdin() -> None:
    os.close(0)


@attrs.frozen
class Place:
    """A test's directory: a simulated host, an unreadable and a read-only directory, a file."""

    root: Path
    shared: SharedHost

    @property
    def env(self) -> dict[str, str]:
        return {"PATH": self.shared.path, "HOME": str(self.root), "JAILNET_STATE_DIR": str(self.root / "state")}


#: The subcommands that use the state directory and the host configuration.
HOST_COMMANDS = frozenset({"hook createRuntime", "hook poststop", "gc", "ls", "doctor"})


@attrs.frozen
class Condition:
    """What to change: the environment, extra arguments, and the child's set-up; ``applies``
    names the subcommands it concerns (a state directory means nothing to ``bundle check``)."""

    env: Callable[[Place], dict[str, str]] = lambda place: place.env
    args: Callable[[Place], list[str]] = lambda place: []
    preexec: Callable[[], None] | None = None
    applies: frozenset[str] | None = None


def no_home(place: Place) -> dict[str, str]:
    return {k: v for k, v in place.env.items() if k != "HOME"}


CONDITIONS = {
    "state dir not ours (mode 0000)": Condition(
        env=lambda p: {**p.env, "JAILNET_STATE_DIR": str(p.root / "locked")}, preexec=unprivileged,
        applies=HOST_COMMANDS),
    "state dir read-only (mode 0500)": Condition(
        env=lambda p: {**p.env, "JAILNET_STATE_DIR": str(p.root / "readonly")}, preexec=unprivileged,
        applies=HOST_COMMANDS),
    "state dir is a file": Condition(env=lambda p: {**p.env, "JAILNET_STATE_DIR": str(p.root / "file")},
        applies=HOST_COMMANDS),
    "state dir under a file": Condition(env=lambda p: {**p.env, "JAILNET_STATE_DIR": str(p.root / "file" / "x")},
        applies=HOST_COMMANDS),
    "config is a directory": Condition(env=lambda p: {**p.env, "JAILNET_CONFIG": str(p.root)},
        applies=HOST_COMMANDS),
    "config unreadable": Condition(env=lambda p: {**p.env, "JAILNET_CONFIG": str(p.root / "locked" / "j.toml")},
                                   preexec=unprivileged, applies=HOST_COMMANDS),
    "unreadable PATH entry first": Condition(
        env=lambda p: {**p.env, "PATH": f"{p.root / 'locked'}:{p.shared.path}"}, preexec=unprivileged),
    "closed stdin": Condition(preexec=close_stdin),
    "no HOME": Condition(env=no_home),
    "bad UTF-8 in an argument": Condition(args=lambda p: ["--state-dir", os.fsdecode(bytes(p.root) + b"/\xff")],
        applies=HOST_COMMANDS),
}

#: Each subcommand with the stdin it gets, and the exit statuses its manual allows.
COMMANDS: dict[str, tuple[list[str], bytes, set[int]]] = {
    "hook createRuntime": (["hook", "createRuntime"], STATE, {1, 2}),  # no jail "web": never 0
    "hook poststop": (["hook", "poststop"], STOPPED, {0, 2}),
    "gc": (["gc"], b"", {0, 1, 2}),
    "ls": (["ls"], b"", {0, 1, 2}),
    "doctor": (["doctor"], b"", {0, 1, 2}),
    "bundle check": (["bundle", "check", "BUNDLE"], b"", {0, 1, 2}),
    "bundle add": (["bundle", "add", "BUNDLE", "--jailnet", "/usr/local/bin/jailnet"], b"", {0, 1, 2}),
}
#: Commands whose exit status 1 means "not ready", with the findings on stdout.
REPORTS = {"doctor", "bundle check"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> SharedHost:
    """One simulated host for the module (per worker): no command here changes it, and making
    one takes longer than a command."""
    return SharedHost.create(tmp_path_factory.mktemp("hostile") / "host", serve=False)


@pytest.fixture
def place(shared: SharedHost, tmp_path: Path) -> Place:
    (tmp_path / "locked").mkdir(mode=0o000)
    (tmp_path / "readonly").mkdir(mode=0o500)
    (tmp_path / "file").write_text("not a directory\n")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "config.json").write_text('{"ociVersion": "1.0.2", "root": {"path": "rootfs"}}\n')
    return Place(tmp_path, shared)


def run(jailnet_argv: list[str], place: Place, argv: list[str], stdin: bytes, condition: Condition,
        ) -> subprocess.CompletedProcess[bytes]:
    words = [str(place.root / "bundle") if w == "BUNDLE" else w for w in argv]
    return subprocess.run([*jailnet_argv, *words], input=None if condition.preexec is close_stdin else stdin,
                          stdin=None if condition.preexec is not close_stdin else subprocess.DEVNULL,
                          capture_output=True, env=condition.env(place), cwd=place.root,
                          preexec_fn=condition.preexec, timeout=60, check=False)


CASES = [(condition, command) for condition, hostile in CONDITIONS.items() for command in COMMANDS
         if hostile.applies is None or command in hostile.applies]


@pytest.mark.parametrize(("condition", "command"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_one_line_a_documented_status_and_no_traceback(jailnet_argv: list[str], place: Place, condition: str,
                                                       command: str) -> None:
    argv, stdin, allowed = COMMANDS[command]
    hostile = CONDITIONS[condition]
    extra = hostile.args(place)
    result = run(jailnet_argv, place, [*argv, *extra], stdin, hostile)
    err = result.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in err
    assert result.returncode in allowed, err
    lines = err.splitlines()
    assert all(line.startswith("jailnet: ") for line in lines), err
    if result.returncode == 2:
        assert len(lines) == 1, err  # bad input: exactly one line
    if result.returncode != 0:
        # doctor and bundle check report their findings on stdout; everything else says why on stderr
        assert lines or (command in REPORTS and result.stdout), "a failure says why"


def test_no_permission_on_the_state_dir_says_so(jailnet_argv: list[str], place: Place) -> None:
    for command in ("ls", "gc"):
        result = run(jailnet_argv, place, [command], b"", CONDITIONS["state dir not ours (mode 0000)"])
        assert (result.returncode, result.stderr.decode()) == (
            1, f"jailnet: {command}: state directory {place.root / 'locked'} ($JAILNET_STATE_DIR): this user may not "
               f"{'read' if command == 'ls' else 'read and write'} it (jailnet runs as root)\n")


def test_a_state_dir_that_is_a_file_is_bad_input(jailnet_argv: list[str], place: Place) -> None:
    result = run(jailnet_argv, place, ["ls", "--state-dir", str(place.root / "file")], b"", Condition())
    assert (result.returncode, result.stdout, result.stderr.decode()) == (
        2, b"", f"jailnet: ls: --state-dir: {place.root / 'file'} is not a directory\n")


def test_poststop_without_permission_logs_and_exits_0(jailnet_argv: list[str], place: Place) -> None:
    result = run(jailnet_argv, place, ["hook", "poststop"], STOPPED, CONDITIONS["state dir not ours (mode 0000)"])
    assert result.returncode == 0
    assert result.stderr.decode().startswith("jailnet: poststop web: state directory ")


def test_demo_keep_refuses_a_file(jailnet_argv: list[str], place: Place) -> None:
    result = subprocess.run([*jailnet_argv, "demo", "--keep", "file"], capture_output=True, text=True,
                            cwd=place.root, env={}, timeout=60, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "jailnet: demo: --keep: file exists and is not a directory\n")


def test_a_hook_on_a_terminal_says_what_it_reads(jailnet_argv: list[str], place: Place) -> None:
    main, tty = pty.openpty()
    try:
        proc = subprocess.Popen([*jailnet_argv, "hook", "createRuntime"], stdin=tty, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=place.env, cwd=place.root)
        os.close(tty)
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()
        assert first == ("jailnet: hook: reading the OCI state JSON from stdin, as a runtime writes it "
                         "(end it with Ctrl-D)\n")
        os.write(main, STATE + b"\n\x04")  # the line, then end of file (the terminal's VEOF)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1  # there is no jail "web" on this host: an operational failure
        assert err.decode().startswith("jailnet: createRuntime web: ")
    finally:
        os.close(main)


def test_a_dry_run_without_permission_assumes_no_leases(jailnet_argv: list[str], place: Place) -> None:
    result = run(jailnet_argv, place, ["hook", "createRuntime", "--dry-run"], STATE,
                 CONDITIONS["state dir not ours (mode 0000)"])
    assert (result.returncode, result.stderr) == (0, b"")
    assert (f"# assumed: no leases (state directory {place.root / 'locked'} ($JAILNET_STATE_DIR): this user may "
            "not read it (jailnet runs as root))\n").encode() in result.stdout
