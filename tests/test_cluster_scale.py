"""Three simulated hosts, one real etcd, creates in parallel through the executables: 96 distinct
addresses; etcd killed during a run; gc after its restart (docs/multi-host.md).

Marked ``scale``: about 120 hook processes, some 25 s of CPU, more than the README's test command
can spend within its budget. ``.ci/run`` runs them (``pytest -m scale``) after that command.
"""

import io
import json
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from hooks.cli import main
from hooks.cluster import Endpoint
from hooks.etcd import Client
from hooks.testing.etcdserver import EtcdServer, binary
from hooks.testing.runtime import FakeRunj

ETCD = binary()
pytestmark = [pytest.mark.scale,
              pytest.mark.skipif(ETCD is None and not os.environ.get("JAILNET_REQUIRE_ETCD"),
                                 reason="no etcd on this machine (Debian: apt-get install etcd-server)")]
SHARED = {"org.jailnet.network": "shared"}
#: Each host: its name, its gateway in the shared subnet, its underlay address (vxlanlocal).
HOSTS = (("node1", "10.90.0.1", "192.0.2.11"), ("node2", "10.90.1.1", "192.0.2.12"),
         ("node3", "10.90.2.1", "192.0.2.13"))
PER_HOST = 32
T = TypeVar("T")


@pytest.fixture
def etcd(tmp_path: Path) -> Iterator[EtcdServer]:
    assert ETCD is not None, "JAILNET_REQUIRE_ETCD is set but etcd is not installed"
    server = EtcdServer(tmp_path / "etcd", ETCD)
    server.start()
    yield server
    server.stop()


def cluster(tmp_path: Path, server: EtcdServer, jailnet_argv: list[str]) -> tuple[str, dict[str, FakeRunj]]:
    prefix = f"/t{uuid.uuid4().hex[:8]}"
    hosts = {}
    for name, gateway, local in HOSTS:
        conf = tmp_path / f"{name}.toml"
        conf.write_text(f'[cluster]\nendpoints = ["{server.url}"]\nprefix = "{prefix}"\nhost = "{name}"\n'
                        f'[networks.shared]\nbridge = "jailnet1"\nsubnet = "10.90.0.0/16"\ngateway = "{gateway}"\n'
                        "cluster = true\n"
                        f'vxlan = {{ id = 42, local = "{local}", group = "239.1.1.42", dev = "em0" }}\n')
        hosts[name] = FakeRunj.with_jailnet(tmp_path / name, jailnet_argv, env={"JAILNET_CONFIG": str(conf)},
                                            timeout=120)
    for runj in hosts.values():  # the rc.d script's gc at boot registers each host's gateway
        out, err = io.StringIO(), io.StringIO()
        assert main(["gc"], stdout=out, stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
        assert "registered the gateway of network shared in the store\n" in out.getvalue()
    return prefix, hosts


def parallel(jobs: "list[Callable[[], T]]") -> "list[T]":
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: job(), jobs))


def records(runj: FakeRunj) -> dict[str, dict[str, object]]:
    return {p.stem: json.loads(p.read_text()) for p in (runj.workdir / "state" / "containers").glob("*.json")}


def claims(server: EtcdServer, prefix: str) -> dict[str, dict[str, object]]:
    held = Client([Endpoint.parse(server.url, "test")]).prefix(f"{prefix}/networks/shared/inet/")
    return {key.rsplit("/", 1)[1]: json.loads(value) for key, value in held.items()}


def test_three_hosts_create_96_containers_at_once_with_96_addresses(
        tmp_path: Path, etcd: EtcdServer, jailnet_argv: list[str]) -> None:
    prefix, hosts = cluster(tmp_path, etcd, jailnet_argv)
    jobs = [lambda runj=runj, cid=f"{name}-c{n:02d}": runj.create(cid, annotations=SHARED)[0].returncode
            for n in range(PER_HOST) for name, runj in hosts.items()]
    assert parallel(jobs) == [0] * len(jobs)
    addresses = {cid: record["address"] for runj in hosts.values() for cid, record in records(runj).items()}
    assert len(addresses) == 96 and len(set(addresses.values())) == 96
    held = claims(etcd, prefix)
    assert {a: h["container"] for a, h in held.items() if "container" in h} == {a: c for c, a in addresses.items()}
    assert sorted(a for a, h in held.items() if h.get("gateway")) == sorted(g for _, g, _ in HOSTS)
    for name, runj in hosts.items():
        assert "\tmember: jnx42 " in runj.shared(("ifconfig", "jailnet1")).stdout  # the overlay on every bridge
        mine = {str(r["address"]) for r in records(runj).values()}
        assert {h["host"] for a, h in held.items() if a in mine} == {name}
        assert list((runj.workdir / "state" / "tombstones").glob("*")) == []


def test_etcd_killed_during_a_run_fails_cleanly_and_gc_heals_after_a_restart(
        tmp_path: Path, etcd: EtcdServer, jailnet_argv: list[str]) -> None:
    """12 creates at once; etcd SIGKILLed; then 12 more creates and 6 deletes at once. Each of the
    later creates fails with exit 1 and one line, leaving no record, lease or tombstone; each
    delete exits 0 and leaves a tombstone. After the restart, gc on every host releases what the
    tombstones name, and the store holds exactly the containers that are up."""
    prefix, hosts = cluster(tmp_path, etcd, jailnet_argv)
    first = [(runj, f"{name}-a{n}") for n in range(4) for name, runj in hosts.items()]
    results = parallel([lambda r=r, c=c: r.create(c, annotations=SHARED)[0] for r, c in first])
    assert [r.returncode for r in results] == [0] * 12, [r.stderr for r in results]
    etcd.stop()
    failed: list[str] = []

    def create(runj: FakeRunj, cid: str) -> int:
        result = runj.create(cid, annotations=SHARED)[0]
        failed.append(result.stderr)
        return result.returncode

    later = [(runj, f"{name}-b{n}") for n in range(4) for name, runj in hosts.items()]
    gone = first[:6]
    jobs = [lambda r=r, c=c: create(r, c) for r, c in later]
    jobs += [lambda r=r, c=c: r.delete(c, annotations=SHARED)[0].returncode for r, c in gone]
    assert parallel(jobs) == [1] * 12 + [0] * 6
    assert all(line == f"jailnet: createRuntime {line.split()[2]} etcd 127.0.0.1:{etcd.client_port}: connection "
               "refused\n" for line in failed), failed
    for runj in hosts.values():
        state = runj.workdir / "state"
        assert all(record["state"] == "up" for record in records(runj).values())
        assert {p.read_text().strip() for p in (state / "networks" / "shared").glob("10.*")} == set(records(runj))
        tombstones = sorted(p.stem for p in (state / "tombstones").glob("*.json"))
        assert tombstones == sorted(c for r, c in gone if r is runj)  # only the deletes left one
    etcd.start()
    for runj in hosts.values():
        err = io.StringIO()
        assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
        assert list((runj.workdir / "state" / "tombstones").glob("*")) == []
    up = {str(r["address"]): cid for runj in hosts.values() for cid, r in records(runj).items()}
    assert len(up) == 6
    held = claims(etcd, prefix)
    assert {a: h["container"] for a, h in held.items() if "container" in h} == up
