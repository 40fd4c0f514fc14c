"""Native replay stubs for the FreeBSD tools: build ``stub.c``, install it under each tool's name,
write the recording it replays and read back the commands it ran.

A replay directory holds ``replay.db`` (what :func:`write_recording` wrote), ``spawns.log`` (one
line per stub run, appended by the stub itself) and ``bin/sbin``, ``bin/usr/sbin``,
``bin/usr/bin`` with the tools in them; :meth:`Replay.path` is the PATH that finds them.
"""

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "stub.c"

#: Where each tool lives on FreeBSD (hier(7)), as the simulated host's executables are laid out.
LAYOUT = {
    "ifconfig": "sbin",
    "route": "sbin",
    "pfctl": "sbin",
    "sysctl": "sbin",
    "jls": "usr/sbin",
    "jexec": "usr/sbin",
    "uname": "usr/bin",
}

SEPARATOR = "\x1f"
DB_NAME = "replay.db"
SPAWNS_NAME = "spawns.log"


class StubError(RuntimeError):
    """The stub could not be built, or a recording cannot be replayed faithfully."""


@dataclass(frozen=True)
class Recorded:
    """One command as the simulated FreeBSD host answered it."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def key(self) -> str:
        """What the stub looks up: the program's basename and the arguments, joined by 0x1f."""
        return key_of(self.argv)


def key_of(argv: Sequence[str]) -> str:
    return SEPARATOR.join([os.path.basename(argv[0]), *argv[1:]])


def compiler() -> str | None:
    """The system C compiler, or None when there is none on PATH."""
    return shutil.which("cc")


def build(directory: Path, source: Path = SOURCE) -> Path:
    """Compile ``stub.c`` into ``directory/stub`` with the system compiler."""
    cc = compiler()
    if cc is None:
        raise StubError("no C compiler: the benchmark needs 'cc' on PATH to build its replay stub")
    if not Path("/proc/self/exe").exists():
        raise StubError("the replay stub finds its recording through /proc/self/exe: run this on Linux")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "stub"
    made = subprocess.run([cc, "-O2", "-o", str(target), str(source)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise StubError(f"cc -O2 -o {target} {source} failed:\n{made.stderr.strip()}")
    return target


@dataclass(frozen=True)
class Replay:
    """A replay directory: the recording, the spawn log and the installed tools."""

    directory: Path

    @property
    def db(self) -> Path:
        return self.directory / DB_NAME

    @property
    def spawns_file(self) -> Path:
        return self.directory / SPAWNS_NAME

    @property
    def path(self) -> str:
        """A PATH value that finds the stubs, in FreeBSD's order."""
        bin_dir = self.directory / "bin"
        return ":".join(str(bin_dir / sub) for sub in ("sbin", "usr/sbin", "usr/bin"))

    def tool(self, name: str) -> Path:
        """The installed stub for ``name``."""
        return self.directory / "bin" / LAYOUT[name] / name

    def reset_spawns(self) -> None:
        self.spawns_file.unlink(missing_ok=True)

    def spawns(self) -> list[tuple[str, ...]]:
        """The argv of every stub run since the last :meth:`reset_spawns`, in order."""
        try:
            text = self.spawns_file.read_text()
        except FileNotFoundError:
            return []
        return [tuple(line.split(SEPARATOR)) for line in text.splitlines()]


def install(stub: Path, directory: Path, recording: Iterable[Recorded]) -> Replay:
    """Make ``directory`` a replay directory for ``recording`` with ``stub`` as every tool."""
    replay = Replay(directory)
    for name in LAYOUT:
        target = replay.tool(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(stub, target)
        except OSError:
            shutil.copy2(stub, target)
    write_recording(replay.db, recording)
    replay.reset_spawns()
    return replay


def write_recording(path: Path, recording: Iterable[Recorded]) -> None:
    """Write ``replay.db``. The same argv recorded twice with different answers cannot be replayed
    by a stateless stub, and a negative status (a killed process) cannot be an exit status."""
    seen: dict[str, Recorded] = {}
    chunks: list[bytes] = []
    for item in recording:
        earlier = seen.get(item.key)
        if earlier is not None:
            if (earlier.returncode, earlier.stdout, earlier.stderr) != (item.returncode, item.stdout, item.stderr):
                raise StubError(f"{' '.join(item.argv)}: recorded twice with different answers")
            continue
        if not 0 <= item.returncode <= 255:
            raise StubError(f"{' '.join(item.argv)}: exit status {item.returncode} cannot be replayed")
        seen[item.key] = item
        key, out, err = item.key.encode(), item.stdout.encode(), item.stderr.encode()
        chunks += [f"{len(key)} {item.returncode} {len(out)} {len(err)}\n".encode(), key, out, err]
    path.write_bytes(b"".join(chunks))
