"""A simulated FreeBSD host for testing jailnet and bundles that use it (like ``click.testing``).

``SimulatedHost`` answers ``ifconfig``, ``pfctl``, ``sysctl``, ``route``, ``jls``, ``jexec`` and
``jail`` the way FreeBSD does, in process; ``SharedHost`` keeps the same host in a state file
under a lock and installs executables on a PATH so that separate processes (the real ``jailnet``
command, OCI runtimes) share it.

The names below are imported on first use (PEP 562 ``__getattr__``): the installed executables
import :mod:`hooks.testing.client` through this package and must not pay for the simulator.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (20 ms); mypy knows the name
if TYPE_CHECKING:
    from hooks.testing.bed import HookBed
    from hooks.testing.host import SimulatedHost, populate_rootfs
    from hooks.testing.model import Invocation, SimState
    from hooks.testing.store import SharedHost

__all__ = ["HookBed", "SimState", "Invocation", "SharedHost", "SimulatedHost", "populate_rootfs"]

_HOMES = {
    "HookBed": "hooks.testing.bed",
    "SimulatedHost": "hooks.testing.host",
    "populate_rootfs": "hooks.testing.host",
    "Invocation": "hooks.testing.model",
    "SimState": "hooks.testing.model",
    "SharedHost": "hooks.testing.store",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(home, fromlist=[name]), name)  # importlib itself costs a millisecond
    globals()[name] = value
    return value
