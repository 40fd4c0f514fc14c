"""``jailnet doctor --fix``: apply the fixable findings' actions and say how each went.

Fix policy: doctor applies only fixes that change no configuration file and that one command
undoes — ``sysctl net.inet.ip.forwarding=1`` (``=0``), the bridge (``ifconfig BR destroy``, ``-alias``,
``down``), ``pfctl -e`` (``pfctl -d``) but only when a ruleset with translation rules is loaded,
and the state directory (``mkdir``/``chmod 700``). It never edits pf.conf or rc.conf, never loads
a ruleset (``pfctl -f``) and never loads a kernel module (``kldload pf`` is a host policy
decision; ``service pf start`` loads pf.conf with it). Bridge and forwarding fixes run under
the hooks' host-wide lock, as a first container's create does (two bridges never race).
"""

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from hooks.apply import run_command
from hooks.console import Console
from hooks.doctor.findings import Action, Finding, MakeStateDir, RunCommand
from hooks.statedir import MODE as STATE_MODE
from hooks.statedir import StateDir


@attrs.frozen(kw_only=True)
class Attempt:
    """One fix doctor applied, and whether it worked."""

    id: str
    network: str | None
    command: str
    ok: bool
    error: str | None = None


def _apply(action: Action, console: Console) -> str | None:
    """Apply one fix; None when it worked, else what went wrong."""
    if isinstance(action, RunCommand):
        result = run_command(action.argv, console.run, creates=action.creates)
        return None if result.ok else result.describe()
    try:
        if isinstance(action, MakeStateDir):
            Path(action.path).mkdir(mode=STATE_MODE, parents=True, exist_ok=True)
        os.chmod(action.path, STATE_MODE)
    except OSError as exc:
        return f"{action.text}: {exc.strerror}"
    return None


def fix(findings: Sequence[Finding], console: Console, state_path: Path) -> list[Attempt]:
    """Apply every fixable finding's actions: the state directory first, then the host commands
    under the hooks' host-wide lock (when the state directory is usable)."""
    attempts: list[Attempt] = []

    def run(finding: Finding) -> bool:
        worked = True
        for action in finding.actions:
            error = _apply(action, console)
            attempts.append(Attempt(id=finding.id, network=finding.network, command=action.text, ok=error is None,
                                    error=error))
            worked = worked and error is None
        return worked

    statedir = next((f for f in findings if f.id == "statedir"), None)
    usable = statedir is not None and (statedir.ok or (statedir.fixable and run(statedir)))
    rest = [f for f in findings if f.fixable and f.id != "statedir"]
    if rest:
        with StateDir(state_path).lock() if usable else contextlib.nullcontext():
            for finding in rest:
                run(finding)
    return attempts
