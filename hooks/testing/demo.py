"""``jailnet demo``: three containers get Docker-style networking on a simulated FreeBSD host.

The host is prepared as the manual steps prepare it (docs/walkthrough.md: pf with the NAT rule for
``<jail-nat>`` on em0), then :class:`FakeRunj` creates three jails the way runj does and runs
the real ``jailnet`` executable as their createRuntime hook — state JSON on stdin, an ``env``
that is the hook's whole environment — exactly as a bundle's config.json would have runj do.
The demo prints what an admin would look at, removes the jails, runs poststop, and shows the
host clean again.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from hooks.system import SubprocessRunner
from hooks.testing.host import PF_CONF, SimulatedHost
from hooks.testing.runtime import FakeRunj

RELEASE = "14.2-RELEASE"
HOST_RESOLV_CONF = "search example.org\nnameserver 127.0.0.1\nnameserver 192.0.2.53\n"
CONTAINERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("web", {"org.jailnet.ports": "8080:80"}),
    ("db", {}),
    ("cache", {"org.jailnet.ipv4": "172.17.0.50", "org.jailnet.nameservers": "192.0.2.1,192.0.2.2"}),
)


def jailnet_executable() -> list[str]:
    """The installed ``jailnet`` script (absolute, as a hook path must be), else this Python
    running the package."""
    here = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(here) == "jailnet" and os.access(here, os.X_OK):
        return [here]
    found = shutil.which("jailnet")
    return [found] if found else [sys.executable, "-m", "hooks"]


def demo(out: TextIO, *, keep: str | None = None) -> int:
    """Run the demo; 0 when every hook succeeded and the host ended clean."""
    with tempfile.TemporaryDirectory(prefix="jailnet-demo-") as tmp:
        directory = Path(keep) if keep else Path(tmp)
        return _demo(out, directory)


def _demo(out: TextIO, directory: Path) -> int:
    root = directory / "root"
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "pf.conf").write_text(PF_CONF)
    (root / "etc" / "resolv.conf").write_text(HOST_RESOLV_CONF)
    host = SimulatedHost.freebsd(RELEASE)
    host.state.root = str(root)
    log_file = directory / "jailnet.log"
    runj = FakeRunj.with_jailnet(directory, jailnet_executable(), host=host, timeout=30,
                                 env={"JAILNET_RESOLV_CONF": str(root / "etc" / "resolv.conf")},
                                 args=("--log-file", str(log_file)))
    shared, state_dir = runj.shared, directory / "state"
    run = SubprocessRunner(path=shared.path)

    def sh(*argv: str, jail: str = "") -> str:
        result = run(argv)
        out.write(f"{jail + '#' if jail else '$'} {' '.join(argv)}\n{result.stdout}{result.stderr}")
        return result.stdout

    out.write(f"A simulated FreeBSD {RELEASE} host in {directory} (its tools: {shared.path})\n\n")
    out.write("== The host: pf with the NAT rule of the walkthrough and the calls of the published ports' "
              "anchors, and forwarding still off\n")
    out.write(f"$ cat /etc/pf.conf\n{PF_CONF}")
    sh("pfctl", "-f", "/etc/pf.conf")
    sh("pfctl", "-e")
    sh("sysctl", "net.inet.ip.forwarding")

    out.write("\n== Each container's config.json lists jailnet as its createRuntime and poststop hook:\n")
    shown = runj.create_runtime[0]
    out.write(f'   "path": {json.dumps(shown.path)}, "args": {json.dumps(list(shown.args[:-2]))}, '
              '"env": ["PATH=…", …], "timeout": 30\n')
    failures = 0
    for name, annotations in CONTAINERS:
        note = f" with annotations {json.dumps(annotations)}" if annotations else ""
        out.write(f"\n== runj create {name}{note}: the vnet jail, then the createRuntime hook\n")
        results = runj.create(name, annotations=annotations)
        for result in results:
            out.write(f"hook exit status {result.returncode}\n{result.stderr}")
            failures += result.returncode != 0

    out.write("\n== The host\n")
    sh("ifconfig")
    sh("sysctl", "net.inet.ip.forwarding")
    sh("pfctl", "-t", "jail-nat", "-T", "show")
    sh("pfctl", "-sn")
    sh("pfctl", "-a", "jailnet", "-sA")
    sh("pfctl", "-a", "jailnet/web", "-sn")
    sh("jls")
    for name, _ in CONTAINERS:
        out.write(f"\n== Inside {name}\n")
        sh("ifconfig", "-j", name, jail=name)
        sh("route", "-j", name, "-n", "get", "default", jail=name)
        resolv = runj.bundle(name) / "root" / "etc" / "resolv.conf"
        text = resolv.read_text() if resolv.exists() else "(none)\n"
        out.write(f"{name}# cat /etc/resolv.conf\n{text}")

    out.write(f"\n== What the hooks logged ({log_file})\n{log_file.read_text() if log_file.exists() else ''}")

    out.write("\n== runj delete: the jails go, then the poststop hooks\n")
    for name, annotations in CONTAINERS:
        for result in runj.delete(name, annotations=annotations):
            out.write(f"poststop {name}: exit status {result.returncode}\n{result.stderr}")
            failures += result.returncode != 0

    out.write("\n== The host is clean again\n")
    left = sh("ifconfig", "-l")
    table = sh("pfctl", "-t", "jail-nat", "-T", "show")
    anchors = sh("pfctl", "-a", "jailnet", "-sA")
    leftovers = sorted(p.relative_to(state_dir).as_posix() for p in state_dir.rglob("*")
                       if p.is_file() and p.name not in ("lock", "last_reserved", "host.json", "config.json")
                       and p.suffix != ".lock")
    out.write(f"$ ls -R {state_dir}  (leases and records)\n{chr(10).join(leftovers) or '(none)'}\n")
    clean = left.split() == ["em0", "lo0", "jailnet0"] and not table and not anchors and not leftovers
    out.write(f"\n{len(CONTAINERS)} containers attached and detached; "
              f"{'host clean' if clean else 'LEFTOVERS'}; {failures} hook failures.\n")
    return 0 if clean and not failures else 1
