"""A test-kit OCI hook that makes a real Linux OCI runtime behave like runj towards jailnet.

runj creates the container's jail before it runs the ``createRuntime`` hooks, and removes the
jail before it runs the ``poststop`` hooks (docs/runtimes.md §1; runj ``cmd/runj/create.go`` and
``cmd/runj/delete.go``). runc, crun and containerd know nothing of
jails, so a bundle that tests jailnet under them lists this hook first in both lists::

    "createRuntime": [{"path": PYTHON, "args": [PYTHON, "-m", "hooks.testing.kit", "jail-create", HOSTDIR]},
                      <jailnet>...],
    "poststop":      [{"path": PYTHON, "args": [PYTHON, "-m", "hooks.testing.kit", "jail-remove", HOSTDIR]},
                      <jailnet>...]

``PYTHON`` is an absolute interpreter that can import this package (the tests' ``sys.executable``),
in ``args[0]`` too: runc and crun exec ``path`` with all of ``args`` (runj drops ``args[0]``), and
Python finds its venv from argv[0]; a bare ``python3`` there is looked up on the runtime's PATH.

It reads the OCI state JSON on stdin, as every hook does:

``jail-create HOSTDIR``
    creates, on the simulated host kept in ``HOSTDIR`` (:class:`~hooks.testing.store.SharedHost`),
    a ``persist`` jail with its own vnet, named after the container id, whose root is the
    container's root as runj takes it: ``root.path`` of the bundle's ``config.json``, relative to
    the bundle (``state["bundle"]``) unless absolute; ``<bundle>/rootfs`` when the config cannot
    be read. containerd hands the runtime its own bundle directory, whose ``rootfs`` stays empty
    when ``ctr run --config`` names an absolute root, so the config's path is the one that counts.
    Nothing is put in the root: on FreeBSD 14.2 jailnet configures the jail from the host
    (``ifconfig -j``), so no jexec is needed.
``jail-remove HOSTDIR``
    removes that jail if it is there; a jail already gone is fine (poststop may run twice, or
    after a create that never made it).
``fail [CODE]``
    reads the state and exits ``CODE`` (default 3) with one line on stderr: the "hook after
    jailnet that fails" of the failure tests.

Exit status: 0 done; ``CODE`` for ``fail``; 1 the jail could not be created (it exists already,
or its name is not a valid jail name); 2 bad usage or state JSON. Only the standard library and
:mod:`hooks.testing` are used, so the hook runs with an empty ``env``.
"""

import json
import os
import sys
from typing import BinaryIO, TextIO

from hooks.testing.store import SharedHost

USAGE = "usage: python -m hooks.testing.kit {jail-create HOSTDIR | jail-remove HOSTDIR | fail [CODE]}"


def read_state(stdin: BinaryIO) -> tuple[str, str]:
    """The container id and bundle directory from the OCI state JSON (runtime-spec runtime.md)."""
    doc = json.loads(stdin.read() or b"null")
    if not isinstance(doc, dict):
        raise ValueError("state JSON is not an object")
    cid, bundle = doc.get("id"), doc.get("bundle")
    if not isinstance(cid, str) or not cid:
        raise ValueError("state.id: missing or not a string")
    if not isinstance(bundle, str) or not bundle.startswith("/"):
        raise ValueError("state.bundle: missing or not an absolute path")
    return cid, bundle


def root_path(bundle: str) -> str:
    """The container's root directory: ``root.path`` of ``<bundle>/config.json`` (relative to the
    bundle unless absolute), else ``<bundle>/rootfs``."""
    try:
        with open(os.path.join(bundle, "config.json"), "rb") as f:
            config = json.load(f)
        path = config["root"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        path = None
    if not isinstance(path, str) or not path:
        path = "rootfs"
    return os.path.normpath(os.path.join(bundle, path))


def jail_create(hostdir: str, cid: str, bundle: str) -> None:
    """Make the jail as runj does before its createRuntime hooks: ``persist``, ``vnet=new``."""
    with SharedHost(hostdir).edit() as host:
        host.create_jail(cid, root_path(bundle), vnet=True, hostname=cid)


def jail_remove(hostdir: str, cid: str) -> bool:
    """Remove the jail as runj delete does before its poststop hooks; False when it was gone."""
    with SharedHost(hostdir).edit() as host:
        if host.state.find_jail(cid) is None:
            return False
        host.remove_jail(cid)
        return True


def main(argv: list[str] | None = None, *, stdin: BinaryIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one kit hook; see the module docstring for the modes and exit statuses."""
    words = sys.argv[1:] if argv is None else argv
    err = sys.stderr if stderr is None else stderr
    source = sys.stdin.buffer if stdin is None else stdin
    mode, rest = (words[0], words[1:]) if words else ("", [])
    if mode == "fail":
        if len(rest) > 1 or (rest and not rest[0].isdigit()):
            err.write(USAGE + "\n")
            return 2
        code = int(rest[0]) if rest else 3
        source.read()
        err.write(f"kit: failing on purpose with {code}\n")
        return code
    if mode not in ("jail-create", "jail-remove") or len(rest) != 1:
        err.write(USAGE + "\n")
        return 2
    try:
        cid, bundle = read_state(source)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        err.write(f"kit: {mode}: {exc}\n")
        return 2
    if mode == "jail-remove":
        jail_remove(rest[0], cid)
        return 0
    try:
        jail_create(rest[0], cid, bundle)
    except ValueError as exc:
        err.write(f"kit: jail-create {cid}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
