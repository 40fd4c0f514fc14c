"""Real OCI runtimes run the installed ``jailnet`` hooks: runc, crun and containerd with ``ctr``.

Each test builds a busybox bundle whose ``createRuntime`` and ``poststop`` hooks are the installed
``jailnet hook …``, with an ``env`` that puts the simulated FreeBSD host's tools on PATH. The
test-kit hook (:mod:`hooks.testing.kit`) is listed first in both: it creates the jail before
jailnet's createRuntime and removes it before jailnet's poststop, as runj does around its hooks
(docs/runtimes.md §1). Observed runtime behaviour is in docs/runtimes.md §2-§4 and §6.

The container blocks on its stdin after printing ``up``: while it waits the test looks at the
simulated host (attached), then lets it finish and checks the host is clean. No test sends
network traffic: the containers only echo and read stdin, in their own empty network namespace.
runc's and crun's ``--root`` (and ``ctr --runc-root``) are under ``tmp_path``; containerd runs as
our own instance with its root, state and socket under ``tmp_path`` (only its shim sockets and
ctr's fifos go to ``/run/containerd``, where containerd 1.6 hard-codes them).

Skipped unless runc, crun, containerd, ctr, unshare and busybox are installed and we are root;
``.ci/run`` installs the Debian packages.
"""

import io
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hooks.cli import main
from hooks.naming import host_ifname, jail_ifname
from hooks.testing import SharedHost, SimulatedHost
from hooks.testing.host import PF_CONF

#: The runtimes' own PATH (no simulated tools): hooks with an ``env`` never see it.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SEARCH = f"{os.environ.get('PATH', '')}:{SYSTEM_PATH}"  # runc lives in /usr/sbin, not always on a user's PATH
TOOLS = {name: shutil.which(name, path=_SEARCH) for name in ("runc", "crun", "containerd", "ctr", "unshare",
                                                              "umount", "sh", "chroot", "sleep", "pgrep")}
BUSYBOX = shutil.which("busybox", path=_SEARCH)


def _why_skip() -> str | None:
    if not sys.platform.startswith("linux"):
        return "real OCI runtimes: Linux only"
    missing = [name for name, path in TOOLS.items() if path is None] + ([] if BUSYBOX else ["busybox"])
    if missing:
        return (f"real OCI runtimes: {', '.join(missing)} not installed "
                "(apt-get install runc crun containerd busybox-static; .ci/run does)")
    if os.geteuid() != 0:
        return "real OCI runtimes: rootful runc, crun and containerd need root"
    return None


if (_reason := _why_skip()) is not None:
    if os.environ.get("JAILNET_REQUIRE_RUNTIMES"):  # CI installs them: a skip there would hide a broken setup
        raise RuntimeError(_reason)
    pytest.skip(_reason, allow_module_level=True)

pytestmark = pytest.mark.slow

#: Generous bound for one runtime command (hooks have ``timeout: 30``); never reached when all is well.
WAIT = 60.0
#: The container: say it runs, block until the test has looked, then show what jailnet wrote.
GATED = ["sh", "-c", 'echo up; read -r word; echo "released $word"; cat /etc/resolv.conf']


def hybrid_cgroup2() -> str | None:
    """The cgroup2 mount point of a hybrid v1 + v2 host (crun 1.8.1 refuses to run there,
    docs/runtimes.md §6), or None."""
    v1, v2 = False, None
    with open("/proc/self/mounts") as mounts:
        for line in mounts:
            _, point, fstype, *_ = line.split()
            if fstype == "cgroup":
                v1 = True
            elif fstype == "cgroup2" and point != "/sys/fs/cgroup":
                v2 = point
    return v2 if v1 else None


HYBRID = hybrid_cgroup2()


@dataclass
class Runtime:
    """runc or crun with its state under the test's directory."""

    name: str
    root: Path

    def argv(self, *args: str) -> list[str]:
        base = [str(TOOLS[self.name]), "--root", str(self.root), *args]
        if self.name == "crun" and HYBRID:
            # A private mount namespace without the cgroup2 mount: crun sees plain cgroup v1 and the
            # host's mounts are untouched (docs/runtimes.md §6).
            script = f'{TOOLS["umount"]} -l {HYBRID} && exec "$@"'
            return [str(TOOLS["unshare"]), "-m", "--propagation", "private", str(TOOLS["sh"]), "-c", script,
                    "crun", *base]
        return base

    def status(self, cid: str) -> str:
        proc = subprocess.run(self.argv("state", cid), capture_output=True, text=True, timeout=WAIT, check=False)
        return str(json.loads(proc.stdout)["status"]) if proc.returncode == 0 else f"error: {proc.stderr.strip()}"

    def listed(self) -> list[str]:
        proc = subprocess.run(self.argv("list", "-q"), capture_output=True, text=True, timeout=WAIT, check=False)
        return proc.stdout.split()

    def force_delete(self, cid: str) -> None:
        subprocess.run(self.argv("delete", "-f", cid), capture_output=True, timeout=WAIT, check=False)


class _LabEnv:
    """The default ``env`` of a hook: the lab's (the simulated tools' PATH, state dir, resolv.conf)."""


LAB_ENV = _LabEnv()
Env = Sequence[str] | None | _LabEnv
"""A hook's ``env``: :data:`LAB_ENV`, a list, or None for no ``env`` key (inherit the runtime's)."""


@dataclass
class Lab:
    """The simulated host, jailnet's state dir and log, and bundles wired to them."""

    tmp: Path
    shared: SharedHost
    jailnet: list[str]
    template: Path
    env: list[str] = field(default_factory=list)

    @property
    def state_dir(self) -> Path:
        return self.tmp / "jailnet-state"

    @property
    def log(self) -> Path:
        return self.tmp / "jailnet.log"

    def jailnet_hook(self, kind: str, *, env: Env = LAB_ENV, args: Sequence[str] = (),
                     timeout: int = 30) -> dict[str, Any]:
        """A jailnet entry logging to the lab's log file."""
        path, *prefix = self.jailnet
        # runc and crun exec path with all of args: args[0] is argv[0] (runj drops it, docs/runtimes.md §2).
        hook: dict[str, Any] = {"path": path, "args": [path, *prefix, "hook", kind, "--log-file", str(self.log),
                                                       *args], "timeout": timeout}
        return self._with_env(hook, env)

    def kit_hook(self, mode: str, *, env: Env = LAB_ENV) -> dict[str, Any]:
        # argv[0] must be the absolute interpreter: Python finds its venv from argv[0], and a bare
        # "python3" is looked up on the runtime's PATH (a pyenv shim, the system Python, or nothing).
        words = [mode] if mode == "fail" else [mode, str(self.shared.directory)]
        hook: dict[str, Any] = {"path": sys.executable, "args": [sys.executable, "-m", "hooks.testing.kit", *words],
                                "timeout": 30}
        return self._with_env(hook, env)

    def _with_env(self, hook: dict[str, Any], env: Env) -> dict[str, Any]:
        if isinstance(env, _LabEnv):
            hook["env"] = list(self.env)
        elif env is not None:
            hook["env"] = list(env)
        return hook

    def hooks(self, *, env: Env = LAB_ENV, after: Sequence[dict[str, Any]] = (),
              jailnet_args: Sequence[str] = ()) -> dict[str, list[dict[str, Any]]]:
        """kit, jailnet, then ``after`` on createRuntime; kit then jailnet on poststop (runj's order)."""
        return {
            "createRuntime": [self.kit_hook("jail-create", env=env),
                              self.jailnet_hook("createRuntime", env=env, args=jailnet_args), *after],
            "poststop": [self.kit_hook("jail-remove", env=env),
                         self.jailnet_hook("poststop", env=env, args=jailnet_args)],
        }

    def bundle(self, cid: str, hooks: Mapping[str, list[dict[str, Any]]], *, args: Sequence[str] = GATED,
               annotations: Mapping[str, str] | None = None, absolute_root: bool = False) -> Path:
        """A busybox bundle: ``runc spec``'s config with our process, hooks and annotations."""
        bundle = self.tmp / "bundles" / cid
        shutil.copytree(self.template / "rootfs", bundle / "rootfs", symlinks=True)
        config = json.loads((self.template / "config.json").read_text())
        config["process"]["terminal"] = False
        config["process"]["args"] = list(args)
        config["hostname"] = cid
        config["root"] = {"path": str(bundle / "rootfs") if absolute_root else "rootfs", "readonly": True}
        config["hooks"] = dict(hooks)
        if annotations:
            config["annotations"] = dict(annotations)
        (bundle / "config.json").write_text(json.dumps(config, indent="\t"))
        return bundle

    # -- looking at the host ------------------------------------------------------------------

    def jailnet_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """An administrator's ``jailnet ARGS`` on the same host and state: in this process (the
        runtimes run the executable; this only looks, and it runs dozens of times)."""
        out, err = io.StringIO(), io.StringIO()
        code = main(list(args), stdout=out, stderr=err, run=self.shared,
                    environ={"PATH": self.shared.path, "JAILNET_STATE_DIR": str(self.state_dir)})
        return subprocess.CompletedProcess(["jailnet", *args], code, out.getvalue(), err.getvalue())

    def listing(self) -> list[dict[str, Any]]:
        proc = self.jailnet_cli("ls", "--json")
        assert proc.returncode == 0, proc.stderr
        result: list[dict[str, Any]] = json.loads(proc.stdout)
        return result

    def assert_attached(self, cid: str, address: str | None = None) -> str:
        """jailnet's work for ``cid`` is on the host; returns the container's address."""
        (entry,) = [e for e in self.listing() if e["id"] == cid]
        assert (entry["state"], entry["alive"], entry["jail"]) == ("up", True, cid)
        if address is not None:
            assert entry["address"] == address
        sh = self.shared
        assert f"\tmember: {host_ifname(cid)} " in sh(("ifconfig", "jailnet0")).stdout
        jail_end = sh(("ifconfig", "-j", cid, jail_ifname(cid))).stdout
        assert f"\tinet {entry['address']} netmask 0xffff0000 " in jail_end
        assert entry["address"] in sh(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
        return str(entry["address"])

    def assert_clean(self) -> None:
        """No jail, no container interface, nothing in the pf table, no lease or record; gc agrees."""
        sh = self.shared
        assert sh(("jls", "name")).stdout == ""
        assert set(sh(("ifconfig", "-l")).stdout.split()) <= {"em0", "lo0", "jailnet0"}
        assert sh(("ifconfig", "-g", "jailnet")).stdout == ""
        assert sh(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
        assert self.listing() == []
        leftovers = [p.relative_to(self.state_dir).as_posix() for p in self.state_dir.glob("*/*/*")
                     if p.parent.parent.name == "networks" and p.name[0].isdigit()]
        leftovers += [p.name for p in self.state_dir.glob("containers/*.json")]
        assert leftovers == []
        gc = self.jailnet_cli("gc", "--dry-run")
        assert (gc.returncode, gc.stdout) == (0, "nothing to remove\n"), gc.stderr

    def logged(self, cid: str) -> str:
        return "".join(line for line in self.log.read_text().splitlines(keepends=True) if f" {cid}: " in line)


def read_line(proc: "subprocess.Popen[bytes]", timeout: float = WAIT) -> bytes:
    """One line of the container's stdout, or what there was when it closed or time ran out."""
    assert proc.stdout is not None
    fd, data, deadline = proc.stdout.fileno(), b"", time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data


def expect_up(proc: "subprocess.Popen[bytes]") -> None:
    """Wait until the container says it runs; on anything else stop the runtime and show its output."""
    line = read_line(proc)
    if line != b"up\n":
        proc.kill()
        proc.wait(timeout=WAIT)
        rest = proc.stdout.read() if proc.stdout is not None else b""
        pytest.fail(f"the container did not start: {(line + rest).decode(errors='replace')}")


def release(proc: "subprocess.Popen[bytes]") -> bytes:
    """Let the gated container finish: a word on its stdin, then its remaining output."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"go\n")
    proc.stdin.close()
    fd, out, deadline = proc.stdout.fileno(), b"", time.monotonic() + WAIT
    while time.monotonic() < deadline and select.select([fd], [], [], deadline - time.monotonic())[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
    return out


def stop(proc: "subprocess.Popen[bytes]") -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=WAIT)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def new_id(kind: str) -> str:
    return f"jn-{kind}-{secrets.token_hex(4)}"


def no_process_mentions(marker: str) -> bool:
    proc = subprocess.run([str(TOOLS["pgrep"]), "-a", "-f", marker], capture_output=True, text=True, check=False)
    return proc.returncode == 1 and proc.stdout == ""


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A busybox rootfs and the config.json ``runc spec`` writes (docs/runtimes.md §6)."""
    bundle = tmp_path_factory.mktemp("template")
    rootfs = bundle / "rootfs"
    for sub in ("bin", "proc", "sys", "dev", "tmp", "etc"):
        (rootfs / sub).mkdir(parents=True)
    shutil.copy2(str(BUSYBOX), rootfs / "bin" / "busybox")
    subprocess.run([str(TOOLS["chroot"]), str(rootfs), "/bin/busybox", "--install", "-s", "/bin"], check=True,
                   timeout=WAIT)
    subprocess.run([str(TOOLS["runc"]), "spec", "--bundle", str(bundle)], check=True, timeout=WAIT)
    return bundle


@pytest.fixture
def lab(tmp_path: Path, template: Path, jailnet_argv: list[str]) -> Lab:
    host = SimulatedHost.freebsd()
    host(("pfctl", "-f", "-"), stdin=PF_CONF)
    shared = SharedHost.create(tmp_path / "host", host)
    resolv = tmp_path / "host-resolv.conf"
    resolv.write_text("search example.org\nnameserver 192.0.2.53\n")
    lab = Lab(tmp_path, shared, jailnet_argv, template)
    lab.env = [f"PATH={shared.path}", f"JAILNET_STATE_DIR={lab.state_dir}", f"JAILNET_RESOLV_CONF={resolv}"]
    return lab


@pytest.fixture(params=["runc", "crun"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    rt = Runtime(request.param, tmp_path / f"{request.param}-root")
    yield rt
    for cid in rt.listed():  # whatever a failed test left behind
        rt.force_delete(cid)


def runtime_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The runtime's own environment: the system PATH, nothing of the simulated host."""
    return {"PATH": SYSTEM_PATH, **(extra or {})}


# -- the lifecycle ----------------------------------------------------------------------------


def test_run_attaches_while_the_container_runs_and_cleans_up(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-run")
    bundle = lab.bundle(cid, lab.hooks(), annotations={"org.jailnet.ipv4": "172.17.0.50"})
    proc = subprocess.Popen(runtime.argv("run", "--bundle", str(bundle), cid), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=runtime_env())
    try:
        expect_up(proc)
        assert runtime.status(cid) == "running"
        assert lab.assert_attached(cid, "172.17.0.50") == "172.17.0.50"
        out = release(proc)
        assert proc.wait(timeout=WAIT) == 0, out
    finally:
        stop(proc)
    # createRuntime ran before pivot_root, on the very directory the container uses as its root.
    assert out.decode() == (f"released go\n# Generated by jailnet for container {cid}\n"
                            "search example.org\nnameserver 192.0.2.53\n")
    assert runtime.listed() == []
    lab.assert_clean()
    log = lab.logged(cid)
    assert f"createRuntime {cid}: attached: " in log and f"poststop {cid}: detached" in log


def test_create_start_delete(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-csd")
    bundle = lab.bundle(cid, lab.hooks())
    create = subprocess.Popen(runtime.argv("create", "--bundle", str(bundle), cid), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=runtime_env())
    try:
        # The container's init keeps create's stdio; create itself returns once the hooks have run.
        assert create.wait(timeout=WAIT) == 0
        assert runtime.status(cid) == "created"
        address = lab.assert_attached(cid)

        start = subprocess.run(runtime.argv("start", cid), capture_output=True, text=True, timeout=WAIT,
                               env=runtime_env(), check=False)
        assert (start.returncode, start.stderr) == (0, "")
        expect_up(create)
        assert runtime.status(cid) == "running"
        assert lab.assert_attached(cid) == address
        assert release(create).startswith(b"released go\n")

        deadline = time.monotonic() + WAIT  # the output closed; the runtime notices the exit soon after
        while runtime.status(cid) != "stopped" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert runtime.status(cid) == "stopped"
        lab.assert_attached(cid)  # a stopped container keeps its network until delete runs poststop
        delete = subprocess.run(runtime.argv("delete", cid), capture_output=True, text=True, timeout=WAIT,
                                env=runtime_env(), check=False)
        assert (delete.returncode, delete.stderr) == (0, "")
    finally:
        stop(create)
    assert runtime.listed() == []
    lab.assert_clean()


CONTAINERD_CONFIG = """\
version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{d}/containerd.sock"

[ttrpc]
  address = "{d}/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
"""


@pytest.fixture
def containerd(tmp_path: Path) -> Iterator[list[str]]:
    """Our own containerd (CRI off, everything under tmp_path); yields the ``ctr`` command prefix."""
    directory = tmp_path / "ctrd"
    directory.mkdir()
    (directory / "config.toml").write_text(CONTAINERD_CONFIG.format(d=directory))
    ctr = [str(TOOLS["ctr"]), "--address", str(directory / "containerd.sock"), "--namespace", "jailnet-test"]
    with open(directory / "containerd.log", "wb") as log:
        daemon = subprocess.Popen([str(TOOLS["containerd"]), "--config", str(directory / "config.toml")],
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=runtime_env())
    try:
        for _ in range(200):  # bounded: containerd answers within a few tenths of a second
            if daemon.poll() is not None:
                pytest.fail(f"containerd exited: {(directory / 'containerd.log').read_text()[-2000:]}")
            if subprocess.run([*ctr, "version"], capture_output=True, timeout=WAIT, check=False).returncode == 0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("containerd did not answer within 10 s")
        yield ctr
    finally:
        if daemon.poll() is None:  # a failed test's task: its shim would outlive containerd
            for kind in ("tasks", "containers"):
                listed = subprocess.run([*ctr, kind, "ls", "-q"], capture_output=True, text=True, timeout=WAIT,
                                        check=False).stdout.split()
                for cid in listed:
                    subprocess.run([*ctr, kind, "rm", *(["-f"] if kind == "tasks" else []), cid],
                                   capture_output=True, timeout=WAIT, check=False)
        daemon.terminate()
        try:
            daemon.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=WAIT)


def test_ctr_run_with_containerd(lab: Lab, containerd: list[str], tmp_path: Path) -> None:
    cid = new_id("ctr")
    bundle = lab.bundle(cid, lab.hooks(), annotations={"org.jailnet.ipv4": "172.17.0.60"}, absolute_root=True)
    argv = [*containerd, "run", "--rm", "--runc-root", str(tmp_path / "ctr-runc-root"),
            "--config", str(bundle / "config.json"), "--runtime", "io.containerd.runc.v2", cid]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=runtime_env())
    try:
        expect_up(proc)
        # containerd passes the spec's annotations on; the jail's root is the spec's root.path
        assert lab.assert_attached(cid, "172.17.0.60") == "172.17.0.60"
        assert lab.shared(("jls", "-j", cid, "path")).stdout == f"{bundle / 'rootfs'}\n"
        out = release(proc)
        assert proc.wait(timeout=WAIT) == 0, out
    finally:
        stop(proc)
    assert out.decode().startswith(f"released go\n# Generated by jailnet for container {cid}\n")
    lab.assert_clean()
    # containerd's own bundle directory (the state JSON's "bundle") was removed: nothing was written in it
    assert not list((tmp_path / "ctrd" / "state").glob(f"io.containerd.runtime.v2.task/*/{cid}"))
    tasks = subprocess.run([*containerd, "containers", "ls", "-q"], capture_output=True, text=True, timeout=WAIT,
                           check=False)
    assert (tasks.returncode, tasks.stdout) == (0, "")


# -- failures and timeouts ----------------------------------------------------------------------


def run_to_end(runtime: Runtime, bundle: Path, cid: str,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``run`` of a container that never gets to start (a createRuntime hook fails)."""
    return subprocess.run(runtime.argv("run", "--bundle", str(bundle), cid), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=WAIT, env=env or runtime_env(), check=False)


def remove_jail(lab: Lab, cid: str, bundle: Path) -> None:
    """What runj does to the jail of a failed create (HEAD) or at delete: the kit's jail-remove."""
    state = json.dumps({"ociVersion": "1.0.2", "id": cid, "status": "stopped", "bundle": str(bundle)})
    proc = subprocess.run([sys.executable, "-m", "hooks.testing.kit", "jail-remove", str(lab.shared.directory)],
                          input=state, capture_output=True, text=True, timeout=WAIT, check=False)
    assert (proc.returncode, proc.stderr) == (0, "")


def assert_gc_restores(lab: Lab, cid: str, bundle: Path) -> None:
    """crun ran no poststop: jailnet's work stays until the jail is gone and ``jailnet gc`` runs."""
    lab.assert_attached(cid)
    remove_jail(lab, cid, bundle)
    (entry,) = lab.listing()
    assert (entry["id"], entry["alive"]) == (cid, False)
    gc = lab.jailnet_cli("gc")
    assert (gc.returncode, gc.stdout, gc.stderr) == (0, f"removed record {cid}: jail {cid} is gone\n", "")
    lab.assert_clean()


def test_a_hook_after_jailnet_fails(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-fail")
    bundle = lab.bundle(cid, lab.hooks(after=[lab.kit_hook("fail")]), args=["true"])
    proc = run_to_end(runtime, bundle, cid)
    assert f"createRuntime {cid}: attached: " in lab.logged(cid)
    assert runtime.listed() == []
    if runtime.name == "runc":
        # runc runs the poststop hooks after a failed createRuntime (docs/runtimes.md §3).
        assert proc.returncode == 1
        assert "error running hook #2: error running hook: exit status 3" in proc.stderr
        assert "kit: failing on purpose with 3" in proc.stderr
        assert f"poststop {cid}: detached" in lab.logged(cid)
        lab.assert_clean()
    else:
        # crun does not, as runj does not: the network stays with the jail the kit made.
        assert proc.returncode == 255
        assert f"error executing hook `{sys.executable}` (exit code: 3)" in proc.stderr
        assert "poststop" not in lab.logged(cid)
        assert_gc_restores(lab, cid, bundle)


def test_jailnet_failing_rolls_back_its_own_work(lab: Lab, runtime: Runtime) -> None:
    before = SimulatedHost(lab.shared.snapshot()).observable()
    with lab.shared.edit() as host:
        host.fail_matching("pfctl", "*", "*", "-T", "add", "*")
    cid = new_id(f"{runtime.name}-rollback")
    bundle = lab.bundle(cid, lab.hooks(), args=["true"])
    proc = run_to_end(runtime, bundle, cid)
    log = lab.logged(cid)
    assert f"error: createRuntime {cid}: pfctl -t jail-nat -T add 172.17.0.2: " in log and "(undone)" in log
    if runtime.name == "runc":
        assert proc.returncode == 1
        assert f"jailnet: createRuntime {cid}: pfctl -t jail-nat -T add 172.17.0.2: " in proc.stderr
        assert f"poststop {cid}: detached" in log  # and found nothing left to do
    else:
        # crun reports only the hook's path and exit status; the hook's stderr is not shown.
        assert (proc.returncode, proc.stderr) == (255, f"error executing hook `{lab.jailnet[0]}` (exit code: 1)\n")
        assert "poststop" not in lab.logged(cid)
        lab.shared(("jls", "-j", cid, "jid"))  # the kit's jail is still there: runj HEAD would remove it
        remove_jail(lab, cid, bundle)
    assert SimulatedHost(lab.shared.snapshot()).observable() == before
    lab.assert_clean()


def test_a_hook_timeout(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-timeout")
    marker = f"0.{secrets.randbelow(10**9):09d}1"  # sleep sums its arguments: 9.0… s, findable by pgrep
    sleeper = {"path": str(TOOLS["sleep"]), "args": ["sleep", "9", marker], "timeout": 1}
    bundle = lab.bundle(cid, lab.hooks(after=[sleeper]), args=["true"])
    started = time.monotonic()
    proc = run_to_end(runtime, bundle, cid)
    elapsed = time.monotonic() - started
    assert elapsed < 8, proc.stderr  # the runtime killed the hook instead of waiting 9 s
    assert no_process_mentions(f"sleep 9 {marker}")
    assert no_process_mentions(cid)
    assert runtime.listed() == []
    assert f"createRuntime {cid}: attached: " in lab.logged(cid)
    if runtime.name == "runc":
        assert proc.returncode == 1
        assert "error running hook #2: hook ran past specified timeout of 1.0s" in proc.stderr
        lab.assert_clean()  # poststop ran
    else:
        assert (proc.returncode, proc.stderr) == (1, f"error executing hook `{TOOLS['sleep']}` (exit code: -1)\n"
                                                     f"timeout expired for `{TOOLS['sleep']}`\n")
        assert_gc_restores(lab, cid, bundle)


# -- the hook's environment ----------------------------------------------------------------------


def gated_run(lab: Lab, runtime: Runtime, cid: str, bundle: Path, env: Mapping[str, str]) -> str:
    """Run the gated container, check it is attached while it waits; its output after ``up``."""
    proc = subprocess.Popen(runtime.argv("run", "--bundle", str(bundle), cid), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(env))
    try:
        expect_up(proc)
        lab.assert_attached(cid)
        out = release(proc)
        assert proc.wait(timeout=WAIT) == 0, out
    finally:
        stop(proc)
    lab.assert_clean()
    return out.decode()


def test_hooks_without_env_inherit_the_runtimes_environment(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-noenv")
    bundle = lab.bundle(cid, lab.hooks(env=None))
    inherited = dict(item.split("=", 1) for item in lab.env)  # the sim's PATH, state dir, resolv.conf
    inherited["PATH"] += f":{SYSTEM_PATH}"
    out = gated_run(lab, runtime, cid, bundle, runtime_env(inherited))
    assert out.endswith("search example.org\nnameserver 192.0.2.53\n")


def test_without_env_the_runtimes_path_must_reach_the_simulated_tools(lab: Lab) -> None:
    runc = Runtime("runc", lab.tmp / "runc-root")
    cid = new_id("runc-nopath")
    bundle = lab.bundle(cid, lab.hooks(env=None), args=["true"])
    env = runtime_env({"JAILNET_STATE_DIR": str(lab.state_dir)})  # PATH: the Linux system's, no jls there
    try:
        proc = run_to_end(runc, bundle, cid, env)
    finally:
        runc.force_delete(cid)
    assert proc.returncode == 1
    assert "error running hook #1: error running hook: exit status 1" in proc.stderr
    assert f"jailnet: createRuntime {cid}: " in proc.stderr
    assert f"jls -j {cid} jid vnet path: jls: command not found" in proc.stderr
    lab.assert_clean()


def test_a_minimal_env(lab: Lab, runtime: Runtime) -> None:
    cid = new_id(f"{runtime.name}-minenv")
    # Only PATH; the state dir as an argument. resolv.conf then comes from this machine's /etc/resolv.conf.
    bundle = lab.bundle(cid, lab.hooks(env=[f"PATH={lab.shared.path}"],
                                       jailnet_args=["--state-dir", str(lab.state_dir)]))
    out = gated_run(lab, runtime, cid, bundle, runtime_env())
    assert out.startswith(f"released go\n# Generated by jailnet for container {cid}\n")
    assert "nameserver " in out
