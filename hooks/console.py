"""What a ``jailnet`` subcommand gets from the command line's shell: its streams, environment,
runner, and the host context (configuration, state directory) its options name.

:func:`hooks.cli.main` builds one :class:`Console` per call; tests build it with the simulated
host as :attr:`Console.run` (like the dispatcher of containernetworking/cni ``pkg/skel/skel.go``,
whose ``Getenv``/``Stdin``/``Stdout``/``Stderr`` fields tests replace).
"""

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import attrs

from hooks.paths import (
    DEFAULT_STATE_DIR,
    ENV_CONFIG,
    ENV_RESOLV_CONF,
    ENV_STATE_DIR,
    HOST_RESOLV_CONF,
)
from hooks.system import Runner

if TYPE_CHECKING:
    import argparse

    from hooks.netconf import Networks
    from hooks.statedir import StateDir


# A service, not a value: compared by identity, and attrs generates only __init__ (an __eq__ and a
# __repr__ cost some 0.4 ms at import, on every hook's start path: docs/performance.md).
@attrs.frozen(kw_only=True, eq=False, repr=False)
class Console:
    """One command's I/O: stdin (read lazily by the commands that need it), stdout, stderr, the
    environment, and the runner every host command goes through."""

    out: TextIO
    err: TextIO
    environ: Mapping[str, str]
    run: Runner
    stdin: bytes | None = None
    program: str = ""
    """How this ``jailnet`` was started (``sys.argv[0]``): ``bundle add`` writes its absolute
    path into hooks when it is one."""

    def state_dir(self, args: "argparse.Namespace") -> Path:
        """``--state-dir``, ``$JAILNET_STATE_DIR``, or /var/run/jailnet."""
        return Path(self._state_dir_source(args)[0])

    def _state_dir_source(self, args: "argparse.Namespace") -> tuple[str, str]:
        if getattr(args, "state_dir", None):
            return args.state_dir, "--state-dir"
        if self.environ.get(ENV_STATE_DIR):
            return self.environ[ENV_STATE_DIR], f"${ENV_STATE_DIR}"
        return DEFAULT_STATE_DIR, "the default state directory"

    def state(self, args: "argparse.Namespace", *, write: bool) -> "StateDir":
        """The state directory, checked (:meth:`~hooks.statedir.StateDir.check`) for reading or,
        with ``write``, for reading and writing."""
        from hooks.statedir import StateDir

        path, where = self._state_dir_source(args)
        state = StateDir(Path(path))
        state.check(write=write, where=where)
        return state

    def config_path(self, args: "argparse.Namespace") -> str | None:
        """``--config`` or ``$JAILNET_CONFIG``; None means the default file, which may be absent."""
        return getattr(args, "config", None) or self.environ.get(ENV_CONFIG) or None

    def resolv_conf(self) -> str:
        """The host resolver file whose nameservers containers inherit."""
        return self.environ.get(ENV_RESOLV_CONF) or HOST_RESOLV_CONF

    def networks(self, args: "argparse.Namespace", *, cache: bool = False) -> "Networks":
        """The networks the command works with (raises :class:`~hooks.errors.BadInput`): those of
        the configuration file, or only the built-in one when the default file is absent, without
        loading the file's parser (:func:`hooks.configfile.load` does the same in one call).

        With ``cache`` (a hook), the file's TOML data comes from the state directory's copy when
        the text is the one parsed last (:mod:`hooks.configcache`), and is kept there otherwise."""
        from hooks.netconf import DnsDefaults, Networks, config_text

        resolver = DnsDefaults.from_file(self.resolv_conf())
        found = config_text(self.config_path(args))
        if found is None:
            return Networks.builtin(resolver)
        from hooks import configfile

        text, where = found
        if not cache:
            return configfile.parse(text, where=where, resolver=resolver)
        from hooks import configcache

        state_dir = self.state_dir(args)
        data = configcache.lookup(state_dir, text)
        if data is not None:
            return configfile.from_data(data, where=where, resolver=resolver)
        data = configfile.read_toml(text, where)
        networks = configfile.from_data(data, where=where, resolver=resolver)
        configcache.remember(state_dir, text, data)
        return networks
