"""``bundle check``'s findings about this host, beside those about the bundle's text
(:mod:`hooks.bundle.checks`): whether the hook ``path`` is a program here, and whether the static
address fits the network the bundle names, in this host's configuration.

Bundles are often prepared on another machine than the one that runs them, so every message says
"on this host" and each fix says what to do either way. ``bundle add`` does not make these checks:
it edits the text and may well run where the bundle will not.

* Hook paths: each absolute ``path`` of a jailnet entry is looked up in this host's file system
  (``os.stat``). ``hook-path-missing``: nothing there (or a dangling symlink);
  ``hook-path-not-executable``: not a regular file, or no execute bit. The mode bits are what
  counts, not ``os.access``: runj runs the hooks as root, for whom one execute bit is enough,
  whoever runs ``check``. A path that cannot be looked up (a directory on the way that this user
  may not search) is not reported.
* The network and address: ``org.jailnet.network`` (else ``--network`` in the createRuntime
  entry's ``args``, else ``default``) must be a network of the host configuration, and
  ``org.jailnet.ipv4`` a host address of its subnet other than its gateway
  (:meth:`hooks.netconf.Network.usable`, what the hook itself refuses): ``network-unknown``,
  ``ipv4-unusable``. The configuration is the one the hook would read: ``check --config``, else
  ``--config`` in the createRuntime entry's ``args``, else ``JAILNET_CONFIG`` in its ``env``,
  else ``$JAILNET_CONFIG``, else /usr/local/etc/jailnet/jailnet.toml (absent: the built-in
  network ``default``, 172.17.0.0/16, gateway 172.17.0.1). When it cannot be read, one ``info``
  line says what was not checked and why; the configuration is only read when there is a network
  or address to check.
"""

import argparse
import ipaddress
import os
import stat

from hooks import configfile
from hooks.bundle.checks import Problem
from hooks.bundle.document import CONFIG, HOOK_KINDS, Doc, is_jailnet_hook, obj, strs
from hooks.console import Console
from hooks.errors import BadInput
from hooks.netconf import DEFAULT_NETWORK, DnsDefaults, check_network_name
from hooks.paths import DEFAULT_CONFIG, ENV_CONFIG
from hooks.request import ANNOTATION_IPV4, ANNOTATION_NETWORK


def findings(config: Doc, args: argparse.Namespace, console: Console, bundle: str) -> tuple[list[Problem], list[str]]:
    """The problems this host has with the bundle, and the info lines about what was not checked."""
    problems = hook_path_problems(config, bundle)
    more, info = network_problems(config, args, console)
    return problems + more, info


def _path_state(path: str) -> tuple[str, str] | None:
    """The problem code and why runj, as root, could not execute ``path`` on this host; None when
    it could (or when that cannot be told)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return "hook-path-missing", "is a symbolic link to nothing" if os.path.islink(path) else "does not exist"
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return "hook-path-not-executable", "is a directory" if stat.S_ISDIR(info.st_mode) else "is not a file"
    if not info.st_mode & 0o111:
        return "hook-path-not-executable", f"has mode {stat.S_IMODE(info.st_mode):04o}, no execute bit,"
    return None


def hook_path_problems(config: Doc, bundle: str) -> list[Problem]:
    """One problem per absolute jailnet hook ``path`` that is no program on this host, naming the
    entries that use it."""
    hooks = obj(config, "hooks")
    users: dict[str, list[str]] = {}
    for kind in HOOK_KINDS:
        entries = hooks.get(kind) if hooks is not None else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            path = entry.get("path") if is_jailnet_hook(entry) else None
            if isinstance(path, str) and os.path.isabs(path):
                users.setdefault(path, []).append(f"hooks.{kind}[{index}].path")
    problems = []
    for path, wheres in users.items():
        found = _path_state(path)
        if found is None:
            continue
        code, state = found
        here = f"point the hooks at this host's jailnet (jailnet bundle add {bundle} --jailnet PATH)"
        fix = f"install jailnet as {path}, or {here}" if code == "hook-path-missing" else (
            f"chmod 755 {path} if it is jailnet, or {here}")
        problems.append(Problem(
            code,
            f"{CONFIG} {' and '.join(wheres)}: {path} {state} on this host: runj here could not run the "
            f"hook{'s' if len(wheres) > 1 else ''}, and the container would get no network",
            f"{fix}; a bundle for another host: check it there"))
    return problems


def _create_entry(config: Doc) -> Doc | None:
    hooks = obj(config, "hooks")
    for kind in ("createRuntime", "prestart"):
        entries = hooks.get(kind) if hooks is not None else None
        for entry in entries if isinstance(entries, list) else []:
            if is_jailnet_hook(entry):
                return entry  # type: ignore[no-any-return]
    return None


def _option(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in a hook's ``args``."""
    for i, word in enumerate(args):
        if word == name and i + 1 < len(args):
            return args[i + 1]
        if word.startswith(name + "="):
            return word[len(name) + 1:]
    return None


def config_path(config: Doc, args: argparse.Namespace, console: Console) -> str | None:
    """The host configuration the bundle's createRuntime hook would read (None: the default)."""
    explicit = getattr(args, "config", None)
    if explicit:
        return str(explicit)
    entry = _create_entry(config)
    if entry is not None:
        found = _option(strs(entry, "args"), "--config")
        if found:
            return found
        for variable in strs(entry, "env"):
            if variable.startswith(ENV_CONFIG + "=") and variable[len(ENV_CONFIG) + 1:]:
                return variable[len(ENV_CONFIG) + 1:]
    return console.config_path(args)


def network_problems(config: Doc, args: argparse.Namespace, console: Console) -> tuple[list[Problem], list[str]]:
    """``org.jailnet.network`` and ``org.jailnet.ipv4`` against this host's networks."""
    annotations = obj(config, "annotations") or {}
    entry = _create_entry(config)
    name = annotations.get(ANNOTATION_NETWORK)
    where = f"{CONFIG} annotation {ANNOTATION_NETWORK}"
    if not isinstance(name, str) or not name.strip():
        name = _option(strs(entry, "args"), "--network") if entry is not None else None
        where = f"{CONFIG} createRuntime hook's --network"
    address_text = annotations.get(ANNOTATION_IPV4)
    try:
        address = ipaddress.IPv4Address(address_text.strip()) if isinstance(address_text, str) else None
        if name is not None:
            check_network_name(name.strip(), where)
    except (ValueError, BadInput):  # annotation-invalid says so already
        return [], []
    if address is None and name is None:
        return [], []
    path = config_path(config, args, console)
    try:
        networks = configfile.load(path, resolver=DnsDefaults())
    except BadInput as exc:
        checked = ([f"network {name.strip()}"] if name is not None else []) + (
            [f"{ANNOTATION_IPV4} {address}"] if address is not None else [])
        return [], [f"{' and '.join(checked)} not checked against this host's networks: {exc}"]
    chosen = (name or "").strip() or DEFAULT_NETWORK
    if path is None and not os.path.exists(DEFAULT_CONFIG):
        source = f"no {DEFAULT_CONFIG}: the built-in network only"
    else:
        source = f"config {path or DEFAULT_CONFIG}"
    network = networks.networks.get(chosen)
    if network is None:
        known = ", ".join(sorted(networks.networks))
        return [Problem(
            "network-unknown",
            f"{where} is {chosen}, which this host does not define ({source}; known: {known}): jailnet's "
            "createRuntime would refuse the container here",
            f"define [networks.{chosen}] in {path or DEFAULT_CONFIG}, or use one of {known}; a bundle for "
            "another host: check it there")], []
    problem = network.usable(address) if address is not None else None
    if problem is None:
        return [], []
    free = next((host for host in network.subnet.hosts() if host != network.gateway), None)
    return [Problem(
        "ipv4-unusable",
        f"{CONFIG} annotation {ANNOTATION_IPV4}: {problem} ({source}): jailnet's createRuntime would refuse "
        "the container here",
        f"use a host address of {network.subnet} other than the gateway {network.gateway}, e.g. {free}")], []
