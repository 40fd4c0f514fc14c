"""A real etcd for the tests: Debian's ``etcd-server`` (or any ``etcd`` on PATH), one member on
127.0.0.1 with free ports and a temporary data directory, started and stopped by the tests.

Readiness is read from etcd's own log, not waited for: the server says it serves client
requests (``embed: serving insecure client requests on ...`` in etcd 3.4's default log,
``serving client traffic insecurely`` in the zap log of 3.5) once its client port answers.
"""

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

READY = ("serving insecure client requests", "serving client traffic", "serving client requests on")


def binary() -> str | None:
    """The etcd executable, or None when it is not installed."""
    return shutil.which("etcd") or next((p for p in ("/usr/bin/etcd", "/usr/local/bin/etcd") if os.access(p, os.X_OK)),
                                        None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Certificates:
    """A throwaway CA and, signed by it, a server certificate for 127.0.0.1 and a client
    certificate, made with the openssl command (P-256 keys: quick to make)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.ca, self.ca_key = directory / "ca.crt", directory / "ca.key"
        self.server, self.server_key = directory / "server.crt", directory / "server.key"
        self.client, self.client_key = directory / "client.crt", directory / "client.key"
        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self._openssl("req", "-x509", *key, "-keyout", self.ca_key, "-out", self.ca, "-subj", "/CN=jailnet test CA",
                      "-days", "2")
        signed = ((self.server, self.server_key, "127.0.0.1", "subjectAltName=IP:127.0.0.1"),
                  (self.client, self.client_key, "node1", "keyUsage=digitalSignature"))
        for cert, cert_key, name, extension in signed:
            request, extensions = directory / f"{name}.csr", directory / f"{name}.ext"
            extensions.write_text(extension + "\n")
            self._openssl("req", *key, "-keyout", cert_key, "-out", request, "-subj", f"/CN={name}")
            self._openssl("x509", "-req", "-in", request, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial",
                          "-out", cert, "-days", "2", "-extfile", extensions)

    @staticmethod
    def _openssl(*args: "str | Path") -> None:
        done = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {args[0]}: {done.stderr.strip()}")


class EtcdServer:
    """One etcd member; :meth:`start` and :meth:`stop` may be called again (kill and restart).
    With ``tls``, it serves https and asks every client for a certificate signed by the CA."""

    def __init__(self, data_dir: Path, executable: str, tls: Certificates | None = None) -> None:
        self.data_dir = data_dir
        self.executable = executable
        self.tls = tls
        self.client_port = free_port()
        self.peer_port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.client_port}"

    def start(self) -> None:
        peer = f"http://127.0.0.1:{self.peer_port}"
        argv = [self.executable, "--name", "jailnet-test", "--data-dir", str(self.data_dir),
                "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"jailnet-test={peer}"]
        if self.tls is not None:
            argv += ["--cert-file", str(self.tls.server), "--key-file", str(self.tls.server_key),
                     "--trusted-ca-file", str(self.tls.ca), "--client-cert-auth"]
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True)
        assert self.process.stderr is not None
        seen = []
        for line in self.process.stderr:  # ends when etcd exits
            seen.append(line)
            if any(word in line for word in READY):
                # Read the rest of the log in the background's place: a full pipe would stop etcd.
                threading_drain(self.process)
                return
        self.process.wait()
        raise RuntimeError(f"etcd did not start (exit {self.process.returncode}): {''.join(seen[-5:])}")

    def stop(self) -> None:
        """SIGKILL: what a crashed or cut-off store looks like to a hook."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def threading_drain(process: "subprocess.Popen[str]") -> None:
    """Keep reading ``process``'s stderr so that it never blocks on a full pipe."""
    import threading

    def drain() -> None:
        assert process.stderr is not None
        for _ in process.stderr:
            pass

    threading.Thread(target=drain, daemon=True).start()
