"""Containers that know each other by name: the jailnet block of each jail's ``/etc/hosts``.

A network's ``hosts`` key says what the block lists (docs/names.md): ``self`` (the built-in
network's default, as Docker's default bridge) the container's own addresses under its host
name, its id and its aliases; ``peers`` (other networks' default, as Docker's user networks)
every live container of the network as well; ``none`` no block at all. The annotation
``org.jailnet.hosts=none`` leaves one container's file alone; the others still list it.

On a ``self`` network a create writes its own block (:func:`write_own`). On a ``peers``
network :func:`sync` rewrites every live member's block, under the host-wide lock, when a
container joins (createRuntime) or leaves (poststop), and at each ``jailnet gc``, which so
forgets containers whose poststop never ran. Both write files only and run no command. A file
that cannot be written is logged, not fatal: the container's networking is in place.
"""

import itertools
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


def write_own(record: Record, error: "Callable[[str], object]") -> None:
    """A ``self`` network's create: the container's own block, from its record (no other record
    is read, so a create costs the same at any number of containers)."""
    _write(record, hostsfile.render_block(entries(record)), error)


def _write(record: Record, text: str, error: "Callable[[str], object]") -> None:
    try:
        hostsfile.rewrite(record.root, text)
    except (OperationFailed, OSError) as exc:  # a symlinked /etc, a fifo at hosts, a jail gone
        error(f"container {record.id}: /etc/hosts not written: {exc}")


def sync(state: StateDir, error: "Callable[[str], object]", network: "Network") -> None:
    """A ``peers`` network's members changed (host-wide lock held): rewrite the block of every
    live member, the records that are up on the network. One whose record names no jail root
    (written before jailnet kept it) cannot be rewritten and is skipped; one with
    ``org.jailnet.hosts=none`` keeps its file but is listed in the others'."""
    members = sorted((r for r in state.records() if r.network == network.name and r.state == "up"),
                     key=lambda r: r.id)
    # Each member's lines are rendered once; every block is its own lines, then the others' in
    # order: N blocks of N lines cost N renderings and N joins, not N² renderings.
    lines = [hostsfile.entry_lines(entries(r)) for r in members]
    for index, record in enumerate(members):
        if record.hosts and record.root:
            others = itertools.chain.from_iterable(lines[:index] + lines[index + 1:])
            _write(record, hostsfile.enclose(itertools.chain(lines[index], others)), error)
