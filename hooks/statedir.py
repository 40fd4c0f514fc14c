"""jailnet's state directory: the host-wide lock, per-container locks and container records.

Layout under ``/var/run/jailnet`` (``JAILNET_STATE_DIR`` or ``--state-dir``)::

    lock                       host-wide flock: leases, the bridge, reaping
    host.json                  facts about the running system (kern.osreldate), kept until reboot
    networks/<name>/<address>  leases (:meth:`StateDir.leases`, :mod:`hooks.leases`)
    networks/<name>/ids/<id>   the address container <id> leases there (the index)
    containers/<id>.json       one record per attached container (:class:`Record`)
    containers/<id>.journal    while createRuntime works: one undo command per line (the journal)
    locks/<xx>.lock            held while a hook works on a container whose id hashes to xx

/var/run is emptied at boot (rc.d/cleanvar), as are the interfaces and pf tables the records
describe. Records are written atomically (:func:`hooks.files.replace`, not synced: they describe
nothing that outlives a reboot) and read strictly: an unknown key is an error, not a guess.
"""

import contextlib
import fcntl
import ipaddress
import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from hooks import files
from hooks.errors import BadInput, OperationFailed
from hooks.leases import INET6, A, Leases, LeaseStore, leases4, leases6
from hooks.naming import sha256_hex
from ocispec.value import Value

if TYPE_CHECKING:
    from hooks.claims import Claims
    from hooks.leases6 import LeaseStore6
    from hooks.netconf import Network

RECORD_VERSION = 1
#: The state directory and everything in it is root's alone.
MODE = 0o700


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Record(Value):
    """What createRuntime set up for one container, and how far it got."""

    version: int = RECORD_VERSION
    id: str
    state: Literal["creating", "up"]
    """``creating`` while createRuntime works (then :attr:`undo`, as read, is its journal), ``up`` after."""
    network: str
    address: str
    prefixlen: int
    bridge: str
    table: str
    host_interface: str
    jail_interface: str
    """The interface's name inside the jail."""
    jail: str
    """The container's jail name (the container id, for runj)."""
    jid: int
    created: str
    """When createRuntime began, ISO 8601 in UTC."""
    undo: tuple[tuple[str, ...], ...] = ()
    """While ``creating``: the commands that undo what is done so far, newest first. The file
    ``containers/<id>.journal`` holds them, one line per step; :meth:`StateDir.read` puts them
    here (a record written by an earlier jailnet may hold some itself)."""
    ports: tuple[str, ...] = ()
    """The published ports, as specs (``8080:80/tcp``): their rules are in the container's pf
    anchor (:func:`hooks.naming.anchor_name`), their claims under ``ports/``."""
    address6: str | None = None
    """On a dual-stack network, the IPv6 address (leased under ``networks/<name>/inet6/``)."""
    prefixlen6: int | None = None
    hostname: str = ""
    """The bundle's ``hostname`` (config.json), if it names one: the container's name in
    ``/etc/hosts`` (:mod:`hooks.names`); the id otherwise."""
    aliases: tuple[str, ...] = ()
    """``org.jailnet.aliases``: more names for the container in its peers' ``/etc/hosts``."""
    root: str = ""
    """The jail's root (``jls … path``), whose ``/etc/hosts`` :mod:`hooks.names` rewrites."""
    hosts: bool = True
    """False when ``org.jailnet.hosts`` is ``none``: the container's ``/etc/hosts`` is left alone."""
    stored: tuple[str, ...] = ()
    """On a cluster network, the keys of its claims in the cluster's store (:mod:`hooks.storeclaims`)."""
    stored_by: str = ""
    """The value those claims hold: this host and the container."""


def jail_alive(record: Record, jails: Mapping[str, int]) -> bool:
    """Is the record's jail still the same jail? ``jails`` maps live jail names to jids
    (``jls --libxo json name jid``); runj's jails are found by name, ocijail's by jid."""
    if record.jail.isascii() and record.jail.isdigit():
        return int(record.jail) == record.jid and record.jid in jails.values()
    return jails.get(record.jail) == record.jid


# A service, not a value: compared by identity, and attrs generates only __init__ (an __eq__ and a
# __repr__ cost some 0.4 ms at import, on every hook's start path: docs/performance.md).
@attrs.frozen(eq=False, repr=False)
class StateDir:
    """The state directory at :attr:`path`."""

    path: Path

    def check(self, *, write: bool, where: str) -> None:
        """Say in one line why the directory cannot be used, before anything touches it.

        ``where`` names what chose the path (``--state-dir``, ``$JAILNET_STATE_DIR`` or the
        default). Something there that is not a directory is bad input (exit 2); a directory this
        process may not read, search or, with ``write``, write (access(2); jailnet's hooks run as
        root, and the directory is root's, mode 0700) is an operational failure. An absent
        directory is fine: the hooks create it, and readers find nothing in it.
        """
        try:
            is_dir = stat.S_ISDIR(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return
        except NotADirectoryError:
            is_dir = False
        except OSError as exc:
            raise OperationFailed(f"state directory {self.path} ({where}): {exc.strerror}") from None
        if not is_dir:
            raise BadInput(f"{where}: {self.path} is not a directory")
        mode = os.R_OK | os.X_OK | (os.W_OK if write else 0)
        if not os.access(self.path, mode):
            need = "read and write" if write else "read"
            raise OperationFailed(f"state directory {self.path} ({where}): this user may not {need} it "
                                  f"(jailnet runs as root)")

    def ensure(self) -> None:
        """Create the directory tree, root-only (mode 0700)."""
        try:
            for sub in (self.path, self.path / "containers", self.path / "networks", self.path / "locks"):
                sub.mkdir(mode=MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise OperationFailed(f"cannot create the state directory {exc.filename or self.path}: "
                                  f"{exc.strerror}") from None

    @contextlib.contextmanager
    def _flock(self, path: Path) -> Iterator[None]:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise OperationFailed(f"cannot open lock {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """The host-wide lock (leases, bridges, reaping, gc)."""
        self.ensure()
        return self._flock(self.path / "lock")

    def container_lock(self, container_id: str) -> contextlib.AbstractContextManager[None]:
        """The lock one container's hooks take, so that two calls for one id never interleave.

        Ids share 256 lock files by hash: a lock file cannot be removed safely while another
        process may be waiting on it, so there is a bounded set of them instead of one per id.
        """
        self.ensure()
        return self._flock(self._container_lock_path(container_id))

    def _container_lock_path(self, container_id: str) -> Path:
        return self.path / "locks" / f"{sha256_hex(container_id.encode())[:2]}.lock"

    @contextlib.contextmanager
    def hold_idle(self, container_ids: Iterable[str]) -> Iterator[frozenset[str]]:
        """Lock, for the block, every container in ``container_ids`` whose lock no hook holds
        (flock with LOCK_NB: this never waits, so it cannot deadlock with a hook that holds its
        container's lock and waits for the host-wide one); yield the ids that are busy.

        Held, not probed: a hook that finished between a probe and gc's next step would be
        taken for a dead one and its container torn down. Ids sharing a lock file make this
        err on the side of busy.
        """
        self.ensure()
        held: dict[Path, int | None] = {}
        busy = set()
        try:
            for container_id in sorted(set(container_ids)):
                path = self._container_lock_path(container_id)
                if path not in held:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        held[path] = fd
                    except BlockingIOError:
                        os.close(fd)
                        held[path] = None
                if held[path] is None:
                    busy.add(container_id)
            yield frozenset(busy)
        finally:
            for kept in held.values():
                if kept is not None:
                    os.close(kept)

    def _record_path(self, container_id: str) -> Path:
        return self.path / "containers" / f"{container_id}.json"

    def _journal_path(self, container_id: str) -> Path:
        return self.path / "containers" / f"{container_id}.journal"

    def begin(self, record: Record) -> None:
        """Write the record of a create that starts (``creating``), with an empty journal."""
        self._journal_path(record.id).unlink(missing_ok=True)
        self.write(record)

    def journal(self, container_id: str, undo: tuple[str, ...]) -> None:
        """Add one command that undoes a step just done to the container's journal.

        One ``O_APPEND`` write(2) of one line, so a hook killed at any point leaves whole lines;
        rewriting the record (a rename) after every step cost ten times as much.
        """
        path = self._journal_path(container_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                os.write(fd, (json.dumps(list(undo)) + "\n").encode())
            finally:
                os.close(fd)
        except OSError as exc:
            raise OperationFailed(f"cannot write {path}: {exc.strerror}") from None

    def _journaled(self, container_id: str) -> tuple[tuple[str, ...], ...]:
        """The journal's commands, newest first (a line cut short by a crash is skipped)."""
        try:
            lines = self._journal_path(container_id).read_text().splitlines()
        except FileNotFoundError:
            return ()
        except OSError as exc:
            raise OperationFailed(f"cannot read {self._journal_path(container_id)}: {exc.strerror}") from None
        found = []
        for line in lines:
            try:
                words = json.loads(line)
            except ValueError:
                continue
            if isinstance(words, list) and words and all(isinstance(w, str) for w in words):
                found.append(tuple(words))
        return tuple(reversed(found))

    def read(self, container_id: str) -> Record | None:
        """The container's record, or None; while it is ``creating``, its :attr:`Record.undo` holds
        the journal. A damaged record is an operational failure."""
        from ocispec import InvalidDocument, structure

        path = self._record_path(container_id)
        try:
            raw = path.read_text()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OperationFailed(f"cannot read {path}: {exc.strerror}") from None
        try:
            record = structure(json.loads(raw), Record, where=str(path), strict=True)
        except (ValueError, InvalidDocument) as exc:
            raise OperationFailed(f"damaged record {path}: {str(exc).splitlines()[0]}") from None
        if record.state == "creating":
            record = attrs.evolve(record, undo=self._journaled(container_id) + record.undo)
        return record

    def write(self, record: Record) -> None:
        """Replace the container's record atomically."""
        from ocispec import unstructure

        self.ensure()
        path = self._record_path(record.id)
        text = json.dumps(unstructure(record), indent=1) + "\n"
        try:
            files.replace(path, text.encode(), mode=0o600, durable=False)
        except OSError as exc:
            raise OperationFailed(f"cannot write {path}: {exc.strerror}") from None
        if record.state == "up":
            self._journal_path(record.id).unlink(missing_ok=True)

    def claims(self) -> "Claims":
        """The host ports live containers publish (``ports/``, :mod:`hooks.claims`)."""
        from hooks.claims import Claims  # only for containers that publish ports, and gc

        return Claims(self.path / "ports")

    def leases(self, network: "Network") -> LeaseStore:
        """The IPv4 leases of ``network`` (``networks/<name>/``), to hand out addresses."""
        return LeaseStore(self.path / "networks" / network.name, ipaddress.IPv4Address, network)

    def leases6(self, network: "Network") -> "LeaseStore6":
        """The IPv6 leases of a dual-stack ``network`` (``networks/<name>/inet6/``)."""
        from hooks.leases6 import LeaseStore6  # only for dual-stack networks

        return LeaseStore6(self.path / "networks" / network.name / INET6, ipaddress.IPv6Address, network)

    def network_leases(self) -> dict[str, Leases[ipaddress.IPv4Address]]:
        """The IPv4 lease directory of every network that has one, by network name (configured or not)."""
        base = self.path / "networks"
        if not base.is_dir():
            return {}
        return {d.name: leases4(d) for d in sorted(base.iterdir()) if d.is_dir()}

    def network_leases6(self) -> dict[str, Leases[ipaddress.IPv6Address]]:
        """The IPv6 lease directory of every network that has one, by network name."""
        return {name: leases6(found.directory / INET6) for name, found in self.network_leases().items()
                if (found.directory / INET6).is_dir()}

    def leases_of(self, container_id: str) -> dict[str, ipaddress.IPv4Address]:
        """Every network where ``container_id`` holds an IPv4 lease, and the address, by network name."""
        return _held(self.network_leases(), container_id)

    def leases6_of(self, container_id: str) -> dict[str, ipaddress.IPv6Address]:
        """Every network where ``container_id`` holds an IPv6 lease, and the address, by network name."""
        return _held(self.network_leases6(), container_id)

    def delete(self, container_id: str) -> None:
        """Remove the container's record and journal (nothing there is fine)."""
        self._record_path(container_id).unlink(missing_ok=True)
        self._journal_path(container_id).unlink(missing_ok=True)

    def record_ids(self) -> list[str]:
        """The ids of the containers that have a record, sorted."""
        return sorted(path.stem for path in (self.path / "containers").glob("*.json"))

    def records(self) -> list[Record]:
        """Every record, by container id."""
        found = []
        for container_id in self.record_ids():
            record = self.read(container_id)
            if record is not None:
                found.append(record)
        return found

    @property
    def isolation_file(self) -> Path:
        """Where the rules last loaded into ``jailnet/isolation`` are kept (:mod:`hooks.isolation`)."""
        return self.path / "isolation.conf"

    def isolation(self) -> str:
        """The rules last loaded into ``jailnet/isolation``; empty when none were (a reboot empties
        both this directory and pf)."""
        try:
            return self.isolation_file.read_text()
        except (FileNotFoundError, NotADirectoryError):
            return ""

    def remember_isolation(self, rules: str) -> None:
        """Record the rules just loaded, atomically (a crash leaves the old file or the new one)."""
        files.replace(self.isolation_file, rules.encode(), mode=0o600, durable=False)

    def osreldate(self) -> int | None:
        """The cached ``kern.osreldate`` of the running system, if known."""
        try:
            value = json.loads((self.path / "host.json").read_text())["osreldate"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def remember_osreldate(self, value: int) -> None:
        """Cache ``kern.osreldate`` (valid until reboot, which empties /var/run)."""
        files.replace(self.path / "host.json", (json.dumps({"osreldate": value}) + "\n").encode(), mode=0o600,
                      durable=False)


def _held(found: Mapping[str, Leases[A]], container_id: str) -> dict[str, A]:
    held = {}
    for name, leases in found.items():
        address = leases.find(container_id)
        if address is not None:
            held[name] = address
    return held
