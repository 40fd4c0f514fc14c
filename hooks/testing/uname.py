"""Simulated ``uname(1)``, after usr.bin/uname/uname.c ``main()``, ``print_uname()`` and
``usage()``.

Every field comes from a sysctl (``native_*()``: kern.ostype, kern.hostname, kern.osrelease,
kern.version, hw.machine, hw.machine_arch, kern.ident, kern.build_id) or from getosreldate(3)
(``-K``) and the userland's ``__FreeBSD_version`` (``-U``), here both ``kern.osreldate``. The
``UNAME_x`` environment overrides of setup_get() are not simulated (commands here get no
environment).
"""

import hashlib
from collections.abc import Sequence

from hooks.testing.program import Context, Fail, Program, getopt
from hooks.testing.sysctl import uname_values

#: uname.c of the 13.x tree: getopt "aiKmnoprsUv"; the newer tree adds -b (kern.build_id).
#: That -b arrived with 14.0 is [guess].
OPTIONS_13 = "aiKmnoprsUv"
OPTIONS = "abiKmnoprsUv"
USAGE_13 = "usage: uname [-aiKmnoprsUv]"
USAGE = "usage: uname [-abiKmnoprsUv]"

#: print_uname(): the order fields are printed in, whatever the order of the options.
_ORDER = ("s", "n", "r", "v", "m", "p", "i", "K", "U", "b")


def _newer(ctx: Context) -> bool:
    return ctx.state.osreldate >= 1400000


def _fields(ctx: Context) -> dict[str, str]:
    """Each flag's text. native_version() turns the newlines and tabs of kern.version into
    blanks and drops the last one; kern.build_id is a hash the model does not keep: derived
    from the release [guess]."""
    values = uname_values(ctx)
    version = values["kern.version"]
    body = version[:-1] if version.endswith(("\n", "\t")) else version
    return {
        "s": values["kern.ostype"],
        "n": values["kern.hostname"],
        "r": values["kern.osrelease"],
        "v": body.replace("\n", " ").replace("\t", " "),
        "m": values["hw.machine"],
        "p": values["hw.machine_arch"],
        "i": values["kern.ident"],
        "K": str(ctx.state.osreldate),
        "U": str(ctx.state.osreldate),
        "b": hashlib.sha1(ctx.state.release.encode()).hexdigest(),
    }


def run(ctx: Context, args: list[str]) -> int:
    """uname.c main(): ``-a`` is ``-mnrsv``, ``-o`` is ``-s``, no flag is ``-s``; any word left
    after the options is usage(): ``usage: uname [...]`` on stderr, exit 1."""
    newer = _newer(ctx)
    usage = USAGE if newer else USAGE_13
    opts, rest, error = getopt("uname", args, OPTIONS if newer else OPTIONS_13)
    if error or rest:
        raise Fail((error + "\n" if error else "") + usage, 1)
    chosen: set[str] = set()
    for letter, _ in opts:
        if letter == "a":
            chosen |= {"m", "n", "r", "s", "v"}
        elif letter == "o":
            chosen.add("s")
        else:
            chosen.add(letter)
    if not chosen:
        chosen.add("s")
    fields = _fields(ctx)
    ctx.print(" ".join(fields[flag] for flag in _ORDER if flag in chosen))
    return 0


def _never(_: Sequence[str]) -> bool:
    return False


def _fault(_: Sequence[str]) -> tuple[int, str, str]:
    """Never used (uname changes nothing); a failed sysctl(3) would be ``err(1, "sysctl")``."""
    return 1, "", "uname: sysctl: Operation not permitted\n"


PROGRAM = Program(name="uname", run=run, mutating=_never, fault=_fault)
