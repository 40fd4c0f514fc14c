"""What one hook call asks for, validated before anything on the host is touched.

:meth:`Request.from_inputs` combines the OCI state (container id, annotations), the host
configuration and the hook's arguments, in this precedence (lowest first): the built-in network,
the configuration file, ``--network``, then the container's annotations:

``org.jailnet.network``      network name
``org.jailnet.ipv4``         static address, e.g. ``172.17.0.50``
``org.jailnet.ipv6``         static IPv6 address on a dual-stack network, e.g. ``fd00:17::50``
``org.jailnet.nameservers``  comma list of nameserver addresses
``org.jailnet.search``       comma list of search domains
``org.jailnet.dns``          ``none``: leave the jail's /etc/resolv.conf alone
``org.jailnet.ports``        comma list of Docker ``-p`` specs to publish (:mod:`hooks.ports`)
``org.jailnet.aliases``      comma list of more host names for the container (:mod:`hooks.names`)
``org.jailnet.hosts``        ``none``: leave the jail's /etc/hosts alone

ocijail also passes ``org.freebsd.jail.jid`` (docs/runtimes.md §1), the jid of the jail.
"""

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from hooks.errors import BadInput
from hooks.naming import check_container_id
from hooks.netconf import (
    Network,
    Networks,
    check_network_name,
    parse_nameservers,
    parse_search,
)
from ocispec.value import Value

if TYPE_CHECKING:
    from collections.abc import Callable

    from hooks.leases import A
    from hooks.ports import Published

ANNOTATION_NETWORK = "org.jailnet.network"
ANNOTATION_IPV4 = "org.jailnet.ipv4"
ANNOTATION_IPV6 = "org.jailnet.ipv6"
ANNOTATION_NAMESERVERS = "org.jailnet.nameservers"
ANNOTATION_SEARCH = "org.jailnet.search"
ANNOTATION_DNS = "org.jailnet.dns"
ANNOTATION_PORTS = "org.jailnet.ports"
ANNOTATION_ALIASES = "org.jailnet.aliases"
ANNOTATION_HOSTS = "org.jailnet.hosts"
ANNOTATION_JID = "org.freebsd.jail.jid"
ANNOTATION_PREFIX = "org.jailnet."
#: Every ``org.jailnet.*`` annotation jailnet reads; any other one under that prefix is refused.
KNOWN_ANNOTATIONS = (ANNOTATION_NETWORK, ANNOTATION_IPV4, ANNOTATION_IPV6, ANNOTATION_NAMESERVERS, ANNOTATION_SEARCH,
                     ANNOTATION_DNS, ANNOTATION_PORTS, ANNOTATION_ALIASES, ANNOTATION_HOSTS)
#: The largest jid the kernel hands out (``JAIL_MAX``, sys/sys/jail.h).
JAIL_MAX = 999999

def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _static(annotations: Mapping[str, str], key: str, parse: "Callable[[str], A]",
            usable: "Callable[[A], str | None]") -> "A | None":
    """The static address annotation ``key`` asks for (well formed already), if the network can
    give it; None without the annotation."""
    if key not in annotations:
        return None
    address = parse(annotations[key].strip())
    problem = usable(address)
    if problem:
        raise BadInput(f"annotation {key}: {problem}")
    return address


def check_known_annotation(key: str) -> None:
    """Refuse an ``org.jailnet.*`` key jailnet does not read (``org.jailnet.ipv`` for ``.ipv4``):
    ignoring it would give the container another address, network or resolver than asked for."""
    if key.startswith(ANNOTATION_PREFIX) and key not in KNOWN_ANNOTATIONS:
        import difflib  # only on this error path

        names = [known.removeprefix(ANNOTATION_PREFIX) for known in KNOWN_ANNOTATIONS]
        wrong = key.removeprefix(ANNOTATION_PREFIX)
        close = difflib.get_close_matches(wrong, names, n=2, cutoff=0.6)

        def score(name: str) -> float:
            return difflib.SequenceMatcher(None, wrong, name).ratio()

        if len(close) == 2 and score(close[0]) == score(close[1]):  # ipv: ipv4 or ipv6
            hint = f"did you mean {ANNOTATION_PREFIX}{min(close)} or {ANNOTATION_PREFIX}{max(close)}?"
        elif close:
            hint = f"did you mean {ANNOTATION_PREFIX}{close[0]}?"
        else:
            hint = f"jailnet reads {', '.join(KNOWN_ANNOTATIONS)}"
        raise BadInput(f"annotation {key}: unknown ({hint})")


def check_annotation(key: str, value: str) -> None:
    """Raise :class:`BadInput` (naming ``annotation KEY``) when ``value`` is not even well formed,
    whatever the host's networks are; ``jailnet bundle`` checks bundles with this too."""
    where = f"annotation {key}"
    if key == ANNOTATION_NETWORK:
        check_network_name(value.strip(), where)
    elif key == ANNOTATION_IPV4:
        try:
            ipaddress.IPv4Address(value.strip())
        except ValueError:
            raise BadInput(f"{where}: {value!r} is not an IPv4 address") from None
    elif key == ANNOTATION_IPV6:
        try:
            ipaddress.IPv6Address(value.strip())
        except ValueError:
            raise BadInput(f"{where}: {value!r} is not an IPv6 address") from None
    elif key == ANNOTATION_NAMESERVERS:
        if not parse_nameservers(_list(value), where):
            raise BadInput(f"{where}: empty (use {ANNOTATION_DNS}=none to skip DNS)")
    elif key == ANNOTATION_SEARCH:
        parse_search(_list(value), where)
    elif key == ANNOTATION_PORTS:
        from hooks.ports import parse_list  # only for a container that publishes ports

        parse_list(value, where)
    elif key == ANNOTATION_ALIASES:
        from hooks.hostsfile import parse_aliases

        parse_aliases(value, where)
    elif key in (ANNOTATION_DNS, ANNOTATION_HOSTS) and value != "none":
        raise BadInput(f"{where}: {value!r} is not understood (only 'none')")


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Request(Value):
    """One container's networking, fully validated."""

    container_id: str
    jail: str
    """How to name the jail to jls/ifconfig/jexec: the jid ocijail passes, else the id (runj)."""
    network: Network
    address: ipaddress.IPv4Address | None = None
    """A static address from ``org.jailnet.ipv4``; None: the next free one."""
    address6: ipaddress.IPv6Address | None = None
    """A static IPv6 address from ``org.jailnet.ipv6`` (dual-stack networks); None: chosen."""
    nameservers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    dns: bool = True
    """False when ``org.jailnet.dns`` is ``none``: resolv.conf is left alone."""
    ports: "tuple[Published, ...]" = ()
    """What ``org.jailnet.ports`` publishes, in its order."""
    aliases: tuple[str, ...] = ()
    """``org.jailnet.aliases``: more names for the container in ``/etc/hosts``."""
    hosts: bool = True
    """False when ``org.jailnet.hosts`` is ``none``: /etc/hosts is left alone."""
    bundle: str = ""
    """The bundle directory (the state's ``bundle``), whose config.json may name a hostname."""

    @classmethod
    def from_inputs(
        cls, *, container_id: str, annotations: Mapping[str, str], config: Networks, network: str | None,
        bundle: str = "",
    ) -> "Request":
        """Validate everything; :class:`BadInput` names the first field that is wrong."""
        check_container_id(container_id)
        for key in sorted(annotations):
            check_known_annotation(key)
        for key in KNOWN_ANNOTATIONS:
            if key in annotations:
                check_annotation(key, annotations[key])
        name = annotations.get(ANNOTATION_NETWORK)
        where = f"annotation {ANNOTATION_NETWORK}" if name is not None else "--network"
        chosen = config.network((name or "").strip() or network or "default", where)
        address = _static(annotations, ANNOTATION_IPV4, ipaddress.IPv4Address, chosen.usable)
        address6 = _static(annotations, ANNOTATION_IPV6, ipaddress.IPv6Address, chosen.usable6)
        nameservers = chosen.nameservers
        if ANNOTATION_NAMESERVERS in annotations:
            nameservers = parse_nameservers(_list(annotations[ANNOTATION_NAMESERVERS]), "")
        search = chosen.search
        if ANNOTATION_SEARCH in annotations:
            search = parse_search(_list(annotations[ANNOTATION_SEARCH]), "")
        dns = annotations.get(ANNOTATION_DNS)
        jail = container_id
        jid = annotations.get(ANNOTATION_JID)
        if jid is not None:
            if not (jid.isascii() and jid.isdigit()) or not 1 <= int(jid) <= JAIL_MAX:
                raise BadInput(f"annotation {ANNOTATION_JID}: {jid!r} is not a jid")
            jail = str(int(jid))
        ports: tuple[Published, ...] = ()
        if ANNOTATION_PORTS in annotations:
            from hooks.ports import parse_list

            ports = parse_list(annotations[ANNOTATION_PORTS], f"annotation {ANNOTATION_PORTS}")
        aliases: tuple[str, ...] = ()
        if ANNOTATION_ALIASES in annotations:
            from hooks.hostsfile import parse_aliases

            aliases = parse_aliases(annotations[ANNOTATION_ALIASES], f"annotation {ANNOTATION_ALIASES}")
        return cls(container_id=container_id, jail=jail, network=chosen, address=address, address6=address6,
                   aliases=aliases, hosts=ANNOTATION_HOSTS not in annotations, bundle=bundle,
                   nameservers=nameservers, search=search, dns=dns is None, ports=ports)
