"""64 creates at once: ``jailnet hook createRuntime`` for c00..c63 started together on the
"createRuntime, bridge present" state directory, against 64 times one create.

Recorded as :mod:`benchmarks.scenarios` records, one create after another against the simulated
host. A container's jail id and epair unit follow from its own argv; its address depends on the
order the racing hooks get the lock, so each command naming an address (its answer is the same
for any) is replayed for every address the recording handed out (docs/performance.md).
"""

import ipaddress
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.launcher import BenchmarkError
from benchmarks.scenarios import FIRST, Recorder, Studio, state_json
from benchmarks.stubs import Recorded, Replay
from benchmarks.templates import NETWORK, Template
from hooks.statedir import StateDir

CONTAINERS = 64


@dataclass(frozen=True)
class Crowd:
    """The containers, the state directory they start from and the replay that answers them all."""

    ids: tuple[str, ...]
    template: Template
    recording: tuple[Recorded, ...]
    spawns: int  # the commands the creates ran when recorded, all together


def record_crowd(studio: Studio, count: int = CONTAINERS) -> Crowd:
    """Attach FIRST (the "bridge present" state), then record ``count`` creates one after another."""
    ids = tuple(f"c{number:02d}" for number in range(count))
    host = studio.host(FIRST, *ids)
    state_dir = studio.work / "crowd-state"
    Template.empty().reset(state_dir)
    studio.hook("createRuntime", FIRST, state_dir, host)
    template = Template.capture(state_dir)
    recorder = Recorder(host)
    for cid in ids:
        studio.hook("createRuntime", cid, state_dir, recorder)
    state = StateDir(state_dir)
    addresses = []
    for cid in ids:
        record = state.read(cid)
        if record is None or record.address is None:
            raise BenchmarkError(f"recording {count} creates: no address for {cid}")
        addresses.append(str(record.address))
    return Crowd(ids, template, tuple(any_address(recorder.calls, addresses)), len(recorder.calls))


def any_address(recording: list[Recorded], addresses: list[str]) -> list[Recorded]:
    """``recording``, and each command that names one of ``addresses`` again with each other one."""
    out: list[Recorded] = []
    for item in recording:
        out.append(item)
        for old in [a for a in addresses if any(arg == a or arg.startswith(a + "/") for arg in item.argv)]:
            for new in addresses:
                argv = tuple(new + arg[len(old):] if arg == old or arg.startswith(old + "/") else arg
                             for arg in item.argv)
                out.append(Recorded(argv, item.returncode, item.stdout, item.stderr))
    return out


@dataclass(frozen=True)
class Outcome:
    """All the creates at once: their wall time, against ``count`` times one create."""

    count: int
    wall: float
    single: float  # one create's median ("createRuntime, bridge present") in the same run, seconds
    problems: tuple[str, ...]

    @property
    def ratio(self) -> float:
        return self.wall / (self.count * self.single)

    def line(self) -> str:
        held = "invariants held" if not self.problems else "INVARIANTS BROKEN: " + "; ".join(self.problems)
        return (f"{self.count} creates at once: {self.wall:.2f} s wall ({self.ratio:.2f}× of {self.count} × one "
                f"create = {self.count * self.single:.2f} s); {held}")

    def as_json(self) -> dict[str, object]:
        return {"containers": self.count, "wall_s": round(self.wall, 3), "single_median_s": round(self.single, 4),
                "serial_s": round(self.count * self.single, 3), "ratio": round(self.ratio, 3),
                "invariants_held": not self.problems, "problems": list(self.problems), "line": self.line()}


def run_crowd(crowd: Crowd, replay: Replay, jailnet: str, work: Path, resolv_conf: Path,
              single: float) -> Outcome:
    """Start every create with :class:`subprocess.Popen`, wait for all, then check the invariants."""
    state_dir = work / "state"
    crowd.template.reset(state_dir)
    replay.reset_spawns()
    env = {"PATH": replay.path, "JAILNET_STATE_DIR": str(state_dir), "JAILNET_RESOLV_CONF": str(resolv_conf)}
    procs: list[subprocess.Popen[bytes]] = []
    started = time.perf_counter()
    for cid in crowd.ids:
        proc = subprocess.Popen([jailnet, "hook", "createRuntime"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=work)
        assert proc.stdin is not None
        proc.stdin.write(state_json("createRuntime", cid))  # far less than a pipe holds
        proc.stdin.close()
        proc.stdin = None  # written: communicate() below only reads
        procs.append(proc)
    errors = [proc.communicate()[1].decode(errors="replace") for proc in procs]
    wall = time.perf_counter() - started
    problems = [f"{cid}: exit {proc.returncode}: {err.strip()}"
                for cid, proc, err in zip(crowd.ids, procs, errors, strict=True) if proc.returncode != 0]
    problems += invariants(state_dir, crowd.ids)
    if (ran := len(replay.spawns())) != crowd.spawns:
        problems.append(f"{ran} commands ran, {crowd.spawns} when recorded one after another")
    return Outcome(len(crowd.ids), wall, single, tuple(problems))


def invariants(state_dir: Path, ids: tuple[str, ...]) -> list[str]:
    """One distinct address leased to each container, and each container's record "up"."""
    problems: list[str] = []
    holders: dict[str, list[str]] = {}
    for path in (state_dir / "networks" / NETWORK).iterdir():
        try:
            ipaddress.ip_address(path.name)
        except ValueError:
            continue
        holders.setdefault(path.read_text().strip(), []).append(path.name)
    leased = {cid: holders.get(cid, []) for cid in ids}
    if any(len(addresses) != 1 for addresses in leased.values()):
        wrong = {cid: addresses for cid, addresses in leased.items() if len(addresses) != 1}
        problems.append(f"not one lease each: {wrong}")
    distinct = {addresses[0] for addresses in leased.values() if addresses}
    if len(distinct) != len(ids):
        problems.append(f"{len(distinct)} distinct addresses leased, not {len(ids)}")
    up = [cid for cid in ids if _state(state_dir / "containers" / f"{cid}.json") == "up"]
    if len(up) != len(ids):
        problems.append(f"{len(up)} records up, not {len(ids)}")
    return problems


def _state(path: Path) -> object:
    try:
        return json.loads(path.read_text()).get("state")
    except (OSError, ValueError):
        return None
