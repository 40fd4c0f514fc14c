"""Run a plan through the runner; undo what was done, newest first, when a step fails.

This is CNI's ``success`` flag and deferred undos made into data (containernetworking/plugins
``plugins/main/bridge/bridge.go`` ``cmdAdd``): every step that changed something leaves its undo
on a list, and a failure replays the list backwards. Teardown runs every step whatever happens and
counts "already gone" as done (containernetworking/cni ``SPEC.md``, DEL).
"""

import shlex
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from hooks.errors import OperationFailed
from hooks.plan import Command, Step, WriteResolvConf
from hooks.system import Completed, Runner

if TYPE_CHECKING:  # poststop's teardown writes no resolv.conf: the module loads when a step does
    from hooks.etcfile import Backup

    Undo: TypeAlias = tuple[str, ...] | Backup
    """A command that undoes a step, or the backup that undoes a resolv.conf write."""


class CommandFailed(OperationFailed):
    """A command exited non-zero; the message names it and quotes FreeBSD's error."""

    def __init__(self, result: Completed) -> None:
        super().__init__(result.describe())
        self.result = result


def apply(
    steps: Sequence[Step],
    run: Runner,
    done: "list[Undo]",
    *,
    progress: "Callable[[list[Undo]], None]" = lambda _: None,
    log: Callable[[str], None] = lambda _: None,
) -> None:
    """Run ``steps`` in order, appending each undo to ``done``; stop at the first failure.

    ``progress`` is called after every step with the undos so far (the journal); the caller
    rolls back with :func:`rollback` when this raises.
    """
    for step in steps:
        if isinstance(step, WriteResolvConf):
            from hooks import resolvconf

            done.append(resolvconf.write(step.root, step.text))
            log(f"wrote {step.root}/etc/resolv.conf")
        else:
            result = run_command(step.argv, run, creates=step.creates, stdin=step.stdin, log=log)
            if not result.ok:
                raise CommandFailed(result)
            log(shlex.join(step.argv))
            if step.undo is not None:
                done.append(step.undo)
        progress(done)


def run_command(argv: tuple[str, ...], run: Runner, *, creates: bool = False, stdin: str | None = None,
                log: Callable[[str], None] = lambda _: None) -> Completed:
    """Run one command, with ``stdin`` on its standard input. When a command that ``creates`` an
    interface fails part-way, destroy what it printed (:attr:`hooks.plan.Command.creates`): the
    failure leaves nothing behind."""
    result = run(argv, stdin=stdin) if stdin is not None else run(argv)
    left = printed_name(result.stdout) if creates and not result.ok else None
    if left is not None:
        gone = run(("ifconfig", left, "destroy"))
        log(f"destroyed {left}, left by the failed command" if gone.ok else gone.describe())
    return result


def printed_name(stdout: str) -> str | None:
    """The interface name ifconfig printed at exit (the last line), if it is one: a clone it made,
    under its latest name (sbin/ifconfig/ifconfig.c ``printifnamemaybe()``)."""
    lines = stdout.strip().splitlines()
    name = lines[-1] if lines else ""
    if not 0 < len(name) < 16 or not name.isascii() or not all(c.isalnum() or c in "_-." for c in name):
        return None
    return name


def rollback(done: "list[Undo]", run: Runner, log: Callable[[str], None] = lambda _: None) -> list[str]:
    """Undo ``done`` newest first, trying every undo; return what failed."""
    failures = []
    for undo in reversed(done):
        if not isinstance(undo, tuple):  # an etcfile.Backup, made by a step that loaded the module
            from hooks import etcfile

            try:
                etcfile.restore(undo)
                log(f"restored {undo.root}/etc/{undo.name}")
            except OSError as exc:
                failures.append(f"restoring {undo.root}/etc/{undo.name}: {exc.strerror}")
            continue
        result = run(undo)
        if result.ok:
            log(f"undo: {shlex.join(undo)}")
        else:
            failures.append(result.describe())
    done.clear()
    return failures


def teardown(steps: Sequence[Command], run: Runner, log: Callable[[str], None] = lambda _: None) -> list[str]:
    """Run every step; a failure that says the thing is already gone counts as done."""
    failures = []
    for step in steps:
        result = run(step.argv)
        said = result.stderr + result.stdout
        if result.ok:
            log(shlex.join(step.argv))
        elif any(fragment in said for fragment in step.gone):
            log(f"{shlex.join(step.argv)}: already gone")
        elif step.best_effort:
            log(f"{result.describe()} (best effort)")
        else:
            failures.append(result.describe())
    return failures
