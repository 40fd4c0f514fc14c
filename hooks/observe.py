"""Pure parsers for what the read-only probes print (freebsd-commands.md §3)."""

import re

from hooks.plan import BridgeState, JailInfo

_INET = re.compile(r"^\tinet (\S+) ", re.M)
_FLAGS = re.compile(r"^\S+: flags=[0-9a-f]+<([^>]*)>")
_INTEGER = re.compile(r"-?[0-9]+")
_GROUPS = re.compile(r"^\tgroups: (.*)$", re.M)


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
    flags = _FLAGS.match(stdout)
    up = bool(flags) and "UP" in flags.group(1).split(",")  # type: ignore[union-attr]
    groups = _GROUPS.search(stdout)
    is_bridge = bool(groups) and "bridge" in groups.group(1).split()  # type: ignore[union-attr]
    return BridgeState(exists=True, addresses=tuple(_INET.findall(stdout)), up=up, is_bridge=is_bridge)


def parse_sysctl_values(stdout: str, count: int) -> list[int] | None:
    """``sysctl -n a b ...``: one integer per line (sysctl.c with -n). None if malformed."""
    lines = stdout.split()
    if len(lines) != count or not all(_INTEGER.fullmatch(line) for line in lines):
        return None
    return [int(line) for line in lines]
