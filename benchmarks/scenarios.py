"""The cases, recorded once against the simulated FreeBSD host.

Each case is one hook call with the state directory it starts from (a :class:`Template`) and what
every FreeBSD command it ran answered (its recording). The recording is made by running the real
``jailnet hook`` entry point in process (:func:`hooks.cli.main`, as :class:`hooks.testing.bed.HookBed`
does) with a runner that passes each command to :class:`hooks.testing.host.SimulatedHost` and
keeps the argv, exit status, stdout and stderr. Every case of one kind starts from a copy of the
same simulated host, so the jail id and the epair unit are the same in the recording and in every
replay, and the jail's root directory (which ``jls`` names and the hook writes resolv.conf under)
stays where the recording says it is.
"""

import copy
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.stubs import Recorded, StubError
from benchmarks.templates import Template, grow, network_leases
from hooks.system import Completed
from hooks.testing.bed import HookBed
from hooks.testing.host import PF_CONF, SimulatedHost, populate_rootfs

#: The container whose hook is measured, and the one already attached in the steady cases.
CONTAINER = "web"
FIRST = "base"
RESOLV_CONF = "search example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"
#: The floor's stub: ``uname`` with no arguments, recorded like the hook's commands.
FLOOR_ARGV = ("uname",)


@dataclass(frozen=True)
class Case:
    """One hook call to measure."""

    name: str
    """The row's name in the table."""
    slug: str
    kind: str
    """``createRuntime`` or ``poststop``."""
    leases: int
    """Leases in the network before the hook runs."""
    limit: int
    """The most FreeBSD commands the hook may run (``--check-spawns``)."""
    template: Template
    recording: tuple[Recorded, ...]
    """The hook's commands and their answers, in order."""
    floor: Recorded
    """The floor's command (:data:`FLOOR_ARGV`) and its answer."""
    stdin: bytes = field(repr=False, default=b"")

    @property
    def args(self) -> tuple[str, ...]:
        """The hook's ``args`` in config.json (runj execs ``path`` with ``args[1:]``)."""
        return ("jailnet", "hook", self.kind)

    @property
    def spawns(self) -> int:
        """How many commands the hook ran when it was recorded."""
        return len(self.recording)


class Recorder:
    """A runner that asks the simulated host and keeps each answer."""

    def __init__(self, host: SimulatedHost) -> None:
        self.host = host
        self.calls: list[Recorded] = []

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        if stdin is not None:
            raise StubError(f"{' '.join(argv)}: reads stdin, which the replay stub does not check")
        result = self.host(argv)
        self.calls.append(Recorded(tuple(argv), result.returncode, result.stdout, result.stderr))
        return result


Runner = Callable[..., Completed]


class Studio:
    """Where the recordings are made: a directory with the jails' roots, the host's resolv.conf
    and the state directories of the recording runs."""

    def __init__(self, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.resolv_conf = work / "resolv.conf"
        self.resolv_conf.write_text(RESOLV_CONF)

    def host(self, *jails: str) -> SimulatedHost:
        """A FreeBSD 14.2 host with pf loaded as the README asks, and ``jails`` made as runj makes them."""
        host = SimulatedHost.freebsd()
        loaded = host(("pfctl", "-f", "-"), stdin=PF_CONF)
        if loaded.returncode != 0:
            raise RuntimeError(f"cannot load pf.conf on the simulated host: {loaded.stderr}")
        for name in jails:
            root = populate_rootfs(self.work / "jails" / name / "root")
            host.create_jail(name, str(root), vnet=True, hostname=name)
        return host

    def env(self, state_dir: Path) -> dict[str, str]:
        """The hook's environment, less PATH (the runner decides where commands go)."""
        return {"JAILNET_STATE_DIR": str(state_dir), "JAILNET_RESOLV_CONF": str(self.resolv_conf)}

    def hook(self, kind: str, container: str, state_dir: Path, run: Runner) -> None:
        """``jailnet hook KIND`` in process with runj's state JSON; it must succeed quietly."""
        from hooks.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = main(["hook", kind], stdin=state_json(kind, container), stdout=out, stderr=err,
                    environ=self.env(state_dir), run=run)
        if code != 0 or err.getvalue():
            raise RuntimeError(f"recording {kind} {container}: exit {code}: {err.getvalue().strip()}")

    def record(self, kind: str, host: SimulatedHost, template: Template, slug: str) -> tuple[Recorded, ...]:
        """Run the hook on a copy of ``template`` against ``host``; its commands and their answers."""
        state_dir = self.work / "record" / slug
        template.reset(state_dir)
        recorder = Recorder(host)
        self.hook(kind, CONTAINER, state_dir, recorder)
        return tuple(recorder.calls)


def floor_answer(host: SimulatedHost) -> Recorded:
    """The floor's command as ``host`` answers it."""
    answer = host(FLOOR_ARGV)
    return Recorded(FLOOR_ARGV, answer.returncode, answer.stdout, answer.stderr)


def state_json(kind: str, container: str) -> bytes:
    """runj's state JSON for the hook (compact, no trailing newline, as :class:`HookBed` makes it)."""
    return HookBed.state(container, status="stopped" if kind == "poststop" else "creating")


def lease_name(count: int) -> str:
    return f"createRuntime with {count:,} leases"


def record_cases(studio: Studio, scale: Sequence[int]) -> list[Case]:
    """Record the table's cases and ``createRuntime`` at each lease count of ``scale``.

    The table: createRuntime with the network's bridge up (one other container attached, k=8),
    poststop of that container, createRuntime of the first container (it makes the bridge and
    turns forwarding on), createRuntime with 1,000 and 10,000 leases.
    """
    work = studio.work
    cases: list[Case] = []

    # The first container: empty state directory, no bridge.
    host = studio.host(CONTAINER)
    recording = studio.record("createRuntime", host, Template.empty(), "first")
    floor = floor_answer(host)
    first = Case("createRuntime, first container", "first", "createRuntime", 0, 12, Template.empty(), recording,
                 floor, state_json("createRuntime", CONTAINER))

    # A steady network: FIRST attached by jailnet itself, then more containers' leases.
    host = studio.host(FIRST, CONTAINER)
    base_dir = work / "base-state"
    Template.empty().reset(base_dir)
    studio.hook("createRuntime", FIRST, base_dir, host)
    ready = copy.deepcopy(host.state)
    counts = sorted({1, 1000, 10000, *scale})
    templates = dict(grow(base_dir, FIRST, counts, studio.resolv_conf))
    for count in counts:
        host = SimulatedHost(copy.deepcopy(ready))
        slug = f"leases-{count}"
        recording = studio.record("createRuntime", host, templates[count], slug)
        name = "createRuntime, bridge present" if count == 1 else lease_name(count)
        cases.append(Case(name, slug, "createRuntime", count, 8, templates[count], recording, floor,
                          state_json("createRuntime", CONTAINER)))
        if count == 1:
            # poststop of the container just attached: runj deleted its jail first.
            after = Template.capture(work / "record" / slug)
            host.remove_jail(CONTAINER)
            recording = studio.record("poststop", host, after, "poststop")
            cases.append(Case("poststop", "poststop", "poststop", network_leases(work / "record" / slug), 2, after,
                              recording, floor, state_json("poststop", CONTAINER)))
    steady, poststop, *more = cases
    return [steady, poststop, first, *more]


TABLE = ("createRuntime, bridge present", "poststop", "createRuntime, first container", lease_name(1000),
         lease_name(10000))
