"""OCI runtime-spec documents jailnet reads and writes, as frozen attrs models.

* :class:`State`: what a runtime passes to a hook on stdin (runtime-spec runtime.md
  "State"), read with :func:`load_state`;
* :class:`Spec`: the parts of a bundle's ``config.json`` jailnet touches, read with
  :func:`load_config`;
* :class:`RunjExtension`: runj's ``runj.ext.json``, read with
  :func:`load_runj_extension`.

Every reader raises :class:`InvalidDocument` (a ``ValueError``) whose ``lines`` name
the JSON path of each problem, e.g. ``state.pid: expected an integer, got str '12'``.
Runtime-written documents are read leniently (unknown keys ignored); pass
``strict=True`` to :func:`structure` for jailnet's own files (unknown keys rejected).
"""

import importlib
from typing import TYPE_CHECKING, Any, TypeVar

from ocispec._convert import (
    RUNTIME,
    InvalidDocument,
    parse_json,
    structure,
    unstructure,
)
from ocispec.state import KNOWN_STATUSES, State

if TYPE_CHECKING:
    import cattrs

    from ocispec.config import (
        Allow,
        FreeBSD,
        Hook,
        Hooks,
        Jail,
        Root,
        SharingMode,
        SharingModeNoDisable,
        Spec,
    )
    from ocispec.runj import (
        IPv4Mode,
        RunjExtension,
        RunjIPv4,
        RunjNetwork,
        RunjVnet,
        VnetMode,
    )

#: Names defined by the config.json and runj.ext.json models, loaded on first use (PEP 562): a
#: hook reads only the state, and building those classes costs milliseconds on its start path.
_LAZY = {
    **dict.fromkeys(("Allow", "FreeBSD", "Hook", "Hooks", "Jail", "Root", "SharingMode",
                     "SharingModeNoDisable", "Spec"), "ocispec.config"),
    **dict.fromkeys(("IPv4Mode", "RunjExtension", "RunjIPv4", "RunjNetwork", "RunjVnet", "VnetMode"),
                    "ocispec.runj"),
}


def __getattr__(name: str) -> Any:
    """Load a :data:`_LAZY` name from its module (module ``__getattr__``, PEP 562), and build
    ``OURS`` on first use (:func:`ocispec._convert.ours`)."""
    if name == "OURS":
        from ocispec._convert import ours

        return ours()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "KNOWN_STATUSES",
    "OURS",
    "RUNTIME",
    "Allow",
    "FreeBSD",
    "Hook",
    "Hooks",
    "IPv4Mode",
    "InvalidDocument",
    "Jail",
    "Root",
    "RunjExtension",
    "RunjIPv4",
    "RunjNetwork",
    "RunjVnet",
    "SharingMode",
    "SharingModeNoDisable",
    "Spec",
    "State",
    "VnetMode",
    "dump",
    "load_config",
    "load_runj_extension",
    "parse_json",
    "load_state",
    "structure",
    "unstructure",
]

T = TypeVar("T")

if TYPE_CHECKING:
    OURS: cattrs.Converter


def load_state(raw: bytes | str, *, where: str = "state") -> State:
    """Parse the state JSON a runtime wrote to a hook's stdin.

    Lenient as real runtimes require: unknown keys (crun's ``root``) are ignored,
    ``pid`` may be absent or 0, ``status`` may be any non-empty string, ``annotations``
    may be absent. Raises :class:`InvalidDocument`.
    """
    return structure(parse_json(raw, where), State, where=where)


def load_config(raw: bytes | str, *, where: str = "config.json") -> "Spec":
    """Parse a bundle's ``config.json`` (unknown sections such as ``process`` or
    ``linux`` are ignored). Raises :class:`InvalidDocument`."""
    from ocispec.config import Spec

    return structure(parse_json(raw, where), Spec, where=where)


def load_runj_extension(raw: bytes | str, *, where: str = "runj.ext.json") -> "RunjExtension":
    """Parse runj's ``runj.ext.json`` (unknown keys ignored, as runj does). Raises
    :class:`InvalidDocument`."""
    from ocispec.runj import RunjExtension

    return structure(parse_json(raw, where), RunjExtension, where=where)


def dump(obj: object) -> dict[str, Any]:
    """A model as a JSON-ready dict (camelCase keys, defaults omitted), for
    ``json.dumps``. Round-trips through the matching ``load_*``/:func:`structure`."""
    data = RUNTIME.unstructure(obj)
    if not isinstance(data, dict):
        raise TypeError(f"dump() takes an attrs model, got {type(obj).__name__}")
    return data


def __dir__() -> list[str]:
    """The module's names, the :data:`_LAZY` ones included."""
    return sorted({*globals(), *_LAZY, "OURS"})
