"""A stand-in for runj on the simulated host: its create and delete, around the real hooks.

runj itself is FreeBSD-only. :class:`FakeRunj` does what ``runj create`` and ``runj delete`` do
around hooks (docs/runtimes.md §1): create makes the jail (named after the container id,
``persist``, its own vnet when asked) and then runs the ``createRuntime`` hooks with the state
JSON on stdin; delete removes the jail and only then runs the ``poststop`` hooks. Hooks are run
the way runj runs them (:func:`run_hook`). On a failed createRuntime, runj HEAD
removes the jail and neither version runs poststop; ``remove_on_failure=False`` is v0.1.0,
which leaves the jail behind.
"""

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from hooks.system import Completed
from hooks.testing.host import PF_CONF, SimulatedHost, populate_rootfs
from hooks.testing.store import SharedHost

#: What runj v0.1.0 reports as ``ociVersion`` (docs/runtimes.md §4).
RUNJ_OCI_VERSION = "1.0.2-runj-dev"



def run_hook(
    path: str,
    args: Sequence[str],
    *,
    env: Sequence[str] | None,
    stdin: bytes,
    cwd: str,
    timeout: float | None = None,
) -> Completed:
    """Run an OCI hook the way runj does (runj ``hook/hook.go``).

    ``exec.CommandContext(ctx, h.Path, h.Args[1:]...)``: argv[0] is ``path`` and ``args[0]`` is
    dropped; ``cmd.Env = h.Env``: with ``env`` set that list is the whole environment, without it
    the hook inherits ours; the state JSON arrives on stdin with no trailing newline; the hook's
    output is captured (runj shows it only when the hook fails).
    """
    environment = None if env is None else dict(item.split("=", 1) for item in env if "=" in item)
    try:
        proc = subprocess.run(
            [path, *args[1:]], input=stdin, capture_output=True, env=environment, cwd=cwd, timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Completed((path, *args[1:]), -9, "", f"hook ran past its timeout of {timeout} s\n")
    return Completed((path, *args[1:]), proc.returncode, proc.stdout.decode(errors="replace"),
                     proc.stderr.decode(errors="replace"))


@attrs.frozen
class HookEntry:
    """One entry of ``config.json`` ``hooks.<kind>`` (runtime-spec config.md)."""

    path: str
    args: tuple[str, ...]
    env: tuple[str, ...] | None = None
    timeout: int | None = None


@attrs.define
class FakeRunj:
    """runj's create/delete around hooks, on a :class:`SharedHost`."""

    shared: SharedHost
    workdir: Path
    create_runtime: Sequence[HookEntry] = ()
    poststop: Sequence[HookEntry] = ()
    remove_on_failure: bool = True
    pids: int = 4000

    @classmethod
    def with_jailnet(
        cls,
        workdir: Path,
        command: Sequence[str],
        *,
        host: SimulatedHost | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        timeout: int = 60,
        remove_on_failure: bool = True,
        shared: SharedHost | None = None,
    ) -> "FakeRunj":
        """runj on a fresh simulated host (pf ready as :data:`~hooks.testing.host.PF_CONF`; its
        tools installed under ``workdir/host``) with jailnet as the createRuntime and poststop hook.

        ``command`` starts jailnet: its script, or an interpreter and ``-m hooks``. The hooks'
        ``env`` is their whole environment, as in a bundle: the simulated tools' PATH,
        ``JAILNET_STATE_DIR=workdir/state``, then ``env``; ``args`` follow the hook kind.
        ``shared``: reuse that SharedHost (its tools and server), reset to the fresh host.
        """
        if host is None:
            host = SimulatedHost.freebsd()
            host(("pfctl", "-f", "-"), stdin=PF_CONF)
        if shared is None:
            shared = SharedHost.create(workdir / "host", host)
        else:
            shared.reset(host)
        variables = {"PATH": shared.path, "JAILNET_STATE_DIR": str(workdir / "state"), **(env or {})}
        environment = tuple(f"{k}={v}" for k, v in variables.items())
        path, *prefix = command
        argv0 = path if prefix else "jailnet"  # runj drops args[0]; other runtimes make it argv[0]

        def entry(kind: str) -> HookEntry:
            return HookEntry(path, (argv0, *prefix, "hook", kind, *args), environment, timeout)

        return cls(shared, workdir, create_runtime=[entry("createRuntime")], poststop=[entry("poststop")],
                   remove_on_failure=remove_on_failure)

    @property
    def env(self) -> dict[str, str]:
        """The hooks' environment, for running other jailnet commands the same way."""
        entry = (self.create_runtime or self.poststop)[0]
        return dict(item.split("=", 1) for item in entry.env or ())

    def bundle(self, container_id: str) -> Path:
        """The container's bundle directory (its rootfs is ``root`` there, runj's default)."""
        return self.workdir / "bundles" / container_id

    def state(self, container_id: str, status: str, annotations: Mapping[str, str]) -> bytes:
        """runj's state JSON: compact, no trailing newline, ``annotations`` omitted when empty."""
        self.pids += 1
        doc: dict[str, object] = {"ociVersion": RUNJ_OCI_VERSION, "id": container_id, "status": status,
                                  "pid": self.pids, "bundle": str(self.bundle(container_id))}
        if annotations:
            doc["annotations"] = dict(annotations)
        return json.dumps(doc, separators=(",", ":")).encode()

    def create(
        self,
        container_id: str,
        *,
        annotations: Mapping[str, str] | None = None,
        vnet: bool = True,
        binaries: Sequence[str] = (),
    ) -> list[Completed]:
        """``runj create``: the jail, then each createRuntime hook until one fails."""
        root = populate_rootfs(self.bundle(container_id) / "root", binaries)
        with self.shared.edit() as host:
            host.create_jail(container_id, str(root), vnet=vnet, hostname=container_id)
        results = self._run(self.create_runtime, self.state(container_id, "creating", annotations or {}))
        if results and results[-1].returncode != 0 and self.remove_on_failure:
            with self.shared.edit() as host:
                host.remove_jail(container_id)
        return results

    def delete(self, container_id: str, *, annotations: Mapping[str, str] | None = None) -> list[Completed]:
        """``runj delete``: remove the jail, then each poststop hook until one fails."""
        with self.shared.edit() as host:
            if host.state.find_jail(container_id) is not None:
                host.remove_jail(container_id)
        return self._run(self.poststop, self.state(container_id, "stopped", annotations or {}))

    def _run(self, entries: Sequence[HookEntry], stdin: bytes) -> list[Completed]:
        results = []
        cwd = self.workdir  # runj sets no cwd; this is simply not the bundle
        for entry in entries:
            result = run_hook(entry.path, entry.args, env=entry.env, stdin=stdin, cwd=str(cwd),
                              timeout=entry.timeout)
            results.append(result)
            if result.returncode != 0:
                break
        return results
