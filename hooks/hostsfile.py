"""Keep a jailnet block in a jail's ``/etc/hosts``, so containers on one network find each other by name.

hosts(5): "For each host a single line should be present with the following information:
Internet address, official host name, aliases. Items are separated by any number of blanks
and/or tab characters." jailnet owns the lines between ``# BEGIN jailnet`` and ``# END jailnet``
and nothing else: every line the image or the user put outside them is kept as it was.

The pure core renders the block (:func:`render_block`), merges it into a file's text
(:func:`merge`) and checks the aliases a user asks for (:func:`check_alias`,
:func:`parse_aliases`). The shell (:func:`write`, :func:`rewrite`, :func:`restore`) writes the file
as hooks/resolvconf.py writes resolv.conf: the jail's root path is trusted, everything below it
belongs to the image and is not. ``etc`` is opened relative to the root with
``O_NOFOLLOW | O_DIRECTORY``, so a symlinked ``/etc`` is refused; the new file is renamed over
``hosts`` (:func:`hooks.files.replace_at`), so a symlink there is replaced, never followed; a
fifo, directory or device there is refused. This module does not import hooks.resolvconf: a
poststop that rewrites its peers' files loads none of the create path's modules
(docs/performance.md).
"""

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Sequence

import attrs

from hooks import files
from hooks.errors import BadInput, OperationFailed
from ocispec.value import Value

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


def render_block(entries: Sequence[Entry]) -> str:
    """The jailnet block of hosts(5): markers, the loopback lines, then one line per entry.

    Entries keep their order; a name repeated within one entry is dropped after its first use,
    and an entry left with no names is skipped. The address is followed by a tab, the names by
    one blank each.
    """
    lines = [BEGIN, *(f"{address}\t{name}" for address, name in LOOPBACK)]
    for entry in entries:
        names = tuple(dict.fromkeys(entry.names))
        if names:
            lines.append(f"{entry.address}\t{' '.join(names)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _lines(text: str) -> list[str]:
    """``text`` cut after each newline (and only there: hosts(5) lines end with ``\\n``)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def merge(existing: str, block: str) -> str:
    """``existing`` with its jailnet block replaced by ``block`` (a :func:`render_block` text).

    A block runs from a ``# BEGIN jailnet`` line to the next ``# END jailnet`` line, markers
    included, or to the end of the text if no END follows. Every other line is kept, byte for
    byte and in order. The new block takes the place of the first old one; all others are
    dropped; without one it is appended at the end. The result ends with a newline.
    """
    if not block.endswith("\n"):
        block += "\n"
    kept: list[str] = []
    at: int | None = None
    inside = False
    for line in _lines(existing):
        marker = line.strip()
        if inside:
            inside = marker != END
        elif marker == BEGIN:
            inside = True
            if at is None:
                at = len(kept)
        else:
            kept.append(line)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"  # only the last line of the file can lack one
    if at is None:
        at = len(kept)
    return "".join(kept[:at]) + block + "".join(kept[at:])


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


# --- the shell: write, rewrite, restore -----------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class Backup(Value):
    """What was at ``<root>/etc/hosts`` before :func:`write`, so a rollback can put it back."""

    root: str
    kind: str
    """``none``, ``file`` or ``symlink``."""
    content: bytes = b""
    mode: int = 0o644
    target: str = ""
    made_etc: bool = False
    """Whether :func:`write` created ``<root>/etc``: :func:`restore` removes it again."""


def _refusal(root: str) -> str:
    return f"{root}/etc is a symlink or not a directory: refusing to write {NAME} through it"


def _open_etc(root_fd: int, root: str, *, create: bool) -> tuple[int, bool]:
    """Open ``etc`` under the root without following a symlink; mirrors hooks/resolvconf.py
    ``_open_etc`` (not imported: see the module docstring), with this file's name in the refusal.
    FreeBSD's open(2) fails a symlink under ``O_NOFOLLOW`` with EMLINK, Linux's with ELOOP."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        return os.open("etc", flags, dir_fd=root_fd), False
    except FileNotFoundError:
        if not create:
            raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise OperationFailed(_refusal(root)) from None
        raise
    os.mkdir("etc", 0o755, dir_fd=root_fd)
    return os.open("etc", flags, dir_fd=root_fd), True


def _backup(etc_fd: int, root: str, made_etc: bool) -> Backup:
    """What is at ``hosts`` now; a fifo, directory or device is refused before it is opened."""
    try:
        info = os.stat(NAME, dir_fd=etc_fd, follow_symlinks=False)
    except FileNotFoundError:
        return Backup(root, "none", made_etc=made_etc)
    if stat.S_ISLNK(info.st_mode):
        return Backup(root, "symlink", target=os.readlink(NAME, dir_fd=etc_fd), made_etc=made_etc)
    refusal = f"{root}/etc/{NAME} is not a regular file: refusing to replace it"
    if not stat.S_ISREG(info.st_mode):
        raise OperationFailed(refusal)
    fd = os.open(NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=etc_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the lstat
            raise OperationFailed(refusal)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return Backup(root, "file", content=b"".join(chunks), mode=stat.S_IMODE(info.st_mode), made_etc=made_etc)


def write(root: str, text_for: Callable[[str], str]) -> Backup:
    """Replace ``<root>/etc/hosts`` with ``text_for(existing)``; return what was there before.

    ``existing`` is the current file's text, or ``""`` when there is none or a symlink is there
    (not followed: replaced). Bytes that are not UTF-8 pass through unchanged (surrogateescape).
    The new file has mode 0644. A missing ``/etc`` is created (0755) and recorded in the backup.
    The caller usually passes ``lambda old: merge(old, block)``.
    """
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OperationFailed(f"cannot open the jail's root {root}: {exc.strerror}") from None
    try:
        etc_fd, made_etc = _open_etc(root_fd, root, create=True)
        try:
            backup = _backup(etc_fd, root, made_etc)
            existing = backup.content.decode("utf-8", "surrogateescape") if backup.kind == "file" else ""
            data = text_for(existing).encode("utf-8", "surrogateescape")
            files.replace_at(etc_fd, NAME, data, mode=0o644, durable=False)
            return backup
        except BaseException:
            if made_etc:  # leave the image as it was
                with contextlib.suppress(OSError):
                    os.rmdir("etc", dir_fd=root_fd)
            raise
        finally:
            os.close(etc_fd)
    except OSError as exc:
        raise OperationFailed(f"cannot write {root}/etc/{NAME}: {exc.strerror}") from None
    finally:
        os.close(root_fd)


def rewrite(root: str, block: str) -> None:
    """Merge ``block`` into ``<root>/etc/hosts``, keeping no backup: for a peer's file, which no
    rollback restores. Raises :class:`~hooks.errors.OperationFailed` as :func:`write` does."""
    write(root, lambda old: merge(old, block))


def restore(backup: Backup) -> None:
    """Put back what :func:`write` replaced (rollback); best effort, no symlink followed.

    Every failure is an :class:`OSError` (what :func:`hooks.apply.rollback` catches); a ``hosts``
    that is gone already counts as removed. Mirrors hooks/resolvconf.py ``restore``.
    """
    root_fd = os.open(backup.root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            etc_fd, _ = _open_etc(root_fd, backup.root, create=False)
        except OperationFailed as exc:
            raise OSError(errno.ENOTDIR, str(exc)) from None
        try:
            if backup.kind == "file":
                files.replace_at(etc_fd, NAME, backup.content, mode=backup.mode, durable=False)
            elif backup.kind == "symlink":
                temp = f".{NAME}.jailnet.{os.urandom(8).hex()}"
                os.symlink(backup.target, temp, dir_fd=etc_fd)
                try:
                    os.rename(temp, NAME, src_dir_fd=etc_fd, dst_dir_fd=etc_fd)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temp, dir_fd=etc_fd)
                    raise
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(NAME, dir_fd=etc_fd)
        finally:
            os.close(etc_fd)
        if backup.made_etc:
            os.rmdir("etc", dir_fd=root_fd)
    finally:
        os.close(root_fd)
