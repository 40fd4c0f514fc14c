"""What ``bundle remove`` needs to know to give a bundle back as it was before ``bundle add``.

From config.json and runj.ext.json alone, ``remove`` cannot tell an ``"annotations": {}`` the
bundle had (keep it) from one ``add`` created (remove it), nor a vnet request that predates
jailnet (keep it) from the one ``add`` wrote (remove it). So the first ``add`` that changes a
bundle records, in ``BUNDLE/.jailnet-undo.json``, what the two files held before it at the places
``add`` changes, and nothing else (no other content of the files):

* ``annotations``, ``hooks``, ``hooks.KIND``, ``freebsd``, ``freebsd.jail`` in config.json and
  ``network``, ``network.vnet`` in runj.ext.json: ``absent``, ``empty`` or ``present``;
* ``freebsd.jail.vnet`` and runj.ext.json's ``network.vnet.mode``: ``absent`` or
  ``{"value": V}``; and whether runj.ext.json existed.

A later ``add`` leaves the record alone (it describes the bundle before jailnet); ``remove`` reads
it, undoes what the record shows ``add`` did and the files still show, and deletes it. Without a
record (a bundle jailnet was added to by hand, or by an older jailnet), or with one that cannot be
read, ``remove`` takes out jailnet's hook entries and annotations, drops a hook array, ``hooks`` or
``annotations`` that this empties, and keeps the vnet request, which may predate jailnet.
"""

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from hooks.bundle.document import CONFIG, EXTENSION, HOOK_KINDS, Doc
from hooks.errors import OperationFailed

JOURNAL = ".jailnet-undo.json"
#: The places in config.json whose state before ``add`` ``remove`` needs.
CONFIG_PATHS: tuple[tuple[str, ...], ...] = (
    ("annotations",), ("hooks",), *(("hooks", kind) for kind in HOOK_KINDS), ("freebsd",), ("freebsd", "jail"),
    ("freebsd", "jail", "vnet"))
VNET_PATH = ("freebsd", "jail", "vnet")
#: The same for runj.ext.json.
EXTENSION_PATHS: tuple[tuple[str, ...], ...] = (("network",), ("network", "vnet"), ("network", "vnet", "mode"))
MODE_PATH = ("network", "vnet", "mode")
_ABOUT = ("written by jailnet bundle add: what config.json and runj.ext.json held before it, where it changes "
          "them, so that jailnet bundle remove gives them back; remove deletes this file")


def state(doc: object, path: tuple[str, ...]) -> object:
    """``absent``, ``empty`` or ``present`` for the container at ``path`` in ``doc``; ``{"value": V}``
    for anything else found there."""
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return "absent"
        doc = doc[key]
    if isinstance(doc, (dict, list)):
        return "present" if doc else "empty"
    return {"value": doc}


@attrs.frozen
class Before:
    """One file's state before the first ``add``, at the places ``add`` changes."""

    known: bool
    """False without a record: ``remove`` then follows its rules for hand-made bundles."""
    exists: bool = True
    """Whether the file existed."""
    states: Mapping[str, object] = attrs.field(factory=dict)
    """Dotted path → :func:`state`."""

    @classmethod
    def of(cls, doc: object, paths: tuple[tuple[str, ...], ...]) -> "Before":
        """The record of ``doc`` (None: no such file)."""
        if doc is None:
            return cls(known=True, exists=False)
        return cls(known=True, states={".".join(path): state(doc, path) for path in paths})

    def state(self, path: tuple[str, ...]) -> object:
        """What the record says of ``path``: None when it says nothing."""
        if not self.known:
            return None
        return self.states.get(".".join(path), "absent" if not self.exists else None)

    def was_empty(self, path: tuple[str, ...]) -> bool:
        """Whether the container at ``path`` was there, empty, before ``add``."""
        return self.state(path) == "empty"

    def as_json(self) -> object:
        return dict(self.states) if self.exists else None

    @classmethod
    def from_json(cls, value: object) -> "Before":
        if value is None:
            return cls(known=True, exists=False)
        if not isinstance(value, dict):
            raise ValueError("not an object")
        return cls(known=True, states=dict(value))


UNKNOWN = Before(known=False)


def restore(doc: Doc, before: Before, path: tuple[str, ...], added: str, name: str) -> str | None:
    """Undo ``add``'s setting of ``doc[path]`` to ``added`` when the record shows ``add`` did it
    and the file still holds it: put back the value it replaced, or delete it together with the
    containers ``add`` created for it (absent before). Returns the change, None for none."""
    parents = [doc]
    for key in path[:-1]:
        child = parents[-1].get(key)
        if not isinstance(child, dict):
            return None
        parents.append(child)
    old = before.state(path)
    if parents[-1].get(path[-1]) != added or old is None or old == {"value": added}:
        return None
    dotted = ".".join(path)
    if isinstance(old, dict):
        parents[-1][path[-1]] = copy.deepcopy(old["value"])
        value = old["value"] if isinstance(old["value"], str) else json.dumps(old["value"])
        return f"{name}: set {dotted}={value} again (as before bundle add)"
    if old != "absent":
        return None
    del parents[-1][path[-1]]
    for depth in range(len(path) - 1, 0, -1):
        if parents[depth] or before.state(path[:depth]) != "absent":
            break
        del parents[depth - 1][path[depth - 1]]
    return f"{name}: removed {dotted} (set by bundle add)"


def record(config: Doc, extension: object) -> dict[str, Any]:
    """The record of a bundle before ``add`` (``extension`` None: no runj.ext.json)."""
    return {"about": _ABOUT, CONFIG: Before.of(config, CONFIG_PATHS).as_json(),
            EXTENSION: Before.of(extension, EXTENSION_PATHS).as_json()}


def read(bundle: Path) -> tuple[Before, Before, str | None]:
    """The record in ``bundle`` for config.json and runj.ext.json, and a note when there is one
    that cannot be used (then both are :data:`UNKNOWN`, as without a record)."""
    path = bundle / JOURNAL
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or CONFIG not in data or EXTENSION not in data:
            raise ValueError(f"{CONFIG} or {EXTENSION} not recorded")
        return Before.from_json(data[CONFIG]), Before.from_json(data[EXTENSION]), None
    except FileNotFoundError:
        return UNKNOWN, UNKNOWN, None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return UNKNOWN, UNKNOWN, f"{JOURNAL}: not used ({reason}): removed only what is jailnet's for sure"


def delete(bundle: Path) -> bool:
    """Remove the record; whether there was one."""
    try:
        (bundle / JOURNAL).unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OperationFailed(f"{bundle / JOURNAL}: {exc.strerror}") from None
    return True
