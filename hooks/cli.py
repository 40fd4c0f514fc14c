"""The ``jailnet`` command: parse argv, dispatch to a subcommand, turn errors into exit codes.

This is the only module that picks exit codes: 0 success, 1 operational failure, 2 bad input
(command line, state JSON, annotations, configuration). It is started on every container's
start path, so it imports only what the chosen subcommand needs.

Runtimes call hooks in two ways (docs/runtimes.md §2): runj execs ``path`` with
``args[1:]``; ocijail execs ``path`` with all of ``args``, so ``args[0]`` (``jailnet``) arrives again
as the first argument. :func:`normalize_argv` drops that repeated program name.
"""

import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:
    import argparse

    from hooks.system import Runner

from hooks import PROG, __version__
from hooks.console import Console
from hooks.errors import BadInput, OperationFailed
from hooks.system import SubprocessRunner, search_path

#: Subcommands implemented elsewhere: each module has ``main(args, console) -> int``.
COMMANDS = {"doctor": "hooks.doctor", "gc": "hooks.gc", "ls": "hooks.listing", "bundle": "hooks.bundle"}

#: ``jailnet hook``'s options that take a value, and the attribute each sets (hooks/grammar.py).
_HOOK_VALUES = {"--network": "network", "--config": "config", "--state-dir": "state_dir", "--log-file": "log_file"}
#: What argparse gives every ``jailnet hook`` attribute when its option is absent.
_HOOK_DEFAULTS: dict[str, object] = {"command": "hook", "network": None, "config": None, "state_dir": None,
                                     "log_file": None, "dry_run": False, "jid": None, "freebsd": None,
                                     "bridge_present": False}


def normalize_argv(argv: Sequence[str], program: str = PROG) -> list[str]:
    """Drop one leading argument that repeats the program's name (ocijail passes ``args[0]``).

    ``["jailnet", "demo"]`` and ``["/usr/local/bin/jailnet", "demo"]`` both become ``["demo"]``;
    runj's ``["demo"]`` is left alone.
    """
    words = list(argv)
    if words and os.path.basename(words[0]) in {PROG, os.path.basename(program)} and not words[0].startswith("-"):
        return words[1:]
    return words


def hook_args(words: Sequence[str]) -> "argparse.Namespace | None":
    """``hook KIND`` with any of ``--network``, ``--config``, ``--state-dir``, ``--log-file`` (as
    ``--OPTION VALUE`` or ``--OPTION=VALUE``), read without argparse: the command line a runtime
    runs on every container start. None for anything else (another command, another option, an
    abbreviation, a value that starts with ``-``, ``--``, a second KIND), which the full grammar
    (:mod:`hooks.grammar`) then parses. What this reads, it reads as argparse does
    (tests/test_cli.py compares the two on random command lines)."""
    if not words or words[0] != "hook":
        return None
    values = dict(_HOOK_DEFAULTS)
    kind: str | None = None
    rest = iter(words[1:])
    for word in rest:
        if not word.startswith("-"):
            if kind is not None:
                return None
            kind = word
            continue
        option, equals, value = word.partition("=")
        dest = _HOOK_VALUES.get(option)
        if dest is None:
            return None
        if not equals:
            given = next(rest, None)
            if given is None or given.startswith("-"):
                return None
            value = given
        values[dest] = value
    if kind is None:
        return None
    values["kind"] = kind
    return cast("argparse.Namespace", SimpleNamespace(**values))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: bytes | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    run: "Runner | None" = None,
) -> int:
    """Run ``jailnet`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit status.

    The keyword arguments replace the process's stdin, stdout, stderr, environment and command
    runner (tests pass the simulated FreeBSD host as ``run``), as CNI's skel dispatcher does.
    """
    code = _main(argv, stdin=stdin, stdout=stdout, stderr=stderr, environ=environ, run=run)
    if stdout is None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left (``jailnet sim state web | false``): say nothing more, and keep
            # the interpreter's final flush from printing "Exception ignored" (Python's signal
            # module documentation, "Note on SIGPIPE").
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return code or 1
    return code


def _main(
    argv: Sequence[str] | None,
    *,
    stdin: bytes | None,
    stdout: TextIO | None,
    stderr: TextIO | None,
    environ: Mapping[str, str] | None,
    run: "Runner | None",
) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    words = normalize_argv(sys.argv[1:] if argv is None else argv, sys.argv[0] if argv is None else PROG)
    args = hook_args(words)
    if args is None:
        from hooks import grammar

        parser = grammar.build_parser(out, hook_only=bool(words) and words[0] == "hook")
        try:
            args = parser.parse_args(words)
        except grammar.UsageError as exc:
            err.write(f"{PROG}: {exc}\n")
            return 2
        except SystemExit as exc:  # --help and --version print and exit 0
            out.flush()
            return int(exc.code or 0)
        if args.command is None:
            parser.print_help(out)
            return 0
    env = os.environ if environ is None else environ
    # Hook errors name the kind and the container themselves; others say which command failed.
    context = "" if args.command == "hook" else " ".join(filter(None, (args.command, getattr(args, "action", None))))
    context = f"{context}: " if context else ""
    try:
        if args.command == "demo":
            return _demo(args, out)
        if args.command == "sim":
            from hooks.testing import sim

            return sim.main(args, out, env)
        console = Console(out=out, err=err, environ=env,
                          run=run if run is not None else SubprocessRunner(path=search_path(env)), stdin=stdin,
                          program=sys.argv[0] if argv is None else "")
        if args.command == "hook":
            from hooks.invocation import invoke

            return invoke(args, stdin if stdin is not None else _read_stdin(err), console)
        module = importlib.import_module(COMMANDS[args.command])
        code: int = module.main(args, console)
        return code
    except (BadInput, OperationFailed) as exc:
        err.write(f"{PROG}: {context}{exc}\n")
        return exc.exit_code
    except BrokenPipeError:  # the reader of stdout left: quiet, as a tool killed by SIGPIPE
        return OperationFailed.exit_code
    except OSError as exc:  # what no subcommand turned into its own message: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        err.write(f"{PROG}: {context}{where}{exc.strerror or exc}\n")
        return OperationFailed.exit_code
    except KeyboardInterrupt:
        err.write(f"{PROG}: {context}interrupted\n")
        return 130
    except Exception as exc:  # a bug in jailnet: one line all the same, never a traceback
        err.write(f"{PROG}: {context}internal error: {type(exc).__name__}: {exc} "
                  f"(a bug in jailnet {__version__}; please report it with the command line)\n")
        return OperationFailed.exit_code


def _read_stdin(err: TextIO) -> bytes:
    """The hook's stdin: nothing when it is closed; on a terminal, first say what it waits for."""
    if sys.stdin is None:
        return b""
    if sys.stdin.isatty():
        err.write(f"{PROG}: hook: reading the OCI state JSON from stdin, as a runtime writes it "
                  "(end it with Ctrl-D)\n")
        err.flush()
    return sys.stdin.buffer.read()


def _demo(args: "argparse.Namespace", out: TextIO) -> int:
    """``jailnet demo [--walkthrough] [--keep DIR]``; ``DIR`` must be absent or an empty directory,
    and is made absolute: the simulated tools' PATH is built from it."""
    keep = None
    if args.keep is not None:
        keep = os.path.abspath(args.keep)
        if os.path.lexists(keep) and not os.path.isdir(keep):
            raise BadInput(f"--keep: {args.keep} exists and is not a directory")
        if os.path.isdir(keep) and os.listdir(keep):
            raise BadInput(f"--keep: {args.keep} is not empty (the demo needs a new or empty directory)")
    if args.walkthrough:
        from hooks.testing import walkthrough

        return walkthrough.demo(out, keep=keep)
    from hooks.testing import demo

    return demo.demo(out, keep=keep)
