"""One simulated host shared by many processes: a JSON state file and an invocation log under an
flock, and executables.

``SharedHost.create(directory, host)`` writes ``directory/host.json`` and installs
``directory/sbin/{ifconfig,pfctl,sysctl,route}``, ``directory/usr/sbin/{jls,jexec,jail}`` and
``directory/usr/bin/uname``. Put those three directories on PATH (:meth:`SharedHost.path`) and any
process — the real ``jailnet`` command, an OCI runtime's hooks — runs against the same host. The
executables are tiny clients of a host server (:mod:`hooks.testing.client`,
:mod:`hooks.testing.server`) that runs each command as :meth:`SharedHost.run_command` does: lock,
load, run, log, save atomically, unlock; so concurrent commands are serialised as the kernel would,
and :meth:`SharedHost.edit`, :meth:`SharedHost.snapshot` and other processes reading the directory
see every command.

The directory holds:

``host.json``
    the :class:`~hooks.testing.model.SimState` without its log, replaced atomically on each change;
``host.log``
    the invocation log, one JSON line ``[argv, returncode, jail]`` per command, appended to (and
    rewritten only when a :meth:`SharedHost.edit` block changes what was logged before);
``host.lock``
    the flock that serialises every reader and writer of the two;
``host.sock``, ``host.sock.lock``
    the server's socket while one runs, and the lock its start holds (:mod:`hooks.testing.server`).
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from hooks import files
from hooks.system import Completed
from hooks.testing.host import SimulatedHost
from hooks.testing.model import Invocation, SimState

#: Where each program lives on FreeBSD (hier(7)); the executables mirror it under the directory.
LAYOUT = {
    "ifconfig": "sbin",
    "pfctl": "sbin",
    "sysctl": "sbin",
    "route": "sbin",
    "jls": "usr/sbin",
    "jexec": "usr/sbin",
    "jail": "usr/sbin",
    "uname": "usr/bin",
}

#: The repository root: the installed clients and the server they start import ``hooks`` from here.
ROOT = str(Path(__file__).resolve().parent.parent.parent)

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@functools.cache
def _structurer(kind: Any) -> Convert:
    """A function that rebuilds ``kind`` from JSON data: attrs classes field by field, then lists,
    dicts, optionals and scalars. The state file is this module's own, so no validation is needed
    (cattrs would validate, and cost every load more). Built once per type: calling
    ``typing.get_type_hints`` per object made a state of 64 containers take 34 ms to load, 5 ms now."""
    origin = typing.get_origin(kind)
    if attrs.has(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _structurer(hints[f.name])) for f in attrs.fields(kind)]
        return lambda data: kind(**{name: convert(data[name]) for name, convert in fields if name in data})
    if origin is list:
        item = _structurer(typing.get_args(kind)[0])
        return list if item is _same else lambda data: [item(x) for x in data]
    if origin is dict:
        value = _structurer(typing.get_args(kind)[1])
        return dict if value is _same else lambda data: {k: value(v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        convert = _structurer(inner)
        return lambda data: None if data is None else convert(data)
    return _same


@functools.cache
def _unstructurer(kind: Any) -> Convert:
    """The inverse of :func:`_structurer`: what ``attrs.asdict`` gives, without its per-value
    checks (a state of 64 containers: 2 ms instead of 6)."""
    origin = typing.get_origin(kind)
    if attrs.has(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _unstructurer(hints[f.name])) for f in attrs.fields(kind)]
        return lambda obj: {name: convert(getattr(obj, name)) for name, convert in fields}
    if origin is list:
        item = _unstructurer(typing.get_args(kind)[0])
        return list if item is _same else lambda data: [item(x) for x in data]
    if origin is dict:
        value = _unstructurer(typing.get_args(kind)[1])
        return dict if value is _same else lambda data: {k: value(v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        convert = _unstructurer(inner)
        return lambda data: None if data is None else convert(data)
    return _same


def dump_state(state: SimState) -> str:
    """The state file's text for ``state``: everything but the log (kept in ``host.log``)."""
    data = _unstructurer(SimState)(state)
    del data["log"]
    return json.dumps(data, separators=(",", ":"))


def load_state(text: str) -> SimState:
    """The state a :func:`dump_state` text holds, with an empty log (a log kept in the state file
    by an older version is dropped: the log lives in ``host.log``)."""
    data = json.loads(text)
    data.pop("log", None)
    state: SimState = _structurer(SimState)(data)
    return state


def log_lines(invocations: Iterable[Invocation]) -> str:
    """``host.log`` lines for ``invocations``."""
    return "".join(json.dumps([i.argv, i.returncode, i.jail]) + "\n" for i in invocations)


_SCRIPT = """#!{python} -IS
# A program of the jailnet simulated FreeBSD host ({program}): a client of the host server for
# {directory} (hooks/testing/client.py; -S: no site, the client needs only built-in modules).
import sys
sys.path.insert(0, {root!r})
from hooks.testing.client import main
sys.exit(main({directory!r}, {python!r}, {root!r}, sys.argv))
"""


#: The native client's source (hooks/testing/client.c).
CLIENT_C = Path(__file__).with_name("client.c")


@functools.cache
def native_client() -> Path | None:
    """The native client (client.c) built once per source version with the system C compiler,
    in a per-user cache under the temporary directory; None where it cannot be built or run
    (no ``cc``, no /proc/self/exe): the Python client serves there, ~15 ms a command instead of ~1."""
    if not os.path.exists("/proc/self/exe"):
        return None
    source = CLIENT_C.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    binary = Path(tempfile.gettempdir()) / f"jailnet-sim-client-{os.getuid()}" / digest / "client"
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    binary.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = binary.with_name(f"client.{os.getpid()}")
    built = subprocess.run([compiler, "-O2", "-o", str(temporary), str(CLIENT_C)], capture_output=True, check=False)
    if built.returncode != 0:
        return None
    os.replace(temporary, binary)  # atomic: processes building at once all end with one binary
    return binary


class SharedHost:
    """A :class:`SimulatedHost` kept in ``directory``; usable as a runner too."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.state_file = self.directory / "host.json"
        self.log_file = self.directory / "host.log"
        self.lock_file = self.directory / "host.lock"

    @classmethod
    def create(cls, directory: str | os.PathLike[str], host: SimulatedHost | None = None, *,
               serve: bool = True) -> "SharedHost":
        """Store ``host`` (a fresh :meth:`SimulatedHost.freebsd` by default), its log included,
        install the tools and, with ``serve``, start the host server (:meth:`serve`)."""
        shared = cls(directory)
        shared.directory.mkdir(parents=True, exist_ok=True)
        state = (host or SimulatedHost.freebsd()).state
        with shared.locked():
            shared.write_state(state)
            shared.write_log(state.log)
        shared.install()
        if serve:
            shared.serve()
        return shared

    def reset(self, host: SimulatedHost) -> None:
        """Make the stored host ``host`` again, its log included (a test reusing the directory,
        its tools and its server for a fresh host)."""
        with self.locked():
            self.write_state(host.state)
            self.write_log(host.state.log)

    def install(self) -> None:
        """Write the executables, each with this interpreter and the directory baked in."""
        directory = str(self.directory.absolute())
        native = native_client()
        (self.directory / ".server").write_text(f"{sys.executable}\n{ROOT}\n")  # how client.c starts one
        for program, sub in LAYOUT.items():
            target = self.directory / sub / program
            target.parent.mkdir(parents=True, exist_ok=True)
            if native is not None:
                shutil.copyfile(native, target)
            else:
                target.write_text(_SCRIPT.format(python=sys.executable, program=program, directory=directory,
                                                 root=ROOT))
            target.chmod(0o755)

    def serve(self) -> None:
        """Start the host server now unless one listens (:mod:`hooks.testing.server`; a command
        would start it too). :meth:`create` does this so that the server is not a descendant of an
        OCI runtime's hook: crun, a child subreaper, waits for every descendant before it exits, so
        a server started by a hook under crun would hold crun up for the server's idle period."""
        directory = str(self.directory.absolute())
        address = os.path.join(directory, "host.sock")
        if len(address.encode()) < 100:  # sockaddr_un holds 107 bytes; the client handles longer paths
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(address) == 0:
                    return
        code = f"import sys; sys.path.insert(0, {ROOT!r}); from hooks.testing.client import ensure; " \
               f"sys.exit(ensure({directory!r}, {sys.executable!r}, {ROOT!r}))"
        started = subprocess.run([sys.executable, "-IS", "-c", code], capture_output=True, text=True, check=False)
        if started.returncode != 0:
            raise RuntimeError(f"cannot start the simulated host's server: {started.stderr.strip()}")

    @property
    def path(self) -> str:
        """A PATH value that finds the simulated tools first."""
        return f"{self.directory / 'sbin'}:{self.directory / 'usr' / 'sbin'}:{self.directory / 'usr' / 'bin'}"

    def bin(self, program: str) -> str:
        """Absolute path of one installed program."""
        return str(self.directory / LAYOUT[program] / program)

    # -- the files, each read or written with the lock held ----------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the host's lock: what every reader and writer of the state and the log holds."""
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def read_state(self) -> SimState:
        """The state file's host, with an empty log."""
        return load_state(self.state_file.read_text())

    def write_state(self, state: SimState, text: str | None = None) -> None:
        """Replace the state file atomically with ``state`` (or its :func:`dump_state` ``text``)."""
        data = dump_state(state) if text is None else text
        files.replace(self.state_file, data.encode(), mode=0o644, durable=False)

    def read_log(self) -> list[Invocation]:
        """Every invocation logged so far, in order."""
        try:
            text = self.log_file.read_text()
        except FileNotFoundError:
            return []
        return [Invocation(*json.loads(line)) for line in text.splitlines()]

    def append_log(self, invocations: Sequence[Invocation]) -> None:
        """Add ``invocations`` at the end of the log (one write, ``O_APPEND``)."""
        if invocations:
            fd = os.open(self.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                os.write(fd, log_lines(invocations).encode())
            finally:
                os.close(fd)

    def write_log(self, invocations: Sequence[Invocation]) -> None:
        """Replace the log with ``invocations``, atomically."""
        files.replace(self.log_file, log_lines(invocations).encode(), mode=0o644, durable=False)

    # -- the host ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def edit(self) -> Iterator[SimulatedHost]:
        """Lock the host and yield it, log included; changes are saved when the block ends without
        error (the state file only when the host changed, the log by appending when the block only
        added to it)."""
        with self.locked():
            text = self.state_file.read_text()
            state = load_state(text)
            state.log = self.read_log()
            before = list(state.log)
            host = SimulatedHost(state)
            yield host
            after = dump_state(host.state)
            if after != text:
                self.write_state(host.state, after)
            log = host.state.log
            if log[:len(before)] == before:
                self.append_log(log[len(before):])
            else:
                self.write_log(log)

    def snapshot(self) -> SimState:
        """A copy of the host's state, log included, read under the lock."""
        with self.locked():
            state = self.read_state()
            state.log = self.read_log()
            return state

    @property
    def log(self) -> list[Invocation]:
        """Every command run on the host so far, in order (:attr:`SimulatedHost.log`)."""
        with self.locked():
            return self.read_log()

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        """Run one command against the shared host (in this process)."""
        return self.run_command(argv, stdin=stdin)[0]

    def run_command(self, argv: Sequence[str], *, stdin: str | None = None) -> tuple[Completed, bool]:
        """Run one command as the installed executables do (lock, load, run, log, save when changed);
        also say whether a ``kill-*`` fault fired for it."""
        with self.locked():
            text = self.state_file.read_text()
            host = SimulatedHost(load_state(text))
            result = host.run(argv, stdin=stdin)
            after = dump_state(host.state)
            if after != text:
                self.write_state(host.state, after)
            self.append_log(host.state.log)
            return result, host.kill_caller
