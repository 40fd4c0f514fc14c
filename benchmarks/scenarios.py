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
from benchmarks.templates import NETWORK, Placement, Template, grow, network_leases
from hooks.system import Completed
from hooks.testing.bed import HookBed
from hooks.testing.host import PF_CONF, SimulatedHost, populate_rootfs

#: The container whose hook is measured, and the one already attached in the steady cases.
CONTAINER = "web"
FIRST = "base"
RESOLV_CONF = "search example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"
#: The floor's stub: ``uname`` with no arguments, recorded like the hook's commands.
FLOOR_ARGV = ("uname",)
#: The network whose containers list each other in /etc/hosts: a configured network, so
#: ``hosts = "peers"`` by default (docs/names.md), and isolated from ``default`` (docs/isolation.md).
PEERS = "peers"
PEERS_CONFIG = f'[networks.{PEERS}]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/16"\n'
#: How many containers are on the peers network when the measured one joins it.
PEER_COUNTS = (1, 10, 100)


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
    network: str = NETWORK
    env: tuple[tuple[str, str], ...] = ()
    """The hook's environment beyond the state directory and resolv.conf (``JAILNET_CONFIG``)."""
    reset: Callable[[], None] | None = field(default=None, repr=False)
    """What else to put back before each run, outside the timing (a cluster case's store claim)."""

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
        self.config = work / "jailnet.toml"
        self.config.write_text(PEERS_CONFIG)

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

    def extra_env(self, network: str) -> tuple[tuple[str, str], ...]:
        """What a hook on ``network`` needs beyond :meth:`env`: the configuration that defines it."""
        return () if network == NETWORK else (("JAILNET_CONFIG", str(self.config)),)

    def env(self, state_dir: Path, network: str = NETWORK,
            extra: tuple[tuple[str, str], ...] | None = None) -> dict[str, str]:
        """The hook's environment, less PATH (the runner decides where commands go); ``extra``
        replaces what :meth:`extra_env` would add."""
        return {"JAILNET_STATE_DIR": str(state_dir), "JAILNET_RESOLV_CONF": str(self.resolv_conf),
                **dict(self.extra_env(network) if extra is None else extra)}

    def hook(self, kind: str, container: str, state_dir: Path, run: Runner, network: str = NETWORK,
             extra: tuple[tuple[str, str], ...] | None = None) -> None:
        """``jailnet hook KIND`` in process with runj's state JSON; it must succeed quietly."""
        from hooks.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = main(["hook", kind], stdin=state_json(kind, container, network), stdout=out, stderr=err,
                    environ=self.env(state_dir, network, extra), run=run)
        if code != 0 or err.getvalue():
            raise RuntimeError(f"recording {kind} {container}: exit {code}: {err.getvalue().strip()}")

    def record(self, kind: str, host: SimulatedHost, template: Template, slug: str,
               network: str = NETWORK, extra: tuple[tuple[str, str], ...] | None = None) -> tuple[Recorded, ...]:
        """Run the hook on a copy of ``template`` against ``host``; its commands and their answers."""
        state_dir = self.work / "record" / slug
        template.reset(state_dir)
        recorder = Recorder(host)
        self.hook(kind, CONTAINER, state_dir, recorder, network, extra)
        return tuple(recorder.calls)


def floor_answer(host: SimulatedHost) -> Recorded:
    """The floor's command as ``host`` answers it."""
    answer = host(FLOOR_ARGV)
    return Recorded(FLOOR_ARGV, answer.returncode, answer.stdout, answer.stderr)


def state_json(kind: str, container: str, network: str = NETWORK) -> bytes:
    """runj's state JSON for the hook (compact, no trailing newline, as :class:`HookBed` makes it);
    a container on another network than ``default`` names it in ``org.jailnet.network``."""
    annotations = None if network == NETWORK else {"org.jailnet.network": network}
    return HookBed.state(container, annotations, status="stopped" if kind == "poststop" else "creating")


def lease_name(count: int) -> str:
    return f"createRuntime with {count:,} leases"


def peers_name(count: int) -> str:
    return f"createRuntime with {count:,} peer{'' if count == 1 else 's'}"


def record_cases(studio: Studio, scale: Sequence[int]) -> list[Case]:
    """Record the table's cases and ``createRuntime`` at each lease count of ``scale``.

    The table: createRuntime with the network's bridge up (one other container attached, k=8),
    poststop of that container, createRuntime of the first container (it makes the bridge and
    turns forwarding on), createRuntime with 1,000 and 10,000 leases. Then createRuntime joining
    a ``peers`` network with 1, 10 and 100 members (:func:`record_peers`).
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
    return [steady, poststop, first, *more, *record_peers(studio, floor)]


def record_peers(studio: Studio, floor: Recorded) -> list[Case]:
    """createRuntime joining a ``peers`` network that already has each of :data:`PEER_COUNTS`
    live containers: the hook rewrites every member's /etc/hosts (files only, no command).

    The first member is attached by jailnet itself (it makes the bridge and loads the isolation
    anchor, which the steady creates then find loaded); the others are grown as the lease cases
    are, each with its own jail root whose /etc/hosts the hook rewrites.
    """
    work = studio.work
    host = studio.host(FIRST, CONTAINER)
    base_dir = work / "peers-base-state"
    Template.empty().reset(base_dir)
    studio.hook("createRuntime", FIRST, base_dir, host, PEERS)
    ready = copy.deepcopy(host.state)
    network = Placement(PEERS, studio.config, work / "jails")
    cases = []
    for count, template in grow(base_dir, FIRST, PEER_COUNTS, studio.resolv_conf, network):
        slug = f"peers-{count}"
        recording = studio.record("createRuntime", SimulatedHost(copy.deepcopy(ready)), template, slug, PEERS)
        cases.append(Case(peers_name(count), slug, "createRuntime", count, 8, template, recording, floor,
                          state_json("createRuntime", CONTAINER, PEERS), PEERS, studio.extra_env(PEERS)))
    return cases


TABLE = ("createRuntime, bridge present", "poststop", "createRuntime, first container", lease_name(1000),
         lease_name(10000))
#: The cases ``--check-spawns`` runs: the table's, and the peers cases (names cost no command).
GATED = (*TABLE, *(peers_name(count) for count in PEER_COUNTS))
