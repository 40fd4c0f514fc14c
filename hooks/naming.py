"""Container ids, and the deterministic interface names derived from them.

:func:`check_container_id` says whether an id can name a jail and a file; every hook checks the
state's id with it before anything else.

Interface names hold at most 15 characters (``IFNAMSIZ`` is 16 with the NUL, sys/net/if.h), and
container ids are often 64 hex digits, so the names carry a hash, as CNI's
``MustFormatHashWithPrefix`` does: ``jn`` + the first 12 hex digits of SHA-256(id) + ``a`` for
the host end or ``b`` for the jail end. poststop and gc find a container's interfaces again from
its id alone, with no saved state. 48 bits of hash make an accidental clash between two ids
vanishingly rare; createRuntime still refuses to take over a name that is in use.
"""

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from hooks.errors import BadInput

PREFIX = "jn"
HASH_DIGITS = 12
MAX_IFNAME = 15

#: jail(8): a name is any string but may not contain '.', and an all-digit name would be taken
#: for a jid. jailnet also uses the id in file names, so it takes the containerd-style subset:
#: letters, digits, '_', '-', not starting with '-', at most 255 characters (MAXHOSTNAMELEN - 1).
_ID = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,254}"


def check_container_id(value: str) -> str:
    """Return ``value`` if it can name a jail and a file; raise :class:`BadInput` otherwise."""
    where = "state.id"
    if not value:
        raise BadInput(f"{where}: must not be empty")
    if "\x00" in value:
        raise BadInput(f"{where}: must not contain NUL")
    if "." in value:
        raise BadInput(f"{where}: {value!r} cannot name a jail: jail names may not contain '.' (jail(8))")
    if value.isascii() and value.isdigit():
        raise BadInput(f"{where}: {value!r} cannot name a jail: an all-digit name is taken for a jid (jail(8))")
    if len(value) > 255:
        raise BadInput(f"{where}: longer than 255 characters ({len(value)})")
    if value.startswith("-"):
        raise BadInput(f"{where}: {value!r} must not start with '-'")
    if not re.fullmatch(_ID, value):
        bad = next(c for c in value if not (c.isascii() and (c.isalnum() or c in "_-")))
        raise BadInput(f"{where}: {value!r} cannot name a jail: {bad!r} is not allowed "
                       "(letters, digits, '_' and '-')")
    return value


@functools.cache
def _sha256_module() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 (``_sha2`` from 3.12, ``_sha256`` before), else :mod:`hashlib`'s.

    ``import hashlib`` loads OpenSSL's libcrypto through ``_hashlib`` first, several milliseconds
    on every hook's start path for one short digest; the digests are the same.
    """
    for name in ("_sha2", "_sha256"):
        try:
            sha256: Callable[[bytes], Any] = importlib.import_module(name).sha256
            return sha256
        except ImportError:
            continue
    import hashlib

    return hashlib.sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` in hex."""
    digest: str = _sha256_module()(data).hexdigest()
    return digest


def _digest(container_id: str) -> str:
    return sha256_hex(container_id.encode())[:HASH_DIGITS]


def host_ifname(container_id: str) -> str:
    """The host end of the container's epair: ``jn<12 hex>a`` (15 characters)."""
    return f"{PREFIX}{_digest(container_id)}a"


def jail_ifname(container_id: str) -> str:
    """The jail end of the container's epair: ``jn<12 hex>b`` (15 characters)."""
    return f"{PREFIX}{_digest(container_id)}b"


#: The pf anchor every container's anchor hangs under: pf.conf needs ``rdr-anchor "jailnet/*"``.
ANCHOR_PARENT = "jailnet"
#: PF_ANCHOR_NAME_SIZE (sys/net/pfvar.h): each ``/``-separated part of an anchor's path holds at
#: most 63 characters; the kernel refuses a longer one when it makes the anchor
#: (sys/netpfil/pf/pf_ruleset.c ``pf_find_or_create_kruleset()``: ``strlen(q) >=
#: PF_ANCHOR_NAME_SIZE``), and the path as a whole may run to MAXPATHLEN.
PF_ANCHOR_NAME_SIZE = 64


#: jailnet's own filter anchor under :data:`ANCHOR_PARENT`: the rules that keep isolated networks
#: apart (:mod:`hooks.isolation`). No container's anchor takes its name.
ISOLATION_ANCHOR = f"{ANCHOR_PARENT}/isolation"


def anchor_name(container_id: str) -> str:
    """The container's pf anchor, ``jailnet/ID``; for an id too long to be an anchor's name (a
    64-digit containerd id), or one that would take :data:`ISOLATION_ANCHOR`'s name,
    ``jailnet/jn<12 hex>``, the key of its interface names."""
    named = f"{ANCHOR_PARENT}/{container_id}"
    if len(container_id) < PF_ANCHOR_NAME_SIZE and named != ISOLATION_ANCHOR:
        return named
    return f"{ANCHOR_PARENT}/{PREFIX}{_digest(container_id)}"


def is_jailnet_ifname(name: str) -> bool:
    """True for names of the shape :func:`host_ifname`/:func:`jail_ifname` produce."""
    body = name[len(PREFIX):-1]
    return (
        len(name) == MAX_IFNAME
        and name.startswith(PREFIX)
        and name[-1] in "ab"
        and all(c in "0123456789abcdef" for c in body)
    )
