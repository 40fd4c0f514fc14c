"""The real-FreeBSD suite: who may run it, the test-only network, jails, and cleanup.

The suite runs only when all of these hold, and is skipped with the reasons otherwise:
``JAILNET_REAL_FREEBSD=1``, FreeBSD (``sys.platform``), root, pf loaded (``/dev/pf``),
``kern.osreldate`` >= 1303000 (13.3: ``ifconfig -j`` and ``route -j``) and a kernel with vnet
jails (``kern.features.vimage``). Deciding that runs nothing but those two ``sysctl -n`` reads,
and those only on FreeBSD; a skipped module is not even imported.

What it creates, all with test-only names, and nothing else:

* jails ``jnt-<8 hex>`` (``jail -c name=… path=… vnet persist``, an empty root with ``/etc``);
* the bridge ``jnettest0`` (198.18.42.1/24; 198.18.0.0/15 is RFC 2544 benchmarking space, not
  routed on the Internet), the dual-stack network's bridge ``jnettest1`` (198.18.43.1/24 and
  fd00:198:18:43::1/64, a ULA prefix: never routed outside a site) and the containers' epairs,
  which jailnet puts in group ``jailnet`` with the container id (``jnt-…``) as description;
* the pf table ``jnettest-nat``. No NAT rule uses it, and none is loaded: the tests send no
  traffic, so the table is only checked, never used. The host's pf ruleset, em0 and the
  default route are never touched;
* ``net.inet.ip.forwarding=1`` and ``net.inet6.ip6.forwarding=1`` (the first container's
  createRuntime turns them on); the values before the session are kept in
  ``/var/run/jnettest-forwarding`` and put back at the end.

Cleanup (:func:`sweep`) removes every ``jnt-*`` jail (the jailnet interfaces inside it first),
every host interface in group ``jailnet`` or ``epair`` whose description starts with ``jnt-``,
the bridges ``jnettest0``/``jnettest1``/``jnettest9`` and the table ``jnettest-nat``. It runs at the start of
the session (self-heal after an interrupted run, as runj's integration suite does), after every
test, at the end of the session, and from an atexit handler; SIGINT, SIGTERM and SIGHUP become
KeyboardInterrupt, so pytest unwinds through the same finalizers, and a signal that arrives while
a sweep runs is ignored until it is done. Only a SIGKILL or a crash of the machine skips it:
the next session's self-heal then does the work.

Facts about FreeBSD's tools used here are from docs/freebsd-commands.md; none was run on FreeBSD
while this was written (no FreeBSD host was reachable). "[NV]" marks what is least certain.
"""

import atexit
import fcntl
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO

import pytest

from hooks.naming import is_jailnet_ifname

HERE = Path(__file__).resolve().parent

ENABLE = "JAILNET_REAL_FREEBSD"
MIN_OSRELDATE = 1303000
PATH = "/sbin:/bin:/usr/sbin:/usr/bin"

NETWORK = "jnettest"
BRIDGE = "jnettest0"
SUBNET = "198.18.42.0/24"
GATEWAY = "198.18.42.1"
TABLE = "jnettest-nat"
NAMESERVER = "192.0.2.53"
SEARCH = "jnettest.invalid"
#: The built-in network ``default`` is moved onto test-only names as well (see CONFIG).
SPARE_BRIDGE = "jnettest9"
#: The dual-stack test network (docs/ipv6.md).
NETWORK6 = "jnettest6"
BRIDGE6 = "jnettest1"
SUBNET6 = "fd00:198:18:43::/64"
JAIL_PREFIX = "jnt-"
#: test_real_conformance.py's renames (``jnc<8 hex>a``/``b``) and its pf table/anchor (``jnettest-c<8 hex>``).
CONFORMANCE_IFNAME = re.compile(r"jnc[0-9a-f]{8}[ab]")
CONFORMANCE_PF_PREFIX = "jnettest-c"

FORWARDING_FILE = Path("/var/run/jnettest-forwarding")
LOCK_FILE = Path("/var/run/jnettest.lock")

CONFIG = f"""\
# jailnet configuration of tests/freebsd: a test-only network.
[networks.{NETWORK}]
bridge = "{BRIDGE}"
subnet = "{SUBNET}"
table = "{TABLE}"
nameservers = ["{NAMESERVER}"]
search = ["{SEARCH}"]

[networks.{NETWORK6}]
bridge = "{BRIDGE6}"
subnet = "198.18.43.0/24"
subnet6 = "{SUBNET6}"
table = "{TABLE}"
nameservers = ["{NAMESERVER}"]

# The built-in network "default" always exists (bridge jailnet0, table jail-nat). Moved here onto
# test-only names, so that nothing these tests run -- jailnet gc walks every network's pf table --
# ever looks at the host's real <jail-nat> table. No test attaches a container to it.
[networks.default]
bridge = "{SPARE_BRIDGE}"
subnet = "198.19.255.0/24"
table = "{TABLE}"
nameservers = ["{NAMESERVER}"]
"""


# --- who may run it -------------------------------------------------------------------------


def _sysctl_int(name: str) -> int | None:
    """``sysctl -n NAME`` as an integer; None for an unknown oid (``sysctl: unknown oid``, exit 1)."""
    try:
        proc = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True,
                              env={"PATH": PATH, "LC_ALL": "C"}, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = proc.stdout.strip()
    return int(value) if proc.returncode == 0 and value.isdigit() else None


def unmet() -> list[str]:
    """Why this host cannot run the suite (empty: it can)."""
    reasons = []
    if os.environ.get(ENABLE) != "1":
        reasons.append(f"set {ENABLE}=1 to run it (it creates jails, interfaces and a pf table on this host)")
    platform = sys.platform  # a variable: mypy would treat code under a sys.platform test as unreachable
    if not platform.startswith("freebsd"):
        reasons.append(f"needs FreeBSD 13.3 or later (this is {platform})")
        return reasons
    if os.geteuid() != 0:
        reasons.append(f"needs root (euid {os.geteuid()})")
    if not os.path.exists("/dev/pf"):
        reasons.append("needs pf loaded: /dev/pf is missing (kldload pf)")
    osreldate = _sysctl_int("kern.osreldate")
    if osreldate is None:
        reasons.append("cannot read kern.osreldate (sysctl -n kern.osreldate)")
    elif osreldate < MIN_OSRELDATE:
        reasons.append(f"needs FreeBSD 13.3 or later for ifconfig -j and route -j "
                       f"(kern.osreldate {osreldate} < {MIN_OSRELDATE})")
    if _sysctl_int("kern.features.vimage") != 1:  # GENERIC has had VIMAGE since 12.0
        reasons.append("needs a kernel with VIMAGE for vnet jails (kern.features.vimage is not 1)")
    return reasons


_UNMET = unmet()
SKIP_REASON = ("real-FreeBSD suite skipped: " + "; ".join(_UNMET)) if _UNMET else None


class _SkippedModule(pytest.Module):
    """A test module skipped as a whole before it is imported: one SKIPPED line with the reasons.

    (A module-level ``pytest.skip`` in this conftest would break ``pytest tests/freebsd``, where
    pytest loads it as an initial conftest, outside any collector.)
    """

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        assert SKIP_REASON is not None
        pytest.skip(SKIP_REASON, allow_module_level=True)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if SKIP_REASON is None or not module_path.resolve().is_relative_to(HERE):
        return None
    return _SkippedModule.from_parent(parent, path=module_path)


# --- commands ---------------------------------------------------------------------------------


def sh(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a FreeBSD command with the hooks' PATH and the C locale; never raises on failure."""
    return subprocess.run(list(argv), capture_output=True, text=True, env={"PATH": PATH, "LC_ALL": "C"},
                          timeout=timeout, check=False)


_HEADER = re.compile(r"^([^\s:]+): flags=")


def interface_blocks(stdout: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``ifconfig`` (all interfaces) -> name -> (description, groups) (docs/freebsd-commands.md §4:
    ``NAME: flags=…`` opens a block; ``\\tdescription: …`` and ``\\tgroups: …`` lines in it)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    name = None
    for line in stdout.splitlines():
        header = _HEADER.match(line)
        if header:
            name = header.group(1)
            found[name] = ("", ())
        elif name is not None and line.startswith("\tdescription: "):
            found[name] = (line[len("\tdescription: "):], found[name][1])
        elif name is not None and line.startswith("\tgroups: "):
            found[name] = (found[name][0], tuple(line[len("\tgroups: "):].split()))
    return found


def live_test_jails() -> list[str]:
    """Live jails named ``jnt-*`` (``jls name``: one name per line, no header without -h)."""
    return [n for n in sh("jls", "name").stdout.split() if n.startswith(JAIL_PREFIX)]


def _ours(description: str, groups: tuple[str, ...]) -> bool:
    """A host interface these tests made: an epair end (renamed or not) or a jailnet host end
    whose description is a test container's id."""
    return description.startswith(JAIL_PREFIX) and bool({"jailnet", "epair"} & set(groups))


def _is_bridge(name: str) -> bool:
    shown = sh("ifconfig", name)
    return shown.returncode == 0 and "bridge" in interface_blocks(shown.stdout).get(name, ("", ()))[1]


def sweep() -> None:
    """Remove everything these tests can have made (see the module docstring); each step
    tolerates "already gone", and nothing outside the test-only names is touched."""
    for jail in live_test_jails():
        # A vnet jail's interfaces first: destroying the end inside destroys both ends
        # (docs/freebsd-commands.md §5), without waiting for a dying vnet to hand them back.
        # Only in a vnet jail: a jail without one shares the host's interfaces. [I: ``-j`` before
        # ``-l``, ifconfig.8's synopsis; if it does not list, the host-side pass below still
        # destroys each pair through its host end.]
        if sh("jls", "-j", jail, "vnet").stdout.strip() == "new":
            for name in sh("ifconfig", "-j", jail, "-l").stdout.split():
                if (is_jailnet_ifname(name) or re.fullmatch(r"epair[0-9]+[ab]", name)
                        or CONFORMANCE_IFNAME.fullmatch(name)):
                    sh("ifconfig", "-j", jail, name, "destroy")
        if sh("jail", "-r", jail).returncode != 0 and jail in live_test_jails():
            # -r reads /etc/jail.conf when it exists; -R removes without it (jail.8).
            sh("jail", "-R", jail)
    for name, (description, groups) in interface_blocks(sh("ifconfig").stdout).items():
        if _ours(description, groups):
            sh("ifconfig", name, "destroy")  # the peer of one destroyed before: "does not exist"
    for bridge in (BRIDGE, BRIDGE6, SPARE_BRIDGE):
        if _is_bridge(bridge):
            sh("ifconfig", bridge, "destroy")
    # Exit status not checked: on a missing table [NV] "0 table deleted." or an error, both fine.
    sh("pfctl", "-t", TABLE, "-T", "kill")
    _sweep_conformance()


def _conformance_tables() -> list[str]:
    """test_real_conformance.py's pf tables in the main ruleset (``pfctl -s Tables``: a name a line)."""
    return [t for t in sh("pfctl", "-s", "Tables").stdout.split() if t.startswith(CONFORMANCE_PF_PREFIX)]


def _conformance_anchors() -> list[str]:
    """test_real_conformance.py's anchors and those below them (``pfctl -v -s Anchors`` lists recursively)."""
    listed = sh("pfctl", "-v", "-s", "Anchors").stdout.split()
    return [a for a in listed if a.startswith(CONFORMANCE_PF_PREFIX)]


def _sweep_conformance() -> None:
    """What test_real_conformance.py can leave: renamed interfaces (jnc…), its pf table and anchor."""
    for name in sh("ifconfig", "-l").stdout.split():
        if CONFORMANCE_IFNAME.fullmatch(name):
            sh("ifconfig", name, "destroy")
    for table in _conformance_tables():
        sh("pfctl", "-t", table, "-T", "kill")
    for anchor in sorted(_conformance_anchors(), key=lambda a: -a.count("/")):  # deepest first
        for what in ("rules", "nat", "Tables"):
            sh("pfctl", "-a", anchor, "-F", what)


def leftovers() -> list[str]:
    """What :func:`sweep` should have removed and is still there."""
    found = [f"jail {j}" for j in live_test_jails()]
    names = sh("ifconfig", "-l").stdout.split()
    found += [f"interface {n} ({d})" for n, (d, g) in interface_blocks(sh("ifconfig").stdout).items() if _ours(d, g)]
    found += [f"bridge {b}" for b in (BRIDGE, BRIDGE6, SPARE_BRIDGE) if b in names]
    if sh("pfctl", "-t", TABLE, "-T", "show").returncode == 0:  # 255 "Table does not exist." when gone
        found.append(f"pf table {TABLE}")
    found += [f"interface {n}" for n in names if CONFORMANCE_IFNAME.fullmatch(n)]
    found += [f"pf table {t}" for t in _conformance_tables()]
    found += [f"pf anchor {a}" for a in _conformance_anchors()]
    return found


def sweep_until_clean(attempts: int = 3) -> list[str]:
    """Sweep, and again while something is left (a jail's vnet can take a moment to go)."""
    left: list[str] = []
    for attempt in range(attempts):
        if attempt:
            time.sleep(1)
        sweep()
        left = leftovers()
        if not left:
            break
    return left


# --- forwarding -------------------------------------------------------------------------------


FORWARDING = ("net.inet.ip.forwarding", "net.inet6.ip6.forwarding")


def _forwarding() -> str:
    """Both switches, ``"1 0"``: ``sysctl -n`` prints one value a line."""
    return " ".join(sh("sysctl", "-n", *FORWARDING).stdout.split())


def record_forwarding() -> str:
    """The values to restore: from the file an interrupted session left, else the current ones."""
    try:
        saved = FORWARDING_FILE.read_text().strip()
    except FileNotFoundError:
        saved = ""
    if re.fullmatch(r"[01] [01]", saved):
        return saved
    value = _forwarding()
    FORWARDING_FILE.write_text(value + "\n")
    return value


def restore_forwarding(value: str) -> None:
    if re.fullmatch(r"[01] [01]", value) and _forwarding() != value:
        sh("sysctl", *(f"{name}={v}" for name, v in zip(FORWARDING, value.split(), strict=True)))
    FORWARDING_FILE.unlink(missing_ok=True)


# --- the session's cleanup, also from atexit and signals --------------------------------------


class Cleanup:
    """Sweeps and the forwarding restore, safe to call from a finalizer, atexit or twice."""

    def __init__(self) -> None:
        self.armed = False
        self.busy = False
        self.forwarding = ""

    def sweep(self) -> list[str]:
        self.busy = True
        try:
            return sweep_until_clean()
        finally:
            self.busy = False

    def finish(self) -> list[str]:
        if not self.armed:
            return []
        self.busy = True
        try:
            self.armed = False
            left = sweep_until_clean()
            restore_forwarding(self.forwarding)
            return left
        finally:
            self.busy = False


CLEANUP = Cleanup()
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if CLEANUP.busy:
        sys.stderr.write(f"\ntests/freebsd: signal {signum} while cleaning up; finishing the cleanup first\n")
        return
    raise KeyboardInterrupt(f"signal {signum}")


def _exclusive() -> IO[str]:
    """One session at a time: a second one's sweep would remove the first one's jails."""
    handle = LOCK_FILE.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        pytest.fail(f"another tests/freebsd session holds {LOCK_FILE}; run one at a time", pytrace=False)
    return handle


@pytest.fixture(scope="session")
def real_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session on a real host: lock, self-heal, cleanup hooks; yields the config file."""
    if SKIP_REASON is not None:  # never reached when the module was skipped; a second guard
        pytest.skip(SKIP_REASON)
    lock = _exclusive()
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    atexit.register(CLEANUP.finish)
    try:
        for sig in _SIGNALS:
            signal.signal(sig, _on_signal)
        CLEANUP.forwarding = record_forwarding()
        CLEANUP.armed = True
        left = CLEANUP.sweep()  # self-heal: what an interrupted run left behind
        if left:
            pytest.fail("cannot clean up what an earlier run left: " + "; ".join(left), pytrace=False)
        config = tmp_path_factory.mktemp("jnettest") / "jailnet.toml"
        config.write_text(CONFIG)
        yield config
    finally:
        left = CLEANUP.finish()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        atexit.unregister(CLEANUP.finish)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        if left:
            sys.stderr.write("tests/freebsd: could not remove: " + "; ".join(left) + "\n")


@pytest.fixture(autouse=True)
def clean_after_each_test(real_host: Path) -> Iterator[None]:
    """Every test starts from a host without test objects and leaves it so, pass or fail: no
    bridge, so each test's first container makes it."""
    yield
    left = CLEANUP.sweep()
    assert not left, "cleanup left: " + "; ".join(left)


@pytest.fixture
def jnet_env(real_host: Path, tmp_path: Path) -> dict[str, str]:
    """The hooks' whole environment, as a bundle's hook ``env`` gives it: PATH, the test
    configuration and a fresh state directory (root, 0700, as ``jailnet doctor`` wants it)."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    state.chmod(0o700)  # mkdir's mode is masked by the umask
    return {"PATH": PATH, "JAILNET_CONFIG": str(real_host), "JAILNET_STATE_DIR": str(state)}


JailFactory = Callable[..., str]


@pytest.fixture
def make_jail(real_host: Path, tmp_path: Path) -> Iterator[JailFactory]:
    """``make_jail(vnet=True)``: a persistent jail ``jnt-<8 hex>`` as runj makes one — an empty
    root with ``/etc`` at ``<bundle>/root`` — and its name, which is the container id. Removed
    with ``jail -r`` after the test (the sweep catches any that survive)."""
    made: list[str] = []

    def make(*, vnet: bool = True) -> str:
        name = f"{JAIL_PREFIX}{secrets.token_hex(4)}"
        root = (tmp_path / "bundles" / name / "root").resolve()
        (root / "etc").mkdir(parents=True)
        # Parameters on the command line: jail(8) reads no jail.conf for this form (jail.c main).
        result = sh("jail", "-c", f"name={name}", f"path={root}", *(["vnet"] if vnet else []), "persist")
        if result.returncode != 0:
            pytest.fail(f"jail -c {name}: exit {result.returncode}: {result.stderr.strip()}", pytrace=False)
        made.append(name)
        return name

    yield make
    for name in made:
        if name in live_test_jails():
            sh("jail", "-r", name)
