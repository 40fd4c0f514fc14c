"""runj's own FreeBSD network schema (``runj.ext.json`` and v0.1.0 ``freebsd.network``).

Source: runj ``runtimespec/config.go`` (types ``FreeBSD``, ``FreeBSDNetwork``,
``FreeBSDIPv4``, ``FreeBSDVNet``), documented in runj ``docs/oci.md``. The schema is the
same in runj v0.1.0 and HEAD::

    {"network": {"ipv4": {"mode": "new|inherit|disable", "addr": ["a.b.c.d"]},
                 "vnet": {"mode": "new|inherit", "interfaces": ["epair0b"]}}}

The same ``network`` object is what runj v0.1.0 reads from ``config.json``'s
``freebsd.network`` (runj v0.2.0 and later read runtime-spec 1.3.0 ``freebsd.jail``
instead, see :mod:`ocispec.config`). ``runj.ext.json`` in the bundle directory is the
only form both versions understand. runj merges it into config.json (``oci/config.go``
``merge``): a non-empty ``mode`` overwrites, ``addr``/``interfaces`` are appended.

Models only; JSON spelling and strictness live in ``ocispec/_convert.py``.
"""

from typing import Literal, TypeAlias

import attrs

IPv4Mode: TypeAlias = Literal["new", "inherit", "disable"]
"""runj ``FreeBSDIPv4Mode``: ``new``, ``inherit`` or ``disable``."""

VnetMode: TypeAlias = Literal["new", "inherit"]
"""runj ``FreeBSDVNetMode``: ``new`` or ``inherit`` (there is no ``disable``)."""


@attrs.frozen(kw_only=True)
class RunjIPv4:
    """``network.ipv4`` (runj ``FreeBSDIPv4``): jail(8) ``ip4`` and ``ip4.addr``."""

    mode: IPv4Mode | None = None
    """``mode``: jail(8) ``ip4``. runj: "Setting the Addr parameter implies a value of
    new". Never combine ``new``/addresses with a new vnet: the kernel refuses
    ("vnet jails cannot have IP address restrictions")."""

    addr: tuple[str, ...] = ()
    """``addr``: IPv4 addresses the jail is restricted to (jail(8) ``ip4.addr``)."""


@attrs.frozen(kw_only=True)
class RunjVnet:
    """``network.vnet`` (runj ``FreeBSDVNet``): jail(8) ``vnet`` and ``vnet.interface``."""

    mode: VnetMode | None = None
    """``mode``: ``new`` gives the jail its own network stack. runj: "Setting the
    Interfaces parameter implies a value of new"."""

    interfaces: tuple[str, ...] = ()
    """``interfaces``: host interfaces runj moves into the jail's vnet *before* the
    createRuntime hooks run, so they must already exist at ``runj create``. Do not
    list an epair the hook itself creates."""


@attrs.frozen(kw_only=True)
class RunjNetwork:
    """``network`` (runj ``FreeBSDNetwork``): how the kernel should set up the jail's
    network. Also the value of ``freebsd.network`` in a runj v0.1.0 ``config.json``."""

    ipv4: RunjIPv4 | None = None
    """``ipv4``: IPv4 sharing mode and addresses."""

    vnet: RunjVnet | None = None
    """``vnet``: vnet mode and interfaces to move into it."""


@attrs.frozen(kw_only=True)
class RunjExtension:
    """The whole of ``runj.ext.json`` (runj ``FreeBSD`` type; top-level key is
    ``network``, not ``freebsd``). Example that requests a vnet:
    ``{"network": {"vnet": {"mode": "new"}}}``."""

    network: RunjNetwork | None = None
    """``network``: the only key runj reads from this file."""
