"""A bundle's files on disk: the directory, reading ``config.json`` and ``runj.ext.json``, and
rewriting one so that the diff is the change.

A rewrite edits the file's text (:func:`hooks.bundle.jsontext.patch`): every value that did not
change keeps its text byte for byte (key order, whitespace, one-line arrays, the trailing newline
or its absence), and only the changed members are replaced, added (indented like their siblings,
in the file's style: ``runc spec`` writes tabs, runc ``spec.go``
``json.MarshalIndent(spec, "", "\\t")``) or taken out. Should the edited text not parse back to the
new content (it always does; duplicate member names in an object that changes are the one case
it declines), the file is written whole in its :class:`Layout` instead. A new file is one compact
line and a newline. An unchanged file is not written at all; a changed one is replaced atomically
by :func:`hooks.files.replace` with ``durable=True`` (a bundle's files are the user's), keeping
its mode. A symlinked file is written where the link points, so the link stays.

Error codes (docs/bundles.md): a file that cannot be read or parsed is
:class:`~hooks.errors.BadInput` (exit 2, nothing written); a file that cannot be written is
:class:`~hooks.errors.OperationFailed` (exit 1). Both name the file.
"""

import json
import os
import re
import stat
from pathlib import Path

import attrs

import ocispec
from hooks import files
from hooks.bundle import jsontext
from hooks.bundle.document import CONFIG, Doc, kind_of
from hooks.errors import BadInput, OperationFailed
from ocispec import parse_json

_INDENT = re.compile(r"[ \t]+")


@attrs.frozen(kw_only=True)
class Layout:
    """How a JSON file was written, so a rewrite looks like it: indentation, separators of a
    one-line file, a trailing newline, and whether non-ASCII is escaped. The default is what
    jailnet writes in a new file: one compact line and a newline."""

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
class BundleFile:
    """A JSON file of the bundle as read: its path, text and content (no text: no such file)."""

    path: Path
    text: str | None = None
    data: object = None

    @property
    def exists(self) -> bool:
        return self.text is not None

    @classmethod
    def read(cls, path: Path, *, required: bool) -> "BundleFile":
        """Read and parse a bundle file; :class:`BadInput` when it cannot be read or parsed, or
        is absent and ``required``."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            if required:
                raise BadInput(f"{path}: no such file (a bundle directory holds {CONFIG})") from None
            return cls(path=path)
        except OSError as exc:
            raise BadInput(f"{path}: {exc.strerror}") from None
        try:
            data = parse_json(raw, str(path))
        except ocispec.InvalidDocument as exc:
            raise BadInput(exc.lines[0]) from None
        return cls(path=path, text=raw.decode("utf-8"), data=data)

    def as_object(self) -> Doc:
        """The content, which must be a JSON object (:class:`BadInput` otherwise)."""
        if not isinstance(self.data, dict):
            raise BadInput(f"{self.path}: expected a JSON object, got {kind_of(self.data)}")
        return self.data

    def save(self, data: object, *, like: Path) -> None:
        """Write ``data`` unless that is what the file holds already: the old text with only the
        changes made (:func:`render`), or a new file (default :class:`Layout`). The file keeps
        its mode and owner; a new one gets those of ``like``. Only root may give a file away
        (chown(2)), and only root needs to: a user's own files stay theirs anyway."""
        if self.exists and jsontext.same(self.data, data):
            return
        write(self.path, render(self.text, data), like=self.path if self.exists else like)

    def delete(self) -> None:
        """Remove the file from the bundle (a symlink: the link, not what it points to); gone
        already is fine."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise OperationFailed(f"{self.path}: {exc.strerror}") from None


def render(text: str | None, data: object) -> str:
    """The text of a file that held ``text`` (None: a new file) and now holds ``data``."""
    if text is None:
        return Layout().dump(data)
    try:
        edited = jsontext.patch(text, data)
        if jsontext.same(json.loads(edited), data):
            return edited
    except (ValueError, RecursionError):
        pass
    return Layout.of(text).dump(data)


def write(path: Path, text: str, *, like: Path) -> None:
    """Replace ``path`` with ``text`` atomically and durably, with the mode (and, for root, the
    owner) of ``like``; :class:`OperationFailed` names ``path``."""
    try:
        info = os.stat(like)
        owner = (info.st_uid, info.st_gid) if os.geteuid() == 0 else None
        files.replace(Path(os.path.realpath(path)), text.encode("utf-8"), mode=stat.S_IMODE(info.st_mode),
                      durable=True, owner=owner)
    except OSError as exc:
        raise OperationFailed(f"{path}: {exc.strerror}") from None


def bundle_dir(value: str) -> Path:
    """The bundle directory named on the command line (:class:`BadInput` when it is none)."""
    path = Path(value)
    try:
        is_dir = path.is_dir()
    except OSError as exc:  # e.g. EACCES on a parent; is_dir() only hides "no such file"
        raise OperationFailed(f"{value}: {exc.strerror}") from None
    if not is_dir:
        raise BadInput(f"{value}: not a directory (BUNDLE is the directory that holds {CONFIG})")
    return path


def exists(path: Path) -> bool:
    """Whether ``path`` names a file (following a symlink)."""
    try:
        return path.exists()
    except OSError as exc:
        raise OperationFailed(f"{path}: {exc.strerror}") from None
