"""Keep a jailnet block in a jail's ``/etc/hosts``, so containers on one network find each other by name.

hosts(5): "For each host a single line should be present with the following information:
Internet address, official host name, aliases. Items are separated by any number of blanks
and/or tab characters." jailnet owns the lines between ``# BEGIN jailnet`` and ``# END jailnet``
and nothing else: every line the image or the user put outside them is kept as it was.

The pure core renders the block (:func:`render_block`), merges it into a file's text
(:func:`merge`) and checks the aliases a user asks for (:func:`check_alias`,
:func:`parse_aliases`). The shell (:func:`write`, :func:`rewrite`, :func:`restore`) writes the file
through :mod:`hooks.etcfile`, as resolv.conf is written: a symlinked ``/etc`` is refused, a
symlink at ``hosts`` is replaced, never followed, a fifo, directory or device there is refused.
This module does not import hooks.resolvconf: a poststop that rewrites its peers' files loads
none of the create path's modules (docs/performance.md).
"""

import re
from collections.abc import Callable, Iterable, Sequence

import attrs

from hooks import etcfile
from hooks.errors import BadInput
from hooks.etcfile import Backup, restore
from ocispec.value import Value

__all__ = ["BEGIN", "END", "NAME", "Backup", "Entry", "check_alias", "enclose", "entry_lines", "merge",
           "parse_aliases", "render_block", "restore", "rewrite", "write"]

NAME = "hosts"
BEGIN = "# BEGIN jailnet"
END = "# END jailnet"
LOOPBACK = (("127.0.0.1", "localhost"), ("::1", "localhost"))
"""The two lines every block starts with: hosts(5) as FreeBSD's /etc/hosts ships them."""

# RFC 952 and RFC 1123 section 2.1: letters, digits and hyphens; a label starts and ends with a
# letter or digit (RFC 1123 allows a leading digit) and has at most 63 characters.
# A pattern as text: re compiles (and caches) it on first use, not at import, which every create
# pays (docs/performance.md).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_MAX_NAME = 253


@attrs.frozen(eq=False, repr=False)
class Entry(Value):
    """One line of the block: an address and the names it answers to (hosts(5))."""

    address: str
    """An IPv4 or IPv6 address, as inet_pton(3) reads it."""
    names: tuple[str, ...]
    """The official host name first, then the aliases."""


def entry_lines(entries: Sequence[Entry]) -> list[str]:
    """One hosts(5) line per entry, without its newline: the address, a tab, then the names with
    one blank between them. Entries keep their order; a name repeated within one entry is dropped
    after its first use, and an entry left with no names is skipped."""
    lines = []
    for entry in entries:
        names = tuple(dict.fromkeys(entry.names))
        if names:
            lines.append(f"{entry.address}\t{' '.join(names)}")
    return lines


def enclose(lines: Iterable[str]) -> str:
    """The jailnet block of hosts(5) around ``lines`` (from :func:`entry_lines`): the markers, the
    loopback lines, then ``lines`` in order. Lines rendered once can so go into many blocks (a
    ``peers`` network's members each list all the others: :mod:`hooks.names`)."""
    return "\n".join((BEGIN, *(f"{address}\t{name}" for address, name in LOOPBACK), *lines, END)) + "\n"


def render_block(entries: Sequence[Entry]) -> str:
    """The jailnet block of hosts(5) for ``entries``: :func:`enclose` of their :func:`entry_lines`."""
    return enclose(entry_lines(entries))


def _marker_line(text: str, marker: str, pos: int) -> tuple[int, int] | None:
    """The first line at or after ``pos`` (a line's start) that is ``marker`` once stripped of
    blanks: (where it starts, where the next line starts). Lines end after ``\\n`` and only there."""
    found = text.find(marker, pos)
    while found != -1:
        start = text.rfind("\n", 0, found) + 1
        newline = text.find("\n", found)
        after = len(text) if newline == -1 else newline + 1
        if text[start:after].strip() == marker:
            return start, after
        found = text.find(marker, found + 1)
    return None


def merge(existing: str, block: str) -> str:
    """``existing`` with its jailnet block replaced by ``block`` (a :func:`render_block` text).

    A block runs from a ``# BEGIN jailnet`` line to the next ``# END jailnet`` line, markers
    included, or to the end of the text if no END follows. Every other line is kept, byte for
    byte and in order. The new block takes the place of the first old one; all others are
    dropped; without one it is appended at the end. The result ends with a newline.

    The markers are found with :meth:`str.find`, not line by line: a ``peers`` network's N
    members each have N lines, and every join or leave merges N files.
    """
    if not block.endswith("\n"):
        block += "\n"
    kept: list[str] = []
    at: int | None = None
    pos = 0
    while (begin := _marker_line(existing, BEGIN, pos)) is not None:
        kept.append(existing[pos:begin[0]])
        if at is None:
            at = len(kept)
        end = _marker_line(existing, END, begin[1])
        pos = len(existing) if end is None else end[1]
    kept.append(existing[pos:])
    text = "".join(kept)
    if text and not text.endswith("\n"):
        text += "\n"  # only the last line of the file can lack one
    if at is None:
        return text + block
    before = "".join(kept[:at])
    return before + block + text[len(before):]


def check_alias(name: str, where: str) -> str:
    """Return ``name`` unchanged if it is a host name (RFC 952, RFC 1123 section 2.1), else raise
    :class:`~hooks.errors.BadInput` naming ``where`` it came from.

    Labels of 1 to 63 letters, digits and hyphens, none starting or ending with a hyphen, joined by
    single dots, at most 253 characters in all, no trailing dot.
    """
    if not (0 < len(name) <= _MAX_NAME and all(re.fullmatch(_LABEL, label) for label in name.split("."))):
        raise BadInput(f"{where}: {name!r} is not a host name (RFC 1123)")
    return name


def parse_aliases(text: str, where: str) -> tuple[str, ...]:
    """The aliases of a comma-separated list: blanks around items stripped, empty items dropped,
    each checked with :func:`check_alias`, repeats dropped after the first."""
    items = (item.strip() for item in text.split(","))
    return tuple(dict.fromkeys(check_alias(item, where) for item in items if item))


# --- the shell: write, rewrite, restore (hooks/etcfile.py) ---------------------------------------


def write(root: str, text_for: Callable[[str], str]) -> Backup:
    """Replace ``<root>/etc/hosts`` with ``text_for(existing)``; return what was there before.

    ``existing`` is the current file's text, or ``""`` when there is none or a symlink is there
    (not followed: replaced). Bytes that are not UTF-8 pass through unchanged (surrogateescape).
    The caller usually passes ``lambda old: merge(old, block)``.
    """
    return etcfile.write(root, NAME, lambda old: text_for(old.decode("utf-8", "surrogateescape")).encode(
        "utf-8", "surrogateescape"))


def rewrite(root: str, block: str) -> None:
    """Merge ``block`` into ``<root>/etc/hosts``, keeping no backup: for a peer's file, which no
    rollback restores. Raises :class:`~hooks.errors.OperationFailed` as :func:`write` does."""
    write(root, lambda old: merge(old, block))
