"""Address leases on disk, one file per address, as CNI host-local keeps them.

Each network has a directory of the state directory (:meth:`hooks.statedir.StateDir.leases`
gives it; nothing else builds its path): ``<address>`` holds the owning container id. A lease is claimed
with ``O_CREAT | O_EXCL``, so two processes can never hold the same address; the allocation
(scan, pick, claim) runs under the host-wide lock (:meth:`hooks.statedir.StateDir.lock`).
Automatic addresses go round-robin from the last one handed out (``last_reserved``), so a just-released address is not
reused at once while neighbours may still have its old MAC in their ARP caches.
"""

import ipaddress
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import attrs

from hooks import files
from hooks.errors import BadInput, OperationFailed
from hooks.netconf import Network

LAST = "last_reserved"


class PoolExhausted(OperationFailed):
    """Every usable address of the network is leased."""


@attrs.frozen
class Leases:
    """The lease files of one network's directory: who holds which address (reading and releasing
    need no network configuration, so gc and doctor can read a network that is no longer
    configured)."""

    directory: Path

    def holders(self) -> dict[ipaddress.IPv4Address, str]:
        """Every lease: address -> container id."""
        found: dict[ipaddress.IPv4Address, str] = {}
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return found
        for name in names:
            try:
                address = ipaddress.IPv4Address(name)
                found[address] = (self.directory / name).read_text().split("\n", 1)[0]
            except (ValueError, OSError):  # not a lease name, gone meanwhile, or not a file
                continue
        return found

    def find(self, container_id: str) -> ipaddress.IPv4Address | None:
        """The address leased to ``container_id``, if any."""
        for address, holder in self.holders().items():
            if holder == container_id:
                return address
        return None

    def release(self, container_id: str) -> list[ipaddress.IPv4Address]:
        """Drop every lease ``container_id`` holds (tolerant: nothing held is fine)."""
        released = []
        for address, holder in self.holders().items():
            if holder != container_id:
                continue
            try:
                (self.directory / str(address)).unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise OperationFailed(f"cannot remove lease {self.directory / str(address)}: {exc.strerror}") from None
            released.append(address)
        return released


@attrs.frozen
class LeaseStore(Leases):
    """The leases of one network, and how its addresses are handed out."""

    network: Network

    def _claim(self, address: ipaddress.IPv4Address, container_id: str) -> bool:
        """Create the lease file exclusively; False when someone holds it already."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.directory / str(address), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return False
        try:
            os.write(fd, f"{container_id}\n".encode())
        except OSError as exc:
            os.close(fd)
            (self.directory / str(address)).unlink(missing_ok=True)
            raise OperationFailed(f"cannot write lease {self.directory / str(address)}: {exc.strerror}") from None
        os.close(fd)
        return True

    def check_free(self, container_id: str, static: ipaddress.IPv4Address | None) -> None:
        """Refuse a static address another container holds (call under the lock)."""
        if static is None:
            return
        owner = self.holders().get(static)
        if owner is not None and owner != container_id:
            raise BadInput(f"annotation org.jailnet.ipv4: {static} is already leased to {owner}")

    def reserve(self, container_id: str, static: ipaddress.IPv4Address | None = None) -> ipaddress.IPv4Address:
        """Lease ``static`` or the next free address to ``container_id`` (call under the lock).

        A container that holds a lease already keeps it (a repeated reserve is stable); a static
        address other than the one held replaces it, so a container holds at most one address per
        network (what :meth:`find` and :func:`leases_of` return).
        """
        held = self.find(container_id)
        if held is not None and (static is None or static == held):
            return held
        if static is not None:
            if not self._claim(static, container_id):
                owner = self.holders().get(static, "another container")
                raise BadInput(f"annotation org.jailnet.ipv4: {static} is already leased to {owner}")
            if held is not None:
                (self.directory / str(held)).unlink(missing_ok=True)
            return static
        taken = self.holders()
        for address in self._candidates():
            if address not in taken and self._claim(address, container_id):
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
            owner = taken.get(static)
            if owner is not None and owner != container_id:
                raise BadInput(f"annotation org.jailnet.ipv4: {static} is already leased to {owner}")
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
