"""``jailnet sim``: a simulated FreeBSD host to drive from your own shell.

A bundle author without FreeBSD runs the real hooks against the simulated host in three commands::

    eval "$(jailnet sim init /tmp/host)"        # the host; PATH, JAILNET_STATE_DIR, JAILNET_SIM
    jailnet sim jail web                         # a vnet jail named web, as runj create makes it
    jailnet sim state web | jailnet hook createRuntime
    ifconfig -j web                              # the simulated host's tools answer like FreeBSD's

``jailnet sim unjail web`` removes the jail as ``runj delete`` does before its poststop hooks, and
``jailnet sim state web --status stopped | jailnet hook poststop`` detaches.

Layout of the host directory: the :class:`~hooks.testing.store.SharedHost` (``host.json``, its
log, the tools under ``sbin/``, ``usr/sbin/``, ``usr/bin/``), ``state/`` for jailnet's state
directory, ``jails/ID`` for each jail's root and ``bundles/ID`` for the bundle directory the
state JSON names.
"""

import argparse
import json
import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from hooks.errors import BadInput, OperationFailed
from hooks.testing.host import PF_CONF, SimulatedHost, populate_rootfs
from hooks.testing.runtime import RUNJ_OCI_VERSION
from hooks.testing.store import SharedHost

#: The environment variable that names the host for ``jail``, ``state`` and ``unjail``.
ENV_SIM = "JAILNET_SIM"
#: Releases the simulated host models (``jailnet sim init --freebsd``).
RELEASES = ("13.2", "13.3", "14.0", "14.1", "14.2", "15.0")


def _host(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[Path, SharedHost]:
    value = args.host or environ.get(ENV_SIM)
    if not value:
        raise BadInput(f"--host: not given, and ${ENV_SIM} is not set (eval \"$(jailnet sim init DIR)\" sets it)")
    directory = Path(value).absolute()
    if not (directory / "host.json").is_file():
        raise BadInput(f"--host: {value} is not a simulated host (jailnet sim init DIR makes one)")
    return directory, SharedHost(directory)


def init(args: argparse.Namespace, out: TextIO) -> int:
    """Make the host in a new or empty directory and print the shell lines that use it."""
    if args.freebsd not in RELEASES:
        raise BadInput(f"--freebsd: {args.freebsd!r} is not simulated (choose {', '.join(RELEASES)})")
    directory = Path(os.path.abspath(args.directory))
    if os.path.lexists(directory) and not directory.is_dir():
        raise BadInput(f"DIR: {args.directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()):
        raise BadInput(f"DIR: {args.directory} is not empty (jailnet sim init needs a new or empty directory)")
    host = SimulatedHost.freebsd(f"{args.freebsd}-RELEASE", egress=args.egress)
    loaded = host(("pfctl", "-f", "-"), stdin=PF_CONF.replace("em0", args.egress))
    if not loaded.ok:
        raise OperationFailed(f"pfctl -f -: {loaded.describe()}")
    shared = SharedHost.create(directory, host, serve=False)  # the first command starts the server
    (directory / "state").mkdir(mode=0o700)
    out.write(f"# A simulated FreeBSD {args.freebsd}-RELEASE host in {directory}, pf loaded with jailnet's "
              "NAT rule.\n# Use it in this shell: eval \"$(jailnet sim init DIR)\" runs these lines.\n")
    out.write(f"export {ENV_SIM}={shlex.quote(str(directory))}\n")
    out.write(f"export PATH={shlex.quote(shared.path)}:\"$PATH\"\n")
    out.write(f"export JAILNET_STATE_DIR={shlex.quote(str(directory / 'state'))}\n")
    return 0


def jail(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str]) -> int:
    """Create a vnet jail named ID (``persist``, ``vnet=new``), as runj create does; print its jid."""
    directory, shared = _host(args, environ)
    root = populate_rootfs(directory / "jails" / args.id, ())
    (directory / "bundles" / args.id).mkdir(parents=True, exist_ok=True)
    try:
        with shared.edit() as host:
            host.create_jail(args.id, str(root), vnet=True, hostname=args.id)
            found = host.state.find_jail(args.id)
    except ValueError as exc:
        raise OperationFailed(f"jail {args.id}: {exc}") from None
    assert found is not None
    out.write(f"{found.jid}\n")
    return 0


def state(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str]) -> int:
    """Print runj's state JSON for ID (runtime-spec runtime.md "State"), as a hook reads it on stdin."""
    directory, _ = _host(args, environ)
    doc = {"ociVersion": RUNJ_OCI_VERSION, "id": args.id, "status": args.status, "pid": 0,
           "bundle": str(directory / "bundles" / args.id)}
    out.write(json.dumps(doc, separators=(",", ":")) + "\n")
    return 0


def unjail(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str]) -> int:
    """Remove the jail ID, as runj delete does before its poststop hooks; a jail already gone is fine."""
    _, shared = _host(args, environ)
    with shared.edit() as host:
        if host.state.find_jail(args.id) is not None:
            host.remove_jail(args.id)
    return 0


def main(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str]) -> int:
    """Dispatch ``jailnet sim ACTION``."""
    if args.action == "init":
        return init(args, out)
    return {"jail": jail, "state": state, "unjail": unjail}[args.action](args, out, environ)
