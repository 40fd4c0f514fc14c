"""Replace a file atomically: the one way jailnet writes a file that someone may read meanwhile.

The data goes to a temporary name in the same directory (``O_CREAT | O_EXCL | O_NOFOLLOW``, so a
planted symlink or file is never written through), gets its mode, and is renamed over the target:
rename(2) is atomic, so a reader sees the old file or the new one, never half of either, and a
symlink at the target is replaced rather than followed. On any failure the temporary file is
removed and the :class:`OSError` propagates; callers turn it into their own message.

Whether to fsync is decided here, once, by what the file is:

* **state** (``durable=False``): the state directory lives in /var/run, which FreeBSD empties at
  boot (rc.d/cleanvar) together with the interfaces and pf entries its files describe. A power
  loss loses both at once, so syncing buys nothing, while the hooks write their journal after
  every step;
* **a user's file** (``durable=True``, a bundle's config.json): it outlives a reboot, so the data
  is synced before the rename and the directory after it, as a crash must never leave it empty.
"""

import contextlib
import os
from pathlib import Path


def replace_at(dir_fd: int, name: str, data: bytes, *, mode: int, durable: bool,
               owner: tuple[int, int] | None = None) -> None:
    """Replace ``name`` in the directory open as ``dir_fd`` with ``data``, file mode ``mode``; with
    ``owner`` (uid, gid) the new file gets that owner before it takes the name (fchown(2) on the
    descriptor, so nothing planted at a path is ever chowned)."""
    temp = f".{name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=dir_fd)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)  # the umask may have narrowed the mode os.open() gave
            if owner is not None:
                os.fchown(fd, *owner)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        if durable:
            os.fsync(dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise


def replace(path: Path, data: bytes, *, mode: int, durable: bool, owner: tuple[int, int] | None = None) -> None:
    """Replace ``path`` with ``data`` (see the module docstring and :func:`replace_at`)."""
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        replace_at(dir_fd, path.name, data, mode=mode, durable=durable, owner=owner)
    finally:
        os.close(dir_fd)
