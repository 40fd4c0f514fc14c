"""``jailnet gc`` removes exactly the leftovers, and leaves live containers alone."""

import fcntl
import io
import json
import os
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hooks.cli import main
from hooks.naming import host_ifname, jail_ifname
from hooks.statedir import Record, StateDir
from hooks.system import Completed, Runner
from hooks.testing import HookBed
from hooks.testing.runtime import FakeRunj


def gc(bed: HookBed, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["gc", *args], stdout=out, stderr=err, environ=bed.env, run=bed.host)
    return code, out.getvalue(), err.getvalue()


def up(bed: HookBed, cid: str, annotations: dict[str, str] | None = None) -> None:
    bed.jail(cid)
    assert bed.hook("createRuntime", cid, annotations)[0] == 0


def killed_create(bed: HookBed, cid: str, jid: int, address: str) -> None:
    """A createRuntime SIGKILLed right after ``ifconfig epair create``: the pair (a end in the
    jail), the lease, and a record still 'creating' with its journal."""
    created = bed.host(("ifconfig", "epair", "create", "description", cid, "vnet", str(jid))).stdout.strip()
    lease = bed.state_dir / "networks" / "default" / address
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.write_text(f"{cid}\n")
    StateDir(bed.state_dir).write(Record(
        id=cid, state="creating", network="default", address=address, prefixlen=16, bridge="jailnet0",
        table="jail-nat", host_interface=host_ifname(cid), jail_interface=jail_ifname(cid), jail=cid, jid=jid,
        created="2026-11-28T00:00:00Z", undo=(("ifconfig", created[:-1] + "b", "destroy"),)))


def test_nothing_to_remove_on_a_clean_host(bed: HookBed) -> None:
    up(bed, "live")
    before = bed.host.observable()
    assert gc(bed) == (0, "nothing to remove\n", "")
    assert bed.host.observable() == before


def test_removes_exactly_the_leftovers_and_keeps_live_containers(bed: HookBed) -> None:
    up(bed, "live")
    up(bed, "skipped")
    bed.host.remove_jail("skipped")  # poststop never ran
    bed.jail("killed")
    killed_create(bed, "killed", jid=3, address="172.17.0.9")
    bed.host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.77", "10.99.0.5"))  # stray + not ours
    live_before = {
        "iface": bed.host(("ifconfig", host_ifname("live"))).stdout,
        "jail": bed.host(("ifconfig", "-j", "live")).stdout,
    }

    code, out, err = gc(bed)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "removed record killed: its createRuntime died before finishing",
        "removed record skipped: jail skipped is gone",
        "removed pf-entry 172.17.0.77: in <jail-nat> with no lease",
    ]
    h = bed.host
    assert h(("ifconfig", "-g", "jailnet")).stdout == f"{host_ifname('live')}\n"
    assert h(("ifconfig", "-l")).stdout == f"em0 lo0 jailnet0 {host_ifname('live')}\n"
    assert h(("ifconfig", "-j", "killed", "-l")).stdout == "lo0\n"
    assert sorted(h(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()) == ["10.99.0.5", "172.17.0.2"]
    assert sorted(bed.files()) == ["containers/live.json", "networks/default/172.17.0.2", "networks/default/ids/live"]
    assert h(("ifconfig", host_ifname("live"))).stdout == live_before["iface"]
    assert h(("ifconfig", "-j", "live")).stdout == live_before["jail"]
    assert gc(bed) == (0, "nothing to remove\n", "")


def test_a_lease_without_record_and_a_stray_host_end(bed: HookBed) -> None:
    up(bed, "lost")
    (bed.state_dir / "containers" / "lost.json").unlink()
    bed.host.remove_jail("lost")
    bed.host(("ifconfig", "epair", "create", "name", "jn000000000000a", "group", "jailnet"))
    code, out, _ = gc(bed)
    assert code == 0
    assert out.splitlines() == [
        "removed lease 172.17.0.2: lost on network default has no jail",
        "removed interface jn000000000000a: in group jailnet with no live record",
    ]
    assert bed.host(("ifconfig", "-l")).stdout == "em0 lo0 jailnet0\n"
    assert bed.host(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
    assert bed.files() == {}


def test_dry_run_and_json(bed: HookBed) -> None:
    up(bed, "skipped")
    bed.host.remove_jail("skipped")
    before, files = bed.host.observable(), bed.files()
    bed.host.clear_log()
    code, out, _ = gc(bed, "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    assert report == {"dryRun": True, "failures": [], "unknown": [], "removed": [{
        "kind": "record", "name": "skipped", "reason": "jail skipped is gone",
        "commands": ["pfctl -t jail-nat -T delete 172.17.0.2", f"ifconfig {host_ifname('skipped')} destroy"]}]}
    assert bed.host.observable() == before and bed.files() == files
    assert bed.mutations() == []


def test_a_container_whose_hook_is_running_is_left_alone(bed: HookBed) -> None:
    bed.jail("busy")
    killed_create(bed, "busy", jid=1, address="172.17.0.2")
    state = StateDir(bed.state_dir)
    with state.container_lock("busy"):  # its createRuntime is still at work
        assert gc(bed) == (0, "nothing to remove\n", "")
    assert gc(bed)[1] == "removed record busy: its createRuntime died before finishing\n"


def test_gc_while_hooks_run_in_parallel(tmp_path: Path, jailnet_argv: list[str]) -> None:
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv)
    shared, env = runj.shared, runj.env
    names = [f"p{n}" for n in range(6)]
    results: dict[str, int] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, runj.create(n)[0].returncode))
               for n in names]
    for t in threads:
        t.start()
    gc_runs = []
    while any(t.is_alive() for t in threads):
        proc = subprocess.run([*jailnet_argv, "gc"], capture_output=True, text=True, timeout=60, env=env)
        gc_runs.append((proc.returncode, proc.stdout))
    for t in threads:
        t.join()
    assert results == {n: 0 for n in names}
    assert gc_runs and all(run == (0, "nothing to remove\n") for run in gc_runs), gc_runs
    table = shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
    assert sorted(table) == sorted(f"172.17.0.{n}" for n in range(2, 8))
    assert len(shared(("ifconfig", "-g", "jailnet")).stdout.split()) == 6


# --- gc never acts blind ---------------------------------------------------------------------

def blind(bed: HookBed, program: str, *, code: int = 1, stdout: str = "", stderr: str = "") -> Runner:
    """The bed's host, except that every ``program`` probe fails (or prints ``stdout``): an
    observation gc cannot use."""
    def run(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        if argv[0] == program:
            return Completed(tuple(argv), code, stdout, stderr)
        return bed.host(argv, stdin=stdin)
    return run


def gc_with(bed: HookBed, run: Runner, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["gc", *args], stdout=out, stderr=err, environ=bed.env, run=run)
    return code, out.getvalue(), err.getvalue()


JLS_FAILS = [
    pytest.param({"code": 1, "stderr": "jls: sysctl(security.jail.jailed): Operation not permitted\n"},
                 id="exit-1"),
    pytest.param({"code": 0, "stdout": "{\"__version\": \"2\", \"jail-informat"}, id="cut-json"),
    pytest.param({"code": 0, "stdout": "   JID  IP Address      Hostname                      Path\n"},
                 id="wrong-format"),
]


@pytest.mark.parametrize("failure", JLS_FAILS)
def test_a_failing_jls_leaves_live_containers_attached(bed: HookBed, failure: dict[str, Any]) -> None:
    up(bed, "live")
    up(bed, "leased")
    (bed.state_dir / "containers" / "leased.json").unlink()  # a lease without its record
    before, files = bed.host.observable(), bed.files()
    bed.host.clear_log()

    code, out, err = gc_with(bed, blind(bed, "jls", **failure))

    assert code == 1
    assert out == "nothing to remove\n"
    assert err.startswith("jailnet: gc: cannot list the jails (") and err.count("\n") == 1, err
    assert "kept every container whose jail it would need" in err
    assert bed.host.observable() == before and bed.files() == files
    assert bed.mutations() == []
    assert gc(bed) == (0, "nothing to remove\n", "")  # jls back: both jails are alive


def test_with_jls_unknown_gc_still_removes_what_does_not_depend_on_jails(bed: HookBed) -> None:
    up(bed, "live")
    bed.jail("killed")
    killed_create(bed, "killed", jid=2, address="172.17.0.9")
    bed.host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.77"))  # no lease: not a jail question
    code, out, err = gc_with(bed, blind(bed, "jls", stderr="jls: oops\n"), "--json")
    assert code == 1
    report = json.loads(out)
    assert [(r["kind"], r["name"]) for r in report["removed"]] == [("record", "killed"), ("pf-entry", "172.17.0.77")]
    assert report["unknown"] == ["cannot list the jails (jls --libxo json name jid: jls: oops); kept every "
                                 "container whose jail it would need"]
    assert bed.host(("ifconfig", host_ifname("live"))).returncode == 0
    assert "172.17.0.2" in bed.host(("pfctl", "-t", "jail-nat", "-T", "show")).stdout


def test_failing_ifconfig_and_pfctl_listings_keep_their_objects(bed: HookBed) -> None:
    up(bed, "live")
    bed.host(("ifconfig", "epair", "create", "name", "jn000000000000a", "group", "jailnet"))  # stray
    bed.host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.77"))  # stray

    def run(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        if tuple(argv) == ("ifconfig",):
            return Completed(tuple(argv), 1, "", "ifconfig: getifaddrs: Cannot allocate memory\n")
        if argv[:2] == ("pfctl", "-t") and argv[-1] == "show":
            return Completed(tuple(argv), 1, "", "pfctl: /dev/pf: Permission denied\n")
        return bed.host(argv, stdin=stdin)

    before = bed.host.observable()
    code, out, err = gc_with(bed, run)
    assert (code, out) == (1, "nothing to remove\n")
    assert err.splitlines() == [
        "jailnet: gc: cannot list the interfaces (ifconfig: ifconfig: getifaddrs: Cannot allocate memory); "
        "kept stray interfaces",
        "jailnet: gc: cannot list pf table <jail-nat> (pfctl -t jail-nat -T show: pfctl: /dev/pf: Permission "
        "denied); kept its entries",
    ]
    assert bed.host.observable() == before


# --- gc holds the containers it judges -------------------------------------------------------


def test_gc_holds_each_idle_containers_lock_while_it_judges_and_removes(bed: HookBed) -> None:
    """A hook that finished between gc reading a record and gc checking the lock would be taken
    for a dead one (its container torn down while up). gc therefore takes every idle container's
    lock before it reads the records and keeps it until it is done: no hook for that container
    can start or finish meanwhile. Observed from inside gc's own commands."""
    up(bed, "skipped")
    bed.host.remove_jail("skipped")          # poststop never ran: gc removes it
    lock = StateDir(bed.state_dir)._container_lock_path("skipped")
    probes: list[bool] = []

    def run(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            probes.append(False)             # nobody held it: a hook could have run now
        except BlockingIOError:
            probes.append(True)
        finally:
            os.close(fd)
        return bed.host(argv, stdin=stdin)

    code, out, _ = gc_with(bed, run)
    assert (code, out) == (0, "removed record skipped: jail skipped is gone\n")
    assert len(probes) > 4 and all(probes)   # every observation and every removal: held


def test_hold_idle_reports_busy_containers_and_never_waits(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    with state.container_lock("web"):        # a hook at work
        with state.hold_idle(["web", "db", "db"]) as busy:
            assert busy == {"web"}
            fd = os.open(state._container_lock_path("db"), os.O_RDWR)
            try:
                with pytest.raises(BlockingIOError):
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
    with state.hold_idle(["web"]) as busy:   # released by the hook, then held by gc
        assert busy == frozenset()
