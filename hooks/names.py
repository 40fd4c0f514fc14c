"""Containers that know each other by name: the jailnet block of each jail's ``/etc/hosts``.

A network's ``hosts`` key says what the block lists (docs/names.md): ``self`` (the built-in
network's default, as Docker's default bridge) the container's own addresses under its host
name, its id and its aliases; ``peers`` (other networks' default, as Docker's user networks)
every live container of the network as well; ``none`` no block at all. The annotation
``org.jailnet.hosts=none`` leaves one container's file alone; the others still list it.

:func:`sync` runs under the host-wide lock after a container joins (createRuntime) or leaves
(poststop) a network, and for every ``peers`` network at each ``jailnet gc``, which so forgets
containers whose poststop never ran: it rewrites the block of the container that joined and, on a ``peers``
network, of every live peer. It writes files only, one per container, and runs no command. A
file that cannot be written is logged, not fatal: the container's networking is in place.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks import hostsfile
from hooks.errors import OperationFailed
from hooks.hostsfile import Entry
from hooks.statedir import Record, StateDir

if TYPE_CHECKING:
    from collections.abc import Callable

    from hooks.netconf import Network


def entries(record: Record) -> list[Entry]:
    """A container's lines: each of its addresses with its host name, its id and its aliases."""
    names = (record.hostname or record.id, record.id, *record.aliases)
    found = [Entry(record.address, names)]
    if record.address6:
        found.append(Entry(record.address6, names))
    return found


def block(own: Record, members: Sequence[Record], mode: str) -> str:
    """``own``'s block: its lines, then, on a ``peers`` network, those of the other members."""
    lines = entries(own)
    if mode == "peers":
        for other in members:
            if other.id != own.id:
                lines += entries(other)
    return hostsfile.render_block(lines)


def write_own(record: Record, error: "Callable[[str], object]") -> None:
    """A ``self`` network's create: the container's own block, from its record (no other record
    is read, so a create costs the same at any number of containers)."""
    _write(record, block(record, (), "self"), error)


def _write(record: Record, text: str, error: "Callable[[str], object]") -> None:
    try:
        hostsfile.rewrite(record.root, text)
    except (OperationFailed, OSError) as exc:  # a symlinked /etc, a fifo at hosts, a jail gone
        error(f"container {record.id}: /etc/hosts not written: {exc}")


def sync(state: StateDir, error: "Callable[[str], object]", network: "Network", joined: str | None = None) -> None:
    """Rewrite the blocks a change of ``network``'s members affects (host-wide lock held): the
    container that ``joined`` (None: one left), and on a ``peers`` network every live member.
    Members are the records that are up on the network; one whose record names no jail root
    (written before jailnet kept it) cannot be rewritten and is skipped."""
    if network.hosts == "none":
        return
    if network.hosts == "self":  # only the container's own file, from its own record: no scan
        own = state.read(joined) if joined is not None else None
        members = [own] if own is not None and own.state == "up" else []
    else:
        members = sorted((r for r in state.records() if r.network == network.name and r.state == "up"),
                         key=lambda r: r.id)
    for record in members:
        if not record.hosts or not record.root or (network.hosts != "peers" and record.id != joined):
            continue
        _write(record, block(record, members, network.hosts), error)
