"""Address leases on disk, one file per address, as CNI host-local keeps them.

Each network has a directory of the state directory (:meth:`hooks.statedir.StateDir.leases`
gives it; nothing else builds its path): ``<address>`` holds the owning container id, and
``ids/<container id>`` the address (the index, :class:`Leases`). A lease is claimed with
``O_CREAT | O_EXCL``, so two processes can never hold the same address; the allocation (pick,
claim, index) runs under the host-wide lock (:meth:`hooks.statedir.StateDir.lock`).
Automatic addresses go round-robin from the last one handed out (``last_reserved``), so a just-released address is not
reused at once while neighbours may still have its old MAC in their ARP caches.
"""

import ipaddress
import itertools
import os
from collections.abc import Callable, Container, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import attrs

from hooks import files
from hooks.errors import BadInput, OperationFailed

if TYPE_CHECKING:  # a type only: poststop releases leases without loading the configuration
    from hooks.netconf import Network

LAST = "last_reserved"
#: The index directory: ``ids/<container id>`` holds the address that container leases.
INDEX = "ids"
#: A dual-stack network's IPv6 leases: a directory of the same kind inside the network's.
INET6 = "inet6"

A = TypeVar("A", ipaddress.IPv4Address, ipaddress.IPv6Address)


class PoolExhausted(OperationFailed):
    """Every usable address of the network is leased."""


# A service, not a value: compared by identity, and attrs generates only __init__ (an __eq__ and a
# __repr__ cost some 0.4 ms at import, on every hook's start path: docs/performance.md).
@attrs.frozen(eq=False, repr=False)
class Leases(Generic[A]):
    """The lease files of one network's directory: who holds which address (reading and releasing
    need no network configuration, so gc and doctor can read a network that is no longer
    configured). ``parse`` reads an address of the directory's family: IPv4 in the network's
    directory, IPv6 in its ``inet6/`` (:data:`INET6`).

    A hook never scans the directory: ``ids/<container id>`` names the address a container holds
    (the index), and the address file itself says who holds it, so finding, checking and
    releasing one container's lease cost the same at 10 leases and at 10,000. Only
    :meth:`holders`, for gc, doctor and ``--dry-run``, reads every file. A directory made before
    the index existed (no ``ids/``) is scanned instead, so a running container's poststop still
    finds its lease after an upgrade.
    """

    directory: Path
    parse: Callable[[str], A]
    """``ipaddress.IPv4Address`` or ``ipaddress.IPv6Address``."""
    annotation: ClassVar[str] = ""
    """The annotation that asks for a static address of this family (a store's)."""

    def holders(self) -> dict[A, str]:
        """Every lease: address -> container id (a full scan)."""
        found: dict[A, str] = {}
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return found
        for name in names:
            try:
                address = self.parse(name)
                found[address] = (self.directory / name).read_text().split("\n", 1)[0]
            except (ValueError, OSError):  # not a lease name (ids/, last_reserved), gone meanwhile
                continue
        return found

    def holder(self, address: A) -> str | None:
        """Who holds ``address``, if anyone (one file read)."""
        try:
            return (self.directory / str(address)).read_text().split("\n", 1)[0]
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _indexed(self) -> bool:
        return (self.directory / INDEX).is_dir() or not self.directory.is_dir()

    def find(self, container_id: str) -> A | None:
        """The address leased to ``container_id``, if any: the index names it and the lease file
        agrees (an index entry whose lease is gone or another's counts for nothing)."""
        try:
            address = self.parse((self.directory / INDEX / container_id).read_text().strip())
        except FileNotFoundError:
            if self._indexed():
                return None
            return next((a for a, holder in self.holders().items() if holder == container_id), None)
        except (ValueError, OSError):
            return None
        return address if self.holder(address) == container_id else None

    def others(self, container_id: str) -> bool:
        """Whether a container other than ``container_id`` holds a lease here (reads at most two
        index entries)."""
        try:
            with os.scandir(self.directory / INDEX) as entries:
                return any(entry.name != container_id for entry in entries)
        except FileNotFoundError:
            return bool(set(self.holders().values()) - {container_id})

    def release(self, container_id: str) -> list[A]:
        """Drop the lease ``container_id`` holds, found through the index (tolerant: nothing held
        is fine)."""
        return self._release(container_id, scan=False)

    def release_all(self, container_id: str) -> list[A]:
        """:meth:`release`, then every lease file that still names ``container_id`` (a full scan,
        for gc: a create killed between claiming an address and indexing it leaves one)."""
        return self._release(container_id, scan=True)

    def _release(self, container_id: str, *, scan: bool) -> list[A]:
        held = [self.find(container_id)]
        if scan or not self._indexed():
            held += [a for a, holder in self.holders().items() if holder == container_id]
        released = []
        for address in dict.fromkeys(a for a in held if a is not None):
            path = self.directory / str(address)
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise OperationFailed(f"cannot remove lease {path}: {exc.strerror}") from None
            released.append(address)
        (self.directory / INDEX / container_id).unlink(missing_ok=True)
        return released

    def check_free(self, container_id: str, static: A | None) -> None:
        """Refuse a static address another container holds (call under the lock)."""
        if static is None:
            return
        owner = self.holder(static)
        if owner is not None and owner != container_id:
            raise BadInput(f"annotation {self.annotation}: {static} is already leased to {owner}")

    def _take(self, container_id: str, static: A, held: A | None) -> A:
        """Lease ``static`` to ``container_id``, which gives up ``held``, the other address it held:
        a container holds at most one address of a family per network."""
        if not self._claim(static, container_id):
            owner = self.holder(static) or "another container"
            raise BadInput(f"annotation {self.annotation}: {static} is already leased to {owner}")
        if held is not None:
            (self.directory / str(held)).unlink(missing_ok=True)
        return static

    def _claim(self, address: A, container_id: str) -> bool:
        """Create the lease file exclusively, then index it; False when someone holds it already."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)  # parents= would make it 0755
        (self.directory / INDEX).mkdir(exist_ok=True, mode=0o700)
        path = self.directory / str(address)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return False
        try:
            try:
                os.write(fd, f"{container_id}\n".encode())
            finally:
                os.close(fd)
            files.replace(self.directory / INDEX / container_id, f"{address}\n".encode(), mode=0o600,
                          durable=False)
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise OperationFailed(f"cannot write lease {path}: {exc.strerror}") from None
        return True


def leases4(directory: Path) -> Leases[ipaddress.IPv4Address]:
    """A network's IPv4 leases, in ``directory``."""
    return Leases(directory, ipaddress.IPv4Address)


def leases6(directory: Path) -> Leases[ipaddress.IPv6Address]:
    """A network's IPv6 leases, in ``directory`` (the network's ``inet6/``)."""
    return Leases(directory, ipaddress.IPv6Address)


@attrs.frozen(eq=False, repr=False)
class LeaseStore(Leases[ipaddress.IPv4Address]):
    """The IPv4 leases of one network, and how its addresses are handed out."""

    network: "Network"
    annotation: ClassVar[str] = "org.jailnet.ipv4"

    def reserve(self, container_id: str, static: ipaddress.IPv4Address | None = None,
                avoid: Container[ipaddress.IPv4Address] = ()) -> ipaddress.IPv4Address:
        """Lease ``static`` or the next free address to ``container_id`` (call under the lock).

        A container that holds a lease already keeps it (a repeated reserve is stable); a static
        address other than the one held replaces it, so a container holds at most one address per
        network (what :meth:`find` and :func:`leases_of` return). The next free address is found
        by trying to claim each candidate from the last one handed out: usually the first try.
        Addresses in ``avoid`` are passed over (held on another host: :mod:`hooks.storeclaims`).
        """
        held = self.find(container_id)
        if held is not None and (static is None or static == held):
            return held
        if static is not None:
            return self._take(container_id, static, held)
        for address in self._candidates():
            if address not in avoid and self._claim(address, container_id):
                self._remember(address)
                return address
        raise PoolExhausted(f"network {self.network.name}: no free address left in {self.network.subnet}")

    def peek(self, container_id: str, static: ipaddress.IPv4Address | None = None) -> ipaddress.IPv4Address:
        """The address :meth:`reserve` would give, without claiming it (for ``--dry-run``)."""
        held = self.find(container_id)
        if held is not None and (static is None or static == held):
            return held
        taken = self.holders()
        if static is not None:
            self.check_free(container_id, static)
            return static
        for address in self._candidates():
            if address not in taken:
                return address
        raise PoolExhausted(f"network {self.network.name}: no free address left in {self.network.subnet}")

    def _candidates(self) -> Iterator[ipaddress.IPv4Address]:
        """Usable addresses in round-robin order, starting after the last one handed out; made
        one at a time (a /16 holds 65,534, and the first free one is usually the next)."""
        subnet = self.network.subnet
        first = int(subnet.network_address) + 1
        last = int(subnet.broadcast_address) - 1
        try:
            previous = int(ipaddress.IPv4Address((self.directory / LAST).read_text().strip()))
        except (OSError, ValueError):
            previous = first - 1
        if not first - 1 <= previous <= last:
            previous = first - 1
        gateway = int(self.network.gateway)
        for number in itertools.chain(range(previous + 1, last + 1), range(first, previous + 1)):
            if number != gateway:
                yield ipaddress.IPv4Address(number)

    def _remember(self, address: ipaddress.IPv4Address) -> None:
        files.replace(self.directory / LAST, f"{address}\n".encode(), mode=0o600, durable=False)
