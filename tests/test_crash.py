"""Faults and crashes: a poststop that fails part-way, and a createRuntime SIGKILLed at every step.

A killed hook undoes nothing. The simulated host's ``kill_nth`` makes the executable that runs
the hook's k-th mutating command SIGKILL the hook, before or after the command takes effect —
deterministically, with no timing involved. ``jailnet gc`` must then restore a clean host, and a
new create for the same id must succeed.
"""

import io
from pathlib import Path

import pytest

from hooks.cli import main
from hooks.testing import HookBed, SharedHost
from hooks.testing.runtime import FakeRunj


def create_steps(tmp_path: Path) -> int:
    """How many mutating commands the first container's createRuntime runs."""
    probe = HookBed(tmp_path / "probe")
    probe.jail("c1")
    assert probe.hook("createRuntime", "c1")[0] == 0
    return len(probe.mutations())


def clean(shared: SharedHost, state: Path) -> None:
    """Nothing of the container is left: no epair, no pf entry, no lease, no record."""
    assert shared(("ifconfig", "-g", "epair")).stdout == ""
    assert shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
    left = [p.relative_to(state).as_posix() for p in state.rglob("*")
            if p.is_file() and p.parent.name in ("default", "containers") and p.name != "last_reserved"]
    assert left == []


#: Mutating commands of a first container's createRuntime: the steps the sweep kills at.
STEPS = 9


def test_the_sweep_covers_every_step_of_a_create(tmp_path: Path) -> None:
    assert create_steps(tmp_path) == STEPS


@pytest.fixture(scope="module")
def sweep_host(tmp_path_factory: pytest.TempPathFactory) -> SharedHost:
    """One simulated host directory (tools and server) per worker for the sweep, reset to a fresh
    host by each case: starting a server costs more than a case's hooks."""
    return SharedHost.create(tmp_path_factory.mktemp("sweep") / "host")


@pytest.mark.parametrize("k", [pytest.param(k, id=f"step{k}") for k in range(1, STEPS + 1)])
@pytest.mark.parametrize(("when", "runj_version"), [("before", "HEAD"), ("after", "HEAD"), ("after", "v0.1.0")])
def test_sigkill_at_a_step_then_gc(tmp_path: Path, jailnet_argv: list[str], sweep_host: SharedHost, when: str,
                                   runj_version: str, k: int) -> None:
    """One case of the sweep (each its own test id: a failure names its step)."""
    # runj HEAD removes the jail after a failed createRuntime; v0.1.0 leaves it behind.
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv, remove_on_failure=runj_version == "HEAD", shared=sweep_host)
    with runj.shared.edit() as host:
        host.kill_nth(k, when=when)
    (result,) = runj.create("c1")
    assert result.returncode == -9, result
    # gc in this process, on the same host and state directory (test_gc runs the executable)
    err = io.StringIO()
    assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
    clean(runj.shared, tmp_path / "state")
    with runj.shared.edit() as host:
        if host.state.find_jail("c1") is not None:
            host.remove_jail("c1")  # the admin deletes what v0.1.0 left
        host.create_jail("c1", str(runj.bundle("c1") / "root"), vnet=True, hostname="c1")  # runj create again
    assert in_process(runj, "createRuntime", "c1") == (0, "")
    assert runj.shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split() != []
    with runj.shared.edit() as host:
        host.remove_jail("c1")  # runj delete
    assert in_process(runj, "poststop", "c1") == (0, "")
    clean(runj.shared, tmp_path / "state")


def in_process(runj: FakeRunj, kind: str, container_id: str) -> tuple[int, str]:
    """A hook run in this process on runj's host, state directory and state JSON: exit status and
    stderr. After the killed create (which needs a process of its own to kill), the sweep's
    create and delete that prove the host usable again run here, as gc does: the executable's
    path is the same code, and test_hook_executables and test_real_runtimes run it."""
    err = io.StringIO()
    status = "stopped" if kind == "poststop" else "creating"
    code = main(["hook", kind], stdin=runj.state(container_id, status, {}), stdout=io.StringIO(), stderr=err,
                environ=runj.env, run=runj.shared)
    return code, err.getvalue()


@pytest.mark.parametrize("k", [1, 2])
def test_a_fault_in_poststop_still_exits_0_and_removes_the_rest(tmp_path: Path, k: int) -> None:
    bed = HookBed(tmp_path)
    bed.jail("c1")
    assert bed.hook("createRuntime", "c1")[0] == 0
    bed.host.remove_jail("c1")
    bed.host.fail_nth(k)  # 1: pfctl -T delete, 2: ifconfig jn…a destroy
    code, out, err = bed.hook("poststop", "c1")
    assert (code, out) == (0, "")
    assert err.startswith("jailnet: poststop c1: ")
    assert bed.files() == {}  # lease and record released all the same
    epairs = bed.host(("ifconfig", "-g", "epair")).stdout
    table = bed.host(("pfctl", "-t", "jail-nat", "-T", "show")).stdout
    assert (epairs == "") == (k == 1) and (table == "") == (k == 2)  # only the failed step's part stays
    assert main(["gc"], stdout=io.StringIO(), stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert bed.host(("ifconfig", "-g", "epair")).stdout == ""
    assert bed.host(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""


#: A publishing create: the first container's 9 steps and the anchor, loaded just before lo0.
PORTS = {"org.jailnet.ports": "8080:80,5353:53/udp"}


@pytest.mark.parametrize("k", [pytest.param(k, id=f"step{k}") for k in (1, 9, 10)])  # claims only; anchor; after
@pytest.mark.parametrize("when", ["before", "after"])
def test_sigkill_of_a_publishing_create_then_gc_leaves_no_anchor_and_no_claim(
        tmp_path: Path, jailnet_argv: list[str], sweep_host: SharedHost, when: str, k: int) -> None:
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv, remove_on_failure=True, shared=sweep_host)
    with runj.shared.edit() as host:
        host.kill_nth(k, when=when)
    (result,) = runj.create("c1", annotations=PORTS)
    assert result.returncode == -9, result
    err = io.StringIO()
    assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
    clean(runj.shared, tmp_path / "state")
    assert runj.shared(("pfctl", "-a", "jailnet", "-sA")).stdout == ""
    assert [p for p in (tmp_path / "state" / "ports").rglob("*") if p.is_file()] == []
    (again,) = runj.create("c1", annotations=PORTS)  # the ports are free again
    assert (again.returncode, again.stderr) == (0, "")
    assert len(runj.shared(("pfctl", "-a", "jailnet/c1", "-s", "nat")).stdout.splitlines()) == 5  # 2 + 2 hairpin + nat
