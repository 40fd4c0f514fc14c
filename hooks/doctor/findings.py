"""What doctor found, and the fixes ``--fix`` may apply to it: values, no I/O.

A :class:`Finding` is one check's outcome (README "jailnet doctor" lists the check ids); its
:attr:`Finding.actions` are the safe, reversible fixes that :func:`hooks.doctor.fixes.fix` applies
(its module states the fix policy).
"""

import shlex
from collections.abc import Sequence
from typing import Literal

import attrs

from hooks.statedir import MODE as STATE_MODE

Severity = Literal["error", "warning", "info"]



@attrs.frozen
class RunCommand:
    """Run a host command through the runner."""

    argv: tuple[str, ...]
    creates: bool = False
    """It clones an interface: when it fails part-way, the clone it printed is destroyed
    (:attr:`hooks.plan.Command.creates`)."""

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


@attrs.frozen
class MakeStateDir:
    """Create the state directory, mode 0700 (as the hooks' StateDir.ensure() does)."""

    path: str

    @property
    def text(self) -> str:
        return f"mkdir -p -m {STATE_MODE:o} {shlex.quote(self.path)}"


@attrs.frozen
class RestrictStateDir:
    """``chmod 700`` the state directory."""

    path: str

    @property
    def text(self) -> str:
        return f"chmod {STATE_MODE:o} {shlex.quote(self.path)}"


Action = RunCommand | MakeStateDir | RestrictStateDir


@attrs.frozen(kw_only=True)
class Finding:
    """The outcome of one check: what was found and, when it is not ok, how to fix it."""

    id: str
    """Stable check id (README "jailnet doctor"): ``pf.nat``, ``bridge``, ..."""
    ok: bool
    severity: Severity
    """How bad it is when not ok: ``error`` makes the host not ready; ``warning`` and ``info`` do not."""
    message: str
    network: str | None = None
    """The network the check is about (None: host-wide)."""
    details: tuple[str, ...] = ()
    fix: str | None = None
    """Shell commands or pf.conf lines, one a line; ``#`` lines are comments (valid in both)."""
    actions: tuple[Action, ...] = ()
    """What ``--fix`` runs; empty when the fix is not safe to apply automatically."""

    @property
    def fixable(self) -> bool:
        """True when ``--fix`` would apply :attr:`actions`."""
        return not self.ok and bool(self.actions)


def ready(findings: Sequence[Finding]) -> bool:
    """The host is ready when no error-severity check fails (warnings and info do not count)."""
    return all(f.ok for f in findings if f.severity == "error")
