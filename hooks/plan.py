"""The commands that attach a container to its network and detach it again, as data.

Pure functions: they take validated requests and observations and return tuples of steps; they
start nothing and read nothing. :mod:`hooks.apply` runs them. Programs are named, not pathed:
they are looked up on PATH (``/sbin:/bin:/usr/sbin:/usr/bin`` when the hook has none). Inside a
jail whose host lacks ``-j``, ``jexec`` runs the image's ``/sbin/ifconfig`` and ``/sbin/route``.

Every argv here has the shape ifconfig(8)'s synopsis gives, ``interface [create]
[address_family [address]] [parameters]``: an address family comes right after the interface
name or right after ``create`` and nowhere else (sbin/ifconfig/ifconfig.c ``main()`` and
``ifconfig_ioctl()``; anywhere else ``inet`` is taken for an address and fails with ``ifconfig:
inet: bad value``). ``name`` comes last, so a command that fails part-way has not renamed
anything yet. docs/freebsd-commands.md registers each form with its evidence.

createRuntime on a network whose bridge is up runs eight commands:

1. ``jls -j J jid vnet path``                         find the jail (observation, before any change)
2. ``ifconfig epair create description ID vnet JID``  the pair, its ``a`` end straight into the jail
3. ``ifconfig epairNb description ID group jailnet up name jn…a``   the host end, findable by name
4. ``ifconfig BRIDGE addm jn…a``
5. ``ifconfig -j JID epairNa inet A/P up name jn…b`` the jail end: address and name in one go
6. ``route -j JID -4 add default GATEWAY``
7. ``pfctl -t TABLE -T add A``                        (and /etc/resolv.conf, written directly)
8. ``ifconfig -j JID lo0 inet 127.0.0.1/8 up``       last: its IPv6 side effects (::1, fe80::1)
                                                     cannot be taken back, and nothing after it fails

On a dual-stack network (docs/ipv6.md) the jail end also gets its ``inet6`` address
(``ifconfig -j JID jn…b inet6 A6/P no_dad``) and a v6 default route (``route -j JID -6 add
default GATEWAY6``) after step 6, and step 7 adds both addresses; the first container also gives
the bridge ``gateway6`` and turns ``net.inet6.ip6.forwarding`` on with the IPv4 switch.

A container that publishes ports (``org.jailnet.ports``) adds ``pfctl -a jailnet/ID -f -`` before
step 8, its ``rdr pass`` rules and the hairpin's ``nat`` on stdin (:func:`port_rules`), and,
when its network names no ``egress``, ``route -n get default`` among the observations; poststop
then flushes the anchor.
"""

import ipaddress
from typing import TYPE_CHECKING

import attrs

from hooks.naming import anchor_name, host_ifname, jail_ifname
from ocispec.value import Value

if TYPE_CHECKING:  # types only: poststop plans its teardown without loading them
    from hooks.netconf import Network
    from hooks.observe import BridgeState, JailInfo
    from hooks.ports import Published
    from hooks.request import Request

#: ``kern.osreldate`` of 13.3, the first release whose ifconfig and route take ``-j jail``; below
#: it, :func:`in_jail` runs the image's own tools with jexec (docs/freebsd-commands.md §6).
JAIL_FLAG_OSRELDATE = 1303000

GROUP = "jailnet"
"""ifconfig group of every host end jailnet creates (``ifconfig -g jailnet`` lists them)."""
#: What an ``inet6`` address jailnet adds is given besides its prefix: ``no_dad``, so that it is
#: usable at once (docs/ipv6.md: the lease already guarantees it is unique on the bridge).
INET6_FLAGS = ("no_dad",)

#: The messages that mean "already gone" on teardown: ifconfig.c ``main()`` ``errx(1, "interface %s
#: does not exist")``; pfctl_table.c ``radix_perror()`` for ESRCH (docs/freebsd-commands.md).
GONE_INTERFACE = "does not exist"
GONE_TABLE = "Table does not exist"
#: pfctl_radix.c ``pfr_strerror()`` for ENOENT, on an anchor that is not there.
GONE_ANCHOR = "Anchor or Ruleset does not exist"


@attrs.frozen(eq=False, repr=False)
class Command(Value):
    """Run ``argv``; on rollback run ``undo`` (None: nothing to undo, or undone by another step).

    ``gone`` lists stderr fragments that mean the thing to remove is already gone: a failure
    with one of them counts as done (teardown is idempotent, CNI SPEC "DEL").
    """

    argv: tuple[str, ...]
    undo: tuple[str, ...] | None = None
    gone: tuple[str, ...] = ()
    best_effort: bool = False
    """A failure is logged, not reported: another step makes sure of the result."""
    stdin: str | None = None
    """Text the command reads on its standard input (``pfctl -a ANCHOR -f -`` reads its rules
    there: sbin/pfctl/pfctl.c ``pfctl_rules()`` takes ``-`` for stdin)."""
    creates: bool = False
    """The command clones an interface. ifconfig prints the clone's latest name at exit even when
    a later word fails (sbin/ifconfig/ifconfig.c ``printifnamemaybe()``), so a failed run that
    printed a name left that interface behind, and :func:`hooks.apply.apply` destroys it."""


@attrs.frozen(eq=False, repr=False)
class WriteResolvConf(Value):
    """Write ``/etc/resolv.conf`` under the jail's root ``root`` (:mod:`hooks.resolvconf`)."""

    root: str
    text: str


Step = Command | WriteResolvConf


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Attachment(Value):
    """Everything the attach plan needs, settled: the request, its lease, the jail and the host."""

    request: "Request"
    address: ipaddress.IPv4Address
    jail: "JailInfo"
    jail_flag: bool
    """True when ifconfig/route take ``-j`` (FreeBSD 13.3 and later); else jexec is used."""
    egress: str | None = None
    """The interface published ports are reached on (the request publishes some when set)."""
    address6: ipaddress.IPv6Address | None = None
    """On a dual-stack network, the container's IPv6 address."""

    @property
    def network(self) -> "Network":
        return self.request.network

    @property
    def jail_interface(self) -> str:
        """The interface's name inside the jail."""
        return self.network.interface or jail_ifname(self.request.container_id)

    @property
    def host_interface(self) -> str:
        """The host end's name."""
        return host_ifname(self.request.container_id)


def jail_lookup(jail: str) -> tuple[str, ...]:
    """The observation that finds the jail (jls.8: ``-j`` takes a name or a jid)."""
    return ("jls", "-j", jail, "jid", "vnet", "path")


def in_jail(attachment: Attachment, program: str, *args: str) -> tuple[str, ...]:
    """``program args`` run inside the container's jail: ``-j JID`` (ifconfig.8, route.8 from
    13.3) or ``jexec JID /sbin/program`` (the image must ship it)."""
    jid = str(attachment.jail.jid)
    if attachment.jail_flag:
        return (program, "-j", jid, *args)
    return ("jexec", jid, f"/sbin/{program}", *args)


def ensure_bridge(network: "Network", observed: "BridgeState") -> tuple[Command, ...]:
    """Make the bridge exist, carry the gateway address and be up (only what is missing)."""
    gateway = f"{network.gateway}/{network.subnet.prefixlen}"
    bridge = network.bridge
    if not observed.exists:
        mtu = ("mtu", str(network.mtu)) if network.mtu else ()
        argv = ("ifconfig", "bridge", "create", "inet", gateway, "description", f"jailnet network {network.name}",
                *mtu, "up", "name", bridge)
        return ((Command(argv, undo=("ifconfig", bridge, "destroy"), creates=True),) + ensure_gateway6(network, ())
                + overlay(network))
    steps = []
    if str(network.gateway) not in observed.addresses:
        steps.append(Command(("ifconfig", bridge, "inet", gateway, "alias"),
                             undo=("ifconfig", bridge, "inet", str(network.gateway), "-alias")))
    if not observed.up:
        steps.append(Command(("ifconfig", bridge, "up"), undo=("ifconfig", bridge, "down")))
    return tuple(steps) + ensure_gateway6(network, observed.addresses6)


def overlay(network: "Network") -> tuple[Command, ...]:
    """A network with ``vxlan``: the vxlan(4) interface, made with the bridge and added to it.

    One ifconfig creates it whole: the vxlan words come right after ``create``, as the clone's
    parameters (sbin/ifconfig/ifvxlan.c ``vxlan_cmds[]``, ``DEF_CLONE_CMD``), and the first other
    word creates it (``SIOCIFCREATE2``) before the rest apply; with ``name``, ifconfig prints the
    new name (ifconfig.c ``printifnamemaybe()``). Its MTU is the network's, which every member of
    the bridge shares (if_bridge.c ``bridge_ioctl_add()``: a member whose MTU differs is refused on
    older releases); by default the overlay's, 1450 over IPv4 (docs/multi-host.md)."""
    vx = network.overlay
    if vx is None:
        return ()
    mtu = network.mtu or vx.mtu
    peer = ("vxlangroup" if vx.multicast else "vxlanremote", str(vx.peer))
    dev = ("vxlandev", vx.dev) if vx.dev is not None else ()
    create = ("ifconfig", "vxlan", "create", "vxlanid", str(vx.vni), "vxlanlocal", str(vx.local), *peer, *dev,
              "description", f"jailnet network {network.name}", "mtu", str(mtu), "up", "name", vx.interface)
    return (Command(create, undo=("ifconfig", vx.interface, "destroy"), creates=True),
            Command(("ifconfig", network.bridge, "addm", vx.interface),
                    undo=("ifconfig", network.bridge, "deletem", vx.interface)))


def ensure_gateway6(network: "Network", addresses6: tuple[str, ...]) -> tuple[Command, ...]:
    """A dual-stack network's bridge carries ``gateway6``: ``ifconfig BRIDGE inet6 GW6/LEN
    no_dad``, the family right after the name (af_inet6.c; docs/ipv6.md says why ``no_dad``);
    undone with ``-alias``. Nothing for an IPv4-only network, or when the bridge has it."""
    if network.gateway6 is None or network.subnet6 is None:
        return ()
    if any(ipaddress.IPv6Address(a.split("%", 1)[0]) == network.gateway6 for a in addresses6):
        return ()
    bridge = network.bridge
    return (Command(("ifconfig", bridge, "inet6", f"{network.gateway6}/{network.subnet6.prefixlen}", *INET6_FLAGS),
                    undo=("ifconfig", bridge, "inet6", str(network.gateway6), "-alias")),)


FORWARDING = "net.inet.ip.forwarding"
FORWARDING6 = "net.inet6.ip6.forwarding"


def ensure_forwarding(forwarding: bool, forwarding6: bool = True) -> tuple[Command, ...]:
    """``net.inet.ip.forwarding=1`` unless it is on already (NAT needs it, sysctl.8), and on a
    dual-stack network ``net.inet6.ip6.forwarding=1`` too (``forwarding6`` False): one sysctl
    sets both (sysctl.8 takes several ``name=value``)."""
    off = [name for name, on in ((FORWARDING, forwarding), (FORWARDING6, forwarding6)) if not on]
    if not off:
        return ()
    return (Command(("sysctl", *(f"{name}=1" for name in off)), undo=("sysctl", *(f"{name}=0" for name in off))),)


def create_epair(request: "Request", jail: "JailInfo") -> tuple[str, ...]:
    """Create the pair and move its ``a`` end into the jail in one command.

    ifconfig prints the new name (``epairNa``) at exit, even when a later word fails, so the
    caller always learns what to destroy (sbin/ifconfig/ifconfig.c ``ifcreate_ioctl()``,
    ``printifnamemaybe()``). The description marks the jail end with the container id; it
    survives the move (sys/net/if.c ``if_vmove()`` keeps ``if_description``).
    """
    return ("ifconfig", "epair", "create", "description", request.container_id, "vnet", str(jail.jid))


def peer(epair_a: str) -> str:
    """The other end of ``epairNa``: ``epairNb`` (if_epair.c)."""
    return epair_a[:-1] + "b"


def destroy_epair(epair_a: str) -> tuple[str, ...]:
    """Destroy a freshly made pair through its host end: destroying either end destroys both,
    wherever the other one is (sys/net/if_epair.c ``epair_clone_destroy()``)."""
    return ("ifconfig", peer(epair_a), "destroy")


def attach(attachment: Attachment, epair_a: str, resolv_conf: str | None) -> tuple[Step, ...]:
    """Steps 3-8 of the module docstring, after ``epair_a`` exists with its ``a`` end in the jail.

    Steps whose undo is None are undone by destroying the pair, which :func:`destroy_epair`
    (the create command's undo, run last on rollback) does.
    """
    request, network = attachment.request, attachment.network
    host, epair_b = attachment.host_interface, peer(epair_a)
    mtu = ("mtu", str(network.mtu)) if network.mtu else ()
    address = str(attachment.address)
    steps: list[Step] = [
        Command(("ifconfig", epair_b, "description", request.container_id, "group", GROUP, *mtu, "up", "name", host),
                undo=("ifconfig", host, "name", epair_b)),
        Command(("ifconfig", network.bridge, "addm", host), undo=("ifconfig", network.bridge, "deletem", host)),
        Command(in_jail(attachment, "ifconfig", epair_a, "inet", f"{address}/{network.subnet.prefixlen}", *mtu,
                        "up", "name", attachment.jail_interface)),
        Command(in_jail(attachment, "route", "-4", "add", "default", str(network.gateway)),
                undo=in_jail(attachment, "route", "-4", "delete", "default")),
    ]
    addresses: tuple[str, ...] = (address,)
    if attachment.address6 is not None:
        assert network.subnet6 is not None and network.gateway6 is not None, "a dual-stack network"
        addresses += (str(attachment.address6),)
        steps += [
            Command(in_jail(attachment, "ifconfig", attachment.jail_interface, "inet6",
                            f"{attachment.address6}/{network.subnet6.prefixlen}", *INET6_FLAGS)),
            Command(in_jail(attachment, "route", "-6", "add", "default", str(network.gateway6)),
                    undo=in_jail(attachment, "route", "-6", "delete", "default")),
        ]
    if resolv_conf is not None:
        steps.append(WriteResolvConf(attachment.jail.path, resolv_conf))
    steps.append(Command(("pfctl", "-t", network.table, "-T", "add", *addresses),
                         undo=("pfctl", "-t", network.table, "-T", "delete", *addresses)))
    if request.ports:
        assert attachment.egress is not None, "ports are published on an egress interface"
        rules = port_rules(request.ports, attachment.egress, address, network)
        steps.append(publish(anchor_name(request.container_id), rules))
    steps.append(Command(in_jail(attachment, "ifconfig", "lo0", "inet", "127.0.0.1/8", "up")))
    return tuple(steps)


#: The pf tag (pf.conf(5) "TAGGING PACKETS") :func:`port_rules` puts on a hairpinned packet, so that
#: only those get the reflection ``nat``.
HAIRPIN_TAG = "jailnet_hairpin"


def port_rules(ports: "tuple[Published, ...]", egress: str, address: str, network: "Network") -> str:
    """A container's anchor, in pf.conf(5)'s translation grammar (sbin/pfctl/parse.y ``natrule``:
    ``nataction interface af proto fromto tag tagged rtable redirpool``). Per spec:

    - ``rdr pass on EGRESS inet proto P from any to (EGRESS) port H -> ADDRESS port C``, for
      clients arriving on the egress interface (``to HOSTIP`` when the spec names one);
    - the same on the bridge, tagged ``jailnet_hairpin``, for containers on the bridge that
      connect to the host's address (the hairpin). Not for a loopback HOSTIP: no container's
      packet to 127/8 leaves its own jail.

    A range is ``port A:B -> ADDRESS port C:*``, the ``*`` keeping the offset within the range
    (parse.y ``redirpool``, pf.conf(5) "TRANSLATION").

    Then one ``nat on BRIDGE inet from any to ADDRESS tagged jailnet_hairpin -> GATEWAY``: a
    hairpinned packet leaves through the bridge with the gateway as its source, so the answer
    comes back through the host, where pf undoes both translations (the reflection of the old
    OpenBSD pf FAQ, "Redirection and Reflection"). Only tagged packets match it, so traffic
    bridged straight between two containers keeps its source even with
    ``net.link.bridge.pfil_bridge=1``. It needs ``nat-anchor "jailnet/*"`` in pf.conf
    (docs/configuration.md "Published ports").
    """
    bridge = network.bridge
    lines, hairpin = [], False
    for spec in ports:
        target = f"({egress})" if spec.host_ip is None else str(spec.host_ip)
        if spec.count == 1:
            host, container = str(spec.host_port), str(spec.container_port)
        else:
            host, container = f"{spec.host_port}:{spec.host_end}", f"{spec.container_port}:*"
        match = f"inet proto {spec.protocol} from any to {target} port {host}"
        redirect = f"-> {address} port {container}\n"
        lines.append(f"rdr pass on {egress} {match} {redirect}")
        if spec.host_ip is None or not spec.host_ip.is_loopback:
            lines.append(f"rdr pass on {bridge} {match} tag {HAIRPIN_TAG} {redirect}")
            hairpin = True
    if hairpin:
        lines.append(f"nat on {bridge} inet from any to {address} tagged {HAIRPIN_TAG} -> {network.gateway}\n")
    return "".join(lines)


def publish(anchor: str, rules: str) -> Command:
    """Load ``rules`` into ``anchor`` with one pfctl (``-a`` with ``-f -``: the rules on stdin,
    pfctl.8), replacing what it held; undone by flushing the anchor (:func:`unpublish`)."""
    return Command(("pfctl", "-a", anchor, "-f", "-"), undo=unpublish(anchor).argv, stdin=rules)


def unpublish(anchor: str) -> Command:
    """Flush ``anchor``'s translation rules (``-a`` with ``-F nat``, pfctl.8), all it holds: pf
    then drops the empty anchor (sys/netpfil/pf/pf_ruleset.c ``pf_remove_if_empty_kruleset()``).
    Not ``-F all``: after the rules it clears the anchor's tables, and with the anchor gone by then
    15.0's ``pfctl_do_clear_tables()`` exits 1 (``Anchor or Ruleset does not exist.``);
    ``-F nat`` exits 0 on every release, for an absent anchor too."""
    return Command(("pfctl", "-a", anchor, "-F", "nat"), gone=(GONE_ANCHOR,))


def replay(journal: tuple[tuple[str, ...], ...]) -> tuple[Command, ...]:
    """A dead createRuntime's journal (its undos, newest first), to run before :func:`detach`.

    The journal is written after each step, so a hook killed between a step and its journal
    entry leaves one step unrecorded; its undos may then fail, and :func:`detach` (destroying
    the host end, which takes the pair and its bridge membership along) finishes the job.
    """
    return tuple(Command(argv, best_effort=True) for argv in journal)


def detach(host_interface: str, table: str | None, addresses: tuple[str, ...],
           anchor: str | None = None) -> tuple[Command, ...]:
    """poststop: flush the published ports' anchor (when there is one), take the addresses (IPv4,
    and IPv6 on a dual-stack network) out of the pf table in one pfctl, destroy the pair by its
    host end, which takes the jail end's addresses with it.

    The jail is gone by now (runj deletes it before poststop), so nothing runs inside it.
    Each step treats "already gone" as done.
    """
    steps = [unpublish(anchor)] if anchor is not None else []
    if table is not None and addresses:
        steps.append(Command(("pfctl", "-t", table, "-T", "delete", *addresses), gone=(GONE_TABLE,)))
    steps.append(Command(("ifconfig", host_interface, "destroy"), gone=(GONE_INTERFACE,)))
    return tuple(steps)
