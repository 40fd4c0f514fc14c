"""``jailnet ls``: one row per attached container, from the records and the live jails.

Columns: id, network, address (both, ``172.17.0.2/16 fd00:17::2/64``, on a dual-stack network),
host interface, jail interface, whether the jail is alive or gone (gone: poststop has not run
yet, or was skipped — ``jailnet gc`` removes those), age, and the published ports
(``8080->80/tcp``, as ``docker ps`` shows them; ``-`` for none). When ``jls`` fails or prints
what cannot be read, the jail column says ``unknown`` (``"alive": null`` in JSON), one line on
stderr says why, and the exit status is 1. ``--json`` prints a stable list of objects with the
keys documented in the README.
"""

import argparse
import calendar
import json
import time
from collections.abc import Mapping, Sequence

import attrs

from hooks import observe
from hooks.console import Console
from hooks.statedir import Record, jail_alive

COLUMNS = ("ID", "NETWORK", "ADDRESS", "HOST IF", "JAIL IF", "JAIL", "AGE", "PORTS")


@attrs.frozen(kw_only=True)
class Row:
    """One attached container."""

    record: Record
    alive: bool | None
    """Whether the record's jail is alive; None: unknown (the jails could not be listed)."""
    age: float
    """Seconds since createRuntime began."""

    def cells(self) -> tuple[str, ...]:
        r = self.record
        jail = "unknown" if self.alive is None else "alive" if self.alive else "gone"
        if r.state == "creating":
            jail += " (creating)"
        address = f"{r.address}/{r.prefixlen}" + (f" {r.address6}/{r.prefixlen6}" if r.address6 else "")
        return (r.id, r.network, address, r.host_interface, r.jail_interface, jail,
                human_age(self.age), ", ".join(_shown(spec) for spec in r.ports) or "-")

    def as_json(self) -> dict[str, object]:
        r = self.record
        return {"id": r.id, "network": r.network, "address": r.address, "prefixlen": r.prefixlen,
                "address6": r.address6, "prefixlen6": r.prefixlen6, "hostname": r.hostname or None,
                "aliases": list(r.aliases),
                "hostInterface": r.host_interface, "jailInterface": r.jail_interface, "jail": r.jail, "jid": r.jid,
                "alive": self.alive, "state": r.state, "created": r.created, "ageSeconds": int(self.age),
                "ports": [port for spec in r.ports for port in _ports_json(spec)]}


def _shown(spec: str) -> str:
    """A recorded spec (``8080:80/tcp``) as ``docker ps`` shows it (:meth:`Published.shown
    <hooks.ports.Published.shown>`)."""
    from hooks.ports import parse_spec

    return parse_spec(spec, "record").shown()


def _ports_json(spec: str) -> list[dict[str, object]]:
    """One object per host port, as ``docker inspect`` lists them: ``hostIp`` 0.0.0.0 for every
    address of the host."""
    from hooks.ports import parse_spec

    p = parse_spec(spec, "record")
    return [{"hostIp": str(p.host_ip) if p.host_ip is not None else "0.0.0.0", "hostPort": p.host_port + i,
             "containerPort": p.container_port + i, "protocol": p.protocol} for i in range(p.count)]


def human_age(seconds: float) -> str:
    """``42s``, ``5m``, ``3h``, ``2d``: the largest unit that fits, as ``docker ps`` shortens it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{max(int(seconds), 0)}s"


def rows(records: Sequence[Record], jails: Mapping[str, int] | None, now: float) -> list[Row]:
    """Pure: join records with the live jails (by name, or by jid for ocijail's numeric refs);
    ``jails`` None means they could not be listed."""
    out = []
    for record in records:
        alive = None if jails is None else jail_alive(record, jails)
        created = calendar.timegm(time.strptime(record.created, "%Y-%m-%dT%H:%M:%SZ"))
        out.append(Row(record=record, alive=alive, age=max(now - created, 0.0)))
    return out


def table(cells: Sequence[Sequence[str]], header: Sequence[str] = COLUMNS) -> str:
    """Columns padded to their widest cell, two spaces apart, as jls(8) and ifconfig print."""
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *cells]]
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet ls [--json]``: 0, or 1 when the jails could not be listed."""
    state = console.state(args, write=False)
    records = state.records() if (state.path / "containers").is_dir() else []
    jails: dict[str, int] | None = {}
    problem = ""
    if records:
        listed = console.run(observe.JAILS)
        jails = observe.parse_jails(listed.stdout) if listed.ok else None
        if jails is None:
            problem = f"cannot list the jails ({observe.failure(listed)}); JAIL shows unknown"
    found = rows(records, jails, time.time())
    if args.json:
        console.out.write(json.dumps([row.as_json() for row in found], indent=2) + "\n")
    elif found:
        console.out.write(table([row.cells() for row in found]))
    else:
        console.out.write("no containers attached\n")
    if problem:
        console.err.write(f"jailnet: ls: {problem}\n")
        return 1
    return 0
