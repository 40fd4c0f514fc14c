"""``jailnet bundle add|remove|check BUNDLE``: put jailnet into an OCI bundle, take it out, or say
what keeps a bundle from working with jailnet.

Sources the rules come from (the facts, with commits, are in docs/runtimes.md §2, §3 and §5):

* runtime-spec ``config.md`` "POSIX-platform Hooks": ``path`` MUST be absolute, ``args`` has
  execv semantics (``args[0]`` is the program name), a set ``env`` is the whole environment,
  ``timeout`` MUST be > 0; ``prestart`` is deprecated.
* runj ``hook/hook.go``: ``exec.CommandContext(ctx, h.Path, h.Args[1:]...)``, so an absent or
  empty ``args`` panics; runj runs only ``createRuntime`` and ``poststop``, stops at the first
  failing hook, and runs no poststop after a failed create.
* runj ``runtimespec/config.go`` and ``docs/oci.md``: ``runj.ext.json``
  ``{"network":{"vnet":{"mode":"new","interfaces":[...]}}}`` (v0.1.0 and later; a non-empty
  ``mode`` there overrides config.json); v0.1.0 reads ``freebsd.network`` in config.json,
  v0.2.0 and later read runtime-spec 1.3.0 ``freebsd.jail`` (``config-freebsd.md``).
* freebsd-src ``sys/kern/kern_jail.c``: any ``ip4``/``ip6`` parameter together with
  ``vnet=new`` is EINVAL, "vnet jails cannot have IP address restrictions".

Functional core: :func:`add_to_config`, :func:`add_to_extension`, :func:`remove_from_config` and
:func:`check` take parsed JSON (dicts keep their key order) and return new data, the changes
made as short lines, or a list of :class:`Problem`; they never touch the input. :class:`Layout`
re-serialises a document the way its file was written. :func:`main` is the shell: it reads the
files, calls the core, and replaces changed files atomically (temp file + rename, mode kept).
"""

import argparse
import copy
import ipaddress
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

import ocispec
from hooks.console import Console
from hooks.errors import BadInput
from hooks.invocation import hook_kind
from hooks.netconf import check_network_name, parse_nameservers, parse_search
from hooks.request import (
    ANNOTATION_DNS,
    ANNOTATION_IPV4,
    ANNOTATION_NAMESERVERS,
    ANNOTATION_NETWORK,
    ANNOTATION_SEARCH,
    check_annotation,
)
from hooks.system import DEFAULT_PATH
from ocispec import parse_json

PROG = "jailnet"
CONFIG = "config.json"
EXTENSION = "runj.ext.json"
#: Every annotation jailnet reads starts with this; ``remove`` drops all of them.
PREFIX = "org.jailnet."
KNOWN_ANNOTATIONS = (ANNOTATION_NETWORK, ANNOTATION_IPV4, ANNOTATION_NAMESERVERS, ANNOTATION_SEARCH, ANNOTATION_DNS)
#: runtime-spec config.md, in lifecycle order.
HOOK_KINDS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")
#: The environment of jailnet's hook entries: a set ``env`` is the hook's whole environment.
HOOK_ENV_PATH = f"PATH={DEFAULT_PATH}"
#: Where the commands jailnet runs live: ifconfig, route, pfctl, sysctl; jls, jexec.
NEEDED_DIRS = ("/sbin", "/usr/sbin")
#: What runj.ext.json must ask for (runj v0.1.0 and later).
VNET_REQUEST: dict[str, Any] = {"network": {"vnet": {"mode": "new"}}}

Doc = dict[str, Any]
"""A parsed JSON object (``json.loads`` keeps the key order)."""


# --- problems ----------------------------------------------------------------------------------


@attrs.frozen
class Problem:
    """One thing that keeps a bundle from working with jailnet, and how to fix it."""

    code: str
    """Stable identifier (README "Bundle tooling" lists them)."""
    message: str
    """What is wrong and why it matters, naming the file and key."""
    fix: str
    """What to change."""

    def line(self) -> str:
        """The one-line text form: ``code: message; fix: fix``."""
        return f"{self.code}: {self.message}; fix: {self.fix}"

    def as_json(self) -> dict[str, str]:
        """The ``--json`` form."""
        return {"code": self.code, "message": self.message, "fix": self.fix}


# --- small accessors over untrusted JSON ------------------------------------------------------


def _obj(parent: object, key: str) -> Doc | None:
    """``parent[key]`` when both are JSON objects, else None (type errors are reported elsewhere)."""
    if isinstance(parent, dict):
        value = parent.get(key)
        if isinstance(value, dict):
            return value
    return None


def _strs(parent: object, key: str) -> list[str]:
    """The strings of the array ``parent[key]`` (nothing when absent or not an array)."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _str(parent: object, key: str) -> str | None:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, str) else None


def _need_obj(parent: Doc, key: str, where: str) -> Doc:
    """``parent[key]`` as an object to edit, created (at the end) when absent."""
    if key not in parent or parent[key] is None:
        parent[key] = {}
    value = parent[key]
    if not isinstance(value, dict):
        raise BadInput(f"{where}: expected a JSON object, got {_kind(value)}; fix it by hand")
    return value


def _need_list(parent: Doc, key: str, where: str) -> list[Any]:
    """``parent[key]`` as an array to edit (absent: a new empty one, not yet stored)."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(f"{where}: expected an array, got {_kind(value)}; fix it by hand")
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null")


# --- which hook entries are jailnet's ---------------------------------------------------------


def _basename(value: object) -> str:
    return os.path.basename(value) if isinstance(value, str) else ""


def is_jailnet_hook(entry: object) -> bool:
    """True for a hook entry that runs ``jailnet hook …``: its ``path`` or ``args[0]`` is named
    ``jailnet`` and its ``args`` say ``hook`` (or are too short to say anything, which is a broken
    jailnet entry). ``jailnet gc`` run as a hook is someone else's entry and is left alone."""
    if not isinstance(entry, dict):
        return False
    args = entry.get("args")
    first = args[0] if isinstance(args, list) and args else None
    if PROG not in (_basename(entry.get("path")), _basename(first)):
        return False
    return not isinstance(args, list) or len(args) <= 1 or "hook" in args


def _runs_kind(args: list[Any], wanted: tuple[str, ...]) -> bool:
    """Whether runj, running ``path`` with ``args[1:]``, starts ``jailnet hook KIND`` with KIND in
    ``wanted`` (any spelling :func:`hooks.invocation.hook_kind` takes)."""
    if len(args) < 3 or _basename(args[0]) != PROG or args[1] != "hook" or not isinstance(args[2], str):
        return False
    try:
        return hook_kind(args[2]) in wanted
    except BadInput:
        return False


def hook_entry(kind: str, jailnet: str, timeout: int, existing: Doc | None = None) -> Doc:
    """jailnet's entry for ``hooks.<kind>``.

    An existing jailnet entry keeps its key order, unknown keys, options after the kind (e.g.
    ``--config PATH``) and environment variables other than PATH; ``path``, ``args[:3]``, PATH and
    ``timeout`` are set anew.
    """
    entry: Doc = dict(existing) if existing else {}
    old_args = entry.get("args")
    rest: list[Any] = []
    if isinstance(old_args, list) and len(old_args) > 3 and old_args[1] == "hook":
        rest = list(old_args[3:])
    old_env = entry.get("env")
    env = [e for e in old_env if isinstance(e, str)] if isinstance(old_env, list) else []
    paths = [i for i, e in enumerate(env) if e.startswith("PATH=")]
    if paths:
        env[paths[0]] = HOOK_ENV_PATH
        env = [e for i, e in enumerate(env) if i not in paths[1:]]
    else:
        env.insert(0, HOOK_ENV_PATH)
    entry["path"] = jailnet
    entry["args"] = [PROG, "hook", kind, *rest]
    entry["env"] = env
    entry["timeout"] = timeout
    return entry


# --- add ----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AddOptions:
    """What ``bundle add`` was asked to do, validated."""

    jailnet: str
    """Absolute path of the jailnet executable the hooks run."""
    timeout: int
    """The hooks' ``timeout`` in seconds (> 0)."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Annotations to set, in this order."""
    drop: tuple[str, ...] = ()
    """Annotations to remove (``--no-dns`` drops nameservers and search, and the reverse)."""


def _split(values: Iterable[str]) -> tuple[str, ...]:
    """Repeated options, each of which may also be a comma list."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def resolve_jailnet(option: str | None, argv0: str, which: Callable[[], str | None]) -> str:
    """The jailnet path the hooks run: ``--jailnet``, else this program when it is called jailnet,
    else ``jailnet`` on PATH. runtime-spec: a hook ``path`` MUST be absolute."""
    if option is not None:
        if not os.path.isabs(option):
            raise BadInput(f"--jailnet: {option!r} is not an absolute path (runtime-spec config.md: a hook "
                           "path MUST be absolute)")
        return option
    if _basename(argv0) == PROG:
        return os.path.abspath(argv0)
    found = which()
    if found is None or not os.path.isabs(found):
        raise BadInput("--jailnet: cannot tell where jailnet is installed; pass --jailnet /absolute/path/jailnet")
    return found


def add_options(args: argparse.Namespace, jailnet: str) -> AddOptions:
    """Validate ``bundle add``'s options; :class:`BadInput` names the first bad one."""
    if args.timeout <= 0:
        raise BadInput(f"--timeout: {args.timeout} is not > 0 (runtime-spec config.md; runj kills a hook with "
                       "timeout 0 at once)")
    pairs: list[tuple[str, str]] = []
    drop: list[str] = []
    if args.network is not None:
        check_network_name(args.network, "--network")
        pairs.append((ANNOTATION_NETWORK, args.network))
    if args.ip is not None:
        try:
            address = ipaddress.IPv4Address(args.ip.strip())
        except ValueError:
            raise BadInput(f"--ip: {args.ip!r} is not an IPv4 address") from None
        pairs.append((ANNOTATION_IPV4, str(address)))
    if args.no_dns and (args.nameserver or args.search):
        raise BadInput(f"--no-dns: cannot be combined with {'--nameserver' if args.nameserver else '--search'}")
    if args.nameserver is not None:
        servers = parse_nameservers(_split(args.nameserver), "--nameserver")
        if not servers:
            raise BadInput("--nameserver: empty (use --no-dns to leave resolv.conf alone)")
        pairs.append((ANNOTATION_NAMESERVERS, ",".join(servers)))
    if args.search is not None:
        domains = parse_search(_split(args.search), "--search")
        if not domains:
            raise BadInput("--search: empty")
        pairs.append((ANNOTATION_SEARCH, ",".join(domains)))
    if args.nameserver is not None or args.search is not None:
        drop.append(ANNOTATION_DNS)
    if args.no_dns:
        drop += [ANNOTATION_NAMESERVERS, ANNOTATION_SEARCH]
        pairs.append((ANNOTATION_DNS, "none"))
    return AddOptions(jailnet=jailnet, timeout=args.timeout, annotations=tuple(pairs), drop=tuple(drop))


def _place_hook(hooks: Doc, kind: str, options: AddOptions, first: bool) -> list[str]:
    """Put jailnet's entry into ``hooks[kind]``: in place of an existing jailnet entry (later
    duplicates removed), else first (``first``) or last."""
    where = f"{CONFIG}: hooks.{kind}"
    entries = _need_list(hooks, kind, where)
    ours = [i for i, e in enumerate(entries) if is_jailnet_hook(e)]
    changes: list[str] = []
    if ours:
        old = entries[ours[0]]
        new = hook_entry(kind, options.jailnet, options.timeout, old)
        if new != old:
            changes.append(f"{CONFIG}: updated {kind} hook")
        result = [new if i == ours[0] else e for i, e in enumerate(entries) if i not in ours[1:]]
        if len(ours) > 1:
            changes.append(f"{CONFIG}: removed {len(ours) - 1} duplicate {kind} hook(s)")
    else:
        new = hook_entry(kind, options.jailnet, options.timeout)
        result = [new, *entries] if first else [*entries, new]
        changes.append(f"{CONFIG}: added {kind} hook")
    hooks[kind] = result
    return changes


def _drop_hooks(hooks: Doc, kind: str) -> list[str]:
    """Remove jailnet's entries from ``hooks[kind]``; drop the array if that emptied it."""
    entries = hooks.get(kind)
    if not isinstance(entries, list):
        return []
    kept = [e for e in entries if not is_jailnet_hook(e)]
    gone = len(entries) - len(kept)
    if not gone:
        return []
    if kept:
        hooks[kind] = kept
    else:
        del hooks[kind]
    return [f"{CONFIG}: removed {kind} hook" + (f" ({gone} entries)" if gone > 1 else "")]


def add_to_config(config: Doc, options: AddOptions) -> tuple[Doc, list[str]]:
    """config.json with jailnet added, and one line per change.

    * ``hooks.createRuntime``: jailnet's entry goes **last** (or stays where it is): runj runs no
      poststop after a failed create, so a hook after jailnet that failed would leak jailnet's
      epair, lease and pf entry; nothing can fail after the last hook.
    * ``hooks.poststop``: jailnet's entry goes **first** (or stays where it is): runj skips the
      remaining poststop hooks after a failure, and jailnet's poststop always exits 0, so first
      it both always runs and never keeps the others from running.
    * jailnet entries in ``hooks.prestart`` are removed: runj never runs prestart, and
      createRuntime does the same work for runtimes that do.
    * the ``org.jailnet.*`` annotations asked for; ``freebsd.jail.vnet: "new"`` (runj >= 0.2).
    """
    new = copy.deepcopy(config)
    changes: list[str] = []
    hooks = _need_obj(new, "hooks", f"{CONFIG}: hooks")
    changes += _drop_hooks(hooks, "prestart")
    changes += _place_hook(hooks, "createRuntime", options, first=False)
    changes += _place_hook(hooks, "poststop", options, first=True)
    changes += _set_annotations(new, options)
    freebsd = _need_obj(new, "freebsd", f"{CONFIG}: freebsd")
    jail = _need_obj(freebsd, "jail", f"{CONFIG}: freebsd.jail")
    if jail.get("vnet") != "new":
        jail["vnet"] = "new"
        changes.append(f"{CONFIG}: set freebsd.jail.vnet=new")
    return new, changes


def _set_annotations(config: Doc, options: AddOptions) -> list[str]:
    if not options.annotations and not options.drop:
        return []
    old = config.get("annotations")
    if old is not None and not isinstance(old, dict):
        raise BadInput(f"{CONFIG}: annotations: expected a JSON object, got {_kind(old)}; fix it by hand")
    changes: list[str] = []
    annotations: Doc = old if old is not None else {}
    for key in options.drop:
        if key in annotations:
            del annotations[key]
            changes.append(f"{CONFIG}: removed annotation {key}")
    for key, value in options.annotations:
        if annotations.get(key) != value:
            annotations[key] = value
            changes.append(f"{CONFIG}: set annotation {key}={value}")
    if old is not None or annotations:
        config["annotations"] = annotations
    return changes


def add_to_extension(extension: Doc | None) -> tuple[Doc, list[str]]:
    """runj.ext.json asking for a vnet (``network.vnet.mode: "new"``), other keys kept."""
    if extension is None:
        return copy.deepcopy(VNET_REQUEST), [f"{EXTENSION}: created"]
    new = copy.deepcopy(extension)
    vnet = _need_obj(_need_obj(new, "network", f"{EXTENSION}: network"), "vnet", f"{EXTENSION}: network.vnet")
    if vnet.get("mode") == "new":
        return new, []
    vnet["mode"] = "new"
    return new, [f"{EXTENSION}: set network.vnet.mode=new"]


# --- remove -------------------------------------------------------------------------------------


def remove_from_config(config: Doc) -> tuple[Doc, list[str]]:
    """config.json without jailnet's hook entries and ``org.jailnet.*`` annotations.

    A hook array, ``hooks`` or ``annotations`` that this emptied is removed too (one that was
    already empty is left alone). The vnet request stays: it may predate jailnet, and a bundle with
    a vnet and no jailnet is still a consistent bundle.
    """
    new = copy.deepcopy(config)
    changes: list[str] = []
    hooks = new.get("hooks")
    if isinstance(hooks, dict):
        for kind in [k for k in HOOK_KINDS if k in hooks] + [k for k in hooks if k not in HOOK_KINDS]:
            changes += _drop_hooks(hooks, kind)
        if changes and not hooks:
            del new["hooks"]
    annotations = new.get("annotations")
    if isinstance(annotations, dict):
        ours = [key for key in annotations if key.startswith(PREFIX)]
        for key in ours:
            del annotations[key]
            changes.append(f"{CONFIG}: removed annotation {key}")
        if ours and not annotations:
            del new["annotations"]
    return new, changes


def kept_vnet(config: Doc, extension_exists: bool) -> str | None:
    """The line ``remove`` prints about the vnet request it leaves in place, if there is one."""
    kept = []
    if _str(_obj(_obj(config, "freebsd"), "jail"), "vnet") == "new":
        kept.append(f"{CONFIG} freebsd.jail.vnet")
    if extension_exists:
        kept.append(EXTENSION)
    if not kept:
        return None
    return f"kept the vnet request ({', '.join(kept)}): it may predate jailnet; remove it by hand if unwanted"


# --- check --------------------------------------------------------------------------------------


def check(config: Doc, extension: object | None, bundle: str) -> list[Problem]:
    """Everything that keeps the bundle from working with jailnet under runj; ``extension`` is
    runj.ext.json's parsed content (None when there is none). ``bundle`` appears in the fixes."""
    problems = hook_problems(config, bundle)
    problems += vnet_problems(config, extension, bundle)
    problems += annotation_problems(config.get("annotations"))
    problems += schema_problems(config, extension)
    return problems


_CONSEQUENCE = {
    "createRuntime": "the container gets no network",
    "poststop": "the container's epair, address lease and pf table entry outlive it",
}


def hook_problems(config: Doc, bundle: str) -> list[Problem]:
    """jailnet's createRuntime and poststop entries: present, and each one runnable by runj."""
    hooks = _obj(config, "hooks")
    problems: list[Problem] = []
    for kind, wanted in (("createRuntime", ("createRuntime", "prestart")), ("poststop", ("poststop",))):
        entries = hooks.get(kind) if hooks is not None else None
        ours = [(i, e) for i, e in enumerate(entries) if is_jailnet_hook(e)] if isinstance(entries, list) else []
        if not ours:
            prestart = hooks.get("prestart") if hooks is not None else None
            if kind == "createRuntime" and isinstance(prestart, list) and any(map(is_jailnet_hook, prestart)):
                problems.append(Problem(
                    "prestart-only",
                    f"{CONFIG} hooks.prestart runs jailnet but hooks.createRuntime does not: runj never runs "
                    "prestart hooks, so the container gets no network",
                    f"move the entry to hooks.createRuntime (jailnet bundle add {bundle} does)"))
            else:
                problems.append(Problem(
                    "hook-missing",
                    f"{CONFIG} hooks.{kind} has no jailnet entry: {_CONSEQUENCE[kind]}",
                    f"run jailnet bundle add {bundle}"))
        for index, entry in ours:
            problems += _entry_problems(entry, f"hooks.{kind}[{index}]", kind, wanted)
    return problems


def _entry_problems(entry: Doc, where: str, kind: str, wanted: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    canonical = json.dumps([PROG, "hook", kind])
    args = entry.get("args")
    if not isinstance(args, list) or not args:
        state = "absent" if args is None else ("empty" if args == [] else f"not an array ({_kind(args)})")
        problems.append(Problem(
            "hook-args",
            f"{CONFIG} {where}.args is {state}: runj runs path with args[1:] and panics without args[0] "
            "(runj hook/hook.go)",
            f'set "args": {canonical}'))
    elif not _runs_kind(args, wanted):
        runs = " ".join(["jailnet", *map(str, args[1:])])
        problems.append(Problem(
            "hook-args",
            f"{CONFIG} {where}.args is {json.dumps(args)}: runj runs path with args[1:], i.e. `{runs}`, "
            f"not `jailnet hook {kind}`",
            f'set "args": {canonical}'))
    path = entry.get("path")
    if not isinstance(path, str) or not os.path.isabs(path):
        shown = "absent" if path is None else f"{json.dumps(path)}, not absolute"
        problems.append(Problem(
            "hook-path",
            f"{CONFIG} {where}.path is {shown}: runtime-spec config.md requires an absolute path",
            "set it to where jailnet is installed (`which jailnet`, e.g. /usr/local/bin/jailnet)"))
    env = entry.get("env")
    if isinstance(env, list):
        values = [e[len("PATH="):] for e in env if isinstance(e, str) and e.startswith("PATH=")]
        dirs = values[-1].split(":") if values else []
        missing = [d for d in NEEDED_DIRS if d not in dirs and d + "/" not in dirs]
        if values and values[-1] and missing:
            problems.append(Problem(
                "hook-env",
                f"{CONFIG} {where}.env sets PATH={values[-1]}, without {' and '.join(missing)}: jailnet runs "
                "ifconfig, route, pfctl and sysctl from /sbin, jls and jexec from /usr/sbin",
                f'use "{HOOK_ENV_PATH}"'))
    timeout = entry.get("timeout")
    if timeout is None:
        problems.append(Problem(
            "hook-timeout",
            f"{CONFIG} {where} has no timeout: a command that hangs would hold runj forever",
            'set "timeout": 30'))
    elif isinstance(timeout, bool) or not isinstance(timeout, int):
        problems.append(Problem(
            "hook-timeout",
            f"{CONFIG} {where}.timeout is {json.dumps(timeout)}, not a whole number of seconds",
            'set "timeout": 30'))
    elif timeout <= 0:
        problems.append(Problem(
            "hook-timeout",
            f"{CONFIG} {where}.timeout is {timeout}: runtime-spec config.md requires > 0, and runj kills the "
            "hook at once",
            'set "timeout": 30'))
    return problems


def vnet_problems(config: Doc, extension: object | None, bundle: str) -> list[Problem]:
    """A vnet is requested (in a form some runj reads), no interfaces are moved in by runj, and
    no IP restrictions come with the vnet."""
    problems: list[Problem] = []
    freebsd = _obj(config, "freebsd")
    jail = _obj(freebsd, "jail")
    network01 = _obj(freebsd, "network")
    ext_network = _obj(extension, "network")
    ext_mode = _str(_obj(ext_network, "vnet"), "mode")
    # runj merges runj.ext.json over config.json: a non-empty mode there wins (oci/config.go merge).
    v01 = ext_mode or _str(_obj(network01, "vnet"), "mode")
    v02 = ext_mode or _str(jail, "vnet")
    if "new" not in (v01, v02):
        if ext_mode:
            message = (f"{EXTENSION} network.vnet.mode is {json.dumps(ext_mode)}, which overrides {CONFIG}: runj "
                       "gives the jail no vnet of its own, and jailnet's createRuntime refuses such a jail")
        else:
            message = (f"no vnet requested: neither {EXTENSION} network.vnet.mode, {CONFIG} freebsd.jail.vnet "
                       "(runj >= 0.2) nor freebsd.network.vnet.mode (runj 0.1.0) is \"new\", so the jail shares "
                       "the host's network stack and jailnet's createRuntime refuses it")
        problems.append(Problem(
            "vnet-missing", message,
            f'write {{"network":{{"vnet":{{"mode":"new"}}}}}} to {EXTENSION} (jailnet bundle add {bundle} does)'))
    for label, names in (
        (f"{EXTENSION} network.vnet.interfaces", _strs(_obj(ext_network, "vnet"), "interfaces")),
        (f"{CONFIG} freebsd.jail.vnetInterfaces", _strs(jail, "vnetInterfaces")),
        (f"{CONFIG} freebsd.network.vnet.interfaces", _strs(_obj(network01, "vnet"), "interfaces")),
    ):
        if names:
            problems.append(Problem(
                "vnet-interfaces",
                f"{label} lists {', '.join(names)}: runj moves these into the jail before the hooks run, so "
                "each must already exist, and jailnet creates its own epair afterwards",
                f"remove {label}"))
    restrictions: list[tuple[str, object]] = []
    for key in ("ip4", "ip4Addr", "ip6", "ip6Addr"):
        restrictions.append((f"{CONFIG} freebsd.jail.{key}", jail.get(key) if jail else None))
    for source, network in ((EXTENSION, ext_network), (CONFIG + " freebsd.network", network01)):
        ipv4 = _obj(network, "ipv4")
        prefix = f"{source}." if source != EXTENSION else f"{EXTENSION} network."
        for key in ("mode", "addr"):
            restrictions.append((f"{prefix}ipv4.{key}", ipv4.get(key) if ipv4 else None))
    for label, value in restrictions:
        if value is None or value == [] or value == "":
            continue
        problems.append(Problem(
            "ip-restriction",
            f"{label} is {json.dumps(value)}: the kernel refuses a vnet jail with IP address restrictions "
            "(EINVAL, kern_jail.c: \"vnet jails cannot have IP address restrictions\")",
            f"remove {label}; jailnet gives the jail its address inside its vnet"))
    return problems


_ANNOTATION_FIX = {
    ANNOTATION_NETWORK: "use a network name from jailnet.toml",
    ANNOTATION_IPV4: "use an IPv4 address inside the network's subnet, e.g. 172.17.0.50",
    ANNOTATION_NAMESERVERS: "use a comma list of at most 3 IP addresses",
    ANNOTATION_SEARCH: "use a comma list of at most 6 domain names",
    ANNOTATION_DNS: 'use "none" or remove it',
}


def annotation_problems(annotations: object) -> list[Problem]:
    """The ``org.jailnet.*`` annotations, as :meth:`hooks.request.Request.from_inputs` will read
    them; network names and addresses are checked for syntax only (no host configuration here)."""
    if not isinstance(annotations, Mapping):
        return []
    problems: list[Problem] = []
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(PREFIX) or not isinstance(value, str):
            continue
        if key not in KNOWN_ANNOTATIONS:
            problems.append(Problem(
                "annotation-unknown", f"{CONFIG} annotation {key}: jailnet does not read it",
                f"use one of {', '.join(KNOWN_ANNOTATIONS)}"))
            continue
        try:
            check_annotation(key, value)
        except BadInput as exc:
            problems.append(Problem("annotation-invalid", f"{CONFIG} {exc}", _ANNOTATION_FIX[key]))
    return problems


def schema_problems(config: Doc, extension: object | None) -> list[Problem]:
    """What ocispec's models reject (wrong types, bad values), except in jailnet's own hook
    entries' ``path``, ``args`` and ``timeout``, which :func:`hook_problems` reports precisely."""
    covered: list[str] = []
    hooks = _obj(config, "hooks")
    for kind in HOOK_KINDS:
        entries = hooks.get(kind) if hooks else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if is_jailnet_hook(entry):
                covered += [f"{CONFIG}.hooks.{kind}[{index}].{key}" for key in ("path", "args", "timeout")]
    lines: list[str] = []
    try:
        ocispec.structure(config, ocispec.Spec, where=CONFIG)
    except ocispec.InvalidDocument as exc:
        lines += exc.lines
    if extension is not None:
        try:
            ocispec.structure(extension, ocispec.RunjExtension, where=EXTENSION)
        except ocispec.InvalidDocument as exc:
            lines += exc.lines
    problems = []
    for line in lines:
        location = line.split(": ", 1)[0]
        if any(location == c or location.startswith(c + "[") for c in covered):
            continue
        problems.append(Problem(
            "invalid", line, "correct the value (runtime-spec config.md, config-freebsd.md; runj docs/oci.md)"))
    return problems


# --- files --------------------------------------------------------------------------------------


_INDENT = re.compile(r"[ \t]+")


@attrs.frozen(kw_only=True)
class Layout:
    """How a JSON file was written, so a rewrite looks like it: indentation (``runc spec`` writes
    tabs), separators of a one-line file, a trailing newline, and whether non-ASCII is escaped."""

    indent: str | None = None
    """The indentation unit; None for a file on one line."""
    compact: bool = True
    """For a one-line file: no spaces after ``,`` and ``:``."""
    newline: bool = True
    """Whether the file ends with a newline."""
    ascii: bool = True
    """Whether non-ASCII characters are written as ``\\u`` escapes."""

    @classmethod
    def of(cls, text: str) -> "Layout":
        """The layout of ``text``."""
        body = text.rstrip("\r\n")
        indent = None
        if "\n" in body:
            indent = ""
            for line in body.splitlines()[1:]:
                match = _INDENT.match(line)
                if match:
                    indent = match.group()
                    break
        return cls(indent=indent, compact=re.search(r'"\s*:\s', body) is None, newline=text.endswith("\n"),
                   ascii=text.isascii())

    def dump(self, data: object) -> str:
        """``data`` as this layout writes it."""
        if self.indent is not None:
            text = json.dumps(data, indent=self.indent, ensure_ascii=self.ascii)
        else:
            separators = (",", ":") if self.compact else (", ", ": ")
            text = json.dumps(data, separators=separators, ensure_ascii=self.ascii)
        return text + ("\n" if self.newline else "")


@attrs.frozen(kw_only=True)
class Document:
    """A JSON file of the bundle as read: its path, text and content (None: no such file)."""

    path: Path
    text: str | None = None
    data: object = None

    @property
    def exists(self) -> bool:
        return self.text is not None


def read_document(path: Path, *, required: bool) -> Document:
    """Read and parse a bundle file; :class:`BadInput` when it cannot be read or parsed."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise BadInput(f"{path}: no such file (a bundle directory holds {CONFIG})") from None
        return Document(path=path)
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}") from None
    try:
        data = parse_json(raw, str(path))
    except ocispec.InvalidDocument as exc:
        raise BadInput(exc.lines[0]) from None
    return Document(path=path, text=raw.decode("utf-8"), data=data)


def _object(document: Document) -> Doc:
    if not isinstance(document.data, dict):
        raise BadInput(f"{document.path}: expected a JSON object, got {_kind(document.data)}")
    return document.data


def write_atomic(path: Path, text: str, *, like: Path) -> None:
    """Replace ``path`` with ``text``: a temp file in the same directory, fsync, rename. The new file
    gets the mode (and, when allowed, the owner) of ``like`` — ``path`` itself when it exists. A
    symlinked file is written where the link points, so the link stays."""
    target = Path(os.path.realpath(path))
    info = os.stat(like)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            try:
                os.fchown(handle.fileno(), info.st_uid, info.st_gid)
            except PermissionError:
                pass
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


# --- the shell ----------------------------------------------------------------------------------


def _bundle_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise BadInput(f"{value}: not a directory (BUNDLE is the directory that holds {CONFIG})")
    return path


def _write_if_changed(document: Document, new: Doc, default: Layout, like: Path) -> None:
    if document.exists and document.data == new:
        return
    layout = Layout.of(document.text) if document.text is not None else default
    write_atomic(document.path, layout.dump(new), like=document.path if document.exists else like)


def _add(args: argparse.Namespace, console: Console) -> int:
    jailnet = resolve_jailnet(args.jailnet, sys.argv[0],
                              lambda: shutil.which(PROG, path=console.environ.get("PATH", os.defpath)))
    options = add_options(args, jailnet)
    bundle = _bundle_dir(args.bundle)
    config_doc = read_document(bundle / CONFIG, required=True)
    ext_doc = read_document(bundle / EXTENSION, required=False)
    config = _object(config_doc)
    extension = _object(ext_doc) if ext_doc.exists else None
    new_config, changes = add_to_config(config, options)
    new_extension, ext_changes = add_to_extension(extension)
    _write_if_changed(config_doc, new_config, Layout(), config_doc.path)
    _write_if_changed(ext_doc, new_extension, Layout(), config_doc.path)
    _report(console, changes + ext_changes)
    problems = check(new_config, new_extension, args.bundle)
    for problem in problems:
        console.err.write(f"jailnet: still wrong: {problem.line()}\n")
    return 1 if problems else 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    bundle = _bundle_dir(args.bundle)
    config_doc = read_document(bundle / CONFIG, required=True)
    new_config, changes = remove_from_config(_object(config_doc))
    _write_if_changed(config_doc, new_config, Layout(), config_doc.path)
    _report(console, changes)
    if changes:
        note = kept_vnet(new_config, (bundle / EXTENSION).exists())
        if note:
            console.out.write(note + "\n")
    return 0


def _check(args: argparse.Namespace, console: Console) -> int:
    bundle = _bundle_dir(args.bundle)
    config = _object(read_document(bundle / CONFIG, required=True))
    problems: list[Problem] = []
    try:
        extension = read_document(bundle / EXTENSION, required=False).data
    except BadInput as exc:
        problems.append(Problem("invalid", str(exc), f"write valid JSON, e.g. {json.dumps(VNET_REQUEST)}"))
        extension = None
    problems += check(config, extension, args.bundle)
    if args.json:
        report = {"bundle": args.bundle, "ok": not problems, "problems": [p.as_json() for p in problems]}
        console.out.write(json.dumps(report, indent=2) + "\n")
    elif problems:
        console.out.writelines(problem.line() + "\n" for problem in problems)
    else:
        console.out.write(f"{args.bundle}: ready for jailnet\n")
    return 1 if problems else 0


def _report(console: Console, changes: list[str]) -> None:
    for line in changes or ["nothing to change"]:
        console.out.write(line + "\n")


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet bundle ACTION``. Exit status: 0 done (check: no problems); 1 ``check`` found
    problems, or ``add`` left some it cannot fix (printed on stderr), or a file could not be
    written; 2 bad options or a bundle that cannot be read, with one line on stderr."""
    action = {"add": _add, "remove": _remove, "check": _check}[args.action]
    try:
        return action(args, console)
    except BadInput as exc:
        console.err.write(f"jailnet: {exc}\n")
        return 2
    except OSError as exc:
        console.err.write(f"jailnet: {exc.filename or args.bundle}: {exc.strerror}\n")
        return 1
