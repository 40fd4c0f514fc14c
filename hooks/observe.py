"""Pure parsers for what the read-only probes print (docs/freebsd-commands.md §4)."""

import json
import re

import attrs

from hooks.system import Completed
from ocispec.value import Value


@attrs.frozen(kw_only=True, eq=False, repr=False)
class JailInfo(Value):
    """What ``jls -j J jid vnet path`` says about the container's jail."""

    jid: int
    vnet: bool
    path: str


@attrs.frozen(kw_only=True, eq=False, repr=False)
class BridgeState(Value):
    """What ``ifconfig BRIDGE`` says: whether it exists, its IPv4 and IPv6 addresses, whether it is up."""

    exists: bool
    addresses: tuple[str, ...] = ()
    addresses6: tuple[str, ...] = ()
    """Its ``inet6`` addresses as ifconfig prints them (af_inet6.c ``in6_status()``), scope ids included."""
    up: bool = False
    is_bridge: bool = True


JAILS = ("jls", "--libxo", "json", "name", "jid")
"""The probe that lists the live jails by name and jid (usr.sbin/jls/jls.c, libxo output)."""

# Patterns as text: re compiles (and caches) one on its first use, so a hook compiles only those it
# uses, not every one at import (docs/performance.md).
_INET = r"(?m)^\tinet (\S+) "
_INET6 = r"(?m)^\tinet6 (\S+) "
_FLAGS = r"^\S+: flags=[0-9a-f]+<([^>]*)>"
_INTEGER = r"-?[0-9]+"
_GROUPS = r"(?m)^\tgroups: (.*)$"
_HEADER = r"^(\S+): flags=[0-9a-f]+<"
_ROUTE_INTERFACE = r"(?m)^\s*interface: (\S+)\s*$"


def parse_jls(stdout: str) -> JailInfo | None:
    """``jls -j J jid vnet path`` -> ``5 new /path`` (jls.c prints values space-separated; the
    path comes last so that spaces in it survive). None when the output has another shape."""
    line = stdout.rstrip("\n")
    parts = line.split(" ", 2)
    if "\n" in line or len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit():
        return None
    return JailInfo(jid=int(parts[0]), vnet=parts[1] == "new", path=parts[2])


def parse_bridge(returncode: int, stdout: str) -> BridgeState:
    """``ifconfig BRIDGE``: exit 1 when it does not exist; else the flags, ``inet`` lines, and
    whether it is in group ``bridge`` (if_bridge(4) clones join it; an em0 does not)."""
    if returncode != 0:
        return BridgeState(exists=False)
    up = "UP" in interface_flags(stdout)
    groups = re.search(_GROUPS, stdout)
    is_bridge = bool(groups) and "bridge" in groups.group(1).split()  # type: ignore[union-attr]
    return BridgeState(exists=True, addresses=tuple(re.findall(_INET, stdout)),
                       addresses6=tuple(re.findall(_INET6, stdout)), up=up, is_bridge=is_bridge)


def interface_flags(stdout: str) -> tuple[str, ...]:
    """The flag names on the first line of ``ifconfig IF`` (``flags=8843<UP,BROADCAST,...>``,
    printed by sbin/ifconfig/ifconfig.c ``status()`` with printb()); none when it has no such line."""
    flags = re.match(_FLAGS, stdout)
    return tuple(flags.group(1).split(",")) if flags else ()


def parse_route_interface(stdout: str) -> str | None:
    """``route -n get default``: the ``  interface: em0`` line names the interface the route
    leaves through (sbin/route/route_netlink.c and 13.x route.c ``print_getmsg()``)."""
    found = re.search(_ROUTE_INTERFACE, stdout)
    return found.group(1) if found else None


def parse_sysctl_values(stdout: str, count: int) -> list[int] | None:
    """``sysctl -n a b ...``: one integer per line (sysctl.c with -n). None if malformed."""
    lines = stdout.split()
    if len(lines) != count or not all(re.fullmatch(_INTEGER, line) for line in lines):
        return None
    return [int(line) for line in lines]


@attrs.frozen(eq=False, repr=False)
class InterfaceInfo(Value):
    """One status block of ``ifconfig``: name, description and groups (sbin/ifconfig/ifconfig.c ``status()``)."""

    name: str
    description: str = ""
    groups: tuple[str, ...] = ()


def parse_interfaces(stdout: str) -> list[InterfaceInfo]:
    """``ifconfig`` (every interface): a header line ``NAME: flags=…`` opens each block;
    ``\\tdescription: …`` and ``\\tgroups: …`` lines inside it are read."""
    found: list[InterfaceInfo] = []
    for line in stdout.splitlines():
        header = re.match(_HEADER, line)
        if header:
            found.append(InterfaceInfo(header.group(1)))
        elif found and line.startswith("\tdescription: "):
            found[-1] = attrs.evolve(found[-1], description=line[len("\tdescription: "):])
        elif found and line.startswith("\tgroups: "):
            found[-1] = attrs.evolve(found[-1], groups=tuple(line[len("\tgroups: "):].split()))
    return found


def parse_table(stdout: str) -> list[str]:
    """``pfctl -t T -T show``: three spaces and an address per line; ``-v`` counter lines start
    with a tab and are skipped (sbin/pfctl/pfctl_table.c ``print_addrx()``)."""
    return [line.strip() for line in stdout.splitlines() if line.strip() and not line.startswith("\t")]


def failure(result: Completed) -> str:
    """Why a probe told nothing: its error (``argv: what it said``), or that its output could not
    be read."""
    return result.describe() if not result.ok else f"{' '.join(result.argv)}: output not understood"


def parse_jails(stdout: str) -> dict[str, int] | None:
    """``jls --libxo json name jid``: ``{"__version": "2", "jail-information": {"jail": [{"name":
    "web", "jid": "5"}]}}`` (usr.sbin/jls/jls.c; parameter values are strings) -> name -> jid."""
    try:
        rows = json.loads(stdout)["jail-information"]["jail"]
        return {str(row["name"]): int(row["jid"]) for row in rows}
    except (ValueError, KeyError, TypeError):
        return None
