"""A test-kit OCI hook that makes a real Linux OCI runtime behave like runj towards jailnet.

runj creates the container's jail before it runs the ``createRuntime`` hooks, and removes the
jail before it runs the ``poststop`` hooks (runj-and-oci.md §0, "What ``runj create`` does, in
order": the jail at step 3, the hooks at step 7; "What ``runj delete`` does, in order":
``jail_remove(2)`` at step 3, the hooks at step 6). runc, crun and containerd know nothing of
jails, so a bundle that tests jailnet under them lists this hook first in both lists::

    "createRuntime": [{"path": sys.executable, "args": ["python3", "-m", "hooks.testing.kit",
                                                        "jail-create", HOSTDIR]}, <jailnet>...],
    "poststop":      [{"path": sys.executable, "args": ["python3", "-m", "hooks.testing.kit",
                                                        "jail-remove", HOSTDIR]}, <jailnet>...]

It reads the OCI state JSON on stdin, as every hook does:

``jail-create HOSTDIR``
    creates, on the simulated host kept in ``HOSTDIR`` (:class:`~hooks.testing.store.SharedHost`),
    a ``persist`` jail with its own vnet, named after the container id, whose root is the
    bundle's ``rootfs`` (``state["bundle"] + "/rootfs"``). Nothing is put in it: on FreeBSD 14.2
    jailnet configures the jail from the host (``ifconfig -j``), so no jexec is needed.
``jail-remove HOSTDIR``
    removes that jail if it is there; a jail already gone is fine (poststop may run twice, or
    after a create that never made it).
``fail [CODE]``
    reads the state and exits ``CODE`` (default 3) with one line on stderr: the "hook after
    jailnet that fails" of the failure tests.

Exit status: 0 done; ``CODE`` for ``fail``; 1 the jail could not be created (it exists already,
or its name is not a valid jail name); 2 bad usage or state JSON. Only the standard library and
:mod:`hooks.testing` are used, so the hook runs with an empty ``env`` as long as its path is an
absolute interpreter that can import this package (``sys.executable`` of the tests).
"""

import json
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


def jail_create(hostdir: str, cid: str, bundle: str) -> None:
    """Make the jail as runj does before its createRuntime hooks: ``persist``, ``vnet=new``."""
    with SharedHost(hostdir).edit() as host:
        host.create_jail(cid, bundle.rstrip("/") + "/rootfs", vnet=True, hostname=cid)


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
