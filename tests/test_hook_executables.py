"""The real ``jailnet`` executable as runj runs it, against the simulated host's executables."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hooks.naming import host_ifname, jail_ifname
from hooks.system import DEFAULT_PATH, SubprocessRunner, search_path
from hooks.testing import SharedHost, SimulatedHost
from hooks.testing.runtime import FakeRunj, HookEntry


@pytest.fixture
def runj(tmp_path: Path, jailnet_argv: list[str]) -> FakeRunj:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 192.0.2.53\n")
    return FakeRunj.with_jailnet(tmp_path, jailnet_argv, env={"JAILNET_RESOLV_CONF": str(resolv)}, timeout=30)


def test_runj_lifecycle_reaches_the_seed_state_and_cleans_up(runj: FakeRunj, tmp_path: Path) -> None:
    (result,) = runj.create("my-container")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    sh = runj.shared
    host_end, jail_end = host_ifname("my-container"), jail_ifname("my-container")
    assert f"\tmember: {host_end} " in sh(("ifconfig", "jailnet0")).stdout
    assert "inet 172.17.0.2 netmask 0xffff0000" in sh(("ifconfig", "-j", "my-container", jail_end)).stdout
    assert "inet 127.0.0.1 netmask 0xff000000" in sh(("ifconfig", "-j", "my-container", "lo0")).stdout
    assert "    gateway: 172.17.0.1\n" in sh(("route", "-j", "my-container", "-n", "get", "default")).stdout
    assert sh(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == "   172.17.0.2\n"
    assert sh(("sysctl", "-n", "net.inet.ip.forwarding")).stdout == "1\n"
    resolv = runj.bundle("my-container") / "root" / "etc" / "resolv.conf"
    assert resolv.read_text().endswith("nameserver 192.0.2.53\n")

    (result,) = runj.delete("my-container")
    assert result.returncode == 0
    assert sh(("ifconfig", "-l")).stdout == "em0 lo0 jailnet0\n"
    assert sh(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
    state = tmp_path / "state"
    assert list((state / "networks" / "default").glob("172.*")) == []
    assert list((state / "containers").glob("*.json")) == []


def test_ocijail_passes_args0_again(runj: FakeRunj) -> None:
    entry = runj.create_runtime[0]
    # ocijail execs path with all of args, so args[0] arrives as the first argument.
    runj.create_runtime = [HookEntry(entry.path, (entry.args[0], *entry.args), entry.env, entry.timeout)]
    (result,) = runj.create("c1")
    assert (result.returncode, result.stderr) == (0, "")
    assert runj.shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == "   172.17.0.2\n"


def test_a_failing_create_hook_leaves_the_host_clean(runj: FakeRunj) -> None:
    before = runj.shared.snapshot()
    with runj.shared.edit() as host:
        host.fail_matching("pfctl", "*", "*", "-T", "add", "*")
    (result,) = runj.create("c1")
    assert result.returncode == 1
    assert result.stderr.startswith("jailnet: createRuntime c1: pfctl -t jail-nat -T add 172.17.0.2: ")
    after = SimulatedHost(runj.shared.snapshot())
    assert after.observable() == SimulatedHost(before).observable()  # runj HEAD removed the jail too


def test_no_path_in_env_means_the_base_system_dirs(runj: FakeRunj) -> None:
    entry = runj.create_runtime[0]
    runj.create_runtime = [HookEntry(entry.path, entry.args, tuple(e for e in entry.env or () if not
                                                                   e.startswith("PATH=")), 30)]
    (result,) = runj.create("c1")
    # /sbin:/bin:/usr/sbin:/usr/bin has no jls on this Linux machine: the lookup fails, nothing else runs.
    assert result.returncode == 1
    assert "jls -j c1 jid vnet path: jls: command not found" in result.stderr
    assert search_path({}) == search_path({"PATH": ""}) == DEFAULT_PATH == "/sbin:/bin:/usr/sbin:/usr/bin"


def test_parallel_creates_get_distinct_addresses(runj: FakeRunj) -> None:
    names = [f"p{n}" for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda name: runj.create(name)[0], names))
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    table = runj.shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
    assert sorted(table) == sorted(f"172.17.0.{n}" for n in range(2, 10))
    bridges = runj.shared(("ifconfig", "-g", "bridge")).stdout.split()
    assert bridges == ["jailnet0"]  # two first containers never make two bridges


def test_subprocess_runner_runs_without_a_shell(tmp_path: Path) -> None:
    shared = SharedHost.create(tmp_path / "host")
    run = SubprocessRunner(path=shared.path)
    assert run(("ifconfig", "-l")).stdout == "em0 lo0\n"
    assert run(("ifconfig", "lo0; touch /tmp/x")).stderr == "ifconfig: interface lo0; touch /tmp/x does not exist\n"
    missing = run(("no-such-tool",))
    assert (missing.returncode, missing.stderr) == (127, "no-such-tool: command not found\n")
