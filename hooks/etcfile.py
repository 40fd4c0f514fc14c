"""Write one file of a jail's ``/etc`` without ever following a symlink out of the jail's root,
and put back what was there (rollback): the shared shell of :mod:`hooks.resolvconf` and
:mod:`hooks.hostsfile`.

The root path comes from the kernel (``jls -j J path``) and is trusted; everything below it
belongs to the container image and is not. ``etc`` is opened relative to the root with
``O_NOFOLLOW | O_DIRECTORY``, so an ``/etc`` that is a symlink (to ``/etc`` of the host, or
``../../..``) is refused: FreeBSD's open(2) fails a symlink under ``O_NOFOLLOW`` with EMLINK,
Linux's with ELOOP. The new file is written to a temporary name inside that directory and renamed
over the old one (:func:`hooks.files.replace_at`): rename(2) replaces a symlink there instead of
writing through it. A fifo, directory or device there is refused before it is opened.
"""

import contextlib
import errno
import os
import stat
from collections.abc import Callable

import attrs

from hooks import files
from hooks.errors import OperationFailed
from ocispec.value import Value


@attrs.frozen(eq=False, repr=False)
class Backup(Value):
    """What was at ``<root>/etc/<name>`` before :func:`write`, so a rollback can put it back."""

    root: str
    name: str
    kind: str
    """``none``, ``file`` or ``symlink``."""
    content: bytes = b""
    mode: int = 0o644
    target: str = ""
    made_etc: bool = False
    """Whether :func:`write` created ``<root>/etc``: :func:`restore` removes it again."""


def _open_etc(root_fd: int, root: str, name: str, *, create: bool) -> tuple[int, bool]:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        return os.open("etc", flags, dir_fd=root_fd), False
    except FileNotFoundError:
        if not create:
            raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise OperationFailed(f"{root}/etc is a symlink or not a directory: "
                                  f"refusing to write {name} through it") from None
        raise
    os.mkdir("etc", 0o755, dir_fd=root_fd)
    return os.open("etc", flags, dir_fd=root_fd), True


def _backup(etc_fd: int, root: str, name: str, made_etc: bool) -> Backup:
    try:
        info = os.stat(name, dir_fd=etc_fd, follow_symlinks=False)
    except FileNotFoundError:
        return Backup(root, name, "none", made_etc=made_etc)
    if stat.S_ISLNK(info.st_mode):
        return Backup(root, name, "symlink", target=os.readlink(name, dir_fd=etc_fd), made_etc=made_etc)
    refusal = f"{root}/etc/{name} is not a regular file: refusing to replace it"
    if not stat.S_ISREG(info.st_mode):
        raise OperationFailed(refusal)
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=etc_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the lstat
            raise OperationFailed(refusal)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return Backup(root, name, "file", content=b"".join(chunks), mode=stat.S_IMODE(info.st_mode), made_etc=made_etc)


def write(root: str, name: str, data_for: Callable[[bytes], bytes]) -> Backup:
    """Replace ``<root>/etc/<name>`` with ``data_for(existing)`` (mode 0644); return what was
    there before. ``existing`` is the file's content, or empty when there is none or a symlink is
    there (not followed: replaced). A missing ``/etc`` is made (0755) and recorded in the backup."""
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OperationFailed(f"cannot open the jail's root {root}: {exc.strerror}") from None
    try:
        etc_fd, made_etc = _open_etc(root_fd, root, name, create=True)
        try:
            backup = _backup(etc_fd, root, name, made_etc)
            files.replace_at(etc_fd, name, data_for(backup.content if backup.kind == "file" else b""), mode=0o644,
                             durable=False)
            return backup
        except BaseException:
            if made_etc:  # leave the image as it was
                with contextlib.suppress(OSError):
                    os.rmdir("etc", dir_fd=root_fd)
            raise
        finally:
            os.close(etc_fd)
    except OSError as exc:
        raise OperationFailed(f"cannot write {root}/etc/{name}: {exc.strerror}") from None
    finally:
        os.close(root_fd)


def restore(backup: Backup) -> None:
    """Put back what :func:`write` replaced (rollback); best effort, no symlink followed.

    Every failure is an :class:`OSError` (what :func:`hooks.apply.rollback` catches); a file that
    is gone already counts as removed.
    """
    name = backup.name
    root_fd = os.open(backup.root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            etc_fd, _ = _open_etc(root_fd, backup.root, name, create=False)
        except OperationFailed as exc:
            raise OSError(errno.ENOTDIR, str(exc)) from None
        try:
            if backup.kind == "file":
                files.replace_at(etc_fd, name, backup.content, mode=backup.mode, durable=False)
            elif backup.kind == "symlink":
                temp = f".{name}.jailnet.{os.urandom(8).hex()}"
                os.symlink(backup.target, temp, dir_fd=etc_fd)
                try:
                    os.rename(temp, name, src_dir_fd=etc_fd, dst_dir_fd=etc_fd)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temp, dir_fd=etc_fd)
                    raise
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=etc_fd)
        finally:
            os.close(etc_fd)
        if backup.made_etc:
            os.rmdir("etc", dir_fd=root_fd)
    finally:
        os.close(root_fd)
