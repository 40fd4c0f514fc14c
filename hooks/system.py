"""The one seam through which jailnet starts processes.

Everything else builds argv tuples as data; only this module imports :mod:`subprocess`.
A :class:`Runner` takes an argv (and optional stdin text) and returns a :class:`Completed`.
Tests pass the simulated FreeBSD host (:mod:`hooks.testing`) as the runner instead.
"""

import shlex
import subprocess
from collections.abc import Mapping, Sequence
from typing import Protocol

import attrs

from ocispec.value import Value

#: Where tools are looked up when the hook's environment has no usable PATH (runj hands a hook
#: exactly its config ``env``; with ``env`` set and no PATH in it there is none, see runj hook/hook.go).
DEFAULT_PATH = "/sbin:/bin:/usr/sbin:/usr/bin"


@attrs.frozen(eq=False, repr=False)
class Completed(Value):
    """What a finished command left behind (argv, exit status and its two output streams)."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.returncode == 0

    def describe(self) -> str:
        """``argv: what it said`` — stderr's first line, else stdout's last (route(8) reports
        its errors on stdout: sbin/route/route.c ``newroute()``), else the exit status."""
        said = self.stderr.strip().splitlines()[:1] or self.stdout.strip().splitlines()[-1:]
        return f"{shlex.join(self.argv)}: {said[0] if said else f'exit status {self.returncode}'}"


class Runner(Protocol):
    """Run one command: ``argv`` with optional ``stdin`` text, never through a shell."""

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed: ...


def search_path(environ: Mapping[str, str]) -> str:
    """Return the PATH to search: the environment's, or :data:`DEFAULT_PATH` when unset or empty."""
    return environ.get("PATH") or DEFAULT_PATH


# A service, not a value: compared by identity, and attrs generates only __init__ (an __eq__ and a
# __repr__ cost some 0.4 ms at import, on every hook's start path: docs/performance.md).
@attrs.frozen(eq=False, repr=False)
class SubprocessRunner:
    """Run real commands with a C locale, a bounded time, and no shell."""

    path: str = DEFAULT_PATH
    timeout: float = 20.0

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        env = {"PATH": self.path, "LC_ALL": "C"}
        try:
            proc = subprocess.run(
                list(argv),
                input=stdin,
                capture_output=True,
                text=True,
                errors="replace",
                check=False,
                timeout=self.timeout,
                env=env,
                stdin=None if stdin is not None else subprocess.DEVNULL,
            )
        except FileNotFoundError:
            return Completed(tuple(argv), 127, "", f"{argv[0]}: command not found\n")
        except subprocess.TimeoutExpired:
            return Completed(tuple(argv), 124, "", f"{argv[0]}: timed out after {self.timeout:g} s\n")
        return Completed(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
