"""``jailnet hook KIND``: read the OCI state, validate everything, then attach or detach.

Bad input (state JSON, annotations, configuration, command line) raises
:class:`~hooks.errors.BadInput` with nothing touched; a failed create raises
:class:`~hooks.errors.OperationFailed` after everything was undone; :mod:`hooks.cli` turns either
into one stderr line and the exit status. poststop returns 0 whatever happens: its failures are
logged.

Hook kinds (runtime-spec config.md): ``createRuntime`` — runj's only setup hook; ``prestart``,
the same, for runtimes that call it (ocijail calls it during start; when both run for one
container the second finds the work done); ``poststop``. Names are taken in any case and in
kebab or snake case (``create-runtime``, ``post_stop``), as nerdctl spells ``postStop``.
"""

import argparse
from typing import TYPE_CHECKING, TextIO

from hooks.console import Console
from hooks.errors import BadInput, OperationFailed

if TYPE_CHECKING:
    from hooks.lifecycle import HookContext

#: A state is a few hundred bytes; annotations make it grow, but never to this (1 MiB).
MAX_STATE_BYTES = 1 << 20

KINDS = {"createruntime": "createRuntime", "prestart": "prestart", "poststop": "poststop"}


def hook_kind(word: str) -> str:
    """The canonical kind for ``word``: ``createRuntime``, ``prestart`` or ``poststop``."""
    kind = KINDS.get(word.replace("-", "").replace("_", "").lower())
    if kind is None:
        raise BadInput(f"hook kind {word!r}: expected createRuntime, prestart or poststop")
    return kind


def invoke(args: argparse.Namespace, raw: bytes, console: Console) -> int:
    """Run one hook call; see the module docstring for the exit status."""
    import ocispec
    from hooks.lifecycle import HookContext, create
    from hooks.logbook import Logbook
    from hooks.request import Request, check_container_id
    from hooks.statedir import StateDir

    out, err = console.out, console.err
    kind = hook_kind(args.kind)
    if len(raw) > MAX_STATE_BYTES:
        raise BadInput(f"state: {len(raw)} bytes, more than the {MAX_STATE_BYTES} a container state may have")
    try:
        state = ocispec.load_state(raw)
    except ocispec.InvalidDocument as exc:
        more = f" (and {len(exc.lines) - 1} more)" if len(exc.lines) > 1 else ""
        raise BadInput(f"{exc.lines[0]}{more}") from None
    check_container_id(state.id)
    config = console.networks(args)
    request = None
    if kind != "poststop":
        request = Request.from_inputs(container_id=state.id, annotations=state.annotations, config=config,
                                      network=args.network)
    log = Logbook(kind, state.id, log_file=args.log_file, stderr=err)
    host = HookContext(run=console.run, state=StateDir(console.state_dir(args)), log=log, config=config)
    if request is None:
        return _poststop(state.id, host, dry_run=args.dry_run, out=out)
    try:
        create(request, host, dry_run=args.dry_run, out=out)
    except BadInput as exc:  # a static address taken by another container: nothing was changed
        log.error(str(exc), echo=False)
        raise BadInput(f"{log.prefix}: {exc}") from None
    except OperationFailed as exc:
        log.error(str(exc), echo=False)
        raise OperationFailed(f"{log.prefix}: {exc}") from None
    return 0


def _poststop(container_id: str, host: "HookContext", *, dry_run: bool, out: TextIO) -> int:
    """Detach; failures are logged and the hook still exits 0 (runtime-spec: a poststop failure
    is only a warning, and runj would skip the remaining poststop hooks)."""
    from hooks.lifecycle import print_release_plan, release

    if dry_run:
        print_release_plan(container_id, host, out)
        return 0
    try:
        failures = release(container_id, host)
    except OperationFailed as exc:
        failures = [str(exc)]
    for failure in failures:
        host.log.error(failure)
    host.log.info("detached" if not failures else f"detached with {len(failures)} problem(s)")
    return 0
