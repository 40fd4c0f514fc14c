"""The manual steps jailnet automates (docs/walkthrough.md), replayed on the simulated host.

The manual runj networking steps from "Docker-style networking for FreeBSD jails with runj":
pf with a NAT rule for ``<jail-nat>``, forwarding, an epair, ``bridge0`` at 172.17.0.1/16, the
address in the pf table, the jail (made as runj and ``ctr run`` make it, with ``epair0b`` moved
in as jail(8)'s ``vnet.interface`` does), then the address and default route inside the jail.
Every command goes through the installed executables of a :class:`SharedHost`.
"""

import tempfile
from pathlib import Path
from typing import TextIO

import attrs

from hooks.system import Completed, Runner, SubprocessRunner
from hooks.testing.host import SimulatedHost, populate_rootfs
from hooks.testing.store import SharedHost

#: The walkthrough's host runs FreeBSD 13 (its listings have no LOWER_UP; the image is 13.1-RELEASE).
RELEASE = "13.2-RELEASE"
JAIL = "my-container"
#: The walkthrough's pf.conf: its NAT rule alone, no table line (docs/walkthrough.md step 1).
WALKTHROUGH_PF_CONF = "nat on em0 inet from <jail-nat> to any -> (em0)\n"


@attrs.frozen
class Step:
    """One command of the walkthrough, as typed on the host (``$``) or in the jail's shell (``#``)."""

    argv: tuple[str, ...]
    note: str = ""
    in_jail: bool = False

    def command(self) -> tuple[str, ...]:
        """The argv the host runs: commands typed in the jail's shell go through jexec(8)."""
        return ("jexec", JAIL, *self.argv) if self.in_jail else self.argv

    def prompt(self) -> str:
        """How the walkthrough shows the command."""
        return ("# " if self.in_jail else "sam@freebsd:~$ sudo ") + " ".join(self.argv)


#: Steps 2-6 of the walkthrough, on the host.
HOST_STEPS = (
    Step(("pfctl", "-f", "/etc/pf.conf"), "2. service pf start loads /etc/pf.conf ..."),
    Step(("pfctl", "-e"), "   ... and enables pf"),
    Step(("sysctl", "net.inet.ip.forwarding=1"), "3. Enable packet forwarding"),
    Step(("ifconfig", "epair", "create"), "4. Set up an epair for the jail"),
    Step(("ifconfig", "bridge", "create"), "5. Set up the bridge"),
    Step(("ifconfig", "bridge0", "inet", "172.17.0.1/16")),
    Step(("ifconfig", "bridge0", "addm", "epair0a")),
    Step(("ifconfig", "epair0a", "up")),
    Step(("ifconfig",)),
    Step(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.2"), "6. Put the jail's address in the NAT table"),
)

#: Steps 8-10: runj creates the jail with vnet.interface=epair0b, then the jail's shell.
JAIL_STEPS = (
    Step(("ifconfig",), "9. Inside the jail: the unconfigured epair0b has been passed in", in_jail=True),
    Step(("ifconfig",), "   ... and it is gone from the host"),
    Step(("ifconfig", "epair0b", "inet", "172.17.0.2/16"), in_jail=True),
    Step(("route", "-4", "add", "default", "172.17.0.1"), "10. Route and nameserver", in_jail=True),
    Step(("ifconfig",), "   The jail's network", in_jail=True),
    Step(("pfctl", "-t", "jail-nat", "-T", "show"), "   The NAT table on the host"),
)


def prepare(directory: Path) -> SharedHost:
    """A fresh FreeBSD 13 host in ``directory``, with /etc/pf.conf and a jail root that ships
    /sbin/ifconfig and /sbin/route (jexec runs only binaries the image has)."""
    root = directory / "root"
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "pf.conf").write_text(WALKTHROUGH_PF_CONF)
    host = SimulatedHost.freebsd(RELEASE)
    host.state.root = str(root)
    populate_rootfs(directory / "bundle" / "rootfs", ("sbin/ifconfig", "sbin/route", "bin/sh"))
    return SharedHost.create(directory, host)


def start_container(shared: SharedHost) -> None:
    """Step 8: ``ctr run --runtime wtf.sbk.runj.v1 ...`` makes the vnet jail; jail(8) moves the
    ``vnet.interface`` epair0b into it (runj v0.1.0 jail.conf; jail.c IP_VNET_INTERFACE)."""
    with shared.edit() as host:
        host.create_jail(JAIL, str(shared.directory / "bundle" / "rootfs"), hostname=JAIL)
    shared(("ifconfig", "epair0b", "vnet", JAIL))


def write_resolv_conf(shared: SharedHost) -> Path:
    """Step 10: ``echo 'nameserver 8.8.8.8' > /etc/resolv.conf`` in the jail."""
    target = shared.directory / "bundle" / "rootfs" / "etc" / "resolv.conf"
    target.write_text("nameserver 8.8.8.8\n")
    return target


def show(out: TextIO, step: Step, result: Completed) -> None:
    """Print a step the way the walkthrough shows it: the prompt, then what the command printed."""
    if step.note:
        out.write(f"\n{step.note}\n")
    out.write(step.prompt() + "\n")
    out.write(result.stdout)
    out.write(result.stderr)
    if result.returncode:
        out.write(f"(exit status {result.returncode})\n")


def replay(shared: SharedHost, run: Runner, out: TextIO) -> list[tuple[Step, Completed]]:
    """Run every step through ``run`` (normally the installed executables) and print it."""
    done: list[tuple[Step, Completed]] = []
    for step in HOST_STEPS:
        done.append((step, run(step.command())))
        show(out, *done[-1])
    out.write("\n7./8. runj.ext.json asks for a vnet with epair0b; ctr run creates the jail "
              f"'{JAIL}' and moves epair0b into it\n")
    start_container(shared)
    for step in JAIL_STEPS:
        done.append((step, run(step.command())))
        show(out, *done[-1])
    resolv = write_resolv_conf(shared)
    out.write(f"# echo 'nameserver 8.8.8.8' > /etc/resolv.conf\n# cat /etc/resolv.conf\n{resolv.read_text()}")
    return done


def demo(out: TextIO, *, keep: str | None = None) -> int:
    """``jailnet demo``: replay the walkthrough on a new simulated host; 1 if a step failed."""
    with tempfile.TemporaryDirectory(prefix="jailnet-demo-") as tmp:
        directory = Path(keep) if keep else Path(tmp)
        shared = prepare(directory)
        out.write(f"Simulated FreeBSD {RELEASE} host in {directory}; its tools are on PATH={shared.path}\n")
        run = SubprocessRunner(path=shared.path)
        done = replay(shared, run, out)
        failed = [step for step, result in done if result.returncode]
        out.write(f"\n{len(done)} commands run through the simulated host's executables, {len(failed)} failed.\n")
        return 1 if failed else 0
