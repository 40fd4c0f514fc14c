"""The container state a runtime passes to every hook on stdin.

runtime-spec v1.3.0 ``runtime.md`` "State" and ``schema/state-schema.json``: required
``ociVersion``, ``id``, ``status``, ``bundle``; optional ``pid`` (integer >= 0) and
``annotations``; "The state MAY include additional properties."

The model is deliberately more tolerant than the schema, because real runtimes are
(docs/runtimes.md §4):

* runj v0.1.0 sends ``"ociVersion": "1.0.2-runj-dev"``, ``status`` ``creating`` in
  createRuntime and a stale ``created``/``running`` in poststop;
* runc 1.1.5 omits ``pid`` in poststop and ``annotations`` when the config has none;
* crun 1.8.1 sends ``"ociVersion": "1.0"``, an extra ``"root"`` key, ``pid: 0`` and
  the non-standard status ``starting``;
* ocijail omits ``pid`` when stopped and adds the annotation ``org.freebsd.jail.jid``.

So ``status`` is any non-empty string (compare with :data:`KNOWN_STATUSES`), ``pid`` is
optional and may be 0, and ``annotations`` defaults to an empty mapping. Unknown keys
are the converter's business, not the model's (``ocispec._convert.RUNTIME`` ignores them).

No JSON knowledge lives here: spelling (``ociVersion``) and strictness are in
``ocispec/_convert.py``.
"""

from collections.abc import Mapping
from typing import Any, Final

import attrs

from ocispec.value import Value

#: The four statuses runtime-spec ``runtime.md`` defines. Runtimes MAY add others
#: (crun sends ``starting`` to startContainer hooks), so :class:`State` accepts any
#: non-empty string and callers decide what an unknown value means.
KNOWN_STATUSES: Final[frozenset[str]] = frozenset({"creating", "created", "running", "stopped"})


def _non_empty(_inst: Any, attribute: "attrs.Attribute[str]", value: str) -> None:
    if not value:
        raise ValueError(f"'{attribute.name}' must not be empty")


def _non_negative(_inst: Any, attribute: "attrs.Attribute[int | None]", value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"'{attribute.name}' must be >= 0")


@attrs.frozen(kw_only=True, eq=False, repr=False)
class State(Value):
    """The state of a container (runtime-spec ``runtime.md`` "State", Go ``specs.State``).

    Field order follows the JSON runtimes write:
    ``{"ociVersion", "id", "status", "pid", "bundle", "annotations"}``.
    """

    oci_version: str
    """``ociVersion``: the runtime-spec version the state complies with. Free-form in
    practice (``1.0.2-runj-dev``, ``1.0.2-dev``, ``1.0``), so not validated."""

    id: str = attrs.field(validator=_non_empty)
    """``id``: the container id, unique on the host. runj and the spec use it as the
    jail name, so it is the key for everything a hook sets up or tears down."""

    status: str = attrs.field(validator=_non_empty)
    """``status``: the runtime state. One of :data:`KNOWN_STATUSES` per the spec, but any
    non-empty string is accepted (crun: ``starting``; runj poststop: stale values)."""

    pid: int | None = attrs.field(default=None, validator=_non_negative)
    """``pid``: the container process id as seen from the runtime namespace, or
    ``None`` when absent (runc poststop, ocijail when stopped). ``0`` is legal (crun
    createContainer/startContainer/poststop). During runj's createRuntime this is the
    host pid of ``runj-entrypoint``, *not yet* inside the jail: do not derive the JID
    from it."""

    bundle: str
    """``bundle``: absolute path of the bundle directory (spec). Not validated: the
    value is only as good as the runtime that sent it (crun's startContainer sends
    ``/``)."""

    annotations: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    """``annotations``: ``config.json``'s top-level annotations, forwarded by the
    runtime; empty when absent. Values are strings."""
