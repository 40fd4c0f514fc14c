"""The installed simulated FreeBSD tools: tiny clients of the host server (:mod:`hooks.testing.server`).

Where it can be built, the native client ``client.c`` (the same exchange in C, ~1 ms a command)
is installed instead of this one (:func:`hooks.testing.store.native_client`).

Every ``sbin/ifconfig``, ``usr/sbin/jls``, ... that :meth:`hooks.testing.store.SharedHost.install`
writes is ``#!PYTHON -IS`` and calls :func:`main`. ``-S`` skips ``site`` (``-I`` ignores ``PYTHON*``
variables of the caller) and this module imports only modules built into the interpreter (``posix``,
``_socket``, ``marshal``, ``sys``; ``os`` would cost 2 ms more, ``socket`` 15 ms, ``typing`` 20 ms),
so a command costs an interpreter start and one round trip (~15 ms) instead of importing the
simulator, attrs and json and parsing and rewriting the whole state (~150 ms). It runs with any
environment, an empty one included: everything it needs is baked into the script.

The exchange, on the Unix stream socket ``DIRECTORY/host.sock``:

1. the client sends ``LENGTH`` (4 bytes, big-endian) and ``marshal((program, args, has_stdin,
   has_cwd))`` with its fd 0 and a descriptor of its working directory attached (``SCM_RIGHTS``,
   unix(7)), each only when it has one; the server reads stdin only if the command does
   (``pfctl -f -``), and runs the command in the client's working directory;
2. the server answers :data:`ACK` as soon as it has the whole request: from then on it runs the
   command exactly once. A connection that ends before the ACK was never taken (the server was
   exiting after its idle period); the client tries again, starting a server if there is none;
3. the server sends ``LENGTH`` and the answer (:func:`encode_answer`: status, kill, stdout,
   stderr) and closes. The
   client writes the bytes to fds 1 and 2, SIGKILLs its parent when ``kill`` says a ``kill-*``
   fault fired (as a hook killed at its runtime's timeout; :meth:`SimulatedHost.kill_nth`), and
   exits with the status. An answer cut short (the server died) is one stderr line and exit
   status :data:`EX_SOFTWARE`, never a hang: the kernel closes a dead server's end.

No server listening (no socket, or a stale one refusing connections): the client starts
``PYTHON -P -m hooks.testing.server DIRECTORY --ready-fd N`` (:func:`start`; ``PYTHONPATH`` the
repository, nothing else in its environment) in a new session with its stdio on /dev/null — an OCI
runtime waits for its hook's output pipes to close — and reads one byte from the pipe, which the
server writes after ``listen()`` or after finding another server listening, then connects again.
The socket is connected by its name relative to DIRECTORY (the client changes into it, after opening
its working directory to send) because a ``sockaddr_un`` path holds only 107 bytes.
"""

import _socket
import marshal
import posix
import sys

#: The socket's name in the SharedHost directory.
SOCKET = "host.sock"
#: The server's first byte on a connection: "I have the request and will run it".
ACK = b"\x06"
#: The byte the server writes to its readiness pipe.
READY = b"\x01"
#: Exit status when the server cannot be reached or dies before answering (sysexits(3) EX_SOFTWARE).
EX_SOFTWARE = 70
#: open(2) flags for the working directory's descriptor: O_PATH (Linux, FreeBSD 14) needs no read
#: permission; fchdir(2) takes either.
_DIRECTORY_FLAGS = getattr(posix, "O_PATH", posix.O_RDONLY) | posix.O_DIRECTORY | posix.O_CLOEXEC
#: How often a client tries again after a connection the server dropped unread (each try may start one).
ATTEMPTS = 8


def frame(payload: bytes) -> bytes:
    """``payload`` preceded by its length: 4 bytes, big-endian."""
    return len(payload).to_bytes(4, "big") + payload


def encode_answer(status: int, out: bytes, err: bytes, kill: bool) -> bytes:
    """The answer's payload: status (4 bytes, big-endian, signed), kill (1 byte), the length of
    stdout (4 bytes), stdout, stderr; simple enough for the native client (client.c)."""
    return status.to_bytes(4, "big", signed=True) + bytes([kill]) + len(out).to_bytes(4, "big") + out + err


def decode_answer(payload: bytes) -> tuple[int, bytes, bytes, bool]:
    """The inverse of :func:`encode_answer`."""
    size = int.from_bytes(payload[5:9], "big")
    return int.from_bytes(payload[:4], "big", signed=True), payload[9:9 + size], payload[9 + size:], bool(payload[4])


def unframe(data: bytes) -> bytes | None:
    """The payload of a whole :func:`frame`, or None when ``data`` is cut short."""
    if len(data) < 4 or len(data) - 4 != int.from_bytes(data[:4], "big"):
        return None
    return data[4:]


class Unreachable(Exception):
    """The server could not be started or died while running the command."""


def main(directory: str, python: str, root: str, argv: list[str]) -> int:
    """Run ``argv`` (``argv[0]`` names the program) on the host server for ``directory``; see the
    module docstring. ``python`` and ``root`` start a server when none is listening."""
    program = argv[0].rpartition("/")[2]
    fds = []
    try:
        posix.fstat(0)
        fds.append(0)
    except OSError:
        pass  # stdin closed: a command reading it reads nothing, as sys.stdin is None then
    try:
        cwd = posix.open(".", _DIRECTORY_FLAGS)
        fds.append(cwd)
    except OSError:
        cwd = -1  # no working directory to pass: the server runs the command in /
    request = frame(marshal.dumps((program, argv[1:], 0 in fds, cwd >= 0)))
    try:
        posix.chdir(directory)
        reply = _exchange(request, fds, directory, python, root)
    except (OSError, Unreachable) as exc:
        _write(2, f"{program}: jailnet simulated host {directory}: {exc}\n".encode(errors="replace"))
        return EX_SOFTWARE
    status, out, err, kill = reply
    _write(1, out)
    _write(2, err)
    if kill:  # an injected crash: the caller (a hook) dies here, as at a runtime's timeout
        posix.kill(posix.getppid(), 9)
    return int(status)


def ensure(directory: str, python: str, root: str) -> int:
    """Make sure a server listens for ``directory``, starting one if none does (for
    :meth:`hooks.testing.store.SharedHost.serve`); 0, or :data:`EX_SOFTWARE` with a stderr line."""
    try:
        posix.chdir(directory)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            sock.connect(SOCKET)
        except (FileNotFoundError, ConnectionRefusedError):
            start(directory, python, root)
        finally:
            sock.close()
    except (OSError, Unreachable) as exc:
        _write(2, f"jailnet simulated host {directory}: {exc}\n".encode(errors="replace"))
        return EX_SOFTWARE
    return 0


def _exchange(request: bytes, fds: list[int], directory: str, python: str, root: str) -> tuple[int, bytes, bytes, bool]:
    """Send the request to a server (started when needed) and return its decoded answer."""
    rights = b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds)
    ancillary = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)] if rights else []
    for _ in range(ATTEMPTS):
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            try:
                sock.connect(SOCKET)
            except (FileNotFoundError, ConnectionRefusedError):
                start(directory, python, root)
                continue
            try:
                sent = sock.sendmsg([request], ancillary)
                if sent < len(request):  # a send of nothing to a server done with us fails with EPIPE
                    sock.sendall(request[sent:])
                data = _receive(sock)
            except (BrokenPipeError, ConnectionResetError):
                continue  # dropped unread by a server on its way out
            if not data.startswith(ACK):
                continue
            answer = unframe(data[1:])
            if answer is None:
                raise Unreachable("the host server ended before answering (killed? see hooks/testing/server.py)")
            return decode_answer(answer)
        finally:
            sock.close()
    raise Unreachable(f"no host server took the command in {ATTEMPTS} attempts")


def _receive(sock: _socket.socket) -> bytes:
    """Everything until the server closes its end (a reset counts as the end)."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def start(directory: str, python: str, root: str) -> None:
    """Start a server for ``directory`` and wait until one listens there (see the module docstring)."""
    read_end, write_end = posix.pipe()
    argv = [python, "-P", "-m", "hooks.testing.server", directory, "--ready-fd", str(write_end)]
    stdio = [(posix.POSIX_SPAWN_OPEN, 0, "/dev/null", posix.O_RDONLY, 0),
             (posix.POSIX_SPAWN_OPEN, 1, "/dev/null", posix.O_WRONLY, 0),
             (posix.POSIX_SPAWN_DUP2, 1, 2)]
    try:
        posix.set_inheritable(write_end, True)
        try:
            posix.posix_spawn(python, argv, {"PYTHONPATH": root}, file_actions=stdio, setsid=True)
        except NotImplementedError:  # no POSIX_SPAWN_SETSID: the server calls setsid(2) itself
            posix.posix_spawn(python, argv, {"PYTHONPATH": root}, file_actions=stdio)
    finally:
        posix.close(write_end)
    try:
        ready = posix.read(read_end, 1)
    finally:
        posix.close(read_end)
    if ready != READY:
        raise Unreachable(f"the host server did not start (try: {python} -m hooks.testing.server {directory})")


def _write(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``; a closed or broken stream loses it, as a write(2) error would."""
    view = memoryview(data)
    try:
        while view:
            view = view[posix.write(fd, view):]
    except OSError:
        pass
