"""A simulated FreeBSD host for testing jailnet and bundles that use it (like ``click.testing``).

``SimulatedHost`` answers ``ifconfig``, ``pfctl``, ``sysctl``, ``route``, ``jls``, ``jexec`` and
``jail`` the way FreeBSD does, in process; ``SharedHost`` keeps the same host in a state file
under a lock and installs executables on a PATH so that separate processes (the real ``jailnet``
command, OCI runtimes) share it.
"""

from hooks.testing.bed import HookBed
from hooks.testing.host import SimulatedHost, populate_rootfs
from hooks.testing.model import Invocation, SimState
from hooks.testing.store import SharedHost

__all__ = ["HookBed", "SimState", "Invocation", "SharedHost", "SimulatedHost", "populate_rootfs"]
