"""The simulated FreeBSD host: a :class:`~hooks.system.Runner` that answers like FreeBSD does.

:class:`SimulatedHost` runs ``ifconfig``, ``pfctl``, ``sysctl``, ``route``, ``jls``, ``jexec`` and
``jail`` against an in-memory :class:`~hooks.testing.model.SimState`, keeps an invocation log,
injects faults, and offers helpers that create and remove jails the way runj does.
"""

import fnmatch
import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from hooks.system import Completed
from hooks.testing import interfaces, jails
from hooks.testing.model import (
    HOST_VNET,
    IFF_BROADCAST,
    IFF_KNOWSEPOCH,
    IFF_MULTICAST,
    IFF_RUNNING,
    IFF_SIMPLEX,
    IFF_UP,
    ND6_IFF_ACCEPT_RTADV,
    ND6_IFF_AUTO_LINKLOCAL,
    ND6_IFF_PERFORMNUD,
    Fault,
    Inet,
    Inet6,
    Invocation,
    Jail,
    Route,
    SimState,
    Vnet,
)
from hooks.testing.program import Context
from hooks.testing.programs import PROGRAMS, execute

#: The pf.conf the README's "Prepare pf" asks an administrator for: a persistent ``<jail-nat>``
#: table and the walkthrough's NAT rule on em0 (docs/walkthrough.md step 1), and the calls of
#: the published ports' anchors (docs/configuration.md "Published ports") and of the isolation
#: rules (docs/isolation.md).
PF_CONF = ('table <jail-nat> persist\nnat on em0 inet from <jail-nat> to any -> (em0)\n'
           'nat-anchor "jailnet/*"\nrdr-anchor "jailnet/*"\nanchor "jailnet/*"\n')


class SimulatedHost:
    """A FreeBSD host in memory. Call it like a runner: ``host(("ifconfig", "-l"))``."""

    def __init__(self, state: SimState | None = None) -> None:
        self.state = state if state is not None else SimState()
        self.kill_caller = False
        """Set when a ``kill-*`` fault fired: the executable then SIGKILLs its parent."""

    @classmethod
    def freebsd(
        cls,
        release: str = "14.2-RELEASE",
        *,
        egress: str = "em0",
        address: str = "10.0.2.15/24",
        gateway: str = "10.0.2.2",
        pf_loaded: bool = True,
    ) -> "SimulatedHost":
        """A freshly booted host like the walkthrough's (docs/walkthrough.md): ``em0`` with a default
        route, ``lo0``.

        pf is loaded (``kldload pf``) but disabled and has no rules; forwarding is off
        (``net.inet.ip.forwarding`` defaults to 0, netinet/ip_input.c ``V_ipforwarding``).
        """
        state = SimState(release=release)
        state.pf.loaded = pf_loaded
        host = state.host
        host.sysctls.update(interfaces.default_sysctls())
        em = interfaces.attach(state, host, HOST_VNET, egress, driver="em", unit=0)
        em.mac = "08:00:27:f3:cd:05"
        em.flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_SIMPLEX | IFF_MULTICAST
        if state.osreldate < 1400000:
            em.flags |= IFF_KNOWSEPOCH
        # rc.d/netif with the walkthrough's rc.conf: IPv6 enabled and router advertisements
        # accepted on em0 (``nd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>`` in its
        # listing), its EUI-64 link-local address first, then the DHCP address.
        em.nd6 = ND6_IFF_PERFORMNUD | ND6_IFF_ACCEPT_RTADV | ND6_IFF_AUTO_LINKLOCAL
        em.inet6 = [Inet6("fe80::a00:27ff:fef3:cd05", 64, seq=1)]
        addr, _, plen = address.partition("/")
        em.inet = [Inet(addr, int(plen or 24), seq=2)]
        lo = interfaces.attach(state, host, HOST_VNET, "lo0", driver="lo", unit=0)
        interfaces.set_up(state, host, lo, True)
        lo.inet = [Inet("127.0.0.1", 8, seq=interfaces.next_seq(lo))]
        host.routes.append(Route("default", gateway, egress))
        return cls(state)

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        """Run ``argv`` as the host's root user would; see :meth:`run`."""
        return self.run(argv, stdin=stdin)

    def run(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        """Run one command and log it. ``argv[0]`` may be a path; its basename picks the program."""
        argv = tuple(argv)
        program = os.path.basename(argv[0]) if argv else ""
        command = PROGRAMS.get(program)
        if command is None:
            # execvp(3) fails with ENOENT; how the caller reports that is up to the caller.
            result = Completed(argv, 127, "", f"{argv[0] if argv else ''}: No such file or directory\n")
            self.state.log.append(Invocation(list(argv), 127))
            return result
        args = list(argv[1:])
        ctx = Context(self.state, program, stdin=stdin or "")
        fault = self._take_fault(program, args) if command.mutating(args) else None
        if fault is not None and fault.action == "fail":
            code, out, err = command.fault(args)
            self.state.log.append(Invocation([program, *args], code, _jail_of(program, args)))
            return Completed(argv, code, out, err)
        if fault is not None:
            self.kill_caller = True
            if fault.action == "kill-before":
                self.state.log.append(Invocation([program, *args], -9, _jail_of(program, args)))
                return Completed(argv, -9, "", "")
        code = execute(command, ctx, args)
        self.state.log.append(Invocation([program, *args], code, _jail_of(program, args)))
        return Completed(argv, code, "".join(ctx.out), "".join(ctx.err))

    def _take_fault(self, program: str, args: list[str]) -> Fault | None:
        """Count a mutating command against the armed faults; the one that fires, if any."""
        for fault in self.state.faults:
            if fault.times == 0:
                continue
            if fault.match:
                words = [program, *args]
                if len(words) < len(fault.match) or not all(
                    fnmatch.fnmatchcase(w, p) for w, p in zip(words, fault.match, strict=False)
                ):
                    continue
                hit = True
            else:
                fault.seen += 1
                hit = fault.seen == fault.nth
            if hit:
                if fault.times > 0:
                    fault.times -= 1
                return fault
        return None

    # -- fault injection and the log -------------------------------------------------------

    def fail_nth(self, nth: int) -> None:
        """Make the ``nth`` mutating command from now on fail with FreeBSD's error for it."""
        self.state.faults.append(Fault(nth=nth))

    def kill_nth(self, nth: int, *, when: str = "after") -> None:
        """SIGKILL the caller of the ``nth`` mutating command from now on, ``before`` or ``after``
        the command runs (through the installed executables: the process that ran the command)."""
        if when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        self.state.faults.append(Fault(nth=nth, action=f"kill-{when}"))

    def fail_matching(self, *pattern: str, times: int = 1) -> None:
        """Make commands whose argv starts with ``pattern`` (fnmatch, program by basename) fail."""
        self.state.faults.append(Fault(match=list(pattern), times=times))

    def clear_faults(self) -> None:
        """Disarm every injected fault."""
        self.state.faults.clear()

    @property
    def log(self) -> list[Invocation]:
        """Every command run so far, in order."""
        return self.state.log

    def clear_log(self) -> None:
        """Forget the commands run so far."""
        self.state.log.clear()

    def observable(self) -> dict[str, object]:
        """The host as commands can see it (interfaces, routes, sysctls, jails, pf), without the
        invocation log, the armed faults and the MAC and jid counters: compare two of these to check that
        a failed operation left the host exactly as before."""
        data: dict[str, object] = attrs.asdict(self.state)
        for bookkeeping in ("log", "faults", "serial", "next_jid"):
            del data[bookkeeping]
        return data

    # -- jails, the way runj makes them ---------------------------------------------------

    def create_jail(
        self, name: str, path: str, *, vnet: bool = True, hostname: str = "", persist: bool = True
    ) -> Jail:
        """Create a jail as runj does: ``persist``, and with ``vnet=new`` its own network stack.

        A new vnet has only ``lo0``, down and without addresses (docs/freebsd-commands.md §5; the
        walkthrough's step 7 shows ``flags=8008<LOOPBACK,MULTICAST>``, docs/walkthrough.md).
        """
        if "." in name or not name or name.isdigit():
            raise ValueError(f"invalid jail name {name!r} (jail(8): no '.', not a number)")
        if self.state.find_jail(name, dying=False) is not None:
            raise ValueError(f"jail {name!r} already exists")
        jid = self.state.next_jid
        self.state.next_jid += 1
        jail = Jail(jid=jid, name=name, path=path, hostname=hostname, persist=persist)
        if vnet:
            jail.vnet = Vnet(sysctls=interfaces.default_sysctls())
            interfaces.attach(self.state, jail.vnet, jid, "lo0", driver="lo", unit=0)
        self.state.jails[f"{jid}"] = jail
        return jail

    def remove_jail(self, name: str, *, linger: bool = False) -> None:
        """Remove a jail as ``jail_remove(2)`` does (runj delete).

        With ``linger`` the jail stays dying (``jls -d``) and its vnet, with any epair end still in
        it, stays until :meth:`reap` (docs/freebsd-commands.md §5: the vnet goes at the last
        prison reference, e.g. after TCP TIME_WAIT).
        """
        jail = self.state.find_jail(name)
        if jail is None:
            raise ValueError(f"no jail {name!r}")
        jail.dying = True
        jail.persist = False
        if not linger:
            self.reap(name)

    def reap(self, name: str) -> None:
        """Let a dying jail go: its vnet is destroyed and moved-in interfaces return home.

        if.c ``vnet_if_return`` sends every interface whose home vnet differs back to it (down, no
        addresses, outside any bridge); interfaces created inside the vnet are destroyed with it
        (if_clone.c ``if_clone_detach``).
        """
        for jail in list(self.state.jails.values()):
            if jail.name == name and jail.dying:
                jails.remove(self.state, jail)
                return
        raise ValueError(f"no dying jail {name!r}")


def populate_rootfs(path: "os.PathLike[str] | str", binaries: Sequence[str] = ("sbin/ifconfig", "sbin/route")) -> Path:
    """Make ``path`` a jail root whose image ships ``binaries`` (empty files) and has ``/etc``.

    jexec(8) runs only programs that exist under the jail's root; this is how a test says
    which ones the container image has.
    """
    root = Path(path)
    for binary in binaries:
        (root / binary).parent.mkdir(parents=True, exist_ok=True)
        (root / binary).write_text("")
    (root / "etc").mkdir(parents=True, exist_ok=True)
    return root


def _jail_of(program: str, args: list[str]) -> str:
    """The jail a command runs in: ``jexec JAIL ...`` or ``-j JAIL`` of ifconfig/route (for the log)."""
    if program == "jexec":
        words = [a for a in args if not a.startswith("-")]
        return words[0] if words else ""
    if "-j" in args:
        i = args.index("-j")
        if i + 1 < len(args):
            return args[i + 1]
    return ""
