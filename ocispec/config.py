"""The parts of a bundle's ``config.json`` that jailnet reads or writes.

Sources:

* runtime-spec v1.3.0 ``config.md`` (``ociVersion``, ``root``, ``hostname``,
  ``annotations``) and "POSIX-platform Hooks" (``hooks``);
* runtime-spec v1.3.0 ``config-freebsd.md`` and ``schema/config-freebsd.json``
  (``freebsd.jail``; Go ``specs.FreeBSDJail`` in ``specs-go/config.go``);
* runj v0.1.0 ``runtimespec/config.go`` (``freebsd.network``, see :mod:`ocispec.runj`).

Everything else in a config (``process``, ``mounts``, ``linux``, ``freebsd.devices``,
...) is not modelled; the lenient converter ignores it.

Models only: no JSON knowledge (``ocispec/_convert.py`` maps ``oci_version`` to
``ociVersion`` and decides how strict to be), no FreeBSD networking logic.
"""

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from ocispec.runj import RunjNetwork

SharingMode: TypeAlias = Literal["new", "inherit", "disable"]
"""``defs-freebsd.json`` ``SharingMode`` (Go ``FreeBSDSharing``): ``disable``, ``new``,
``inherit``."""

SharingModeNoDisable: TypeAlias = Literal["new", "inherit"]
"""``defs-freebsd.json`` ``SharingModeNoDisable``: ``new`` or ``inherit``
(``schema/test/config/bad/freebsd-vnet-disable.json`` rejects ``"vnet": "disable"``)."""


def _absolute(_inst: Any, attribute: "attrs.Attribute[str]", value: str) -> None:
    if not value.startswith("/"):
        raise ValueError(f"'{attribute.name}' must be an absolute path")


def _positive(_inst: Any, attribute: "attrs.Attribute[int | None]", value: int | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"'{attribute.name}' must be > 0")


def _uint8(_inst: Any, attribute: "attrs.Attribute[int | None]", value: int | None) -> None:
    if value is not None and not 0 <= value <= 255:
        raise ValueError(f"'{attribute.name}' must be between 0 and 255")


@attrs.frozen(kw_only=True)
class Root:
    """``root`` (config.md "Root"): the container's root filesystem."""

    path: str
    """``path``: absolute, or relative to the bundle. runj defaults to
    ``<bundle>/root``; the containerd shim uses ``<bundle>/rootfs``. Ask the jail
    (``jls -j <id> path``) rather than trusting this."""

    readonly: bool = False
    """``readonly``: mount the root read-only."""


@attrs.frozen(kw_only=True)
class Hook:
    """One entry of ``hooks.<kind>`` (config.md "POSIX-platform Hooks")."""

    path: str = attrs.field(validator=_absolute)
    """``path``: execv path semantics; the spec says it MUST be absolute."""

    args: tuple[str, ...] = ()
    """``args``: execv argv semantics, so ``args[0]`` is the program name. runj runs
    ``path`` with ``args[1:]`` and panics when ``args`` is empty; valid per spec, so not
    rejected here."""

    env: tuple[str, ...] = ()
    """``env``: ``environ`` semantics. When set it is the *whole* environment (no
    ``PATH`` unless listed); when absent the hook inherits the runtime's environment."""

    timeout: int | None = attrs.field(default=None, validator=_positive)
    """``timeout``: seconds before the runtime kills the hook. "If set, timeout MUST be
    greater than zero." """


@attrs.frozen(kw_only=True)
class Hooks:
    """``hooks`` (config.md "POSIX-platform Hooks"): all six kinds, in lifecycle order.

    runj runs only ``create_runtime`` (during ``runj create``) and ``poststop`` (during
    ``runj delete``, after the jail is gone); it silently ignores the rest.
    """

    prestart: tuple[Hook, ...] = ()
    """``prestart``: DEPRECATED; same point as createRuntime. Never run by runj."""

    create_runtime: tuple[Hook, ...] = ()
    """``createRuntime``: runtime namespace, after the environment exists."""

    create_container: tuple[Hook, ...] = ()
    """``createContainer``: container namespace, before pivot_root. Never run by runj."""

    start_container: tuple[Hook, ...] = ()
    """``startContainer``: in the container, before the user program. Never run by runj."""

    poststart: tuple[Hook, ...] = ()
    """``poststart``: after the user process started. Never run by runj."""

    poststop: tuple[Hook, ...] = ()
    """``poststop``: after the container is deleted, before ``delete`` returns."""


@attrs.frozen(kw_only=True)
class Allow:
    """``freebsd.jail.allow`` (config-freebsd.md): per-jail permissions.

    ``None`` means "not set", which is not the same as ``False``: the jail(8) default
    applies (``suser`` is enabled by default).
    """

    set_hostname: bool | None = None
    """``setHostname``: jail(8) ``allow.set_hostname``."""

    raw_sockets: bool | None = None
    """``rawSockets``: jail(8) ``allow.raw_sockets`` (ping, traceroute)."""

    chflags: bool | None = None
    """``chflags``: jail(8) ``allow.chflags``."""

    mount: tuple[str, ...] = ()
    """``mount``: filesystem types the jail may mount (jail(8) ``allow.mount.*``)."""

    quotas: bool | None = None
    """``quotas``: jail(8) ``allow.quotas``."""

    socket_af: bool | None = None
    """``socketAf``: jail(8) ``allow.socket_af``."""

    mlock: bool | None = None
    """``mlock``: jail(8) ``allow.mlock``."""

    reserved_ports: bool | None = None
    """``reservedPorts``: jail(8) ``allow.reserved_ports``."""

    suser: bool | None = None
    """``suser``: the jail's ``security.bsd.suser_enabled``."""


@attrs.frozen(kw_only=True)
class Jail:
    """``freebsd.jail`` (runtime-spec v1.3.0 config-freebsd.md, all fields).

    runj v0.2.0+ reads ``host``, ``ip4``, ``ip4_addr``, ``ip6``, ``ip6_addr``, ``vnet``,
    ``vnet_interfaces`` and ``enforce_statfs``; runj v0.1.0 ignores this object.

    ``ip4``/``ip6`` use the schema's ``SharingMode`` (``new``/``inherit``/``disable``).
    The prose of config-freebsd.md only describes ``inherit`` and ``disable``, but the
    schema and Go ``FreeBSDSharing`` allow ``new`` and runj's ``docs/oci.md`` example uses
    it, so ``new`` is accepted.
    """

    parent: str | None = None
    """``parent``: name of the parent jail."""

    host: SharingModeNoDisable | None = None
    """``host``: jail(8) ``host``; ``new`` lets the container set hostname etc."""

    ip4: SharingMode | None = None
    """``ip4``: jail(8) ``ip4``; typically unset with a vnet."""

    ip4_addr: tuple[str, ...] = ()
    """``ip4Addr``: jail(8) ``ip4.addr``. Must stay empty with ``vnet: new`` (EINVAL)."""

    ip6: SharingMode | None = None
    """``ip6``: jail(8) ``ip6``; typically unset with a vnet."""

    ip6_addr: tuple[str, ...] = ()
    """``ip6Addr``: jail(8) ``ip6.addr``. Must stay empty with ``vnet: new`` (EINVAL)."""

    vnet: SharingModeNoDisable | None = None
    """``vnet``: ``new`` gives the jail its own network stack (what jailnet wants)."""

    interface: str | None = None
    """``interface``: host interface that gets aliases for ``ip4Addr``/``ip6Addr``;
    used without a vnet."""

    vnet_interfaces: tuple[str, ...] = ()
    """``vnetInterfaces``: interfaces the runtime moves into the jail's vnet (runj does
    it before the createRuntime hooks, so they must already exist)."""

    sysvmsg: SharingMode | None = None
    """``sysvmsg``: SysV message queues; spec default ``new``."""

    sysvsem: SharingMode | None = None
    """``sysvsem``: SysV semaphores; spec default ``new``."""

    sysvshm: SharingMode | None = None
    """``sysvshm``: SysV shared memory; spec default ``new``."""

    enforce_statfs: int | None = attrs.field(default=None, validator=_uint8)
    """``enforceStatfs``: jail(8) ``enforce_statfs`` (0, 1 or 2; schema type uint8);
    unset means 2."""

    allow: Allow | None = None
    """``allow``: jail(8) ``allow.*`` permissions."""


@attrs.frozen(kw_only=True)
class FreeBSD:
    """``freebsd`` (config-freebsd.md), plus runj v0.1.0's own ``network`` key.

    ``devices`` is not modelled (jailnet does not touch it).
    """

    jail: Jail | None = None
    """``jail``: runtime-spec 1.3.0 jail parameters (read by runj v0.2.0+)."""

    network: RunjNetwork | None = None
    """``network``: runj v0.1.0's ``freebsd.network`` (same schema as
    ``runj.ext.json``'s ``network``; ignored by runj v0.2.0+)."""


@attrs.frozen(kw_only=True)
class Spec:
    """The subset of ``config.json`` jailnet reads (config.md; Go ``specs.Spec``)."""

    oci_version: str
    """``ociVersion``: REQUIRED by config.md."""

    root: Root | None = None
    """``root``: the container's root filesystem."""

    hostname: str | None = None
    """``hostname``: the container's hostname (jail(8) ``host.hostname``)."""

    annotations: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    """``annotations``: arbitrary string metadata; runj forwards it to hooks in the
    state, which makes it the channel for per-container network parameters."""

    hooks: Hooks | None = None
    """``hooks``: lifecycle hooks."""

    freebsd: FreeBSD | None = None
    """``freebsd``: FreeBSD platform section."""
