"""One simulated host shared by many processes: a JSON state file under an flock, and executables.

``SharedHost.create(directory, host)`` writes ``directory/host.json`` and installs
``directory/sbin/{ifconfig,pfctl,sysctl,route}``, ``directory/usr/sbin/{jls,jexec,jail}`` and
``directory/usr/bin/uname``, small Python scripts with the state file's path baked in. Put those
three directories on PATH (:meth:`SharedHost.path`) and any process — the real ``jailnet``
command, an OCI runtime's hooks — runs against the same host. Each command locks, loads, runs,
saves atomically and unlocks, so concurrent commands are serialised as the kernel would.
"""

import contextlib
import fcntl
import json
import os
import signal
import sys
import tempfile
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from hooks.system import Completed
from hooks.testing.host import SimulatedHost
from hooks.testing.model import SimState

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

def _structure(data: Any, kind: Any) -> Any:
    """Rebuild the model from JSON data: attrs classes field by field, then lists, dicts,
    optionals and scalars. The state file is this module's own, so no validation is needed;
    cattrs would do the same but costs every simulated command a third of its start-up."""
    origin = typing.get_origin(kind)
    if attrs.has(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _structure(data[f.name], hints[f.name]) for f in attrs.fields(kind) if f.name in data})
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_structure(x, item) for x in data]
    if origin is dict:
        _, value = typing.get_args(kind)
        return {k: _structure(v, value) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _structure(data, inner)
    return data

_SCRIPT = """#!{python}
# A program of the jailnet simulated FreeBSD host ({program}); state in {state}.
import sys
sys.path.insert(0, {root!r})
from hooks.testing.store import main
sys.exit(main({state!r}, sys.argv))
"""


class SharedHost:
    """A :class:`SimulatedHost` kept in ``directory/host.json``; usable as a runner too."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.state_file = self.directory / "host.json"
        self._lock_file = self.directory / "host.lock"

    @classmethod
    def create(cls, directory: str | os.PathLike[str], host: SimulatedHost | None = None) -> "SharedHost":
        """Store ``host`` (a fresh :meth:`SimulatedHost.freebsd` by default) and install the tools."""
        shared = cls(directory)
        shared.directory.mkdir(parents=True, exist_ok=True)
        state = (host or SimulatedHost.freebsd()).state
        with shared._locked():
            shared._save(state)
        shared.install()
        return shared

    def install(self) -> None:
        """Write the executables, each with this interpreter and the state file baked in."""
        root = str(Path(__file__).resolve().parent.parent.parent)
        for program, sub in LAYOUT.items():
            target = self.directory / sub / program
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                _SCRIPT.format(python=sys.executable, program=program, state=str(self.state_file), root=root)
            )
            target.chmod(0o755)

    @property
    def path(self) -> str:
        """A PATH value that finds the simulated tools first."""
        return f"{self.directory / 'sbin'}:{self.directory / 'usr' / 'sbin'}:{self.directory / 'usr' / 'bin'}"

    def bin(self, program: str) -> str:
        """Absolute path of one installed program."""
        return str(self.directory / LAYOUT[program] / program)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _load(self) -> SimState:
        state: SimState = _structure(json.loads(self.state_file.read_text()), SimState)
        return state

    def _save(self, state: SimState) -> None:
        data = json.dumps(attrs.asdict(state))
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".host.", suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(data)
        os.replace(tmp, self.state_file)

    @contextlib.contextmanager
    def edit(self) -> Iterator[SimulatedHost]:
        """Lock the host and yield it; changes are saved when the block ends without error."""
        with self._locked():
            host = SimulatedHost(self._load())
            yield host
            self._save(host.state)

    def snapshot(self) -> SimState:
        """A copy of the host's state, read under the lock."""
        with self._locked():
            return self._load()

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        """Run one command against the shared host (in this process)."""
        return self.run_command(argv, stdin=stdin)[0]

    def run_command(self, argv: Sequence[str], *, stdin: str | None = None) -> tuple[Completed, bool]:
        """Run one command; also say whether a ``kill-*`` fault fired for it."""
        with self.edit() as host:
            return host.run(argv, stdin=stdin), host.kill_caller


def main(state_file: str, argv: list[str]) -> int:
    """Entry point of an installed executable: run ``argv`` against the host in ``state_file``."""
    program = os.path.basename(argv[0])
    words = argv[1:]
    stdin = sys.stdin.read() if program == "pfctl" and "-" in words and sys.stdin is not None else None
    shared = SharedHost(Path(state_file).parent)
    result, kill = shared.run_command([program, *words], stdin=stdin)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if kill:  # an injected crash: the caller (a hook) dies here, as at a runtime's timeout
        sys.stdout.flush()
        os.kill(os.getppid(), signal.SIGKILL)
    return result.returncode
