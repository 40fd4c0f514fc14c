"""Every example bundle parses, asks runj for a vnet, lists jailnet's hooks correctly, and works:
its hooks, run as runj runs them, attach and detach a container on the simulated host."""

import json
import sys
from pathlib import Path

import pytest

import ocispec
from hooks.testing import SharedHost, SimulatedHost
from hooks.testing.bed import PF_CONF
from hooks.testing.runtime import FakeRunj, HookEntry

BUNDLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "bundles").glob("*/config.json"))


def test_there_are_examples() -> None:
    assert BUNDLES


@pytest.mark.parametrize("config", BUNDLES, ids=[p.parent.name for p in BUNDLES])
def test_bundle_is_well_formed(config: Path) -> None:
    spec = ocispec.load_config(config.read_bytes())
    ext = ocispec.load_runj_extension((config.parent / "runj.ext.json").read_bytes())
    assert ext.network is not None and ext.network.vnet is not None and ext.network.vnet.mode == "new"
    assert not ext.network.vnet.interfaces  # jailnet makes the epair after the jail exists
    assert spec.freebsd is not None and spec.freebsd.jail is not None and spec.freebsd.jail.vnet == "new"
    assert spec.hooks is not None
    for kind, hooks in (("createRuntime", spec.hooks.create_runtime), ("poststop", spec.hooks.poststop)):
        (hook,) = hooks
        assert hook.path.startswith("/") and hook.args[:3] == ("jailnet", "hook", kind)
        assert hook.timeout is not None and hook.timeout > 0
        assert any(e.startswith("PATH=") and "/sbin" in e for e in hook.env)
    assert (config.parent / "README.md").exists()


@pytest.mark.parametrize("config", BUNDLES, ids=[p.parent.name for p in BUNDLES])
def test_bundle_hooks_attach_and_detach(config: Path, tmp_path: Path) -> None:
    spec = json.loads(config.read_text())
    host = SimulatedHost.freebsd()
    host(("pfctl", "-f", "-"), stdin=PF_CONF)
    shared = SharedHost.create(tmp_path / "host", host)
    script = Path(sys.executable).parent / "jailnet"
    if not script.exists():
        pytest.skip("jailnet is not installed next to this interpreter")

    def entry(hook: dict[str, object]) -> HookEntry:
        # The bundle's own args; the path and PATH point at this checkout's jailnet and the
        # simulated host's tools instead of /usr/local/bin and the base system.
        env = [e for e in hook["env"] if not e.startswith("PATH=")]  # type: ignore[attr-defined]
        env += [f"PATH={shared.path}", f"JAILNET_STATE_DIR={tmp_path / 'state'}"]
        return HookEntry(str(script), tuple(hook["args"]), tuple(env), hook.get("timeout"))  # type: ignore[arg-type]

    runj = FakeRunj(shared, tmp_path, create_runtime=[entry(h) for h in spec["hooks"]["createRuntime"]],
                    poststop=[entry(h) for h in spec["hooks"]["poststop"]])
    cid = config.parent.name
    results = runj.create(cid, annotations=spec.get("annotations") or {})
    assert [r.returncode for r in results] == [0], [r.stderr for r in results]
    assert shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.strip()
    assert [r.returncode for r in runj.delete(cid)] == [0]
    assert shared(("ifconfig", "-g", "jailnet")).stdout == ""
    assert shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
