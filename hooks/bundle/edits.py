"""``bundle add`` and ``bundle remove`` as data in, data out: jailnet's hook entries, its
``org.jailnet.*`` annotations and the vnet request, put into or taken out of parsed JSON.

Each function takes parsed documents (dicts keep their key order) and returns new ones with the
changes made as short lines; the input is never changed. Where the entries go follows from how
runj runs hooks (runj ``hook/hook.go``; docs/runtimes.md §2): only ``createRuntime`` and
``poststop``, stopping at the first failing hook, and no poststop after a failed create.

``add`` keeps the ``path`` of an existing jailnet entry unless ``--jailnet`` is given
(:attr:`AddOptions.keep_path`): a bundle written for ``/usr/local/bin/jailnet`` stays so when it
is edited from a checkout or a virtualenv. ``remove`` is ``add`` undone: with the record of
:mod:`hooks.bundle.undo` it gives back a bundle that had no jailnet before ``add`` byte for byte
(the files' text is edited by :mod:`hooks.bundle.jsontext`).
"""

import argparse
import copy
import ipaddress
from collections.abc import Iterable
from typing import Any

import attrs

from hooks import PROG
from hooks.bundle.document import (
    CONFIG,
    EXTENSION,
    HOOK_ENV_PATH,
    HOOK_KINDS,
    PREFIX,
    Doc,
    is_jailnet_hook,
    kind_of,
    need_list,
    need_obj,
    obj,
    string,
)
from hooks.bundle.undo import MODE_PATH, UNKNOWN, VNET_PATH, Before, restore
from hooks.errors import BadInput
from hooks.netconf import check_network_name, parse_nameservers, parse_search
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
)

#: What runj.ext.json must ask for (runj v0.1.0 and later, runj ``docs/oci.md``).
VNET_REQUEST: dict[str, Any] = {"network": {"vnet": {"mode": "new"}}}


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
    keep_path: bool = False
    """Keep an existing jailnet entry's absolute ``path`` (no ``--jailnet``): :attr:`jailnet` is
    then only for new entries and for entries whose path is not absolute."""

    @classmethod
    def from_args(cls, args: argparse.Namespace, jailnet: str) -> "AddOptions":
        """Validate ``bundle add``'s options; :class:`BadInput` names the first bad one. Without
        ``--jailnet`` the existing entries keep their paths."""
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
        if args.ip6 is not None:
            try:
                address6 = ipaddress.IPv6Address(args.ip6.strip())
            except ValueError:
                raise BadInput(f"--ip6: {args.ip6!r} is not an IPv6 address") from None
            pairs.append((ANNOTATION_IPV6, str(address6)))
        if args.alias:
            from hooks.hostsfile import parse_aliases

            pairs.append((ANNOTATION_ALIASES, ",".join(parse_aliases(",".join(args.alias), "--alias"))))
        if args.no_hosts:
            pairs.append((ANNOTATION_HOSTS, "none"))
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
        if args.publish:
            from hooks.ports import parse_list

            published = parse_list(",".join(_split(args.publish)), "--publish")
            pairs.append((ANNOTATION_PORTS, ",".join(p.spec() for p in published)))
        return cls(jailnet=jailnet, timeout=args.timeout, annotations=tuple(pairs), drop=tuple(drop),
                   keep_path=getattr(args, "jailnet", None) is None)


def _split(values: Iterable[str]) -> tuple[str, ...]:
    """Repeated options, each of which may also be a comma list."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def existing_path(config: Doc) -> str | None:
    """The absolute ``path`` of the bundle's first jailnet entry (createRuntime, then poststop,
    then the other kinds), if there is one: the default for the entries ``add`` creates."""
    hooks = obj(config, "hooks")
    kinds = ["createRuntime", "poststop", *(k for k in HOOK_KINDS if k not in ("createRuntime", "poststop"))]
    for kind in kinds:
        entries = hooks.get(kind) if hooks is not None else None
        for entry in entries if isinstance(entries, list) else []:
            path = entry.get("path") if is_jailnet_hook(entry) else None
            if isinstance(path, str) and path.startswith("/"):
                return path
    return None


def hook_entry(kind: str, jailnet: str, timeout: int, existing: Doc | None = None, keep_path: bool = False) -> Doc:
    """jailnet's entry for ``hooks.<kind>``.

    An existing jailnet entry keeps its key order, unknown keys, options after the kind (e.g.
    ``--config PATH``) and environment variables other than PATH, and with ``keep_path`` its
    ``path`` when that is absolute; ``path``, ``args[:3]``, PATH and ``timeout`` are set anew.
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
    old_path = entry.get("path")
    if not (keep_path and isinstance(old_path, str) and old_path.startswith("/")):
        entry["path"] = jailnet
    entry["args"] = [PROG, "hook", kind, *rest]
    entry["env"] = env
    entry["timeout"] = timeout
    return entry


# --- add ----------------------------------------------------------------------------------------


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
    * the ``org.jailnet.*`` annotations asked for; ``freebsd.jail.vnet: "new"`` (runj >= 0.2,
      runtime-spec 1.3.0 ``config-freebsd.md``).
    """
    new = copy.deepcopy(config)
    changes: list[str] = []
    hooks = need_obj(new, "hooks", f"{CONFIG}: hooks")
    changes += _drop_hooks(hooks, "prestart")
    changes += _place_hook(hooks, "createRuntime", options, first=False)
    changes += _place_hook(hooks, "poststop", options, first=True)
    changes += _set_annotations(new, options)
    freebsd = need_obj(new, "freebsd", f"{CONFIG}: freebsd")
    jail = need_obj(freebsd, "jail", f"{CONFIG}: freebsd.jail")
    if jail.get("vnet") != "new":
        jail["vnet"] = "new"
        changes.append(f"{CONFIG}: set freebsd.jail.vnet=new")
    return new, changes


def _place_hook(hooks: Doc, kind: str, options: AddOptions, first: bool) -> list[str]:
    """Put jailnet's entry into ``hooks[kind]``: in place of an existing jailnet entry (later
    duplicates removed), else first (``first``) or last."""
    entries = need_list(hooks, kind, f"{CONFIG}: hooks.{kind}")
    ours = [i for i, e in enumerate(entries) if is_jailnet_hook(e)]
    changes: list[str] = []
    if ours:
        old = entries[ours[0]]
        new = hook_entry(kind, options.jailnet, options.timeout, old, options.keep_path)
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


def _set_annotations(config: Doc, options: AddOptions) -> list[str]:
    """Set and drop the annotations ``options`` name; an ``annotations`` object is created only
    when something goes into it."""
    if not options.annotations and not options.drop:
        return []
    old = config.get("annotations")
    if old is not None and not isinstance(old, dict):
        raise BadInput(f"{CONFIG}: annotations: expected a JSON object, got {kind_of(old)}; fix it by hand")
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
    vnet = need_obj(need_obj(new, "network", f"{EXTENSION}: network"), "vnet", f"{EXTENSION}: network.vnet")
    if vnet.get("mode") == "new":
        return new, []
    vnet["mode"] = "new"
    return new, [f"{EXTENSION}: set network.vnet.mode=new"]


# --- remove -------------------------------------------------------------------------------------


def remove_from_config(config: Doc, before: Before = UNKNOWN) -> tuple[Doc, list[str]]:
    """config.json without jailnet's hook entries and ``org.jailnet.*`` annotations.

    A hook array, ``hooks`` or ``annotations`` that this empties is removed too, unless ``before``
    (the record :mod:`hooks.bundle.undo` keeps of the bundle before ``add``) shows it was there
    empty; one that was already empty is left alone. ``freebsd.jail.vnet: "new"`` goes (or gets its
    old value back) only when ``before`` shows that ``add`` set it, with the ``freebsd`` and ``jail``
    objects ``add`` created for it; otherwise the vnet request stays: it may predate jailnet, and a
    bundle with a vnet and no jailnet is still a consistent bundle.
    """
    new = copy.deepcopy(config)
    changes: list[str] = []
    hooks = new.get("hooks")
    if isinstance(hooks, dict):
        for kind in [k for k in HOOK_KINDS if k in hooks] + [k for k in hooks if k not in HOOK_KINDS]:
            changes += _drop_hooks(hooks, kind, keep_empty=before.was_empty(("hooks", kind)))
        if changes and not hooks and not before.was_empty(("hooks",)):
            del new["hooks"]
    annotations = new.get("annotations")
    if isinstance(annotations, dict):
        ours = [key for key in annotations if key.startswith(PREFIX)]
        for key in ours:
            del annotations[key]
            changes.append(f"{CONFIG}: removed annotation {key}")
        if ours and not annotations and not before.was_empty(("annotations",)):
            del new["annotations"]
    undone = restore(new, before, VNET_PATH, "new", CONFIG)
    return new, changes + ([undone] if undone else [])


def remove_from_extension(extension: object, before: Before = UNKNOWN) -> tuple[object, list[str]]:
    """runj.ext.json with ``add``'s vnet request undone when ``before`` shows ``add`` made it:
    ``network.vnet.mode`` back to its old value, or gone with the objects ``add`` created for it;
    None when ``add`` created the file and that leaves it empty (delete it). Anything else in the
    file stays; without a record, or when the request predates ``add``, nothing changes."""
    if not isinstance(extension, dict):
        return extension, []
    new = copy.deepcopy(extension)
    undone = restore(new, before, MODE_PATH, "new", EXTENSION)
    if undone is None:
        return extension, []
    if not new and not before.exists:
        return None, [f"{EXTENSION}: removed (created by bundle add)"]
    return new, [undone]


def _drop_hooks(hooks: Doc, kind: str, keep_empty: bool = False) -> list[str]:
    """Remove jailnet's entries from ``hooks[kind]``; drop the array if that emptied it, unless
    ``keep_empty``."""
    entries = hooks.get(kind)
    if not isinstance(entries, list):
        return []
    kept = [e for e in entries if not is_jailnet_hook(e)]
    gone = len(entries) - len(kept)
    if not gone:
        return []
    if kept or keep_empty:
        hooks[kind] = kept
    else:
        del hooks[kind]
    return [f"{CONFIG}: removed {kind} hook" + (f" ({gone} entries)" if gone > 1 else "")]


def kept_vnet(config: Doc, extension: object, recorded: bool) -> str | None:
    """The line ``remove`` prints about the vnet request it leaves in place, if there is one;
    ``recorded``: whether :mod:`hooks.bundle.undo` had a record (which showed it predates ``add``)."""
    kept = []
    if string(obj(obj(config, "freebsd"), "jail"), "vnet") == "new":
        kept.append(f"{CONFIG} freebsd.jail.vnet")
    if string(obj(obj(extension, "network"), "vnet"), "mode") == "new":
        kept.append(EXTENSION)
    if not kept:
        return None
    why = "it was there before jailnet bundle add" if recorded else "it may predate jailnet"
    return f"kept the vnet request ({', '.join(kept)}): {why}; remove it by hand if unwanted"
