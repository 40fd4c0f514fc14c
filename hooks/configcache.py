"""The configuration file's TOML, kept parsed in the state directory, so that a hook on a host
with ``jailnet.toml`` does not import and run tomllib every time (5–7 ms of every hook's start
path: docs/performance.md).

``<state>/config.json`` holds the text last parsed and the TOML data it gave. A hook still reads
the configuration file (one read) and uses the cached data only when the text is exactly the
same: no timestamps are trusted, so an edit within the same second, or a file replaced by
another of the same size, is never missed. The data is validated every time
(:func:`hooks.configfile.from_data`), as after a fresh parse: only the parse is saved.

A cache that is missing, unreadable, damaged, of another version or for another text is ignored
and replaced after the next successful validation; failing to write it is not an error. Data
JSON cannot hold as it is (TOML dates and times, inf and nan) is not cached. The file is written
as the records are (atomic replace, mode 0600, in the root-only state directory), and holds the
configuration's text, so it is no more readable than the state directory.
"""

import contextlib
import json
from pathlib import Path
from typing import Any

from hooks import files

NAME = "config.json"
VERSION = 1


def lookup(state_dir: Path, text: str) -> dict[str, Any] | None:
    """The TOML data of ``text`` if the cache in ``state_dir`` holds it, else None."""
    try:
        with open(state_dir / NAME, "rb") as f:
            doc = json.loads(f.read())
    except (OSError, ValueError):  # absent, unreadable, not JSON (json's errors are ValueErrors)
        return None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or doc.get("text") != text:
        return None
    data = doc.get("data")
    return data if isinstance(data, dict) else None


def remember(state_dir: Path, text: str, data: dict[str, Any]) -> None:
    """Keep ``data``, the validated TOML data of ``text``, for the next hook; best effort."""
    try:
        raw = json.dumps({"version": VERSION, "text": text, "data": data}, allow_nan=False)
    except (TypeError, ValueError):  # a TOML date or time (TypeError), inf or nan (ValueError)
        return
    with contextlib.suppress(OSError):  # no state directory yet, a read-only one: parse next time
        files.replace(state_dir / NAME, raw.encode(), mode=0o600, durable=False)
