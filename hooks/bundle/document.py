"""Typed access to a bundle's parsed JSON: its file names, the hook kinds, which hook entries are
jailnet's, and accessors that read untrusted values without trusting their types.

runtime-spec ``config.md`` "POSIX-platform Hooks" names the hook kinds; runj ``docs/oci.md`` names
``runj.ext.json`` (docs/runtimes.md §2, §3 and §5 have the facts with commits). The readers
(:func:`obj`, :func:`strs`, :func:`string`) return None or nothing for a value of the wrong type:
``check`` reports wrong types elsewhere. The editors (:func:`need_obj`, :func:`need_list`) raise
:class:`~hooks.errors.BadInput` instead: ``add`` never guesses how to fix a malformed section.
"""

import os
from typing import Any

from hooks import PROG
from hooks.errors import BadInput
from hooks.system import DEFAULT_PATH

CONFIG = "config.json"
EXTENSION = "runj.ext.json"
#: Every annotation jailnet reads starts with this; ``remove`` drops all of them.
PREFIX = "org.jailnet."
#: runtime-spec config.md, in lifecycle order.
HOOK_KINDS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")
#: The environment of jailnet's hook entries: a set ``env`` is the hook's whole environment.
HOOK_ENV_PATH = f"PATH={DEFAULT_PATH}"

Doc = dict[str, Any]
"""A parsed JSON object (``json.loads`` keeps the key order)."""


def obj(parent: object, key: str) -> Doc | None:
    """``parent[key]`` when both are JSON objects, else None."""
    if isinstance(parent, dict):
        value = parent.get(key)
        if isinstance(value, dict):
            return value
    return None


def strs(parent: object, key: str) -> list[str]:
    """The strings of the array ``parent[key]`` (nothing when absent or not an array)."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def string(parent: object, key: str) -> str | None:
    """``parent[key]`` when it is a string, else None."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, str) else None


def need_obj(parent: Doc, key: str, where: str) -> Doc:
    """``parent[key]`` as an object to edit, created (at the end) when absent."""
    if key not in parent or parent[key] is None:
        parent[key] = {}
    value = parent[key]
    if not isinstance(value, dict):
        raise BadInput(f"{where}: expected a JSON object, got {kind_of(value)}; fix it by hand")
    return value


def need_list(parent: Doc, key: str, where: str) -> list[Any]:
    """``parent[key]`` as an array to edit (absent: a new empty one, not yet stored)."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(f"{where}: expected an array, got {kind_of(value)}; fix it by hand")
    return value


def kind_of(value: object) -> str:
    """The JSON type of ``value`` with its article, for messages: ``an array``, ``null``."""
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null")


def basename(value: object) -> str:
    """The last component of a string path; "" for anything else."""
    return os.path.basename(value) if isinstance(value, str) else ""


def is_jailnet_hook(entry: object) -> bool:
    """True for a hook entry that runs ``jailnet hook …``: its ``path`` or ``args[0]`` is named
    ``jailnet`` and its ``args`` say ``hook`` (or are too short to say anything, which is a broken
    jailnet entry). ``jailnet gc`` run as a hook is someone else's entry and is left alone."""
    if not isinstance(entry, dict):
        return False
    args = entry.get("args")
    first = args[0] if isinstance(args, list) and args else None
    if PROG not in (basename(entry.get("path")), basename(first)):
        return False
    return not isinstance(args, list) or len(args) <= 1 or "hook" in args
