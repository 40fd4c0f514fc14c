"""Shared fixtures: simulated FreeBSD hosts, in process and shared through executables."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hooks.system import Completed
from hooks.testing import HookBed, SharedHost, SimulatedHost, populate_rootfs

if TYPE_CHECKING:
    from hooks.testing.etcdserver import EtcdServer

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile jailnet once, before any test starts a hook process (the controller, not each
    xdist worker). A hook loads ``hooks`` and ``ocispec`` from this checkout, as an installed
    jailnet loads the ``.pyc`` files its package was installed with; where
    ``PYTHONDONTWRITEBYTECODE`` is set (CI images set it), nothing would write them, and each of the
    suite's hundreds of hook processes would compile every module again, about 50 ms apiece.
    Up-to-date files are skipped; :func:`py_compile.compile` writes atomically, so a hook that
    starts meanwhile reads either no file or a whole one."""
    if hasattr(session.config, "workerinput"):
        return
    import compileall

    for package in ("hooks", "ocispec"):
        compileall.compile_dir(ROOT / package, quiet=2)


@pytest.fixture
def host() -> SimulatedHost:
    """A FreeBSD 14.2 host with em0, lo0 and pf loaded, in process."""
    return SimulatedHost.freebsd()


@pytest.fixture
def host13() -> SimulatedHost:
    """A FreeBSD 13.2 host: no ``ifconfig -j``/``route -j``, ioctl-era ifconfig output."""
    return SimulatedHost.freebsd("13.2-RELEASE")


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    """A jail root with /sbin/ifconfig and /sbin/route."""
    return populate_rootfs(tmp_path / "rootfs")


@pytest.fixture
def shared(tmp_path: Path) -> SharedHost:
    """A FreeBSD 14.2 host in a state file, with its executables installed."""
    return SharedHost.create(tmp_path / "host")


Exec = Callable[..., Completed]


@pytest.fixture
def run_exe(shared: SharedHost) -> Exec:
    """Run a command through the shared host's installed executables, as a separate process."""

    def run(*argv: str, stdin: str | None = None) -> Completed:
        proc = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            env={"PATH": shared.path},
            check=False,
            timeout=60,
        )
        return Completed(tuple(argv), proc.returncode, proc.stdout, proc.stderr)

    return run


Through = Callable[..., Completed]


@pytest.fixture(scope="session")
def executables_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SharedHost directory per test process: its host server keeps running between the
    hundreds of single-command checks, each of which stores its own host first."""
    return tmp_path_factory.mktemp("shared")


@pytest.fixture
def through_executables(executables_directory: Path) -> Through:
    """Run one command on a copy of an in-process host, through its installed executables."""

    def run(host: SimulatedHost, argv: tuple[str, ...], stdin: str | None = None) -> Completed:
        shared = SharedHost.create(executables_directory, host)
        proc = subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                              env={"PATH": shared.path}, check=False, timeout=60)
        return Completed(tuple(argv), proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def bed(tmp_path: Path) -> HookBed:
    """A FreeBSD 14.2 host ready for jailnet, with the hooks run in process."""
    return HookBed(tmp_path)


@pytest.fixture(scope="session")
def jailnet_argv() -> list[str]:
    """How to start the installed ``jailnet``: its console script (absolute interpreter in the
    shebang), or this interpreter running the package when no script is installed."""
    script = Path(sys.executable).parent / "jailnet"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hooks"]


#: Modules whose tests take seconds each (the pytest --durations list): they start first, so that
#: pytest-xdist's load scheduling, which hands out tests from the front of the list as workers
#: free up, never leaves one long test for the end while the other workers idle.
LONG_FIRST = ("test_concurrency.py", "test_real_runtimes.py", "test_lifecycle_stateful.py", "test_leases.py",
              "test_crash.py", "test_demo.py", "test_walkthrough.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FIRST)))


@pytest.fixture(scope="session")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> "Iterator[EtcdServer]":
    """One real etcd per test process (tests/test_etcd.py, tests/test_cluster.py), on 127.0.0.1 with
    free ports; each test keeps to keys of its own. Tests that kill a store start their own."""
    from hooks.testing.etcdserver import EtcdServer, binary

    executable = binary()
    if executable is None:
        assert not os.environ.get("JAILNET_REQUIRE_ETCD"), "JAILNET_REQUIRE_ETCD is set but etcd is not installed"
        pytest.skip("no etcd on this machine (Debian: apt-get install etcd-server)")
    server = EtcdServer(tmp_path_factory.mktemp("etcd") / "data", executable)
    server.start()
    yield server
    server.stop()
