"""Deterministic interface names derived from the container id.

Interface names hold at most 15 characters (``IFNAMSIZ`` is 16 with the NUL, sys/net/if.h), and
container ids are often 64 hex digits, so the names carry a hash, as CNI's
``MustFormatHashWithPrefix`` does: ``jn`` + the first 12 hex digits of SHA-256(id) + ``a`` for
the host end or ``b`` for the jail end. poststop and gc find a container's interfaces again from
its id alone, with no saved state. 48 bits of hash make an accidental clash between two ids
vanishingly rare; createRuntime still refuses to take over a name that is in use.
"""

import functools
import importlib
from collections.abc import Callable
from typing import Any

PREFIX = "jn"
HASH_DIGITS = 12
MAX_IFNAME = 15


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


def is_jailnet_ifname(name: str) -> bool:
    """True for names of the shape :func:`host_ifname`/:func:`jail_ifname` produce."""
    body = name[len(PREFIX):-1]
    return (
        len(name) == MAX_IFNAME
        and name.startswith(PREFIX)
        and name[-1] in "ab"
        and all(c in "0123456789abcdef" for c in body)
    )
