"""What every simulated program shares: its context, its failure exception, and its registry entry.

A command handler gets a :class:`Context` (the host state, the vnet it runs in, stdin, and two
output buffers) and the arguments after the program name. It prints through the context and ends
either normally (exit 0), by returning another exit status, or by raising :class:`Fail`, which
writes one ``PROG: message`` line to stderr the way err(3)/errx(3) do (lib/libc/gen/err.c:
``err`` appends ``: strerror(errno)``, ``errx`` does not; both exit with the status given).
"""

from collections.abc import Callable, Sequence

import attrs

from hooks.testing.model import HOST_VNET, SimState, Vnet


class Fail(Exception):
    """End the command: ``message`` goes to stderr (newline added) and ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@attrs.define
class Context:
    """Where and with what a command runs."""

    state: SimState
    program: str
    vnet_id: int = HOST_VNET
    """The vnet the command acts on: 0 for the host, a jid for ``jexec``/``-j`` into a vnet jail."""
    jail: str = ""
    """Name of the jail the command runs in, or empty on the host."""
    stdin: str = ""
    out: list[str] = attrs.Factory(list)
    err: list[str] = attrs.Factory(list)

    @property
    def vnet(self) -> Vnet:
        """The network stack this command sees."""
        found = self.state.vnet_of(self.vnet_id)
        assert found is not None, f"vnet {self.vnet_id} vanished"
        return found

    def print(self, text: str) -> None:
        """Write ``text`` and a newline to stdout."""
        self.out.append(text + "\n")

    def warn(self, text: str) -> None:
        """Write ``PROG: text`` and a newline to stderr, as warnx(3) does."""
        self.err.append(f"{self.program}: {text}\n")

    def fail(self, text: str, code: int = 1) -> Fail:
        """An exception that ends the command with ``PROG: text`` on stderr (errx(3))."""
        return Fail(f"{self.program}: {text}", code)

    def within(self, jail: str, vnet_id: int) -> "Context":
        """A context for the same host that runs inside ``jail`` (jail_attach(2))."""
        return Context(self.state, self.program, vnet_id, jail, self.stdin, self.out, self.err)


Handler = Callable[[Context, list[str]], int]
"""Runs a command; returns its exit status or raises :class:`Fail`."""


@attrs.frozen
class Program:
    """A simulated program (``ifconfig``, ``pfctl``, ...): how to run it, whether an argv changes
    the host, how it fails. Not to be confused with :class:`hooks.plan.Command`, a step of a plan."""

    name: str
    run: Handler
    mutating: Callable[[Sequence[str]], bool]
    """True when this argv (after the program name) changes the host; faults count only these."""
    fault: Callable[[Sequence[str]], tuple[int, str, str]]
    """The (exit status, stdout, stderr) FreeBSD gives when this argv fails in the kernel."""


def getopt(prog: str, args: Sequence[str], spec: str) -> tuple[list[tuple[str, str]], list[str], str]:
    """BSD getopt(3): options up to the first non-option word (no permutation), ``--`` ends them.

    Returns (options in order, remaining words, error line). The error line is getopt's own
    message (``PROG: illegal option -- x`` / ``PROG: option requires an argument -- x``,
    lib/libc/stdlib/getopt.c) or empty; the caller then prints its usage.
    """
    opts: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            i += 1
            break
        if not word.startswith("-") or word == "-":
            break
        j = 1
        while j < len(word):
            letter = word[j]
            pos = spec.find(letter)
            if pos < 0 or letter == ":":
                return opts, list(args[i:]), f"{prog}: illegal option -- {letter}"
            if pos + 1 < len(spec) and spec[pos + 1] == ":":
                value = word[j + 1:]
                if not value:
                    if i + 1 >= len(args):
                        return opts, [], f"{prog}: option requires an argument -- {letter}"
                    i += 1
                    value = args[i]
                opts.append((letter, value))
                break
            opts.append((letter, ""))
            j += 1
        i += 1
    return opts, list(args[i:]), ""
