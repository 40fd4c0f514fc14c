"""The command-line grammar of ``jailnet``, in :mod:`argparse`: every subcommand, its options and
their help, and a parser that raises :class:`UsageError` instead of exiting.

:mod:`hooks.cli` loads it for every command but the plainest hook call (``jailnet hook KIND`` with
value options only, :func:`hooks.cli.hook_args`): importing argparse and building a parser costs
some 7 ms, on every container's start path (docs/performance.md).
"""

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from hooks import PROG, __version__
from hooks.paths import DEFAULT_CONFIG, DEFAULT_STATE_DIR

DESCRIPTION = (
    "OCI hooks that give FreeBSD vnet jails (runj) Docker-style networking: an epair on a "
    "bridge, an address, a default route, resolv.conf, and NAT through a pf table."
)


class UsageError(Exception):
    """Bad command line: one line on stderr, exit 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without ``shutil``: argparse builds one for every argument it
    adds, and ``shutil`` (which imports zlib, bz2 and lzma) would load on every hook's start path.
    The width is found as ``shutil.get_terminal_size()`` finds it: ``$COLUMNS``, then stdout's
    terminal, then 80."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """The terminal's width as CPython's Lib/shutil.py ``get_terminal_size()`` computes it."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so :func:`main` owns the exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)  # subcommands' parsers too
        super().__init__(*args, **kwargs)

    stream: TextIO | None = None
    """Where help and version text go (sys.stdout unless :func:`main` was given another)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()  # "bundle add" for that subcommand's parser
        raise UsageError(f"{command}: {message}" if command else message)

    def _print_message(self, message: str, file: "SupportsWrite[str] | None" = None) -> None:
        if message:
            (self.stream or sys.stdout).write(message)


def build_parser(stream: TextIO | None = None, *, hook_only: bool = False) -> _Parser:
    """The command-line grammar of ``jailnet``; help and version text go to ``stream``. With
    ``hook_only``, only ``jailnet hook``: what a hook's start path needs (the whole grammar, some
    60 arguments, costs milliseconds to build on every container start)."""
    parser = _Parser(prog=PROG, description=DESCRIPTION)
    parser.stream = stream
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    # prog given: argparse would otherwise build a HelpFormatter (and import shutil) to compute it
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog=PROG)
    if not hook_only:
        _demo_parser(sub, stream)
    _hook_parser(sub, stream)
    if hook_only:
        return parser
    _other_parsers(sub, stream)
    return parser


def _demo_parser(sub: "argparse._SubParsersAction[_Parser]", stream: TextIO | None) -> None:
    demo = sub.add_parser(
        "demo",
        help="three containers on a simulated FreeBSD host, networked by the real jailnet hooks",
        description="On a simulated FreeBSD host: prepare pf, create three jails the way runj does, run "
        "jailnet as their createRuntime hook, show the result, delete them, run poststop, show the host clean.",
    )
    demo.stream = stream
    demo.add_argument("--keep", metavar="DIR", help="keep the simulated host in DIR instead of a temporary directory")
    demo.add_argument("--walkthrough", action="store_true",
                      help="instead, replay the manual steps jailnet automates (docs/walkthrough.md), "
                           "command by command")


def _hook_parser(sub: "argparse._SubParsersAction[_Parser]", stream: TextIO | None) -> None:
    hook = sub.add_parser(
        "hook",
        help="run as an OCI hook: createRuntime (or prestart) attaches the container, poststop detaches it",
        description="Run as an OCI hook. Reads the container state JSON on stdin. createRuntime (or "
        "prestart) gives the container's vnet jail an epair on the network's bridge, an address, a default "
        "route, resolv.conf and NAT; poststop removes all of it.",
    )
    hook.stream = stream
    hook.add_argument("kind", metavar="KIND", help="createRuntime, prestart or poststop (any case, kebab-case too)")
    hook.add_argument("--network", metavar="NAME", help="network to attach to (default: 'default'; the "
                      "org.jailnet.network annotation wins)")
    hook.add_argument("--config", metavar="PATH", help=f"host configuration file (default: $JAILNET_CONFIG or "
                      f"{DEFAULT_CONFIG})")
    hook.add_argument("--state-dir", metavar="PATH", help=f"state directory (default: $JAILNET_STATE_DIR or "
                      f"{DEFAULT_STATE_DIR})")
    hook.add_argument("--log-file", metavar="PATH", help="also log each action to this file")
    hook.add_argument("--dry-run", action="store_true", help="print the plan (each command with its undo), "
                      "change nothing; what cannot be observed (no such jail, not FreeBSD) is assumed and "
                      "shown as assumed")
    hook.add_argument("--jid", metavar="N", type=int, help="with --dry-run: the jail id to show (default: the "
                      "jail's, or <jid>)")
    hook.add_argument("--freebsd", metavar="RELEASE", help="with --dry-run: plan for this FreeBSD release, e.g. "
                      "13.2 (jexec forms) or 14.2 (default: the host's, or 14.2)")
    hook.add_argument("--bridge-present", action="store_true", help="with --dry-run: assume the network's bridge "
                      "is up, as for a later container (default: observed, or absent)")


def _other_parsers(sub: "argparse._SubParsersAction[_Parser]", stream: TextIO | None) -> None:
    def host_options(command: _Parser) -> None:
        command.stream = stream
        command.add_argument("--config", metavar="PATH", help="host configuration file")
        command.add_argument("--state-dir", metavar="PATH", help="state directory")

    doctor = sub.add_parser("doctor", help="check that this host is ready for jailnet, and say how to fix it",
                            description="Check the host: root, FreeBSD version, pf (loaded, enabled, NAT rule), "
                            "forwarding, the bridge, the state directory. Exit 0 when ready, 1 when not.")
    host_options(doctor)
    doctor.add_argument("--network", metavar="NAME", help="check this network (default: every network)")
    doctor.add_argument("--fix", action="store_true", help="apply the safe, reversible fixes (never edits pf.conf)")
    doctor.add_argument("--json", action="store_true", help="a machine-readable report")
    gc = sub.add_parser("gc", help="remove what crashed hooks and skipped poststops left behind",
                        description="Remove records and leases whose jail is gone, epairs in group jailnet with "
                        "no live record, and pf table entries with no lease. Safe while hooks run.")
    host_options(gc)
    gc.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    gc.add_argument("--json", action="store_true", help="a machine-readable list of what was (or would be) removed")
    ls = sub.add_parser("ls", help="list attached containers", description="One row per attached container.")
    host_options(ls)
    ls.add_argument("--json", action="store_true", help="a machine-readable list")
    bundle = sub.add_parser("bundle", help="add jailnet to an OCI bundle, remove it, or check a bundle",
                            description="Edit or check a bundle's config.json and runj.ext.json for jailnet.")
    bundle.stream = stream
    actions = bundle.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True,
                                    prog=f"{PROG} bundle")
    add = actions.add_parser("add", help="add the hooks, annotations and vnet request (idempotent)",
                             description="Add jailnet's createRuntime and poststop hooks to the bundle's "
                             "config.json, the annotations asked for, and runj's vnet request in runj.ext.json. "
                             "Only what changes is rewritten; running it twice changes nothing.")
    add.stream = stream
    add.add_argument("bundle", metavar="BUNDLE", help="the bundle directory (holds config.json)")
    add.add_argument("--network", metavar="NAME", help="network annotation")
    add.add_argument("--ip", metavar="ADDR", help="static IPv4 address annotation")
    add.add_argument("--ip6", metavar="ADDR", help="static IPv6 address annotation (a dual-stack network)")
    add.add_argument("--alias", metavar="NAME", action="append",
                     help="another host name for /etc/hosts (org.jailnet.aliases; repeatable)")
    add.add_argument("--no-hosts", action="store_true",
                     help="leave the jail's /etc/hosts alone (org.jailnet.hosts=none)")
    add.add_argument("--nameserver", metavar="ADDR", action="append", help="nameserver annotation (repeatable)")
    add.add_argument("--search", metavar="DOMAIN", action="append", help="search domain annotation (repeatable)")
    add.add_argument("--no-dns", action="store_true", help="leave the container's resolv.conf alone")
    add.add_argument("--publish", metavar="SPEC", action="append",
                     help="publish a port, as docker run -p: [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (repeatable)")
    add.add_argument("--jailnet", metavar="PATH", help="absolute path of jailnet in the hooks (default: this one)")
    add.add_argument("--timeout", metavar="SECONDS", type=int, default=30, help="hook timeout (default 30)")
    remove = actions.add_parser("remove", help="undo bundle add",
                                description="Remove jailnet's hooks and org.jailnet.* annotations from the "
                                "bundle; after bundle add, the files are as they were.")
    remove.stream = stream
    remove.add_argument("bundle", metavar="BUNDLE", help="the bundle directory (holds config.json)")
    check = actions.add_parser("check", help="say what keeps a bundle from working with jailnet",
                               description="Check the bundle's hooks, annotations and vnet request; print each "
                               "problem with its fix. Exit 0 when ready, 1 when not.")
    check.stream = stream
    check.add_argument("bundle", metavar="BUNDLE", help="the bundle directory (holds config.json)")
    check.add_argument("--json", action="store_true", help="a machine-readable list of problems")
    check.add_argument("--config", metavar="PATH", help="host configuration file, to check a static address "
                       f"against its network (default: $JAILNET_CONFIG or {DEFAULT_CONFIG})")
    _sim_parser(sub, stream)


def _sim_parser(sub: "argparse._SubParsersAction[_Parser]", stream: TextIO | None) -> None:
    sim = sub.add_parser("sim", help="a simulated FreeBSD host for your shell, to run the hooks without FreeBSD",
                         description="Make a simulated FreeBSD host, create and remove jails on it as runj does, "
                         "and print the state JSON a hook reads: eval \"$(jailnet sim init DIR)\", then "
                         "jailnet sim jail web, then jailnet sim state web | jailnet hook createRuntime.")
    sim.stream = stream
    actions = sim.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True,
                                 prog=f"{PROG} sim")
    init = actions.add_parser("init", help="make a host in DIR and print the shell lines that use it",
                              description="Make a simulated FreeBSD host in DIR (new or empty), pf loaded with "
                              "jailnet's NAT rule, and print export lines for PATH, JAILNET_STATE_DIR and "
                              "JAILNET_SIM; run them with eval.")
    init.add_argument("directory", metavar="DIR", help="a new or empty directory for the host")
    init.add_argument("--freebsd", metavar="RELEASE", default="14.2",
                      help="the FreeBSD release to simulate: 13.2 (no -j, jexec) ... 15.0 (default 14.2)")
    init.add_argument("--egress", metavar="IFACE", default="em0", help="the host's egress interface (default em0)")
    for name, text in (("jail", "create a vnet jail as runj create does, and print its jid"),
                       ("state", "print the OCI state JSON runj gives a hook for this container"),
                       ("unjail", "remove the jail as runj delete does before its poststop hooks")):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument("id", metavar="ID", help="the container id (runj names the jail after it)")
        action.add_argument("--host", metavar="DIR", help="the host's directory (default: $JAILNET_SIM)")
        if name == "state":
            action.add_argument("--status", default="creating",
                                help="the state's status: creating (createRuntime) or stopped (poststop)")
    for parser in (init, *actions.choices.values()):
        parser.stream = stream
