"""A test bed for OCI hooks: a simulated FreeBSD host prepared for jailnet, and the real
``jailnet`` entry point run in process against it with synthetic state JSON.

Bundle authors can use it to check what their hook configuration does::

    bed = HookBed(tmp_path)
    bed.jail("web")
    assert bed.hook("createRuntime", "web")[0] == 0
    bed.host(("ifconfig", "-j", "web"))
"""

import io
import json
from pathlib import Path

from hooks.testing.host import PF_CONF, SimulatedHost, populate_rootfs


class HookBed:
    """A simulated FreeBSD host prepared as the README asks (pf with the NAT rule and a persistent
    table), a state dir, and the real ``jailnet`` entry point run in process against it."""

    def __init__(self, tmp: Path, release: str = "14.2-RELEASE", config: str | None = None) -> None:
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.host = SimulatedHost.freebsd(release)
        loaded = self.host(("pfctl", "-f", "-"), stdin=PF_CONF)
        if loaded.returncode != 0:
            raise RuntimeError(f"cannot load pf.conf on the simulated host: {loaded.stderr}")
        self.state_dir = tmp / "state"
        resolv = tmp / "host-resolv.conf"
        resolv.write_text("search example.org\nnameserver 127.0.0.1\nnameserver 192.0.2.53\n")
        self.env = {"JAILNET_STATE_DIR": str(self.state_dir), "JAILNET_RESOLV_CONF": str(resolv)}
        if config is not None:
            (tmp / "jailnet.toml").write_text(config)
            self.env["JAILNET_CONFIG"] = str(tmp / "jailnet.toml")
        self.host.clear_log()

    def jail(self, name: str, *, vnet: bool = True, binaries: tuple[str, ...] = ()) -> Path:
        """A jail as runj makes it; its root ships ``binaries``."""
        root = populate_rootfs(self.tmp / "bundles" / name / "root", binaries)
        self.host.create_jail(name, str(root), vnet=vnet, hostname=name)
        return root

    @staticmethod
    def state(cid: str, annotations: dict[str, str] | None = None, status: str = "creating") -> bytes:
        doc: dict[str, object] = {"ociVersion": "1.0.2-runj-dev", "id": cid, "status": status, "pid": 4242,
                                  "bundle": f"/var/lib/bundles/{cid}"}
        if annotations:
            doc["annotations"] = annotations
        return json.dumps(doc, separators=(",", ":")).encode()

    def hook(self, kind: str, cid: str, annotations: dict[str, str] | None = None, *args: str,
             raw: bytes | None = None) -> tuple[int, str, str]:
        """``jailnet hook KIND [args]`` with runj's state JSON on stdin: (exit, stdout, stderr)."""
        from hooks.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = main(["hook", kind, *args], stdin=raw if raw is not None else self.state(cid, annotations),
                    stdout=out, stderr=err, environ=self.env, run=self.host)
        return code, out.getvalue(), err.getvalue()

    def files(self) -> dict[str, str]:
        """The state dir's leases and records (lock files and caches aside)."""
        if not self.state_dir.exists():
            return {}
        return {p.relative_to(self.state_dir).as_posix(): p.read_text() for p in sorted(self.state_dir.rglob("*"))
                if p.is_file() and p.name not in ("lock", "host.json", "config.json", "last_reserved")
                and p.suffix != ".lock"}

    def mutations(self) -> list[list[str]]:
        """The commands run so far that can change the host (listings and lookups left out)."""
        from hooks.testing.programs import PROGRAMS

        return [i.argv for i in self.host.log if PROGRAMS[i.argv[0]].mutating(i.argv[1:])]
