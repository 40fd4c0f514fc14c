"""Every example bundle parses, asks runj for a vnet, lists jailnet's hooks correctly, passes
``jailnet bundle check``, is what ``jailnet bundle add`` makes of it, and works: its hooks, run as
runj runs them with the example host configuration (examples/jailnet.toml), attach and detach a
container on the simulated host."""

import io
import ipaddress
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import ocispec
from hooks import configfile
from hooks.cli import main
from hooks.netconf import DnsDefaults
from hooks.testing import SharedHost, SimulatedHost
from hooks.testing.host import PF_CONF
from hooks.testing.runtime import FakeRunj, HookEntry

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BUNDLES = sorted((EXAMPLES / "bundles").glob("*/config.json"))
#: The example host configuration (install as /usr/local/etc/jailnet/jailnet.toml).
HOST_CONFIG = EXAMPLES / "jailnet.toml"


def jailnet(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, environ={})
    return code, out.getvalue(), err.getvalue()


HOST_CONFIG_NETWORKS = configfile.load(str(HOST_CONFIG), resolver=DnsDefaults())


def test_there_are_examples() -> None:
    assert BUNDLES
    assert "backend" in HOST_CONFIG_NETWORKS.networks  # examples/jailnet.toml parses


@pytest.mark.parametrize("config", BUNDLES, ids=[p.parent.name for p in BUNDLES])
def test_bundle_check_passes(config: Path, tmp_path: Path) -> None:
    """With the example host configuration and jailnet where the hooks say (here: a copy whose
    hooks name an executable in tmp_path), the example is ready; where its /usr/local/bin/jailnet
    is missing, check says so, and nothing else."""
    installed = json.loads(config.read_text())["hooks"]["createRuntime"][0]["path"]
    stub = tmp_path / "bin" / "jailnet"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    copy = Path(shutil.copytree(config.parent, tmp_path / config.parent.name))
    (copy / "config.json").write_text(config.read_text().replace(json.dumps(installed), json.dumps(str(stub))))
    assert jailnet("bundle", "check", str(copy), "--config", str(HOST_CONFIG)) == (
        0, f"{copy}: ready for jailnet\n", "")
    if not os.path.exists(installed):
        code, out, err = jailnet("bundle", "check", str(config.parent), "--config", str(HOST_CONFIG))
        assert (code, [line.split(":")[0] for line in out.splitlines()], err) == (1, ["hook-path-missing"], "")


@pytest.mark.parametrize("config", BUNDLES, ids=[p.parent.name for p in BUNDLES])
def test_bundle_add_changes_nothing(config: Path, tmp_path: Path) -> None:
    """Each example is what ``jailnet bundle add`` makes of it, with its own jailnet path and timeout."""
    copy = shutil.copytree(config.parent, tmp_path / config.parent.name)
    entry = json.loads(config.read_text())["hooks"]["createRuntime"][0]
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    code, out, err = jailnet("bundle", "add", str(copy), "--jailnet", entry["path"], "--timeout", str(entry["timeout"]))
    assert (code, out, err) == (0, "nothing to change\n", "")
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before


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
        # The bundle's env has only PATH, so the host configuration comes from the default path on
        # FreeBSD; here JAILNET_CONFIG names examples/jailnet.toml (the README says to install it).
        env = [e for e in hook["env"] if not e.startswith("PATH=")]  # type: ignore[attr-defined]
        env += [f"PATH={shared.path}", f"JAILNET_STATE_DIR={tmp_path / 'state'}", f"JAILNET_CONFIG={HOST_CONFIG}"]
        return HookEntry(str(script), tuple(hook["args"]), tuple(env), hook.get("timeout"))  # type: ignore[arg-type]

    runj = FakeRunj(shared, tmp_path, create_runtime=[entry(h) for h in spec["hooks"]["createRuntime"]],
                    poststop=[entry(h) for h in spec["hooks"]["poststop"]])
    cid = config.parent.name
    annotations = spec.get("annotations") or {}
    results = runj.create(cid, annotations=annotations)
    assert [r.returncode for r in results] == [0], [r.stderr for r in results]
    shown = shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout.split()
    network = HOST_CONFIG_NETWORKS.networks[annotations.get("org.jailnet.network", "default")]
    assert len(shown) == (2 if network.dual_stack else 1)  # backend is dual stack: both addresses
    if "org.jailnet.ipv4" in annotations:
        assert shown[0] == annotations["org.jailnet.ipv4"]
    if network.dual_stack:  # the IPv6 address carries the IPv4 host number (docs/ipv6.md)
        assert network.subnet6 is not None
        number = int(ipaddress.IPv4Address(shown[0])) - int(network.subnet.network_address)
        assert shown[1] == str(network.subnet6.network_address + number)
    assert shared(("ifconfig", network.bridge)).returncode == 0
    resolv = (runj.bundle(cid) / "root" / "etc" / "resolv.conf").read_text().splitlines()
    if "org.jailnet.nameservers" in annotations:
        servers = annotations["org.jailnet.nameservers"].split(",")
        assert [line for line in resolv if line.startswith("nameserver ")] == [f"nameserver {s}" for s in servers]
    if "org.jailnet.search" in annotations:
        assert "search " + " ".join(annotations["org.jailnet.search"].split(",")) in resolv
    published = annotations.get("org.jailnet.ports", "")
    rules = shared(("pfctl", "-a", f"jailnet/{cid}", "-sn")).stdout.splitlines()
    rdr = [rule for rule in rules if rule.startswith("rdr ")]
    # each spec: a rule on the egress interface and its hairpin twin on the bridge; one reflection nat
    assert len(rdr) == 2 * len(published.split(",")) if published else rules == []
    assert all(rule.startswith(("rdr pass on em0 ", "rdr pass on jailnet0 "))
               and rule.endswith(f"-> {shown[0]} port 80") for rule in rdr)
    assert rules[:1] == ([f"nat on jailnet0 inet from any to {shown[0]} tagged jailnet_hairpin -> 172.17.0.1"]
                         if published else [])
    assert [r.returncode for r in runj.delete(cid)] == [0]
    assert shared(("ifconfig", "-g", "jailnet")).stdout == ""
    assert shared(("pfctl", "-t", "jail-nat", "-T", "show")).stdout == ""
    assert shared(("pfctl", "-a", f"jailnet/{cid}", "-sn")).stdout == ""
