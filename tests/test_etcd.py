"""hooks/etcd.py against a real etcd (Debian's etcd-server, which .ci/run installs) and against
sockets that are not one: claims that only one caller wins, release by the holder only, and
every way a store can fail, each in one bounded line."""

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from hooks.cluster import Endpoint, Tls
from hooks.errors import BadInput
from hooks.etcd import Client, StoreError, StoreUnavailable, prefix_end
from hooks.testing.etcdserver import Certificates, EtcdServer, binary, free_port

ETCD = binary()
needs_etcd = pytest.mark.skipif(ETCD is None and not os.environ.get("JAILNET_REQUIRE_ETCD"),
                                reason="no etcd on this machine (Debian: apt-get install etcd-server)")


def client_of(server: EtcdServer, **kwargs: float) -> Client:
    return Client([Endpoint.parse(server.url, "test")], **kwargs)  # type: ignore[arg-type]


@needs_etcd
def test_a_key_is_created_once_and_the_loser_learns_the_holder(etcd: EtcdServer) -> None:
    client = client_of(etcd)
    assert client.create("/t1/networks/n/10.0.0.2", "node1 web") is None
    assert client.create("/t1/networks/n/10.0.0.2", "node2 db") == "node1 web"
    assert client.get("/t1/networks/n/10.0.0.2") == "node1 web"
    assert client.get("/t1/networks/n/10.0.0.3") is None
    assert client.round_trips == 4


@needs_etcd
def test_of_many_callers_at_once_exactly_one_creates_the_key(etcd: EtcdServer) -> None:
    results: list[str | None] = []
    lock = threading.Lock()

    def claim(number: int) -> None:
        held = client_of(etcd).create("/t2/contended", f"node{number}")
        with lock:
            results.append(held)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r is None]
    assert len(results) == 16 and len(winners) == 1
    holder = client_of(etcd).get("/t2/contended")
    assert holder is not None and all(r == holder for r in results if r is not None)


@needs_etcd
def test_only_the_holder_releases_and_a_prefix_lists_exactly_its_keys(etcd: EtcdServer) -> None:
    client = client_of(etcd)
    for key, value in (("/t3/a/1", "x"), ("/t3/a/2", "y"), ("/t3/ab", "z"), ("/t3/b", "w")):
        assert client.create(key, value) is None
    assert client.prefix("/t3/a/") == {"/t3/a/1": "x", "/t3/a/2": "y"}
    assert client.delete_if("/t3/a/1", "not the holder") is False
    assert client.delete_if("/t3/a/1", "x") is True
    assert client.delete_if("/t3/a/1", "x") is False  # gone already
    assert client.prefix("/t3/") == {"/t3/a/2": "y", "/t3/ab": "z", "/t3/b": "w"}


@needs_etcd
def test_several_keys_are_created_all_or_none(etcd: EtcdServer) -> None:
    client = client_of(etcd)
    assert client.create_all(["/t8/a", "/t8/b"], "one") == {}
    assert client.create_all(["/t8/c", "/t8/b", "/t8/d"], "two") == {"/t8/b": "one"}
    assert client.prefix("/t8/") == {"/t8/a": "one", "/t8/b": "one"}  # c and d were not made
    with pytest.raises(StoreError, match="129 claims in one transaction, more than etcd's 128"):
        client.create_all([f"/t8/k{n}" for n in range(129)], "v")


@needs_etcd
def test_the_first_endpoint_refusing_the_next_one_answers(etcd: EtcdServer) -> None:
    dead = Endpoint.parse(f"http://127.0.0.1:{free_port()}", "test")
    client = Client([dead, Endpoint.parse(etcd.url, "test")])
    assert client.create("/t4/k", "v") is None
    assert client.status()["version"].startswith("3.")


@needs_etcd
def test_authentication(tmp_path: Path) -> None:
    """With auth on, a client logs in once per client (one round trip more) and sends its token."""
    assert ETCD is not None
    server = EtcdServer(tmp_path / "data", ETCD)
    server.start()
    try:
        ctl = [binary_of("etcdctl"), "--endpoints", server.url]
        for args in (["user", "add", "root:s3cret"], ["auth", "enable"]):
            done = subprocess.run([*ctl, *args], capture_output=True, text=True, check=False,
                                  env={**os.environ, "ETCDCTL_API": "3"})
            assert done.returncode == 0, done.stderr
        client = Client([Endpoint.parse(server.url, "test")], user="root", password="s3cret")
        assert client.create("/t6/k", "v") is None and client.get("/t6/k") == "v"
        assert client.round_trips == 3
        with pytest.raises(StoreError, match=r"^etcd 127\.0\.0\.1:\d+: authentication as root: .*invalid"):
            Client([Endpoint.parse(server.url, "test")], user="root", password="wrong").get("/t6/k")
        with pytest.raises(StoreError, match=r"user name is empty|token|permission|authenticat"):
            Client([Endpoint.parse(server.url, "test")]).get("/t6/k")  # no credentials
    finally:
        server.stop()


@needs_etcd
def test_tls_with_client_certificates(tmp_path: Path) -> None:
    """An https endpoint: the server's certificate is checked against the CA (its name included),
    and the client presents its own certificate, which the server requires."""
    assert ETCD is not None
    certs = Certificates(tmp_path / "pki")
    server = EtcdServer(tmp_path / "data", ETCD, tls=certs)
    server.start()
    try:
        endpoint = Endpoint.parse(server.url, "test")
        good = Tls(cacert=str(certs.ca), cert=str(certs.client), key=str(certs.client_key))
        assert Client([endpoint], tls=good).create("/t7/k", "v") is None
        with pytest.raises(StoreUnavailable, match=r"^etcd 127\.0\.0\.1:\d+: .*(certificate|handshake|alert)"):
            Client([endpoint], tls=Tls(cacert=str(certs.ca))).get("/t7/k")  # no client certificate
        with pytest.raises(StoreUnavailable, match=r"^etcd 127\.0\.0\.1:\d+: .*certificate verify failed"):
            Client([endpoint], tls=Tls(cert=str(certs.client), key=str(certs.client_key))).get("/t7/k")  # system CAs
    finally:
        server.stop()


def binary_of(name: str) -> str:
    assert ETCD is not None
    found = Path(ETCD).with_name(name)
    return str(found)


# --- stores that do not answer as etcd -------------------------------------------------------

def test_a_closed_port_is_connection_refused() -> None:
    port = free_port()
    with pytest.raises(StoreUnavailable) as info:
        Client([Endpoint.parse(f"http://127.0.0.1:{port}", "test")]).get("/k")
    assert str(info.value) == f"etcd 127.0.0.1:{port}: connection refused"


def test_a_store_that_accepts_and_never_answers_costs_one_timeout() -> None:
    """The kernel completes the connection from the listen backlog; nothing ever replies."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        port = hung.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            Client([Endpoint.parse(f"http://127.0.0.1:{port}", "test")], timeout=0.2).get("/k")
        waited = time.monotonic() - started
    assert str(info.value) == f"etcd 127.0.0.1:{port}: no answer in 0.2 s"
    assert waited < 5  # a bound, not a speed target: without the timeout this would hang


def test_the_budget_ends_every_wait() -> None:
    now = [100.0]
    client = Client([Endpoint.parse("http://127.0.0.1:1", "test")], budget=8.0, clock=lambda: now[0])
    now[0] = 108.5
    with pytest.raises(StoreUnavailable, match=r"^etcd 127\.0\.0\.1:1: out of time \(the hook waits at most 8 s"):
        client.get("/k")
    assert client.round_trips == 1  # it did not even connect


def serve_once(reply: bytes) -> int:
    """A one-shot server on 127.0.0.1 that answers any request with ``reply``; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def answer() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    return int(listener.getsockname()[1])


@pytest.mark.parametrize(("reply", "problem"), [
    (b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nNot Found\n",
     "HTTP 404 without a JSON body (not etcd's v3 gateway?)"),
    (b"SSH-2.0-OpenSSH_9.6\r\n", "not an HTTP reply ('SSH-2.0-OpenSSH_9.6')"),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n[]", "a reply that is not a JSON object"),
])
def test_something_that_is_not_etcd_is_unavailable_in_one_line(reply: bytes, problem: str) -> None:
    port = serve_once(reply)
    with pytest.raises(StoreUnavailable) as info:
        Client([Endpoint.parse(f"http://127.0.0.1:{port}", "test")]).get("/k")
    assert str(info.value) == f"etcd 127.0.0.1:{port}: {problem}"


def test_an_error_reply_is_a_store_error_with_etcds_message() -> None:
    body = b'{"error":"etcdserver: permission denied","message":"etcdserver: permission denied","code":7}'
    port = serve_once(b"HTTP/1.0 403 Forbidden\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    with pytest.raises(StoreError) as info:
        Client([Endpoint.parse(f"http://127.0.0.1:{port}", "test")]).get("/k")
    assert str(info.value) == f"etcd 127.0.0.1:{port}: etcdserver: permission denied (HTTP 403)"


def test_every_endpoint_is_named_when_none_answers() -> None:
    ports = [free_port(), free_port()]
    with pytest.raises(StoreUnavailable) as info:
        Client([Endpoint.parse(f"http://127.0.0.1:{p}", "test") for p in ports]).get("/k")
    assert str(info.value) == "; ".join(f"etcd 127.0.0.1:{p}: connection refused" for p in ports)


# --- the pure parts ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "name", "scheme"), [
    ("http://127.0.0.1:2379", "127.0.0.1:2379", "http"), ("https://etcd.example.org:2379/", "etcd.example.org:2379",
                                                          "https"),
    ("http://[fd00::1]:2379", "[fd00::1]:2379", "http")])
def test_endpoints(url: str, name: str, scheme: str) -> None:
    endpoint = Endpoint.parse(url, "cluster.endpoints")
    assert (endpoint.name, endpoint.scheme) == (name, scheme)


@pytest.mark.parametrize("url", ["127.0.0.1:2379", "http://127.0.0.1", "http://127.0.0.1:0", "http://h:70000",
                                 "unix:///run/etcd.sock", "http://h:2379/v3", "http://a b:2379", ""])
def test_bad_endpoints_are_bad_input(url: str) -> None:
    with pytest.raises(BadInput) as info:
        Endpoint.parse(url, "cluster.endpoints")
    assert str(info.value) == (f"cluster.endpoints: {url!r} is not an etcd client URL "
                               "(http://HOST:PORT or https://HOST:PORT)")


@pytest.mark.parametrize(("prefix", "end"), [("/jailnet/", b"/jailnet0"), ("a", b"b"), ("a\xff", b"a\xc3\xc0"),
                                             ("", b"\0")])
def test_the_end_of_a_prefix_range(prefix: str, end: bytes) -> None:
    assert prefix_end(prefix) == end
