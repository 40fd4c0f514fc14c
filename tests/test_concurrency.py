"""Concurrency through the executables: 64 creates at once, 64 poststops at once, a mixed storm,
and one id twice at once. Afterwards every address and name is unique, the pf table holds exactly
the live set, and nothing is left over."""

import random
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hooks.naming import host_ifname
from hooks.testing.runtime import FakeRunj, run_hook


@pytest.fixture
def runj(tmp_path: Path, jailnet_argv: list[str]) -> FakeRunj:
    return FakeRunj.with_jailnet(tmp_path, jailnet_argv, timeout=120)


def parallel(jobs: list[Callable[[], int]], workers: int = 64) -> list[int]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


def consistent(runj: FakeRunj, attached: set[str]) -> None:
    """The host holds exactly ``attached``: one host end each, unique addresses, the pf table."""
    sh = runj.shared
    members = sh(("ifconfig", "-g", "jailnet")).stdout.split()
    assert sorted(members) == sorted(host_ifname(c) for c in attached)
    table = sh(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
    assert len(table) == len(set(table)) == len(attached)
    leases = {p.name: p.read_text().strip() for p in (runj.workdir / "state" / "networks" / "default").glob("172.*")}
    assert sorted(leases) == sorted(table) and sorted(leases.values()) == sorted(attached)
    names = sh(("ifconfig", "-l")).stdout.split()
    assert len(names) == len(set(names))
    records = sorted(p.stem for p in (runj.workdir / "state" / "containers").glob("*.json"))
    assert records == sorted(attached)


def test_64_creates_then_64_poststops_in_parallel(runj: FakeRunj) -> None:
    ids = [f"c{n:02d}" for n in range(64)]
    codes = parallel([lambda cid=cid: runj.create(cid)[0].returncode for cid in ids])
    assert codes == [0] * 64
    consistent(runj, set(ids))
    assert runj.shared(("ifconfig", "-g", "bridge")).stdout == "jailnet0\n"
    codes = parallel([lambda cid=cid: runj.delete(cid)[0].returncode for cid in ids])
    assert codes == [0] * 64
    consistent(runj, set())
    assert runj.shared(("ifconfig", "-l")).stdout == "em0 lo0 jailnet0\n"


def test_a_mixed_storm(runj: FakeRunj, jailnet_argv: list[str]) -> None:
    rng = random.Random(20261128)
    ids = [f"s{n}" for n in range(12)]
    locks = {cid: threading.Lock() for cid in ids}  # one runtime call per container at a time, as runj does
    up: set[str] = set()
    env = runj.env

    def op(kind: str, cid: str) -> int:
        if kind == "gc":
            return subprocess.run([*jailnet_argv, "gc"], capture_output=True, env=env, timeout=120).returncode
        with locks[cid]:
            if kind == "create":
                if cid in up:
                    return 0
                code = runj.create(cid)[0].returncode
                if code == 0:
                    up.add(cid)
                return code
            if kind == "delete":
                was_up = cid in up
                up.discard(cid)
                return runj.delete(cid)[0].returncode if was_up else runj._run(
                    runj.poststop, runj.state(cid, "stopped", {}))[0].returncode
        raise AssertionError(kind)

    plan = [(rng.choice(["create", "create", "delete", "gc"]), rng.choice(ids)) for _ in range(48)]
    codes = parallel([lambda k=k, c=c: op(k, c) for k, c in plan], workers=8)
    assert codes == [0] * len(plan)
    consistent(runj, up)
    assert parallel([lambda cid=cid: runj.delete(cid)[0].returncode for cid in sorted(up)]) == [0] * len(up)
    consistent(runj, set())


def test_the_same_id_twice_at_once(runj: FakeRunj) -> None:
    root = runj.bundle("twin") / "root"
    root.mkdir(parents=True)
    with runj.shared.edit() as host:
        host.create_jail("twin", str(root))
    entry = runj.create_runtime[0]
    state = runj.state("twin", "creating", {})
    codes = parallel([lambda: run_hook(entry.path, entry.args, env=entry.env, stdin=state, cwd=str(runj.workdir),
                                       timeout=120).returncode] * 2)
    # Both succeed: the container lock orders them, and the second finds the work done.
    assert codes == [0, 0]
    consistent(runj, {"twin"})
    assert runj.shared(("ifconfig", "-g", "epair")).stdout == f"{host_ifname('twin')}\n"
