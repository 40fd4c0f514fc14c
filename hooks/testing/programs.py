"""The programs the simulated host knows, by name, and how one is run."""

from hooks.testing import ifconfig, jails, pfctl, route, sysctl, uname
from hooks.testing.command import Command, Context, Fail

PROGRAMS: dict[str, Command] = {
    command.name: command
    for command in (
        ifconfig.COMMAND,
        pfctl.COMMAND,
        sysctl.COMMAND,
        route.COMMAND,
        jails.JLS,
        jails.JEXEC,
        jails.JAIL,
        uname.COMMAND,
    )
}


def execute(command: Command, ctx: Context, args: list[str]) -> int:
    """Run ``command`` in ``ctx``; a :class:`Fail` becomes its stderr line and exit status."""
    try:
        return command.run(ctx, args)
    except Fail as failure:
        ctx.err.append(failure.message + "\n")
        return failure.code
