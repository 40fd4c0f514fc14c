"""The host server: one long-lived process per SharedHost directory that runs the simulated tools'
commands for their tiny clients (:mod:`hooks.testing.client`).

Why: an installed tool used to import the simulator (attrs, every program, json) and parse and
rewrite the whole state for every command, ~150 ms of CPU each; a container's create runs about
nine. The server imports all of that once and keeps the parsed state between commands.

What a request does is what :meth:`hooks.testing.store.SharedHost.run_command` does, so every
other reader and writer of the directory (``SharedHost.edit()``/``snapshot()``, the test kit's
hooks run by real OCI runtimes, tests) keeps working unchanged:

* take the host's flock (``host.lock``), and a thread lock for the server's own threads;
* use the cached state if ``host.json`` is still the file the server last read or wrote (same
  device, inode, size, mtime and ctime; the server keeps that file open, so its inode number
  cannot be reused by another file), else parse it again;
* run the command in the client's working directory (``fchdir(2)`` to the descriptor it sent);
  ``pfctl ... -f -`` reads the client's stdin, which it sent as a descriptor, before the lock,
  as the executables always did; no other command touches it;
* append the command to ``host.log``; replace ``host.json`` only if the state changed (the
  serialised text differs); unlock; answer exit status, stdout and stderr bytes, and whether a
  ``kill-*`` fault fired (the client then SIGKILLs its caller). A command that raises (a
  simulator bug) answers status 1 and the traceback, saves nothing and drops the cache.

Each connection gets a thread, so a command waiting for its stdin does not hold the others up;
commands themselves run one at a time.

Life cycle:

* **start**: :meth:`SharedHost.create` starts one (:meth:`SharedHost.serve`), and a client that
  finds none starts ``python -P -m hooks.testing.server DIR --ready-fd N`` detached (new session,
  stdio on /dev/null, every other inherited descriptor closed) and waits for one byte on that
  pipe. The server takes ``host.sock.lock`` (held only while starting), and ``bind()`` decides:
  when ``host.sock`` exists and accepts a connection another server is live, and this one signals
  ready and exits; when it refuses (a server was killed and left its socket behind), the server
  removes it and binds. Either way exactly one server listens afterwards. A server started by a
  hook under crun, a child subreaper that waits for every descendant (prctl(2)
  ``PR_SET_CHILD_SUBREAPER``), holds crun up until it exits; hence the start by ``create()``.
* **idle exit**: after ``--idle`` seconds (default :data:`IDLE`) without a connection, the server
  unlinks ``host.sock`` first — so new clients start a new server — then serves the connections
  already queued, closes the socket and exits. SIGTERM and SIGINT do the same at once.
* **death**: a server killed mid-command leaves its clients' sockets closed by the kernel: a client
  that had its ACK reports the failure on stderr and exits 70; one without an ACK tries again.
"""

import contextlib
import errno
import fcntl
import marshal
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from types import FrameType

from hooks.testing.client import ACK, READY, SOCKET, encode_answer, frame, unframe
from hooks.testing.host import SimulatedHost
from hooks.testing.model import SimState
from hooks.testing.store import SharedHost, dump_state, load_state

#: Seconds without a connection after which the server exits.
IDLE = 3.0
#: Seconds a client may take to send its request or read the answer before it is dropped.
CLIENT_TIMEOUT = 60.0
#: Descriptors a request may carry: stdin and the working directory.
MAX_FDS = 2

Answer = tuple[int, bytes, bytes, bool]


class Host:
    """The shared host as the server holds it: its files, and the last state it read or wrote."""

    def __init__(self, shared: SharedHost) -> None:
        self.shared = shared
        self._threads = threading.Lock()
        self._flock = os.open(shared.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._state: SimState | None = None
        self._text = ""
        self._held = -1
        self._signature: tuple[int, ...] = ()

    def run(self, program: str, args: Sequence[str], stdin: str | None, cwd: int) -> Answer:
        """Run one command as :meth:`SharedHost.run_command` does (see the module docstring)."""
        with self._threads:
            fcntl.flock(self._flock, fcntl.LOCK_EX)
            try:
                if cwd >= 0:
                    os.fchdir(cwd)
                else:
                    os.chdir("/")
                state = self._current()
                host = SimulatedHost(state)
                result = host.run([program, *args], stdin=stdin)
                logged = list(state.log)
                state.log.clear()
                text = dump_state(state)
                if text != self._text:
                    self.shared.write_state(state, text)
                    self._hold(state, text)
                self.shared.append_log(logged)
            except Exception:
                self._forget()
                return 1, b"", traceback.format_exc().encode(errors="replace"), False
            finally:
                fcntl.flock(self._flock, fcntl.LOCK_UN)
        out = result.stdout.encode(errors="surrogateescape")
        return result.returncode, out, result.stderr.encode(errors="surrogateescape"), host.kill_caller

    def _current(self) -> SimState:
        """The state in ``host.json``: the cached one while the file is the one it came from."""
        now = os.stat(self.shared.state_file)
        if self._state is not None and _signature(now) == self._signature:
            return self._state
        self._forget()
        fd = os.open(self.shared.state_file, os.O_RDONLY | os.O_CLOEXEC)
        with open(os.dup(fd), encoding="utf-8") as f:
            text = f.read()
        self._state, self._text, self._held = load_state(text), text, fd
        self._signature = _signature(os.fstat(fd))
        return self._state

    def _hold(self, state: SimState, text: str) -> None:
        """Remember ``state`` as the content of the ``host.json`` just written."""
        self._forget()
        self._held = os.open(self.shared.state_file, os.O_RDONLY | os.O_CLOEXEC)
        self._state, self._text, self._signature = state, text, _signature(os.fstat(self._held))

    def _forget(self) -> None:
        if self._held >= 0:
            os.close(self._held)
        self._state, self._text, self._held, self._signature = None, "", -1, ()


def _signature(st: os.stat_result) -> tuple[int, ...]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def read_stdin(fd: int) -> str:
    """All of a client's stdin, as ``sys.stdin.read()`` would give it: UTF-8 (undecodable bytes
    kept as surrogates, as under the C locale) with universal newlines."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:  # the caller's stdin is non-blocking (O_NONBLOCK is the file's, not the fd's)
            select.select([fd], [], [])
            continue
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="surrogateescape").replace("\r\n", "\n").replace("\r", "\n")


def serve_connection(conn: socket.socket, host: Host) -> None:
    """Read one request, ACK it, run it, answer, close (see :mod:`hooks.testing.client`)."""
    fds: list[int] = []
    with conn:
        try:
            conn.settimeout(CLIENT_TIMEOUT)
            data, fds, _, _ = socket.recv_fds(conn, 65536, MAX_FDS)
            while 4 <= len(data) < 4 + int.from_bytes(data[:4], "big"):
                more = conn.recv(65536)
                if not more:
                    break
                data += more
            payload = unframe(data)
            if payload is None:
                return  # a probe from a starting server, or a client gone before it asked
            program, args, has_stdin, has_cwd = marshal.loads(payload)
            given = iter(fds)
            stdin_fd = next(given) if has_stdin else -1
            cwd_fd = next(given) if has_cwd else -1
            conn.sendall(ACK)
            answer: Answer
            try:
                reads = program == "pfctl" and "-" in args and stdin_fd >= 0
                stdin = read_stdin(stdin_fd) if reads else None
            except OSError as exc:  # sys.stdin.read() would have raised: a traceback and status 1
                answer = 1, b"", f"{program}: reading stdin: {exc}\n".encode(errors="replace"), False
            else:
                answer = host.run(program, args, stdin, cwd_fd)
            conn.sendall(frame(encode_answer(*answer)))
        except OSError:
            pass  # the client went away; the command, if it ran, ran to the end
        finally:
            for fd in fds:
                os.close(fd)


class Stop(Exception):
    """SIGTERM or SIGINT: exit now, as after the idle period."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop()


class Server:
    """The accept loop and the idle exit."""

    def __init__(self, directory: str, listener: socket.socket, idle: float) -> None:
        self.path = os.path.join(directory, SOCKET)
        self.listener = listener
        self.idle = idle
        self.host = Host(SharedHost(directory))
        self._busy = threading.Condition()
        self._active = 0
        self._last = time.monotonic()

    def serve(self) -> None:
        """Accept until idle (or stopped), then shut down as the module docstring says."""
        try:
            while True:
                with self._busy:
                    left = self._last + self.idle - time.monotonic()
                    if self._active == 0 and left <= 0:
                        break
                self.listener.settimeout(max(left, 0.01) if self._active == 0 else self.idle)
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    continue
                self._spawn(conn)
        except Stop:
            pass
        self._shut_down()

    def _shut_down(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self.listener.setblocking(False)
        while True:  # connections queued before the unlink are served, not reset
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                break
            self._spawn(conn)
        self.listener.close()
        with self._busy:
            self._busy.wait_for(lambda: self._active == 0)

    def _spawn(self, conn: socket.socket) -> None:
        with self._busy:
            self._active += 1
        threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            serve_connection(conn, self.host)
        finally:
            with self._busy:
                self._active -= 1
                self._last = time.monotonic()
                self._busy.notify_all()


def listen(directory: str) -> socket.socket | None:
    """Bind and listen on ``directory/host.sock``, or None when another server listens there."""
    os.chdir(directory)  # the name is bound relative to it: sockaddr_un holds only 107 bytes
    starting = os.open("host.sock.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(starting, fcntl.LOCK_EX)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(SOCKET)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(SOCKET)
                except (ConnectionRefusedError, FileNotFoundError):
                    pass  # left behind by a killed server (or just removed by an exiting one)
                else:
                    listener.close()
                    return None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(SOCKET)
            listener.bind(SOCKET)
        listener.listen(128)
        return listener
    finally:
        os.close(starting)


USAGE = "usage: python -m hooks.testing.server DIR [--idle SECONDS] [--ready-fd FD]"


def parse(argv: Sequence[str]) -> tuple[str, float, int]:
    """``DIR [--idle SECONDS] [--ready-fd FD]`` (argparse would cost every start 20 ms)."""
    words = list(argv)
    options = {"--idle": str(IDLE), "--ready-fd": "-1"}
    while len(words) > 1 and words[-2] in options:
        options[words[-2]] = words[-1]
        del words[-2:]
    if len(words) != 1 or words[0].startswith("-"):
        raise ValueError(USAGE)
    return words[0], float(options["--idle"]), int(options["--ready-fd"])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hooks.testing.server DIR [--idle SECONDS] [--ready-fd FD]``: this process's entry
    point (it closes every inherited descriptor but the readiness pipe); serves until idle, see the
    module docstring. Exit status 0, or 2 for bad usage."""
    try:
        directory, idle, ready = parse(sys.argv[1:] if argv is None else argv)
    except ValueError as exc:
        print(exc if str(exc) == USAGE else f"{USAGE}\n{exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(PermissionError):  # already a session leader (posix_spawn's setsid)
        os.setsid()
    # Inherited descriptors (other than the readiness pipe) would keep their files open: an OCI
    # runtime waiting for its hook's output pipe to close would wait for this server's exit.
    os.closerange(3, ready if ready >= 3 else 3)
    os.closerange(max(ready + 1, 3), os.sysconf("SC_OPEN_MAX"))
    directory = os.path.abspath(directory)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    listener = listen(directory)
    if ready >= 0:
        os.write(ready, READY)
        os.close(ready)
    if listener is not None:
        Server(directory, listener, idle).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
