"""``jailnet bundle add|remove|check BUNDLE``: put jailnet into an OCI bundle, take it out, or say
what keeps a bundle from working with jailnet (docs/bundles.md).

The package, by concern:

* :mod:`hooks.bundle.document`: the file names, hook kinds and typed access to parsed JSON;
  which hook entries are jailnet's;
* :mod:`hooks.bundle.edits`: ``add`` and ``remove`` as data in, data out;
* :mod:`hooks.bundle.undo`: the record ``add`` keeps so that ``remove`` gives the bundle back;
* :mod:`hooks.bundle.checks`: the problems ``check`` reports (and ``add`` reports as still wrong),
  and its warnings; :mod:`hooks.bundle.host`: its findings about this host;
* :mod:`hooks.bundle.layout` and :mod:`hooks.bundle.jsontext`: the files on disk, edited so that
  the diff is the change.

This module is the shell: it reads the files, calls the core, writes what changed and prints the
changes. Errors are raised (:class:`~hooks.errors.BadInput`, :class:`~hooks.errors.OperationFailed`)
for :func:`hooks.cli.main` to report; problems found are an outcome, exit status 1.

``add`` writes, in this order: the undo record (only if there is none yet and something is to
change), config.json, runj.ext.json. ``remove`` writes config.json, then runj.ext.json (deleted
when ``add`` created it and nothing else is in it), then deletes the record.

``check`` prints one line per problem (exit 1 if any), then one ``warning: `` line per warning and
one ``info: `` line per thing it could not check, then ``BUNDLE: ready for jailnet`` when there
is no problem (with the number of warnings, if any). ``--json`` prints ``bundle``, ``ok``,
``problems``, ``warnings`` (the same objects as problems) and ``info`` (strings).
"""

import argparse
import json
import os
import shutil
from collections.abc import Callable

import attrs

from hooks import PROG
from hooks.bundle import host, undo
from hooks.bundle.checks import Problem, check, linux_warnings, port_warnings
from hooks.bundle.document import CONFIG, EXTENSION, basename
from hooks.bundle.edits import (
    VNET_REQUEST,
    AddOptions,
    add_to_config,
    add_to_extension,
    existing_path,
    kept_vnet,
    remove_from_config,
    remove_from_extension,
)
from hooks.bundle.layout import BundleFile, bundle_dir, exists, write
from hooks.console import Console
from hooks.errors import BadInput


def resolve_jailnet(option: str | None, program: str, which: Callable[[], str | None]) -> str:
    """The jailnet path the hooks run: ``--jailnet``, else the running program (``program``, its
    ``argv[0]``) when it is called jailnet, else ``jailnet`` on PATH (``which``). runtime-spec
    config.md: a hook ``path`` MUST be absolute. (``add`` asks only when the bundle has no jailnet
    entry with an absolute path to keep.)"""
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
    """Without ``--jailnet``, existing jailnet entries keep their ``path`` and new ones take it
    from them; only a bundle without one falls back on the running jailnet or PATH."""
    def which() -> str | None:
        return shutil.which(PROG, path=console.environ.get("PATH", os.defpath))

    jailnet = resolve_jailnet(args.jailnet, console.program, which) if args.jailnet is not None else ""
    options = AddOptions.from_args(args, jailnet)
    bundle = bundle_dir(args.bundle)
    config_file = BundleFile.read(bundle / CONFIG, required=True)
    ext_file = BundleFile.read(bundle / EXTENSION, required=False)
    config = config_file.as_object()
    extension = ext_file.as_object() if ext_file.exists else None
    if not jailnet:
        options = attrs.evolve(options, jailnet=existing_path(config) or resolve_jailnet(None, console.program, which))
    new_config, changes = add_to_config(config, options)
    new_extension, ext_changes = add_to_extension(extension)
    journal = []
    if (changes or ext_changes) and not exists(bundle / undo.JOURNAL):
        record = json.dumps(undo.record(config, extension), indent=1) + "\n"
        write(bundle / undo.JOURNAL, record, like=config_file.path)
        journal = [f"{undo.JOURNAL}: created (what bundle remove needs to give the files back)"]
    config_file.save(new_config, like=config_file.path)
    ext_file.save(new_extension, like=config_file.path)
    _report(console, changes + ext_changes + journal)
    problems = check(new_config, new_extension, args.bundle)
    for problem in problems:
        console.err.write(f"{PROG}: bundle add: still wrong: {problem.line()}\n")
    return 1 if problems else 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    bundle = bundle_dir(args.bundle)
    config_file = BundleFile.read(bundle / CONFIG, required=True)
    before_config, before_ext, note = undo.read(bundle)
    try:
        ext_file = BundleFile.read(bundle / EXTENSION, required=False)
    except BadInput:  # not JSON: not add's, left alone
        ext_file, before_ext = BundleFile(path=bundle / EXTENSION), undo.UNKNOWN
    new_config, changes = remove_from_config(config_file.as_object(), before_config)
    new_extension, ext_changes = remove_from_extension(ext_file.data, before_ext)
    config_file.save(new_config, like=config_file.path)
    if ext_changes and new_extension is None:
        ext_file.delete()
    elif ext_changes:
        ext_file.save(new_extension, like=config_file.path)
    recorded = undo.delete(bundle)
    _report(console, changes + ext_changes + ([f"{undo.JOURNAL}: removed"] if recorded else []))
    if changes or ext_changes:
        kept = kept_vnet(new_config, new_extension if ext_file.exists else None, before_config.known)
        if kept:
            console.out.write(kept + "\n")
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
    on_host, info = host.findings(config, args, console, args.bundle)
    problems += on_host
    warnings = linux_warnings(config) + port_warnings(config)
    if args.json:
        report = {"bundle": args.bundle, "ok": not problems, "problems": [p.as_json() for p in problems],
                  "warnings": [w.as_json() for w in warnings], "info": info}
        console.out.write(json.dumps(report, indent=2) + "\n")
        return 1 if problems else 0
    console.out.writelines(finding.line() + "\n" for finding in problems + warnings)
    console.out.writelines(f"info: {line}\n" for line in info)
    if not problems:
        count = f" ({len(warnings)} warning{'s' if len(warnings) > 1 else ''})" if warnings else ""
        console.out.write(f"{args.bundle}: ready for jailnet{count}\n")
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
