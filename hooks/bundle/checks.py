"""``bundle check``: the things that keep a bundle from working with jailnet under runj, one
:class:`Problem` each, with the fix.

Sources of the rules (the facts, with commits, are in docs/runtimes.md §2, §3 and §5):

* runtime-spec ``config.md`` "POSIX-platform Hooks": ``path`` MUST be absolute, ``args`` has
  execv semantics (``args[0]`` is the program name), a set ``env`` is the whole environment,
  ``timeout`` MUST be > 0; ``prestart`` is deprecated.
* runj ``hook/hook.go``: ``exec.CommandContext(ctx, h.Path, h.Args[1:]...)``, so an absent or
  empty ``args`` panics; runj runs only ``createRuntime`` and ``poststop``.
* runj ``runtimespec/config.go`` and ``docs/oci.md``: ``runj.ext.json``
  ``{"network":{"vnet":{"mode":"new","interfaces":[...]}}}`` (v0.1.0 and later; a non-empty
  ``mode`` there overrides config.json); v0.1.0 reads ``freebsd.network`` in config.json,
  v0.2.0 and later read runtime-spec 1.3.0 ``freebsd.jail`` (``config-freebsd.md``).
* freebsd-src ``sys/kern/kern_jail.c``: any ``ip4``/``ip6`` parameter together with
  ``vnet=new`` is EINVAL, "vnet jails cannot have IP address restrictions".
* runj reads nothing of the ``linux`` section (runj at ``02137f66``: no use of ``Spec.Linux``), and
  ``jail/mount.go`` mounts every ``mounts`` entry as written, through FreeBSD's mount(8); only
  runj's containerd shim drops containerd's own default Linux mounts (``containerd/bundle.go``).
  Both are **warnings** (:func:`linux_warnings`): a bundle written by ``runc spec`` or for Linux
  has them, and they do not concern jailnet's networking.

Every function takes parsed JSON and returns a list of problems; none changes its input. A
problem makes ``check`` exit 1; a warning (``severity="warning"``) is printed and leaves the
exit status alone. The findings that depend on this host (hook paths, the address against the
host's networks) are in :mod:`hooks.bundle.host`.
"""

import json
import os
from collections.abc import Mapping
from typing import Any

import attrs

import ocispec
from hooks import PROG
from hooks.bundle.document import (
    CONFIG,
    EXTENSION,
    HOOK_ENV_PATH,
    HOOK_KINDS,
    PREFIX,
    Doc,
    basename,
    is_jailnet_hook,
    kind_of,
    obj,
    string,
    strs,
)
from hooks.errors import BadInput
from hooks.invocation import hook_kind
from hooks.request import (
    ANNOTATION_ALIASES,
    ANNOTATION_DNS,
    ANNOTATION_HOSTS,
    ANNOTATION_IPV4,
    ANNOTATION_IPV6,
    ANNOTATION_NAMESERVERS,
    ANNOTATION_NETWORK,
    ANNOTATION_PORTS,
    ANNOTATION_SEARCH,
    KNOWN_ANNOTATIONS,
    check_annotation,
    check_known_annotation,
)

#: Where the commands jailnet runs live: ifconfig, route, pfctl, sysctl; jls, jexec.
NEEDED_DIRS = ("/sbin", "/usr/sbin")


@attrs.frozen
class Problem:
    """One thing that keeps a bundle from working with jailnet, and how to fix it."""

    code: str
    """Stable identifier (docs/bundles.md lists them)."""
    message: str
    """What is wrong and why it matters, naming the file and key."""
    fix: str
    """What to change."""
    severity: str = "problem"
    """``problem`` (``check`` exits 1) or ``warning`` (printed only)."""

    def line(self) -> str:
        """The one-line text form: ``code: message; fix: fix``, after ``warning: `` for a warning."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{self.code}: {self.message}; fix: {self.fix}"

    def as_json(self) -> dict[str, str]:
        """The ``--json`` form."""
        return {"code": self.code, "message": self.message, "fix": self.fix}


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
    hooks = obj(config, "hooks")
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
    """One jailnet entry as runj will run it: ``args`` that start ``jailnet hook KIND``, an absolute
    ``path``, a PATH (if set) with /sbin and /usr/sbin, and a positive ``timeout``."""
    problems: list[Problem] = []
    canonical = json.dumps([PROG, "hook", kind])
    args = entry.get("args")
    if not isinstance(args, list) or not args:
        state = "absent" if args is None else ("empty" if args == [] else f"not an array ({kind_of(args)})")
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


def _runs_kind(args: list[Any], wanted: tuple[str, ...]) -> bool:
    """Whether runj, running ``path`` with ``args[1:]``, starts ``jailnet hook KIND`` with KIND in
    ``wanted`` (any spelling :func:`hooks.invocation.hook_kind` takes)."""
    if len(args) < 3 or basename(args[0]) != PROG or args[1] != "hook" or not isinstance(args[2], str):
        return False
    try:
        return hook_kind(args[2]) in wanted
    except BadInput:
        return False


def vnet_problems(config: Doc, extension: object | None, bundle: str) -> list[Problem]:
    """A vnet is requested (in a form some runj reads), no interfaces are moved in by runj, and
    no IP restrictions come with the vnet."""
    problems: list[Problem] = []
    freebsd = obj(config, "freebsd")
    jail = obj(freebsd, "jail")
    network01 = obj(freebsd, "network")
    ext_network = obj(extension, "network")
    ext_mode = string(obj(ext_network, "vnet"), "mode")
    # runj merges runj.ext.json over config.json: a non-empty mode there wins (oci/config.go merge).
    v01 = ext_mode or string(obj(network01, "vnet"), "mode")
    v02 = ext_mode or string(jail, "vnet")
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
        (f"{EXTENSION} network.vnet.interfaces", strs(obj(ext_network, "vnet"), "interfaces")),
        (f"{CONFIG} freebsd.jail.vnetInterfaces", strs(jail, "vnetInterfaces")),
        (f"{CONFIG} freebsd.network.vnet.interfaces", strs(obj(network01, "vnet"), "interfaces")),
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
        ipv4 = obj(network, "ipv4")
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
    ANNOTATION_IPV6: "use an IPv6 address inside the network's subnet6, e.g. fd00:17::50",
    ANNOTATION_NAMESERVERS: "use a comma list of at most 3 IP addresses",
    ANNOTATION_SEARCH: "use a comma list of at most 6 domain names",
    ANNOTATION_DNS: 'use "none" or remove it',
    ANNOTATION_PORTS: "use a comma list of [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], e.g. 8080:80",
    ANNOTATION_ALIASES: "use a comma list of host names (RFC 1123), e.g. api,api.internal",
    ANNOTATION_HOSTS: 'use "none" or remove it',
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
        try:
            check_known_annotation(key)  # what the hook says of it before it refuses it (exit 2)
        except BadInput as exc:
            problems.append(Problem("annotation-unknown", f"{CONFIG} {exc}: the hook refuses it",
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
    hooks = obj(config, "hooks")
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


#: File system types of Linux that FreeBSD does not have (its own are procfs, linprocfs, linsysfs,
#: fdescfs, devfs, tmpfs, nullfs, ...).
LINUX_FILESYSTEMS = frozenset({
    "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "devtmpfs", "securityfs", "debugfs", "tracefs",
    "hugetlbfs", "bpf", "configfs", "pstore", "binfmt_misc", "fusectl", "efivarfs"})


def port_warnings(config: Doc) -> list[Problem]:
    """A published port on a loopback HOSTIP (``127.0.0.1:8443:443``): valid Docker syntax, but on
    FreeBSD nothing reaches it. Packets to 127/8 that arrive on any interface but lo0 are dropped
    before pf sees them (sys/netinet/ip_input.c, "127/8 must not appear on wire"), and the host's
    own connections cannot use a published port (docs/configuration.md, Published ports)."""
    annotations = config.get("annotations")
    text = annotations.get(ANNOTATION_PORTS) if isinstance(annotations, Mapping) else None
    if not isinstance(text, str):
        return []
    from hooks.ports import parse_list

    try:
        ports = parse_list(text, f"annotation {ANNOTATION_PORTS}")
    except BadInput:  # annotation_problems reports it
        return []
    loopback = [p.spec() for p in ports if p.host_ip is not None and p.host_ip.is_loopback]
    if not loopback:
        return []
    return [Problem(
        "loopback-port",
        f"{CONFIG} annotations.{ANNOTATION_PORTS} publishes {', '.join(loopback)} on a loopback address: on "
        "FreeBSD nothing reaches it (pf cannot redirect the host's own connections, and 127/8 never arrives on "
        "another interface)",
        "leave out the address to publish on the egress interface, or reach the container from this host at "
        "its own address (jailnet ls)", severity="warning")]


def linux_warnings(config: Doc) -> list[Problem]:
    """Warnings for what a Linux bundle (``runc spec``) carries and runj does not use: a ``linux``
    section, and ``mounts`` of Linux file system types."""
    warnings: list[Problem] = []
    linux = obj(config, "linux")
    if linux:
        namespaces = [ns["type"] for ns in linux.get("namespaces") or [] if isinstance(ns, dict)
                      and isinstance(ns.get("type"), str)] if isinstance(linux.get("namespaces"), list) else []
        what = f"namespaces {', '.join(namespaces)}" if namespaces else f"{', '.join(map(str, linux))}"
        warnings.append(Problem(
            "linux-section",
            f"{CONFIG} linux sets {what}: runj ignores the linux section; a jail isolates the container, and "
            "its network is the vnet and what jailnet puts in it",
            "remove the linux section, or leave it: it has no effect under runj", severity="warning"))
    mounts = config.get("mounts")
    found = [f"mounts[{i}] ({m.get('destination')}, {m['type']})" for i, m in
             enumerate(mounts if isinstance(mounts, list) else []) if isinstance(m, dict)
             and m.get("type") in LINUX_FILESYSTEMS]
    if found:
        warnings.append(Problem(
            "linux-mounts",
            f"{CONFIG} {', '.join(found)}: Linux file systems FreeBSD does not have; runj does not handle "
            "them: it hands every mount to mount(8) as written (runj jail/mount.go), which fails on these",
            "remove these mounts (FreeBSD's own: procfs, fdescfs, devfs, tmpfs, nullfs)", severity="warning"))
    return warnings
