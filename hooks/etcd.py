"""A small client for etcd's v3 API through its JSON gateway: what a cluster network's leases
and claims need, over one socket per request, with bounded waits (docs/multi-host.md).

etcd serves the gateway on its client URLs (etcd ``Documentation/dev-guide/api_grpc_gateway.md``;
``/v3/*`` from etcd 3.4 on, the only prefix from 3.5): each gRPC call is a ``POST`` of its
request message as JSON, keys and values base64-encoded (they are ``bytes`` in
``api/etcdserverpb/rpc.proto``), and the answer is the response message as JSON, 64-bit
integers as strings and fields at their default value left out (proto3's JSON mapping: a
transaction that failed has no ``succeeded``). An error is an HTTP status with
``{"error", "message", "code"}``.

Each request is one HTTP/1.0 exchange on its own connection: the server sends a
``Content-Length`` or closes the connection after the body, never a chunked body, so the
client needs neither ``http.client`` (with ``email`` and ``ssl``, some 35 ms of imports on a
hook's start path) nor keep-alive. ``ssl`` loads only for an ``https`` endpoint.

Waiting is bounded twice: every connect, send and receive waits at most :attr:`Client.timeout`,
and all of a client's requests together end by :attr:`Client.deadline`; a server that accepts
and never answers costs one timeout, not a hang. Endpoints are tried in turn; when none answers,
:class:`StoreUnavailable` says, in one line, what each did (``etcd 127.0.0.1:2379: connection
refused``).
"""

import binascii
import contextlib
import json
import re
import socket
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from hooks.cluster import Cluster, Endpoint, Tls
from hooks.errors import OperationFailed

if TYPE_CHECKING:
    import ssl

#: The most a reply may hold: a range over a cluster's claims (some 200 bytes a container).
MAX_REPLY = 64 << 20
#: The most operations one transaction may hold (etcd's default ``--max-txn-ops``, embed/config.go).
MAX_TXN_OPS = 128
#: Seconds one connect, send or receive may wait, and all of one client's requests together.
TIMEOUT = 2.0
BUDGET = 8.0


class StoreUnavailable(OperationFailed):
    """No endpoint answered (refused, unreachable, timed out, cut off, not etcd): exit 1."""


class StoreUnreachable(StoreUnavailable):
    """No endpoint could even be connected to: no request reached the store, so nothing changed
    there."""


class StoreError(OperationFailed):
    """An endpoint answered with an error (authentication, permission, a bad request): exit 1."""


# binascii, not base64: the base64 module brings struct along (some 1.5 ms on a hook's start).
def b64(data: str | bytes) -> str:
    """A key or value as the gateway takes it: base64 of its bytes (UTF-8 for text)."""
    return binascii.b2a_base64(data.encode() if isinstance(data, str) else data, newline=False).decode()


def unb64(text: str) -> str:
    return binascii.a2b_base64(text).decode(errors="replace")


def prefix_end(prefix: str) -> bytes:
    """The ``range_end`` that selects every key starting with ``prefix``: the prefix with its last
    byte plus one (etcdctl's ``--prefix``, clientv3 ``GetPrefixRangeEnd``)."""
    raw = bytearray(prefix.encode())
    while raw and raw[-1] == 0xFF:
        raw.pop()
    if not raw:
        return b"\0"  # every key
    raw[-1] += 1
    return bytes(raw)


class Client:
    """Requests to one cluster, within one deadline (a hook makes one client)."""

    def __init__(self, endpoints: Sequence[Endpoint], *, tls: Tls | None = None, user: str | None = None,
                 password: str | None = None, timeout: float = TIMEOUT, budget: float = BUDGET,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoints = tuple(endpoints)
        self.tls = tls
        self.user = user
        self.password = password
        self.timeout = timeout
        self.clock = clock
        self.deadline = clock() + budget
        self.round_trips = 0
        self._token: str | None = None
        self._context: ssl.SSLContext | None = None

    # --- the operations a cluster network uses -----------------------------------------------

    def create(self, key: str, value: str) -> str | None:
        """Put ``key`` only if it is absent, in one transaction: None when this call created it,
        else the value already there (who holds it)."""
        reply = self.call("/v3/kv/txn", {
            "compare": [{"key": b64(key), "target": "CREATE", "result": "EQUAL", "create_revision": "0"}],
            "success": [{"request_put": {"key": b64(key), "value": b64(value)}}],
            "failure": [{"request_range": {"key": b64(key)}}]})
        if reply.get("succeeded"):
            return None
        kvs = _first(reply).get("response_range", {}).get("kvs", [])
        return unb64(kvs[0].get("value", "")) if kvs else ""  # "": deleted again in between

    def create_all(self, keys: Sequence[str], value: str) -> dict[str, str]:
        """Put every key of ``keys`` with ``value`` only if none of them exists, in one transaction
        (at most :data:`MAX_TXN_OPS` keys: etcd's default ``--max-txn-ops``): {} when this call made
        them all, else the keys that exist with their values, and none was made."""
        if len(keys) > MAX_TXN_OPS:
            raise StoreError(f"etcd: {len(keys)} claims in one transaction, more than etcd's {MAX_TXN_OPS}")
        reply = self.call("/v3/kv/txn", {
            "compare": [{"key": b64(k), "target": "CREATE", "result": "EQUAL", "create_revision": "0"} for k in keys],
            "success": [{"request_put": {"key": b64(k), "value": b64(value)}} for k in keys],
            "failure": [{"request_range": {"key": b64(k)}} for k in keys]})
        if reply.get("succeeded"):
            return {}
        held = {}
        for response in reply.get("responses") or []:
            for kv in response.get("response_range", {}).get("kvs", []) if isinstance(response, dict) else []:
                held[unb64(kv["key"])] = unb64(kv.get("value", ""))
        return held

    def get(self, key: str) -> str | None:
        kvs = self.call("/v3/kv/range", {"key": b64(key)}).get("kvs", [])
        return unb64(kvs[0].get("value", "")) if kvs else None

    def prefix(self, prefix: str) -> dict[str, str]:
        """Every key under ``prefix`` with its value."""
        reply = self.call("/v3/kv/range", {"key": b64(prefix), "range_end": b64(prefix_end(prefix))})
        return {unb64(kv["key"]): unb64(kv.get("value", "")) for kv in reply.get("kvs", [])}

    def delete_if(self, key: str, value: str) -> bool:
        """Delete ``key`` only while it holds ``value`` (a claim is released only by its holder);
        True when it was deleted."""
        reply = self.call("/v3/kv/txn", {
            "compare": [{"key": b64(key), "target": "VALUE", "result": "EQUAL", "value": b64(value)}],
            "success": [{"request_delete_range": {"key": b64(key)}}]})
        return bool(reply.get("succeeded"))

    def status(self) -> dict[str, Any]:
        """The answering member's status (``version``, ``dbSize``, ``leader``...): for doctor."""
        return self.call("/v3/maintenance/status", {})

    # --- one request --------------------------------------------------------------------------

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path`` on the first endpoint that answers; its JSON reply."""
        payload = json.dumps(body).encode()
        failures: list[str] = []
        sent = False
        for endpoint in self.endpoints:
            try:
                headers = self._auth(endpoint)
                status, reply = self._exchange(endpoint, path, payload, headers)
            except StoreUnreachable as exc:
                failures.append(str(exc))
                continue
            except StoreUnavailable as exc:
                failures.append(str(exc))
                sent = True
                continue
            if status != 200:
                message = reply.get("message") or reply.get("error") or "no message"
                raise StoreError(f"etcd {endpoint.name}: {message} (HTTP {status})")
            return reply
        raise (StoreUnavailable if sent else StoreUnreachable)("; ".join(failures) or "etcd: no endpoint configured")

    def _auth(self, endpoint: Endpoint) -> dict[str, str]:
        if self.user is None:
            return {}
        if self._token is None:
            status, reply = self._exchange(endpoint, "/v3/auth/authenticate",
                                           json.dumps({"name": self.user, "password": self.password or ""}).encode(),
                                           {})
            token = reply.get("token")
            if status != 200 or not isinstance(token, str):
                message = reply.get("message") or reply.get("error") or "no token"
                raise StoreError(f"etcd {endpoint.name}: authentication as {self.user}: {message}")
            self._token = token
        return {"Authorization": self._token}

    def _wait(self, endpoint: Endpoint) -> float:
        left = self.deadline - self.clock()
        if left <= 0:
            raise StoreUnreachable(f"etcd {endpoint.name}: out of time (the hook waits at most "
                                   f"{BUDGET:g} s on the store)")
        return min(self.timeout, left)

    def _exchange(self, endpoint: Endpoint, path: str, payload: bytes,
                  headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """One HTTP/1.0 POST: (status, JSON object); :class:`StoreUnavailable` for anything that
        is not an answer from etcd."""
        self.round_trips += 1
        lines = [f"POST {path} HTTP/1.0", f"Host: {endpoint.name}", "Content-Type: application/json",
                 f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        try:
            # The host as ASCII bytes: as text, getaddrinfo() would load the idna codec (and
            # stringprep), 1.5 ms more; a host name in a URL is ASCII (hooks.cluster checks it).
            # (create_connection() hands the host to getaddrinfo(), which takes bytes; typeshed says str.)
            sock = socket.create_connection((endpoint.host.encode("ascii"), endpoint.port),  # type: ignore[arg-type]
                                            timeout=self._wait(endpoint))
        except OSError as exc:
            raise StoreUnreachable(f"etcd {endpoint.name}: {_reason(exc, self.timeout)}") from None
        try:
            if endpoint.scheme == "https":
                sock = self._tls().wrap_socket(sock, server_hostname=endpoint.host)
            sock.settimeout(self._wait(endpoint))
            sock.sendall(request)
            try:
                raw = self._receive(sock, endpoint)
            except StoreUnreachable as exc:  # out of time after the request left: it may have been applied
                raise StoreUnavailable(str(exc)) from None
        except StoreUnavailable:
            raise
        except OSError as exc:  # ssl.SSLError is an OSError
            raise StoreUnavailable(f"etcd {endpoint.name}: {_reason(exc, self.timeout)}") from None
        finally:
            with contextlib.suppress(OSError):
                sock.close()
        return _parse(raw, endpoint)

    def _receive(self, sock: socket.socket, endpoint: Endpoint) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            sock.settimeout(self._wait(endpoint))
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_REPLY:
                raise StoreUnavailable(f"etcd {endpoint.name}: a reply of more than {MAX_REPLY >> 20} MiB")
            if (done := _complete(chunks)) is not None:
                return done

    def _tls(self) -> "ssl.SSLContext":
        if self._context is None:
            self._context = (self.tls or Tls()).context()
        return self._context


def client_for(cluster: Cluster) -> Client:
    """A client for one hook of ``cluster``: its waits bounded by :data:`BUDGET` in all."""
    return Client(cluster.endpoints, tls=cluster.tls, user=cluster.user, password=cluster.password)


def _first(reply: dict[str, Any]) -> dict[str, Any]:
    responses = reply.get("responses") or [{}]
    first = responses[0]
    return first if isinstance(first, dict) else {}


def _complete(chunks: list[bytes]) -> bytes | None:
    """The whole reply once its headers and ``Content-Length`` bytes are in, else None (read on)."""
    data = b"".join(chunks) if len(chunks) > 1 else chunks[0]
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    found = re.search(rb"(?im)^content-length:[ \t]*([0-9]+)[ \t]*\r?$", head)
    if found is None or len(body) < int(found.group(1)):
        return None
    return data


def _parse(raw: bytes, endpoint: Endpoint) -> tuple[int, dict[str, Any]]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    found = re.fullmatch(r"HTTP/1\.[01] ([0-9]{3})(?: .*)?", status_line)
    if not sep or found is None:
        raise StoreUnavailable(f"etcd {endpoint.name}: not an HTTP reply ({status_line[:40]!r})")
    length = re.search(rb"(?im)^content-length:[ \t]*([0-9]+)[ \t]*\r?$", head)
    if length is not None:
        body = body[:int(length.group(1))]
    try:
        reply = json.loads(body)
    except ValueError:
        raise StoreUnavailable(f"etcd {endpoint.name}: HTTP {found.group(1)} without a JSON body "
                               "(not etcd's v3 gateway?)") from None
    if not isinstance(reply, dict):
        raise StoreUnavailable(f"etcd {endpoint.name}: a reply that is not a JSON object")
    return int(found.group(1)), reply


def _reason(exc: OSError, timeout: float) -> str:
    """An OSError as the line says it: ``connection refused``, ``no answer in 2 s``, ..."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer in {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the name ({exc.strerror})"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]
