"""createRuntime on a cluster network against a local etcd (docs/multi-host.md): the time, and the
round trips to the store.

A real etcd (Debian's ``etcd-server``; :mod:`hooks.testing.etcdserver` starts one on 127.0.0.1
with free ports and a temporary data directory) answers the hook's claims; the FreeBSD commands
are replayed by the stubs as in every other case. The network ``cluster`` (bridge ``jailnet2``,
``hosts = "self"``, so the names cost what they cost on a self network) is made ready by a first
container that jailnet itself attaches, which also claims the host's gateway. Before every run,
of the hook and of its floor alike and outside the timing, the measured container's claim is
deleted from the store, so each run makes its claim afresh, as a new container does.

The round trips are counted while the case is recorded, in process: every request the store
client makes (:meth:`hooks.etcd.Client._exchange`).
"""

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from benchmarks.scenarios import CONTAINER, FIRST, Case, Studio, state_json
from benchmarks.stubs import Recorded
from benchmarks.templates import Template
from hooks.cluster import Endpoint
from hooks.etcd import Client
from hooks.testing.etcdserver import EtcdServer, binary

NETWORK = "cluster"
PREFIX = "/bench"
NAME = "createRuntime on a cluster network"


@contextlib.contextmanager
def local_etcd(work: Path) -> Iterator[EtcdServer | None]:
    """A running etcd for the run, or None when none is installed (the case is then left out)."""
    executable = binary()
    if executable is None:
        yield None
        return
    server = EtcdServer(work / "etcd", executable)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def record_cluster(studio: Studio, floor: Recorded, server: EtcdServer) -> tuple[Case, int]:
    """The case, and how many requests the recorded create made to the store."""
    config = studio.work / "cluster.toml"
    config.write_text(f'[cluster]\nendpoints = ["{server.url}"]\nprefix = "{PREFIX}"\nhost = "bench"\n'
                      f'[networks.{NETWORK}]\nbridge = "jailnet2"\nsubnet = "10.91.0.0/16"\nhosts = "self"\n'
                      "cluster = true\n")
    env = (("JAILNET_CONFIG", str(config)),)
    host = studio.host(FIRST, CONTAINER)
    base = studio.work / "cluster-base-state"
    Template.empty().reset(base)
    studio.hook("createRuntime", FIRST, base, host, NETWORK, env)
    template = Template.capture(base)
    requests = 0
    exchange = Client._exchange

    def counted(self: Client, *args: object) -> object:
        nonlocal requests
        requests += 1
        return exchange(self, *args)  # type: ignore[arg-type]

    with mock.patch.object(Client, "_exchange", counted):
        recording = studio.record("createRuntime", host, template, "cluster", NETWORK, env)
    reset = forget(server, CONTAINER)
    reset()
    case = Case(NAME, "cluster", "createRuntime", 1, 8, template, recording, floor,
                state_json("createRuntime", CONTAINER, NETWORK), NETWORK, env, reset)
    return case, requests


def forget(server: EtcdServer, container_id: str) -> Callable[[], None]:
    """What deletes ``container_id``'s claims from the store, so that the next run makes them anew."""
    client = Client([Endpoint.parse(server.url, "bench")], budget=3600.0)

    def reset() -> None:
        for key, value in client.prefix(f"{PREFIX}/networks/{NETWORK}/").items():
            if f'"container":"{container_id}"' in value:
                client.delete_if(key, value)

    return reset
