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

from typing import TYPE_CHECKING, TextIO

from hooks.console import Console
from hooks.errors import BadInput, OperationFailed

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from hooks.detach import HookContext
    from hooks.logbook import Logbook
    from hooks.request import Request
    from ocispec import State

#: A state is a few hundred bytes; annotations make it grow, but never to this (1 MiB).
MAX_STATE_BYTES = 1 << 20

KINDS = {"createruntime": "createRuntime", "prestart": "prestart", "poststop": "poststop"}


def hook_kind(word: str) -> str:
    """The canonical kind for ``word``: ``createRuntime``, ``prestart`` or ``poststop``."""
    kind = KINDS.get(word.replace("-", "").replace("_", "").lower())
    if kind is None:
        raise BadInput(f"hook kind {word!r}: expected createRuntime, prestart or poststop")
    return kind


def invoke(args: "argparse.Namespace", raw: bytes, console: Console) -> int:
    """Run one hook call; see the module docstring for the exit status. Every error it raises
    starts with the hook kind and, once the state has named it, the container id
    (``createRuntime web: annotation org.jailnet.ipv4: ...``), as its log lines do."""
    kind = hook_kind(args.kind)
    where = kind
    try:
        state = _load_state(raw)
        where = f"{kind} {state.id}"
        return _run(kind, state, args, console)
    except (BadInput, OperationFailed) as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _load_state(raw: bytes) -> "State":
    """The state JSON on stdin, validated, its container id included."""
    import ocispec
    from hooks.naming import check_container_id

    if len(raw) > MAX_STATE_BYTES:
        raise BadInput(f"state: {len(raw)} bytes, more than the {MAX_STATE_BYTES} a container state may have")
    try:
        state = ocispec.load_state(raw)
    except ocispec.InvalidDocument as exc:
        more = f" (and {len(exc.lines) - 1} more)" if len(exc.lines) > 1 else ""
        raise BadInput(f"{exc.lines[0]}{more}") from None
    check_container_id(state.id)
    return state


def _run(kind: str, state: "State", args: "argparse.Namespace", console: Console) -> int:
    from hooks.detach import HookContext
    from hooks.logbook import Logbook

    given = [f"--{name.replace('_', '-')}" for name in ("jid", "freebsd", "bridge_present") if getattr(args, name)]
    if given and not args.dry_run:
        raise BadInput(f"{given[0]}: only with --dry-run (a real hook observes the host)")
    config = console.networks(args, cache=not args.dry_run)
    log = Logbook(kind, state.id, log_file=args.log_file, stderr=console.err)

    def context() -> HookContext:
        return HookContext(run=console.run, state=console.state(args, write=not args.dry_run), log=log,
                           config=config)

    if kind == "poststop":
        return _poststop(state.id, context, log, dry_run=args.dry_run, out=console.out)
    from hooks.lifecycle import create
    from hooks.request import Request

    request = Request.from_inputs(container_id=state.id, annotations=state.annotations, config=config,
                                  network=args.network, bundle=state.bundle)
    if args.dry_run:
        _preview(request, args, console)
        return 0
    try:
        create(request, context())
    except (BadInput, OperationFailed) as exc:  # BadInput: a static address another container holds
        log.error(str(exc), echo=False)
        raise
    return 0


def _preview(request: "Request", args: "argparse.Namespace", console: Console) -> None:
    """createRuntime --dry-run: read what can be read, assume the rest (:mod:`hooks.preview`)."""
    from hooks import preview

    given = preview.Given(jid=args.jid, release=args.freebsd, bridge_present=args.bridge_present)
    try:
        state, problem = console.state(args, write=False), ""
    except OperationFailed as exc:
        state, problem = None, str(exc)
    preview.create(request, console.run, state, given, console.out, state_problem=problem)


def _poststop(container_id: str, context: "Callable[[], HookContext]", log: "Logbook", *, dry_run: bool,
              out: TextIO) -> int:
    """Detach; failures are logged and the hook still exits 0 (runtime-spec: a poststop failure
    is only a warning, and runj would skip the remaining poststop hooks). A state directory that
    cannot be used is one of those failures."""
    from hooks.detach import release

    failures: list[str] = []
    try:
        host = context()
        if dry_run:
            from hooks import preview  # not on a real poststop's start path

            preview.release(container_id, host, out)
        else:
            failures = release(container_id, host)
    except OperationFailed as exc:
        failures = [str(exc)]
    except Exception as exc:  # an OSError, or a bug: poststop logs it and still exits 0
        failures = [f"{type(exc).__name__}: {exc}"]
    for failure in failures:
        log.error(failure)
    if not dry_run:
        log.info("detached" if not failures else f"detached with {len(failures)} problem(s)")
    return 0
