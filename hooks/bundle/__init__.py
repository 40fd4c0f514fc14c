"""``jailnet bundle add|remove|check BUNDLE``: put jailnet into an OCI bundle, take it out, or say
what keeps a bundle from working with jailnet (README "Bundle tooling").

The package, by concern:

* :mod:`hooks.bundle.document`: the file names, hook kinds and typed access to parsed JSON;
  which hook entries are jailnet's;
* :mod:`hooks.bundle.edits`: ``add`` and ``remove`` as data in, data out;
* :mod:`hooks.bundle.checks`: the problems ``check`` reports (and ``add`` reports as still wrong);
* :mod:`hooks.bundle.layout`: the files on disk, read and rewritten the way they were written.

This module is the shell: it reads the files, calls the core, writes what changed and prints the
changes. Errors are raised (:class:`~hooks.errors.BadInput`, :class:`~hooks.errors.OperationFailed`)
for :func:`hooks.cli.main` to report; problems found are an outcome, exit status 1.
"""

import argparse
import json
import os
import shutil
from collections.abc import Callable

from hooks.bundle.checks import Problem, check
from hooks.bundle.document import CONFIG, EXTENSION, PROG, basename
from hooks.bundle.edits import (
    VNET_REQUEST,
    AddOptions,
    add_to_config,
    add_to_extension,
    kept_vnet,
    remove_from_config,
)
from hooks.bundle.layout import BundleFile, bundle_dir, exists
from hooks.console import Console
from hooks.errors import BadInput


def resolve_jailnet(option: str | None, program: str, which: Callable[[], str | None]) -> str:
    """The jailnet path the hooks run: ``--jailnet``, else the running program (``program``, its
    ``argv[0]``) when it is called jailnet, else ``jailnet`` on PATH (``which``). runtime-spec
    config.md: a hook ``path`` MUST be absolute."""
    if option is not None:
        if not os.path.isabs(option):
            raise BadInput(f"--jailnet: {option!r} is not an absolute path (runtime-spec config.md: a hook "
                           "path MUST be absolute)")
        return option
    if basename(program) == PROG:
        return os.path.abspath(program)
    found = which()
    if found is None or not os.path.isabs(found):
        raise BadInput("--jailnet: cannot tell where jailnet is installed; pass --jailnet /absolute/path/jailnet")
    return found


def _add(args: argparse.Namespace, console: Console) -> int:
    jailnet = resolve_jailnet(args.jailnet, console.program,
                              lambda: shutil.which(PROG, path=console.environ.get("PATH", os.defpath)))
    options = AddOptions.from_args(args, jailnet)
    bundle = bundle_dir(args.bundle)
    config_file = BundleFile.read(bundle / CONFIG, required=True)
    ext_file = BundleFile.read(bundle / EXTENSION, required=False)
    config = config_file.as_object()
    extension = ext_file.as_object() if ext_file.exists else None
    new_config, changes = add_to_config(config, options)
    new_extension, ext_changes = add_to_extension(extension)
    config_file.save(new_config, like=config_file.path)
    ext_file.save(new_extension, like=config_file.path)
    _report(console, changes + ext_changes)
    problems = check(new_config, new_extension, args.bundle)
    for problem in problems:
        console.err.write(f"{PROG}: bundle add: still wrong: {problem.line()}\n")
    return 1 if problems else 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    bundle = bundle_dir(args.bundle)
    config_file = BundleFile.read(bundle / CONFIG, required=True)
    new_config, changes = remove_from_config(config_file.as_object())
    config_file.save(new_config, like=config_file.path)
    _report(console, changes)
    if changes:
        note = kept_vnet(new_config, exists(bundle / EXTENSION))
        if note:
            console.out.write(note + "\n")
    return 0


def _check(args: argparse.Namespace, console: Console) -> int:
    bundle = bundle_dir(args.bundle)
    config = BundleFile.read(bundle / CONFIG, required=True).as_object()
    problems: list[Problem] = []
    try:
        extension = BundleFile.read(bundle / EXTENSION, required=False).data
    except BadInput as exc:
        problems.append(Problem("invalid", str(exc), f"write valid JSON, e.g. {json.dumps(VNET_REQUEST)}"))
        extension = None
    problems += check(config, extension, args.bundle)
    if args.json:
        report = {"bundle": args.bundle, "ok": not problems, "problems": [p.as_json() for p in problems]}
        console.out.write(json.dumps(report, indent=2) + "\n")
    elif problems:
        console.out.writelines(problem.line() + "\n" for problem in problems)
    else:
        console.out.write(f"{args.bundle}: ready for jailnet\n")
    return 1 if problems else 0


def _report(console: Console, changes: list[str]) -> None:
    for line in changes or ["nothing to change"]:
        console.out.write(line + "\n")


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet bundle ACTION``. Returns 0 done (check: no problems), 1 ``check`` found problems or
    ``add`` left some it cannot fix (printed on stderr). Raises :class:`~hooks.errors.BadInput` for
    bad options or a bundle that cannot be read (exit 2), :class:`~hooks.errors.OperationFailed`
    for a file that could not be written (exit 1)."""
    action = {"add": _add, "remove": _remove, "check": _check}[args.action]
    return action(args, console)
