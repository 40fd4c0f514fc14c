"""Host ports published by live containers: who holds which, so that no two publish one.

One claim file per protocol, host port and address, made with ``O_EXCL`` under the state
directory's host-wide lock, as leases are (:mod:`hooks.leases`), and holding the claimant's id::

    ports/tcp/8080/any          every address of the host (a spec without HOSTIP)
    ports/tcp/8080/127.0.0.1    one address
    ports/ids/<container id>    the index: the claims the container holds, one per line

A claim on every address conflicts with any claim on the same protocol and port, and a claim on
one address with a claim on every address or on that address (:meth:`Published.overlaps
<hooks.ports.Published.overlaps>`). A hook never scans: it checks the few names its own ports
give, and releases through the index. gc reads every claim (:meth:`Claims.holders`).
"""

import os
from pathlib import Path

import attrs

from hooks import files
from hooks.errors import BadInput, OperationFailed
from hooks.ports import Published

INDEX = "ids"
ANY = "any"


def claim_names(published: Published) -> list[str]:
    """The claim files ``published`` needs: ``PROTOCOL/PORT/ADDRESS`` for each host port."""
    address = str(published.host_ip) if published.host_ip is not None else ANY
    return [f"{published.protocol}/{port}/{address}" for port in range(published.host_port, published.host_end + 1)]


# A service, not a value: compared by identity, and attrs generates only __init__ (docs/performance.md).
@attrs.frozen(eq=False, repr=False)
class Claims:
    """The claims under :attr:`directory` (``ports/`` in the state directory)."""

    directory: Path

    def _holder(self, name: str) -> str | None:
        try:
            return (self.directory / name).read_text().split("\n", 1)[0]
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _conflict(self, name: str, container_id: str) -> tuple[str, str] | None:
        """Another container's claim that ``name`` would clash with: (claim, holder)."""
        protocol, port, address = name.split("/")
        port_dir = self.directory / protocol / port
        if address == ANY:
            try:
                rivals = sorted(os.listdir(port_dir))  # the addresses claimed on this port: a handful
            except FileNotFoundError:
                rivals = []
        else:
            rivals = [ANY, address]
        for rival in rivals:
            holder = self._holder(f"{protocol}/{port}/{rival}")
            if holder is not None and holder != container_id:
                return f"{protocol}/{port}/{rival}", holder
        return None

    def claim(self, container_id: str, ports: tuple[Published, ...]) -> None:
        """Make ``container_id``'s claims the host ports of ``ports`` (call under the host-wide
        lock): a port another container holds is bad input naming it, and nothing changes; claims
        the container holds already are kept when still wanted and dropped when not."""
        names = [name for published in ports for name in claim_names(published)]
        before = self.held(container_id)
        for published in ports:
            for name in claim_names(published):
                clash = self._conflict(name, container_id)
                if clash is not None:
                    held, holder = clash
                    raise BadInput(f"annotation org.jailnet.ports: {published.spec()!r}: host port "
                                   f"{_shown(held)} is published by container {holder}")
        made: list[str] = []
        try:
            for name in names:
                if self._make(name, container_id):
                    made.append(name)
            self._mkdirs(self.directory / INDEX)
            files.replace(self.directory / INDEX / container_id, "".join(f"{n}\n" for n in names).encode(),
                          mode=0o600, durable=False)
        except OSError as exc:
            for name in made:
                (self.directory / name).unlink(missing_ok=True)
            raise OperationFailed(f"cannot claim host ports in {self.directory}: {exc.strerror}") from None
        for name in set(before) - set(names):
            if self._holder(name) == container_id:
                (self.directory / name).unlink(missing_ok=True)

    def _make(self, name: str, container_id: str) -> bool:
        """Create the claim file exclusively; False when this container holds it already."""
        path = self.directory / name
        self._mkdirs(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            if self._holder(name) == container_id:
                return False
            raise  # checked under the lock just before: only a lock-less writer gets here
        try:
            os.write(fd, f"{container_id}\n".encode())
        finally:
            os.close(fd)
        return True

    def _mkdirs(self, path: Path) -> None:
        """``path`` and the directories between it and :attr:`directory`, each mode 0700 as the
        state directory is (``mkdir(parents=True)`` would give the parents the umask's mode)."""
        for part in (*reversed(path.relative_to(self.directory).parents), path.relative_to(self.directory)):
            (self.directory / part).mkdir(exist_ok=True, mode=0o700)

    def held(self, container_id: str) -> tuple[str, ...]:
        """The claims the index lists for ``container_id``."""
        try:
            return tuple((self.directory / INDEX / container_id).read_text().split())
        except (FileNotFoundError, NotADirectoryError):
            return ()

    def release(self, container_id: str) -> list[str]:
        """Drop the claims the index lists for ``container_id`` (those it still holds), then the
        index; nothing held is fine."""
        released = []
        for name in self.held(container_id):
            if self._holder(name) == container_id:
                (self.directory / name).unlink(missing_ok=True)
                released.append(name)
        (self.directory / INDEX / container_id).unlink(missing_ok=True)
        return released

    def holders(self) -> dict[str, str]:
        """Every claim: ``PROTOCOL/PORT/ADDRESS`` -> container id (a full scan, for gc)."""
        found: dict[str, str] = {}
        for protocol in ("tcp", "udp"):
            top = self.directory / protocol
            for port in sorted(os.listdir(top)) if top.is_dir() else []:
                for address in sorted(os.listdir(top / port)):
                    name = f"{protocol}/{port}/{address}"
                    holder = self._holder(name)
                    if holder is not None:
                        found[name] = holder
        return found

    def release_all(self, container_id: str) -> list[str]:
        """:meth:`release`, then every claim that still names ``container_id`` (a full scan, for
        gc: a create killed between its claims and its index leaves some)."""
        released = self.release(container_id)
        for name, holder in self.holders().items():
            if holder == container_id:
                (self.directory / name).unlink(missing_ok=True)
                released.append(name)
        return released


def _shown(claim: str) -> str:
    """``tcp/8080/any`` -> ``8080/tcp``; ``tcp/8080/127.0.0.1`` -> ``127.0.0.1:8080/tcp``."""
    protocol, port, address = claim.split("/")
    return f"{port}/{protocol}" if address == ANY else f"{address}:{port}/{protocol}"
